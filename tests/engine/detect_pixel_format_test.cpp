// Detection on every native pixel format (media/pixel_format.h) against the same picture
// converted to packed RGB by FFmpeg. Each input is made from a real photograph (darknet's
// giraffe.jpg, yuvj444p, and dog.jpg, yuvj420p; packaging/fetch-test-images.sh) by the ffmpeg
// CLI in a container that keeps the format (rawvideo in NUT; FFV1 in Matroska for yuv440p10le,
// which NUT cannot tag; P010, which no container here keeps as is, is made in-process by
// swscale from the decoded yuv420p10le frame). The decoder must deliver the format itself (no
// squeeze); the reference is that decoded frame converted by swscale to rgb24 (accurate
// rounding, full chroma interpolation, the frame's own matrix and range), detected as packed
// RGB. Boxes must match within IoU >= 0.98 class by class, and the preprocess kernel must equal
// its CPU reference bit for bit on the real frame. The JPEG itself (full range) is a case too.
// Fails (never skips) when the images, the model or ffmpeg are missing.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include <unistd.h>

extern "C" {
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include "compute/cl_context.h"
#include "media/media_source.h"
#include "pipeline/detector.h"
#include "vision/preprocess.h"
#include "vision/preprocess_reference.h"

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;
using media::PixelFormat;

constexpr float kMinIoU = 0.98f;
constexpr float kConfidence = 0.3f;
// Detections this far above the threshold must exist on both sides; nearer ones may flip.
constexpr float kMustMatchScore = 0.4f;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

fs::path imageDir() {
    if (const char* d = std::getenv("SIGHTLINE_TEST_IMAGES"); d && *d) return d;
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "test-images";
}

struct AvFrameFree {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using AvFramePtr = std::unique_ptr<AVFrame, AvFrameFree>;

// swscale of `in` to `to`, keeping matrix and range (to rgb: the frame's matrix and range in,
// full range out).
AvFramePtr convert(const AVFrame* in, AVPixelFormat to, media::ColorMatrix m,
                   media::ColorRange r) {
    AvFramePtr out(av_frame_alloc());
    out->format = to;
    out->width = in->width;
    out->height = in->height;
    if (av_frame_get_buffer(out.get(), 0) < 0) return nullptr;
    av_frame_copy_props(out.get(), in);
    SwsContext* sws = sws_getContext(in->width, in->height, AVPixelFormat(in->format), in->width,
                                     in->height, to,
                                     SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT |
                                         SWS_FULL_CHR_H_INP,
                                     nullptr, nullptr, nullptr);
    if (!sws) return nullptr;
    const int* coeffs =
        sws_getCoefficients(m == media::ColorMatrix::Bt709 ? SWS_CS_ITU709 : SWS_CS_ITU601);
    const bool full = r == media::ColorRange::Full;
    const bool toRgb = to == AV_PIX_FMT_RGB24;
    sws_setColorspaceDetails(sws, coeffs, full, coeffs, toRgb ? 1 : full, 0, 1 << 16, 1 << 16);
    sws_scale(sws, in->data, in->linesize, 0, in->height, out->data, out->linesize);
    sws_freeContext(sws);
    return out;
}

class DetectPixelFormatTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
        DetectorOptions o;
        o.settings.confidence = kConfidence;
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

    // Detections on `frame` vs on its FFmpeg rgb24 conversion; returns the smallest IoU.
    float compareWithRgb(const media::VideoFrame& frame, const std::string& what) {
        AvFramePtr rgb = convert(frame.avFrame(), AV_PIX_FMT_RGB24, frame.colorMatrix(),
                                 frame.colorRange());
        EXPECT_TRUE(rgb) << what;
        if (!rgb) return 0;
        const media::VideoFrame rgbFrame(rgb.get(), PixelFormat::Rgb24, 0, 1, 25, 0);
        auto ours = det_->detect(frame);
        auto ref = det_->detect(rgbFrame);
        EXPECT_TRUE(ours && ref) << what;
        if (!ours || !ref) return 0;
        float worst = 1;
        const auto best = [](const vision::Detection& d, const auto& list) {
            float b = 0;
            for (const auto& o : list)
                if (o.classId == d.classId) b = std::max(b, vision::iou(o.box, d.box));
            return b;
        };
        EXPECT_FALSE(ref->detections.empty()) << what << ": nothing found in the RGB picture";
        for (const auto& r : ref->detections) {
            if (r.score < kMustMatchScore) continue;
            const float iou = best(r, ours->detections);
            worst = std::min(worst, iou);
            EXPECT_GE(iou, kMinIoU) << what << ": class " << r.classId << " score " << r.score;
        }
        for (const auto& d : ours->detections) {
            if (d.score < kMustMatchScore) continue;
            const float iou = best(d, ref->detections);
            worst = std::min(worst, iou);
            EXPECT_GE(iou, kMinIoU) << what << ": extra class " << d.classId;
        }
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
                AvFramePtr p010 = convert(p010Source.avFrame(), AV_PIX_FMT_P010LE,
                                          p010Source.colorMatrix(), p010Source.colorRange());
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
