#pragma once
// What the timeline strip draws, computed off the GUI thread into flat per-frame arrays so that
// painting costs the visible columns, not the objects (a million-object project paints as fast
// as an empty one): the detection counts of the active layer, the review state of every frame of
// the reviewed set, the selected tracks' visible frames and keyframes, and the evaluation's
// error markers.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "annotate/annotation.h"
#include "core/status.h"
#include "eval/mot_metrics.h"
#include "store/change_set.h"

namespace sl::store {
class ProjectStore;
}

namespace sl::gui {

// One evaluation error on the timeline (eval::FrameError with the class it concerns). Object ids
// are the stored ones; 0 where the box is interpolated between keyframes (no stored row), then
// the track id names it.
struct TimelineMarker {
    eval::FrameError::Kind kind = eval::FrameError::Kind::FalsePositive;
    int64_t frame = 0;
    int64_t gtObjectId = 0, gtTrackId = -1;
    int64_t predObjectId = 0, predTrackId = -1;
    std::string label;
};
const char* markerKindText(eval::FrameError::Kind k);   // "false positive", "miss", ...

struct TimelineRequest {
    int64_t frames = 0;      // the media's frame count (0: unknown, the layers' extent is used)
    int64_t layerSet = 0;    // detections row (0: none)
    int64_t trackSet = 0;    // where the selected tracks live (0: the layer)
    int64_t reviewSet = 0;   // review-state row (0: none)
};

struct TimelineData {
    TimelineRequest request;
    int64_t frames = 0;
    std::vector<int32_t> detections;   // per frame: boxes the layer shows there
    int32_t maxDetections = 0;
    std::vector<uint8_t> review;   // per frame: store::FrameReview
    // The track set's tracks, sorted by (track id, frame): every frame a track shows a box, and
    // the frames of its stored keyframes.
    std::vector<std::pair<int64_t, int64_t>> trackFrames;
    std::vector<std::pair<int64_t, int64_t>> keyframes;
    // The track set's tracks and their class (the index of their first keyframe's label, else
    // their first box's, in the set's labels; -1 when not in them), sorted by track id: the
    // strip draws a track in pipeline::classColor of it, as the video overlay draws its boxes.
    std::vector<std::pair<int64_t, int>> trackClasses;

    // The tracks that show a box at FRAME (ascending).
    std::vector<int64_t> tracksAt(int64_t frame) const;
    // TRACK's visible runs [first, last] and its keyframes.
    std::vector<std::pair<int64_t, int64_t>> spansOf(int64_t track) const;
    std::vector<int64_t> keyframesOf(int64_t track) const;
    int classOf(int64_t track) const;   // -1: unknown
};

// The rows as stored, read on the strip's read lane (a snapshot; a later edit reads again): the sets
// REQUEST names and the review states. Only the SQLite reads: the arrays are made apart, on a lane
// of their own, so edits queued behind never wait for them.
struct TimelineSets {
    TimelineRequest request;
    annotate::AnnotationSet layer, tracks;   // tracks: empty when the layer holds them
    std::vector<std::pair<int64_t, store::FrameReview>> review;
};
Expected<TimelineSets> readTimelineSets(store::ProjectStore& project,
                                        const TimelineRequest& request);
// The arrays (annotate/visible_objects.h's rules), without copying the objects.
TimelineData computeTimelineData(const TimelineSets& sets);

}  // namespace sl::gui
