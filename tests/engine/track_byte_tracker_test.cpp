// ByteTracker: parity with ByteTrack's official ncnn deployment on ../shared/testdata/tracking
// (preset ncnn), and the reference preset on hand-derived scenarios.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "track/byte_tracker.h"
#include "track/linear_assignment.h"

namespace fs = std::filesystem;
using sl::track::ByteTracker;
using sl::track::Preset;
using sl::track::TrackedObject;
using sl::track::TrackerParams;
using sl::vision::Detection;

namespace {

struct PalaceBox {
    int64_t id = 0;   // track id (tracks file) or 0
    float score = 0;
    float x = 0, y = 0, w = 0, h = 0;
};

// frame -> boxes, from the ByteTrack-cpp JSON (every value a string).
std::map<int, std::vector<PalaceBox>> loadPalace(const fs::path& path, bool tracks) {
    std::ifstream in(path);
    EXPECT_TRUE(in) << "missing test data " << path;
    nlohmann::json j = nlohmann::json::parse(in);
    std::map<int, std::vector<PalaceBox>> frames;
    for (const auto& r : j.at("results")) {
        PalaceBox b;
        if (tracks) b.id = std::stoll(r.at("track_id").get<std::string>());
        else b.score = std::stof(r.at("prob").get<std::string>());
        b.x = std::stof(r.at("x").get<std::string>());
        b.y = std::stof(r.at("y").get<std::string>());
        b.w = std::stof(r.at("width").get<std::string>());
        b.h = std::stof(r.at("height").get<std::string>());
        frames[std::stoi(r.at("frame_id").get<std::string>())].push_back(b);
    }
    return frames;
}

Detection det(float x1, float y1, float w, float h, float score, int cls = 0) {
    Detection d;
    d.classId = cls;
    d.score = score;
    d.box = {x1, y1, x1 + w, y1 + h};
    return d;
}

const TrackedObject* find(const std::vector<TrackedObject>& v, int64_t id) {
    for (const auto& o : v)
        if (o.trackId == id) return &o;
    return nullptr;
}

}  // namespace

TEST(TrackByteTracker, NcnnParityOnPalace) {
    const fs::path dir = fs::path(SL_SHARED_DIR) / "testdata" / "tracking";
    const auto dets = loadPalace(dir / "palace_detections.json", false);
    const auto expected = loadPalace(dir / "palace_tracks.json", true);
    ASSERT_EQ(dets.size(), 314u);
    TrackerParams p = TrackerParams::forPreset(Preset::Ncnn);
    p.fps = 30;
    p.trackBuffer = 30;
    ByteTracker tracker(p);
    double worst = 0;
    size_t compared = 0;
    for (int f = 0; f <= dets.rbegin()->first; ++f) {
        std::vector<Detection> in;
        if (auto it = dets.find(f); it != dets.end())
            for (const auto& b : it->second) in.push_back(det(b.x, b.y, b.w, b.h, b.score));
        const auto out = tracker.update(in);
        const auto it = expected.find(f);
        const size_t want = it == expected.end() ? 0 : it->second.size();
        ASSERT_EQ(out.size(), want) << "frame " << f;
        if (want == 0) continue;
        for (const auto& e : it->second) {
            const TrackedObject* o = find(out, e.id);
            ASSERT_NE(o, nullptr) << "frame " << f << ": track " << e.id << " missing";
            const double d = std::max({std::abs(o->box.x1 - e.x), std::abs(o->box.y1 - e.y),
                                       std::abs(o->box.width() - e.w),
                                       std::abs(o->box.height() - e.h)});
            worst = std::max(worst, d);
            EXPECT_LE(d, 0.01) << "frame " << f << " track " << e.id;
            ++compared;
        }
    }
    EXPECT_EQ(compared, 6008u);
    std::printf("palace: %zu boxes compared, max deviation %.6f px\n", compared, worst);
}

TEST(TrackByteTracker, SameInputsSameIds) {
    const fs::path dir = fs::path(SL_SHARED_DIR) / "testdata" / "tracking";
    const auto dets = loadPalace(dir / "palace_detections.json", false);
    for (Preset preset : {Preset::Reference, Preset::Ncnn}) {
        ByteTracker a(TrackerParams::forPreset(preset)), b(TrackerParams::forPreset(preset));
        for (int round = 0; round < 2; ++round) {
            for (const auto& [f, boxes] : dets) {
                std::vector<Detection> in;
                for (const auto& x : boxes) in.push_back(det(x.x, x.y, x.w, x.h, x.score));
                const auto oa = a.update(in), ob = b.update(in);
                ASSERT_EQ(oa.size(), ob.size());
                for (size_t i = 0; i < oa.size(); ++i) ASSERT_EQ(oa[i].trackId, ob[i].trackId);
            }
            a.reset();   // ids start at 1 again: the second round must match a fresh tracker
            b = ByteTracker(TrackerParams::forPreset(preset));
        }
    }
}

// Reference preset. One stationary box (100, 100, 50 x 100); the tracker frame numbers below
// are 1-based like the official frame_id.
TEST(TrackByteTracker, LowScoreBoxKeepsOccludedTrack) {
    ByteTracker t;   // reference, track_thresh 0.5
    // Frames 1-5: score 0.9, moving +4 px per frame. Frames 6-8 (occluded): score 0.3, which is
    // in (0.1, 0.5): only the second association sees it, against the still-tracked track.
    int64_t id = 0;
    for (int f = 1; f <= 12; ++f) {
        const float score = (f >= 6 && f <= 8) ? 0.3f : 0.9f;
        const auto out = t.update({det(100.0f + 4 * f, 100, 50, 100, score)});
        ASSERT_EQ(out.size(), 1u) << "frame " << f;
        if (f == 1) id = out[0].trackId;
        EXPECT_EQ(out[0].trackId, id) << "frame " << f;
        EXPECT_FLOAT_EQ(out[0].score, score);
        EXPECT_EQ(out[0].detectionIndex, 0);
    }
    EXPECT_EQ(id, 1);
}

TEST(TrackByteTracker, LostLongerThanBufferGetsNewId) {
    // fps 30, buffer 30: max_time_lost = 30. Seen on frames 1-5 (end_frame 5). Step 5 removes it
    // at the first frame f with f - 5 > 30, f = 36, after that frame's association; it stays in
    // the lost list through frame 37's association (the official lists drop it at the end of
    // 37). So a return at 36 or 37 keeps id 1; a return at 38 starts id 2, unconfirmed on 38
    // (not reported) and reported from 39.
    for (int back : {20, 36, 37, 38}) {
        ByteTracker t;
        for (int f = 1; f <= 5; ++f) ASSERT_EQ(t.update({det(100, 100, 50, 100, 0.9f)}).size(), 1u);
        for (int f = 6; f < back; ++f) ASSERT_TRUE(t.update({}).empty()) << "frame " << f;
        const auto first = t.update({det(100, 100, 50, 100, 0.9f)});
        const auto second = t.update({det(100, 100, 50, 100, 0.9f)});
        if (back <= 37) {
            ASSERT_EQ(first.size(), 1u) << "back at " << back;
            EXPECT_EQ(first[0].trackId, 1) << "back at " << back;
        } else {
            EXPECT_TRUE(first.empty()) << "a new track is unconfirmed on its first frame";
            ASSERT_EQ(second.size(), 1u);
            EXPECT_EQ(second[0].trackId, 2);
        }
    }
}

TEST(TrackByteTracker, BufferScalesWithFps) {
    // fps 15, buffer 30: max_time_lost = int(15 / 30 * 30) = 15: removed at 5 + 16 = 21, lingers
    // through 22; back at 22 keeps id 1, back at 23 gets id 2.
    for (int back : {22, 23}) {
        TrackerParams p;
        p.fps = 15;
        ByteTracker t(p);
        for (int f = 1; f <= 5; ++f) t.update({det(100, 100, 50, 100, 0.9f)});
        for (int f = 6; f < back; ++f) t.update({});
        const auto a = t.update({det(100, 100, 50, 100, 0.9f)});
        const auto b = t.update({det(100, 100, 50, 100, 0.9f)});
        ASSERT_EQ(b.size(), 1u);
        EXPECT_EQ(b[0].trackId, back == 22 ? 1 : 2);
        EXPECT_EQ(a.size(), back == 22 ? 1u : 0u);
    }
}

TEST(TrackByteTracker, CrossingObjectsKeepIds) {
    // A moves right, B left, 8 px per frame, 30 px apart vertically (IoU of the two boxes at the
    // crossing = 50 x 81 / (2 x 41 x 81 - ...) < 0.5, while each track's prediction sits on its
    // own box): ids never swap.
    ByteTracker t;
    for (int f = 0; f < 60; ++f) {
        const auto out = t.update({det(8.0f * f, 100, 40, 80, 0.9f),
                                   det(472.0f - 8.0f * f, 130, 40, 80, 0.85f)});
        ASSERT_EQ(out.size(), 2u) << "frame " << f;
        for (const auto& o : out) {
            const bool isA = o.box.y1 < 115;
            EXPECT_EQ(o.trackId, isA ? 1 : 2) << "frame " << f;
            EXPECT_EQ(o.detectionIndex, isA ? 0 : 1) << "frame " << f;
        }
    }
}

TEST(TrackByteTracker, ScoresExactlyAtThresholds) {
    // Reference: high is score > 0.5, low is 0.1 < score < 0.5: a box at exactly 0.5 is in
    // neither and never starts or feeds a track; exactly 0.1 is not low. New tracks need score
    // >= track_thresh + 0.1 (0.5f + 0.1f == 0.6f): 0.6 starts one, 0.59 does not.
    {
        ByteTracker t;
        for (int f = 0; f < 5; ++f) EXPECT_TRUE(t.update({det(0, 0, 50, 100, 0.5f)}).empty());
    }
    {
        ByteTracker t;
        EXPECT_EQ(t.update({det(0, 0, 50, 100, 0.6f)}).size(), 1u);
    }
    {
        ByteTracker t;
        for (int f = 0; f < 5; ++f) EXPECT_TRUE(t.update({det(0, 0, 50, 100, 0.59f)}).empty());
    }
    {
        // A tracked object whose box drops to exactly 0.5 (ignored) then 0.1 (ignored) is lost
        // on those frames; at 0.11 (low) it is kept.
        ByteTracker t;
        ASSERT_EQ(t.update({det(0, 0, 50, 100, 0.9f)}).size(), 1u);
        EXPECT_TRUE(t.update({det(0, 0, 50, 100, 0.5f)}).empty());
        EXPECT_TRUE(t.update({det(0, 0, 50, 100, 0.1f)}).empty());
        const auto out = t.update({det(0, 0, 50, 100, 0.11f)});
        EXPECT_TRUE(out.empty()) << "a lost track is not matched by low boxes (second stage "
                                    "takes tracked ones only)";
        ASSERT_EQ(t.update({det(0, 0, 50, 100, 0.9f)}).size(), 1u);
    }
    {
        // ncnn: high is score >= 0.5 and new tracks need >= 0.6.
        ByteTracker t(TrackerParams::forPreset(Preset::Ncnn));
        EXPECT_TRUE(t.update({det(0, 0, 50, 100, 0.5f)}).empty());   // high, but < 0.6: no track
        ByteTracker u(TrackerParams::forPreset(Preset::Ncnn));
        ASSERT_EQ(u.update({det(0, 0, 50, 100, 0.6f)}).size(), 1u);
        const auto out = u.update({det(0, 0, 50, 100, 0.5f)});       // first stage matches it
        ASSERT_EQ(out.size(), 1u);
        EXPECT_FLOAT_EQ(out[0].score, 0.5f);
    }
}

TEST(TrackByteTracker, EmptyFramesAndFiveHundredBoxes) {
    ByteTracker t;
    EXPECT_TRUE(t.update({}).empty());
    EXPECT_EQ(t.frameCount(), 1);
    // 500 separate boxes on a 25 x 20 grid, on frames 2 and 3: frame 2 is not the first frame,
    // so all 500 start unconfirmed (not reported); frame 3 confirms them with ids 1..500 in input
    // order.
    std::vector<Detection> grid;
    for (int i = 0; i < 500; ++i)
        grid.push_back(det(static_cast<float>(i % 25) * 60, static_cast<float>(i / 25) * 110, 40,
                           90, 0.9f));
    EXPECT_TRUE(t.update(grid).empty());
    const auto out = t.update(grid);
    ASSERT_EQ(out.size(), 500u);
    for (size_t i = 0; i < out.size(); ++i) {
        EXPECT_EQ(out[i].trackId, static_cast<int64_t>(i) + 1);
        EXPECT_EQ(out[i].detectionIndex, static_cast<int>(i));
    }
    EXPECT_TRUE(t.update({}).empty());
}

TEST(TrackByteTracker, ClassAwareByDefault) {
    // The same box as a person (0) and a dog (16): two tracks class-aware; class-agnostic the
    // second box is a duplicate candidate and the assignment gives one track to one box.
    ByteTracker aware;
    const auto a = aware.update({det(0, 0, 50, 100, 0.9f, 0), det(0, 0, 50, 100, 0.8f, 16)});
    ASSERT_EQ(a.size(), 2u);
    const auto a2 = aware.update({det(2, 0, 50, 100, 0.9f, 16)});   // only the dog is seen
    ASSERT_EQ(a2.size(), 1u);
    EXPECT_EQ(a2[0].classId, 16);
    EXPECT_EQ(a2[0].trackId, 2);
    TrackerParams p;
    p.classAgnostic = true;
    ByteTracker agnostic(p);
    agnostic.update({det(0, 0, 50, 100, 0.9f, 0)});
    const auto b = agnostic.update({det(2, 0, 50, 100, 0.9f, 16)});
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].trackId, 1);
    EXPECT_EQ(b[0].classId, 0) << "a class-agnostic track keeps its first class";
}

TEST(TrackByteTracker, BadBoxesAreIgnored) {
    ByteTracker t;
    const float nan = std::nanf("");
    const auto out = t.update({det(0, 0, 0, 100, 0.9f), det(nan, 0, 10, 10, 0.9f),
                               det(0, 0, 10, 10, nan), det(5, 5, 40, 80, 0.9f)});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].detectionIndex, 3);
    TrackerParams p;
    p.trackThresh = 1.5f;
    EXPECT_FALSE(p.validate().isOk());
    EXPECT_NE(p.validate().message().find("track_thresh"), std::string::npos);
}

TEST(TrackLinearAssignment, ExactNotGreedy) {
    // Greedy by lowest cost takes (0,0)=0.1 then (1,1)=0.7 (0.8 in all); the optimum is
    // (0,1)+(1,0) = 0.2 + 0.3 = 0.5.
    sl::track::LinearAssignment la;
    const auto& a = la.solve({0.1, 0.2, 0.3, 0.7}, 2, 2, 0.8);
    ASSERT_EQ(a.matches.size(), 2u);
    EXPECT_EQ(a.matches[0], std::make_pair(0, 1));
    EXPECT_EQ(a.matches[1], std::make_pair(1, 0));
    // Cost limit: pairs at or above it are never matched; a 3 x 2 problem transposes.
    const auto& b = la.solve({0.9, 0.5, 0.85, 0.95, 0.2, 0.81}, 3, 2, 0.8);
    ASSERT_EQ(b.matches.size(), 2u);
    EXPECT_EQ(b.matches[0], std::make_pair(0, 1));
    EXPECT_EQ(b.matches[1], std::make_pair(2, 0));
    EXPECT_EQ(b.unmatchedRows, std::vector<int>{1});
    EXPECT_TRUE(b.unmatchedCols.empty());
    const auto& c = la.solve({}, 0, 3, 0.8);
    EXPECT_EQ(c.unmatchedCols.size(), 3u);
}

// Adaptive detection: a box moving 4 px / frame right and 2 px / frame down, detected on frames
// 1-10, then coasted over frames 11-13 (not detected), then detected again on frame 14. After
// ten updates the constant-velocity filter's velocity is close to (4, 2) px / frame, so each
// coast moves the reported box by about that much; the box never left, so the detection of
// frame 14 continues the same track (same id), and coasting did not lose or remove it.
TEST(ByteTrackerCoast, CarriesBoxesAlongTheirVelocityAndKeepsIds) {
    for (Preset preset : {Preset::Reference, Preset::Ncnn}) {
        ByteTracker tracker(TrackerParams::forPreset(preset));
        auto det = [](int frame) {
            const float x = 100 + 4.0f * frame, y = 50 + 2.0f * frame;
            return std::vector<sl::vision::Detection>{{0, 0.9f, {x, y, x + 40, y + 80}}};
        };
        int64_t id = 0;
        for (int f = 1; f <= 10; ++f) {
            const auto out = tracker.update(det(f));
            if (f >= 2) {
                ASSERT_EQ(out.size(), 1u) << sl::track::presetName(preset) << " frame " << f;
                id = out[0].trackId;
            }
        }
        float lastX = 0;
        for (int f = 11; f <= 13; ++f) {
            const auto out = tracker.coast();
            ASSERT_EQ(out.size(), 1u) << sl::track::presetName(preset) << " coast " << f;
            EXPECT_EQ(out[0].trackId, id);
            EXPECT_EQ(out[0].detectionIndex, -1);
            const sl::vision::Box want = det(f)[0].box;
            // Within 1.5 px of the true path after 1-3 predictions (the filter's velocity has
            // not fully converged after ten frames).
            EXPECT_NEAR(out[0].box.x1, want.x1, 1.5f) << sl::track::presetName(preset) << " coast " << f;
            EXPECT_NEAR(out[0].box.y1, want.y1, 1.5f) << sl::track::presetName(preset) << " coast " << f;
            EXPECT_NEAR(out[0].box.x2 - out[0].box.x1, 40.0f, 1.0f);
            if (f > 11) EXPECT_GT(out[0].box.x1, lastX + 3.0f);   // it moves every frame
            lastX = out[0].box.x1;
        }
        EXPECT_EQ(tracker.frameCount(), 13);
        const auto back = tracker.update(det(14));
        ASSERT_EQ(back.size(), 1u) << sl::track::presetName(preset);
        EXPECT_EQ(back[0].trackId, id) << sl::track::presetName(preset);
        EXPECT_EQ(back[0].detectionIndex, 0);
    }
}

// Coasting counts frames: a track lost (no detection) is removed after the lost buffer whether
// the frames in between were updates without it or coasts. trackBuffer 30 at 30 fps: a track
// last matched on frame 2 is removed once frame - 2 > 30; a detection at the same place on
// frame 40 then starts a new id.
TEST(ByteTrackerCoast, LostBufferCountsCoastedFrames) {
    ByteTracker tracker(TrackerParams::forPreset(Preset::Ncnn));
    const std::vector<sl::vision::Detection> d{{0, 0.9f, {10, 10, 50, 90}}};
    tracker.update(d);
    const auto first = tracker.update(d);
    ASSERT_EQ(first.size(), 1u);
    tracker.update({});                                  // frame 3: lost
    for (int f = 4; f <= 39; ++f) tracker.coast();       // frames 4..39: not detected
    const auto again = tracker.update(d);                // frame 40
    EXPECT_TRUE(again.empty() || again[0].trackId != first[0].trackId);
    tracker.update(d);
    const auto later = tracker.update(d);
    ASSERT_EQ(later.size(), 1u);
    EXPECT_NE(later[0].trackId, first[0].trackId);
}
