#pragma once
// TrackController: tracking and analytics for the workstation (issue "Tracking and analytics").
// Owns a pipeline::TrackAnalysis fed from the window's ResultsStore: the store's version is polled
// (debounced: at most one recompute per poll tick, 200 ms), and a change re-tracks the whole
// stored sequence as a background task (lane "tracks" of the UI task runner, app/ui_task_hook.h):
// measured ~10 ms for 795 frames x 8 objects on the shared 2-core CI machine, over the 5 ms the
// GUI thread may spend. The task builds a fresh TrackAnalysis from a snapshot and hands it back
// through the hook; the GUI thread swaps it in
// (re-applying a scene edited meanwhile), so panels never see a half-built result. One job at a
// time; a newer store version starts the next job when the current one is back.
//
// The scene (zones, lines) lives in the open project (setSceneSink: ProjectController), else beside
// the media: VIDEO.zones.json, loaded when the media opens and saved atomically
// (analytics::saveScene) after every finished edit. When a project is opened over a media whose
// scene is only in the side file, the scene moves into the project (adoptStoredScene); the side
// file is left as it was. A scene edit re-runs only the analytics over the kept tracks
// (TrackAnalysis::setScene), never detection or tracking.
//
// One selected track (the view's click, the Tracks panel): the view draws its whole path.

#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "analytics/scene.h"
#include "pipeline/background_task.h"
#include "pipeline/results_store.h"
#include "pipeline/track_analysis.h"

namespace sl::gui {

class TrackController : public QObject {
    Q_OBJECT
public:
    // `store` must outlive this object.
    explicit TrackController(std::shared_ptr<pipeline::ResultsStore> store,
                             QObject* parent = nullptr);
    ~TrackController() override;

    const pipeline::TrackAnalysis& analysis() const { return analysis_; }
    const analytics::Scene& scene() const { return analysis_.scene(); }
    const pipeline::ResultsStore& store() const { return *store_; }

    // A new source: forgets the tracks, loads `mediaPath`.zones.json when it exists. Returns an
    // error message (naming the file and the JSON pointer) for a bad file, else empty; the scene
    // is then empty, and the first save moves the bad file aside to VIDEO.zones.json.bad so the
    // analyst's file is never lost.
    QString openMedia(const QString& mediaPath, int frameWidth, int frameHeight);
    void closeMedia();
    QString scenePath() const { return scenePath_; }
    int frameWidth() const { return frameWidth_; }
    int frameHeight() const { return frameHeight_; }

    // An edit of the scene: re-runs the analytics at once. `save` false while a drag is in
    // progress (the file is written when it ends). Returns an error message or empty.
    QString setScene(analytics::Scene scene, bool save = true);
    QString saveScene();

    // Where finished edits go instead of the side file (the open project); empty: the side file.
    // The sink saves asynchronously and reports its own errors.
    void setSceneSink(std::function<void(const analytics::Scene&)> sink);
    bool hasSceneSink() const { return static_cast<bool>(sceneSink_); }
    // The project's stored scene of this media (SCENE_JSON, '' when it has none), read from
    // SOURCE_NAME: a stored scene replaces the shown one; none, and the shown one (from the side
    // file) is saved into the sink. Returns an error message (naming SOURCE_NAME) or empty.
    QString adoptStoredScene(const QString& sceneJson, const QString& sourceName);

    // Starts a re-track if the store changed since the last one and none is running (the poll
    // timer calls it). True when a job started.
    bool refresh();
    double lastRecomputeMs() const { return lastRecomputeMs_; }   // on the worker
    double lastSceneMs() const { return lastSceneMs_; }           // GUI thread: setScene
    bool busy() const { return running_; }
    int64_t recomputes() const { return recomputes_; }
    // Bumped whenever the tracks change (a swapped-in result, a new source): caches key on it.
    // (TrackAnalysis::version() restarts with every worker's fresh object, so it cannot.)
    uint64_t tracksSerial() const { return tracksSerial_; }

    void setSelectedTrack(int64_t trackId);   // 0: none
    int64_t selectedTrack() const { return selected_; }

    // The track of box `detectionIndex` on `frameIndex` (0 when untracked).
    int64_t trackOfDetection(int64_t frameIndex, int detectionIndex) const;

signals:
    void analysisChanged();           // tracks, events or counts changed
    void sceneChanged();              // zones or lines changed (an edit, a load)
    void selectionChanged(qint64 trackId);
    void errorOccurred(const QString& message);

private:
    void onRecomputed(int generation, std::shared_ptr<pipeline::TrackAnalysis> result, double ms);

    std::shared_ptr<pipeline::ResultsStore> store_;
    pipeline::TrackAnalysis analysis_;
    QTimer poll_;
    std::optional<uint64_t> seenVersion_;
    QString scenePath_;
    int frameWidth_ = 0, frameHeight_ = 0;
    double lastRecomputeMs_ = 0;
    int64_t recomputes_ = 0;
    int64_t selected_ = 0;
    bool badFile_ = false;
    std::function<void(const analytics::Scene&)> sceneSink_;
    double lastSceneMs_ = 0;
    uint64_t tracksSerial_ = 0;
    bool running_ = false;
    int generation_ = 0;    // bumped by a new source: older jobs' results are dropped
    pipeline::TaskHandle job_;
};

}  // namespace sl::gui
