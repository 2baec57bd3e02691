#include "wall/wall_controller.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <utility>

#include "app/ui_task_hook.h"
#include "models/model_store.h"
#include "pipeline/detector.h"

namespace sl::gui {
namespace {

constexpr const char* kSourcesKey = "wall/sources";
constexpr const char* kColumnsKey = "wall/columns";
constexpr const char* kModelKey = "wall/model";

}  // namespace

WallController::WallController(QObject* parent) : QObject(parent) {
    model_ = QSettings().value(QLatin1String(kModelKey), QString::fromLatin1(models::kDefaultModel))
                 .toString();
    // A wall runs until it is closed: a camera that is down keeps being retried.
    config_.reconnect.maxAttempts = -1;
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!data.isEmpty()) eventsPath_ = data + QStringLiteral("/events.jsonl");
}

WallController::~WallController() {
    load_.cancel();
    load_.wait();
    for (const auto& t : removals_) t.wait();
    // Every source thread and scheduler stream ends here, so no callback outlives the mailboxes.
    monitor_.reset();
    detector_.reset();
}

pipeline::MonitorSourceConfig WallController::sourceConfig(const Spec& spec) const {
    pipeline::MonitorSourceConfig s;
    s.name = spec.name.toStdString();
    s.url = spec.url.toStdString();
    s.loop = true;   // a file is a simulated camera: it plays on
    s.scene = spec.scene;
    return s;
}

WallController::AddResult WallController::addSource(const QString& urlIn, const QString& nameIn,
                                                    const QString& sceneFile) {
    const QString url = urlIn.trimmed();
    if (url.isEmpty()) return {false, tr("wall: no URL or file given")};
    const bool looksLocal = !url.contains(QLatin1String("://")) &&
                            !url.startsWith(QLatin1String("/dev/video"));
    if (looksLocal && !QFileInfo(url).isFile())
        return {false, tr("wall: cannot add '%1': no such file").arg(url)};
    std::vector<std::string> taken;
    for (const Spec& s : specs_) taken.push_back(s.name.toStdString());
    QString name = nameIn.trimmed();
    if (name.isEmpty()) {
        name = QString::fromStdString(pipeline::defaultSourceName(url.toStdString(), taken));
    } else if (std::find(taken.begin(), taken.end(), name.toStdString()) != taken.end()) {
        return {false, tr("wall: a camera named '%1' is already on the wall").arg(name)};
    }
    Spec spec{name, url, sceneFile.trimmed(), std::nullopt};
    if (!spec.sceneFile.isEmpty()) {
        auto scene = analytics::loadScene(spec.sceneFile.toStdString());
        if (!scene)
            return {false, tr("wall: camera '%1': %2")
                               .arg(name, QString::fromStdString(scene.status().message()))};
        spec.scene = std::move(*scene);
    }
    specs_.push_back(spec);
    {
        std::lock_guard lock(mailMutex_);
        mail_[name.toStdString()] = {};
    }
    if (monitor_) startSource(spec);
    else if (!loading_) startLoad();
    save();
    emit sourcesChanged();
    return {true, name};
}

void WallController::startSource(const Spec& spec) {
    if (Status st = monitor_->add(config_, sourceConfig(spec)); !st)
        emit errorOccurred(QString::fromStdString(st.message()));
}

bool WallController::removeSource(const QString& name) {
    auto it = std::find_if(specs_.begin(), specs_.end(),
                           [&](const Spec& s) { return s.name == name; });
    if (it == specs_.end()) return false;
    specs_.erase(it);
    // Stopping a source joins its thread, which may sit in a network call for up to the
    // watchdog's ~100 ms: on the "retire" lane, never on the GUI thread. The other tiles keep
    // playing meanwhile (Monitor::remove holds no lock they need while it waits).
    if (monitor_)
        if (std::shared_ptr<pipeline::SourcePipeline> gone = monitor_->detach(name.toStdString())) {
            std::erase_if(removals_, [](const pipeline::TaskHandle& t) { return t.finished(); });
            removals_.push_back(uiTaskRunner().start(
                pipeline::TaskSpec("remove camera " + name.toStdString(), "retire"),
                [gone](pipeline::TaskContext&) mutable {
                    gone->stop();
                    gone.reset();
                    return Status::ok();
                }));
        }
    {
        std::lock_guard lock(mailMutex_);
        mail_.erase(name.toStdString());
    }
    save();
    emit sourcesChanged();
    return true;
}

QStringList WallController::sources() const {
    QStringList names;
    for (const Spec& s : specs_) names << s.name;
    return names;
}

QString WallController::urlOf(const QString& name) const {
    for (const Spec& s : specs_)
        if (s.name == name) return s.url;
    return {};
}

QString WallController::sceneFileOf(const QString& name) const {
    for (const Spec& s : specs_)
        if (s.name == name) return s.sceneFile;
    return {};
}

std::optional<analytics::Scene> WallController::scene(const QString& name) const {
    for (const Spec& s : specs_)
        if (s.name == name) return s.scene;
    return std::nullopt;
}

int WallController::unacknowledged() const {
    return int(std::count_if(alerts_.begin(), alerts_.end(),
                             [](const WallAlert& a) { return !a.acknowledged; }));
}

void WallController::acknowledge(int64_t alertId) {
    for (WallAlert& a : alerts_)
        if (a.id == alertId && !a.acknowledged) {
            a.acknowledged = true;
            emit alertsChanged();
            return;
        }
}

void WallController::acknowledgeAll() {
    for (WallAlert& a : alerts_) a.acknowledged = true;
    emit alertsChanged();
}

void WallController::onAlerts(std::vector<WallAlert> raised) {
    QFile events(eventsPath_);
    const bool write = !eventsPath_.isEmpty() &&
                       QDir().mkpath(QFileInfo(eventsPath_).absolutePath()) &&
                       events.open(QIODevice::WriteOnly | QIODevice::Append);
    if (!eventsPath_.isEmpty() && !write)
        emit errorOccurred(tr("wall: cannot append alerts to %1: %2")
                               .arg(eventsPath_, events.errorString()));
    for (WallAlert& a : raised) {
        a.id = nextAlertId_++;
        if (write) {
            // One write per line with O_APPEND: a reader never sees half a line.
            const std::string line = alertEventLine(a) + "\n";
            events.write(line.data(), qint64(line.size()));
            events.flush();
        }
        alerts_.push_back(a);
        if (alerts_.size() > kMaxAlerts) alerts_.erase(alerts_.begin());
        emit alertRaised(alerts_.back());
    }
}

std::chrono::steady_clock::time_point WallController::Mailbox::due(
    const pipeline::SourceFrameResult& r, double maxDelayMs) const {
    const auto decoded = r.frame.decodedAt();
    if (decoded == std::chrono::steady_clock::time_point{} || latencyMs.empty()) return {};
    std::vector<double> v(latencyMs.begin(), latencyMs.end());
    const size_t k = (v.size() - 1) * 9 / 10;
    std::nth_element(v.begin(), v.begin() + ptrdiff_t(k), v.end());
    const double delay = std::min(maxDelayMs, v[k]);
    return decoded + std::chrono::microseconds(int64_t(delay * 1000));
}

std::optional<pipeline::SourceFrameResult> WallController::take(
    const QString& name, std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mailMutex_);
    auto it = mail_.find(name.toStdString());
    if (it == mail_.end()) return std::nullopt;
    Mailbox& m = it->second;
    std::optional<pipeline::SourceFrameResult> r;
    while (!m.queue.empty() && m.due(m.queue.front(), maxDelayMs_) <= now) {
        if (r) ++m.counts.replaced;   // a newer one is due as well: this one is passed over
        r = std::move(m.queue.front());
        m.queue.pop_front();
    }
    if (r) ++m.counts.delivered;
    return r;
}

bool WallController::anyDue(std::chrono::steady_clock::time_point now) const {
    std::lock_guard lock(mailMutex_);
    for (const auto& [name, m] : mail_)
        if (!m.queue.empty() && m.due(m.queue.front(), maxDelayMs_) <= now) return true;
    return false;
}

bool WallController::anyQueued() const {
    std::lock_guard lock(mailMutex_);
    for (const auto& [name, m] : mail_)
        if (!m.queue.empty()) return true;
    return false;
}

WallTileCounts WallController::counts(const QString& name) const {
    std::lock_guard lock(mailMutex_);
    auto it = mail_.find(name.toStdString());
    return it == mail_.end() ? WallTileCounts{} : it->second.counts;
}

pipeline::SourceStatus WallController::status(const QString& name) const {
    if (monitor_)
        for (pipeline::SourceStatus& s : monitor_->status())
            if (s.name == name.toStdString()) return std::move(s);
    pipeline::SourceStatus s;
    s.name = name.toStdString();
    s.url = urlOf(name).toStdString();
    s.live.state = media::LiveState::Connecting;
    s.live.reason = loading_ ? "waiting for the model" : "not started";
    return s;
}

std::vector<pipeline::SourceStatus> WallController::statuses() const {
    std::vector<pipeline::SourceStatus> running;
    if (monitor_) running = monitor_->status();
    std::vector<pipeline::SourceStatus> out;
    for (const Spec& spec : specs_) {
        auto it = std::find_if(running.begin(), running.end(), [&](const auto& s) {
            return s.name == spec.name.toStdString();
        });
        out.push_back(it != running.end() ? std::move(*it) : status(spec.name));
    }
    return out;
}

pipeline::SchedulerStats WallController::schedulerStats() const {
    return monitor_ ? monitor_->schedulerStats() : pipeline::SchedulerStats{};
}

void WallController::setColumns(int columns) {
    columns = std::clamp(columns, 0, 8);
    if (columns == columns_) return;
    columns_ = columns;
    save();
    emit columnsChanged(columns_);
}

void WallController::startLoad() {
    loading_ = true;
    modelStatus_ = tr("loading %1").arg(model_);
    emit modelStateChanged();
    pipeline::TaskSpec spec("load model for the wall", "model",
                            [this](const pipeline::TaskProgress& p) {
                                modelStatus_ = tr("loading %1: %2")
                                                   .arg(model_, QString::fromStdString(p.text));
                                emit modelStateChanged();
                            });
    load_ = startUiTaskWithResult(
        this, std::move(spec),
        [name = model_.toStdString()](pipeline::TaskContext& ctx) {
            pipeline::DetectorOptions options;
            options.cancel = ctx.cancelFlag();
            options.onProgress = [&ctx](const nn::PrepareProgress& p) {
                ctx.progress(p.layers, p.layersTotal,
                             "layer " + std::to_string(p.layers) + " of " +
                                 std::to_string(p.layersTotal) + ", " +
                                 std::to_string(p.kernelsBuilt) + " kernels built");
            };
            return pipeline::Detector::load(name, options);
        },
        [this](Expected<std::unique_ptr<pipeline::Detector>>& det) {
            loading_ = false;
            if (!det) {
                modelStatus_ = tr("no detector: %1")
                                   .arg(QString::fromStdString(det.status().message()));
                emit modelStateChanged();
                emit errorOccurred(tr("wall: %1").arg(modelStatus_));
                return;
            }
            detector_ = std::move(*det);
            labels_ = detector_->manifest().labels;
            modelStatus_ = model_;
            pipeline::SourcePipelineCallbacks cb;
            cb.onResult = [this](const pipeline::SourceFrameResult& r) {
                bool notify = false;
                {
                    std::lock_guard lock(mailMutex_);
                    auto it = mail_.find(r.source);
                    if (it == mail_.end()) return;   // removed meanwhile
                    Mailbox& m = it->second;
                    notify = m.queue.empty();
                    m.queue.push_back(r);   // shares the frame's pixels; boxes are small
                    if (m.queue.size() > kQueue) {
                        m.queue.pop_front();
                        ++m.counts.replaced;
                    }
                    m.latencyMs.push_back(r.latencyMs);
                    if (m.latencyMs.size() > 50) m.latencyMs.pop_front();
                }
                if (notify) {
                    const QString name = QString::fromStdString(r.source);
                    QMetaObject::invokeMethod(this, [this, name] { emit frameReady(name); },
                                              Qt::QueuedConnection);
                }
                if (!r.alerts.empty()) {
                    // The thumbnail is made here, on the source's thread.
                    std::vector<WallAlert> raised;
                    for (const analytics::Alert& a : r.alerts) {
                        WallAlert w;
                        w.wallTime = QDateTime::currentDateTime();
                        w.source = QString::fromStdString(r.source);
                        w.alert = a;
                        w.thumbnail = alertThumbnail(r.frame, a);
                        raised.push_back(std::move(w));
                    }
                    QMetaObject::invokeMethod(
                        this, [this, raised = std::move(raised)]() mutable {
                            onAlerts(std::move(raised));
                        },
                        Qt::QueuedConnection);
                }
            };
            cb.onState = [this](const std::string& source, const media::LiveSnapshot&) {
                const QString name = QString::fromStdString(source);
                QMetaObject::invokeMethod(this, [this, name] { emit sourceStateChanged(name); },
                                          Qt::QueuedConnection);
            };
            monitor_ = std::make_unique<pipeline::Monitor>(
                pipeline::detectorStreams(std::span<pipeline::Detector* const>(
                    std::array<pipeline::Detector*, 1>{detector_.get()})),
                pipeline::SchedulerOptions{}, labels_, std::move(cb));
            monitor_->setKeepFrames(true);
            for (const Spec& s : specs_) startSource(s);
            emit modelStateChanged();
        });
}

void WallController::save() const {
    if (restoring_) return;
    QSettings settings;
    settings.beginWriteArray(QLatin1String(kSourcesKey), int(specs_.size()));
    for (size_t i = 0; i < specs_.size(); ++i) {
        settings.setArrayIndex(int(i));
        settings.setValue(QStringLiteral("name"), specs_[i].name);
        settings.setValue(QStringLiteral("url"), specs_[i].url);
        settings.setValue(QStringLiteral("scene"), specs_[i].sceneFile);
    }
    settings.endArray();
    settings.setValue(QLatin1String(kColumnsKey), columns_);
}

void WallController::restoreSources() {
    QSettings settings;
    std::vector<Spec> saved;
    const int n = settings.beginReadArray(QLatin1String(kSourcesKey));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        saved.push_back({settings.value(QStringLiteral("name")).toString(),
                         settings.value(QStringLiteral("url")).toString(),
                         settings.value(QStringLiteral("scene")).toString(), std::nullopt});
    }
    settings.endArray();
    restoring_ = true;
    columns_ = std::clamp(settings.value(QLatin1String(kColumnsKey), 0).toInt(), 0, 8);
    for (const Spec& s : saved) {
        // A saved file that is gone is reported, not silently dropped.
        const AddResult r = addSource(s.url, s.name, s.sceneFile);
        if (!r.ok) emit errorOccurred(r.nameOrError);
    }
    restoring_ = false;
    emit columnsChanged(columns_);
}

}  // namespace sl::gui
