// DetectorWorker: the live-view detector thread. Block policy processes every frame; DropOldest
// never blocks the submitter and accounts for every frame; stored frames are not recomputed.
// Uses the first frames of the demo video (FAILS when packaging/fetch-demo.sh has not run).

#include <gtest/gtest.h>

#include <CL/cl.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "compute/cl_context.h"
#include "media/media_source.h"
#include "pipeline/detector_worker.h"

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }
fs::path demoVideo() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "vtest.avi";
}

std::vector<media::VideoFrame> firstFrames(int n) {
    std::vector<media::VideoFrame> frames;
    media::MediaSource src;
    media::OpenOptions o;
    o.url = demoVideo().string();
    EXPECT_TRUE(src.open(o));
    for (int i = 0; i < n; ++i) {
        auto f = src.readFrame();
        if (!f) break;
        frames.push_back(*f);
    }
    return frames;
}

TEST(PipelineDetectorWorker, BlockDropAndSkipStored) {
    ASSERT_TRUE(fs::exists(demoVideo())) << "missing " << demoVideo()
                                         << ": run packaging/fetch-demo.sh";
    const auto frames = firstFrames(12);
    ASSERT_EQ(frames.size(), 12u);
    {
        auto det = Detector::load(modelPath().string());
        ASSERT_TRUE(det) << det.status().message();
        ResultsStore store;
        std::atomic<int> results{0};
        DetectorWorkerOptions o;
        o.policy = DetectorWorkerOptions::Policy::Block;
        o.store = &store;
        o.onResult = [&](const FrameDetections& r) {
            ++results;
            EXPECT_EQ(r.width, 768);
        };
        DetectorWorker w(std::move(*det), o);
        for (int i = 0; i < 6; ++i) ASSERT_TRUE(w.submit(frames[size_t(i)]));
        w.drain();
        EXPECT_EQ(results.load(), 6);
        EXPECT_EQ(store.size(), 6u);
        EXPECT_EQ(store.labels().size(), 80u);
        const auto first = store.at(0);
        ASSERT_TRUE(first);
        bool person = false;
        for (const auto& d : first->detections) person |= d.classId == 0;
        EXPECT_TRUE(person);
        // Seeking back: frame 0 is stored, so it is skipped.
        ASSERT_TRUE(w.submit(frames[0]));
        w.drain();
        EXPECT_EQ(w.stats().skipped, 1);
        EXPECT_EQ(w.stats().processed, 6);
    }
    {
        auto det = Detector::load(modelPath().string());
        ASSERT_TRUE(det) << det.status().message();
        DetectorWorkerOptions o;
        o.policy = DetectorWorkerOptions::Policy::DropOldest;
        o.capacity = 1;
        DetectorWorker w(std::move(*det), o);
        for (const auto& f : frames) ASSERT_TRUE(w.submit(f));   // faster than inference
        w.drain();
        const DetectorWorkerStats s = w.stats();
        EXPECT_EQ(s.submitted, 12);
        EXPECT_EQ(s.processed + s.dropped, 12);
        EXPECT_GT(s.dropped, 0);
        EXPECT_EQ(s.failed, 0);
    }
}

// A frame's planes copied into one device buffer of `ctx`, as a bridge slot holds them.
struct DeviceCopy {
    cl_mem mem = nullptr;
    vision::DeviceYuvFrame frame;
    ~DeviceCopy() {
        if (mem) clReleaseMemObject(mem);
    }
};

void toDevice(const compute::ComputeContext& ctx, const media::VideoFrame& f, DeviceCopy* out) {
    std::vector<uint8_t> bytes;
    std::array<size_t, 3> offsets{};
    for (int p = 0; p < f.planeCount(); ++p) {
        offsets[size_t(p)] = bytes.size();
        const size_t row = size_t(f.planeWidth(p)) * (f.format() == media::PixelFormat::Nv12 &&
                                                              p == 1 ? 2 : 1);
        for (int y = 0; y < f.planeHeight(p); ++y) {
            const uint8_t* src = f.plane(p) + ptrdiff_t(y) * f.stride(p);
            bytes.insert(bytes.end(), src, src + row);
        }
        out->frame.planes[size_t(p)] = interop::PlaneView{nullptr, offsets[size_t(p)], int(row),
                                                          f.planeWidth(p), f.planeHeight(p)};
    }
    cl_int err = CL_SUCCESS;
    out->mem = clCreateBuffer(ctx.context(), CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                              bytes.size(), bytes.data(), &err);
    ASSERT_EQ(err, CL_SUCCESS);
    for (int p = 0; p < f.planeCount(); ++p) out->frame.planes[size_t(p)].mem = out->mem;
    out->frame.format = f.format();
    out->frame.width = f.width();
    out->frame.height = f.height();
    out->frame.matrix = f.colorMatrix();
    out->frame.range = f.colorRange();
    out->frame.chroma = f.chromaLocation();
}

// Device frames (the zero-copy hand-off): counted apart from host uploads, `done` runs once per
// job on every path (processed, dropped, discarded), results match the host-upload path.
TEST(PipelineDetectorWorker, DeviceFramesCallDoneOnceAndMatchHostUpload) {
    ASSERT_TRUE(fs::exists(demoVideo())) << "missing " << demoVideo();
    const auto frames = firstFrames(8);
    ASSERT_EQ(frames.size(), 8u);
    auto det = Detector::load(modelPath().string());
    ASSERT_TRUE(det) << det.status().message();
    const compute::ComputeContext* ctx = (*det)->compute();
    ASSERT_NE(ctx, nullptr);
    auto reference = (*det)->detect(frames[0]);
    ASSERT_TRUE(reference) << reference.status().message();

    std::vector<DeviceCopy> copies(frames.size());
    for (size_t i = 0; i < frames.size(); ++i) toDevice(*ctx, frames[i], &copies[i]);
    ResultsStore store;
    std::atomic<int> done{0}, processedDone{0};
    {
        DetectorWorkerOptions o;
        o.policy = DetectorWorkerOptions::Policy::DropOldest;
        o.capacity = 1;
        o.store = &store;
        DetectorWorker w(std::move(*det), o);
        for (size_t i = 0; i < frames.size(); ++i) {
            DeviceFrameJob job;
            job.frame = copies[i].frame;
            job.meta = FrameMeta{frames[i].index(), frames[i].pts(), frames[i].seconds()};
            job.done = [&](bool processed) {
                ++done;
                if (processed) ++processedDone;
            };
            ASSERT_TRUE(w.submitDevice(std::move(job)));
            if (i == 0) w.drain();   // frame 0 is always processed (the comparison below)
        }
        w.drain();
        const DetectorWorkerStats s = w.stats();
        EXPECT_EQ(s.submitted, 8);
        EXPECT_EQ(s.processed + s.dropped, 8);
        EXPECT_EQ(s.deviceJobs, s.processed);
        EXPECT_EQ(s.hostJobs, 0);
        EXPECT_EQ(done.load(), 8);
        EXPECT_EQ(processedDone.load(), s.processed);
    }
    const auto live = store.at(frames[0].index());
    ASSERT_TRUE(live);
    ASSERT_EQ(live->detections.size(), reference->detections.size());
    for (size_t i = 0; i < live->detections.size(); ++i) {
        const auto& a = live->detections[i].box;
        const auto& b = reference->detections[i].box;
        EXPECT_EQ(live->detections[i].classId, reference->detections[i].classId);
        EXPECT_NEAR(a.x1, b.x1, 0.5f);
        EXPECT_NEAR(a.y1, b.y1, 0.5f);
        EXPECT_NEAR(a.x2, b.x2, 0.5f);
        EXPECT_NEAR(a.y2, b.y2, 0.5f);
    }
}

}  // namespace
}  // namespace sl::pipeline
