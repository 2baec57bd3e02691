// TrackAnalysis: tracks and analytics derived from stored detections, recomputed on a recording
// and appended live, with the same results.

#include <gtest/gtest.h>

#include "pipeline/track_analysis.h"
#include "pipeline/track_export.h"

namespace sl::pipeline {
namespace {

// Two people walking down through a line at y = 300 (one every frame, 10 fps): A from y = 200
// to 400 at x = 100, B from 400 up to 200 at x = 400.
std::vector<FrameDetections> walk(int frames) {
    std::vector<FrameDetections> out;
    for (int f = 0; f < frames; ++f) {
        FrameDetections fd;
        fd.frameIndex = f;
        fd.pts = f * 3600;
        fd.seconds = f * 0.1;
        const float ya = 200.0f + 10 * f, yb = 400.0f - 10 * f;
        vision::Detection a, b;
        a.score = 0.9f;
        a.box = {90, ya - 60, 110, ya};
        b.score = 0.8f;
        b.box = {390, yb - 60, 410, yb};
        fd.detections = {a, b};
        out.push_back(fd);
    }
    return out;
}

analytics::Scene gate(double y) {
    analytics::Scene s;
    analytics::Line l;
    l.name = "gate";
    l.a = {0, y};
    l.b = {640, y};
    s.lines.push_back(l);
    return s;
}

TEST(PipelineTrackAnalysis, RecomputeEqualsLiveAppend) {
    const auto frames = walk(21);
    TrackAnalysis offline({}, gate(300), {"person"});
    offline.recompute(frames);
    TrackAnalysis live({}, gate(300), {"person"});
    for (const auto& f : frames) live.append(f);
    EXPECT_EQ(offline.events(), live.events());
    ASSERT_EQ(offline.tracks().size(), 2u);
    EXPECT_EQ(live.tracks().size(), 2u);
    // A (id 1) goes from y 200 to 400: A->B (above to below) once at y = 310 (frame 11: 300 is
    // on the line); B (id 2) B->A once at frame 11.
    ASSERT_EQ(offline.events().size(), 2u);
    EXPECT_EQ(offline.events()[0].trackId, 1);
    EXPECT_EQ(offline.events()[0].direction, +1);
    EXPECT_EQ(offline.events()[0].frameIndex, 11);
    EXPECT_EQ(offline.events()[1].direction, -1);
    const auto& last = offline.counts().back();
    EXPECT_EQ(last.crossedAB.at("gate").at("person"), 1);
    EXPECT_EQ(last.crossedBA.at("gate").at("person"), 1);
}

TEST(PipelineTrackAnalysis, SceneEditReevaluatesWithoutTracking) {
    TrackAnalysis a({}, gate(300), {"person"});
    a.recompute(walk(21));
    const uint64_t v = a.version();
    // Move the line below where anyone goes: no crossing any more.
    a.setScene(gate(500));
    EXPECT_GT(a.version(), v);
    EXPECT_TRUE(a.events().empty());
    EXPECT_EQ(a.tracks().size(), 2u);
}

TEST(PipelineTrackAnalysis, TrailsBoxesAndSummaries) {
    TrackAnalysis a;
    a.recompute(walk(21));
    const auto trail = a.trail(1, 10, 4);
    ASSERT_EQ(trail.size(), 4u);   // frames 7..10, bottom centres
    for (size_t i = 0; i < trail.size(); ++i) {
        EXPECT_NEAR(trail[i].x, 100, 0.5);
        EXPECT_NEAR(trail[i].y, 200 + 10 * (7 + i), 1.0);
    }
    EXPECT_EQ(a.trail(1, 1, 10).size(), 2u);
    EXPECT_TRUE(a.trail(99, 10, 4).empty());
    EXPECT_EQ(a.trackBoxes(2).size(), 21u);
    const auto t = a.tracks();
    EXPECT_EQ(t[0].firstFrame, 0);
    EXPECT_EQ(t[0].lastFrame, 20);
    EXPECT_DOUBLE_EQ(t[0].durationSeconds(), 2.0);
    ASSERT_NE(a.at(5), nullptr);
    EXPECT_EQ(a.at(5)->size(), 2u);
    EXPECT_EQ(a.at(99), nullptr);
    // Heatmap over frames 0..20 peaks along the two paths; nothing at the far right.
    const auto map = a.heatmap(0, 20, 640, 480, 8, 6);
    const auto n = map.normalised();
    EXPECT_GT(n[static_cast<size_t>(300 / 8) * map.width() + 100 / 8], 0.3f);
    EXPECT_EQ(n[static_cast<size_t>(300 / 8) * map.width() + 600 / 8], 0.0f);
}

TEST(PipelineTrackAnalysis, TrackResultsWritesIdsBackAndMotText) {
    ResultsStore store({"person"});
    for (auto& f : walk(5)) store.put(f);
    TrackAnalysis a;
    const TrackingSummary s = trackResults(store, a);
    EXPECT_EQ(s.tracks, 2);
    const auto f3 = store.at(3);
    ASSERT_TRUE(f3);
    ASSERT_EQ(f3->trackIds.size(), 2u);
    EXPECT_EQ(f3->trackIds[0], 1);
    EXPECT_EQ(f3->trackIds[1], 2);
    EXPECT_NE(store.toJson({}).find("\"track_id\": 2"), std::string::npos);
    EXPECT_NE(store.toCsv().find(",track_id\n"), std::string::npos);
    // MOT rows: frame (1-based), id, x, y, w, h, score, -1, -1, -1.
    const std::string mot = motTracksText(a);
    EXPECT_EQ(mot.substr(0, mot.find('\n')), "1,1,90.00,140.00,20.00,60.00,0.900000,-1,-1,-1");
    EXPECT_EQ(std::count(mot.begin(), mot.end(), '\n'), 10);
}

TEST(PipelineTrackAnalysis, SeekBackRestartsLiveTracking) {
    TrackAnalysis a;
    const auto frames = walk(6);
    for (const auto& f : frames) a.append(f);
    EXPECT_EQ(a.tracks().size(), 2u);
    a.append(frames[0]);   // a seek back: a new sequence
    EXPECT_EQ(a.trackedFrames().size(), 1u);
    ASSERT_EQ(a.at(0)->size(), 2u);
    EXPECT_EQ(a.at(0)->front().trackId, 1);
}

}  // namespace
}  // namespace sl::pipeline
