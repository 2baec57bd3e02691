#pragma once
// SceneEditorDialog: a wall camera's zones, lines and rules, edited over the tile's latest frame
// (issue 15: "edited on the tile with the drawing tools of the tracking issue"). The drawing is
// the single view's SceneTool (Draw Zone z, Draw Line l, Select and drag vertices, Delete), fed
// with the canvas's widget <-> source transform, so every point is in the camera's source pixels
// whatever the dialog's size. Beside the picture, the shapes' fields: name, classes, anchor,
// colour, and for zones hysteresis (frames) and loiter seconds (a rename follows into the
// rules). A value typed there that does not parse or is out of range is refused at once and at
// Save with a message naming the shape and the field; it never reaches the scene. The rules are a table: name, kind (zone enter / exit, line cross,
// loiter, count above, class present), target, classes, seconds, count, direction, severity,
// cooldown. Save writes the camera's scene file atomically and applies it to the running
// pipeline (WallController::setScene); a scene that does not validate is refused with the
// JSON pointer of the problem, and the dialog stays open.

#include <QDialog>
#include <QImage>
#include <QWidget>

#include "analytics/scene.h"
#include "view/scene_tool.h"

class QLabel;
class QTableWidget;
class QTableWidgetItem;

namespace sl::gui {

class WallController;

// The frame with the scene drawn over it; mouse events go to the SceneTool.
class SceneCanvas : public QWidget {
    Q_OBJECT
public:
    SceneCanvas(SceneTool* tool, QWidget* parent = nullptr);
    // `image` shows the frame (display aspect); `source` is the frame's size in its own pixels.
    void setPicture(const QImage& image, QSize source);
    QRectF pictureRect() const;     // where the picture is drawn (aspect kept)
    SourceTransform transform() const { return {pictureRect(), QSizeF(source_)}; }
    QSize sizeHint() const override { return {960, 540}; }

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;

private:
    SceneTool* tool_;
    QImage image_;
    QSize source_;
};

class SceneEditorDialog : public QDialog {
    Q_OBJECT
public:
    SceneEditorDialog(WallController* wall, const QString& camera, QWidget* parent = nullptr);

    QString camera() const { return camera_; }
    SceneCanvas* canvas() const { return canvas_; }
    SceneTool* tool() const { return tool_; }
    QTableWidget* rulesTable() const { return rules_; }
    // The zones then the lines, one row each in ShapeColumn order (a rename follows into the
    // rules aimed at the shape; the anchor is a combo box cell widget, the rest are items).
    // Selecting a row selects the shape on the canvas.
    QTableWidget* shapesTable() const { return shapesTable_; }
    // The scene as edited: the shapes drawn and the rules in the table.
    analytics::Scene scene() const;
    int addRule();                  // a new row (a sensible kind and target); its row
    // Writes and applies the scene; the error message (also shown in the dialog), empty on
    // success.
    QString save();

    enum ShapeColumn { kShapeKind, kShapeName, kShapeClasses, kShapeAnchor, kShapeHysteresis,
                       kShapeLoiter, kShapeColor, kShapeColumns };
    enum RuleColumn { kName, kKind, kTarget, kClasses, kSeconds, kCount, kDirection, kSeverity,
                      kCooldown, kRuleColumns };

private:
    void setScene(analytics::Scene scene);       // from the tool
    std::vector<analytics::Rule> tableRules() const;
    void fillRules(const std::vector<analytics::Rule>& rules);
    void setRow(int row, const analytics::Rule& rule);
    void refreshTargets();
    void fillShapes();
    void onShapeEdited(QTableWidgetItem* item);
    // The first shape cell whose text does not parse ("zone 'door': hysteresis: ..."), or empty.
    QString shapeProblem() const;
    // What validateScene cannot know: class names the model does not have, a loiter rule with
    // no seconds on a zone without its own; empty when none.
    QString ruleProblem(const analytics::Scene& scene) const;

    WallController* wall_;
    QString camera_;
    SceneTool* tool_;
    SceneCanvas* canvas_;
    QTableWidget* rules_;
    QTableWidget* shapesTable_;
    QLabel* error_;
    analytics::Scene shapes_;       // zones and lines (rules live in the table)
};

}  // namespace sl::gui
