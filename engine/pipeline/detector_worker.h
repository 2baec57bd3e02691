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
//
// Device frames (zero-copy hand-off from a FrameBridge slot): submitDevice() queues the slot's CL
// view instead of a VideoFrame; the detector must run on the bridge's ComputeContext
// (DetectorOptions::compute). The job's `done` callback runs exactly once on every path
// (processed, failed, dropped, skipped, discarded at shutdown, refused) so the owner can unmap and
// release the slot; it runs on the worker thread (or the submitting one when refused) and must
// not call the bridge itself: bridge calls belong on the GL thread, so post them there.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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

// A frame already in device memory of the detector's CL context (a mapped bridge slot).
struct DeviceFrameJob {
    vision::DeviceYuvFrame frame;   // {cl->format, cl->width, cl->height, cl->planes, ...}
    cl_event ready = nullptr;       // the bridge's ready event (owned by the bridge), or null
    FrameMeta meta;
    // Called once, whatever happens to the job; `processed` is false for dropped, skipped,
    // failed and discarded jobs. Once called the device no longer reads the planes.
    std::function<void(bool processed)> done;
};

struct DetectorWorkerStats {
    int64_t submitted = 0;
    int64_t processed = 0;
    int64_t dropped = 0;     // replaced by newer frames (DropOldest)
    int64_t skipped = 0;     // already in the store
    int64_t failed = 0;
    int64_t deviceJobs = 0;   // processed from device frames (zero-copy)
    int64_t hostJobs = 0;     // processed from VideoFrames (planes uploaded by the detector)

    DetectorWorkerStats& operator+=(const DetectorWorkerStats& o) {
        submitted += o.submitted;
        processed += o.processed;
        dropped += o.dropped;
        skipped += o.skipped;
        failed += o.failed;
        deviceJobs += o.deviceJobs;
        hostJobs += o.hostJobs;
        return *this;
    }
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
    // Any thread. False (and job.done(false) already called) once stopped, or when the detector
    // has no CL context.
    bool submitDevice(DeviceFrameJob job);
    // Waits until every submitted frame has been processed, dropped or skipped.
    void drain();
    // Thresholds / class filter for the following frames (any thread).
    void setSettings(const DetectorSettings& s) { detector_->setSettings(s); }
    DetectorWorkerStats stats() const;
    const Detector& detector() const { return *detector_; }

private:
    struct Job {
        media::VideoFrame frame;                 // host path
        std::optional<DeviceFrameJob> device;    // device path
        int64_t index() const { return device ? device->meta.frameIndex : frame.index(); }
    };
    bool enqueue(Job job);
    static void finish(Job& job, bool processed);
    void run();

    std::unique_ptr<Detector> detector_;
    DetectorWorkerOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_, room_, idle_;
    std::deque<Job> queue_;
    bool stop_ = false;
    bool busy_ = false;
    DetectorWorkerStats stats_;
    std::thread thread_;
};

}  // namespace sl::pipeline
