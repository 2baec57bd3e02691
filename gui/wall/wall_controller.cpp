#include "wall/wall_controller.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QRegularExpression>
#include <QStandardPaths>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <memory>
#include <set>
#include <utility>

#ifdef __linux__
#include <sys/resource.h>
#endif

#include <nlohmann/json.hpp>

#include "app/ui_task_hook.h"
#include "core/utc_time.h"
#include "models/model_store.h"
#include "pipeline/detector.h"

namespace sl::gui {
namespace {

// The process's threads by kernel id (empty where /proc is not there).
std::set<int> threadIds() {
    std::set<int> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/task", ec)) {
        const std::string n = e.path().filename().string();
        if (!n.empty() && n.find_first_not_of("0123456789") == std::string::npos)
            out.insert(std::stoi(n));
    }
    return out;
}

std::vector<int> startedBetween(const std::set<int>& before, const std::set<int>& after) {
    std::vector<int> out;
    std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                        std::back_inserter(out));
    return out;
}

}  // namespace

namespace {

constexpr const char* kSourcesKey = "wall/sources";
constexpr const char* kColumnsKey = "wall/columns";
constexpr const char* kModelKey = "wall/model";
constexpr const char* kClipsKey = "wall/clips/";

}  // namespace

ClipSettings ClipSettings::load() {
    QSettings q;
    ClipSettings c;
    const QString k = QLatin1String(kClipsKey);
    c.enabled = q.value(k + QStringLiteral("enabled"), c.enabled).toBool();
    c.dir = q.value(k + QStringLiteral("dir"), c.dir).toString();
    c.preSeconds =
        std::clamp(q.value(k + QStringLiteral("pre_s"), c.preSeconds).toDouble(), 0.0, 600.0);
    c.postSeconds =
        std::clamp(q.value(k + QStringLiteral("post_s"), c.postSeconds).toDouble(), 0.0, 600.0);
    c.quotaMb = std::max(0.0, q.value(k + QStringLiteral("quota_mb"), c.quotaMb).toDouble());
    return c;
}

void ClipSettings::save() const {
    QSettings q;
    const QString k = QLatin1String(kClipsKey);
    q.setValue(k + QStringLiteral("enabled"), enabled);
    q.setValue(k + QStringLiteral("dir"), dir);
    q.setValue(k + QStringLiteral("pre_s"), preSeconds);
    q.setValue(k + QStringLiteral("post_s"), postSeconds);
    q.setValue(k + QStringLiteral("quota_mb"), quotaMb);
}

QString ClipSettings::folder() const {
    if (!dir.trimmed().isEmpty()) return dir.trimmed();
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/clips");
}

WallController::WallController(QObject* parent) : QObject(parent) {
    model_ = QSettings().value(QLatin1String(kModelKey), QString::fromLatin1(models::kDefaultModel))
                 .toString();
    // A wall runs until it is closed: a camera that is down keeps being retried.
    config_.reconnect.maxAttempts = -1;
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (!data.isEmpty()) eventsPath_ = data + QStringLiteral("/events.jsonl");
    clips_ = ClipSettings::load();
}

WallController::~WallController() {
    load_.cancel();
    load_.wait();
    for (const auto& t : removals_) t.wait();
    // Every source thread and scheduler stream ends here, so no callback outlives the mailboxes.
    monitor_.reset();
    // No packet or result comes any more: each recorder finishes its clip with what it has.
    std::map<std::string, std::shared_ptr<pipeline::ClipRecorder>> recorders;
    {
        std::lock_guard lock(recMutex_);
        recorders.swap(recorders_);
    }
    for (auto& [name, r] : recorders) r->stop();
    recorders.clear();
    clipStore_.reset();
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
    addRecorder(spec);
    if (Status st = monitor_->add(config_, sourceConfig(spec)); !st)
        emit errorOccurred(QString::fromStdString(st.message()));
}

void WallController::addRecorder(const Spec& spec) {
    if (clipStore_) {
        pipeline::ClipRecorderOptions o;
        o.source = spec.name.toStdString();
        o.preSeconds = clips_.preSeconds;
        o.postSeconds = clips_.postSeconds;
        o.labels = labels_;
        // The writer thread reports here; the GUI thread links the clip to its alerts.
        auto rec = std::make_shared<pipeline::ClipRecorder>(
            *clipStore_, o, [this](const pipeline::ClipReport& r) {
                QMetaObject::invokeMethod(this, [this, r] { onClip(r); }, Qt::QueuedConnection);
            });
        std::lock_guard lock(recMutex_);
        recorders_[o.source] = std::move(rec);
    }
}

std::shared_ptr<pipeline::ClipRecorder> WallController::recorder(const std::string& name) const {
    std::lock_guard lock(recMutex_);
    auto it = recorders_.find(name);
    return it == recorders_.end() ? nullptr : it->second;
}

void WallController::openClipStore() {
    if (!clips_.enabled) return;
    auto store = std::make_unique<pipeline::ClipStore>(
        clips_.folder().toStdString(), int64_t(clips_.quotaMb * 1024 * 1024));
    // Also removes the temporaries of a wall (or monitor) that was killed mid-clip.
    if (Status st = store->open(); !st) {
        emit errorOccurred(
            tr("wall: no event clips: %1").arg(QString::fromStdString(st.message())));
        return;
    }
    clipStore_ = std::move(store);
}

bool WallController::removeSource(const QString& name) {
    auto it = std::find_if(specs_.begin(), specs_.end(),
                           [&](const Spec& s) { return s.name == name; });
    if (it == specs_.end()) return false;
    specs_.erase(it);
    // Stopping a source joins its thread, which may sit in a network call for up to the
    // watchdog's ~100 ms: on the "retire" lane, never on the GUI thread. The other tiles keep
    // playing meanwhile (Monitor::remove holds no lock they need while it waits).
    std::shared_ptr<pipeline::ClipRecorder> rec;
    {
        std::lock_guard lock(recMutex_);
        if (auto r = recorders_.find(name.toStdString()); r != recorders_.end()) {
            rec = std::move(r->second);
            recorders_.erase(r);
        }
    }
    if (monitor_)
        if (std::shared_ptr<pipeline::SourcePipeline> gone = monitor_->detach(name.toStdString())) {
            std::erase_if(removals_, [](const pipeline::TaskHandle& t) { return t.finished(); });
            removals_.push_back(uiTaskRunner().start(
                pipeline::TaskSpec("remove camera " + name.toStdString(), "retire"),
                [gone, rec](pipeline::TaskContext&) mutable {
                    gone->stop();
                    gone.reset();
                    // After its source: the clip in progress ends with what it has.
                    if (rec) rec->stop();
                    return Status::ok();
                }));
        }
    {
        std::lock_guard lock(mailMutex_);
        latest_.erase(name.toStdString());
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

QString WallController::setScene(const QString& name, const analytics::Scene& scene) {
    auto it = std::find_if(specs_.begin(), specs_.end(),
                           [&](const Spec& s) { return s.name == name; });
    if (it == specs_.end()) return tr("wall: no camera named '%1'").arg(name);
    if (Status st = analytics::validateScene(scene); !st)
        return tr("wall: camera '%1': %2").arg(name, QString::fromStdString(st.message()));
    QString path = it->sceneFile;
    if (path.isEmpty()) {
        const QString dir =
            QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/scenes";
        if (!QDir().mkpath(dir)) return tr("wall: cannot create the folder %1").arg(dir);
        // A camera name is free text: it becomes a file name only in a safe alphabet.
        QString file = name;
        file.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("_"));
        path = dir + QLatin1Char('/') + file + QStringLiteral(".scene.json");
    }
    if (Status st = analytics::saveScene(path.toStdString(), scene); !st)
        return QString::fromStdString(st.message());
    it->sceneFile = path;
    it->scene = scene;
    if (monitor_) monitor_->setScene(name.toStdString(), scene);
    save();
    emit sourceStateChanged(name);   // the tile redraws its zones and lines
    return {};
}

media::VideoFrame WallController::latestFrame(const QString& name) const {
    std::lock_guard lock(mailMutex_);
    auto it = latest_.find(name.toStdString());
    return it == latest_.end() ? media::VideoFrame{} : it->second;
}

void WallController::setClipSettings(const ClipSettings& settings) {
    clips_ = settings;
    clips_.save();
    if (!monitor_) return;   // the store and recorders are made when the model is up
    // A new store and new recorders from now on. The old recorders finish the clips they are
    // writing on the "retire" lane (a source thread may still hand a packet to one it looked up:
    // a stopped recorder ignores it), and their store goes after them.
    std::shared_ptr<pipeline::ClipStore> oldStore(std::move(clipStore_));
    std::map<std::string, std::shared_ptr<pipeline::ClipRecorder>> old;
    {
        std::lock_guard lock(recMutex_);
        old.swap(recorders_);
    }
    openClipStore();
    for (const Spec& s : specs_) addRecorder(s);
    std::erase_if(removals_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    removals_.push_back(uiTaskRunner().start(
        pipeline::TaskSpec("retire clip recorders", "retire"),
        [old, oldStore](pipeline::TaskContext&) mutable {
            for (auto& [name, r] : old) r->stop();
            old.clear();
            oldStore.reset();
            return Status::ok();
        }));
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

void WallController::appendEvent(const std::string& text) {
    if (eventsPath_.isEmpty()) return;
    QFile events(eventsPath_);
    if (!QDir().mkpath(QFileInfo(eventsPath_).absolutePath()) ||
        !events.open(QIODevice::WriteOnly | QIODevice::Append)) {
        emit errorOccurred(tr("wall: cannot append alerts to %1: %2")
                               .arg(eventsPath_, events.errorString()));
        return;
    }
    // One write per line with O_APPEND: a reader never sees half a line.
    const std::string line = text + "\n";
    events.write(line.data(), qint64(line.size()));
    events.flush();
}

void WallController::onClip(const pipeline::ClipReport& r) {
    const QString source = QString::fromStdString(r.source);
    bool linked = false;
    for (const auto& gone : r.deletedByQuota)
        for (WallAlert& a : alerts_)
            if (a.clipPath == QString::fromStdString(gone.string())) {
                a.clipPath.clear();
                linked = true;
            }
    if (!r.status) {
        emit errorOccurred(tr("wall: %1").arg(QString::fromStdString(r.status.message())));
    } else {
        ++clipsWritten_;
        const QString video = QString::fromStdString(r.video.string());
        // The alerts it holds, by camera, rule and frame (a rule fires at most once a frame).
        nlohmann::json ids = nlohmann::json::array();
        for (size_t i = 0; i < r.rules.size() && i < r.alertFrames.size(); ++i)
            for (WallAlert& a : alerts_)
                if (a.source == source && a.alert.rule == r.rules[i] &&
                    a.alert.frameIndex == r.alertFrames[i] && a.clipPath.isEmpty()) {
                    a.clipPath = video;
                    ids.push_back(a.id);
                    linked = true;
                    break;
                }
        // The alert lines were written when they fired; this line links them to the clip
        // (`sightline monitor`'s "clip" line, plus the alerts' frames).
        nlohmann::ordered_json j;
        j["type"] = "clip";
        j["wall_time"] = utcTimestamp(std::chrono::system_clock::now());
        j["source"] = r.source;
        j["alerts"] = r.rules;
        j["alert_frames"] = r.alertFrames;
        j["path"] = r.video.string();
        j["sidecar"] = r.sidecar.string();
        j["frames"] = r.frames;
        j["duration_s"] = std::round(r.seconds * 1000) / 1000;
        j["bytes"] = r.bytes;
        j["end"] = r.endReason;
        j["alert_ids"] = ids;
        appendEvent(j.dump());
    }
    if (linked) emit alertsChanged();
    if (r.status || !r.deletedByQuota.empty())
        emit clipFinished(QString::fromStdString(r.video.string()));
}

void WallController::onAlerts(std::vector<WallAlert> raised) {
    for (WallAlert& a : raised) {
        a.id = nextAlertId_++;
        appendEvent(alertEventLine(a));
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
        [name = model_.toStdString(), started = loadThreads_](pipeline::TaskContext& ctx) {
            pipeline::DetectorOptions options;
            options.cancel = ctx.cancelFlag();
            options.onProgress = [&ctx](const nn::PrepareProgress& p) {
                ctx.progress(p.layers, p.layersTotal,
                             "layer " + std::to_string(p.layers) + " of " +
                                 std::to_string(p.layersTotal) + ", " +
                                 std::to_string(p.kernelsBuilt) + " kernels built");
            };
            // The threads the load starts (the OpenCL CPU driver makes its worker pool on
            // the first use of the device) are the detector's.
            const std::set<int> before = threadIds();
            auto det = pipeline::Detector::load(name, options);
            *started = startedBetween(before, threadIds());
            return det;
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
            openClipStore();
            pipeline::SourcePipelineCallbacks cb;
            cb.onPacket = [this](const std::string& source, const media::LivePacket& p) {
                if (auto rec = recorder(source)) rec->onPacket(p);
            };
            cb.onResult = [this](const pipeline::SourceFrameResult& r) {
                if (auto rec = recorder(r.source)) rec->onResult(r);
                bool notify = false;
                {
                    std::lock_guard lock(mailMutex_);
                    auto it = mail_.find(r.source);
                    if (it == mail_.end()) return;   // removed meanwhile
                    if (r.frame.valid()) latest_[r.source] = r.frame;
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
            const std::set<int> before = threadIds();
            monitor_ = std::make_unique<pipeline::Monitor>(
                pipeline::detectorStreams(std::span<pipeline::Detector* const>(
                    std::array<pipeline::Detector*, 1>{detector_.get()})),
                pipeline::SchedulerOptions{}, labels_, std::move(cb));
            monitor_->setKeepFrames(true);
            // The monitor's own threads are the scheduler's inference streams (the sources'
            // threads start below).
            inferenceThreads_ = *loadThreads_;
            for (int t : startedBetween(before, threadIds())) inferenceThreads_.push_back(t);
            if (const QString e = setInferenceNice(inferenceNice_); !e.isEmpty())
                emit errorOccurred(e);
            for (const Spec& s : specs_) startSource(s);
            emit modelStateChanged();
        });
}

QString WallController::setInferenceNice(int nice) {
    inferenceNice_ = nice;
    if (inferenceThreads_.empty()) return {};   // not up yet, or not Linux (no /proc)
#ifdef __linux__
    for (int tid : inferenceThreads_)
        // setpriority(PRIO_PROCESS, tid) is per thread on Linux. A thread that ended is fine.
        if (::setpriority(PRIO_PROCESS, id_t(tid), nice) != 0 && errno != ESRCH)
            return tr("wall: cannot set the detector thread %1 to nice %2: %3")
                .arg(tid)
                .arg(nice)
                .arg(QString::fromLocal8Bit(std::strerror(errno)));
    return {};
#else
    return tr("wall: thread priorities are not set on this system");
#endif
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
