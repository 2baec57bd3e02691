#include "controller/detection_controller.h"

#include <QPointer>

#include <algorithm>
#include <utility>

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
    // The worker, the loader, the preparation and retired workers post to this object; all end
    // before it does.
    preparation_.reset();
    worker_.reset();
    if (loader_.joinable()) loader_.join();
    for (std::thread& t : retired_) t.join();
    for (std::thread& t : retiredPreparations_) t.join();
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
    if (loader_.joinable()) loader_.join();   // at most one load at a time (a previous one ended)
    loading_ = true;
    const int generation = ++loadGeneration_;
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
    loader_ = std::thread([this, name = model_.toStdString(), generation,
                           shared = sharedCompute_] {
        // The bridge's CL context when there is one (bridged frames live there), else its own
        // ($SIGHTLINE_CL_DEVICE or automatic). On the bridge's, its own queue: inference must
        // not sit in front of the bridge's slot maps.
        pipeline::DetectorOptions options;
        options.compute = shared;
        options.ownQueue = shared != nullptr;
        options.onProgress = [this, generation](const nn::PrepareProgress& p) {
            const QString text = QStringLiteral("layer %1 of %2, %3 kernels built")
                                     .arg(p.layers)
                                     .arg(p.layersTotal)
                                     .arg(p.kernelsBuilt);
            QMetaObject::invokeMethod(
                this,
                [this, text, generation] {
                    if (generation != loadGeneration_ || !loading_) return;
                    loadStatus_ = text;
                    emit stateChanged();
                },
                Qt::QueuedConnection);
        };
        auto det = pipeline::Detector::load(name, options);
        // Moved through a shared holder: a posted call that Qt discards still frees it.
        auto holder = std::make_shared<std::unique_ptr<pipeline::Detector>>(
            det.hasValue() ? std::move(det).value() : nullptr);
        const QString error =
            det.hasValue() ? QString() : QString::fromStdString(det.status().message());
        QMetaObject::invokeMethod(
            this,
            [this, holder, error, generation, shared] {
                if (generation != loadGeneration_) return;   // superseded
                loading_ = false;
                loadStatus_.clear();
                const bool upgrade = std::exchange(upgrading_, false);
                if (!*holder) {
                    emit errorOccurred(QStringLiteral("detection: %1").arg(error));
                    emit stateChanged();
                    return;
                }
                // A worker on another context, or on the untuned kernels, makes way; it
                // finishes its frame on a thread of its own, not on this one.
                retire(std::move(worker_));
                if (upgrade) ++upgrades_;
                const bool measureLater = !(*holder)->fullyPrepared() && !upgrade;
                startWorker(std::move(*holder));
                if (measureLater) startPreparation(worker_->detector());
                // The bridge's context arrived while this loaded: load again on it (this
                // worker serves through host uploads meanwhile).
                if (shared != sharedCompute_ && enabled_) startLoad();
            },
            Qt::QueuedConnection);
    });
}

void DetectionController::keepStats(const pipeline::DetectorWorker* worker) {
    if (!worker) return;
    pastStats_ += worker->stats();
}

void DetectionController::retire(std::unique_ptr<pipeline::DetectorWorker> worker) {
    if (!worker) return;
    keepStats(worker.get());
    retired_.emplace_back([w = std::move(worker)]() mutable { w.reset(); });
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
    if (preparation_)
        retiredPreparations_.emplace_back([p = std::move(preparation_)]() mutable { p.reset(); });
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
        if (loader_.joinable()) loader_.join();
        ++loadGeneration_;
        loading_ = false;
        loadDeferred_ = false;
        upgrading_ = false;
        keepStats(worker_.get());
        worker_.reset();
        for (std::thread& t : retired_) t.join();   // retired workers may borrow it too
        retired_.clear();
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
