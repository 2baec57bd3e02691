#pragma once
// SceneTool: draws and edits the scene (polygon zones, directed lines) on the video view, at any
// zoom and pan. Everything is kept in SOURCE pixels (the scene file's unit); the view hands in its
// widget <-> source transform with every event, so zoom and pan never change the geometry.
//
//   Draw Zone (z)  click points; double-click (or a click on the first point) closes the polygon
//   Draw Line (l)  click a, click b: the line is finished (direction a -> b)
//                  (a finished shape returns the tool to Select)
//   Select         press on a vertex drags it; press on a shape selects it; Delete removes the
//                  selected shape; right-click or switching tools cancels a shape being drawn
//
// Vertices are rounded to 1/100 source pixel so a file reads cleanly and a point placed on the
// source grid stays exactly there. Edits go to the scene's owner (SceneAccess): during a vertex
// drag with save = false (the counts follow the drag live), and once more with save at the
// release. The owner is the single view's TrackController (setController) or any other holder of
// a scene, e.g. the wall's rule editor (setAccess), which calls sceneReplaced() when it changes
// the scene itself.

#include <QColor>
#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QSizeF>

#include <functional>
#include <optional>
#include <vector>

#include "analytics/scene.h"

class QMouseEvent;
class QPainter;

namespace sl::gui {

class TrackController;

// Widget (device-independent pixels) <-> source pixels for the picture drawn in `rect`.
struct SourceTransform {
    QRectF rect;       // VideoView::videoRect()
    QSizeF source;     // the source frame, in its own pixels
    bool valid() const { return !rect.isEmpty() && !source.isEmpty(); }
    analytics::Point toSource(QPointF w) const;
    QPointF toWidget(analytics::Point s) const;
};

// Where the tool reads and writes the scene.
struct SceneAccess {
    std::function<analytics::Scene()> get;
    std::function<void(analytics::Scene, bool save)> set;   // save false: a drag goes on
    std::function<void()> save;                             // the drag ended: keep it
};

class SceneTool : public QObject {
    Q_OBJECT
public:
    enum class Mode { Select, DrawZone, DrawLine };
    enum class Kind { None, Zone, Line };
    struct Selection {
        Kind kind = Kind::None;
        int index = -1;
        bool operator==(const Selection&) const = default;
    };

    explicit SceneTool(QObject* parent = nullptr);
    void setController(TrackController* controller);
    void setAccess(SceneAccess access);   // instead of a TrackController
    // The owner replaced the scene (a load, an undo): a selection past the end is dropped.
    void sceneReplaced();

    Mode mode() const { return mode_; }
    void setMode(Mode mode);
    Selection selection() const { return selection_; }
    void select(Selection s);
    bool deleteSelected();      // true when a shape was removed
    bool drawing() const { return !draft_.empty(); }
    const std::vector<analytics::Point>& draft() const { return draft_; }

    // Events from the view; true = consumed (the view does not pan / pick boxes).
    bool press(QMouseEvent* e, const SourceTransform& t);
    bool move(QMouseEvent* e, const SourceTransform& t);
    bool release(QMouseEvent* e, const SourceTransform& t);
    bool doubleClick(QMouseEvent* e, const SourceTransform& t);
    void paint(QPainter& p, const SourceTransform& t) const;

    static QColor parseColor(const std::string& hex, QColor fallback);

signals:
    void modeChanged(sl::gui::SceneTool::Mode mode);
    void selectionChanged();
    void changed();   // the view repaints

private:
    struct Hit {
        Kind kind = Kind::None;
        int index = -1;
        int vertex = -1;   // -1: the shape itself
    };
    Hit hitTest(QPointF w, const SourceTransform& t) const;
    void finishDraft();
    void cancelDraft();
    analytics::Scene scene() const;
    void commit(analytics::Scene scene, bool save);

    TrackController* controller_ = nullptr;
    SceneAccess access_;
    Mode mode_ = Mode::Select;
    Selection selection_;
    std::vector<analytics::Point> draft_;
    std::optional<analytics::Point> hover_;   // rubber band end while drawing
    Hit drag_;
    bool dragMoved_ = false;
};

}  // namespace sl::gui
