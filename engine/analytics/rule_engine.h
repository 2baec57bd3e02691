#pragma once
// RuleEngine: the alert rules of one source's scene (analytics/scene.h Rule) evaluated frame by
// frame on what the AnalyticsEngine saw. The monitoring wall runs one per source; a recording
// gets the same alerts from evaluateRules() over its tracked frames.
//
// Feeding, per frame and in increasing frameIndex: events = analytics.update(frame), then
// rules.update(frame, events), with both engines built on the same scene and labels. The rule
// engine keeps only its own small state (zone members, episodes, cooldowns): a frame costs
// O(objects x rules + events x rules + zone members), nothing grows with the length of the video.
// A seek or a reconnect resets both engines (pts restart; cooldowns are forgotten too).
//
// Semantics (tests/engine/analytics_rules_test.cpp derive their expectations from these):
// - Time is the frames' seconds (pts x time base) everywhere (dwell, gaps, cooldowns), never
//   frame counts: variable frame rate and dropped frames do not shift an alert.
// - Classes: a rule with no classes matches every label, otherwise the label must be one of them.
//   The target's own class filter comes first: a zone that counts only people shows no rule a car.
// - Inside a zone = between the track's ZoneEnter and ZoneExit events: the zone's hysteresis, and
//   a track occluded for up to trackLostSeconds still inside; the same as CountsSample::inside.
// - zone-enter, zone-exit, line-cross: one alert per matching event of the target (line-cross:
//   event direction == rule.direction, 0 = both), on the frame whose update() reported it.
// - loiter: rule.seconds > 0: once per visit, at the first observation of the track inside the
//   zone whose dwell (frame seconds - the enter's dated seconds) reaches rule.seconds, the way the
//   AnalyticsEngine dates its Loiter events; rule.seconds = 0: the zone's own Loiter events
//   (zone.loiterSeconds; none when that is 0 too).
// - class-present: "present" at a frame = a matching object in the frame (no target) or a matching
//   track inside the target zone. An episode of presence goes on while the frames where it holds
//   are at most RuleOptions::presenceGapSeconds (1 s) apart: a detector missing the object for a
//   few frames does not restart the clock, a longer gap (frames without it, or no frames at all: a
//   stalled stream is no evidence) starts a new episode. The episode starts at the frame opening
//   it, or, in a zone, at the earliest dated enter reported on that frame. It fires once, at the
//   first present frame where dwell = frame seconds - start >= rule.seconds.
// - count-above: N = matching objects in the frame (no target) or matching tracks inside the zone.
//   Fires when N > rule.count (strictly "above": count 3 alerts on the 4th; count 0 = any), on the
//   rising edge: after firing it is quiet until a frame with N <= count re-arms it.
// - Cooldown: after an alert at time t, the same rule stays quiet before t + cooldownSeconds
//   (0 = no cooldown); the first occurrence at or after that time fires. zone-enter, zone-exit,
//   line-cross and loiter count it per track: the cooldown is there to stop one object flapping
//   on a boundary (jitter, a zig-zag, someone standing in a doorway) from flooding the wall, while
//   two people crossing a line 1 s apart are two facts and give two alerts. An event in its
//   cooldown is dropped. class-present and count-above are conditions, not per object: their
//   cooldown is per rule, and a condition that fires in its cooldown is held, not lost: it fires
//   at the first frame after the cooldown where it still holds (the episode still open, N still
//   above) and the rule is armed.
// - The alerts of one frame come in the scene's rule order, and within a rule in the order of
//   the events (event rules) or of the frame's objects (loiter with its own seconds).
// - The scene is expected to pass validateScene(); a rule whose target does not exist never fires.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analytics/analytics_engine.h"
#include "analytics/scene.h"
#include "core/status.h"

namespace sl::analytics {

struct RuleOptions {
    double presenceGapSeconds = 1.0;   // class-present: the longest gap that keeps an episode
};

// One object an alert is about.
struct AlertObject {
    int64_t trackId = 0;
    int classId = 0;
    std::string label;
    vision::Box box;        // on the alert's frame; a track inside a zone but not reported on that
                            // frame (occluded) has the box it was last seen with
    bool operator==(const AlertObject&) const = default;
};

struct Alert {
    std::string rule;                  // the rule's name
    RuleKind kind = RuleKind::ZoneEnter;
    std::string severity;              // the rule's, passed through
    std::string target;                // zone or line; '' = the whole frame
    int64_t frameIndex = 0;            // the frame it fired on
    int64_t pts = 0;
    double seconds = 0;
    // Where what it reports began: zone-enter / zone-exit the event's dated frame (the first of
    // the hysteresis run; a lost track's exit its last sighting), loiter the visit's enter,
    // class-present the episode's start; line-cross and count-above the alert's frame.
    int64_t startFrame = 0;
    int64_t startPts = 0;
    double startSeconds = 0;
    std::vector<AlertObject> objects;  // the track(s) involved, by track id (event kinds: one)
    int direction = 0;                 // line-cross: +1 A->B, -1 B->A
    int count = 0;                     // count-above: N on this frame
    double dwellSeconds = 0;           // loiter, class-present: seconds - startSeconds;
                                       // zone-exit: the visit's dwell
    std::string message;               // "door-watch: person #12 entered door"
    bool operator==(const Alert&) const = default;
};

class RuleEngine {
public:
    RuleEngine(Scene scene, std::vector<std::string> labels, RuleOptions options = {});
    ~RuleEngine();
    RuleEngine(RuleEngine&&) noexcept;
    RuleEngine& operator=(RuleEngine&&) noexcept;

    // One frame, in increasing frameIndex (gaps are fine), with the events AnalyticsEngine::update
    // returned for it. Returns the alerts fired on this frame.
    std::vector<Alert> update(const TrackedFrame& frame, const std::vector<Event>& events);
    // Forgets everything: members, episodes, arming, cooldowns (a seek, a reconnect).
    void reset();

    const Scene& scene() const;

private:
    struct State;
    Scene scene_;
    std::vector<std::string> labels_;
    RuleOptions options_;
    std::unique_ptr<State> state_;
};

// A whole tracked sequence: an AnalyticsEngine (default trackLostSeconds) and a RuleEngine fed
// every frame in order.
std::vector<Alert> evaluateRules(const Scene& scene, const std::vector<std::string>& labels,
                                 const std::vector<TrackedFrame>& frames,
                                 const RuleOptions& options = {});

// One alert as a line of events.jsonl (no trailing newline), keys in this order:
//   {"time", "frame", "pts", "source", "alert" (the rule's name), "kind", "severity", "target",
//    "start_frame", "start_pts", "start_time", "direction" ("A->B" | "B->A", line-cross only),
//    "count" (count-above only), "dwell" (loiter, class-present, zone-exit only),
//    "objects": [{"track_id", "class_id", "label", "box": [x1, y1, x2, y2]}], "message"}
// An alert line has "alert" where an analytics event line has "event".
std::string alertJsonLine(const Alert& alert, const std::string& source);

struct SourcedAlert {
    std::string source;
    Alert alert;
    bool operator==(const SourcedAlert&) const = default;
};
// The inverse of alertJsonLine. InvalidData naming the JSON pointer of a bad value
// ("analytics: alert line: /objects/0/box: expected [x1, y1, x2, y2] numbers").
Expected<SourcedAlert> parseAlertJsonLine(const std::string& line);

}  // namespace sl::analytics
