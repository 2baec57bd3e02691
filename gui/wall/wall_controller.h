#pragma once
// WallController: the monitoring wall's sources (issue 15) on the engine's live pipeline
// (pipeline::Monitor: one Scheduler over one loaded detector, one SourcePipeline per camera:
// LiveSource -> shared inference -> ByteTracker -> analytics). The GUI keeps only the glue: this
// object turns the pipeline's per-frame results into queued signals, and WallView draws them.
//
// Frames reach the GUI with their own results (SourcePipelineOptions::keepFrames): a tile shows
// each frame with the boxes computed (or carried by the tracker) for that very frame, the way
// DeepStream's OSD draws after nvinfer. Results come in bursts (a detected frame releases the
// carried frames queued behind it at once), so each tile has a small jitter buffer: results wait
// in a queue (at most kQueue; the oldest beyond it is dropped, counted as not shown) and are due
// for display at their decode time plus a display delay, the tile's recent 90th-percentile
// result latency, capped at maxDisplayDelayMs. A paint takes the newest due frame of every tile
// (older due ones are passed over, counted). So frames are shown at their camera's cadence,
// shifted by a constant delay, instead of several at once and then none. The source threads
// never wait for the GUI: they only append under a short lock and post one queued frameReady()
// when a tile's queue was empty.
//
// The model loads once for every tile, as a task on the "model" lane (kernel builds take
// seconds); sources added meanwhile are listed at once (state "waiting for the model") and start
// when it is up. A camera that is down never blocks anything: its tile says connecting /
// reconnecting, with the reason.
//
// Persistence: the sources (name, URL) and the layout are saved in QSettings under "wall/" on
// every change and restored by restoreSources(); unreachable cameras come back as reconnecting.
//
// Event clips: every camera has a pipeline::ClipRecorder fed with its packets and results, all
// writing into one pipeline::ClipStore (ClipSettings: a folder, by default "clips" in the
// application's data directory, pre / post seconds, a quota). A clip finished is linked to its
// alerts (WallAlert::clipPath, a "clip" line in events.jsonl naming the alerts' frames) and
// announced by clipFinished(). The store and the recorders are made when the model is up;
// setClipSettings() on a running wall replaces them (clips in progress finish in the old folder).
//
// Rules: setScene() replaces a camera's zones, lines and rules on its running pipeline
// (pipeline::Monitor::setScene: the source is not restarted) after writing its scene file.

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
#include <string>
#include <vector>

#include "pipeline/background_task.h"
#include "pipeline/clip_recorder.h"
#include "pipeline/clip_store.h"
#include "pipeline/monitor.h"
#include "wall/wall_alerts.h"

namespace sl::pipeline {
class Detector;
}

namespace sl::gui {

// Where and how the wall records event clips (QSettings "wall/clips/").
struct ClipSettings {
    bool enabled = true;
    QString dir;                 // empty: <AppDataLocation>/clips
    double preSeconds = 5;
    double postSeconds = 5;
    double quotaMb = 1024;       // 0: no quota
    static ClipSettings load();
    void save() const;
    QString folder() const;      // dir, or the default
};

struct WallTileCounts {
    int64_t delivered = 0;   // results handed to the GUI (taken)
    int64_t replaced = 0;    // results superseded in the mailbox before the GUI took them
};

class WallController : public QObject {
    Q_OBJECT
public:
    explicit WallController(QObject* parent = nullptr);
    ~WallController() override;   // stops every source (their threads end before this does)

    // A camera URL (rtsp, http(s), udp, tcp), /dev/videoN, or a local file played as a simulated
    // camera (looping). Returns the new tile's name, or an error message (ok false).
    struct AddResult {
        bool ok = false;
        QString nameOrError;
    };
    // sceneFile (optional): the camera's zones, lines and rules (engine/analytics/README.md);
    // a bad file is refused here with its name and the JSON pointer of the problem.
    AddResult addSource(const QString& url, const QString& name = {},
                        const QString& sceneFile = {});
    bool removeSource(const QString& name);
    QStringList sources() const;                 // names, in the order added
    QString urlOf(const QString& name) const;
    QString sceneFileOf(const QString& name) const;
    // The camera's zones and lines (drawn on its tile), if it has a scene.
    std::optional<analytics::Scene> scene(const QString& name) const;
    // Saves `scene` to the camera's scene file (atomically; a camera without one gets
    // <AppDataLocation>/scenes/<name>.json) and applies it to its running pipeline without
    // restarting the source. Returns an error message (naming the file or the JSON pointer of the
    // problem), empty on success.
    QString setScene(const QString& name, const analytics::Scene& scene);
    // The newest frame a tile received (for the rule editor's backdrop); invalid when none yet.
    media::VideoFrame latestFrame(const QString& name) const;

    // Event clips.
    const ClipSettings& clipSettings() const { return clips_; }
    void setClipSettings(const ClipSettings& settings);   // saved and applied at once
    // The store the recorders write into; null until the model is up (or clips are off).
    pipeline::ClipStore* clipStore() const { return clipStore_.get(); }
    // The folder clips go to: the running store's, else the settings'.
    QString clipsFolder() const {
        return clipStore_ ? QString::fromStdString(clipStore_->dir().string()) : clips_.folder();
    }
    int64_t clipsWritten() const { return clipsWritten_; }

    // Alerts raised so far (the newest kMaxAlerts), oldest first; GUI thread.
    static constexpr size_t kMaxAlerts = 1000;
    const std::vector<WallAlert>& alerts() const { return alerts_; }
    int unacknowledged() const;
    void acknowledge(int64_t alertId);
    void acknowledgeAll();
    // Where alerts are appended as JSON lines (the format of `sightline monitor --events`);
    // default: events.jsonl in the application's data directory. Empty: not written.
    QString eventsPath() const { return eventsPath_; }
    void setEventsPath(const QString& path) { eventsPath_ = path; }

    // The newest result of a tile (with its frame) due for display at `now`; older due ones are
    // passed over (counted as replaced). GUI thread.
    std::optional<pipeline::SourceFrameResult> take(
        const QString& name,
        std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
    // Whether any tile has a frame due at `now`, and the earliest time one will be (for pacing).
    bool anyDue(std::chrono::steady_clock::time_point now) const;
    bool anyQueued() const;
    static constexpr size_t kQueue = 16;
    double maxDisplayDelayMs() const { return maxDelayMs_; }
    void setMaxDisplayDelayMs(double ms) { maxDelayMs_ = ms; }
    WallTileCounts counts(const QString& name) const;
    // The pipeline's status of a tile; state "connecting" with reason "waiting for the model"
    // until the model is up.
    pipeline::SourceStatus status(const QString& name) const;
    // Every tile's status, in the order of sources() (one read of the pipeline for all).
    std::vector<pipeline::SourceStatus> statuses() const;
    pipeline::SchedulerStats schedulerStats() const;

    bool isReady() const { return monitor_ != nullptr; }
    bool isLoading() const { return loading_; }
    QString modelStatus() const { return modelStatus_; }   // "loading yolox-nano: layer 3 of 120"
    QString modelName() const { return model_; }
    std::vector<std::string> labels() const { return labels_; }

    // The detector's threads (the ones the model load started: the OpenCL CPU driver's workers,
    // and the scheduler's inference streams) run at this nice value. On a CPU shared by the
    // decoders, the detector and the GUI thread painting the wall, the detector is the one that
    // can give way: its scheduler raises the stride and the tracker carries the skipped frames,
    // while a late paint is a frame never shown (issue 15's speed goal; bench_wall --ab measures
    // both). Applied when the model is up; Linux only (elsewhere no thread is known: a no-op).
    // A lower value than the current one needs CAP_SYS_NICE: the error names the thread.
    static constexpr int kDefaultInferenceNice = 10;
    QString setInferenceNice(int nice);
    int inferenceNice() const { return inferenceNice_; }
    std::vector<int> inferenceThreads() const { return inferenceThreads_; }   // kernel ids

    // Layout: columns of the grid; 0 = automatic (ceil(sqrt(n))).
    int columns() const { return columns_; }
    void setColumns(int columns);

    // Sources and layout from QSettings ("wall/"); saved on every change.
    void restoreSources();

signals:
    void frameReady(const QString& name);
    void sourcesChanged();
    void sourceStateChanged(const QString& name);
    void modelStateChanged();
    void columnsChanged(int columns);
    void alertRaised(const sl::gui::WallAlert& alert);
    void alertsChanged();   // acknowledged, or a clip linked
    void clipFinished(const QString& video);   // a clip was written (or quota-deleted others)
    void errorOccurred(const QString& message);

private:
    struct Spec {
        QString name;
        QString url;
        QString sceneFile;
        std::optional<analytics::Scene> scene;
    };
    struct Mailbox {
        std::deque<pipeline::SourceFrameResult> queue;
        std::deque<double> latencyMs;   // the last results' decode -> result latencies
        WallTileCounts counts;
        std::chrono::steady_clock::time_point due(const pipeline::SourceFrameResult& r,
                                                  double maxDelayMs) const;
    };
    void startLoad();
    void startSource(const Spec& spec);
    void save() const;
    void onAlerts(std::vector<WallAlert> raised);   // GUI thread
    void onClip(const pipeline::ClipReport& report);   // GUI thread
    void appendEvent(const std::string& line);
    void openClipStore();
    std::shared_ptr<pipeline::ClipRecorder> recorder(const std::string& name) const;
    void addRecorder(const Spec& spec);   // when there is a store
    pipeline::MonitorSourceConfig sourceConfig(const Spec& spec) const;

    QString model_;
    bool loading_ = false;
    QString modelStatus_;
    std::vector<std::string> labels_;
    std::vector<int> inferenceThreads_;   // kernel thread ids (Linux)
    // Filled by the load task with the threads Detector::load started.
    std::shared_ptr<std::vector<int>> loadThreads_ = std::make_shared<std::vector<int>>();
    int inferenceNice_ = kDefaultInferenceNice;
    pipeline::TaskHandle load_;
    std::vector<pipeline::TaskHandle> removals_;   // sources stopping on the "retire" lane
    std::unique_ptr<pipeline::Detector> detector_;
    std::unique_ptr<pipeline::Monitor> monitor_;
    pipeline::MonitorConfig config_;
    std::vector<Spec> specs_;
    int columns_ = 0;
    bool restoring_ = false;
    std::vector<WallAlert> alerts_;
    int64_t nextAlertId_ = 1;
    QString eventsPath_;

    double maxDelayMs_ = 150;
    mutable std::mutex mailMutex_;
    std::map<std::string, Mailbox> mail_;
    std::map<std::string, media::VideoFrame> latest_;   // under mailMutex_

    ClipSettings clips_;
    std::unique_ptr<pipeline::ClipStore> clipStore_;
    // The source threads look their recorder up on every packet; a removed camera's recorder is
    // stopped after its source (on the "retire" lane), so a callback never sees a stopped one.
    mutable std::mutex recMutex_;
    std::map<std::string, std::shared_ptr<pipeline::ClipRecorder>> recorders_;
    int64_t clipsWritten_ = 0;
};

}  // namespace sl::gui
