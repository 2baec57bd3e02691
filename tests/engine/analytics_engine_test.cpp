// AnalyticsEngine on generated trajectories whose answers are derived by hand (comments), and
// the heatmap against an independent numpy computation.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include "analytics/analytics_engine.h"
#include "analytics/heatmap.h"
#include "support/video_generator.h"

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

TrackedFrame frame(int64_t index, double seconds, std::vector<track::TrackedObject> objects) {
    return {index, index * 100, seconds, std::move(objects)};
}

Scene lineScene() {
    // Horizontal line from (0, 100) to (200, 100), a -> b pointing right. Image y is down, so
    // the left of a->b is y < 100 (above): A is above, B below.
    Scene s;
    Line l;
    l.name = "gate";
    l.a = {0, 100};
    l.b = {200, 100};
    s.lines.push_back(l);
    return s;
}

std::vector<Event> run(AnalyticsEngine& e, const std::vector<TrackedFrame>& frames) {
    std::vector<Event> all;
    for (const auto& f : frames)
        for (auto& ev : e.update(f)) all.push_back(ev);
    return all;
}

TEST(AnalyticsLines, CrossingsInBothDirections) {
    AnalyticsEngine e(lineScene(), {"person"});
    // Track 1 walks down 80 -> 120 (A->B at the frame it reaches 110), track 2 up 120 -> 80.
    std::vector<TrackedFrame> frames;
    for (int f = 0; f < 5; ++f)
        frames.push_back(frame(f, f * 0.1, {at(1, 50, 80 + 10.0 * f), at(2, 150, 120 - 10.0 * f)}));
    const auto ev = run(e, frames);
    ASSERT_EQ(ev.size(), 2u);
    // y = 80, 90, 100 (on the line: no side), 110 (B): crossed at frame 3. Same for track 2.
    EXPECT_EQ(ev[0].trackId, 1);
    EXPECT_EQ(ev[0].direction, +1);
    EXPECT_EQ(ev[0].frameIndex, 3);
    EXPECT_EQ(ev[0].label, "person");
    EXPECT_EQ(ev[1].trackId, 2);
    EXPECT_EQ(ev[1].direction, -1);
    EXPECT_EQ(ev[1].frameIndex, 3);
    EXPECT_EQ(e.counts().crossedAB.at("gate").at("person"), 1);
    EXPECT_EQ(e.counts().crossedBA.at("gate").at("person"), 1);
}

TEST(AnalyticsLines, TouchingOrOnTheLineIsNoCrossing) {
    AnalyticsEngine e(lineScene(), {});
    // Down to the line and back up: 90, 100, 100, 90: never strictly below.
    const auto ev = run(e, {frame(0, 0, {at(1, 50, 90)}), frame(1, 0.1, {at(1, 50, 100)}),
                            frame(2, 0.2, {at(1, 50, 100)}), frame(3, 0.3, {at(1, 50, 90)})});
    EXPECT_TRUE(ev.empty());
}

TEST(AnalyticsLines, ZigZagCountsEachRealCrossingOnce) {
    AnalyticsEngine e(lineScene(), {});
    // 95 (A), 100 (on), 105 (B: A->B), 100 (on), 100 (on), 106 (B: same side, nothing),
    // 94 (A: B->A), 100, 94 (A: nothing), 101 (B: A->B). Three crossings: +1, -1, +1.
    const double ys[] = {95, 100, 105, 100, 100, 106, 94, 100, 94, 101};
    std::vector<TrackedFrame> frames;
    for (int f = 0; f < 10; ++f) frames.push_back(frame(f, f * 0.04, {at(7, 60, ys[f])}));
    const auto ev = run(e, frames);
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[0].direction, +1);
    EXPECT_EQ(ev[0].frameIndex, 2);
    EXPECT_EQ(ev[1].direction, -1);
    EXPECT_EQ(ev[1].frameIndex, 6);
    EXPECT_EQ(ev[2].direction, +1);
    EXPECT_EQ(ev[2].frameIndex, 9);
}

TEST(AnalyticsLines, PassingBeyondTheEndPointsIsNoCrossing) {
    AnalyticsEngine e(lineScene(), {});
    // x = 250 is right of b = (200, 100): crossing the line's extension does not count; at
    // x = 200 exactly the path goes through the end point, which does.
    const auto ev = run(e, {frame(0, 0, {at(1, 250, 80), at(2, 200, 80)}),
                            frame(1, 0.1, {at(1, 250, 120), at(2, 200, 120)})});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].trackId, 2);
}

TEST(AnalyticsLines, ClassFilter) {
    Scene s = lineScene();
    s.lines[0].classes = {"car"};
    AnalyticsEngine e(s, {"person", "car"});
    const auto ev = run(e, {frame(0, 0, {at(1, 50, 80, 0), at(2, 70, 80, 1)}),
                            frame(1, 0.1, {at(1, 50, 120, 0), at(2, 70, 120, 1)})});
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].trackId, 2);
    EXPECT_EQ(ev[0].label, "car");
}

Scene zoneScene(int hysteresis, double loiter = 0) {
    Scene s;
    Zone z;
    z.name = "square";
    z.polygon = {{100, 100}, {200, 100}, {200, 200}, {100, 200}};
    z.hysteresis = hysteresis;
    z.loiterSeconds = loiter;
    s.zones.push_back(z);
    return s;
}

TEST(AnalyticsZones, HysteresisAndDwellFromPtsAtVariableFrameRate) {
    AnalyticsEngine e(zoneScene(3), {"person"});
    // Irregular frame times (VFR): the dwell must come from these, not from a frame rate.
    const double t[] = {0.0, 0.05, 0.3, 0.31, 0.9, 1.0, 1.7, 1.75, 2.6, 2.61, 3.0, 3.5};
    // Outside, outside, then inside from frame 2 on (with one frame back outside at 5, shorter
    // than the hysteresis: no exit), outside from frame 8 on.
    const double xs[] = {50, 50, 150, 150, 150, 50, 150, 150, 250, 250, 250, 250};
    std::vector<TrackedFrame> frames;
    for (int f = 0; f < 12; ++f) frames.push_back(frame(f, t[f], {at(1, xs[f], 150)}));
    std::vector<Event> ev;
    for (const auto& f : frames) {
        const auto got = e.update(f);
        // The enter is confirmed by the third inside frame (4) and dated at the first (2).
        if (f.frameIndex == 4) {
            ASSERT_EQ(got.size(), 1u);
            EXPECT_EQ(got[0].kind, EventKind::ZoneEnter);
        }
        ev.insert(ev.end(), got.begin(), got.end());
    }
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].frameIndex, 2);
    EXPECT_DOUBLE_EQ(ev[0].seconds, 0.3);
    EXPECT_EQ(ev[1].kind, EventKind::ZoneExit);
    EXPECT_EQ(ev[1].frameIndex, 8);   // confirmed at 10, dated at the first outside frame
    EXPECT_DOUBLE_EQ(ev[1].seconds, 2.6);
    EXPECT_DOUBLE_EQ(ev[1].dwellSeconds, 2.6 - 0.3);
    const auto visits = e.visits();
    ASSERT_EQ(visits.size(), 1u);
    EXPECT_EQ(visits[0].enterFrame, 2);
    EXPECT_EQ(visits[0].exitFrame, 8);
    EXPECT_DOUBLE_EQ(visits[0].dwellSeconds(), 2.3);
    EXPECT_EQ(e.counts().entered.at("square").at("person"), 1);
    EXPECT_EQ(e.counts().inside.at("square").at("person"), 0);
}

TEST(AnalyticsZones, LoiterOncePerVisitAndLostTrackLeaves) {
    AnalyticsEngine e(zoneScene(1, 2.0), {}, 2.0);
    std::vector<Event> ev;
    // Inside from t = 0 (hysteresis 1: entered at once), seen every 0.5 s until t = 3.0: loiter
    // at the first observation with dwell >= 2.0 (t = 2.0), once. Then gone; at t = 5.5 (more
    // than 2 s after 3.0) it leaves the zone dated at its last sighting, 3.0.
    for (int f = 0; f <= 6; ++f)
        for (auto& x : e.update(frame(f, f * 0.5, {at(4, 150, 150)}))) ev.push_back(x);
    for (auto& x : e.update(frame(7, 4.0, {}))) ev.push_back(x);
    EXPECT_EQ(ev.size(), 2u);
    for (auto& x : e.update(frame(8, 5.5, {}))) ev.push_back(x);
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[0].kind, EventKind::ZoneEnter);
    EXPECT_EQ(ev[1].kind, EventKind::Loiter);
    EXPECT_DOUBLE_EQ(ev[1].seconds, 2.0);
    EXPECT_DOUBLE_EQ(ev[1].dwellSeconds, 2.0);
    EXPECT_EQ(ev[2].kind, EventKind::ZoneExit);
    EXPECT_EQ(ev[2].frameIndex, 6);
    EXPECT_DOUBLE_EQ(ev[2].dwellSeconds, 3.0);
}

TEST(AnalyticsZones, NonConvexPolygonAndEdges) {
    Scene s;
    Zone z;   // an L shape: the notch (150..200, 100..150) is outside
    z.name = "L";
    z.polygon = {{100, 100}, {150, 100}, {150, 150}, {200, 150}, {200, 200}, {100, 200}};
    z.hysteresis = 1;
    s.zones.push_back(z);
    AnalyticsEngine e(s, {});
    const auto ev = run(e, {frame(0, 0, {at(1, 175, 125), at(2, 175, 175), at(3, 100, 150)})});
    // 1 in the notch: outside; 2 in the foot: inside; 3 on the left edge: inside.
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].trackId, 2);
    EXPECT_EQ(ev[1].trackId, 3);
}

TEST(AnalyticsSequence, SameAsIncremental) {
    Scene s = zoneScene(2, 1.0);
    s.lines = lineScene().lines;
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> step(-12, 12);
    std::vector<TrackedFrame> frames;
    double x[5] = {20, 60, 120, 160, 180}, y[5] = {40, 90, 130, 160, 190}, t = 0;
    for (int f = 0; f < 300; ++f) {
        t += 0.02 + 0.05 * (f % 3);
        std::vector<track::TrackedObject> objs;
        for (int k = 0; k < 5; ++k) {
            x[k] += step(rng), y[k] += step(rng);
            if (f % 17 != k) objs.push_back(at(k + 1, x[k], y[k], k % 2));
        }
        frames.push_back(frame(f, t, objs));
    }
    const SequenceResult r = analyseSequence(s, {"a", "b"}, frames);
    AnalyticsEngine e(s, {"a", "b"});
    std::vector<Event> ev;
    for (const auto& f : frames) {
        const auto got = e.update(f);
        ev.insert(ev.end(), got.begin(), got.end());
    }
    EXPECT_EQ(r.events, ev);
    EXPECT_GT(ev.size(), 5u) << "the random walk should cross something";
    ASSERT_EQ(r.counts.size(), frames.size());
    EXPECT_EQ(r.counts.back().crossedAB, e.counts().crossedAB);
    // Counts over time are running totals: never decrease.
    int64_t prev = 0;
    for (const auto& c : r.counts) {
        int64_t n = 0;
        for (const auto& [line, m] : c.crossedAB)
            for (const auto& [lab, k] : m) n += k;
        EXPECT_GE(n, prev);
        prev = n;
    }
}

TEST(AnalyticsHeatmap, EqualsIndependentNumpy) {
    sl::testing::TempDir dir("heatmap");
    const int w = 197, h = 101, cell = 4;
    const double sigma = 6.5;
    Heatmap map(w, h, cell, sigma);
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> ux(-10, w + 10), uy(-10, h + 10);
    std::ofstream pts(dir.file("points.txt"));
    for (int i = 0; i < 300; ++i) {
        const Point p{ux(rng), uy(rng)};
        map.add(p);
        char line[64];
        std::snprintf(line, sizeof line, "%.17g %.17g\n", p.x, p.y);
        pts << line;
    }
    pts.close();
    // numpy: every cell centre against every point, Gaussian within 3 sigma, max-normalised.
    const std::string script =
        "import numpy as np,sys\n"
        "p=np.loadtxt(sys.argv[1]).reshape(-1,2)\n"
        "W,H,c,s=" + std::to_string(w) + "," + std::to_string(h) + "," + std::to_string(cell) +
        "," + std::to_string(sigma) + "\n"
        "gw,gh=-(-W//c),-(-H//c)\n"
        "cx=(np.arange(gw)+0.5)*c; cy=(np.arange(gh)+0.5)*c\n"
        "X,Y=np.meshgrid(cx,cy)\n"
        "g=np.zeros((gh,gw))\n"
        "for x,y in p:\n"
        "  d2=(X-x)**2+(Y-y)**2\n"
        "  g+=np.where(d2<=(3*s)**2,np.exp(-d2/(2*s*s)),0)\n"
        "g/=g.max()\n"
        "print(gw,gh)\n"
        "np.savetxt(sys.stdout,g.reshape(-1),fmt='%.12e')\n";
    std::ofstream(dir.file("heat.py")) << script;
    const std::string python =
        std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const std::string cmd = python + " " + dir.file("heat.py").string() + " " +
                            dir.file("points.txt").string();
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    int gw = 0, gh = 0;
    ASSERT_EQ(std::fscanf(p, "%d %d", &gw, &gh), 2) << "python3-numpy missing?";
    ASSERT_EQ(gw, map.width());
    ASSERT_EQ(gh, map.height());
    const auto mine = map.normalised();
    double worst = 0, v = 0;
    for (size_t i = 0; i < mine.size() && std::fscanf(p, "%lf", &v) == 1; ++i)
        worst = std::max(worst, std::abs(v - mine[i]));
    EXPECT_EQ(::pclose(p), 0);
    EXPECT_LT(worst, 1e-6);
    // Nothing added: all zeros, not NaN.
    Heatmap empty(10, 10);
    for (float x : empty.normalised()) EXPECT_EQ(x, 0.0f);
}

}  // namespace
}  // namespace sl::analytics
