#pragma once
// Preparation: measuring a model's per-device choices once, away from anything a user waits for.
//
// A session created with SessionOptions::measure = false (the CLI's and the workstation's
// detectors) is ready as soon as its kernels are built: cached conv choices and storage where
// they exist, the defaults elsewhere (results are the same; only the speed differs). What it
// left on defaults is measured here, by a throwaway session with measure = true and no time
// budget (every conv class, and fp32 against fp16 for storage auto), whose choices land in the
// on-disk caches (nn/ops/kernel_tuner.h, nn/runtime/storage_choice.h). The next session made for
// the model reads them and is fully prepared: the workstation swaps its detector for one such
// (gui DetectionController), `sightline prepare` runs this in the foreground with a progress bar.
//
// One preparation per device at a time, across processes: an flock(2) on
// "<kernel cache dir>/prepare-<device key>.lock" (the tuning and storage files are shared by every
// model on the device and rewritten whole: two measuring processes would drop each other's
// lines). A process that finds the lock taken does not measure the same classes again and does
// not block: prepareModel reports `busy`, BackgroundPreparation retries later and then finds the
// other process's choices cached (nothing left to measure). The lock dies with its process.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"
#include "nn/runtime/session.h"

namespace sl::nn {

struct PreparationReport {
    bool busy = false;            // another process holds the device's lock; nothing done
    bool cacheDisabled = false;   // $SIGHTLINE_KERNEL_CACHE=off: nothing could be kept
    int classesMeasured = 0;      // conv classes timed now
    int classesCached = 0;        // conv layers whose choice was already cached
    StorageChoice storage;        // how the session's storage was chosen (measured or cached)
    double ms = 0;                // wall time of the preparation
};

// Measures everything `model` has not measured yet on the device of `base` (its compute /
// clDeviceSelector, inputShapes, onProgress and cancel are used; device, measure, budget and
// storage are set here). waitForLock: block until another process's preparation ends (the
// `prepare` verb, which says so first through onBusy) instead of reporting busy.
struct PrepareModelOptions {
    SessionOptions session;
    bool waitForLock = false;
    std::function<void()> onBusy;   // waitForLock: called once before blocking
};
Expected<PreparationReport> prepareModel(const std::filesystem::path& model,
                                         const PrepareModelOptions& options);

// The device's lock file (whether or not it exists yet).
std::filesystem::path preparationLockPath(const compute::ComputeContext& cl);

// prepareModel on a thread of its own, at the lowest CPU priority (nice 19 for that thread: the
// host side of kernel builds and measurements yields to decoding, display and live inference).
// While another process holds the device's lock it retries every `retry` without measuring.
// onDone is called once, from that thread, unless the object is destroyed first (cancelled).
class BackgroundPreparation {
public:
    struct Options {
        std::filesystem::path model;
        const compute::ComputeContext* compute = nullptr;   // shared context; null: its own
        std::string clDeviceSelector;
        std::map<std::string, Shape> inputShapes;
        std::chrono::milliseconds retry{3000};
        std::function<void(const PrepareProgress&)> onProgress;
        std::function<void(const Expected<PreparationReport>&)> onDone;
    };
    explicit BackgroundPreparation(Options options);
    // Cancels (between nodes) and joins.
    ~BackgroundPreparation();
    BackgroundPreparation(const BackgroundPreparation&) = delete;
    BackgroundPreparation& operator=(const BackgroundPreparation&) = delete;

    // True while another process's preparation holds the lock (this one waits to retry).
    bool waitingForOtherProcess() const { return waiting_.load(); }

private:
    void run();

    Options options_;
    std::atomic<bool> cancel_{false};
    std::atomic<bool> waiting_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
};

}  // namespace sl::nn
