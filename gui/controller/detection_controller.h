#pragma once
// DetectionController: live detection for the player window (issue 5). Owns the ResultsStore and
// a DetectorWorker (a Detector on its own inference thread, drop-oldest queue): the view submits
// the frames it displays and never waits; results land in the store (keyed by frame index) and
// are announced as queued signals on the GUI thread. The overlay always reads the store, so a
// seek back shows stored boxes at once.
//
// Two inputs. Zero-copy (the live path with a bridge): the view lends the shown bridge slot and
// submitDevice()s its CL view (Detector::detect(DeviceYuvFrame)); for that the detector runs on
// the bridge's CL context (setSharedCompute(), which reloads the model on it) and the job's
// completion hands the slot back to the view on the GL thread. Host upload (display only, no
// bridge yet, the model still on another context): submit() a VideoFrame, the detector uploads it.
//
// Model loading (kernel builds take seconds) is a background task on the "model" lane of the UI
// task runner (app/ui_task_hook.h; its long-lived thread keeps the kernel-build helpers alive);
// the GUI stays responsive.
// It loads once, on the right context: while the view says its bridge is still to come
// (setAwaitingCompute), an enabled detector waits for that context instead of loading on its own
// first and again on the bridge's. On the bridge's context the detector gets its own CL queue
// (DetectorOptions::ownQueue): inference never delays the bridge's slot maps.
//
// First load (nn/runtime/preparation.h): the detector is made without measuring anything
// (DetectorOptions::measure = false), so boxes come as soon as the kernels are built; the load
// reports "layer n of N, k kernels built" (loadStatus()). What it left on defaults (conv kernel
// choices, fp32 vs fp16 storage) is measured by an nn::BackgroundPreparation on a context of its
// own at the lowest priority, and when it is done the model is loaded again from the caches and
// the new worker replaces the old one between frames (the old one is retired by a task on the
// "retire" lane: its last frame never stalls the GUI). preparationStatus() says where that is.
// ($SIGHTLINE_KERNEL_TUNING=off leaves only the storage to measure.)
//
// The store is shared with the window (EngineController::sharedResults(): the detections list,
// Analyse Range and exports use the same one). Changing the model, thresholds or class filter
// starts a new settings epoch: frames live inference computed under an older epoch are computed
// again when shown (their stored result is replaced); results it did not make (Analyse Range)
// are never discarded by a settings change.

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QStringList>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "media/video_frame.h"
#include "nn/runtime/preparation.h"
#include "pipeline/background_task.h"
#include "pipeline/detector_worker.h"
#include "pipeline/results_store.h"

namespace sl::compute {
class ComputeContext;
}

namespace sl::gui {

class DetectionController : public QObject {
    Q_OBJECT
public:
    // `store` null: the controller keeps its own.
    explicit DetectionController(std::shared_ptr<pipeline::ResultsStore> store = nullptr,
                                 QObject* parent = nullptr);
    ~DetectionController() override;

    // Installed model names (the store in the XDG data dir).
    static QStringList installedModels();

    bool isEnabled() const { return enabled_; }
    bool isReady() const { return worker_ != nullptr; }
    bool isLoading() const { return loading_; }
    // While loading: "layer 37 of 120, 12 kernels built" (empty before the first report).
    QString loadStatus() const { return loadStatus_; }
    // The background measuring: "measuring kernels: fp32 layer 40 of 120", "waiting for another
    // process's measurements", "" when none runs (done or not needed).
    QString preparationStatus() const { return preparationStatus_; }
    bool isPreparing() const { return !preparationStatus_.isEmpty(); }
    // Detectors swapped in after a background preparation (not counted in loadsStarted()).
    int upgrades() const { return upgrades_; }
    QString modelName() const { return model_; }
    QString deviceName() const { return device_; }
    QStringList labels() const { return labels_; }
    float confidence() const { return settings_.confidence; }
    float nms() const { return settings_.nms; }
    std::vector<int> classFilter() const { return settings_.classes; }

    void setEnabled(bool enabled);
    void setModel(const QString& name);          // loads it (asynchronously)
    void setConfidence(float value);
    void setNms(float value);
    void setClassFilter(const std::vector<int>& classes);   // empty: all
    void clearResults();                       // a new source opened

    // A frame the view shows (GUI thread, never blocks). Frames with stored results are skipped.
    void submit(const media::VideoFrame& frame);
    // Whether the frame needs inference now (not stored under the current settings, a model up).
    bool wants(int64_t frameIndex) const;
    // The bridge's CL context (null: none). A change reloads the model on it (or on its own
    // context), and destroys the current worker first: call it before that context goes away.
    // reload false: only stop (shutdown).
    void setSharedCompute(const compute::ComputeContext* compute, bool reload = true);
    // The worker's detector runs on `compute` (device frames of that context are accepted).
    bool runsOn(const compute::ComputeContext* compute) const;
    // The worker runs on the shared (bridge) context: device frames are accepted.
    bool zeroCopyReady() const { return runsOn(sharedCompute_); }
    // Zero-copy: a bridge slot's CL view (GUI thread, never blocks). job.done runs exactly once.
    // `decodedAt`: when the decoder finished the frame (VideoFrame::decodedAt), for the latency.
    void submitDevice(pipeline::DeviceFrameJob job,
                      std::chrono::steady_clock::time_point decodedAt = {});
    // The view's bridge (and so the context frames will live in) is not up yet: a load waits
    // for setSharedCompute() or for setAwaitingCompute(false) (no bridge: own context).
    void setAwaitingCompute(bool awaiting);
    // Models loaded so far (each load builds kernels: a measure of wasted loads).
    int loadsStarted() const { return loadsStarted_; }
    // Waits until the worker has finished every queued frame (before a bridge is recreated).
    void drain();
    // The path of the latest submitted frame: "bridge slot (zero-copy)" / "host upload" / "".
    QString inputPath() const { return inputPath_; }
    const pipeline::ResultsStore& store() const { return *store_; }
    pipeline::ResultsStore& store() { return *store_; }
    std::optional<pipeline::FrameDetections> resultFor(int64_t frameIndex) const;

    // The view painted `frameIndex` with its boxes for the first time: closes its latency sample
    // (from the frame's decode completion; frames without a decode time are not sampled).
    void notePainted(int64_t frameIndex);

    pipeline::DetectorWorkerStats stats() const;
    double inferenceFps() const;               // processed results per second, last ~2 s
    // Decode completion -> first paint with boxes: median of the last 60 samples, and every
    // recent sample (at most 2000, oldest first) for measurements.
    std::optional<double> latencyMedianMs() const;
    std::vector<double> latencySamplesMs() const {
        return {latenciesMs_.begin(), latenciesMs_.end()};
    }

signals:
    void resultReady(qint64 frameIndex);
    void stateChanged();                       // enabled / model / loading / settings
    void errorOccurred(const QString& message);

private:
    void startWorker(std::unique_ptr<pipeline::Detector> detector);
    void startPreparation(const pipeline::Detector& detector);
    void stopPreparation();
    void retire(std::unique_ptr<pipeline::DetectorWorker> worker);
    void startLoad();   // model_ on sharedCompute_ (or its own context), as a "model" task
    void waitForLoads();   // cancels queued loads, waits for a running one (it borrows contexts)
    void onResult(int64_t frameIndex);
    void applySettings();
    bool isCurrent(int64_t frameIndex) const;   // stored, and not stale live inference
    void noteSubmitted(int64_t frameIndex, std::chrono::steady_clock::time_point decodedAt);

    const compute::ComputeContext* sharedCompute_ = nullptr;
    bool awaitingCompute_ = false;
    bool loadDeferred_ = false;   // a load waits for the view's context
    int loadsStarted_ = 0;
    QString inputPath_;

    bool enabled_ = false;
    bool loading_ = false;
    QString model_;
    QString device_;
    QStringList labels_;
    pipeline::DetectorSettings settings_;
    std::shared_ptr<pipeline::ResultsStore> store_;
    int epoch_ = 0;
    std::map<int64_t, int> submittedEpoch_;   // in flight: the epoch it was submitted under
    std::map<int64_t, int> liveEpoch_;        // computed by live inference, under that epoch
    std::unique_ptr<pipeline::DetectorWorker> worker_;
    std::vector<pipeline::TaskHandle> loads_;   // unfinished loads (a newer one cancels older)
    int loadGeneration_ = 0;
    QString loadStatus_;
    bool upgrading_ = false;   // the load in progress follows a background preparation
    int upgrades_ = 0;
    std::unique_ptr<nn::BackgroundPreparation> preparation_;
    int preparationGeneration_ = 0;
    QString preparationStatus_;
    std::vector<pipeline::TaskHandle> retired_;   // old workers finishing their last frame
    // Counts of the workers replaced so far (a reload, an upgrade to measured kernels), so that
    // stats() never goes backwards. A retired worker's last frame is not counted.
    pipeline::DetectorWorkerStats pastStats_;
    void keepStats(const pipeline::DetectorWorker* worker);
    std::vector<pipeline::TaskHandle> retiredPreparations_;   // cancelled preparations ending
    static void waitAll(std::vector<pipeline::TaskHandle>& tasks);

    // Latency: when each submitted frame was decoded, until the paint that first showed its
    // boxes.
    std::map<int64_t, std::chrono::steady_clock::time_point> submittedAt_;
    std::deque<double> latenciesMs_;
    std::deque<std::chrono::steady_clock::time_point> resultTimes_;
};

}  // namespace sl::gui
