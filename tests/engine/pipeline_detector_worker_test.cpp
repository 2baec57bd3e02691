// DetectorWorker: the live-view detector thread. Block policy processes every frame; DropOldest
// never blocks the submitter and accounts for every frame; stored frames are not recomputed.
// Uses the first frames of the demo video (FAILS when packaging/fetch-demo.sh has not run).

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

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

}  // namespace
}  // namespace sl::pipeline
