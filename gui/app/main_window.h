#pragma once
// MainWindow: the player window. Owns the EngineController, the VideoView (central, under an
// error banner), the transport bar, the menus and every QAction (one action per command, so a key,
// a menu entry and a button can never disagree), the status bar and the persisted settings
// (recent files, resume position per file, geometry).

#include <QMainWindow>
#include <QTimer>

#include <cstdint>
#include <functional>
#include <optional>

#include "annotate/annotation.h"
#include "store/change_set.h"
#include "annotate/formats/format.h"
#include "pipeline/dataset_export.h"
#include "controller/engine_controller.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QStackedWidget;

namespace sl::store {
class ProjectStore;
}

namespace sl::gui {

class DetectionController;
class ProjectController;
class ProjectSetsDialog;
class ReviewController;
class ReviewSession;
class BoxEditor;
class Propagation;
class LayersDock;
class DetectionDock;
class AnalyticsDock;
class TrackController;
class ErrorBanner;
class TransportBar;
class WorkstationTools;
class VideoView;
class WallController;
class AlertsDock;
class WallView;
class TimelineStrip;
class EvaluationDock;
class ClipsDock;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a local path or a URL (http, rtsp, ..., /dev/videoN). Errors arrive asynchronously in
    // the error banner; the window stays usable.
    void openSource(const QString& urlOrPath);
    void setAutoPlay(bool autoPlay) { autoPlay_ = autoPlay; }
    void setResumePositions(bool resume) { resume_ = resume; }

    EngineController* controller() const { return controller_; }
    VideoView* videoView() const { return view_; }
    TransportBar* transportBar() const { return transport_; }
    ErrorBanner* errorBanner() const { return banner_; }
    // Detections list, in/out marks, Analyse Range, exports (gui/panels/workstation_tools.h).
    WorkstationTools* tools() const { return tools_; }
    DetectionController* detection() const { return detection_; }
    DetectionDock* detectionDock() const { return detectionDock_; }
    QAction* inferenceAction() const { return inference_; }
    // Tracking and analytics (main_window_tracks.cpp).
    TrackController* tracks() const { return tracks_; }
    AnalyticsDock* analyticsDock() const { return analyticsDock_; }
    QString exportTracks(const QString& path) const;          // MOT text; empty on success
    QString exportEvents(const QString& path) const;          // .csv / .json
    QString exportHeatmap(const QString& path, bool overFrame) const;   // PNG
    // The project (main_window_project.cpp): results and zones stored durably.
    ProjectController* project() const { return project_; }
    void openProject(const QString& path, bool create);   // asynchronous: opened() or failed()
    void saveResultsToProject();          // the shown media's results as a new model run
    void loadResultsFromProject();        // opens the sets dialog
    ProjectSetsDialog* setsDialog() const { return setsDialog_; }
    // The project as files (main_window_project_files.cpp): File > New / Open / Save Project As,
    // Recent Projects, relinking moved media, Import / Export Annotations, Export Dataset.
    void saveProjectAs(const QString& path);   // a copy, then the copy is the open project
    void importAnnotations(const QString& file, std::optional<annotate::formats::Format> format,
                           annotate::SetKind kind, const QString& name);
    void exportAnnotations(qint64 setId, const QString& path, annotate::formats::Format format);
    void exportDataset(qint64 setId, const pipeline::DatasetExportOptions& options);
    QMenu* recentProjectsMenu() const { return recentProjectsMenu_; }
    static constexpr const char* kRecentProjectsKey = "recentProjects";
    // The monitoring wall (main_window_wall.cpp): live cameras as tiles on the engine's pipeline.
    WallController* wall() const { return wall_; }
    WallView* wallView() const { return wallView_; }
    AlertsDock* alertsDock() const { return alertsDock_; }
    bool wallShown() const;
    void showWall(bool shown);        // the first showing restores the saved cameras
    void openFromWall(const QString& name);   // the tile's source in the single view
    // Event clips and rule editing on the wall (main_window_clips.cpp).
    ClipsDock* clipsDock() const { return clipsDock_; }
    void openClip(const QString& video);       // in the single view, with its stored boxes
    void editWallScene(const QString& name);   // the tile's zones and rules editor (non-modal)
    // Review edits and their undo history (main_window_review.cpp): Edit > Undo / Redo, the
    // Undo History dock.
    ReviewController* review() const { return review_; }
    QDockWidget* historyDock() const { return historyDock_; }
    // Editing in the video view (main_window_editing.cpp): the review layers, the box editor,
    // the Layers panel, the Annotate menu.
    ReviewSession* reviewSession() const { return session_; }
    BoxEditor* boxEditor() const { return boxEditor_; }
    LayersDock* layersDock() const { return layersDock_; }
    // Annotate > Propagate: the tracker's proposals for the selected box (review/propagation.h).
    Propagation* propagation() const { return propagation_; }
    static constexpr int kDefaultPropagateFrames = 30;
    int propagateFrames() const;   // N, from QSettings "review/propagateFrames"
    void setPropagateFrames(int frames);
    // The timeline strip under the video and the Evaluation dock (main_window_timeline.cpp).
    TimelineStrip* timeline() const { return timeline_; }
    EvaluationDock* evaluationDock() const { return evaluationDock_; }
    QString statusText() const;      // all status-bar fields, for tests and bug reports
    QList<QAction*> allActions() const { return actions_; }

    static constexpr int kRecentCount = 10;

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QAction* makeAction(const QString& text, const QList<QKeySequence>& keys,
                        void (MainWindow::*slot)());
    QAction* makeAction(const QString& text, const QList<QKeySequence>& keys,
                        std::function<void()> fn);
    void createActions();
    void createMenus();
    void createStatusBar();

    void onOpened(const MediaSummary& summary);
    void onFailed(const QString& url, const QString& message);
    void onPlayingChanged(bool playing);
    void onFrameDisplayed(qint64 index, double seconds);
    void refreshStatus();
    void createDetection();        // the Detection dock, keys i / h, bridge status (issue 3/5)
    void onBridgeStateChanged();
    void createTracking();
    void openTracking(const QString& url, const MediaSummary& summary);
    void createProject();
    void createProjectFiles();
    void refreshTitle();   // "project.slproj — video.mp4 — Sightline"
    void addRecentProject(const QString& path);
    void rebuildRecentProjects();
    void saveProjectAsDialog();
    void askRelink(const QStringList& missing);
    void annotationFilesDialog(int mode);   // AnnotationFilesDialog::Mode
    void createWall();
    void addCameraDialog();
    void createClips(QMenu* wallMenu);
    void createReview();
    void createEditing();
    void useLabel(int index);
    // For each selected track of an editable layer: the edit MAKE(set, track, frame, a keyframe
    // is there) at the shown frame; WHAT names it when nothing is selected.
    void forEachSelectedTrack(
        const QString& what,
        const std::function<std::function<Expected<store::HistoryEntry>(store::ProjectStore&)>(
            int64_t, int64_t, int64_t, bool)>& make);
    void deleteSelection();   // Delete: a scene shape, else the selected boxes
    void deleteSelectedTracks();
    void mergeSelectedTracks();
    void changeSelectedTrackId();
    void acceptSelectedPredictions();
    void acceptPredictionsDialog();
    void propagateSelection();
    void propagateFramesDialog();
    void showPropagationState();
    void createTimeline();
    void newProjectDialog();
    void openProjectDialog();
    void onSetLoaded(const annotate::AnnotationSet& set, const annotate::MediaInfo& media);
    void askExport(const QString& title, const QString& filter, const QString& suffix,
                   std::function<QString(const QString&)> write);

    void openFileDialog();
    void openUrlDialog();
    void showShortcuts();
    void showAbout();
    void toggleFullScreen();
    void leaveFullScreen();
    void changeSpeed(int presetSteps);
    void setSpeed(double speed);
    void seekFirst();
    void seekLast();

    void addRecent(const QString& url);
    void rebuildRecentMenu();
    void savePosition();
    static QString positionKey(const QString& url);

    EngineController* controller_ = nullptr;
    VideoView* view_ = nullptr;
    ErrorBanner* banner_ = nullptr;
    TransportBar* transport_ = nullptr;
    WorkstationTools* tools_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QList<QAction*> actions_;

    QAction* playPause_ = nullptr;
    QAction* stepBack_ = nullptr;
    QAction* stepForward_ = nullptr;
    QAction* back10_ = nullptr;
    QAction* back1_ = nullptr;
    QAction* forward1_ = nullptr;
    QAction* forward10_ = nullptr;
    QAction* fullScreen_ = nullptr;
    QAction* leaveFullScreen_ = nullptr;
    QAction* inference_ = nullptr;
    DetectionController* detection_ = nullptr;
    DetectionDock* detectionDock_ = nullptr;
    QLabel* bridgeLabel_ = nullptr;
    TrackController* tracks_ = nullptr;
    AnalyticsDock* analyticsDock_ = nullptr;
    ProjectController* project_ = nullptr;
    ProjectSetsDialog* setsDialog_ = nullptr;
    QLabel* projectLabel_ = nullptr;
    QMenu* recentProjectsMenu_ = nullptr;
    QString titleMedia_;        // the shown source's name in the title ('' when none)
    QString relinkAskedFor_;    // the project whose missing media were asked for (once per open)
    QStackedWidget* stack_ = nullptr;
    QWidget* singlePage_ = nullptr;
    WallController* wall_ = nullptr;
    WallView* wallView_ = nullptr;
    AlertsDock* alertsDock_ = nullptr;
    ClipsDock* clipsDock_ = nullptr;
    QAction* wallAction_ = nullptr;
    bool wallRestored_ = false;
    bool fromWall_ = false;   // the single view was opened from a tile: Esc goes back
    ReviewController* review_ = nullptr;
    QDockWidget* historyDock_ = nullptr;
    ReviewSession* session_ = nullptr;
    BoxEditor* boxEditor_ = nullptr;
    LayersDock* layersDock_ = nullptr;
    Propagation* propagation_ = nullptr;
    int64_t shownFrame_ = -1;   // the frame the view shows (the review keys act on it)
    TimelineStrip* timeline_ = nullptr;
    EvaluationDock* evaluationDock_ = nullptr;

    QLabel* codecLabel_ = nullptr;
    QLabel* sizeLabel_ = nullptr;
    QLabel* fpsLabel_ = nullptr;
    QLabel* decodeLabel_ = nullptr;
    QLabel* speedLabel_ = nullptr;
    QLabel* skippedLabel_ = nullptr;
    QLabel* queueLabel_ = nullptr;
    QTimer statusTimer_;

    std::optional<MediaSummary> media_;   // set while a source is open
    QString openingUrl_;
    bool autoPlay_ = true;
    bool resume_ = true;
    bool wasMaximized_ = false;
};

}  // namespace sl::gui
