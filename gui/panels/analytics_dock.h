#pragma once
// AnalyticsDock: the tracking and analytics panels of the workstation, in one dock with tabs:
//   Tracks  id, class, first / last frame, duration (from pts), zones visited; a click seeks to
//           the track's first frame and selects the track (the view draws its whole path)
//   Events  time, track, zone or line, kind, direction; a click seeks to the event's frame
//   Counts  per zone (entered, inside now) and per line (A->B, B->A) totals, and a chart of the
//           counts over time (Qt Charts: one series per zone / line, cumulative)
//   Scene   the zones and lines: name (editable), colour (double-click), the drawing tools, the
//           trails and heatmap toggles and the heatmap opacity
// Everything is rebuilt from TrackController::analysis() when it announces a change.

#include <QDockWidget>
#include <QString>

#include <cstdint>
#include <functional>

class QAction;
class QLabel;
class QSlider;
class QTableWidget;
class QTabWidget;

class QChartView;

namespace sl::gui {

class TrackController;
class VideoView;

class AnalyticsDock : public QDockWidget {
    Q_OBJECT
public:
    struct Actions {
        QAction* drawZone = nullptr;
        QAction* drawLine = nullptr;
        QAction* deleteShape = nullptr;
        QAction* trails = nullptr;
        QAction* heatmap = nullptr;
    };
    // `seek` moves the player to a frame index.
    AnalyticsDock(TrackController* tracks, VideoView* view, Actions actions,
                  std::function<void(int64_t)> seek, QWidget* parent = nullptr);

    QTableWidget* tracksTable() const { return tracksTable_; }
    QTableWidget* eventsTable() const { return eventsTable_; }
    QTableWidget* countsTable() const { return countsTable_; }
    QTableWidget* sceneTable() const { return sceneTable_; }
    QChartView* chart() const { return chart_; }
    QTabWidget* tabs() const { return tabs_; }
    // The text the counts table shows for a zone or line, column "total" (entered for a zone,
    // A->B + B->A for a line); empty when the row is missing.
    QString countText(const QString& name) const;

    void refresh();

private:
    void refreshTracks();
    void refreshEvents();
    void refreshCounts();
    void refreshScene();
    void onSceneItemChanged(int row, int column);
    void onSceneDoubleClicked(int row, int column);

    TrackController* tracks_;
    VideoView* view_;
    std::function<void(int64_t)> seek_;
    QTabWidget* tabs_ = nullptr;
    QTableWidget* tracksTable_ = nullptr;
    QTableWidget* eventsTable_ = nullptr;
    QTableWidget* countsTable_ = nullptr;
    QTableWidget* sceneTable_ = nullptr;
    QChartView* chart_ = nullptr;
    QLabel* summary_ = nullptr;
    QSlider* opacity_ = nullptr;
    bool filling_ = false;
};

}  // namespace sl::gui
