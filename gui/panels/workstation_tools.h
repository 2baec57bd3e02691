#pragma once
// WorkstationTools: the analysis side of the player window, kept out of MainWindow so it stays a
// player: the detections list dock, in/out marks (Shift+I / Shift+O: plain I toggles inference),
// "Analyse Range...", and the exports (results JSON/CSV, snapshot PNG of the view with its
// overlay, video with boxes burned in). MainWindow creates one and deletes it first in its
// destructor (it joins worker threads that use the ResultsStore).
//
// Highlight: activating a detection row seeks the player to that frame (exact) and publishes
// (frame, box) through highlightedBox()/highlightChanged, for the view's overlay to outline.

#include <QObject>
#include <QPointer>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "pipeline/results_store.h"

class QAction;
class QMainWindow;
class QMenu;
class QOpenGLWidget;

namespace sl::gui {

class AnalyseRangeDialog;
class DetectionsPanel;
class EngineController;

class WorkstationTools : public QObject {
    Q_OBJECT
public:
    // `store` must outlive this object.
    WorkstationTools(QMainWindow* window, EngineController* controller, QOpenGLWidget* view,
                     pipeline::ResultsStore& store);
    ~WorkstationTools() override;

    DetectionsPanel* panel() const { return panel_; }
    QMenu* menu() const { return menu_; }
    pipeline::ResultsStore& store() const { return store_; }

    std::optional<int64_t> inMark() const { return in_; }
    std::optional<int64_t> outMark() const { return out_; }
    // The range "Analyse Range" proposes: the marks, else the whole file.
    std::pair<int64_t, int64_t> defaultRange() const;

    // -1, -1: none.
    std::pair<int64_t, int> highlightedBox() const { return highlight_; }

    // Non-interactive entry points (the menu actions ask for a file name and call these).
    QString exportResults(const QString& path) const;   // empty on success
    QString saveSnapshot(const QString& path) const;    // empty on success
    AnalyseRangeDialog* openAnalyseDialog();
    void exportVideo(const QString& path);               // progress dialog, worker thread

signals:
    void highlightChanged(qint64 frameIndex, int boxIndex);
    void marksChanged();

private:
    void onDetectionActivated(qint64 frameIndex, int boxIndex);
    void setMark(bool in);
    QString askSavePath(const QString& title, const QString& filter, const QString& suffix);
    pipeline::ExportHeader header() const;

    QMainWindow* window_;
    EngineController* controller_;
    QOpenGLWidget* view_;
    pipeline::ResultsStore& store_;
    DetectionsPanel* panel_ = nullptr;
    QMenu* menu_ = nullptr;
    QPointer<AnalyseRangeDialog> dialog_;
    std::optional<int64_t> in_, out_;
    std::pair<int64_t, int> highlight_{-1, -1};
};

}  // namespace sl::gui
