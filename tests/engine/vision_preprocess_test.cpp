// Preprocess kernel vs the CPU reference on random frames: odd sizes, every native pixel format,
// both matrices and ranges, RGB/BGR, both placements, planes at odd offsets and strides within
// one buffer. EveryFormatBitExact demands identical float32 bits (the kernel and the reference
// run the same float operations in the same order); the older sweeps keep their named
// tolerances: float32 max abs diff <= 1e-4, float16 within 1 ulp of half.
#include "compute/cl_context.h"
#include "vision/preprocess.h"
#include "vision/preprocess_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace sl::vision {
namespace {

using media::ColorMatrix;
using media::ColorRange;
using media::PixelFormat;

constexpr float kFp32Tolerance = 1e-4f;

// A random frame laid out in one host vector, with padding before each plane and row padding.
struct TestFrame {
    std::vector<uint8_t> bytes;
    HostYuvFrame host;
    DeviceYuvFrame device;
    compute::ClMem mem;
};

std::unique_ptr<TestFrame> makeFrame(const compute::ComputeContext& ctx, PixelFormat fmt, int w,
                                     int h, ColorMatrix m, ColorRange r, std::mt19937& rng) {
    auto f = std::make_unique<TestFrame>();
    const media::PixelFormatDesc& desc = media::describe(fmt);
    const int nPlanes = desc.planeCount;
    const int eb = desc.componentBytes;
    int widths[3] = {}, heights[3] = {}, steps[3] = {};
    for (int i = 0; i < nPlanes; ++i) {
        widths[i] = media::planeWidth(fmt, i, w);
        heights[i] = media::planeHeight(fmt, i, h);
        steps[i] = media::planeSampleBytes(fmt, i);
    }
    size_t offsets[3] = {};
    int strides[3] = {};
    // Odd start, row pads and gaps (even for 16-bit words): kernels must not assume alignment.
    size_t at = size_t(37 * eb);
    for (int i = 0; i < nPlanes; ++i) {
        strides[i] = widths[i] * steps[i] + (i == 0 ? 13 : 5) * eb;
        offsets[i] = at;
        at += size_t(strides[i]) * heights[i] + size_t(11 * eb);
    }
    f->bytes.resize(at);
    std::uniform_int_distribution<int> word(0, 65535);
    if (eb == 1) {
        for (auto& b : f->bytes) b = uint8_t(word(rng));
    } else {
        // Words in the format's range: 10 bits low (yuv*p10) or high (P010, low bits random
        // too: the kernel must drop them).
        const int mask = desc.valueShift ? 0xffff : (1 << desc.bitDepth) - 1;
        for (size_t i = 0; i + 1 < f->bytes.size(); i += 2) {
            const int v = word(rng) & mask;
            f->bytes[i] = uint8_t(v & 0xff);
            f->bytes[i + 1] = uint8_t(v >> 8);
        }
    }
    f->host.format = f->device.format = fmt;
    f->host.width = f->device.width = w;
    f->host.height = f->device.height = h;
    f->host.matrix = f->device.matrix = m;
    f->host.range = f->device.range = r;
    auto buf = ctx.createBuffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, f->bytes.size(),
                                f->bytes.data());
    EXPECT_TRUE(buf) << buf.status().message();
    if (!buf) return nullptr;
    f->mem = std::move(*buf);
    for (int i = 0; i < nPlanes; ++i) {
        f->host.planes[i] = {f->bytes.data() + offsets[i], strides[i], widths[i], heights[i]};
        f->device.planes[i] = {f->mem.get(), offsets[i], strides[i], widths[i], heights[i]};
    }
    return f;
}

class PreprocessTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto ctx = compute::ComputeContext::create();
        ASSERT_TRUE(ctx) << ctx.status().message();
        ctx_ = std::make_unique<compute::ComputeContext>(std::move(*ctx));
        auto pre = Preprocessor::create(*ctx_);
        ASSERT_TRUE(pre) << pre.status().message();
        pre_ = std::make_unique<Preprocessor>(std::move(*pre));
    }

    // Runs device and reference; returns the max abs difference (float32) or max half-ulp
    // difference (float16).
    float compare(const TestFrame& f, const PreprocessParams& p, const std::string& what) {
        const size_t n = size_t(3) * p.dstWidth * p.dstHeight;
        const size_t outOffset = 64;   // tests the batch-slot offset
        auto out = ctx_->createBuffer(CL_MEM_READ_WRITE, outOffset + preprocessOutputBytes(p));
        EXPECT_TRUE(out);
        if (!out) return INFINITY;
        const Status st = pre_->run(f.device, p, out->get(), outOffset);
        EXPECT_TRUE(st) << what << ": " << st.message();
        if (!st) return INFINITY;
        std::vector<float> ref(n);
        preprocessReference(f.host, p, ref.data());
        float worst = 0;
        size_t worstAt = 0;
        if (p.type == TensorType::Float32) {
            std::vector<float> dev(n);
            EXPECT_TRUE(ctx_->read(out->get(), outOffset, n * 4, dev.data()));
            for (size_t i = 0; i < n; ++i) {
                const float d = std::fabs(dev[i] - ref[i]);
                if (!(d <= worst)) {
                    worst = d;
                    worstAt = i;
                }
            }
        } else {
            std::vector<uint16_t> dev(n);
            EXPECT_TRUE(ctx_->read(out->get(), outOffset, n * 2, dev.data()));
            for (size_t i = 0; i < n; ++i) {
                const float d = float(std::abs(int(dev[i]) - int(floatToHalf(ref[i]))));
                if (d > worst) {
                    worst = d;
                    worstAt = i;
                }
            }
        }
        if (worst > kFp32Tolerance)
            ADD_FAILURE() << what << ": element " << worstAt << " ref " << ref[worstAt]
                          << " differs by " << worst;
        return worst;
    }

    std::unique_ptr<compute::ComputeContext> ctx_;
    std::unique_ptr<Preprocessor> pre_;
};

std::string describe(PixelFormat fmt, int w, int h, const PreprocessParams& p, ColorMatrix m,
                     ColorRange r) {
    return std::string(media::pixelFormatName(fmt)) + " " + std::to_string(w) + "x" +
           std::to_string(h) + " -> " + std::to_string(p.dstWidth) + "x" +
           std::to_string(p.dstHeight) + (m == ColorMatrix::Bt709 ? " bt709" : " bt601") +
           (r == ColorRange::Full ? " full" : " limited") +
           (p.order == ChannelOrder::Bgr ? " bgr" : " rgb") +
           (p.placement == Placement::Centre ? " centre" : " top-left");
}

// Every combination of format x matrix x range x order x placement (32) for each size pair;
// large sources take one destination per combination to keep the run short.
TEST_F(PreprocessTest, MatchesReferenceFloat32) {
    std::mt19937 rng(1234);
    struct Case {
        int w, h;
        std::vector<std::pair<int, int>> dsts;
        bool allDstsPerCombo;
    };
    const std::vector<Case> cases = {
        {1, 1, {{416, 416}, {5, 3}}, true},
        {2, 2, {{416, 416}, {13, 7}}, true},
        {17, 9, {{416, 416}, {13, 7}, {9, 17}, {1, 1}}, true},
        {641, 359, {{416, 416}, {640, 640}, {300, 200}}, false},
        {1920, 1080, {{416, 416}, {640, 640}, {320, 180}}, false},
    };
    float worst = 0;
    int runs = 0;
    for (const Case& c : cases) {
        for (int combo = 0; combo < 32; ++combo) {
            const PixelFormat fmt = combo & 1 ? PixelFormat::Nv12 : PixelFormat::Yuv420p;
            const ColorMatrix m = combo & 2 ? ColorMatrix::Bt709 : ColorMatrix::Bt601;
            const ColorRange r = combo & 4 ? ColorRange::Full : ColorRange::Limited;
            auto f = makeFrame(*ctx_, fmt, c.w, c.h, m, r, rng);
            ASSERT_TRUE(f);
            for (size_t d = 0; d < c.dsts.size(); ++d) {
                if (!c.allDstsPerCombo && d != size_t(combo) % c.dsts.size()) continue;
                PreprocessParams p;
                p.dstWidth = c.dsts[d].first;
                p.dstHeight = c.dsts[d].second;
                p.order = combo & 8 ? ChannelOrder::Rgb : ChannelOrder::Bgr;
                p.placement = combo & 16 ? Placement::Centre : Placement::TopLeft;
                if (combo % 3 == 1) {   // ImageNet-style normalisation on some runs
                    p.scale = 1.0f / 255.0f;
                    p.mean = {0.485f, 0.456f, 0.406f};
                    p.std = {0.229f, 0.224f, 0.225f};
                    p.padValue = 0.0f;
                } else if (combo % 3 == 2) {
                    p.padValue = 7.0f;
                    p.mean = {10.0f, 20.0f, 30.0f};
                    p.std = {2.0f, 3.0f, 4.0f};
                }
                worst = std::max(worst, compare(*f, p, describe(fmt, c.w, c.h, p, m, r)));
                ++runs;
            }
        }
    }
    std::printf("[ info     ] float32: %d runs, max abs diff %g (tolerance %g)\n", runs, worst,
                kFp32Tolerance);
}

// Every native format, bit for bit: odd sizes (chroma grids of ceil(w/2)), down- and upscaling,
// both matrices and ranges, both channel orders and placements, every chroma siting, a
// normalisation.
TEST_F(PreprocessTest, EveryFormatBitExact) {
    std::mt19937 rng(2024);
    const std::pair<int, int> sizes[] = {{1, 1}, {17, 9}, {641, 359}};
    const std::pair<int, int> dsts[] = {{416, 416}, {13, 7}, {640, 640}};
    int runs = 0;
    for (PixelFormat fmt : media::kPixelFormats) {
        for (int combo = 0; combo < 6; ++combo) {
            const auto [w, h] = sizes[combo % 3];
            const ColorMatrix m = combo & 1 ? ColorMatrix::Bt709 : ColorMatrix::Bt601;
            const ColorRange r = combo & 2 ? ColorRange::Full : ColorRange::Limited;
            auto f = makeFrame(*ctx_, fmt, w, h, m, r, rng);
            ASSERT_TRUE(f);
            // Each combination another chroma siting (all six over the combinations).
            f->host.chroma = f->device.chroma = media::ChromaLocation(combo);
            PreprocessParams p;
            p.dstWidth = dsts[combo % 3].first;
            p.dstHeight = dsts[combo % 3].second;
            p.order = combo & 4 ? ChannelOrder::Rgb : ChannelOrder::Bgr;
            p.placement = combo & 1 ? Placement::Centre : Placement::TopLeft;
            if (combo == 3) {
                p.scale = 1.0f / 255.0f;
                p.mean = {0.485f, 0.456f, 0.406f};
                p.std = {0.229f, 0.224f, 0.225f};
            }
            const std::string what = describe(fmt, w, h, p, m, r);
            const size_t n = size_t(3) * p.dstWidth * p.dstHeight;
            auto out = ctx_->createBuffer(CL_MEM_READ_WRITE, preprocessOutputBytes(p));
            ASSERT_TRUE(out);
            const Status st = pre_->run(f->device, p, out->get());
            ASSERT_TRUE(st) << what << ": " << st.message();
            std::vector<float> ref(n), dev(n);
            preprocessReference(f->host, p, ref.data());
            ASSERT_TRUE(ctx_->read(out->get(), 0, n * 4, dev.data()));
            size_t differ = 0, first = n;
            for (size_t i = 0; i < n; ++i) {
                if (std::memcmp(&ref[i], &dev[i], 4) != 0) {
                    if (first == n) first = i;
                    ++differ;
                }
            }
            EXPECT_EQ(differ, 0u) << what << ": first at " << first << " ref "
                                  << (first < n ? ref[first] : 0) << " dev "
                                  << (first < n ? dev[first] : 0);
            ++runs;
        }
    }
    std::printf("[ info     ] %d runs over %zu formats, all bit-identical\n", runs,
                std::size(media::kPixelFormats));
}

// Known values per family: 10-bit limited white (940, 512, 512) is 255, P010 keeps only its high
// bits, gray has neutral chroma, packed BGR lands in the right channels unchanged.
TEST_F(PreprocessTest, KnownValuesPerFamily) {
    struct Case {
        PixelFormat fmt;
        ColorRange range;
        std::vector<uint16_t> sample;   // per plane, one sample's components (words or bytes)
        std::array<float, 3> rgb;       // expected R, G, B
    };
    const Case cases[] = {
        {PixelFormat::Yuv444p10, ColorRange::Limited, {940, 512, 512}, {255, 255, 255}},
        {PixelFormat::Yuv422p10, ColorRange::Limited, {64, 512, 512}, {0, 0, 0}},
        {PixelFormat::P010, ColorRange::Limited, {940 << 6 | 0x3f, 512 << 6, 512 << 6},
         {255, 255, 255}},
        {PixelFormat::Gray, ColorRange::Full, {77}, {77, 77, 77}},
        {PixelFormat::Gray10, ColorRange::Full, {1023}, {255, 255, 255}},
        {PixelFormat::Bgr24, ColorRange::Full, {10, 20, 30}, {30, 20, 10}},
        {PixelFormat::Rgba, ColorRange::Full, {10, 20, 30, 40}, {10, 20, 30}},
    };
    for (const Case& c : cases) {
        std::mt19937 rng(3);
        auto f = makeFrame(*ctx_, c.fmt, 6, 4, ColorMatrix::Bt601, c.range, rng);
        ASSERT_TRUE(f);
        const media::PixelFormatDesc& d = media::describe(c.fmt);
        size_t k = 0;   // next value of c.sample
        for (int i = 0; i < d.planeCount; ++i) {
            const HostPlane& hp = f->host.planes[size_t(i)];
            const int comps = media::planeComponents(c.fmt, i);
            for (int y = 0; y < hp.height; ++y) {
                auto* row = const_cast<uint8_t*>(hp.data) + size_t(y) * hp.stride;
                for (int x = 0; x < hp.width; ++x)
                    for (int cc = 0; cc < comps; ++cc) {
                        const uint16_t v = c.sample[k + size_t(cc)];
                        if (d.componentBytes == 2) {
                            std::memcpy(row + (size_t(x) * comps + cc) * 2, &v, 2);
                        } else {
                            row[size_t(x) * comps + cc] = uint8_t(v);
                        }
                    }
            }
            k += size_t(comps);
        }
        ASSERT_TRUE(ctx_->write(f->mem.get(), 0, f->bytes.size(), f->bytes.data()));
        PreprocessParams p;
        p.dstWidth = 6;
        p.dstHeight = 4;
        p.order = ChannelOrder::Rgb;
        auto out = ctx_->createBuffer(CL_MEM_READ_WRITE, preprocessOutputBytes(p));
        ASSERT_TRUE(out);
        ASSERT_TRUE(pre_->run(f->device, p, out->get()));
        std::vector<float> dev(3 * 24);
        ASSERT_TRUE(ctx_->read(out->get(), 0, dev.size() * 4, dev.data()));
        for (int ch = 0; ch < 3; ++ch)
            for (int i = 0; i < 24; ++i)
                EXPECT_NEAR(dev[size_t(ch) * 24 + i], c.rgb[size_t(ch)], 1e-3f)
                    << media::pixelFormatName(c.fmt) << " channel " << ch;
    }
}

TEST_F(PreprocessTest, YoloxDefaultsLetterboxAndPad) {
    std::mt19937 rng(7);
    auto f = makeFrame(*ctx_, PixelFormat::Nv12, 1920, 1080, ColorMatrix::Bt709,
                       ColorRange::Limited, rng);
    ASSERT_TRUE(f);
    PreprocessParams p;   // 416x416 BGR top-left pad 114
    const Letterbox b = computeLetterbox(1920, 1080, p);
    EXPECT_EQ(b.width, 416);
    EXPECT_EQ(b.height, 234);
    EXPECT_EQ(b.offsetX, 0);
    EXPECT_EQ(b.offsetY, 0);
    p.placement = Placement::Centre;
    EXPECT_EQ(computeLetterbox(1920, 1080, p).offsetY, (416 - 234) / 2);
    p.placement = Placement::TopLeft;
    compare(*f, p, "yolox 1080p");

    std::vector<float> ref(size_t(3) * 416 * 416);
    preprocessReference(f->host, p, ref.data());
    EXPECT_EQ(ref[size_t(300) * 416 + 10], 114.0f);   // below the picture: pad
    EXPECT_EQ(ref[size_t(2) * 416 * 416 + 415 * 416 + 415], 114.0f);
}

TEST_F(PreprocessTest, KnownColoursConvertExactly) {
    // A flat frame: limited-range BT.601 white (235,128,128) is 255 in every channel, black
    // (16,128,128) is 0; full-range mid grey (128,128,128) is 128.
    struct Flat { uint8_t y, u, v; ColorRange r; float expect; };
    for (const Flat c : {Flat{235, 128, 128, ColorRange::Limited, 255.0f},
                         Flat{16, 128, 128, ColorRange::Limited, 0.0f},
                         Flat{128, 128, 128, ColorRange::Full, 128.0f}}) {
        std::mt19937 rng(1);
        auto f = makeFrame(*ctx_, PixelFormat::Yuv420p, 6, 4, ColorMatrix::Bt601, c.r, rng);
        ASSERT_TRUE(f);
        for (int i = 0; i < 3; ++i) {
            const HostPlane& hp = f->host.planes[i];
            for (int y = 0; y < hp.height; ++y)
                std::memset(const_cast<uint8_t*>(hp.data) + size_t(y) * hp.stride,
                            i == 0 ? c.y : (i == 1 ? c.u : c.v), size_t(hp.width));
        }
        ASSERT_TRUE(ctx_->write(f->mem.get(), 0, f->bytes.size(), f->bytes.data()));
        PreprocessParams p;
        p.dstWidth = 6;
        p.dstHeight = 4;
        auto out = ctx_->createBuffer(CL_MEM_READ_WRITE, preprocessOutputBytes(p));
        ASSERT_TRUE(out);
        ASSERT_TRUE(pre_->run(f->device, p, out->get()));
        std::vector<float> dev(3 * 24);
        ASSERT_TRUE(ctx_->read(out->get(), 0, dev.size() * 4, dev.data()));
        for (float v : dev) EXPECT_NEAR(v, c.expect, 1e-3f);
    }
}

// Chroma siting, by hand: full-range BT.601 (R = Y + 1.402 (V - 128)), Y and U flat at 128 and
// V alternating 128, 178 along the subsampled axis, at the frame's own size (taps on samples).
// Left / TopLeft sites chroma sample k on luma 2k (x = 2k reads V_k, odd x the mean of two);
// Centre on 2k + 0.5 (weights 3/4 and 1/4, the edges clamped). R rounds to 8 bits: 163.05 ->
// 163, 198.1 -> 198, 145.525 -> 146, 180.575 -> 181. Vertically (4:4:0) Left sits between lines
// like Centre, TopLeft on them.
TEST_F(PreprocessTest, ChromaSitingMovesChromaByHalfASample) {
    const std::array<float, 8> cosited{128, 163, 198, 163, 128, 163, 198, 198};
    const std::array<float, 8> centred{128, 146, 181, 181, 146, 146, 181, 198};
    struct Case {
        PixelFormat fmt;
        media::ChromaLocation loc;
        const std::array<float, 8>& expect;
    };
    const Case cases[] = {
        {PixelFormat::Yuv422p, media::ChromaLocation::Left, cosited},
        {PixelFormat::Yuv422p, media::ChromaLocation::TopLeft, cosited},
        {PixelFormat::Yuv422p, media::ChromaLocation::Centre, centred},
        {PixelFormat::Yuv440p, media::ChromaLocation::Left, centred},
        {PixelFormat::Yuv440p, media::ChromaLocation::Centre, centred},
        {PixelFormat::Yuv440p, media::ChromaLocation::TopLeft, cosited},
    };
    for (const Case& c : cases) {
        const bool across = c.fmt == PixelFormat::Yuv422p;   // subsampled along x, else y
        const int w = across ? 8 : 2, h = across ? 2 : 8;
        std::mt19937 rng(5);
        auto f = makeFrame(*ctx_, c.fmt, w, h, ColorMatrix::Bt601, ColorRange::Full, rng);
        ASSERT_TRUE(f);
        f->host.chroma = f->device.chroma = c.loc;
        for (int i = 0; i < 3; ++i) {
            const HostPlane& hp = f->host.planes[size_t(i)];
            for (int y = 0; y < hp.height; ++y)
                for (int x = 0; x < hp.width; ++x)
                    const_cast<uint8_t*>(hp.data)[size_t(y) * hp.stride + x] =
                        i < 2 ? 128 : ((across ? x : y) % 2 ? 178 : 128);
        }
        ASSERT_TRUE(ctx_->write(f->mem.get(), 0, f->bytes.size(), f->bytes.data()));
        PreprocessParams p;
        p.dstWidth = w;
        p.dstHeight = h;
        p.order = ChannelOrder::Rgb;
        auto out = ctx_->createBuffer(CL_MEM_READ_WRITE, preprocessOutputBytes(p));
        ASSERT_TRUE(out);
        ASSERT_TRUE(pre_->run(f->device, p, out->get()));
        std::vector<float> dev(size_t(3) * w * h), ref(dev.size());
        ASSERT_TRUE(ctx_->read(out->get(), 0, dev.size() * 4, dev.data()));
        preprocessReference(f->host, p, ref.data());
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const size_t at = size_t(y) * w + x;   // channel 0: R
                const float want = c.expect[size_t(across ? x : y)];
                EXPECT_EQ(dev[at], want) << media::pixelFormatName(c.fmt) << " site "
                                         << int(c.loc) << " at " << x << "," << y;
                EXPECT_EQ(ref[at], want) << "reference, site " << int(c.loc);
            }
    }
}

// Half output on every device (vstore_half_rte is core OpenCL, no cl_khr_fp16): against the
// reference rounded to half, at most one half ulp apart - the device's float result may sit a
// float rounding (kFp32Tolerance) on the other side of a half rounding boundary; elsewhere the
// bits are identical.
TEST_F(PreprocessTest, Float16MatchesReference) {
    std::mt19937 rng(99);
    for (PixelFormat fmt : {PixelFormat::Yuv420p, PixelFormat::Nv12}) {
        auto f = makeFrame(*ctx_, fmt, 641, 359, ColorMatrix::Bt709, ColorRange::Limited, rng);
        ASSERT_TRUE(f);
        PreprocessParams p;
        p.type = TensorType::Float16;
        const float worstUlps = compare(*f, p, "fp16");
        EXPECT_LE(worstUlps, 1.0f);
    }
}

TEST_F(PreprocessTest, RejectsInconsistentInput) {
    std::mt19937 rng(5);
    auto f = makeFrame(*ctx_, PixelFormat::Yuv420p, 64, 32, ColorMatrix::Bt601,
                       ColorRange::Limited, rng);
    ASSERT_TRUE(f);
    PreprocessParams p;
    auto out = ctx_->createBuffer(CL_MEM_READ_WRITE, preprocessOutputBytes(p));
    ASSERT_TRUE(out);

    DeviceYuvFrame bad = f->device;
    bad.planes[2].offset = f->bytes.size();   // V beyond its buffer
    Status st = pre_->run(bad, p, out->get());
    EXPECT_EQ(st.code(), StatusCode::InvalidArgument);
    EXPECT_NE(st.message().find("V plane needs"), std::string::npos) << st.message();

    bad = f->device;
    bad.planes[1].width = 10;   // chroma narrower than ceil(64/2)
    st = pre_->run(bad, p, out->get());
    EXPECT_EQ(st.code(), StatusCode::InvalidArgument);

    st = pre_->run(f->device, p, out->get(), 4);   // output too small at that offset
    EXPECT_EQ(st.code(), StatusCode::InvalidArgument);
    EXPECT_NE(st.message().find("output needs"), std::string::npos) << st.message();
}

TEST(PreprocessReference, HalfConversionRoundsToNearestEven) {
    EXPECT_EQ(floatToHalf(0.0f), 0x0000);
    EXPECT_EQ(floatToHalf(-0.0f), 0x8000);
    EXPECT_EQ(floatToHalf(1.0f), 0x3c00);
    EXPECT_EQ(floatToHalf(-2.0f), 0xc000);
    EXPECT_EQ(floatToHalf(65504.0f), 0x7bff);
    EXPECT_EQ(floatToHalf(65520.0f), 0x7c00);            // rounds up to infinity
    EXPECT_EQ(floatToHalf(1.0f + 1.0f / 2048), 0x3c00);  // tie -> even
    EXPECT_EQ(floatToHalf(1.0f + 3.0f / 2048), 0x3c02);  // tie -> even (up)
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -24)), 0x0001);   // smallest subnormal
    EXPECT_EQ(floatToHalf(std::ldexp(1.0f, -25)), 0x0000);   // tie -> even (zero)
    EXPECT_EQ(floatToHalf(std::ldexp(1.5f, -25)), 0x0001);
    for (uint32_t h = 0; h < 0x7c00; ++h)
        ASSERT_EQ(floatToHalf(halfToFloat(uint16_t(h))), h) << h;
}

}  // namespace
}  // namespace sl::vision
