// Burn-in export: a generated H.264 clip with hand-made detections (no inference) is re-encoded
// with the boxes drawn in; the output must decode with the same frame count and timestamps, show
// the class colour on the box edges and leave the interior and unannotated frames untouched.
// Cancelling leaves no file behind. Labels: a lossless export must show the tag in the class
// colour in the band above each box (inside the box at the top edge) and, somewhere in that tag,
// exactly the rasteriser's coverage of "label score" in the contrasting colour.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "media/media_source.h"
#include "pipeline/burn_in_exporter.h"
#include "vision/text_rasterizer.h"
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

// Label geometry at 480p and 4K: the tag holds the whole text, stands on the box (or hangs
// inside it at the top edge), stays inside the frame at the right edge, and the text grows with
// the frame so it covers about the same share of the picture.
TEST(BurnInLabelLayout, TagHoldsTextAboveBoxInsideFrame) {
    auto font = vision::findFontFile("DejaVu Sans");
    ASSERT_TRUE(font.hasValue()) << font.status().message();
    double share[2] = {0, 0};
    int k = 0;
    for (const auto& [w, h] : {std::pair{854, 480}, std::pair{3840, 2160}}) {
        const int px = vision::TextRasterizer::pixelHeightForFrame(h);
        auto r = vision::TextRasterizer::open(*font, px);
        ASSERT_TRUE(r.hasValue());
        auto text = (*r)->render("person 0.97");
        ASSERT_TRUE(text.hasValue());
        share[k++] = double(text->height) / h;
        const float s = float(h) / 480.f;
        const vision::Box middle{100 * s, 200 * s, 300 * s, 400 * s};
        const vision::Box top{100 * s, 0, 300 * s, 100 * s};
        const vision::Box right{float(w) - 30 * s, 200 * s, float(w), 300 * s};
        for (const vision::Box& box : {middle, top, right}) {
            const LabelTag t = layoutLabel(box, *text, px, w, h);
            const std::string where = std::to_string(h) + "p box x1=" + std::to_string(box.x1) +
                                      " y1=" + std::to_string(box.y1);
            EXPECT_EQ(t.x0 % 2 + t.y0 % 2 + t.x1 % 2 + t.y1 % 2, 0) << where;
            EXPECT_GE(t.x0, 0) << where;
            EXPECT_LE(t.x1, w) << where;
            EXPECT_GE(t.y0, 0) << where;
            EXPECT_LE(t.y1, h) << where;
            EXPECT_GE(t.textX, t.x0) << where;
            EXPECT_LE(t.textX + text->width, t.x1) << where;
            EXPECT_GE(t.textY, t.y0) << where;
            EXPECT_LE(t.textY + text->height, t.y1) << where;
            if (box.y1 > 0) {
                EXPECT_FALSE(t.insideBox) << where;
                EXPECT_EQ(t.y1, int(box.y1) / 2 * 2) << where << ": tag must stand on the box";
            } else {
                EXPECT_TRUE(t.insideBox) << where;
                EXPECT_EQ(t.y0, 0) << where;
            }
        }
    }
    EXPECT_NEAR(share[0], share[1], 0.01) << "text share of the frame height: 480p " << share[0]
                                          << ", 4K " << share[1];
    EXPECT_GE(share[0], 0.03);
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

// Where in [x0, x1] x [y0, y1] (top-left positions) the bitmap's text best fits the frame's luma:
// glyph pixels (coverage > 0.75) must be at least 3/4 of the way from `tag` to `text` (+-2),
// coverage-free pixels within 2 of `tag`. Returns the position with the fewest violations and that count.
struct Fit {
    int x = 0, y = 0, violations = 0, inked = 0;
};
Fit bestFit(const media::VideoFrame& f, const vision::CoverageBitmap& b, int x0, int x1, int y0,
            int y1, uint8_t tag, uint8_t text) {
    Fit best{0, 0, 1 << 30, 0};
    for (int oy = y0; oy <= y1; ++oy)
        for (int ox = x0; ox <= x1; ++ox) {
            Fit fit{ox, oy, 0, 0};
            for (int y = 0; y < b.height; ++y)
                for (int x = 0; x < b.width; ++x) {
                    const int fx = ox + x, fy = oy + y;
                    const uint8_t c = b.at(x, y);
                    if (c != 0 && c <= 191) continue;   // edges: any blend is fine
                    if (fx < 0 || fy < 0 || fx >= f.width() || fy >= f.height()) {
                        ++fit.violations;
                        continue;
                    }
                    const int luma = f.plane(0)[fy * f.stride(0) + fx];
                    fit.inked += c != 0;
                    if (c == 0) {
                        fit.violations += std::abs(luma - tag) > 2;
                    } else {
                        // At least three quarters of the way from the tag to the text colour.
                        const double towardsText = double(luma - tag) / double(text - tag);
                        fit.violations += towardsText < 0.75 - 2.0 / std::abs(text - tag) ||
                                          towardsText > 1 + 2.0 / std::abs(text - tag);
                    }
                }
            if (fit.violations < best.violations) best = fit;
        }
    return best;
}

TEST_F(BurnInTest, LabelTagAboveBoxWithRasterisedText) {
    ResultsStore store({"person", "bicycle", "car", "motorcycle"});
    const vision::Box boxA{40, 60, 200, 150};   // room above: the tag stands on the top edge
    const vision::Box boxB{100, 0, 260, 100};   // touches the top: the tag hangs inside
    auto a = frameWith(5, 320, 240, 0, boxA);
    a.detections[0].score = 0.9f;
    auto b = frameWith(12, 320, 240, 3, boxB);
    b.detections[0].score = 0.754f;
    store.put(a);
    store.put(b);
    BurnInOptions options;
    options.input = src_;
    options.output = dir_.file("labels.mp4");
    options.thickness = 4;
    options.crf = 0;   // lossless: tag and text pixels are compared exactly (+-2)
    auto summary = burnIn(options, store);
    ASSERT_TRUE(summary.hasValue()) << summary.status().message();
    const auto out = decodeAll(options.output.string());
    ASSERT_EQ(out.size(), size_t(kFrames));

    auto font = vision::findFontFile(options.fontFamily);
    ASSERT_TRUE(font.hasValue()) << font.status().message();
    const int px = vision::TextRasterizer::pixelHeightForFrame(240);
    auto raster = vision::TextRasterizer::open(*font, px);
    ASSERT_TRUE(raster.hasValue()) << raster.status().message();
    const bool bt709 = out[5].colorMatrix() == media::ColorMatrix::Bt709;
    const bool full = out[5].colorRange() == media::ColorRange::Full;

    {   // Frame 5: "person 0.90", white or black on class 0's colour, above y = 60.
        const Rgb colour = classColor(0);
        const Yuv tag = rgbToYuv(colour, bt709, full);
        const Yuv ink = rgbToYuv(contrastingTextColor(colour), bt709, full);
        EXPECT_GT(std::abs(int(ink.y) - int(tag.y)), 40) << "text does not contrast";
        auto text = (*raster)->render("person 0.90");
        ASSERT_TRUE(text.hasValue());
        // The band just above the box edge is tag colour along the text's width (luma and
        // chroma), where the source has its own picture.
        for (int y : {58, 59})
            for (int x = 40; x < 40 + text->width; x += 2) {
                expectNear(sample(out[5], x, y), tag, 2,
                           "frame 5 tag band " + std::to_string(x) + "," + std::to_string(y));
                if (HasFailure()) return;
            }
        const Fit fit = bestFit(out[5], *text, 36, 60, 60 - text->height - 16, 60 - text->height,
                                tag.y, ink.y);
        EXPECT_EQ(fit.violations, 0) << "best text position " << fit.x << "," << fit.y;
        EXPECT_GT(fit.inked, 40);
        EXPECT_LE(fit.y + text->height, 60) << "text must be above the box";
        EXPECT_GE(fit.x, 40);
    }
    {   // Frame 12: box on the top edge, "motorcycle 0.75" inside it under the edge.
        const Rgb colour = classColor(3);
        const Yuv tag = rgbToYuv(colour, bt709, full);
        const Yuv ink = rgbToYuv(contrastingTextColor(colour), bt709, full);
        auto text = (*raster)->render("motorcycle 0.75");
        ASSERT_TRUE(text.hasValue());
        const Fit fit = bestFit(out[12], *text, 96, 120, 0, 16, tag.y, ink.y);
        EXPECT_EQ(fit.violations, 0) << "best text position " << fit.x << "," << fit.y;
        EXPECT_GT(fit.inked, 40);
        // Inside the box, past its 4-pixel outline, the tag replaced the picture: a 2x2 block
        // the text does not touch has the tag colour in luma and chroma.
        int checked = 0;
        for (int fy = std::max(4, fit.y + 1) / 2 * 2; fy + 1 < fit.y + text->height && !checked;
             fy += 2)
            for (int fx = 104; fx + 1 < fit.x + text->width && !checked; fx += 2) {
                const int x = fx - fit.x, y = fy - fit.y;
                if (text->at(x, y) || text->at(x + 1, y) || text->at(x, y + 1) ||
                    text->at(x + 1, y + 1))
                    continue;
                expectNear(sample(out[12], fx, fy), tag, 2,
                           "frame 12 tag inside the box at " + std::to_string(fx) + "," +
                               std::to_string(fy));
                ++checked;
            }
        EXPECT_EQ(checked, 1);
    }
    // Frames without results keep their picture where the tag would be.
    const auto in = decodeAll(src_);
    expectNear(sample(out[6], 50, 55), sample(in[6], 50, 55), 2, "frame 6 untouched");
}

TEST_F(BurnInTest, MissingFontFamilyFailsAndNamesIt) {
    ResultsStore store;
    store.put(frameWith(1, 320, 240, 0, {10, 10, 50, 50}));
    BurnInOptions options;
    options.input = src_;
    options.output = dir_.file("nofont.mp4");
    options.fontFamily = "Sightline No Such Family";
    auto r = burnIn(options, store);
    ASSERT_FALSE(r.hasValue());
    EXPECT_EQ(r.status().code(), StatusCode::NotFound);
    EXPECT_NE(r.status().message().find("Sightline No Such Family"), std::string::npos)
        << r.status().message();
    EXPECT_FALSE(std::filesystem::exists(options.output));
    // Without labels the same export works (boxes only, on request).
    options.labels = false;
    auto boxesOnly = burnIn(options, store);
    EXPECT_TRUE(boxesOnly.hasValue()) << boxesOnly.status().message();
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
