// Propagator (track/propagator.h) on synthetic sequences made here: a textured patch (its own
// random texture) pasted at a known position per frame over a static noise background. The true
// box of frame k is the start box moved by k * velocity, so every expectation is derived from
// the scenario, not from the code under test.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "track/propagator.h"

using sl::track::LumaView;
using sl::track::PropagationCandidate;
using sl::track::PropagationStop;
using sl::track::ProposalSource;
using sl::vision::Box;

namespace {

struct Sequence {
    int width = 320, height = 240;
    int patchW = 40, patchH = 30;
    int x0 = 50, y0 = 60;     // the patch's corner on frame 0
    int vx = 3, vy = 2;       // px per frame
    int frames = 21;          // frame 0 and 20 more
    int vanishAt = -1;        // from this frame on the patch is not drawn
    std::vector<std::vector<uint8_t>> planes;

    void build() {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> noise(40, 200);
        std::vector<uint8_t> background(size_t(width) * size_t(height));
        for (auto& p : background) p = uint8_t(noise(rng));
        std::mt19937 rngPatch(11);
        std::uniform_int_distribution<int> tex(0, 255);
        std::vector<uint8_t> patch(size_t(patchW) * size_t(patchH));
        // A blocky texture (2x2 cells): strong structure, unlike the background's pixel noise.
        for (int y = 0; y < patchH; y += 2)
            for (int x = 0; x < patchW; x += 2) {
                const uint8_t v = uint8_t(tex(rngPatch));
                for (int j = 0; j < 2 && y + j < patchH; ++j)
                    for (int i = 0; i < 2 && x + i < patchW; ++i)
                        patch[size_t(y + j) * size_t(patchW) + size_t(x + i)] = v;
            }
        planes.clear();
        for (int k = 0; k < frames; ++k) {
            std::vector<uint8_t> f = background;
            if (vanishAt < 0 || k < vanishAt) {
                const Box b = truth(k);
                for (int y = 0; y < patchH; ++y)
                    for (int x = 0; x < patchW; ++x) {
                        const int fx = int(b.x1) + x, fy = int(b.y1) + y;
                        if (fx >= 0 && fx < width && fy >= 0 && fy < height)
                            f[size_t(fy) * size_t(width) + size_t(fx)] =
                                patch[size_t(y) * size_t(patchW) + size_t(x)];
                    }
            }
            planes.push_back(std::move(f));
        }
    }
    Box truth(int k) const {
        const float x = float(x0 + vx * k), y = float(y0 + vy * k);
        return {x, y, x + float(patchW), y + float(patchH)};
    }
    LumaView view(int k) const { return {planes[size_t(k)].data(), width, height, width}; }
    std::vector<LumaView> after(int k) const {
        std::vector<LumaView> v;
        for (int i = k + 1; i < frames; ++i) v.push_back(view(i));
        return v;
    }
};

float maxCornerError(const Box& a, const Box& b) {
    return std::max({std::abs(a.x1 - b.x1), std::abs(a.y1 - b.y1), std::abs(a.x2 - b.x2),
                     std::abs(a.y2 - b.y2)});
}

}  // namespace

TEST(TrackPropagator, TemplateFollowsAMovingPatchWithinOnePixel) {
    Sequence s;
    s.build();
    auto r = sl::track::propagate(s.view(0), 0, s.truth(0), "person", s.after(0), {});
    ASSERT_TRUE(r.hasValue()) << r.status().message();
    ASSERT_EQ(r->proposals.size(), size_t(s.frames - 1)) << r->reason;
    EXPECT_EQ(r->stop, PropagationStop::Completed);
    for (size_t i = 0; i < r->proposals.size(); ++i) {
        const auto& p = r->proposals[i];
        const int k = int(i) + 1;
        EXPECT_EQ(p.frame, k);
        EXPECT_EQ(p.source, ProposalSource::Template);
        EXPECT_LE(maxCornerError(p.box, s.truth(k)), 1.0f) << "frame " << k;
        EXPECT_GT(p.confidence, 0.9f) << "frame " << k;
    }
}

TEST(TrackPropagator, SubPixelStartBoxKeepsItsOffset) {
    // The start box 0.3 px right of the patch's pixels: the proposals keep that 0.3 px.
    Sequence s;
    s.vx = -2, s.vy = 1, s.x0 = 200;
    s.build();
    Box start = s.truth(0);
    start.x1 += 0.3f, start.x2 += 0.3f;
    auto r = sl::track::propagate(s.view(0), 0, start, "person", s.after(0), {});
    ASSERT_TRUE(r.hasValue()) << r.status().message();
    ASSERT_EQ(r->proposals.size(), size_t(s.frames - 1)) << r->reason;
    for (size_t i = 0; i < r->proposals.size(); ++i) {
        Box want = s.truth(int(i) + 1);
        want.x1 += 0.3f, want.x2 += 0.3f;
        EXPECT_LE(maxCornerError(r->proposals[i].box, want), 1.0f) << "frame " << i + 1;
    }
}

TEST(TrackPropagator, DetectionsWinWhereTheyMatchTemplateElsewhere) {
    Sequence s;
    s.build();
    const int n = s.frames - 1;
    std::vector<std::vector<PropagationCandidate>> cands(static_cast<size_t>(n));
    // Frames 4 and 9: the true box as a detection (score 0.8), plus a far-away one that must not
    // be taken. Frame 12: only a far-away box (no match: template). Frame 20 (the last): a "car"
    // exactly on the object and a "person" 3 px off: the start box's label is preferred.
    const Box far{250, 180, 290, 210};
    cands[3] = {{far, "person", 0.95f}, {s.truth(4), "person", 0.8f}};
    cands[8] = {{s.truth(9), "person", 0.7f}, {far, "person", 0.9f}};
    cands[11] = {{far, "person", 0.9f}};
    Box shifted = s.truth(20);
    shifted.x1 += 3, shifted.x2 += 3;
    cands[19] = {{s.truth(20), "car", 0.9f}, {shifted, "person", 0.6f}};
    auto r = sl::track::propagate(s.view(0), 0, s.truth(0), "person", s.after(0), cands);
    ASSERT_TRUE(r.hasValue()) << r.status().message();
    ASSERT_EQ(r->proposals.size(), size_t(n)) << r->reason;
    for (int k = 1; k <= n; ++k) {
        const auto& p = r->proposals[size_t(k - 1)];
        if (k == 4 || k == 9) {
            EXPECT_EQ(p.source, ProposalSource::Detector) << "frame " << k;
            EXPECT_EQ(p.box, s.truth(k)) << "frame " << k;
            EXPECT_FLOAT_EQ(p.confidence, k == 4 ? 0.8f : 0.7f);
            EXPECT_EQ(p.candidate, k == 4 ? 1 : 0);
        } else if (k == 20) {
            EXPECT_EQ(p.source, ProposalSource::Detector);
            EXPECT_EQ(p.box, shifted);
            EXPECT_EQ(p.candidate, 1);
        } else {
            EXPECT_EQ(p.source, ProposalSource::Template) << "frame " << k;
            EXPECT_LE(maxCornerError(p.box, s.truth(k)), 1.0f) << "frame " << k;
        }
    }
}

TEST(TrackPropagator, StopsWithTheReasonWhenThePatchDisappears) {
    Sequence s;
    s.vanishAt = 8;
    s.build();
    auto r = sl::track::propagate(s.view(0), 0, s.truth(0), "person", s.after(0), {});
    ASSERT_TRUE(r.hasValue()) << r.status().message();
    ASSERT_EQ(r->proposals.size(), size_t(7)) << r->reason;   // frames 1..7
    EXPECT_EQ(r->proposals.back().frame, 7);
    EXPECT_EQ(r->stop, PropagationStop::Lost);
    EXPECT_NE(r->reason.find("frame 8"), std::string::npos) << r->reason;
    EXPECT_NE(r->reason.find("lost"), std::string::npos) << r->reason;
}

TEST(TrackPropagator, StopsWhenThePatchLeavesTheFrame) {
    // 12 px per frame to the right from x = 200: the 40 px box is half out from frame 10 on
    // (200 + 12k + 20 >= 320 at k = 8.33: frame 9 is the first with its centre outside).
    Sequence s;
    s.x0 = 200, s.vx = 12, s.vy = 0, s.frames = 16;
    s.build();
    auto r = sl::track::propagate(s.view(0), 0, s.truth(0), "person", s.after(0), {});
    ASSERT_TRUE(r.hasValue()) << r.status().message();
    EXPECT_NE(r->stop, PropagationStop::Completed) << r->reason;
    EXPECT_LT(r->proposals.size(), size_t(10));
    EXPECT_GE(r->proposals.size(), size_t(5)) << r->reason;
    for (const auto& p : r->proposals)
        EXPECT_LE(maxCornerError(p.box, s.truth(int(p.frame))), 1.0f) << "frame " << p.frame;
}

TEST(TrackPropagator, FlatBoxAndBadInputAreRefusedByName) {
    std::vector<uint8_t> flat(100 * 100, 128);
    const LumaView v{flat.data(), 100, 100, 100};
    auto r = sl::track::propagate(v, 0, {10, 10, 30, 30}, "x", {v}, {});
    ASSERT_TRUE(r.hasValue());
    EXPECT_TRUE(r->proposals.empty());
    EXPECT_EQ(r->stop, PropagationStop::NoTexture);
    EXPECT_NE(r->reason.find("no texture"), std::string::npos) << r->reason;
    // With a detection it goes on (detections need no texture), and stops at the next frame
    // without one.
    auto withDet = sl::track::propagate(v, 0, {10, 10, 30, 30}, "x", {v, v},
                                        {{{{11, 10, 31, 30}, "x", 0.5f}}, {}});
    ASSERT_TRUE(withDet.hasValue());
    ASSERT_EQ(withDet->proposals.size(), size_t(1));
    EXPECT_EQ(withDet->proposals[0].source, ProposalSource::Detector);
    EXPECT_EQ(withDet->stop, PropagationStop::NoTexture);
    EXPECT_NE(withDet->reason.find("frame 2"), std::string::npos) << withDet->reason;
    auto empty = sl::track::Propagator::start(v, 0, {30, 30, 30, 40}, "x");
    ASSERT_FALSE(empty.hasValue());
    EXPECT_NE(empty.status().message().find("is empty"), std::string::npos);
    auto outside = sl::track::Propagator::start(v, 0, {90, 90, 150, 150}, "x");
    ASSERT_FALSE(outside.hasValue());
    EXPECT_NE(outside.status().message().find("outside"), std::string::npos);
    auto mismatch = sl::track::propagate(v, 0, {10, 10, 30, 30}, "x", {v, v}, {{}});
    ASSERT_FALSE(mismatch.hasValue());
}

TEST(TrackPropagator, FullHdFrameFollowsALargePatch) {
    // 1920x1080 with a 200x150 patch at 7, -5 px per frame: exact within 1 px, and the time per
    // frame is recorded (not asserted: the machine is shared).
    Sequence s;
    s.width = 1920, s.height = 1080, s.patchW = 200, s.patchH = 150;
    s.x0 = 600, s.y0 = 500, s.vx = 7, s.vy = -5, s.frames = 11;
    s.build();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = sl::track::propagate(s.view(0), 0, s.truth(0), "person", s.after(0), {});
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(r.hasValue()) << r.status().message();
    ASSERT_EQ(r->proposals.size(), size_t(10)) << r->reason;
    for (const auto& p : r->proposals)
        EXPECT_LE(maxCornerError(p.box, s.truth(int(p.frame))), 1.0f) << "frame " << p.frame;
    RecordProperty("ms_per_frame", std::to_string(ms / 10));
    std::printf("propagate 1080p, 200x150 box: %.2f ms per frame\n", ms / 10);
}
