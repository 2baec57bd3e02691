#pragma once
// TimelineScale: the timeline strip's mapping between widget x and frame index, kept apart from
// the widget so it is tested without one. Zoom 1 fits the whole media into the width; zoom Z
// shows 1/Z of it, starting at `first` (a fractional frame, so zooming around the cursor keeps
// the frame under it exactly where it was). Frame K covers [xOf(K), xOf(K + 1)): the mapping is
// computed in doubles from the zoomed scale, never rounded to whole pixels, so at 16x and beyond
// a click hits exactly the frame drawn under it.

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace sl::gui {

struct TimelineScale {
    int64_t frames = 0;   // frames of the media (0: nothing to show)
    double width = 0;     // widget pixels
    double zoom = 1;      // >= 1
    double first = 0;     // the frame at x = 0

    // Zoom stops where kMinVisibleFrames frames fill the width.
    static constexpr double kMinVisibleFrames = 4;

    double pxPerFrame() const {
        return frames > 0 && width > 0 ? width * zoom / double(frames) : 0;
    }
    double visibleFrames() const { return double(frames) / zoom; }
    double maxZoom() const { return std::max(1.0, double(frames) / kMinVisibleFrames); }

    // The frame under X (clamped to the media); -1 when there is none.
    int64_t frameAt(double x) const {
        const double ppf = pxPerFrame();
        if (ppf <= 0) return -1;
        const double f = std::floor(first + x / ppf);
        return std::clamp<int64_t>(int64_t(f), 0, frames - 1);
    }
    // Where FRAME begins (its left edge).
    double xOf(double frame) const { return (frame - first) * pxPerFrame(); }
    // The frames drawn in [0, width): [firstVisible, lastVisible].
    int64_t firstVisible() const {
        return std::clamp<int64_t>(int64_t(std::floor(first)), 0, std::max<int64_t>(0, frames - 1));
    }
    int64_t lastVisible() const {
        return std::clamp<int64_t>(int64_t(std::ceil(first + visibleFrames())) - 1, 0,
                                   std::max<int64_t>(0, frames - 1));
    }

    void setFrames(int64_t n) {
        frames = std::max<int64_t>(0, n);
        zoom = std::clamp(zoom, 1.0, maxZoom());
        clamp();
    }
    void setWidth(double w) {
        width = std::max(0.0, w);
        clamp();
    }
    // Zoom by FACTOR keeping the frame position under X fixed.
    void zoomAround(double x, double factor) {
        const double ppf = pxPerFrame();
        if (ppf <= 0) return;
        const double anchor = first + x / ppf;
        zoom = std::clamp(zoom * factor, 1.0, maxZoom());
        first = anchor - x / pxPerFrame();
        clamp();
    }
    void setZoom(double z, double anchorX) { zoomAround(anchorX, z / zoom); }
    void scrollFrames(double delta) {
        first += delta;
        clamp();
    }
    void scrollPixels(double dx) {
        const double ppf = pxPerFrame();
        if (ppf > 0) scrollFrames(dx / ppf);
    }
    // Scrolls (a page at a time, as players do) so that FRAME is fully visible; true if moved.
    bool ensureVisible(int64_t frame) {
        const double visible = visibleFrames();
        if (frames <= 0 || (double(frame) >= first && double(frame) + 1 <= first + visible))
            return false;
        // The frame a tenth into the view, so playback runs on for most of a page.
        first = double(frame) - visible * 0.1;
        clamp();
        return true;
    }
    void clamp() {
        first = std::clamp(first, 0.0, std::max(0.0, double(frames) - visibleFrames()));
    }
};

}  // namespace sl::gui
