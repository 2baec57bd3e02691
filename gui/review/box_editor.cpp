#include "review/box_editor.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "annotate/interpolation.h"
#include "controller/review_controller.h"
#include "review/propagation.h"
#include "store/review_edits.h"

namespace sl::gui {

namespace {

using annotate::kNoTrack;
using annotate::Object;

constexpr double kMinBoxPx = 2.0;   // source pixels: a smaller drag is a click, not a box
constexpr double kClickPx = 3.0;    // widget pixels a press may move and still be a click

double round100(double v) { return std::round(v * 100.0) / 100.0; }

QRectF widgetRect(const vision::Box& b, const SourceTransform& t) {
    return QRectF(t.toWidget({b.x1, b.y1}), t.toWidget({b.x2, b.y2}));
}

vision::Box normalised(double x1, double y1, double x2, double y2) {
    return {float(std::min(x1, x2)), float(std::min(y1, y2)), float(std::max(x1, x2)),
            float(std::max(y1, y2))};
}

bool contains(const vision::Box& b, analytics::Point p) {
    return p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2;
}

}  // namespace

BoxEditor::BoxEditor(ReviewSession* session, ReviewController* review, QObject* parent)
    : QObject(parent), session_(session), review_(review) {
    for (auto signal : {&ReviewSession::objectsChanged, &ReviewSession::layersChanged,
                        &ReviewSession::selectionChanged, &ReviewSession::loaded})
        connect(session_, signal, this, &BoxEditor::changed);
    // Every job answered (or one refused): what the session holds is what to draw.
    connect(review_, &ReviewController::idle, this, [this] {
        if (pending_.empty()) return;
        pending_.clear();
        emit changed();
    });
    connect(review_, &ReviewController::failed, this, [this] {
        pending_.clear();
        emit changed();
    });
}

void BoxEditor::setMode(Mode mode) {
    if (mode_ == mode) return;
    mode_ = mode;
    drag_ = {};
    emit modeChanged(mode_);
    emit changed();
}

void BoxEditor::setCurrentLabel(const std::string& label) { label_ = label; }

std::string BoxEditor::currentLabel() const {
    if (!label_.empty()) return label_;
    const auto labels = session_->labels();
    return labels.empty() ? std::string("object") : labels.front();
}

void BoxEditor::setFrame(int64_t frame) {
    if (frame_ == frame) return;
    frame_ = frame;
    drag_ = {};   // a drag never spans frames
    cyclePoint_.reset();
}

ReviewPick BoxEditor::pickOf(const ShownObject& s) {
    return {s.setId, s.object.id, s.object.trackId};
}

std::optional<ShownObject> BoxEditor::shown(const ReviewPick& pick) const {
    const ReviewLayer* l = session_->layer(pick.setId);
    if (!l || !l->visible) return std::nullopt;
    auto o = session_->resolve(pick, frame_);
    if (!o) return std::nullopt;
    return ShownObject{pick.setId, *o};
}

std::vector<ShownObject> BoxEditor::under(QPointF w, const SourceTransform& t) const {
    std::vector<ShownObject> hits;
    const analytics::Point s = t.toSource(w);
    for (ShownObject& o : session_->objectsAt(frame_))
        if (contains(o.object.box, s)) hits.push_back(std::move(o));
    // Nested boxes: the smallest first (the one aimed at), then by layer and id for a stable
    // Tab order.
    std::stable_sort(hits.begin(), hits.end(), [](const ShownObject& a, const ShownObject& b) {
        return a.object.box.area() < b.object.box.area();
    });
    return hits;
}

std::optional<BoxEditor::Handle> BoxEditor::handleAt(QPointF w, const SourceTransform& t) const {
    if (session_->selection().size() != 1) return std::nullopt;
    auto s = shown(session_->selection().front());
    if (!s) return std::nullopt;
    const QRectF r = widgetRect(s->object.box, t);
    for (int h = TopLeft; h <= Left; ++h) {
        const QPointF d = handlePos(r, Handle(h)) - w;
        if (std::abs(d.x()) <= kHandleRadius && std::abs(d.y()) <= kHandleRadius)
            return Handle(h);
    }
    return std::nullopt;
}

QPointF BoxEditor::handlePos(const QRectF& r, Handle h) {
    switch (h) {
    case TopLeft: return r.topLeft();
    case Top: return {r.center().x(), r.top()};
    case TopRight: return r.topRight();
    case Right: return {r.right(), r.center().y()};
    case BottomRight: return r.bottomRight();
    case Bottom: return {r.center().x(), r.bottom()};
    case BottomLeft: return r.bottomLeft();
    case Left: return {r.left(), r.center().y()};
    }
    return r.center();
}

vision::Box BoxEditor::clampToFrame(vision::Box b, const SourceTransform& t) const {
    const float w = float(t.source.width()), h = float(t.source.height());
    b.x1 = std::clamp(b.x1, 0.0f, w);
    b.x2 = std::clamp(b.x2, 0.0f, w);
    b.y1 = std::clamp(b.y1, 0.0f, h);
    b.y2 = std::clamp(b.y2, 0.0f, h);
    return b;
}

bool BoxEditor::press(QMouseEvent* e, const SourceTransform& t) {
    if (e->button() != Qt::LeftButton || !t.valid() || frame_ < 0 || !session_->ready())
        return false;
    const QPointF w = e->position();
    Drag d;
    d.startWidget = d.currentWidget = w;
    d.startSource = t.toSource(w);
    if (mode_ == Mode::DrawBox) {
        d.kind = DragKind::Create;
        drag_ = d;
        return true;
    }
    if (e->modifiers() & Qt::ShiftModifier) {
        d.kind = DragKind::Rubber;
        drag_ = d;
        return true;
    }
    if (auto h = handleAt(w, t)) {
        auto s = shown(session_->selection().front());
        d.kind = DragKind::Resize;
        d.handle = *h;
        d.pick = session_->selection().front();
        d.start = d.draft = s->object.box;
        drag_ = d;
        return true;
    }
    const auto hits = under(w, t);
    if (hits.empty()) {
        cyclePoint_.reset();
        if (!session_->selection().empty()) session_->select({});
        return false;   // the view pans
    }
    cyclePoint_ = w;
    // A press on a box of the selection keeps it (to drag it); elsewhere it selects the
    // smallest box there.
    const auto& sel = session_->selection();
    const ShownObject* target = &hits.front();
    for (const ShownObject& h : hits)
        if (std::find(sel.begin(), sel.end(), pickOf(h)) != sel.end()) {
            target = &h;
            break;
        }
    if (std::find(sel.begin(), sel.end(), pickOf(*target)) == sel.end())
        session_->select({pickOf(*target)});
    d.kind = DragKind::Move;
    d.pick = pickOf(*target);
    d.start = d.draft = target->object.box;
    drag_ = d;
    return true;
}

bool BoxEditor::move(QMouseEvent* e, const SourceTransform& t) {
    if (drag_.kind == DragKind::None || !t.valid()) return false;
    const QPointF w = e->position();
    drag_.currentWidget = w;
    const QPointF dw = w - drag_.startWidget;
    if (std::abs(dw.x()) + std::abs(dw.y()) >= kClickPx) drag_.moved = true;
    const analytics::Point s = t.toSource(w);
    const vision::Box& b = drag_.start;
    switch (drag_.kind) {
    case DragKind::Move: {
        // The same offset for both corners, kept inside the frame without changing the size.
        double dx = s.x - drag_.startSource.x, dy = s.y - drag_.startSource.y;
        dx = std::clamp(dx, -double(b.x1), t.source.width() - double(b.x2));
        dy = std::clamp(dy, -double(b.y1), t.source.height() - double(b.y2));
        drag_.draft = {float(round100(b.x1 + dx)), float(round100(b.y1 + dy)),
                       float(round100(b.x2 + dx)), float(round100(b.y2 + dy))};
        break;
    }
    case DragKind::Resize: {
        double x1 = b.x1, y1 = b.y1, x2 = b.x2, y2 = b.y2;
        const Handle h = drag_.handle;
        if (h == TopLeft || h == Left || h == BottomLeft) x1 = s.x;
        if (h == TopRight || h == Right || h == BottomRight) x2 = s.x;
        if (h == TopLeft || h == Top || h == TopRight) y1 = s.y;
        if (h == BottomLeft || h == Bottom || h == BottomRight) y2 = s.y;
        drag_.draft = clampToFrame(normalised(x1, y1, x2, y2), t);
        break;
    }
    case DragKind::Create:
        drag_.draft = clampToFrame(
            normalised(drag_.startSource.x, drag_.startSource.y, s.x, s.y), t);
        break;
    case DragKind::Rubber:
    case DragKind::None: break;
    }
    emit changed();
    return true;
}

bool BoxEditor::release(QMouseEvent* e, const SourceTransform& t) {
    if (drag_.kind == DragKind::None || e->button() != Qt::LeftButton) return false;
    move(e, t);
    const Drag d = drag_;
    drag_ = {};
    if (d.kind == DragKind::Rubber) {
        const QRectF band = QRectF(d.startWidget, d.currentWidget).normalized();
        std::vector<ReviewPick> picks;
        for (const ShownObject& o : session_->objectsAt(frame_))
            if (band.contains(widgetRect(o.object.box, t))) picks.push_back(pickOf(o));
        session_->select(std::move(picks));
    } else if (d.moved) {
        commit(d);
    }
    emit changed();
    return true;
}

void BoxEditor::commit(const Drag& d) {
    namespace review = store::review;
    const vision::Box box = d.draft;
    if (d.kind == DragKind::Create) {
        if (box.width() < kMinBoxPx || box.height() < kMinBoxPx) return;
        const int64_t frame = frame_;
        const std::string label = currentLabel();
        pending_.push_back({{}, frame, box, label});
        session_->ensureEditTarget([this, frame, label, box](int64_t setId) {
            review_->edit([setId, frame, label, box](store::ProjectStore& p) {
                annotate::Object o;
                o.label = label;
                o.box = box;
                o.frame = frame;
                o.source = annotate::ObjectSource::Human;
                return review::addBox(p, setId, o);
            });
        });
        return;
    }
    if (box == d.start) return;
    const ReviewLayer* l = session_->layer(d.pick.setId);
    if (!l) return;
    if (l->prediction()) {
        emit message(tr("'%1' is a model run: accept the prediction (Enter) to edit it")
                         .arg(QString::fromStdString(l->set.name)));
        return;
    }
    const ReviewPick pick = d.pick;
    const int64_t frame = frame_;
    pending_.push_back({pick, frame, box, {}});
    if (pick.trackId != kNoTrack) {
        review_->edit([pick, frame, box](store::ProjectStore& p) {
            return review::setTrackBox(p, pick.setId, pick.trackId, frame, box);
        });
    } else {
        review_->edit([pick, box](store::ProjectStore& p) {
            return review::setBox(p, pick.setId, pick.objectId, box);
        });
    }
}

void BoxEditor::cycle(bool forward) {
    std::vector<ShownObject> candidates;
    // The boxes under the last click, or every box of the frame.
    for (ShownObject& o : session_->objectsAt(frame_)) candidates.push_back(std::move(o));
    if (cyclePoint_ && lastTransform_.valid()) {
        const analytics::Point s = lastTransform_.toSource(*cyclePoint_);
        std::vector<ShownObject> at;
        for (const ShownObject& o : candidates)
            if (contains(o.object.box, s)) at.push_back(o);
        std::stable_sort(at.begin(), at.end(), [](const ShownObject& a, const ShownObject& b) {
            return a.object.box.area() < b.object.box.area();
        });
        if (!at.empty()) candidates = std::move(at);
    }
    if (candidates.empty()) return;
    int current = -1;
    if (session_->selection().size() == 1)
        for (size_t i = 0; i < candidates.size(); ++i)
            if (pickOf(candidates[i]) == session_->selection().front()) current = int(i);
    const int n = int(candidates.size());
    const int next = current < 0 ? (forward ? 0 : n - 1) : ((current + (forward ? 1 : -1)) + n) % n;
    session_->select({pickOf(candidates[size_t(next)])});
}

void BoxEditor::paintInterpolation(QPainter& p, const SourceTransform& t) const {
    if ((drag_.kind != DragKind::Move && drag_.kind != DragKind::Resize) || !drag_.moved ||
        drag_.pick.trackId == kNoTrack)
        return;
    // The track with the dragged box as its keyframe here: what it would interpolate to.
    std::vector<Object> keys = session_->keyframes(drag_.pick.setId, drag_.pick.trackId);
    auto at = std::lower_bound(keys.begin(), keys.end(), frame_,
                               [](const Object& k, int64_t f) { return k.frame < f; });
    Object k;
    if (at != keys.end() && at->frame == frame_) {
        k = *at;
    } else if (auto o = session_->trackObjectAt(drag_.pick.setId, drag_.pick.trackId, frame_)) {
        k = *o;
        k.keyframe = true;
        at = keys.insert(at, k);
    } else {
        return;
    }
    k.box = drag_.draft;
    *at = k;
    const int64_t from = at == keys.begin() ? frame_ : (at - 1)->frame;
    const int64_t to = at + 1 == keys.end() ? frame_ : (at + 1)->frame;
    if (to - from < 2) return;
    QColor c = session_->layer(drag_.pick.setId)->color;
    c.setAlpha(150);
    p.save();
    p.setPen(QPen(c, 1, Qt::DotLine));
    p.setBrush(Qt::NoBrush);
    // At most ~12 ghosts across the span, so a long one stays readable.
    const int64_t step = std::max<int64_t>(1, (to - from) / 12);
    for (int64_t f = from; f <= to; f += step)
        if (f != frame_)
            if (auto o = annotate::trackObjectAt(keys, f, session_->lastFrame()))
                p.drawRect(widgetRect(o->box, t));
    p.restore();
}

void BoxEditor::paintProposal(QPainter& p, const SourceTransform& t,
                              const QFontMetrics& fm) const {
    const track::Proposal* pr = propagation_ ? propagation_->proposalAt(frame_) : nullptr;
    if (!pr) return;
    // Dotted and in colours no layer gets (white / amber): a proposal is not in any set yet.
    const bool det = pr->source == track::ProposalSource::Detector;
    const QColor c = det ? QColor(255, 255, 255) : QColor(255, 176, 0);
    const QRectF r = widgetRect(pr->box, t);
    p.save();
    p.setPen(QPen(QColor(0, 0, 0, 160), 4, Qt::SolidLine));
    p.drawRect(r);
    p.setPen(QPen(c, 2, Qt::DotLine));
    p.setBrush(Qt::NoBrush);
    p.drawRect(r);
    const QString text = (det ? tr("proposal: detector %1") : tr("proposal: template %1"))
                             .arg(double(pr->confidence), 0, 'f', 2);
    const QSizeF ts(fm.horizontalAdvance(text) + 6, fm.height() + 1);
    QPointF at(r.left(), r.bottom());
    p.fillRect(QRectF(at, ts), QColor(0, 0, 0, 170));
    p.setPen(c);
    p.drawText(QRectF(at, ts), Qt::AlignCenter, text);
    p.restore();
}

void BoxEditor::paint(QPainter& p, const SourceTransform& t) const {
    lastTransform_ = t;
    if (!t.valid() || frame_ < 0 || !session_->ready()) return;
    QFont font = p.font();
    font.setPixelSize(11);
    p.setFont(font);
    const QFontMetrics fm(font);
    const auto& sel = session_->selection();
    p.setRenderHint(QPainter::Antialiasing, false);
    for (const ShownObject& s : session_->objectsAt(frame_)) {
        const ReviewLayer* l = session_->layer(s.setId);
        const bool dragged = (drag_.kind == DragKind::Move || drag_.kind == DragKind::Resize) &&
                             drag_.moved && pickOf(s) == drag_.pick;
        vision::Box b = dragged ? drag_.draft : s.object.box;
        for (const Pending& pd : pending_)
            if (!dragged && pd.pick.setId != 0 && pd.frame == frame_ && pd.pick == pickOf(s))
                b = pd.box;
        const QRectF r = widgetRect(b, t);
        QColor c = l->color;
        c.setAlphaF(float(l->opacity));
        const bool selected = std::find(sel.begin(), sel.end(), pickOf(s)) != sel.end();
        // Predictions dashed, ground truth and reviewed boxes solid; interpolated frames of a
        // track thinner than its keyframes.
        const Qt::PenStyle style = l->prediction() ? Qt::DashLine : Qt::SolidLine;
        const int width = selected ? 3 : s.object.keyframe ? 2 : 1;
        if (selected) {
            p.setPen(QPen(QColor(0, 0, 0, 200), width + 2));
            p.drawRect(r);
        }
        p.setPen(QPen(c, width, style));
        p.setBrush(Qt::NoBrush);
        p.drawRect(r);
        QString text = QString::fromStdString(s.object.label);
        if (s.object.trackId != kNoTrack) text.prepend(QStringLiteral("#%1 ").arg(s.object.trackId));
        if (l->prediction()) text += QStringLiteral(" %1").arg(double(s.object.score), 0, 'f', 2);
        if (s.object.occluded) text += tr(" (occluded)");
        const QSizeF ts(fm.horizontalAdvance(text) + 6, fm.height() + 1);
        QPointF at(r.left(), r.top() - ts.height());
        if (at.y() < 0) at.setY(r.top());
        QColor fill = c;
        fill.setAlphaF(float(0.75 * l->opacity));
        p.fillRect(QRectF(at, ts), fill);
        p.setPen(c.lightness() > 140 ? Qt::black : Qt::white);
        p.drawText(QRectF(at, ts), Qt::AlignCenter, text);
        if (selected && sel.size() == 1 && l->editable()) {
            p.setPen(QPen(Qt::black, 1));
            p.setBrush(Qt::white);
            for (int h = TopLeft; h <= Left; ++h) {
                const QPointF hp = handlePos(r, Handle(h));
                p.drawRect(QRectF(hp - QPointF(kHandleRadius / 2, kHandleRadius / 2),
                                  QSizeF(kHandleRadius, kHandleRadius)));
            }
            p.setBrush(Qt::NoBrush);
        }
    }
    paintInterpolation(p, t);
    paintProposal(p, t, fm);
    for (const Pending& pd : pending_)
        if (pd.pick.setId == 0 && pd.frame == frame_) {
            const ReviewLayer* target = session_->layer(session_->editTarget());
            p.setPen(QPen(target ? target->color : QColor(255, 255, 255), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(widgetRect(pd.box, t));
        }
    if (drag_.kind == DragKind::Create && drag_.moved) {
        p.setPen(QPen(QColor(255, 255, 255), 1, Qt::DashLine));
        p.drawRect(widgetRect(drag_.draft, t));
    } else if (drag_.kind == DragKind::Rubber && drag_.moved) {
        p.setPen(QPen(QColor(255, 255, 255, 200), 1, Qt::DashLine));
        p.setBrush(QColor(255, 255, 255, 30));
        p.drawRect(QRectF(drag_.startWidget, drag_.currentWidget).normalized());
    }
}

}  // namespace sl::gui
