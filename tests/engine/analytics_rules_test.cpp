// RuleEngine on synthetic tracked boxes whose alerts are derived by hand (comments) from the
// semantics in analytics/rule_engine.h, and the alert's JSON line.
//
// Frame times are multiples of 1/8 s so that every dwell, gap and cooldown comparison below is
// exact in binary floating point: an expectation on a boundary (dwell == seconds, gap ==
// tolerance, time == last alert + cooldown) tests the boundary, not rounding.

#include <gtest/gtest.h>

#include "analytics/analytics_engine.h"
#include "analytics/rule_engine.h"

namespace sl::analytics {
namespace {

// A box 20 x 40 whose bottom centre (the default anchor) is at (x, y).
track::TrackedObject at(int64_t id, double x, double y, int cls = 0) {
    track::TrackedObject o;
    o.trackId = id;
    o.classId = cls;
    o.score = 0.9f;
    o.box = {static_cast<float>(x - 10), static_cast<float>(y - 40), static_cast<float>(x + 10),
             static_cast<float>(y)};
    return o;
}

vision::Box boxAt(double x, double y) { return at(0, x, y).box; }

TrackedFrame frame(int64_t index, double seconds, std::vector<track::TrackedObject> objects) {
    return {index, index * 100, seconds, std::move(objects)};
}

// Zone "door": the square (100, 100) - (200, 200). Line "gate": (0, 100) -> (200, 100); image y
// is down, so the left of a->b (side A) is above (y < 100) and B below.
Scene scene(int hysteresis, double loiterSeconds = 0) {
    Scene s;
    Zone z;
    z.name = "door";
    z.polygon = {{100, 100}, {200, 100}, {200, 200}, {100, 200}};
    z.hysteresis = hysteresis;
    z.loiterSeconds = loiterSeconds;
    s.zones.push_back(z);
    Line l;
    l.name = "gate";
    l.a = {0, 100};
    l.b = {200, 100};
    s.lines.push_back(l);
    return s;
}

Rule rule(const std::string& name, RuleKind kind, const std::string& target,
          double cooldown = 0) {
    Rule r;
    r.name = name;
    r.kind = kind;
    r.target = target;
    r.cooldownSeconds = cooldown;
    return r;
}

// An AnalyticsEngine and a RuleEngine fed together, the way the header asks.
struct Feed {
    AnalyticsEngine analytics;
    RuleEngine rules;
    Feed(const Scene& s, const std::vector<std::string>& labels, RuleOptions o = {})
        : analytics(s, labels), rules(s, labels, o) {}
    std::vector<Alert> step(const TrackedFrame& f) { return rules.update(f, analytics.update(f)); }
    std::vector<Alert> all(const std::vector<TrackedFrame>& frames) {
        std::vector<Alert> out;
        for (const TrackedFrame& f : frames)
            for (Alert& a : step(f)) out.push_back(std::move(a));
        return out;
    }
    void reset() {
        analytics.reset();
        rules.reset();
    }
};

std::vector<int64_t> ids(const Alert& a) {
    std::vector<int64_t> out;
    for (const AlertObject& o : a.objects) out.push_back(o.trackId);
    return out;
}

TEST(AnalyticsRules, ZoneEnterAndExitFireOnTheConfirmingFrame) {
    Scene s = scene(2);
    Rule in = rule("in", RuleKind::ZoneEnter, "door");
    in.classes = {"person"};
    in.severity = "critical";
    s.rules = {in, rule("out", RuleKind::ZoneExit, "door")};
    Feed feed(s, {"person", "car"});
    // t = f / 4. Person 1 at y = 150 and car 2 at y = 160 walk the same x: outside (50) on 0-1,
    // inside (150) on 2-4, outside (250) on 5-7. Hysteresis 2: both enters are confirmed on
    // frame 3 and dated frame 2 (t 0.5); both exits confirmed on 6, dated 5 (t 1.25), dwell
    // 1.25 - 0.5 = 0.75. "in" takes people only: one alert on 3; "out" takes all: two on 6,
    // in event order (the frame's object order: 1, then 2).
    const double xs[] = {50, 50, 150, 150, 150, 250, 250, 250};
    std::vector<Alert> got[8];
    for (int f = 0; f < 8; ++f)
        got[f] = feed.step(frame(f, f / 4.0, {at(1, xs[f], 150, 0), at(2, xs[f], 160, 1)}));
    for (int f : {0, 1, 2, 4, 5, 7}) EXPECT_TRUE(got[f].empty()) << "frame " << f;
    ASSERT_EQ(got[3].size(), 1u);
    const Alert& a = got[3][0];
    EXPECT_EQ(a.rule, "in");
    EXPECT_EQ(a.kind, RuleKind::ZoneEnter);
    EXPECT_EQ(a.severity, "critical");
    EXPECT_EQ(a.target, "door");
    EXPECT_EQ(a.frameIndex, 3);
    EXPECT_EQ(a.pts, 300);
    EXPECT_EQ(a.seconds, 0.75);
    EXPECT_EQ(a.startFrame, 2);
    EXPECT_EQ(a.startPts, 200);
    EXPECT_EQ(a.startSeconds, 0.5);
    ASSERT_EQ(a.objects.size(), 1u);
    EXPECT_EQ(a.objects[0], (AlertObject{1, 0, "person", boxAt(150, 150)}));
    EXPECT_EQ(a.message, "in: person #1 entered door");

    ASSERT_EQ(got[6].size(), 2u);
    for (int k = 0; k < 2; ++k) {
        const Alert& e = got[6][k];
        EXPECT_EQ(e.rule, "out");
        EXPECT_EQ(e.severity, "warning");   // the Rule default
        EXPECT_EQ(e.frameIndex, 6);
        EXPECT_EQ(e.startFrame, 5);
        EXPECT_EQ(e.startSeconds, 1.25);
        EXPECT_EQ(e.dwellSeconds, 0.75);
        ASSERT_EQ(e.objects.size(), 1u);
        EXPECT_EQ(e.objects[0].trackId, k + 1);
    }
    EXPECT_EQ(got[6][0].objects[0].box, boxAt(250, 150));   // its box on frame 6
    EXPECT_EQ(got[6][1].objects[0].label, "car");
}

TEST(AnalyticsRules, LineCrossDirectionFilter) {
    Scene s = scene(1);
    Rule down = rule("down", RuleKind::LineCross, "gate");
    Rule up = rule("up", RuleKind::LineCross, "gate");
    down.direction = +1;
    up.direction = -1;
    s.rules = {down, up, rule("any", RuleKind::LineCross, "gate")};
    Feed feed(s, {"person"});
    // Track 1 walks down at x = 50 (y 80, 90, 110: from A to B on frame 2, +1); track 2 up at
    // x = 150 (y 120, 110, 90: B to A on frame 2, -1). Rule order, then event order: down #1,
    // up #2, any #1, any #2.
    const auto got = feed.all({frame(0, 0, {at(1, 50, 80), at(2, 150, 120)}),
                               frame(1, 0.125, {at(1, 50, 90), at(2, 150, 110)}),
                               frame(2, 0.25, {at(1, 50, 110), at(2, 150, 90)})});
    ASSERT_EQ(got.size(), 4u);
    const std::pair<const char*, int64_t> want[] = {{"down", 1}, {"up", 2}, {"any", 1}, {"any", 2}};
    for (size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(got[i].rule, want[i].first);
        EXPECT_EQ(got[i].frameIndex, 2);
        EXPECT_EQ(ids(got[i]), std::vector<int64_t>{want[i].second});
        EXPECT_EQ(got[i].direction, want[i].second == 1 ? +1 : -1);
        EXPECT_EQ(got[i].startFrame, 2);
    }
    EXPECT_EQ(got[0].message, "down: person #1 crossed gate A->B");
    EXPECT_EQ(got[1].message, "up: person #2 crossed gate B->A");
}

TEST(AnalyticsRules, CooldownIsPerTrackAndRearmsAtTheExactFrame) {
    Scene s = scene(1);
    s.rules = {rule("cross", RuleKind::LineCross, "gate", 1.0)};
    Feed feed(s, {"person"});
    // t = f / 4. Track 1 zig-zags over the line at x = 50 (y 90, 110, 90, ...): a crossing on
    // every frame 1..6. Alert on 1 (t 0.25); 2, 3, 4 (t 0.5 .. 1.0) are within 1 s of it and
    // dropped, and a dropped one does not extend the cooldown; 5 (t 1.25 = 0.25 + 1.0) fires;
    // 6 (t 1.5) is within 1 s of 5. Track 2 (x = 150, y 80, 80, 120, ...) crosses once on
    // frame 2, inside track 1's cooldown: a different person, an alert of its own.
    std::vector<Alert> got;
    for (int f = 0; f < 7; ++f) {
        const double y1 = f % 2 == 0 ? 90 : 110, y2 = f < 2 ? 80 : 120;
        for (Alert& a : feed.step(frame(f, f / 4.0, {at(1, 50, y1), at(2, 150, y2)})))
            got.push_back(std::move(a));
    }
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].frameIndex, 1);
    EXPECT_EQ(ids(got[0]), std::vector<int64_t>{1});
    EXPECT_EQ(got[1].frameIndex, 2);
    EXPECT_EQ(ids(got[1]), std::vector<int64_t>{2});
    EXPECT_EQ(got[2].frameIndex, 5);
    EXPECT_EQ(ids(got[2]), std::vector<int64_t>{1});
    EXPECT_EQ(got[2].direction, +1);   // 90 (A) -> 110 (B)
}

TEST(AnalyticsRules, LoiterFromTheZoneOrItsOwnSecondsOncePerVisit) {
    Scene s = scene(1, 2.0);
    Rule own = rule("long", RuleKind::Loiter, "door");
    Rule same = rule("same", RuleKind::Loiter, "door");
    own.seconds = 3.0;
    same.seconds = 2.0;
    s.rules = {rule("zone", RuleKind::Loiter, "door"), same, own};
    Feed feed(s, {"person"});
    // t = f / 2. Inside on 0-8 (hysteresis 1: entered on 0, t 0), outside on 9 (exit), inside
    // again on 10-16 (a new visit from t 5.0). "zone" (seconds 0) follows the zone's Loiter
    // events: dwell >= 2.0 at t 2.0 (frame 4) and 7.0 (14). "same" computes the same threshold
    // itself and must agree: 4 and 14. "long" (3.0): t 3.0 (6) and 8.0 (16). Once per visit:
    // nothing on the frames after those.
    std::vector<std::pair<int64_t, std::string>> got;
    std::vector<Alert> all;
    for (int f = 0; f <= 16; ++f)
        for (Alert& a : feed.step(frame(f, f / 2.0, {at(1, f == 9 ? 250 : 150, 150)}))) {
            got.emplace_back(a.frameIndex, a.rule);
            all.push_back(std::move(a));
        }
    const std::vector<std::pair<int64_t, std::string>> want = {
        {4, "zone"}, {4, "same"}, {6, "long"}, {14, "zone"}, {14, "same"}, {16, "long"}};
    ASSERT_EQ(got, want);
    const double dwell[] = {2, 2, 3, 2, 2, 3};
    const int64_t start[] = {0, 0, 0, 10, 10, 10};
    for (size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].dwellSeconds, dwell[i]) << i;
        EXPECT_EQ(all[i].startFrame, start[i]) << i;
        EXPECT_EQ(all[i].startSeconds, start[i] / 2.0) << i;
        EXPECT_EQ(all[i].seconds - all[i].startSeconds, dwell[i]) << i;
    }
    EXPECT_EQ(all[2].message, "long: person #1 in door for 3.0 s");
}

TEST(AnalyticsRules, ClassPresentAnywhereSurvivesShortGapsAndIdSwitches) {
    Scene s = scene(1);
    Rule present = rule("present", RuleKind::ClassPresent, "");
    present.classes = {"person"};
    present.seconds = 2.0;
    s.rules = {present};
    Feed feed(s, {"person", "car"});
    const auto car = at(9, 300, 300, 1);   // always there; not a person
    // Uneven frame times. P = a person on the frame. Episode 1 opens on 0 (t 0). Frames 2, 3
    // have no person, but the next person (4, t 1.5, a new track id 3) is 1.5 - 0.5 = 1.0 s
    // after the last one (1, t 0.5): at most the 1 s tolerance, the episode goes on. It fires
    // on 5 (t 2.0, dwell 2.0 >= 2.0), once. Frames 7, 8 have none and the next person (9, t 4.0)
    // comes 4.0 - 2.5 = 1.5 s after the last (6): episode 2 opens on 9; 10, 11, 12 are 1.0,
    // 0.875, 0.125 s apart; it fires on 12 (dwell 6.0 - 4.0 = 2.0). Then 13 (t 6.5) and 14
    // (t 8.0) with nothing in between: no frames is no evidence, a 1.5 s gap, episode 3 opens on
    // 14 and fires on 16 (t 10.0, dwell 2.0; 15 at t 9.0 keeps it within 1 s).
    struct F {
        double t;
        int person;   // track id, 0 = none
    };
    const F frames[] = {{0.0, 1},  {0.5, 1},  {0.75, 0}, {1.0, 0},   {1.5, 3}, {2.0, 3},
                        {2.5, 3},  {3.0, 0},  {3.75, 0}, {4.0, 3},   {5.0, 3}, {5.875, 3},
                        {6.0, 3},  {6.5, 3},  {8.0, 3},  {9.0, 3},   {10.0, 3}};
    std::vector<Alert> got;
    for (int f = 0; f < 17; ++f) {
        std::vector<track::TrackedObject> objs = {car};
        if (frames[f].person) objs.push_back(at(frames[f].person, 50 + 10 * f, 300, 0));
        for (Alert& a : feed.step(frame(f, frames[f].t, objs))) got.push_back(std::move(a));
    }
    ASSERT_EQ(got.size(), 3u);
    const int64_t fired[] = {5, 12, 16}, opened[] = {0, 9, 14};
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(got[i].frameIndex, fired[i]) << i;
        EXPECT_EQ(got[i].startFrame, opened[i]) << i;
        EXPECT_EQ(got[i].startSeconds, frames[opened[i]].t) << i;
        EXPECT_EQ(got[i].dwellSeconds, 2.0) << i;
        EXPECT_EQ(ids(got[i]), std::vector<int64_t>{3}) << i;   // the person only, not the car
        EXPECT_EQ(got[i].target, "");
    }
    EXPECT_EQ(got[0].objects[0].box, boxAt(50 + 10 * 5, 300));
    EXPECT_EQ(got[0].message, "present: person present for 2.0 s");
}

TEST(AnalyticsRules, ClassPresentInAZoneFromTheDatedEnterThroughAnOcclusion) {
    Scene s = scene(3);
    Rule present = rule("present", RuleKind::ClassPresent, "door");
    present.seconds = 1.0;
    s.rules = {present};
    Feed feed(s, {"person"});
    // t = f / 4. Outside on 0, inside from 1 (hysteresis 3: the enter is confirmed on 3 and
    // dated 1, t 0.25). The episode opens on 3 with start 0.25. On 5 (t 1.25) the tracker does
    // not report the track (occluded) but it is still inside (lost only after 2 s): present,
    // dwell 1.25 - 0.25 = 1.0: fires, with the box last seen (frame 4, x = 160).
    const std::vector<TrackedFrame> frames = {
        frame(0, 0.0, {at(1, 50, 150)}),   frame(1, 0.25, {at(1, 150, 150)}),
        frame(2, 0.5, {at(1, 150, 150)}),  frame(3, 0.75, {at(1, 150, 150)}),
        frame(4, 1.0, {at(1, 160, 150)}),  frame(5, 1.25, {}),
        frame(6, 1.5, {at(1, 160, 150)})};
    const auto got = feed.all(frames);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].frameIndex, 5);
    EXPECT_EQ(got[0].startFrame, 1);
    EXPECT_EQ(got[0].startPts, 100);
    EXPECT_EQ(got[0].startSeconds, 0.25);
    EXPECT_EQ(got[0].dwellSeconds, 1.0);
    ASSERT_EQ(got[0].objects.size(), 1u);
    EXPECT_EQ(got[0].objects[0], (AlertObject{1, 0, "person", boxAt(160, 150)}));
    EXPECT_EQ(got[0].message, "present: person present in door for 1.0 s");
}

TEST(AnalyticsRules, CountAboveOnTheRisingEdgeInAZoneAndInTheFrame) {
    Scene s = scene(1);
    Rule door = rule("door-full", RuleKind::CountAbove, "door");
    Rule crowd = rule("crowd", RuleKind::CountAbove, "");
    door.count = 2;
    crowd.count = 3;
    s.rules = {door, crowd};
    Feed feed(s, {"person"});
    const auto in = [](int64_t id) { return at(id, 110 + 15 * id, 150); };
    const auto out = [](int64_t id) { return at(id, 250 + 10 * id, 150); };
    // Hysteresis 1: inside = on the frame inside. "door-full" wants N > 2, "crowd" (the whole
    // frame) N > 3.
    //   frame  in zone    in frame   door-full                 crowd
    //   0      1 2        2          2: no                     2: no
    //   1      1 2 3      3          3 > 2: fires              3: no
    //   2      1 2 3 4    4          4: disarmed               4 > 3: fires
    //   3      1 2        4          2 <= 2: re-arms           4: disarmed
    //   4      1 2 3      3          3: fires                  3 <= 3: re-arms
    //   5      1 2 3      5          3: disarmed               5: fires
    const auto got = feed.all({frame(0, 0.0, {in(1), in(2)}),
                               frame(1, 0.5, {in(1), in(2), in(3)}),
                               frame(2, 1.0, {in(1), in(2), in(3), in(4)}),
                               frame(3, 1.5, {in(1), in(2), out(3), out(4)}),
                               frame(4, 2.0, {in(1), in(2), in(3)}),
                               frame(5, 2.5, {in(1), in(2), in(3), out(4), out(5)})});
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0].rule, "door-full");
    EXPECT_EQ(got[0].frameIndex, 1);
    EXPECT_EQ(got[0].count, 3);
    EXPECT_EQ(ids(got[0]), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(got[0].objects[2].box, in(3).box);
    EXPECT_EQ(got[0].message, "door-full: 3 objects in door, more than 2");
    EXPECT_EQ(got[1].rule, "crowd");
    EXPECT_EQ(got[1].frameIndex, 2);
    EXPECT_EQ(got[1].count, 4);
    EXPECT_EQ(got[1].message, "crowd: 4 objects in view, more than 3");
    EXPECT_EQ(got[2].rule, "door-full");
    EXPECT_EQ(got[2].frameIndex, 4);
    EXPECT_EQ(got[2].count, 3);
    EXPECT_EQ(got[3].rule, "crowd");
    EXPECT_EQ(got[3].frameIndex, 5);
    EXPECT_EQ(got[3].count, 5);
    EXPECT_EQ(ids(got[3]), (std::vector<int64_t>{1, 2, 3, 4, 5}));
}

TEST(AnalyticsRules, ConditionCooldownHoldsTheAlertUntilItEnds) {
    Scene s = scene(1);
    Rule any = rule("occupied", RuleKind::CountAbove, "door", 2.0);   // count 0: any one
    s.rules = {any};
    Feed feed(s, {"person"});
    // t = f / 2. Inside on 0: fires (t 0). Outside on 1: re-armed. Inside again from 2 on: armed,
    // but 1.0 and 1.5 are within the 2 s cooldown: held. On 4 (t 2.0 = 0 + 2.0) it still holds:
    // fires. 5, 6: disarmed.
    std::vector<int64_t> fired;
    for (int f = 0; f < 7; ++f)
        for (const Alert& a : feed.step(frame(f, f / 2.0, {at(1, f == 1 ? 250 : 150, 150)})))
            fired.push_back(a.frameIndex);
    EXPECT_EQ(fired, (std::vector<int64_t>{0, 4}));
}

TEST(AnalyticsRules, DwellFromPtsAtVariableFrameRateAndSkippedFrames) {
    Scene s = scene(1);
    Rule linger = rule("linger", RuleKind::Loiter, "door");
    linger.seconds = 1.0;
    s.rules = {linger};
    Feed feed(s, {"person"});
    // Frame indices with gaps (frames not analysed) and uneven times: only the times count.
    // Track 1 enters at t 0 and reaches 1.0 on index 20 (t 1.0). Track 2 enters at index 7
    // (t 0.625): needs t >= 1.625; index 21 (t 1.5) is short, index 40 (t 2.0, dwell 1.375)
    // fires. At "30 fps" frame counting neither would have fired by index 40.
    const auto both = [](double x) {
        return std::vector<track::TrackedObject>{at(1, x, 150), at(2, x + 20, 150)};
    };
    const auto got = feed.all({frame(0, 0.0, {at(1, 150, 150)}), frame(1, 0.125, {at(1, 150, 150)}),
                               frame(7, 0.625, both(150)), frame(8, 0.9375, both(150)),
                               frame(20, 1.0, both(150)), frame(21, 1.5, both(150)),
                               frame(40, 2.0, both(150))});
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].frameIndex, 20);
    EXPECT_EQ(ids(got[0]), std::vector<int64_t>{1});
    EXPECT_EQ(got[0].dwellSeconds, 1.0);
    EXPECT_EQ(got[1].frameIndex, 40);
    EXPECT_EQ(ids(got[1]), std::vector<int64_t>{2});
    EXPECT_EQ(got[1].startFrame, 7);
    EXPECT_EQ(got[1].dwellSeconds, 1.375);
}

TEST(AnalyticsRules, ResetForgetsCooldownsAndMembers) {
    Scene s = scene(1);
    s.rules = {rule("occupied", RuleKind::CountAbove, "door", 100)};
    Feed feed(s, {"person"});
    // Fires on frame 0; a seek back resets both engines: the same frame fires again (no
    // cooldown left, armed). After another reset an empty frame has nobody inside (the member
    // from before is forgotten), and the next occupied frame fires.
    EXPECT_EQ(feed.step(frame(0, 0, {at(1, 150, 150)})).size(), 1u);
    EXPECT_EQ(feed.step(frame(1, 0.5, {at(1, 150, 150)})).size(), 0u);
    feed.reset();
    EXPECT_EQ(feed.step(frame(0, 0, {at(1, 150, 150)})).size(), 1u);
    feed.reset();
    EXPECT_EQ(feed.step(frame(5, 2.5, {})).size(), 0u);
    EXPECT_EQ(feed.step(frame(6, 3.0, {at(4, 150, 150)})).size(), 1u);
}

TEST(AnalyticsRules, CountAboveWithoutATargetIsAValidSceneFile) {
    auto s = parseSceneJson(R"({"version": 1, "rules": [
        {"name": "crowd", "kind": "count-above", "count": 10},
        {"name": "anyone", "kind": "class-present", "classes": ["person"], "seconds": 3}]})",
                            "z.json");
    ASSERT_TRUE(s) << s.status().message();
    EXPECT_EQ(s->rules[0].target, "");
    auto bad = parseSceneJson(
        R"({"version": 1, "rules": [{"name": "in", "kind": "zone-enter"}]})", "z.json");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.status().message().find("/rules/0/target: missing"), std::string::npos)
        << bad.status().message();
}

TEST(AnalyticsRules, JsonLineHasTheDocumentedKeysInOrder) {
    Alert a;
    a.rule = "in";
    a.kind = RuleKind::LineCross;
    a.severity = "critical";
    a.target = "gate";
    a.frameIndex = a.startFrame = 3;
    a.pts = a.startPts = 300;
    a.seconds = a.startSeconds = 0.75;
    a.objects = {{7, 0, "person", {40, 70, 60, 110.5f}}};
    a.direction = -1;
    a.message = "in: person #7 crossed gate B->A";
    EXPECT_EQ(alertJsonLine(a, "cam 1"),
              R"({"time":0.75,"frame":3,"pts":300,"source":"cam 1","alert":"in",)"
              R"("kind":"line-cross","severity":"critical","target":"gate","start_frame":3,)"
              R"("start_pts":300,"start_time":0.75,"direction":"B->A","objects":[{"track_id":7,)"
              R"("class_id":0,"label":"person","box":[40.0,70.0,60.0,110.5]}],)"
              R"("message":"in: person #7 crossed gate B->A"})");
    auto back = parseAlertJsonLine(alertJsonLine(a, "cam 1"));
    ASSERT_TRUE(back) << back.status().message();
    EXPECT_EQ(*back, (SourcedAlert{"cam 1", a}));
}

TEST(AnalyticsRules, JsonLinesRoundTripEveryKind) {
    Scene s = scene(1, 1.0);
    Rule present = rule("present", RuleKind::ClassPresent, "");
    present.seconds = 0.5;
    s.rules = {rule("cross", RuleKind::LineCross, "gate"),
               rule("full", RuleKind::CountAbove, "door"), rule("linger", RuleKind::Loiter, "door"),
               present, rule("out", RuleKind::ZoneExit, "door")};
    // t = f / 2, x = 150: y 80 (above the line, outside), 120 (crosses A->B and enters: cross,
    // full; present since t 0 for 0.5 s), 150, 160 (dwell 1.0: linger), then x = 250 (exit,
    // dwell 2.0 - 0.5 = 1.5: out).
    const std::vector<TrackedFrame> frames = {
        frame(0, 0.0, {at(1, 150, 80)}), frame(1, 0.5, {at(1, 150, 120)}),
        frame(2, 1.0, {at(1, 150, 150)}), frame(3, 1.5, {at(1, 150, 160)}),
        frame(4, 2.0, {at(1, 250, 160)})};
    const auto alerts = evaluateRules(s, {"person"}, frames);
    std::vector<std::pair<int64_t, std::string>> got;
    for (const Alert& a : alerts) got.emplace_back(a.frameIndex, a.rule);
    const std::vector<std::pair<int64_t, std::string>> want = {
        {1, "cross"}, {1, "full"}, {1, "present"}, {3, "linger"}, {4, "out"}};
    ASSERT_EQ(got, want);
    EXPECT_EQ(alerts[4].dwellSeconds, 1.5);
    for (const Alert& a : alerts) {
        const std::string line = alertJsonLine(a, "lobby \"east\"");
        EXPECT_EQ(line.find('\n'), std::string::npos);
        auto back = parseAlertJsonLine(line);
        ASSERT_TRUE(back) << back.status().message() << "\n" << line;
        EXPECT_EQ(back->source, "lobby \"east\"");
        EXPECT_EQ(back->alert, a) << line;
    }
}

TEST(AnalyticsRules, MalformedJsonLinesNameThePointer) {
    const std::pair<const char*, const char*> cases[] = {
        {"{\"time\": 1", "not valid JSON"},
        {"[1]", "/: expected an object"},
        {R"({"time": 1, "frame": 2, "pts": 3})", "/source: missing"},
        {R"({"time": 1, "frame": 2, "pts": 3, "source": "s", "alert": "a", "kind": "boom"})",
         "/kind: unknown rule kind 'boom'"},
        {R"({"time": 1, "frame": 2.5, "pts": 3})", "/frame: expected an integer"},
        {R"({"time": 1, "frame": 2, "pts": 3, "source": "s", "alert": "a", "kind": "line-cross",
             "severity": "info", "target": "g", "start_frame": 2, "start_pts": 3,
             "start_time": 1, "direction": "up"})",
         "/direction: expected \"A->B\" or \"B->A\""},
        {R"({"time": 1, "frame": 2, "pts": 3, "source": "s", "alert": "a", "kind": "zone-enter",
             "severity": "info", "target": "g", "start_frame": 2, "start_pts": 3,
             "start_time": 1, "objects": [{"track_id": 1, "class_id": 0, "label": "p",
             "box": [1, 2, 3]}], "message": ""})",
         "/objects/0/box: expected [x1, y1, x2, y2] numbers"},
    };
    for (const auto& [line, expected] : cases) {
        auto a = parseAlertJsonLine(line);
        ASSERT_FALSE(a) << line;
        EXPECT_EQ(a.status().code(), StatusCode::InvalidData);
        const std::string m = a.status().message();
        EXPECT_EQ(m.rfind("analytics: alert line: ", 0), 0u) << m;
        EXPECT_NE(m.find(expected), std::string::npos) << "got: " << m;
    }
}

}  // namespace
}  // namespace sl::analytics
