// Detection on every native pixel format (media/pixel_format.h) against the same picture
// converted to packed RGB by FFmpeg. Each input is made from a real photograph (darknet's
// giraffe.jpg, yuvj444p, and dog.jpg, yuvj420p; packaging/fetch-test-images.sh) by the ffmpeg
// CLI in a container that keeps the format (rawvideo in NUT; FFV1 in Matroska for yuv440p10le,
// which NUT cannot tag; P010, which no container here keeps as is, is made in-process by
// swscale from the decoded yuv420p10le frame). The decoder must deliver the format itself (no
// squeeze); the reference is that decoded frame converted by swscale to rgb24 (accurate
// rounding, full chroma interpolation, the frame's own matrix, range and chroma siting), detected
// as packed RGB. Boxes must match within IoU >= 0.98 class by class (compareWithRgb), the
// network inputs within one code value, and the preprocess kernel must equal its CPU reference
// bit for bit on the real frame. The JPEG itself (full range) is a case too.
// Fails (never skips) when the images, the model or ffmpeg are missing.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <unistd.h>

#include "compute/cl_context.h"
#include "media/media_source.h"
#include "pipeline/detector.h"
#include "support/ffmpeg_rgb.h"
#include "vision/preprocess.h"
#include "vision/preprocess_reference.h"

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;
using media::PixelFormat;

constexpr float kMinIoU = 0.98f;
// The score threshold compared at, and the margin around it within which a box may be above
// it on one side only (compareWithRgb says why).
constexpr float kThreshold = 0.3f;
constexpr float kMargin = 0.05f;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

fs::path imageDir() {
    if (const char* d = std::getenv("SIGHTLINE_TEST_IMAGES"); d && *d) return d;
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "test-images";
}

using sl::testing::swsConvert;

class DetectPixelFormatTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
        DetectorOptions o;
        o.settings.confidence = kThreshold - kMargin;
        auto det = Detector::load(modelPath().string(), o);
        ASSERT_TRUE(det) << det.status().message();
        det_ = std::move(*det);
        auto ctx = compute::ComputeContext::create();
        ASSERT_TRUE(ctx) << ctx.status().message();
        ctx_ = std::make_unique<compute::ComputeContext>(std::move(*ctx));
        auto pre = vision::Preprocessor::create(*ctx_);
        ASSERT_TRUE(pre) << pre.status().message();
        pre_ = std::make_unique<vision::Preprocessor>(std::move(*pre));
        dir_ = fs::temp_directory_path() /
               ("sl_pixfmt_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // The first frame of `file` as the decoder delivers it.
    Expected<media::VideoFrame> decode(const fs::path& file) {
        media::MediaSource src;
        media::OpenOptions open;
        open.url = file.string();
        SL_TRY(src.open(open));
        return src.readFrame();
    }

    // The kernel on `frame` (planes uploaded as they are) vs the CPU reference, bit for bit.
    void expectKernelExact(const media::VideoFrame& frame, const std::string& what) {
        vision::PreprocessParams p;
        vision::HostYuvFrame host;
        vision::DeviceYuvFrame dev;
        host.format = dev.format = frame.format();
        host.width = dev.width = frame.width();
        host.height = dev.height = frame.height();
        host.matrix = dev.matrix = frame.colorMatrix();
        host.range = dev.range = frame.colorRange();
        host.chroma = dev.chroma = frame.chromaLocation();
        std::vector<compute::ClMem> mems;
        for (int i = 0; i < frame.planeCount(); ++i) {
            const size_t bytes = size_t(frame.stride(i)) * size_t(frame.planeHeight(i));
            auto mem = ctx_->createBuffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes,
                                          const_cast<uint8_t*>(frame.plane(i)));
            ASSERT_TRUE(mem) << mem.status().message();
            host.planes[size_t(i)] = {frame.plane(i), frame.stride(i), frame.planeWidth(i),
                                      frame.planeHeight(i)};
            dev.planes[size_t(i)] = {mem->get(), 0, frame.stride(i), frame.planeWidth(i),
                                     frame.planeHeight(i)};
            mems.push_back(std::move(*mem));
        }
        const size_t n = size_t(3) * p.dstWidth * p.dstHeight;
        auto out = ctx_->createBuffer(CL_MEM_READ_WRITE, vision::preprocessOutputBytes(p));
        ASSERT_TRUE(out);
        ASSERT_TRUE(pre_->run(dev, p, out->get()));
        std::vector<float> want(n), got(n);
        vision::preprocessReference(host, p, want.data());
        ASSERT_TRUE(ctx_->read(out->get(), 0, n * 4, got.data()));
        EXPECT_EQ(std::memcmp(want.data(), got.data(), n * 4), 0)
            << what << ": kernel differs from its reference";
    }

    // The CPU reference's tensor of a frame (the kernel equals it bit for bit).
    static std::vector<float> tensorOf(const media::VideoFrame& f) {
        vision::HostYuvFrame h;
        h.format = f.format();
        h.width = f.width();
        h.height = f.height();
        h.matrix = f.colorMatrix();
        h.range = f.colorRange();
        h.chroma = f.chromaLocation();
        for (int i = 0; i < f.planeCount(); ++i)
            h.planes[size_t(i)] = {f.plane(i), f.stride(i), f.planeWidth(i), f.planeHeight(i)};
        const vision::PreprocessParams p;
        std::vector<float> t(size_t(3) * p.dstWidth * p.dstHeight);
        vision::preprocessReference(h, p, t.data());
        return t;
    }

    // Detections on `frame` vs on FFmpeg's RGB of it; returns the smallest IoU of a matched box.
    float compareWithRgb(const media::VideoFrame& frame, const std::string& what) {
        // swscale's, well defined (support/ffmpeg_rgb.h says how, and why through planar GBR).
        media::AvFramePtr rgb = sl::testing::ffmpegRgb24(frame);
        EXPECT_TRUE(rgb) << what;
        if (!rgb) return 0;
        const media::VideoFrame rgbFrame(rgb.get(), PixelFormat::Rgb24, 0, 1, 25, 0);

        // The network input first: within one 8-bit code value of the RGB picture's (swscale
        // rounds in fixed point, the kernel in float), so a box that moves is not the input's
        // fault. 1e-3 leaves room for float error in the interpolation of rounded values only.
        const std::vector<float> a = tensorOf(frame), b = tensorOf(rgbFrame);
        float maxDiff = 0;
        for (size_t i = 0; i < a.size(); ++i) maxDiff = std::max(maxDiff, std::fabs(a[i] - b[i]));
        EXPECT_LE(maxDiff, 1.001f) << what << ": tensor differs from the RGB picture's";

        auto ours = det_->detect(frame);
        auto ref = det_->detect(rgbFrame);
        EXPECT_TRUE(ours && ref) << what;
        if (!ours || !ref) return 0;
        EXPECT_FALSE(ref->detections.empty()) << what << ": nothing found in the RGB picture";
        // Every box at or above kThreshold on one side needs a box of its class on the other
        // with IoU >= kMinIoU. The other side is searched down to kThreshold - kMargin (the
        // detector runs at that confidence; boxes above kThreshold are the same as at
        // kThreshold, as greedy NMS only lets higher scores suppress), so a box that merely
        // crosses the threshold still has to be in the same place. It may be missing above the
        // threshold on the other side only when both scores lie within kMargin of it: a score
        // near a threshold flips with any change, and the pipeline then shows it in one run and
        // not the other. A box above kThreshold + kMargin, or one absent even at
        // kThreshold - kMargin, or one that moved, fails.
        float worst = 1;
        const auto check = [&](const auto& from, const auto& to, const char* side) {
            for (const vision::Detection& d : from) {
                if (d.score < kThreshold) continue;
                const vision::Detection* match = nullptr;
                float best = 0;
                for (const vision::Detection& o : to) {
                    const float iou = o.classId == d.classId ? vision::iou(o.box, d.box) : 0;
                    if (iou > best) {
                        best = iou;
                        match = &o;
                    }
                }
                worst = std::min(worst, best);
                EXPECT_GE(best, kMinIoU) << what << ": " << side << " class " << d.classId
                                         << " score " << d.score;
                if (match && match->score < kThreshold) {
                    EXPECT_LT(d.score, kThreshold + kMargin)
                        << what << ": " << side << " class " << d.classId << " score "
                        << d.score << " is " << match->score << " on the other side";
                }
            }
        };
        check(ref->detections, ours->detections, "rgb");
        check(ours->detections, ref->detections, "native");
        return worst;
    }

    void checkImage(const char* name) {
        const fs::path image = imageDir() / name;
        ASSERT_TRUE(fs::exists(image)) << "missing " << image
                                       << ": run packaging/fetch-test-images.sh";
        {   // The JPEG as it is (yuvj4xxp: full range).
            auto jpeg = decode(image);
            ASSERT_TRUE(jpeg) << jpeg.status().message();
            EXPECT_EQ(jpeg->colorRange(), media::ColorRange::Full);
            const std::string what = std::string(name) + " as decoded (" +
                                     media::pixelFormatName(jpeg->format()) + ")";
            expectKernelExact(*jpeg, what);
            std::printf("[ info     ] %s: min IoU vs rgb %.4f\n", what.c_str(),
                        compareWithRgb(*jpeg, what));
        }
        media::VideoFrame p010Source;
        for (PixelFormat fmt : media::kPixelFormats) {
            const std::string what = std::string(name) + " " + media::pixelFormatName(fmt);
            media::VideoFrame frame;
            if (fmt == PixelFormat::P010) {
                ASSERT_TRUE(p010Source.valid());
                media::AvFramePtr p010 =
                    swsConvert(p010Source.avFrame(), AV_PIX_FMT_P010LE, p010Source.colorMatrix(),
                               p010Source.colorRange(), p010Source.chromaLocation());
                ASSERT_TRUE(p010);
                frame = media::VideoFrame(p010.get(), fmt, 0, 1, 25, 0);
            } else {
                const bool ffv1 = fmt == PixelFormat::Yuv440p10;
                const fs::path file = dir_ / (std::string(media::pixelFormatName(fmt)) +
                                              (ffv1 ? ".mkv" : ".nut"));
                const std::string cmd = "ffmpeg -v error -y -i '" + image.string() +
                                        "' -pix_fmt " + media::pixelFormatName(fmt) +
                                        (ffv1 ? " -c:v ffv1 '" : " -c:v rawvideo -f nut '") +
                                        file.string() + "'";
                ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
                auto decoded = decode(file);
                ASSERT_TRUE(decoded) << what << ": " << decoded.status().message();
                frame = *decoded;
            }
            ASSERT_EQ(frame.format(), fmt) << what << ": the decoder converted it";
            if (fmt == PixelFormat::Yuv420p10) p010Source = frame;
            expectKernelExact(frame, what);
            std::printf("[ info     ] %s: min IoU vs rgb %.4f\n", what.c_str(),
                        compareWithRgb(frame, what));
        }
    }

    std::unique_ptr<Detector> det_;
    std::unique_ptr<compute::ComputeContext> ctx_;
    std::unique_ptr<vision::Preprocessor> pre_;
    fs::path dir_;
};

TEST_F(DetectPixelFormatTest, GiraffeEveryFormatMatchesRgb) { checkImage("giraffe.jpg"); }
TEST_F(DetectPixelFormatTest, DogEveryFormatMatchesRgb) { checkImage("dog.jpg"); }

}  // namespace
}  // namespace sl::pipeline
