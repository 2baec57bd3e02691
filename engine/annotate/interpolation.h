#pragma once
// Tracks defined by keyframes, with CVAT's semantics:
// - the keyframes (keyframe == true) of one track id define it; other objects of the track are
//   derived and ignored here;
// - a frame between two consecutive keyframes A and B is the linear interpolation of A's and B's
//   boxes (also when B is an `outside` keyframe, as CVAT interpolates towards it), with A's label,
//   flags and attributes, source Interpolated and keyframe false; its pts is interpolated when
//   both keyframes have one, else kNoPts;
// - an outside keyframe ends a visible segment: nothing is visible from it until the next keyframe
//   that is not outside, which resumes the track under the same id;
// - after the last keyframe, when it is not outside, the box is repeated up to LAST_FRAME (CVAT
//   repeats it to the end of the media: pass frameCount - 1).
// Derived objects have id 0 (not stored) and area -1 (the box's area).

#include <cstdint>
#include <optional>
#include <vector>

#include "annotate/annotation.h"

namespace sl::annotate {

// The visible objects of one track, every frame from its first keyframe on: the keyframes
// themselves (unchanged) and the derived frames. KEYFRAMES may be unsorted; objects that are not
// keyframes are ignored; of two keyframes at one frame the later in the input wins. Outside
// keyframes are not in the result (nothing is visible there). Sorted by frame.
std::vector<Object> expandTrack(const std::vector<Object>& keyframes, int64_t lastFrame);

// What is visible at FRAME: the lone boxes (kNoTrack) of that frame and every track's keyframe or
// interpolated box there. Sorted by trackId.
std::vector<Object> objectsAtFrame(const AnnotationSet& set, int64_t frame, int64_t lastFrame);

// One track's object at FRAME (the keyframe there, the interpolated or repeated box, or nothing
// when the track is hidden or has not started), from KEYFRAMES sorted by frame, one per frame
// (what expandTrack sorts its input into): a lookup in O(log n) for a view that draws one frame.
std::optional<Object> trackObjectAt(const std::vector<Object>& keyframes, int64_t frame,
                                    int64_t lastFrame);
// Every visible object of every frame: lone boxes as they are (outside ones dropped) and each
// track expanded. Sorted by (frame, trackId).
std::vector<Object> densify(const AnnotationSet& set, int64_t lastFrame);

// The inverse of expandTrack for dense input (every visible frame of a track present, as a dense
// CVAT export, MOT ground truth or a tracker writes): per track, the keyframes whose expansion up
// to LAST_FRAME gives the input's visible objects back. Objects flagged keyframe are kept as they
// are; the others are dropped where the expansion reproduces them (box within kReproduceTolerance,
// same label, flags and attributes) and otherwise kept as keyframes. Frames missing from the input
// between two visible objects, and the frames after the last one, get an outside keyframe (a copy
// of the box before the gap) so that the expansion leaves them empty. Lone boxes pass unchanged.
// Sorted by (frame, trackId).
inline constexpr float kReproduceTolerance = 0.01f;   // px; CVAT writes boxes to 0.01 px
std::vector<Object> keyframesOnly(const std::vector<Object>& dense, int64_t lastFrame);

}  // namespace sl::annotate
