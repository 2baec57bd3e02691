#include "gui_test_util.h"

#include <algorithm>
#include <cmath>

#include "support/frame_pattern.h"
#include "view/video_view.h"

namespace sl::testing {

int readRenderedNumber(const QImage& image, const QRectF& r) {
    if (r.isEmpty() || image.isNull()) return -1;
    const double dpr = image.devicePixelRatio() > 0 ? image.devicePixelRatio() : 1.0;
    // Inside the picture only: round inwards so no letterbox pixel is sampled.
    const int x0 = int(std::ceil(r.left() * dpr)), y0 = int(std::ceil(r.top() * dpr));
    const int x1 = std::min(int(std::floor(r.right() * dpr)), image.width());
    const int y1 = std::min(int(std::floor(r.bottom() * dpr)), image.height());
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    return readFramePattern(
        [&](int x, int y) {
            const QRgb p = rgb.pixel(x0 + x, y0 + y);
            return (299 * qRed(p) + 587 * qGreen(p) + 114 * qBlue(p)) / 1000;
        },
        x1 - x0, y1 - y0);
}

int readRenderedNumber(gui::VideoView* view) {
    return readRenderedNumber(view->grabFramebuffer(), view->videoRect());
}

}  // namespace sl::testing
