#pragma once
// ByteTracker: ByteTrack (Zhang et al., ECCV 2022) over per-frame detections. Shape of the official
// implementations: STrack (track/strack.h: New -> Tracked <-> Lost -> Removed), a constant-velocity
// Kalman filter on (cx, cy, a, h) (track/kalman_filter.h), an exact linear assignment with a cost
// limit (track/linear_assignment.h); the solver and the filter know nothing of tracks.
//
// Two presets, because the official implementations differ and users compare against both:
//   reference  ifzhang/ByteTrack yolox/tracker/byte_tracker.py: the detection score is fused into
//              the first association's IoU cost, low-score boxes are those with 0.1 < score <
//              track_thresh, new tracks need score > track_thresh + 0.1, strict comparisons.
//   ncnn       the official ncnn C++ deployment (deploy/ncnn/cpp/src/BYTETracker.cpp): no score
//              fusion, low-score boxes are all below track_thresh, new tracks need score >=
//              high_thresh (0.6); ../shared/testdata/tracking was produced by it.
// Class-aware by default: a detection is only associated with a track of its class (a track keeps
// one class); classAgnostic matches across classes (the track keeps its first class).
//
// Ids start at 1 per tracker and are deterministic: the same inputs give the same ids.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "vision/nms.h"

namespace sl::track {

enum class Preset { Reference, Ncnn };
const char* presetName(Preset p);                             // "reference", "ncnn"
std::optional<Preset> parsePreset(const std::string& name);

struct TrackerParams {
    Preset preset = Preset::Reference;
    float trackThresh = 0.5f;
    float highThresh = 0.6f;     // ncnn preset: score needed to start a track
    float matchThresh = 0.8f;    // first association: IoU cost limit (1 - IoU)
    int trackBuffer = 30;        // frames a lost track is kept, at 30 fps (scaled by fps / 30)
    double fps = 30;
    bool classAgnostic = false;
    // The preset's defaults (ncnn: highThresh 0.6; reference: new tracks at trackThresh + 0.1).
    static TrackerParams forPreset(Preset p);
    Status validate() const;     // InvalidArgument naming the bad field
};

// One object of one frame, as the tracker reports it.
struct TrackedObject {
    int64_t trackId = 0;         // >= 1
    int classId = 0;
    float score = 0;             // the score of the detection it was last matched with
    vision::Box box;             // the tracker's state (Kalman mean after the update), as both
                                 // official implementations report it
    int detectionIndex = -1;     // index into this frame's input detections; -1 = none
};

class ByteTracker {
public:
    explicit ByteTracker(const TrackerParams& params = {});
    ~ByteTracker();
    ByteTracker(ByteTracker&&) noexcept;
    ByteTracker& operator=(ByteTracker&&) noexcept;

    // One frame, in order. Returns the activated tracked objects of this frame (state Tracked),
    // in the order the official implementations output them.
    std::vector<TrackedObject> update(const std::vector<vision::Detection>& detections);
    // One frame that was not detected (adaptive detection runs the detector on every k-th frame
    // only): tracks are predicted one frame on and reported at their predicted boxes
    // (detectionIndex -1); nothing is associated, started, lost or removed. Frame counts (the
    // lost buffer) advance as with update().
    std::vector<TrackedObject> coast();
    // Forgets every track; ids start at 1 again (a seek in live tracking, a new run).
    void reset();
    const TrackerParams& params() const;
    int64_t frameCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sl::track
