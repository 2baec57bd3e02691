// Detector::detectBatch (several frames, one network run at batch N) against detect() of each
// frame alone on the batch-1 session: the same boxes per frame (count, classes, coordinates
// within 0.05 px, scores within 1e-4) on four real photographs of different sizes, one of them
// converted to NV12 and one to packed RGB (mixed pixel formats in one batch). OpenCL at batch 4
// (full, partial, host and device frames) and 2 (chunks), the CPU reference at batch 2. Fails
// (never skips) when the images or the model are missing.
//
// Run time: two OpenCL detectors (each a batch-1 and a batch-N session; the batch sessions
// reuse the batch-1 session's programs from the program cache) and one cpu-ref detector.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include "compute/cl_context.h"
#include "media/media_source.h"
#include "pipeline/detector.h"
#include "support/ffmpeg_rgb.h"

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr float kMaxBoxDelta = 0.05f;    // source pixels
constexpr float kMaxScoreDelta = 1e-4f;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

fs::path imageDir() {
    if (const char* d = std::getenv("SIGHTLINE_TEST_IMAGES"); d && *d) return d;
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "test-images";
}

Expected<media::VideoFrame> decodeImage(const fs::path& file) {
    media::MediaSource src;
    media::OpenOptions open;
    open.url = file.string();
    SL_TRY(src.open(open));
    return src.readFrame();
}

// Sorted by class, then position: the same set of boxes compares equal whatever the order of
// near-equal scores.
std::vector<vision::Detection> sorted(std::vector<vision::Detection> d) {
    std::sort(d.begin(), d.end(), [](const vision::Detection& a, const vision::Detection& b) {
        if (a.classId != b.classId) return a.classId < b.classId;
        if (a.box.x1 != b.box.x1) return a.box.x1 < b.box.x1;
        return a.box.y1 < b.box.y1;
    });
    return d;
}

void expectSame(const FrameDetections& want, const FrameDetections& got, const std::string& what) {
    EXPECT_EQ(got.frameIndex, want.frameIndex) << what;
    EXPECT_EQ(got.pts, want.pts) << what;
    EXPECT_EQ(got.width, want.width) << what;
    EXPECT_EQ(got.height, want.height) << what;
    ASSERT_EQ(got.detections.size(), want.detections.size()) << what;
    const auto a = sorted(want.detections), b = sorted(got.detections);
    for (size_t i = 0; i < a.size(); ++i) {
        const std::string at = what + " detection " + std::to_string(i);
        EXPECT_EQ(b[i].classId, a[i].classId) << at;
        EXPECT_NEAR(b[i].score, a[i].score, kMaxScoreDelta) << at;
        EXPECT_NEAR(b[i].box.x1, a[i].box.x1, kMaxBoxDelta) << at;
        EXPECT_NEAR(b[i].box.y1, a[i].box.y1, kMaxBoxDelta) << at;
        EXPECT_NEAR(b[i].box.x2, a[i].box.x2, kMaxBoxDelta) << at;
        EXPECT_NEAR(b[i].box.y2, a[i].box.y2, kMaxBoxDelta) << at;
    }
}

// A frame's planes copied into a device buffer of `ctx` (what a bridge slot holds).
struct DeviceFrame {
    compute::ClMem mem;
    vision::DeviceYuvFrame frame;
};

DeviceFrame upload(const compute::ComputeContext& ctx, const media::VideoFrame& f) {
    DeviceFrame d;
    size_t offsets[3] = {}, total = 0;
    for (int i = 0; i < f.planeCount(); ++i) {
        offsets[i] = total;
        total += (size_t(f.stride(i)) * size_t(f.planeHeight(i)) + 255) & ~size_t(255);
    }
    auto mem = ctx.createBuffer(CL_MEM_READ_ONLY, total);
    EXPECT_TRUE(mem) << mem.status().message();
    if (!mem) return d;
    d.mem = std::move(*mem);
    d.frame.format = f.format();
    d.frame.width = f.width();
    d.frame.height = f.height();
    d.frame.matrix = f.colorMatrix();
    d.frame.range = f.colorRange();
    d.frame.chroma = f.chromaLocation();
    for (int i = 0; i < f.planeCount(); ++i) {
        EXPECT_TRUE(ctx.write(d.mem.get(), offsets[i],
                              size_t(f.stride(i)) * size_t(f.planeHeight(i)), f.plane(i)));
        d.frame.planes[size_t(i)] = {d.mem.get(), offsets[i], f.stride(i), f.planeWidth(i),
                                     f.planeHeight(i)};
    }
    return d;
}

DetectorOptions options(nn::Device device, int batch) {
    DetectorOptions o;
    o.device = device;
    o.storage = nn::Storage::Fp32;   // the same storage for every session compared
    o.batch = batch;
    o.partialBatch = DetectorOptions::PartialBatch::Pad;   // the batch session, slots unused
    o.tuningBudgetMs = 0;
    return o;
}

class DetectBatch : public ::testing::Test {
protected:
    // Four photographs of different sizes; the second as NV12, the fourth as packed RGB.
    static void SetUpTestSuite() {
        frames_ = new std::vector<media::VideoFrame>();
        int index = 0;
        for (const char* name : {"dog.jpg", "person.jpg", "horses.jpg", "giraffe.jpg"}) {
            auto f = decodeImage(imageDir() / name);
            if (!f) return;   // the test reports it
            media::VideoFrame frame = *f;
            if (index == 1) {
                media::AvFramePtr nv12 =
                    testing::swsConvert(frame.avFrame(), AV_PIX_FMT_NV12, frame.colorMatrix(),
                                        frame.colorRange(), frame.chromaLocation());
                if (!nv12) return;
                frame = media::VideoFrame(nv12.get(), media::PixelFormat::Nv12, 0, 1, 25, 0);
            } else if (index == 3) {
                media::AvFramePtr rgb = testing::ffmpegRgb24(frame);
                if (!rgb) return;
                frame = media::VideoFrame(rgb.get(), media::PixelFormat::Rgb24, 0, 1, 25, 0);
            }
            frame.setIndex(100 + index++);
            frames_->push_back(frame);
        }
    }
    static void TearDownTestSuite() {
        delete frames_;
        frames_ = nullptr;
    }
    void SetUp() override {
        ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
        ASSERT_EQ(frames_->size(), 4u)
            << "missing or undecodable test images in " << imageDir()
            << ": run packaging/fetch-test-images.sh";
        const std::vector<media::PixelFormat> formats = {
            (*frames_)[0].format(), (*frames_)[1].format(), (*frames_)[3].format()};
        EXPECT_EQ(formats[1], media::PixelFormat::Nv12);
        EXPECT_EQ(formats[2], media::PixelFormat::Rgb24);
        EXPECT_NE(formats[0], formats[1]);
    }

    // detect() of each frame (the batch-1 session of `det`).
    static std::vector<FrameDetections> singles(Detector& det,
                                                std::span<const media::VideoFrame> frames) {
        std::vector<FrameDetections> r;
        for (const media::VideoFrame& f : frames) {
            auto d = det.detect(f);
            EXPECT_TRUE(d) << d.status().message();
            if (!d) return {};
            r.push_back(std::move(*d));
        }
        return r;
    }

    static void expectAllSame(const std::vector<FrameDetections>& want,
                              const Expected<std::vector<FrameDetections>>& got,
                              const std::string& what) {
        ASSERT_TRUE(got) << what << ": " << got.status().message();
        ASSERT_EQ(got->size(), want.size()) << what;
        for (size_t i = 0; i < want.size(); ++i)
            expectSame(want[i], (*got)[i], what + " frame " + std::to_string(i));
    }

    static std::vector<media::VideoFrame>* frames_;
};

std::vector<media::VideoFrame>* DetectBatch::frames_ = nullptr;

TEST_F(DetectBatch, OpenClBatch4MatchesSingleFrames) {
    auto det = Detector::load(modelPath().string(), options(nn::Device::OpenCL, 4));
    ASSERT_TRUE(det) << det.status().message();
    Detector& d = **det;
    EXPECT_EQ(d.batch(), 4);
    EXPECT_GT(d.batchMemory().arenaBytes, 0u);
    const std::span<const media::VideoFrame> all(*frames_);
    const auto want = singles(d, all);
    ASSERT_EQ(want.size(), 4u);
    size_t boxes = 0;
    for (const auto& w : want) boxes += w.detections.size();
    EXPECT_GE(boxes, 8u) << "the photographs show several objects each";

    expectAllSame(want, d.detectBatch(all), "host batch of 4");
    EXPECT_EQ(d.lastTimings().runs, 1);
    // A partial batch: three frames, the fourth slot unused (it still holds the giraffe).
    expectAllSame({want.begin(), want.begin() + 3}, d.detectBatch(all.first(3)),
                  "host partial batch of 3");
    EXPECT_EQ(d.lastTimings().runs, 1);
    // Other frames in other slots: the order is the caller's.
    const std::vector<media::VideoFrame> reversed{(*frames_)[3], (*frames_)[2]};
    expectAllSame({want[3], want[2]}, d.detectBatch(reversed), "host partial batch of 2");

    // Device frames (a bridge's slots), with their meta.
    std::vector<DeviceFrame> dev;
    for (const media::VideoFrame& f : all) dev.push_back(upload(*d.compute(), f));
    std::vector<DeviceBatchFrame> batch;
    for (size_t i = 0; i < dev.size(); ++i)
        batch.push_back({dev[i].frame, {all[i].index(), all[i].pts(), all[i].seconds()}, {}});
    expectAllSame(want, d.detectBatch(batch), "device batch of 4");
    expectAllSame({want[0]}, d.detectBatch(std::span(batch).first(1)), "device partial batch of 1");
}

TEST_F(DetectBatch, OpenClBatch2RunsChunks) {
    auto det = Detector::load(modelPath().string(), options(nn::Device::OpenCL, 2));
    ASSERT_TRUE(det) << det.status().message();
    Detector& d = **det;
    const std::span<const media::VideoFrame> all(*frames_);
    const auto want = singles(d, all);
    ASSERT_EQ(want.size(), 4u);
    expectAllSame(want, d.detectBatch(all), "4 frames at batch 2");
    EXPECT_EQ(d.lastTimings().runs, 2);
    expectAllSame({want.begin(), want.begin() + 3}, d.detectBatch(all.first(3)),
                  "3 frames at batch 2");
    EXPECT_EQ(d.lastTimings().runs, 2);
}

TEST_F(DetectBatch, CpuReferenceBatch2MatchesSingleFrames) {
    auto det = Detector::load(modelPath().string(), options(nn::Device::CpuReference, 2));
    ASSERT_TRUE(det) << det.status().message();
    Detector& d = **det;
    // The two smallest photographs (the reference is slow): person (NV12) and giraffe (RGB).
    const std::vector<media::VideoFrame> two{(*frames_)[1], (*frames_)[3]};
    const auto want = singles(d, two);
    ASSERT_EQ(want.size(), 2u);
    expectAllSame(want, d.detectBatch(two), "cpu-ref batch of 2");
    expectAllSame({want[1]}, d.detectBatch(std::span(two).last(1)), "cpu-ref partial batch of 1");
}

TEST(DetectBatchOptions, RejectsBadBatchAndDeviceFramesOnCpuRef) {
    DetectorOptions o;
    o.device = nn::Device::CpuReference;
    o.batch = 0;
    auto bad = Detector::load(modelPath().string(), o);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.status().message().find("batch must be >= 1"), std::string::npos)
        << bad.status().message();
    o.batch = 1;
    auto det = Detector::load(modelPath().string(), o);
    ASSERT_TRUE(det) << det.status().message();
    EXPECT_EQ((*det)->batch(), 1);
    EXPECT_EQ((*det)->batchMemory().arenaBytes, 0u);
    const std::vector<DeviceBatchFrame> none(1);
    EXPECT_FALSE((*det)->detectBatch(none));
    auto empty = (*det)->detectBatch(std::span<const media::VideoFrame>());
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace sl::pipeline
