#pragma once
// TrackAnalysis: tracks and analytics derived from stored per-frame detections. On a recording the
// whole sequence is recomputed whenever the detections, the tracker parameters or the scene change
// (ByteTrack runs at tens of thousands of frames per second, so a 10-minute video takes
// milliseconds); a scene edit re-runs only the analytics over the kept tracks. Live use feeds frames
// in order through append(). Not thread-safe: one owner (the GUI thread, a CLI verb).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analytics/analytics_engine.h"
#include "analytics/heatmap.h"
#include "pipeline/frame_detections.h"
#include "pipeline/results_store.h"
#include "track/byte_tracker.h"

namespace sl::pipeline {

// One track over the sequence.
struct TrackSummary {
    int64_t trackId = 0;
    int classId = 0;
    int64_t firstFrame = 0, lastFrame = 0;
    double firstSeconds = 0, lastSeconds = 0;
    int64_t frames = 0;                      // frames it was reported on
    std::vector<std::string> zonesVisited;   // in order of first entry
    double durationSeconds() const { return lastSeconds - firstSeconds; }
};

class TrackAnalysis {
public:
    TrackAnalysis(track::TrackerParams params = {}, analytics::Scene scene = {},
                  std::vector<std::string> labels = {});

    void setParams(const track::TrackerParams& params);   // takes effect at the next recompute()
    void setLabels(std::vector<std::string> labels);
    // Re-runs the analytics over the current tracks (no tracking).
    void setScene(analytics::Scene scene);
    const analytics::Scene& scene() const;
    const track::TrackerParams& params() const;

    // Tracks every frame of `frames` (ascending frameIndex; gaps are frames not analysed, the
    // tracker sees only the given ones), then the analytics.
    void recompute(const std::vector<FrameDetections>& frames);
    // Live: one more frame, in order. A frame at or before the last one starts a new sequence
    // (a seek back): the tracker and analytics reset first. Returns its tracked objects, valid
    // until the next change.
    const std::vector<track::TrackedObject>& append(const FrameDetections& frame);
    void clear();

    // The tracked objects at a frame; nullptr when the frame was not tracked.
    const std::vector<track::TrackedObject>* at(int64_t frameIndex) const;
    // The last n anchor points of a track up to and including frameIndex, oldest first.
    std::vector<analytics::Point> trail(int64_t trackId, int64_t frameIndex, int n,
                                        analytics::Anchor anchor =
                                            analytics::Anchor::BottomCentre) const;
    // Every frame a track was reported on: (frameIndex, box).
    std::vector<std::pair<int64_t, vision::Box>> trackBoxes(int64_t trackId) const;
    std::vector<TrackSummary> tracks() const;          // by trackId
    const std::vector<analytics::Event>& events() const;
    const std::vector<analytics::CountsSample>& counts() const;   // one per tracked frame
    const std::vector<analytics::Visit>& visits() const;
    // Anchor occupancy of every tracked object in [first, last].
    analytics::Heatmap heatmap(int64_t first, int64_t last, int frameWidth, int frameHeight,
                               int cellSize = 4, double sigma = 8.0) const;
    std::vector<analytics::TrackedFrame> trackedFrames() const;
    // Bumped by every change (a cheap "redraw?" for a GUI timer).
    uint64_t version() const;

private:
    void recordFrame(const FrameDetections& frame);
    void runAnalytics();
    track::TrackerParams params_;
    analytics::Scene scene_;
    std::vector<std::string> labels_;
    track::ByteTracker tracker_;
    std::map<int64_t, analytics::TrackedFrame> frames_;
    // Per track, its observations in frame order (trails, track boxes, summaries).
    std::map<int64_t, std::vector<std::pair<int64_t, track::TrackedObject>>> history_;
    std::optional<analytics::AnalyticsEngine> liveAnalytics_;
    analytics::SequenceResult result_;
    uint64_t version_ = 0;
};

// Tracks every stored frame of `store` through `analysis` (recompute), writes each detection's
// track id back into the store (FrameDetections::trackIds) and sums up what the analytics found.
TrackingSummary trackResults(ResultsStore& store, TrackAnalysis& analysis);

}  // namespace sl::pipeline
