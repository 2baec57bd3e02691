#include "controller/track_controller.h"

#include <QFileInfo>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "app/ui_task_hook.h"

namespace sl::gui {

TrackController::TrackController(std::shared_ptr<pipeline::ResultsStore> store, QObject* parent)
    : QObject(parent), store_(std::move(store)) {
    // Debounce: Analyse Range puts thousands of frames per second; one recompute per tick.
    poll_.setInterval(200);
    connect(&poll_, &QTimer::timeout, this, [this] { refresh(); });
    poll_.start();
}

TrackController::~TrackController() {
    // The job's queued result is dropped with this object; the job reads the store, which
    // only outlives this object, so it ends first.
    job_.cancel();
    job_.wait();
}

QString TrackController::openMedia(const QString& mediaPath, int frameWidth, int frameHeight) {
    closeMedia();
    ++generation_;
    frameWidth_ = frameWidth;
    frameHeight_ = frameHeight;
    // Only local files get a scene file beside them (a URL or a camera has no folder).
    if (!mediaPath.isEmpty() && QFileInfo(mediaPath).isFile())
        scenePath_ = mediaPath + QStringLiteral(".zones.json");
    QString error;
    analytics::Scene scene;
    if (!scenePath_.isEmpty() && QFileInfo::exists(scenePath_)) {
        auto loaded = analytics::loadScene(std::filesystem::path(scenePath_.toStdString()));
        if (loaded.hasValue()) {
            scene = std::move(*loaded);
        } else {
            badFile_ = true;
            error = QString::fromStdString(loaded.status().message());
        }
    }
    analysis_.setScene(std::move(scene));
    seenVersion_.reset();
    refresh();   // or, with a job of the old source still out, when it returns
    emit sceneChanged();
    emit analysisChanged();
    return error;
}

void TrackController::closeMedia() {
    analysis_.clear();
    analysis_.setScene({});
    ++tracksSerial_;
    scenePath_.clear();
    badFile_ = false;
    seenVersion_.reset();
    frameWidth_ = frameHeight_ = 0;
    setSelectedTrack(0);
}

QString TrackController::setScene(analytics::Scene scene, bool save) {
    const auto t0 = std::chrono::steady_clock::now();
    analysis_.setScene(std::move(scene));
    lastSceneMs_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    emit sceneChanged();
    emit analysisChanged();
    return save ? saveScene() : QString();
}

void TrackController::setSceneSink(std::function<void(const analytics::Scene&)> sink) {
    sceneSink_ = std::move(sink);
}

QString TrackController::adoptStoredScene(const QString& sceneJson, const QString& sourceName) {
    if (sceneJson.isEmpty()) {
        // The first open in a project: what the side file held moves in.
        if (sceneSink_ && !(analysis_.scene() == analytics::Scene{})) sceneSink_(analysis_.scene());
        return {};
    }
    auto parsed = analytics::parseSceneJson(sceneJson.toStdString(), sourceName.toStdString());
    if (!parsed) {
        const QString message = QString::fromStdString(parsed.status().message());
        emit errorOccurred(message);
        return message;
    }
    setScene(std::move(*parsed), false);
    return {};
}

QString TrackController::saveScene() {
    if (sceneSink_) {
        sceneSink_(analysis_.scene());
        return {};
    }
    if (scenePath_.isEmpty()) return {};
    const std::filesystem::path path(scenePath_.toStdString());
    if (badFile_) {
        // Keep the file we could not read: the analyst may want to repair it by hand.
        std::error_code ec;
        std::filesystem::rename(path, std::filesystem::path(path.string() + ".bad"), ec);
        badFile_ = false;
    }
    const Status st = analytics::saveScene(path, analysis_.scene());
    if (st) return {};
    const QString message = QString::fromStdString(st.message());
    emit errorOccurred(message);
    return message;
}

bool TrackController::refresh() {
    const uint64_t version = store_->version();
    if (running_ || (seenVersion_ && *seenVersion_ == version)) return false;
    seenVersion_ = version;
    running_ = true;
    const int generation = generation_;
    struct Recomputed {
        std::shared_ptr<pipeline::TrackAnalysis> analysis;
        double ms = 0;
    };
    job_ = startUiTaskWithResult(
        this, pipeline::TaskSpec("re-track", "tracks"),
        [store = store_, params = analysis_.params(),
         scene = analysis_.scene()](pipeline::TaskContext&) mutable -> Expected<Recomputed> {
            const auto t0 = std::chrono::steady_clock::now();
            auto result = std::make_shared<pipeline::TrackAnalysis>(params, std::move(scene),
                                                                   store->labels());
            result->recompute(store->snapshot());
            const double ms = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - t0).count();
            return Recomputed{std::move(result), ms};
        },
        [this, generation](Expected<Recomputed>& r) {
            if (!r) {   // an exception in the tracker, caught by the runner
                running_ = false;
                emit errorOccurred(QString::fromStdString(r.status().message()));
                return;
            }
            onRecomputed(generation, std::move(r->analysis), r->ms);
        });
    return true;
}

void TrackController::onRecomputed(int generation, std::shared_ptr<pipeline::TrackAnalysis> result,
                                   double ms) {
    running_ = false;
    if (generation != generation_) {
        refresh();
        return;
    }
    // A scene edited while the job ran: its analytics over the new tracks.
    if (!(result->scene() == analysis_.scene())) result->setScene(analysis_.scene());
    analysis_ = std::move(*result);
    lastRecomputeMs_ = ms;
    ++recomputes_;
    ++tracksSerial_;
    // A selected track that no longer exists (new detections renumber tracks) is dropped.
    if (selected_ != 0) {
        bool found = false;
        for (const auto& t : analysis_.tracks()) found = found || t.trackId == selected_;
        if (!found) setSelectedTrack(0);
    }
    emit analysisChanged();
}

void TrackController::setSelectedTrack(int64_t trackId) {
    if (trackId == selected_) return;
    selected_ = trackId;
    emit selectionChanged(trackId);
}

int64_t TrackController::trackOfDetection(int64_t frameIndex, int detectionIndex) const {
    const auto* objects = analysis_.at(frameIndex);
    if (!objects) return 0;
    for (const auto& o : *objects)
        if (o.detectionIndex == detectionIndex) return o.trackId;
    return 0;
}

}  // namespace sl::gui
