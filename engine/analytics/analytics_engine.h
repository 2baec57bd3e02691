#pragma once
// Analytics over tracks: zone enter / exit with hysteresis, directed line crossings, dwell time
// from pts (variable frame rate safe: never frame count / fps), loitering, counts per class per
// zone and line over time. Frame by frame and in order (live), or over a whole stored sequence
// (a recording: recomputed from the stored tracks whenever a zone or line changes).
//
// Semantics (tests/engine/analytics_*_test.cpp derive their expectations from these):
// - Zones: a track's anchor is inside by the even-odd rule (on an edge counts as inside). An
//   enter needs `hysteresis` consecutive observations inside, an exit as many outside; the event
//   is dated at the FIRST frame of that run (when the object really crossed), and reported with
//   the frame that confirms it. Dwell = exit time - enter time, from the frames' seconds.
// - A track not reported for longer than trackLostSeconds (the tracker lost it) leaves every zone
//   it was in at the time it was last seen; a frame without it is no evidence either way before
//   that (occlusions do not split a visit).
// - Loiter: once per visit, at the first observation whose dwell reaches zone.loiterSeconds.
// - Lines: the anchor's path between consecutive observations of a track crosses the segment
//   a-b (end points included); positions exactly on the line are skipped (the side last strictly
//   held decides), so jitter on the line is not a crossing and a zig-zag counts each real
//   crossing once. A->B = from the left of a->b to its right (image coordinates, y down).
// - Class filters match the track's label (labels[classId], or the id as text).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "analytics/scene.h"
#include "track/byte_tracker.h"

namespace sl::analytics {

// The tracked objects of one frame. seconds = the frame's presentation time (pts x time base).
struct TrackedFrame {
    int64_t frameIndex = 0;
    int64_t pts = 0;
    double seconds = 0;
    std::vector<track::TrackedObject> objects;
};

enum class EventKind { ZoneEnter, ZoneExit, LineCross, Loiter };
const char* eventKindName(EventKind k);   // "zone-enter", "zone-exit", "line-cross", "loiter"

struct Event {
    EventKind kind = EventKind::ZoneEnter;
    std::string target;          // zone or line name
    int64_t trackId = 0;
    int classId = 0;
    std::string label;
    int64_t frameIndex = 0;      // the frame the event is counted at
    int64_t pts = 0;
    double seconds = 0;
    int direction = 0;           // LineCross: +1 A->B, -1 B->A
    double dwellSeconds = 0;     // ZoneExit and Loiter: time inside so far, from pts
    bool operator==(const Event&) const = default;
};

// Per zone / line, per label: running totals at one frame.
struct CountsSample {
    int64_t frameIndex = 0;
    double seconds = 0;
    std::map<std::string, std::map<std::string, int64_t>> inside;    // zone -> label -> now inside
    std::map<std::string, std::map<std::string, int64_t>> entered;   // zone -> label -> total
    std::map<std::string, std::map<std::string, int64_t>> crossedAB; // line -> label -> total
    std::map<std::string, std::map<std::string, int64_t>> crossedBA;
};

// One track's time in one zone (a visit: enter .. exit).
struct Visit {
    std::string zone;
    int64_t trackId = 0;
    int64_t enterFrame = 0, exitFrame = -1;   // -1: still inside at the last frame
    double enterSeconds = 0, exitSeconds = 0;
    double dwellSeconds() const { return exitSeconds - enterSeconds; }
};

class AnalyticsEngine {
public:
    AnalyticsEngine(Scene scene, std::vector<std::string> labels,
                    double trackLostSeconds = 2.0);
    ~AnalyticsEngine();
    AnalyticsEngine(AnalyticsEngine&&) noexcept;
    AnalyticsEngine& operator=(AnalyticsEngine&&) noexcept;

    // Frames must come in increasing frameIndex; a gap (skipped frames) is fine. Returns the
    // events of this frame.
    std::vector<Event> update(const TrackedFrame& frame);
    void reset();

    const Scene& scene() const;
    CountsSample counts() const;                 // after the last update
    std::vector<Visit> visits() const;           // closed and open ones
private:
    struct State;
    Scene scene_;
    std::vector<std::string> labels_;
    double trackLostSeconds_;
    std::unique_ptr<State> state_;
};

// A whole stored sequence at once.
struct SequenceResult {
    std::vector<Event> events;
    std::vector<CountsSample> counts;            // one per frame given
    std::vector<Visit> visits;
};
SequenceResult analyseSequence(const Scene& scene, const std::vector<std::string>& labels,
                               const std::vector<TrackedFrame>& frames);

}  // namespace sl::analytics
