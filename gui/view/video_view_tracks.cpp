// VideoView: the tracking half of the overlay (track ids, trails, selected track, heatmap, the
// scene editor's hooks). Kept apart from video_view.cpp, which is the player's display.

#include <QPainter>

#include <algorithm>

#include "controller/track_controller.h"
#include "view/video_view.h"

namespace sl::gui {

void VideoView::setTracks(TrackController* tracks) {
    if (tracks_) disconnect(tracks_, nullptr, this, nullptr);
    tracks_ = tracks;
    sceneTool_.setController(tracks);
    connect(&sceneTool_, &SceneTool::changed, this, qOverload<>(&VideoView::update),
            Qt::UniqueConnection);
    if (!tracks_) return;
    connect(tracks_, &TrackController::analysisChanged, this, qOverload<>(&VideoView::update));
    connect(tracks_, &TrackController::selectionChanged, this, qOverload<>(&VideoView::update));
}

SourceTransform VideoView::sourceTransform() const {
    return {videoRect(), QSizeF(texWidth_, texHeight_)};
}

void VideoView::setTrailsVisible(bool visible) {
    trailsVisible_ = visible;
    update();
}

void VideoView::setTrailLength(int frames) {
    trailLength_ = std::max(2, frames);
    update();
}

void VideoView::setHeatmapVisible(bool visible) {
    heatmapVisible_ = visible;
    update();
}

void VideoView::setHeatmapOpacity(double opacity) {
    heatmapOpacity_ = std::clamp(opacity, 0.0, 1.0);
    update();
}

QImage VideoView::heatmapImage() const {
    if (!tracks_ || tracks_->frameWidth() <= 0) return {};
    const auto& a = tracks_->analysis();
    if (tracks_->tracksSerial() != heatmapVersion_) {
        heatmapVersion_ = tracks_->tracksSerial();
        const auto frames = a.counts();   // one sample per tracked frame, in order
        heatmapCache_ = frames.empty()
                            ? QImage()
                            : TrackOverlay::colorize(a.heatmap(
                                  frames.front().frameIndex, frames.back().frameIndex,
                                  tracks_->frameWidth(), tracks_->frameHeight()));
    }
    return heatmapCache_;
}

void VideoView::drawTrailsGl() {
    if (!tracks_ || !trailsVisible_ || displayedIndex_ < 0) return;
    const SourceTransform t = sourceTransform();
    if (!t.valid()) return;
    const auto& a = tracks_->analysis();
    std::vector<Polyline> lines;
    const int64_t selected = tracks_->selectedTrack();
    if (selected > 0) {
        // The selected track's whole path, under the trails: dark casing, then its colour.
        Polyline casing{{}, QColor(0, 0, 0, 200), 6};
        Polyline path{{}, TrackOverlay::trackColor(selected), 3};
        for (const auto& [frame, box] : a.trackBoxes(selected)) {
            const QPointF w =
                t.toWidget(analytics::anchorPoint(box, analytics::Anchor::BottomCentre));
            casing.points.push_back(w);
            path.points.push_back(w);
        }
        path.color.setAlpha(170);
        lines.push_back(std::move(casing));
        lines.push_back(std::move(path));
    }
    if (const auto* objects = a.at(displayedIndex_)) {
        for (const auto& o : *objects) {
            Polyline l{{}, TrackOverlay::trackColor(o.trackId), 3};
            for (const auto& p : a.trail(o.trackId, displayedIndex_, trailLength_))
                l.points.push_back(t.toWidget(p));
            lines.push_back(std::move(l));
        }
    }
    // GL works in device pixels; the polylines are in device-independent widget pixels.
    trackOverlay_.draw(lines, size());
}

void VideoView::drawTrackOverlay(QPainter& p) {
    if (!tracks_) return;
    const SourceTransform t = sourceTransform();
    if (!t.valid()) return;
    if (heatmapVisible_) {
        const QImage heat = heatmapImage();
        if (!heat.isNull()) {
            p.save();
            p.setOpacity(heatmapOpacity_);
            p.setRenderHint(QPainter::SmoothPixmapTransform, true);
            // The grid covers the frame scaled by 1 / cellSize (partial last cells included).
            const double cell = 4;
            p.drawImage(QRectF(t.rect.topLeft(),
                               QSizeF(heat.width() * cell / t.source.width() * t.rect.width(),
                                      heat.height() * cell / t.source.height() * t.rect.height())),
                        heat);
            p.restore();
        }
    }
    const int64_t selected = tracks_->selectedTrack();
    if (selected > 0) {
        // Ghost boxes of the selected track over time (every few frames, so a long track stays
        // readable), in its colour.
        QColor c = TrackOverlay::trackColor(selected);
        c.setAlpha(110);
        p.save();
        p.setPen(QPen(c, 1));
        p.setBrush(Qt::NoBrush);
        const auto boxes = tracks_->analysis().trackBoxes(selected);
        const size_t step = std::max<size_t>(1, boxes.size() / 40);
        for (size_t i = 0; i < boxes.size(); i += step) {
            const auto& b = boxes[i].second;
            p.drawRect(QRectF(t.toWidget({b.x1, b.y1}), t.toWidget({b.x2, b.y2})));
        }
        p.restore();
    }
}

bool VideoView::pickTrack(QPointF widgetPos) {
    if (!tracks_) return false;
    const SourceTransform t = sourceTransform();
    if (!t.valid()) return false;
    const analytics::Point s = t.toSource(widgetPos);
    int64_t best = 0;
    double bestArea = 0;
    if (const auto* objects = tracks_->analysis().at(displayedIndex_)) {
        for (const auto& o : *objects) {
            const auto& b = o.box;
            if (s.x < b.x1 || s.x > b.x2 || s.y < b.y1 || s.y > b.y2) continue;
            // Nested boxes: the smallest one is the one the analyst aimed at.
            if (best == 0 || b.area() < bestArea) best = o.trackId, bestArea = b.area();
        }
    }
    tracks_->setSelectedTrack(best);
    return best != 0;
}

}  // namespace sl::gui
