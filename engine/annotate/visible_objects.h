#pragma once
// What a set shows, frame by frame: the boxes the review timeline counts and every evaluation
// compares (the Evaluation panel and `sightline eval P#SET` call the same function, so they
// give the same numbers). Sets hold two kinds of tracks: keyframed ones (ground truth, reviewed
// sets, anything edited: annotate/interpolation.h, CVAT's semantics, repeated after the last
// keyframe up to the last frame) and dense ones without a single keyframe (a model run: the
// tracker's box on every frame it saw, stored with keyframe false, as
// pipeline/results_annotations.cpp writes them). Keyframed tracks and lone boxes are what
// annotate::densify makes of them (its stored non-keyframes are derived and ignored, as
// expandTrack does; outside boxes never show); a track without a keyframe is shown as stored.

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "annotate/annotation.h"

namespace sl::annotate {

// Sorted by (frame, trackId, id). LAST_FRAME: the media's last frame (frameCount - 1).
std::vector<Object> visibleObjects(const AnnotationSet& set, int64_t lastFrame);

// The last frame to expand tracks to: FRAMES - 1 for a media of FRAMES frames, else (FRAMES <=
// 0: unknown) the last frame any of SETS has an object on (0 when empty).
int64_t lastFrameOf(int64_t frames, std::initializer_list<const AnnotationSet*> sets);

}  // namespace sl::annotate
