// Burn-in export: a generated H.264 clip with hand-made detections (no inference) is re-encoded
// with the boxes drawn in; the output must decode with the same frame count and timestamps, show
// the class colour on the box edges and leave the interior and unannotated frames untouched.
// Cancelling leaves no file behind.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "media/media_source.h"
#include "pipeline/burn_in_exporter.h"
#include "support/video_generator.h"

namespace sl::pipeline {
namespace {

constexpr int kFrames = 30;

std::vector<media::VideoFrame> decodeAll(const std::string& path) {
    media::MediaSource source;
    media::OpenOptions open;
    open.url = path;
    EXPECT_TRUE(source.open(open).isOk()) << path;
    std::vector<media::VideoFrame> frames;
    for (;;) {
        auto f = source.readFrame();
        if (!f) break;
        frames.push_back(*f);
    }
    return frames;
}

// Luma at (x, y) and chroma of the block containing it (yuv420p or nv12).
Yuv sample(const media::VideoFrame& f, int x, int y) {
    Yuv s;
    s.y = f.plane(0)[y * f.stride(0) + x];
    if (f.format() == media::PixelFormat::Yuv420p) {
        s.u = f.plane(1)[(y / 2) * f.stride(1) + x / 2];
        s.v = f.plane(2)[(y / 2) * f.stride(2) + x / 2];
    } else {
        s.u = f.plane(1)[(y / 2) * f.stride(1) + (x / 2) * 2];
        s.v = f.plane(1)[(y / 2) * f.stride(1) + (x / 2) * 2 + 1];
    }
    return s;
}

void expectNear(Yuv got, Yuv want, int tol, const std::string& where) {
    EXPECT_NEAR(got.y, want.y, tol) << where << " Y";
    EXPECT_NEAR(got.u, want.u, tol) << where << " U";
    EXPECT_NEAR(got.v, want.v, tol) << where << " V";
}

FrameDetections frameWith(int64_t index, int w, int h, int classId, vision::Box box) {
    FrameDetections f;
    f.frameIndex = index;
    f.width = w;
    f.height = h;
    f.detections.push_back({classId, 0.9f, box});
    return f;
}

class BurnInTest : public ::testing::Test {
protected:
    void SetUp() override {
        testing::VideoSpec spec;
        spec.path = dir_.file("src.mp4");
        spec.frames = kFrames;
        spec.maxBFrames = 2;
        auto v = testing::generateVideo(spec);
        ASSERT_TRUE(v.hasValue()) << v.status().message();
        src_ = v->path.string();
    }
    testing::TempDir dir_{"burn-in"};
    std::string src_;
};

TEST(BurnInDraw, OutlineHasColourAndInteriorIsUntouched) {
    constexpr int w = 64, h = 48;
    std::vector<uint8_t> y(w * h, 50), u(w / 2 * h / 2, 100), v(w / 2 * h / 2, 150);
    uint8_t* planes[3] = {y.data(), u.data(), v.data()};
    const int strides[3] = {w, w / 2, w / 2};
    const Yuv c{200, 30, 220};
    // Odd coordinates snap outwards to even ones: [10, 40) x [8, 30).
    drawBox(planes, strides, w, h, {11, 9, 39.5f, 29}, c, 2);
    EXPECT_EQ(y[8 * w + 20], 200);      // top edge
    EXPECT_EQ(y[29 * w + 20], 200);     // bottom edge
    EXPECT_EQ(y[20 * w + 10], 200);     // left edge
    EXPECT_EQ(y[20 * w + 39], 200);     // right edge
    EXPECT_EQ(y[20 * w + 20], 50);      // interior
    EXPECT_EQ(y[20 * w + 12], 50);      // just inside the left edge
    EXPECT_EQ(y[7 * w + 20], 50);       // just outside the top edge
    EXPECT_EQ(u[4 * (w / 2) + 10], 30);   // top edge chroma
    EXPECT_EQ(v[10 * (w / 2) + 5], 220);  // left edge chroma
    EXPECT_EQ(u[10 * (w / 2) + 10], 100); // interior chroma
    // A box over the border is clipped, not written out of bounds.
    drawBox(planes, strides, w, h, {-20, -20, 500, 500}, c, 4);
    EXPECT_EQ(y[0], 200);
    EXPECT_EQ(y[(h - 1) * w + w - 1], 200);
}

TEST(BurnInColour, Bt601LimitedMatchesReference) {
    const Yuv white = rgbToYuv({255, 255, 255}, false, false);
    EXPECT_EQ(white.y, 235);
    EXPECT_EQ(white.u, 128);
    const Yuv red = rgbToYuv({255, 0, 0}, false, false);
    EXPECT_EQ(red.y, 81);
    EXPECT_EQ(red.u, 90);
    EXPECT_EQ(red.v, 240);
}

TEST_F(BurnInTest, SameFramesAndTimestampsBoxesVisible) {
    ResultsStore store;
    const vision::Box boxA{40, 40, 160, 120}, boxB{200, 100, 300, 220};
    store.put(frameWith(5, 320, 240, 0, boxA));
    store.put(frameWith(12, 320, 240, 3, boxB));
    BurnInOptions options;
    options.input = src_;
    options.output = dir_.file("boxes.mp4");
    options.thickness = 4;
    options.crf = 4;   // near lossless: the colours are checked within a tight tolerance
    int progressCalls = 0;
    auto summary = burnIn(options, store, [&](const BurnInProgress&) { ++progressCalls; });
    ASSERT_TRUE(summary.hasValue()) << summary.status().message();
    EXPECT_EQ(summary->frames, kFrames);
    EXPECT_EQ(summary->framesWithBoxes, 2);
    EXPECT_GE(progressCalls, 1);
    ASSERT_TRUE(std::filesystem::exists(options.output));

    const auto in = decodeAll(src_);
    const auto out = decodeAll(options.output.string());
    ASSERT_EQ(in.size(), size_t(kFrames));
    ASSERT_EQ(out.size(), size_t(kFrames));
    for (int i = 0; i < kFrames; ++i) {
        EXPECT_EQ(out[size_t(i)].index(), i);
        EXPECT_NEAR(out[size_t(i)].seconds(), in[size_t(i)].seconds(), 1e-3) << "frame " << i;
    }
    const bool bt709 = out[5].colorMatrix() == media::ColorMatrix::Bt709;
    const bool full = out[5].colorRange() == media::ColorRange::Full;
    const Yuv a = rgbToYuv(classColor(0), bt709, full);
    const Yuv b = rgbToYuv(classColor(3), bt709, full);
    constexpr int tol = 8;
    // Edge midpoints, sampled in the middle of the 4-pixel outline.
    expectNear(sample(out[5], 100, 41), a, tol, "frame 5 top");
    expectNear(sample(out[5], 100, 118), a, tol, "frame 5 bottom");
    expectNear(sample(out[5], 41, 80), a, tol, "frame 5 left");
    expectNear(sample(out[5], 158, 80), a, tol, "frame 5 right");
    expectNear(sample(out[12], 250, 101), b, tol, "frame 12 top");
    expectNear(sample(out[12], 298, 160), b, tol, "frame 12 right");
    // Interior and unannotated frames match the source.
    const auto same = [&](int frame, int x, int y) {
        expectNear(sample(out[size_t(frame)], x, y), sample(in[size_t(frame)], x, y), tol,
                   "frame " + std::to_string(frame) + " untouched " + std::to_string(x) + "," +
                       std::to_string(y));
    };
    same(5, 100, 80);
    same(5, 60, 60);
    same(6, 100, 41);   // frame 6 has no result: no box
    same(0, 41, 80);
}

TEST_F(BurnInTest, CancelLeavesNoFile) {
    ResultsStore store;
    store.put(frameWith(1, 320, 240, 0, {10, 10, 50, 50}));
    BurnInOptions options;
    options.input = src_;
    options.output = dir_.file("cancelled.mp4");
    std::atomic<bool> cancel{false};
    // Cancel once the first progress report arrives (mid-run), and also check the pre-set flag.
    auto r = burnIn(options, store, [&](const BurnInProgress&) { cancel = true; }, &cancel);
    if (r.hasValue()) {
        // The first report can come at the end of a fast run; then cancel before starting.
        std::filesystem::remove(options.output);
        cancel = true;
        r = burnIn(options, store, {}, &cancel);
    }
    ASSERT_FALSE(r.hasValue());
    EXPECT_EQ(r.status().code(), StatusCode::Cancelled);
    EXPECT_FALSE(std::filesystem::exists(options.output));
    for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
        EXPECT_EQ(e.path().filename().string().find("cancelled"), std::string::npos)
            << "left behind: " << e.path();
}

TEST_F(BurnInTest, MissingInputNamesIt) {
    ResultsStore store;
    BurnInOptions options;
    options.input = dir_.file("nope.mp4").string();
    options.output = dir_.file("out.mp4");
    auto r = burnIn(options, store);
    ASSERT_FALSE(r.hasValue());
    EXPECT_NE(r.status().message().find("nope.mp4"), std::string::npos) << r.status().message();
    EXPECT_FALSE(std::filesystem::exists(options.output));
}

}  // namespace
}  // namespace sl::pipeline
