#include "controller/detection_controller.h"

#include <QPointer>

#include <algorithm>
#include <utility>

#include "app/ui_task_hook.h"
#include "compute/cl_context.h"
#include "compute/platform.h"
#include "models/model_store.h"
#include "pipeline/detector.h"

namespace sl::gui {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kLatencySamples = 2000;   // kept for measurements
constexpr size_t kLatencyMedianOf = 60;    // the HUD's median: the recent ones
constexpr auto kFpsWindow = std::chrono::seconds(2);

}  // namespace

DetectionController::DetectionController(std::shared_ptr<pipeline::ResultsStore> store,
                                         QObject* parent)
    : QObject(parent),
      store_(store ? std::move(store) : std::make_shared<pipeline::ResultsStore>()) {
    model_ = QString::fromLatin1(models::kDefaultModel);
}

DetectionController::~DetectionController() {
    // The worker, the loads, the preparation and retired workers post to this object or borrow
    // a context it was lent; all end before it does.
    preparation_.reset();
    worker_.reset();
    waitForLoads();
    waitAll(retired_);
    waitAll(retiredPreparations_);
}

void DetectionController::waitAll(std::vector<pipeline::TaskHandle>& tasks) {
    for (const auto& t : tasks) t.wait();
    tasks.clear();
}

void DetectionController::waitForLoads() {
    for (const auto& t : loads_) t.cancel();   // a queued one never starts; a running one ends
    waitAll(loads_);
}

QStringList DetectionController::installedModels() {
    QStringList names;
    for (const auto& m : models::ModelStore().list()) names << QString::fromStdString(m.name);
    return names;
}

void DetectionController::setEnabled(bool enabled) {
    if (enabled == enabled_) return;
    enabled_ = enabled;
    if (enabled_ && !worker_ && (!loading_ || loadDeferred_)) setModel(model_);
    emit stateChanged();
}

void DetectionController::setModel(const QString& name) {
    model_ = name;
    stopPreparation();
    upgrading_ = false;
    keepStats(worker_.get());
    worker_.reset();
    ++epoch_;   // another model: live results so far are stale
    submittedAt_.clear();
    startLoad();
}

void DetectionController::setAwaitingCompute(bool awaiting) {
    if (awaiting == awaitingCompute_) return;
    awaitingCompute_ = awaiting;
    if (!awaiting && loadDeferred_) startLoad();
}

void DetectionController::startLoad() {
    loading_ = true;
    const int generation = ++loadGeneration_;
    // Loads run one at a time on their lane; older ones are superseded by this one: a queued
    // one never starts, a running one stops at its next kernel (Detector::load polls the flag)
    // and its completion is dropped by generation.
    std::erase_if(loads_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    for (const auto& t : loads_) t.cancel();
    if (awaitingCompute_ && !sharedCompute_) {
        // The bridge's context is about to come: loading on our own first would build every
        // kernel twice.
        loadDeferred_ = true;
        emit stateChanged();
        return;
    }
    loadDeferred_ = false;
    if (!upgrading_) ++loadsStarted_;   // an upgrade is counted apart (upgrades())
    emit stateChanged();
    const compute::ComputeContext* shared = sharedCompute_;
    pipeline::TaskSpec spec("load model", "model",
                            [this, generation](const pipeline::TaskProgress& p) {
                                if (generation != loadGeneration_ || !loading_) return;
                                loadStatus_ = QString::fromStdString(p.text);
                                emit stateChanged();
                            });
    loads_.push_back(startUiTaskWithResult(
        this, std::move(spec),
        [name = model_.toStdString(), shared](pipeline::TaskContext& ctx) {
            // The bridge's CL context when there is one (bridged frames live there), else its
            // own ($SIGHTLINE_CL_DEVICE or automatic). On the bridge's, its own queue: inference
            // must not sit in front of the bridge's slot maps.
            pipeline::DetectorOptions options;
            options.compute = shared;
            options.ownQueue = shared != nullptr;
            // A superseded load stops at its next kernel (Cancelled, dropped by generation).
            // Both are only used during load() (createSibling() clears them).
            options.cancel = ctx.cancelFlag();
            options.onProgress = [&ctx](const nn::PrepareProgress& p) {
                ctx.progress(p.layers, p.layersTotal,
                             "layer " + std::to_string(p.layers) + " of " +
                                 std::to_string(p.layersTotal) + ", " +
                                 std::to_string(p.kernelsBuilt) + " kernels built");
            };
            return pipeline::Detector::load(name, options);
        },
        [this, generation, shared](Expected<std::unique_ptr<pipeline::Detector>>& det) {
            if (generation != loadGeneration_) return;   // superseded
            loading_ = false;
            loadStatus_.clear();
            const bool upgrade = std::exchange(upgrading_, false);
            if (!det) {
                // The runner names the task ("load model: ..."); the banner names the feature.
                emit errorOccurred(QStringLiteral("detection: %1")
                                       .arg(QString::fromStdString(det.status().message())));
                emit stateChanged();
                return;
            }
            // A worker on another context, or on the untuned kernels, makes way; it finishes
            // its frame on the retire lane, not on this thread.
            retire(std::move(worker_));
            if (upgrade) ++upgrades_;
            const bool measureLater = !(*det)->fullyPrepared() && !upgrade;
            startWorker(std::move(*det));
            if (measureLater) startPreparation(worker_->detector());
            // The bridge's context arrived while this loaded: load again on it (this worker
            // serves through host uploads meanwhile).
            if (shared != sharedCompute_ && enabled_) startLoad();
        }));
}

void DetectionController::keepStats(const pipeline::DetectorWorker* worker) {
    if (!worker) return;
    pastStats_ += worker->stats();
}

void DetectionController::retire(std::unique_ptr<pipeline::DetectorWorker> worker) {
    if (!worker) return;
    keepStats(worker.get());
    std::erase_if(retired_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    retired_.push_back(uiTaskRunner().start(
        pipeline::TaskSpec("retire detector worker", "retire"),
        [w = std::shared_ptr<pipeline::DetectorWorker>(std::move(worker))](
            pipeline::TaskContext&) mutable {
            w.reset();
            return Status::ok();
        }));
}

void DetectionController::startPreparation(const pipeline::Detector& detector) {
    if (detector.device() != nn::Device::OpenCL) return;
    stopPreparation();
    const int generation = ++preparationGeneration_;
    nn::BackgroundPreparation::Options o;
    o.model = detector.model().weights;
    // A context of its own (it outlives bridge changes, and its measurements never share a
    // queue with the live frames), on the device the detector runs on.
    o.clDeviceSelector = std::to_string(detector.compute()->info().index);
    const auto post = [this, generation](auto fn) {
        QMetaObject::invokeMethod(
            this,
            [this, generation, fn] {
                if (generation == preparationGeneration_) fn();
            },
            Qt::QueuedConnection);
    };
    o.onProgress = [this, post](const nn::PrepareProgress& p) {
        const QString text = QStringLiteral("measuring kernels: %1 (%2 of %3), layer %4 of %5")
                                 .arg(QString::fromLatin1(p.stage))
                                 .arg(p.pass)
                                 .arg(p.passes)
                                 .arg(p.layers)
                                 .arg(p.layersTotal);
        post([this, text] {
            preparationStatus_ = text;
            emit stateChanged();
        });
    };
    o.onDone = [this, post](const Expected<nn::PreparationReport>& r) {
        const QString error = r ? QString() : QString::fromStdString(r.status().message());
        const bool nothing = r && (r->cacheDisabled || r->busy);
        post([this, error, nothing] {
            preparationStatus_.clear();
            preparation_.reset();   // its thread has returned from onDone: a short join
            if (!error.isEmpty()) {
                emit errorOccurred(QStringLiteral("kernel measurement: %1").arg(error));
            } else if (!nothing && enabled_ && worker_ && !loading_) {
                upgrading_ = true;
                startLoad();   // from the caches now: the kernels measured and built
            }
            emit stateChanged();
        });
    };
    preparationStatus_ = QStringLiteral("measuring kernels in the background");
    preparation_ = std::make_unique<nn::BackgroundPreparation>(std::move(o));
    emit stateChanged();
}

void DetectionController::stopPreparation() {
    ++preparationGeneration_;
    preparationStatus_.clear();
    // Its destructor cancels and joins, which can take a kernel build (a second): not here.
    if (!preparation_) return;
    std::erase_if(retiredPreparations_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    // A lane of its own: a retiring worker (which setSharedCompute waits for) never queues
    // behind a kernel build.
    retiredPreparations_.push_back(uiTaskRunner().start(
        pipeline::TaskSpec("stop kernel measurement", "retire preparation"),
        [p = std::shared_ptr<nn::BackgroundPreparation>(std::move(preparation_))](
            pipeline::TaskContext&) mutable {
            p.reset();
            return Status::ok();
        }));
}

void DetectionController::startWorker(std::unique_ptr<pipeline::Detector> detector) {
    labels_.clear();
    for (const auto& l : detector->manifest().labels) labels_ << QString::fromStdString(l);
    store_->setLabels(detector->manifest().labels);
    if (const compute::ComputeContext* c = detector->compute())
        device_ = QString::fromStdString(c->info().name);
    else
        device_ = QStringLiteral("cpu-ref");
    if (settings_.confidence < 0) settings_.confidence = detector->manifest().confidence;
    if (settings_.nms < 0) settings_.nms = detector->manifest().nms;
    detector->setSettings(settings_);

    pipeline::DetectorWorkerOptions options;
    options.policy = pipeline::DetectorWorkerOptions::Policy::DropOldest;
    options.capacity = 1;   // live view: only the newest frame is worth inferring
    options.store = store_.get();
    options.skipStored = false;   // submit() decides, by epoch (see the header)
    options.onResult = [this](const pipeline::FrameDetections& r) {
        const int64_t index = r.frameIndex;
        QMetaObject::invokeMethod(this, [this, index] { onResult(index); },
                                  Qt::QueuedConnection);
    };
    options.onError = [this](const Status& s) {
        const QString message = QString::fromStdString(s.message());
        QMetaObject::invokeMethod(this, [this, message] { emit errorOccurred(message); },
                                  Qt::QueuedConnection);
    };
    worker_ = std::make_unique<pipeline::DetectorWorker>(std::move(detector), std::move(options));
    emit stateChanged();
}

void DetectionController::onResult(int64_t frameIndex) {
    const auto now = Clock::now();
    if (auto it = submittedEpoch_.find(frameIndex); it != submittedEpoch_.end()) {
        liveEpoch_[frameIndex] = it->second;
        submittedEpoch_.erase(it);
    }
    resultTimes_.push_back(now);
    while (!resultTimes_.empty() && now - resultTimes_.front() > kFpsWindow)
        resultTimes_.pop_front();
    emit resultReady(frameIndex);
}

void DetectionController::applySettings() {
    if (worker_) worker_->setSettings(settings_);
    // Live results so far used the old settings: shown frames are computed again (the view
    // resubmits the displayed one on stateChanged).
    ++epoch_;
    submittedAt_.clear();
    emit stateChanged();
}

void DetectionController::clearResults() {
    store_->clear();
    submittedAt_.clear();
    submittedEpoch_.clear();
    liveEpoch_.clear();
    latenciesMs_.clear();
    resultTimes_.clear();
}

void DetectionController::setConfidence(float value) {
    settings_.confidence = value;
    applySettings();
}

void DetectionController::setNms(float value) {
    settings_.nms = value;
    applySettings();
}

void DetectionController::setClassFilter(const std::vector<int>& classes) {
    settings_.classes = classes;
    applySettings();
}

void DetectionController::submit(const media::VideoFrame& frame) {
    if (!frame.valid() || !wants(frame.index())) return;   // stored: drawn at once
    noteSubmitted(frame.index(), frame.decodedAt());
    inputPath_ = QStringLiteral("host upload");
    worker_->submit(frame);
}

bool DetectionController::wants(int64_t frameIndex) const {
    return enabled_ && worker_ && !isCurrent(frameIndex);
}

void DetectionController::noteSubmitted(int64_t frameIndex, Clock::time_point decodedAt) {
    submittedEpoch_[frameIndex] = epoch_;
    while (submittedEpoch_.size() > 256) submittedEpoch_.erase(submittedEpoch_.begin());
    if (decodedAt.time_since_epoch().count() != 0) submittedAt_.try_emplace(frameIndex, decodedAt);
    // Keep the latency map small: frames that were dropped never close their sample.
    while (submittedAt_.size() > 256) submittedAt_.erase(submittedAt_.begin());
}

void DetectionController::submitDevice(pipeline::DeviceFrameJob job,
                                       Clock::time_point decodedAt) {
    if (!wants(job.meta.frameIndex) || !runsOn(sharedCompute_) || !sharedCompute_) {
        if (job.done) job.done(false);
        return;
    }
    noteSubmitted(job.meta.frameIndex, decodedAt);
    inputPath_ = QStringLiteral("bridge slot (zero-copy)");
    worker_->submitDevice(std::move(job));
}

void DetectionController::setSharedCompute(const compute::ComputeContext* compute,
                                           bool reload) {
    if (compute == sharedCompute_) return;
    const bool oldBorrowed = sharedCompute_ != nullptr;
    sharedCompute_ = compute;
    if (oldBorrowed) {
        // That context is about to go: nothing may keep borrowing it (the worker's detector, a
        // load on it in progress).
        waitForLoads();
        ++loadGeneration_;
        loading_ = false;
        loadDeferred_ = false;
        upgrading_ = false;
        keepStats(worker_.get());
        worker_.reset();
        waitAll(retired_);   // retired workers may borrow it too
    }
    if (!enabled_ || !reload) {
        emit stateChanged();
        return;
    }
    // A load in progress (own context) reloads on `compute` when it lands; a worker on its own
    // context keeps serving (host uploads) until the one on `compute` replaces it.
    if (!loading_ || loadDeferred_) startLoad();
}

bool DetectionController::runsOn(const compute::ComputeContext* compute) const {
    return worker_ && compute && worker_->detector().compute() == compute;
}

void DetectionController::drain() {
    if (worker_) worker_->drain();
}

std::optional<pipeline::FrameDetections> DetectionController::resultFor(int64_t index) const {
    if (!enabled_) return std::nullopt;
    return store_->at(index);
}

bool DetectionController::isCurrent(int64_t frameIndex) const {
    if (!store_->at(frameIndex)) return false;
    const auto it = liveEpoch_.find(frameIndex);
    return it == liveEpoch_.end() || it->second == epoch_;
}

void DetectionController::notePainted(int64_t frameIndex) {
    auto it = submittedAt_.find(frameIndex);
    if (it == submittedAt_.end()) return;
    const double ms =
        std::chrono::duration<double, std::milli>(Clock::now() - it->second).count();
    submittedAt_.erase(it);
    latenciesMs_.push_back(ms);
    while (latenciesMs_.size() > kLatencySamples) latenciesMs_.pop_front();
}

pipeline::DetectorWorkerStats DetectionController::stats() const {
    pipeline::DetectorWorkerStats s = pastStats_;
    if (worker_) s += worker_->stats();
    return s;
}

double DetectionController::inferenceFps() const {
    if (resultTimes_.size() < 2) return 0;
    const double s =
        std::chrono::duration<double>(resultTimes_.back() - resultTimes_.front()).count();
    return s > 0 ? double(resultTimes_.size() - 1) / s : 0;
}

std::optional<double> DetectionController::latencyMedianMs() const {
    if (latenciesMs_.empty()) return std::nullopt;
    const size_t n = std::min(latenciesMs_.size(), kLatencyMedianOf);
    std::vector<double> v(latenciesMs_.end() - ptrdiff_t(n), latenciesMs_.end());
    std::nth_element(v.begin(), v.begin() + ptrdiff_t(v.size() / 2), v.end());
    return v[v.size() / 2];
}

}  // namespace sl::gui
