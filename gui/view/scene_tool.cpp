#include "view/scene_tool.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "controller/track_controller.h"

namespace sl::gui {
namespace {

constexpr double kGrabRadius = 8.0;   // widget pixels: a vertex or line within this is hit
constexpr double kSamePoint = 3.0;    // a press this close to the last point adds nothing

// Qt's double-click sequences repeat the press; new points are distinct by more than this.
double dist(QPointF a, QPointF b) { return std::hypot(a.x() - b.x(), a.y() - b.y()); }

double round100(double v) { return std::round(v * 100.0) / 100.0; }

double segmentDistance(QPointF p, QPointF a, QPointF b) {
    const QPointF ab = b - a;
    const double len2 = ab.x() * ab.x() + ab.y() * ab.y();
    if (len2 <= 0) return dist(p, a);
    const double t =
        std::clamp(((p.x() - a.x()) * ab.x() + (p.y() - a.y()) * ab.y()) / len2, 0.0, 1.0);
    return dist(p, a + t * ab);
}

const char* const kZoneColors[] = {"#ffb000", "#ff5ca8", "#7ee081", "#c38bff", "#ff7b3a"};
const char* const kLineColors[] = {"#00c8ff", "#f4f46a", "#ff4f4f", "#5cffd6", "#ffffff"};

template <class Shapes>
std::string uniqueName(const Shapes& shapes, const QString& base) {
    std::set<std::string> used;
    for (const auto& s : shapes) used.insert(s.name);
    for (int n = int(shapes.size()) + 1;; ++n) {
        const std::string name = QStringLiteral("%1 %2").arg(base).arg(n).toStdString();
        if (!used.count(name)) return name;
    }
}

}  // namespace

analytics::Point SourceTransform::toSource(QPointF w) const {
    return {round100((w.x() - rect.left()) / rect.width() * source.width()),
            round100((w.y() - rect.top()) / rect.height() * source.height())};
}

QPointF SourceTransform::toWidget(analytics::Point s) const {
    return {rect.left() + s.x / source.width() * rect.width(),
            rect.top() + s.y / source.height() * rect.height()};
}

QColor SceneTool::parseColor(const std::string& hex, QColor fallback) {
    const QColor c(QString::fromStdString(hex));
    return c.isValid() ? c : fallback;
}

SceneTool::SceneTool(QObject* parent) : QObject(parent) {}

void SceneTool::setController(TrackController* controller) {
    if (controller_) disconnect(controller_, nullptr, this, nullptr);
    controller_ = controller;
    if (!controller_) {
        access_ = {};
        return;
    }
    access_.get = [controller] { return controller->scene(); };
    access_.set = [controller](analytics::Scene s, bool save) {
        controller->setScene(std::move(s), save);
    };
    access_.save = [controller] { controller->saveScene(); };
    connect(controller_, &TrackController::sceneChanged, this, &SceneTool::sceneReplaced);
}

void SceneTool::setAccess(SceneAccess access) {
    if (controller_) disconnect(controller_, nullptr, this, nullptr);
    controller_ = nullptr;
    access_ = std::move(access);
    sceneReplaced();
}

void SceneTool::sceneReplaced() {
    // A load or an undo elsewhere may leave the selection pointing past the end.
    const analytics::Scene s = scene();
    const int n = selection_.kind == Kind::Zone   ? int(s.zones.size())
                  : selection_.kind == Kind::Line ? int(s.lines.size())
                                                  : 0;
    if (selection_.kind != Kind::None && selection_.index >= n) select({});
    emit changed();
}

analytics::Scene SceneTool::scene() const {
    return access_.get ? access_.get() : analytics::Scene{};
}

void SceneTool::commit(analytics::Scene scene, bool save) {
    if (access_.set) access_.set(std::move(scene), save);
    emit changed();
}

void SceneTool::setMode(Mode mode) {
    if (mode == mode_) return;
    cancelDraft();
    mode_ = mode;
    emit modeChanged(mode);
    emit changed();
}

void SceneTool::select(Selection s) {
    if (s == selection_) return;
    selection_ = s;
    emit selectionChanged();
    emit changed();
}

bool SceneTool::deleteSelected() {
    if (drawing()) {
        cancelDraft();
        return true;
    }
    analytics::Scene s = scene();
    if (selection_.kind == Kind::Zone && selection_.index < int(s.zones.size()))
        s.zones.erase(s.zones.begin() + selection_.index);
    else if (selection_.kind == Kind::Line && selection_.index < int(s.lines.size()))
        s.lines.erase(s.lines.begin() + selection_.index);
    else
        return false;
    // Rules aimed at the removed shape would make the scene invalid (validateScene): drop them.
    // A rule with no target (class-present, count-above over the whole frame) stays.
    std::set<std::string> names;
    for (const auto& z : s.zones) names.insert(z.name);
    for (const auto& l : s.lines) names.insert(l.name);
    std::erase_if(s.rules, [&](const analytics::Rule& r) {
        return !r.target.empty() && !names.count(r.target);
    });
    select({});
    commit(std::move(s), true);
    return true;
}

SceneTool::Hit SceneTool::hitTest(QPointF w, const SourceTransform& t) const {
    const analytics::Scene s = scene();
    Hit best;
    double bestD = kGrabRadius;
    // Vertices first (they sit on top of the shapes' edges and interiors).
    for (int i = 0; i < int(s.lines.size()); ++i)
        for (int v = 0; v < 2; ++v) {
            const auto& l = s.lines[size_t(i)];
            const double d = dist(w, t.toWidget(v == 0 ? l.a : l.b));
            if (d <= bestD) bestD = d, best = {Kind::Line, i, v};
        }
    for (int i = 0; i < int(s.zones.size()); ++i)
        for (int v = 0; v < int(s.zones[size_t(i)].polygon.size()); ++v) {
            const double d = dist(w, t.toWidget(s.zones[size_t(i)].polygon[size_t(v)]));
            if (d <= bestD) bestD = d, best = {Kind::Zone, i, v};
        }
    if (best.kind != Kind::None) return best;
    for (int i = 0; i < int(s.lines.size()); ++i) {
        const auto& l = s.lines[size_t(i)];
        if (segmentDistance(w, t.toWidget(l.a), t.toWidget(l.b)) <= kGrabRadius)
            return {Kind::Line, i, -1};
    }
    for (int i = int(s.zones.size()) - 1; i >= 0; --i) {
        QPolygonF poly;
        for (const auto& p : s.zones[size_t(i)].polygon) poly << t.toWidget(p);
        if (poly.containsPoint(w, Qt::OddEvenFill)) return {Kind::Zone, i, -1};
    }
    return {};
}

bool SceneTool::press(QMouseEvent* e, const SourceTransform& t) {
    if (!t.valid() || !access_.get) return false;
    if (e->button() == Qt::RightButton && drawing()) {
        cancelDraft();
        return true;
    }
    if (e->button() != Qt::LeftButton) return false;
    const QPointF w = e->position();
    if (mode_ != Mode::Select) {
        if (!draft_.empty() && dist(w, t.toWidget(draft_.back())) <= kSamePoint) return true;
        // A click on the first point closes a polygon.
        if (mode_ == Mode::DrawZone && draft_.size() >= 3 &&
            dist(w, t.toWidget(draft_.front())) <= kGrabRadius) {
            finishDraft();
            return true;
        }
        draft_.push_back(t.toSource(w));
        hover_.reset();
        if (mode_ == Mode::DrawLine && draft_.size() == 2) finishDraft();
        emit changed();
        return true;
    }
    const Hit hit = hitTest(w, t);
    if (hit.kind == Kind::None) {
        select({});
        return false;   // the view pans or picks a box
    }
    select({hit.kind, hit.index});
    // A zone's interior selects it but is no handle: the press still pans or picks the box
    // under it (objects are usually inside zones).
    if (hit.kind == Kind::Zone && hit.vertex < 0) return false;
    drag_ = hit;
    dragMoved_ = false;
    return true;
}

bool SceneTool::move(QMouseEvent* e, const SourceTransform& t) {
    if (!t.valid()) return false;
    if (mode_ != Mode::Select) {
        if (draft_.empty()) return false;
        hover_ = t.toSource(e->position());
        emit changed();
        return true;
    }
    if (drag_.kind == Kind::None) return false;
    if (drag_.vertex < 0) return true;   // shapes move by their vertices only
    analytics::Scene s = scene();
    const analytics::Point p = t.toSource(e->position());
    if (drag_.kind == Kind::Line && drag_.index < int(s.lines.size())) {
        auto& l = s.lines[size_t(drag_.index)];
        const analytics::Point& other = drag_.vertex == 0 ? l.b : l.a;
        if (p == other) return true;   // a zero-length line is invalid: keep the last good one
        (drag_.vertex == 0 ? l.a : l.b) = p;
    } else if (drag_.kind == Kind::Zone && drag_.index < int(s.zones.size())) {
        auto& poly = s.zones[size_t(drag_.index)].polygon;
        if (drag_.vertex < int(poly.size())) poly[size_t(drag_.vertex)] = p;
    }
    dragMoved_ = true;
    commit(std::move(s), /*save=*/false);
    return true;
}

bool SceneTool::release(QMouseEvent* e, const SourceTransform& t) {
    (void)t;
    if (e->button() != Qt::LeftButton) return mode_ != Mode::Select;
    if (mode_ != Mode::Select) return true;
    if (drag_.kind == Kind::None) return false;
    if (dragMoved_ && access_.save) access_.save();
    drag_ = {};
    dragMoved_ = false;
    return true;
}

bool SceneTool::doubleClick(QMouseEvent* e, const SourceTransform& t) {
    if (mode_ == Mode::Select) {
        const Hit h = hitTest(e->position(), t);
        return h.kind == Kind::Line || h.vertex >= 0;
    }
    if (e->button() != Qt::LeftButton) return true;
    // Qt delivers press, release, double-click, release: the double-click replaces the second
    // press, so its point is added here unless the first press of the pair already did.
    const QPointF w = e->position();
    if (draft_.empty() || dist(w, t.toWidget(draft_.back())) > kSamePoint)
        draft_.push_back(t.toSource(w));
    if ((mode_ == Mode::DrawZone && draft_.size() >= 3) ||
        (mode_ == Mode::DrawLine && draft_.size() == 2))
        finishDraft();
    return true;
}

void SceneTool::cancelDraft() {
    if (draft_.empty()) return;
    draft_.clear();
    hover_.reset();
    emit changed();
}

void SceneTool::finishDraft() {
    analytics::Scene s = scene();
    if (mode_ == Mode::DrawZone && draft_.size() >= 3) {
        analytics::Zone z;
        z.name = uniqueName(s.zones, tr("Zone"));
        z.polygon = draft_;
        z.color = kZoneColors[s.zones.size() % std::size(kZoneColors)];
        s.zones.push_back(std::move(z));
        selection_ = {Kind::Zone, int(s.zones.size()) - 1};
    } else if (mode_ == Mode::DrawLine && draft_.size() == 2 && !(draft_[0] == draft_[1])) {
        analytics::Line l;
        l.name = uniqueName(s.lines, tr("Line"));
        l.a = draft_[0];
        l.b = draft_[1];
        l.color = kLineColors[s.lines.size() % std::size(kLineColors)];
        s.lines.push_back(std::move(l));
        selection_ = {Kind::Line, int(s.lines.size()) - 1};
    } else {
        return;
    }
    draft_.clear();
    hover_.reset();
    // One shape per tool activation: back to Select, so the rest of a double-click (Qt repeats
    // the press) lands on the new shape instead of starting another one.
    mode_ = Mode::Select;
    emit modeChanged(mode_);
    commit(std::move(s), true);
    emit selectionChanged();
}

void SceneTool::paint(QPainter& p, const SourceTransform& t) const {
    if (!t.valid()) return;
    const analytics::Scene s = scene();
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    QFont font = p.font();
    font.setPixelSize(12);
    font.setBold(true);
    p.setFont(font);
    const auto handle = [&p](QPointF w, const QColor& c) {
        p.setPen(QPen(Qt::black, 1));
        p.setBrush(c);
        p.drawRect(QRectF(w - QPointF(3.5, 3.5), QSizeF(7, 7)));
    };
    for (int i = 0; i < int(s.zones.size()); ++i) {
        const auto& z = s.zones[size_t(i)];
        const QColor c = parseColor(z.color, QColor(255, 176, 0));
        const bool sel = selection_.kind == Kind::Zone && selection_.index == i;
        QPolygonF poly;
        for (const auto& v : z.polygon) poly << t.toWidget(v);
        QColor fill = c;
        fill.setAlpha(sel ? 70 : 40);
        p.setBrush(fill);
        p.setPen(QPen(c, sel ? 3 : 2));
        p.drawPolygon(poly);
        if (!poly.isEmpty()) {
            p.setPen(c);
            p.drawText(poly.boundingRect().topLeft() + QPointF(4, 14),
                       QString::fromStdString(z.name));
        }
        if (sel)
            for (const QPointF& v : poly) handle(v, c);
    }
    for (int i = 0; i < int(s.lines.size()); ++i) {
        const auto& l = s.lines[size_t(i)];
        const QColor c = parseColor(l.color, QColor(0, 200, 255));
        const bool sel = selection_.kind == Kind::Line && selection_.index == i;
        const QPointF a = t.toWidget(l.a), b = t.toWidget(l.b);
        p.setPen(QPen(c, sel ? 4 : 3, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(a, b);
        // Direction: a small arrow at the middle pointing to side B (right of a -> b, y down).
        const QPointF d = b - a;
        const double len = std::hypot(d.x(), d.y());
        if (len > 1) {
            const QPointF mid = (a + b) / 2, n(-d.y() / len, d.x() / len);
            p.drawLine(mid, mid + 14 * n);
            p.drawLine(mid + 14 * n, mid + 9 * n + 4 * QPointF(d.x() / len, d.y() / len));
            p.drawText(a + QPointF(6, -6), QString::fromStdString(l.name));
        }
        if (sel) {
            handle(a, c);
            handle(b, c);
        }
    }
    if (!draft_.empty()) {
        const QColor c = mode_ == Mode::DrawLine ? QColor(0, 200, 255) : QColor(255, 176, 0);
        QPolygonF poly;
        for (const auto& v : draft_) poly << t.toWidget(v);
        if (hover_) poly << t.toWidget(*hover_);
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(c, 2, Qt::DashLine));
        p.drawPolyline(poly);
        for (const auto& v : draft_) handle(t.toWidget(v), c);
    }
    p.restore();
}

}  // namespace sl::gui
