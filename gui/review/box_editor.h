#pragma once
// BoxEditor: draws the review layers over the video and edits their boxes with the mouse, at any
// zoom and pan (issue 14). Like SceneTool, everything is in SOURCE pixels: the view hands in its
// widget <-> source transform with each event, so a box made at 2x zoom with a pan has the same
// coordinates as one made at fit. Coordinates are rounded to 1/100 source pixel (what the
// formats write), and boxes are clamped to the frame.
//
//   click a box           select it (the smallest under the cursor: the one aimed at); Tab /
//                         Shift+Tab cycle through the boxes under that point
//   Shift + drag          rubber band: select every box wholly inside
//   drag a selected box   move it; drag one of its 8 handles: resize (crossing over flips)
//   Draw Box mode (B)     drag to create a box with the current label (keys 1-9 pick it)
//   empty-area drag       pans (the view's), as before
//
// Edits go to the ReviewController as one undo step each, at the release: a lone box through
// review::setBox, a track's box at the shown frame through review::setTrackBox (a keyframe is
// made where the frame was interpolated). The released box is drawn where it was dropped at once
// and stays so until the store has answered (the ReviewController is idle again): a commit takes
// tens of ms (an fsync), and the box must not jump back meanwhile. A refused edit puts it back. While a track's box is dragged, the track's boxes
// between its neighbouring keyframes are drawn interpolated towards the dragged box, live.
// Predictions (model-run layers) are not moved: they are accepted (Enter) first.

#include <QColor>
#include <QObject>
#include <QPointF>
#include <QRectF>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "review/review_session.h"
#include "view/scene_tool.h"
#include "vision/nms.h"

class QFontMetrics;
class QMouseEvent;
class QPainter;

namespace sl::gui {

class Propagation;
class ReviewController;

class BoxEditor : public QObject {
    Q_OBJECT
public:
    enum class Mode { Select, DrawBox };
    // The 8 handles, clockwise from the top-left corner.
    enum Handle { TopLeft, Top, TopRight, Right, BottomRight, Bottom, BottomLeft, Left };

    BoxEditor(ReviewSession* session, ReviewController* review, QObject* parent = nullptr);

    ReviewSession* session() const { return session_; }
    Mode mode() const { return mode_; }
    void setMode(Mode mode);
    // The label new boxes get; empty: the session's first label, else "object".
    void setCurrentLabel(const std::string& label);
    std::string currentLabel() const;
    void setFrame(int64_t frame);   // the frame the view shows (edits apply to it)
    // (optional) Its proposals are drawn on their frames, dotted (review/propagation.h).
    void setPropagation(const Propagation* propagation) { propagation_ = propagation; }
    int64_t frame() const { return frame_; }

    // Events from the view; true = consumed (the view neither pans nor picks tracks).
    bool press(QMouseEvent* e, const SourceTransform& t);
    bool move(QMouseEvent* e, const SourceTransform& t);
    bool release(QMouseEvent* e, const SourceTransform& t);
    void paint(QPainter& p, const SourceTransform& t) const;
    bool dragging() const { return drag_.kind != DragKind::None; }

    // Tab: the next (or previous) box under the last click point, else on the frame.
    void cycle(bool forward);

    // Where a handle of BOX is drawn, in widget pixels (tests press on it).
    static QPointF handlePos(const QRectF& widgetBox, Handle h);
    static constexpr double kHandleRadius = 6.0;   // widget pixels

signals:
    void modeChanged(sl::gui::BoxEditor::Mode mode);
    void changed();                        // the view repaints
    void message(const QString& text);     // a refusal to explain in the status bar

private:
    enum class DragKind { None, Move, Resize, Create, Rubber };
    struct Drag {
        DragKind kind = DragKind::None;
        ReviewPick pick;
        vision::Box start;                 // the box at the press (source pixels)
        analytics::Point startSource;      // the press, in source pixels
        QPointF startWidget;
        Handle handle = TopLeft;
        vision::Box draft;                 // what the release commits
        QPointF currentWidget;
        bool moved = false;
    };
    std::optional<ShownObject> shown(const ReviewPick& pick) const;
    std::vector<ShownObject> under(QPointF w, const SourceTransform& t) const;
    std::optional<Handle> handleAt(QPointF w, const SourceTransform& t) const;
    vision::Box clampToFrame(vision::Box b, const SourceTransform& t) const;
    void commit(const Drag& d);
    void paintInterpolation(QPainter& p, const SourceTransform& t) const;
    void paintProposal(QPainter& p, const SourceTransform& t, const QFontMetrics& fm) const;
    static ReviewPick pickOf(const ShownObject& s);

    // Released edits not answered yet, drawn in place of what the session holds.
    struct Pending {
        ReviewPick pick;          // setId 0: a box being created
        int64_t frame = 0;
        vision::Box box;
        std::string label;
    };

    ReviewSession* session_;
    ReviewController* review_;
    const Propagation* propagation_ = nullptr;
    std::vector<Pending> pending_;
    Mode mode_ = Mode::Select;
    std::string label_;
    int64_t frame_ = -1;
    Drag drag_;
    std::optional<QPointF> cyclePoint_;   // widget point of the last click (Tab cycles there)
    // The view's transform at the last paint (Tab has no event to bring one).
    mutable SourceTransform lastTransform_;
};

}  // namespace sl::gui
