#pragma once
// DetectorWorker: a Detector on its own inference thread, for the live view. The GUI (or a player
// callback) submit()s decoded frames without ever waiting; results arrive through a callback on
// the worker thread (the GUI turns it into a queued Qt signal) and, when given, in a ResultsStore.
//
//   auto det = pipeline::Detector::load("yolox-nano");
//   pipeline::DetectorWorker worker(std::move(*det), {.store = &store, .onResult = post});
//   worker.submit(frame);                      // any thread, never blocks in DropOldest mode
//
// Queue policy: DropOldest (live view, cameras: the newest frame wins, drops are counted) or Block
// (a file analysed frame by frame: submit() waits for room, nothing is dropped).
// Frames whose index already has a result in the store are skipped (seeking back redraws stored
// boxes instead of recomputing them).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "media/video_frame.h"
#include "pipeline/detector.h"
#include "pipeline/results_store.h"

namespace sl::pipeline {

struct DetectorWorkerOptions {
    enum class Policy { DropOldest, Block };
    Policy policy = Policy::DropOldest;
    size_t capacity = 2;                  // frames waiting for the detector
    ResultsStore* store = nullptr;        // (optional) borrowed; must outlive the worker
    bool skipStored = true;               // do not recompute frames the store already has
    // (optional) Called on the worker thread for every result / failure.
    std::function<void(const FrameDetections&)> onResult;
    std::function<void(const Status&)> onError;
};

struct DetectorWorkerStats {
    int64_t submitted = 0;
    int64_t processed = 0;
    int64_t dropped = 0;     // replaced by newer frames (DropOldest)
    int64_t skipped = 0;     // already in the store
    int64_t failed = 0;
};

class DetectorWorker {
public:
    DetectorWorker(std::unique_ptr<Detector> detector, DetectorWorkerOptions options);
    // Stops the thread: frames still queued are discarded, the one in flight finishes.
    ~DetectorWorker();
    DetectorWorker(const DetectorWorker&) = delete;
    DetectorWorker& operator=(const DetectorWorker&) = delete;

    // Any thread. False once stopped.
    bool submit(const media::VideoFrame& frame);
    // Waits until every submitted frame has been processed, dropped or skipped.
    void drain();
    // Thresholds / class filter for the following frames (any thread).
    void setSettings(const DetectorSettings& s) { detector_->setSettings(s); }
    DetectorWorkerStats stats() const;
    const Detector& detector() const { return *detector_; }

private:
    void run();

    std::unique_ptr<Detector> detector_;
    DetectorWorkerOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_, room_, idle_;
    std::deque<media::VideoFrame> queue_;
    bool stop_ = false;
    bool busy_ = false;
    DetectorWorkerStats stats_;
    std::thread thread_;
};

}  // namespace sl::pipeline
