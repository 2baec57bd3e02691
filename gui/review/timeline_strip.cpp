#include "review/timeline_strip.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

#include "pipeline/class_color.h"
#include "store/project_store.h"

namespace sl::gui {

namespace {

using Kind = eval::FrameError::Kind;
constexpr Kind kKinds[] = {Kind::FalsePositive, Kind::Miss, Kind::IdSwitch, Kind::Fragmentation};
constexpr const char* kKindShort[] = {"FP", "miss", "IDSW", "frag"};

constexpr int kRuler = 14, kDetections = 20, kTrackRow = 8, kMaxTrackRows = 8, kReview = 10,
              kBand = 7, kGap = 2;
// A marker is hit within this many pixels of its frame's middle (markers are small at zoom 1).
constexpr double kHitPx = 4;

int kindIndex(Kind k) { return int(k); }

}  // namespace

TimelineStrip::TimelineStrip(QWidget* parent) : QWidget(parent), jobs_(this, "project-read") {
    setObjectName(QStringLiteral("timelineStrip"));
    setFocusPolicy(Qt::ClickFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumWidth(200);
    updateHeight();
}

TimelineStrip::~TimelineStrip() = default;

QColor TimelineStrip::reviewColor(store::FrameReview state) {
    switch (state) {
        case store::FrameReview::Reviewed: return QColor(0x3f, 0xb9, 0x50);
        case store::FrameReview::Flagged: return QColor(0xf0, 0xa0, 0x20);
        case store::FrameReview::Unreviewed: break;
    }
    return QColor(0x3a, 0x3d, 0x44);
}

QColor TimelineStrip::trackColor(int64_t track) const {
    // The class's colour from the one palette (the overlay's); a track whose label is not in
    // its set's labels keeps a hue of its own.
    const int cls = data_.classOf(track);
    if (cls < 0) return QColor::fromHsv(int((track * 47 % 360 + 360) % 360), 160, 220);
    const pipeline::Rgb c = pipeline::classColor(cls);
    return QColor(c.r, c.g, c.b);
}

QColor TimelineStrip::markerColor(Kind kind) {
    switch (kind) {
        case Kind::FalsePositive: return QColor(0xe5, 0x48, 0x4d);   // red
        case Kind::Miss: return QColor(0x3d, 0x8b, 0xfd);            // blue
        case Kind::IdSwitch: return QColor(0xd9, 0x5c, 0xf0);        // magenta
        case Kind::Fragmentation: return QColor(0xf5, 0xd0, 0x33);   // yellow
    }
    return Qt::white;
}

// ---- inputs -----------------------------------------------------------------------------------

void TimelineStrip::setProject(const QString& path) {
    if (path == path_) return;
    path_ = path;
    layer_ = reviewSet_ = trackSet_ = 0;
    selected_.clear();
    clearMarkers();
    reload();
}

void TimelineStrip::setFrameCount(int64_t frames) {
    frames_ = std::max<int64_t>(0, frames);
    scale_.setFrames(frames_);
    reload();
}

void TimelineStrip::setLayer(int64_t setId) {
    if (setId == layer_) return;
    layer_ = setId;
    if (trackSet_ == 0 || selected_.isEmpty()) trackSet_ = setId;
    reload();
}

void TimelineStrip::setReviewSet(int64_t setId) {
    if (setId == reviewSet_) return;
    reviewSet_ = setId;
    reload();
}

void TimelineStrip::setSelectedTracks(int64_t setId, const QList<qint64>& trackIds) {
    selected_ = trackIds;
    updateHeight();
    if (setId != trackSet_) {
        trackSet_ = setId;
        reload();   // another set's tracks: read them
    } else {
        update();   // the spans come from the arrays already read
    }
}

void TimelineStrip::setMarkers(std::vector<TimelineMarker> markers, int64_t gtSet,
                               int64_t predSet) {
    all_ = std::move(markers);
    std::stable_sort(
        all_.begin(), all_.end(),
        [](const TimelineMarker& a, const TimelineMarker& b) { return a.frame < b.frame; });
    gtSet_ = gtSet;
    predSet_ = predSet;
    applyFilter();
}

void TimelineStrip::clearMarkers() { setMarkers({}, 0, 0); }

void TimelineStrip::setMarkerLabel(const QString& label) {
    markerLabel_ = label;
    applyFilter();
}

void TimelineStrip::applyFilter() {
    shown_.clear();
    const std::string label = markerLabel_.toStdString();
    for (const TimelineMarker& m : all_)
        if (label.empty() || m.label == label) shown_.push_back(m);
    update();
}

void TimelineStrip::setCursorFrame(int64_t frame) {
    if (frame == cursor_) return;
    cursor_ = frame;
    // Not while the user scrubs: the strip would run away under the mouse.
    if (drag_ == Drag::None && frame >= 0) scale_.ensureVisible(frame);
    update();
}

// ---- reading ----------------------------------------------------------------------------------

void TimelineStrip::refresh() {
    if (loading_) {
        dirty_ = true;   // one more read once this one lands: it may predate the edit
        return;
    }
    if (path_.isEmpty()) return;
    loading_ = true;
    dirty_ = false;
    TimelineRequest request;
    request.frames = frames_;
    request.layerSet = layer_;
    request.trackSet = trackSet_;
    request.reviewSet = reviewSet_;
    const auto land = [this](Expected<TimelineData>& r) {
        loading_ = false;
        if (r) {
            data_ = std::move(*r);
            if (frames_ <= 0) scale_.setFrames(data_.frames);
            update();
            emit dataChanged();
        } else {
            emit failed(tr("Timeline: %1").arg(QString::fromStdString(r.status().message())));
        }
        if (dirty_) refresh();
    };
    // The rows on the read lane (edits never wait behind it; one that commits during the read
    // makes applyChange read again), the arrays on a lane of their own.
    jobs_.post<TimelineSets>(
        "read the timeline", path_,
        [request](store::ProjectStore& p) { return readTimelineSets(p, request); },
        [this, land](Expected<TimelineSets>& r) mutable {
            if (!r) {
                Expected<TimelineData> failure(r.status());
                land(failure);
                return;
            }
            auto sets = std::make_shared<const TimelineSets>(std::move(*r));
            jobs_.run<TimelineData>(
                pipeline::TaskSpec("timeline arrays", "timeline"),
                [sets](pipeline::TaskContext&) -> Expected<TimelineData> {
                    return computeTimelineData(*sets);
                },
                land);
        });
}

void TimelineStrip::applyChange(const store::HistoryEntry& entry) {
    bool reread = false;
    for (const store::ObjectChange& c : entry.changes.objects)
        reread = reread || c.setId == layer_ || c.setId == trackSet_;
    if (reread || loading_) {
        refresh();   // in flight: its read may predate the edit, so one more follows
        return;
    }
    bool changed = false;
    for (const store::FrameChange& c : entry.changes.frames) {
        if (c.setId != reviewSet_ || c.frame < 0 || size_t(c.frame) >= data_.review.size())
            continue;
        // An undone entry leaves the rows as they were before it.
        data_.review[size_t(c.frame)] = uint8_t(entry.done ? c.after : c.before);
        changed = true;
    }
    if (changed) {
        update();
        emit dataChanged();
    }
}

void TimelineStrip::reload() {
    // What is read now answers for other inputs: drop it, read again.
    jobs_.invalidate();
    loading_ = false;
    data_ = TimelineData{};
    data_.frames = frames_;
    update();
    // Once per turn of the event loop: the layer and the review set change together when a set
    // is loaded, and one read serves both.
    if (reloadQueued_) return;
    reloadQueued_ = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            reloadQueued_ = false;
            if (!path_.isEmpty() && (layer_ != 0 || reviewSet_ != 0 || trackSet_ != 0)) refresh();
        },
        Qt::QueuedConnection);
}

// ---- geometry ---------------------------------------------------------------------------------

void TimelineStrip::updateHeight() {
    const int rows = std::clamp(int(selected_.size()), 1, kMaxTrackRows);
    setFixedHeight(kRuler + kDetections + kGap + rows * kTrackRow + kGap + kReview + kGap +
                   4 * kBand + kGap);
    update();
}

QRect TimelineStrip::rowRect(Row row) const {
    const int rows = std::clamp(int(selected_.size()), 1, kMaxTrackRows);
    int y = 0;
    const auto take = [&](int h) {
        QRect r(0, y, width(), h);
        y += h + kGap;
        return r;
    };
    const QRect ruler(0, 0, width(), kRuler);
    y = kRuler;
    const QRect det = take(kDetections);
    const QRect tracks = take(rows * kTrackRow);
    const QRect review = take(kReview);
    const QRect errors = take(4 * kBand);
    switch (row) {
        case Row::Ruler: return ruler;
        case Row::Detections: return det;
        case Row::Tracks: return tracks;
        case Row::Review: return review;
        case Row::Errors: return errors;
    }
    return {};
}

int TimelineStrip::markerBandY(Kind kind) const {
    return rowRect(Row::Errors).top() + kindIndex(kind) * kBand + kBand / 2;
}

double TimelineStrip::frameCenterX(int64_t frame) const { return scale_.xOf(double(frame) + 0.5); }

void TimelineStrip::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    scale_.setWidth(width());
}

void TimelineStrip::zoomBy(double factor) {
    const QPoint mouse = mapFromGlobal(QCursor::pos());
    const double x = rect().contains(mouse) ? double(mouse.x())
                     : cursor_ >= 0         ? frameCenterX(cursor_)
                                            : width() / 2.0;
    scale_.zoomAround(std::clamp(x, 0.0, double(width())), factor);
    update();
}

void TimelineStrip::setZoom(double zoom, int64_t keepFrame) {
    scale_.setZoom(zoom, std::clamp(frameCenterX(keepFrame), 0.0, double(width())));
    update();
}

void TimelineStrip::fit() {
    scale_.setZoom(1, 0);
    update();
}

// ---- markers ----------------------------------------------------------------------------------

void TimelineStrip::activateMarker(const TimelineMarker& m) {
    emit seekRequested(m.frame);
    const auto ids = [](int64_t id) { return id != 0 ? QList<qint64>{id} : QList<qint64>{}; };
    if (m.kind != Kind::Miss) emit markerActivated(m.frame, predSet_, ids(m.predObjectId));
    if (m.kind != Kind::FalsePositive) emit markerActivated(m.frame, gtSet_, ids(m.gtObjectId));
}

bool TimelineStrip::activateNextMarker(bool forward) {
    if (shown_.empty()) return false;
    const auto byFrame = [](const TimelineMarker& m, int64_t f) { return m.frame < f; };
    const TimelineMarker* next = nullptr;
    if (forward) {
        auto it = std::lower_bound(shown_.begin(), shown_.end(), cursor_ + 1, byFrame);
        if (it != shown_.end()) next = &*it;
    } else {
        auto it = std::lower_bound(shown_.begin(), shown_.end(), cursor_, byFrame);
        if (it != shown_.begin()) {
            // The first marker of the previous frame that has one.
            const int64_t f = std::prev(it)->frame;
            next = &*std::lower_bound(shown_.begin(), shown_.end(), f, byFrame);
        }
    }
    if (!next) return false;
    scale_.ensureVisible(next->frame);
    activateMarker(*next);
    return true;
}

const TimelineMarker* TimelineStrip::markerAt(const QPoint& pos) const {
    const QRect errors = rowRect(Row::Errors);
    if (!errors.contains(pos) || shown_.empty()) return nullptr;
    const Kind kind = kKinds[std::clamp((pos.y() - errors.top()) / kBand, 0, 3)];
    // Frames whose middle is within kHitPx (or the frame itself when wider).
    const double ppf = scale_.pxPerFrame();
    const double reach = std::max(kHitPx, ppf / 2);
    const int64_t lo = scale_.frameAt(pos.x() - reach), hi = scale_.frameAt(pos.x() + reach);
    const TimelineMarker* best = nullptr;
    double bestDist = 0;
    auto it = std::lower_bound(shown_.begin(), shown_.end(), lo,
                               [](const TimelineMarker& m, int64_t f) { return m.frame < f; });
    for (; it != shown_.end() && it->frame <= hi; ++it) {
        if (it->kind != kind) continue;
        const double d = std::abs(frameCenterX(it->frame) - pos.x());
        if (d <= reach && (!best || d < bestDist)) {
            best = &*it;
            bestDist = d;
        }
    }
    return best;
}

// ---- mouse and keys ---------------------------------------------------------------------------

void TimelineStrip::scrubTo(double x) {
    const int64_t f = scale_.frameAt(x);
    if (f < 0 || f == lastScrub_) return;
    lastScrub_ = f;
    cursor_ = f;
    update();
    emit seekRequested(f);
}

void TimelineStrip::mousePressEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::RightButton || event->button() == Qt::MiddleButton) {
        drag_ = Drag::Pan;
        panX_ = event->position().x();
        return;
    }
    if (event->button() != Qt::LeftButton || scale_.pxPerFrame() <= 0) return;
    if (const TimelineMarker* m = markerAt(pos)) {
        const TimelineMarker hit = *m;   // activation may change the list
        cursor_ = hit.frame;
        update();
        activateMarker(hit);
        return;
    }
    drag_ = Drag::Scrub;
    lastScrub_ = -1;
    scrubTo(event->position().x());
    if (rowRect(Row::Detections).contains(pos) && layer_ != 0) {
        const int64_t f = scale_.frameAt(event->position().x());
        QList<qint64> tracks;
        if (data_.request.trackSet == layer_ || data_.request.trackSet == 0)
            for (int64_t t : data_.tracksAt(f)) tracks << t;
        if (!tracks.isEmpty()) setSelectedTracks(layer_, tracks);
        emit tracksListed(f, tracks);
    }
}

void TimelineStrip::mouseMoveEvent(QMouseEvent* event) {
    if (drag_ == Drag::Scrub) {
        scrubTo(std::clamp(event->position().x(), 0.0, double(width() - 1)));
    } else if (drag_ == Drag::Pan) {
        scale_.scrollPixels(panX_ - event->position().x());
        panX_ = event->position().x();
        update();
    }
}

void TimelineStrip::mouseReleaseEvent(QMouseEvent*) {
    drag_ = Drag::None;
    lastScrub_ = -1;
}

void TimelineStrip::wheelEvent(QWheelEvent* event) {
    const QPoint d = event->angleDelta();
    const int steps = d.y() != 0 ? d.y() : d.x();
    if (event->modifiers() & Qt::ControlModifier) {
        scale_.zoomAround(event->position().x(), std::pow(1.25, steps / 120.0));
    } else {
        // A notch scrolls a tenth of what is visible.
        scale_.scrollFrames(-steps / 120.0 * scale_.visibleFrames() / 10.0);
    }
    update();
    event->accept();
}

bool TimelineStrip::event(QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride) {
        // Focused, the strip takes +/- and 0 for its own zoom (the window's keys zoom the video).
        const auto* k = static_cast<QKeyEvent*>(event);
        if (k->modifiers() == Qt::NoModifier || k->modifiers() == Qt::KeypadModifier) {
            switch (k->key()) {
                case Qt::Key_Plus:
                case Qt::Key_Equal:
                case Qt::Key_Minus:
                case Qt::Key_0: event->accept(); return true;
                default: break;
            }
        }
    } else if (event->type() == QEvent::ToolTip) {
        const auto* h = static_cast<QHelpEvent*>(event);
        const QString text = toolTipAt(h->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(h->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void TimelineStrip::keyPressEvent(QKeyEvent* event) {
    switch (event->key()) {
        case Qt::Key_Plus:
        case Qt::Key_Equal: zoomBy(1.25); return;
        case Qt::Key_Minus: zoomBy(1 / 1.25); return;
        case Qt::Key_0: fit(); return;
        default: QWidget::keyPressEvent(event);
    }
}

QString TimelineStrip::toolTipAt(const QPoint& pos) const {
    const int64_t f = scale_.frameAt(pos.x());
    if (f < 0) return {};
    QString text = tr("frame %1").arg(f);
    if (rowRect(Row::Ruler).contains(pos) || rowRect(Row::Errors).contains(pos)) {
        QStringList legend;
        for (int i = 0; i < 4; ++i)
            legend << QStringLiteral("<span style='color:%1'>&#9632;</span> %2")
                          .arg(markerColor(kKinds[i]).name(), tr(markerKindText(kKinds[i])));
        QStringList here;
        for (const TimelineMarker& m : shown_)
            if (m.frame == f)
                here << tr("%1 %2 (gt %3/%4, pred %5/%6)")
                            .arg(tr(markerKindText(m.kind)), QString::fromStdString(m.label))
                            .arg(m.gtObjectId)
                            .arg(m.gtTrackId)
                            .arg(m.predObjectId)
                            .arg(m.predTrackId);
        text += QStringLiteral("<br>") + legend.join(QStringLiteral("&nbsp; "));
        if (!here.isEmpty()) text += QStringLiteral("<br>") + here.join(QStringLiteral("<br>"));
    } else if (rowRect(Row::Detections).contains(pos) && size_t(f) < data_.detections.size()) {
        text += tr(": %n box(es) in the layer", nullptr, data_.detections[size_t(f)]);
    } else if (rowRect(Row::Review).contains(pos) && size_t(f) < data_.review.size()) {
        text += QStringLiteral(": ") + QString::fromLatin1(store::frameReviewName(
                                           store::FrameReview(data_.review[size_t(f)])));
    } else if (rowRect(Row::Tracks).contains(pos)) {
        const int i = (pos.y() - rowRect(Row::Tracks).top()) / kTrackRow;
        if (i < selected_.size())
            text += tr(": track %1").arg(selected_[i]);
        else if (selected_.isEmpty())
            text += tr(": no track selected (click the detections row to pick a frame's tracks)");
    }
    return text;
}

// ---- painting ---------------------------------------------------------------------------------

void TimelineStrip::paintColumns(
    QPainter& p, const QRect& row, int64_t firstFrame, int64_t lastFrame,
    const std::function<void(QPainter&, const QRectF&, int64_t, int64_t)>& draw) {
    const double ppf = scale_.pxPerFrame();
    if (ppf <= 0 || lastFrame < firstFrame) return;
    if (ppf >= 1) {
        for (int64_t f = firstFrame; f <= lastFrame; ++f) {
            const double x0 = scale_.xOf(double(f)), x1 = scale_.xOf(double(f + 1));
            draw(p, QRectF(x0, row.top(), std::max(1.0, x1 - x0), row.height()), f, f);
        }
        return;
    }
    // Zoomed out: one cell per pixel column, over the frames that fall into it.
    for (int x = 0; x < row.width(); ++x) {
        const int64_t a = scale_.frameAt(x), b = std::max(a, scale_.frameAt(x + 1) - 1);
        if (a < 0 || a > lastFrame) break;
        draw(p, QRectF(x, row.top(), 1, row.height()), a, std::min(b, lastFrame));
    }
}

void TimelineStrip::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(0x1b, 0x1d, 0x21));
    const QRect ruler = rowRect(Row::Ruler), det = rowRect(Row::Detections),
                tracks = rowRect(Row::Tracks), review = rowRect(Row::Review),
                errors = rowRect(Row::Errors);
    for (const QRect& r : {det, tracks, review, errors}) p.fillRect(r, QColor(0x25, 0x28, 0x2d));
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.75));
    p.setFont(small);
    const double ppf = scale_.pxPerFrame();
    if (ppf <= 0) {
        p.setPen(QColor(0x9a, 0xa0, 0xa6));
        p.drawText(rect(), Qt::AlignCenter,
                   path_.isEmpty() ? tr("Timeline: open a project") : tr("Timeline: no frames"));
        return;
    }
    const int64_t f0 = scale_.firstVisible(), f1 = scale_.lastVisible();

    // Ruler: a tick every power-of-ten-ish step that leaves >= 60 px between labels.
    p.setPen(QColor(0x9a, 0xa0, 0xa6));
    int64_t step = 1;
    for (int i = 0; step * ppf < 60 && i < 40; ++i) step = (i % 3 == 1) ? step / 2 * 5 : step * 2;
    for (int64_t f = (f0 / step) * step; f <= f1; f += step) {
        const double x = scale_.xOf(double(f));
        p.drawLine(QPointF(x, ruler.bottom() - 3), QPointF(x, ruler.bottom()));
        p.drawText(QPointF(x + 2, ruler.bottom() - 3), QString::number(f));
    }
    // Legend, right-aligned in the ruler, over the tick labels it would collide with.
    const QFontMetrics fm(small);
    int total = 0;
    for (const char* t : kKindShort) total += 9 + fm.horizontalAdvance(QString::fromLatin1(t)) + 8;
    int lx = width() - total;
    p.fillRect(QRect(lx - 4, ruler.top(), total + 4, kRuler), QColor(0x1b, 0x1d, 0x21));
    for (int i = 0; i < 4; ++i) {
        const QString t = QString::fromLatin1(kKindShort[i]);
        p.fillRect(QRect(lx, ruler.top() + 3, 7, 7), markerColor(kKinds[i]));
        lx += 9;
        p.drawText(QPoint(lx, ruler.top() + 10), t);
        lx += fm.horizontalAdvance(t) + 8;
    }

    // Detections: bar height by the most boxes in the cell.
    const int64_t n = int64_t(data_.detections.size());
    if (n > 0 && data_.maxDetections > 0) {
        const QColor bar(0x4c, 0xa3, 0xdd);
        paintColumns(p, det, f0, std::min(f1, n - 1),
                     [&](QPainter& q, const QRectF& r, int64_t a, int64_t b) {
                         int32_t most = 0;
                         for (int64_t f = a; f <= b; ++f)
                             most = std::max(most, data_.detections[size_t(f)]);
                         if (most == 0) return;
                         const double h = std::max(2.0, r.height() * most / data_.maxDetections);
                         q.fillRect(QRectF(r.left(), r.bottom() - h, r.width(), h), bar);
                     });
    } else if (layer_ == 0) {
        p.setPen(QColor(0x7a, 0x80, 0x86));
        p.drawText(det.adjusted(4, 0, 0, 0), Qt::AlignVCenter,
                   tr("detections: load a layer (Project > Load Results from Project)"));
    }

    // Selected tracks: visible spans and keyframes.
    if (selected_.isEmpty()) {
        p.setPen(QColor(0x7a, 0x80, 0x86));
        p.drawText(tracks.adjusted(4, 0, 0, 0), Qt::AlignVCenter, tr("no track selected"));
    }
    for (int i = 0; i < std::min<int>(selected_.size(), kMaxTrackRows); ++i) {
        const QRectF r(0, tracks.top() + i * kTrackRow + 1, width(), kTrackRow - 2);
        const QColor c = trackColor(selected_[i]);
        for (auto [a, b] : data_.spansOf(selected_[i])) {
            if (b < f0 || a > f1) continue;
            const double x0 = std::max(0.0, scale_.xOf(double(a)));
            const double x1 = std::min(double(width()), scale_.xOf(double(b + 1)));
            p.fillRect(QRectF(x0, r.top() + 1, std::max(1.0, x1 - x0), r.height() - 2), c);
        }
        // Keyframes in black or white over the span, whichever reads on the class colour.
        const pipeline::Rgb k = pipeline::contrastingTextColor({uint8_t(c.red()),
                                                                uint8_t(c.green()),
                                                                uint8_t(c.blue())});
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(k.r, k.g, k.b));
        for (int64_t k : data_.keyframesOf(selected_[i])) {
            if (k < f0 || k > f1) continue;
            const double x = frameCenterX(k), h = r.height() / 2;
            p.drawPolygon(QPolygonF({QPointF(x, r.top()), QPointF(x + h, r.center().y()),
                                     QPointF(x, r.bottom()), QPointF(x - h, r.center().y())}));
        }
    }

    // Review state: flagged if any frame of the cell is, reviewed if all are.
    if (!data_.review.empty() && reviewSet_ != 0) {
        paintColumns(p, review, f0, std::min<int64_t>(f1, int64_t(data_.review.size()) - 1),
                     [&](QPainter& q, const QRectF& r, int64_t a, int64_t b) {
                         bool flagged = false, all = true;
                         for (int64_t f = a; f <= b; ++f) {
                             const auto s = store::FrameReview(data_.review[size_t(f)]);
                             flagged = flagged || s == store::FrameReview::Flagged;
                             all = all && s == store::FrameReview::Reviewed;
                         }
                         const store::FrameReview s = flagged ? store::FrameReview::Flagged
                                                      : all   ? store::FrameReview::Reviewed
                                                              : store::FrameReview::Unreviewed;
                         if (s != store::FrameReview::Unreviewed) q.fillRect(r, reviewColor(s));
                     });
    }

    // Error markers in the visible range, a band per kind.
    auto it = std::lower_bound(shown_.begin(), shown_.end(), f0,
                               [](const TimelineMarker& m, int64_t f) { return m.frame < f; });
    const double w = std::max(3.0, std::min(ppf, 12.0));
    for (; it != shown_.end() && it->frame <= f1; ++it) {
        const double x = frameCenterX(it->frame);
        const int band = kindIndex(it->kind);
        p.fillRect(QRectF(x - w / 2, errors.top() + band * kBand + 1, w, kBand - 2),
                   markerColor(it->kind));
    }

    // The played frame.
    if (cursor_ >= f0 && cursor_ <= f1) {
        const double x0 = scale_.xOf(double(cursor_));
        const QColor c(255, 255, 255, 200);
        if (ppf >= 3) p.fillRect(QRectF(x0, ruler.top(), ppf, height()), QColor(255, 255, 255, 40));
        p.fillRect(QRectF(x0 + std::max(0.0, ppf / 2 - 1), 0, 2, height()), c);
    }
}

}  // namespace sl::gui
