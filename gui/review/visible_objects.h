#pragma once
// What a layer shows, frame by frame: the boxes the timeline counts and the evaluation compares.
// Layers hold two kinds of tracks: keyframed ones (ground truth, reviewed sets, anything edited:
// annotate/interpolation.h, CVAT's semantics, repeated after the last keyframe up to the last
// frame) and dense ones without a single keyframe (a model run: the tracker's box on every frame
// it saw, stored with keyframe false, as pipeline/results_annotations.cpp writes them). A track
// with a keyframe is expanded from its keyframes (its stored non-keyframes are derived and
// ignored, as expandTrack does); a track without one is shown as stored. Lone boxes are shown as
// stored; outside boxes never.

#include <cstdint>
#include <vector>

#include "annotate/annotation.h"

namespace sl::gui {

// Sorted by (frame, trackId, id). LAST_FRAME: the media's last frame (frameCount - 1).
std::vector<annotate::Object> visibleObjects(const annotate::AnnotationSet& set, int64_t lastFrame);

}  // namespace sl::gui
