#include "wall/wall_alerts.h"

#include <QPainter>

#include <cmath>

#include <nlohmann/json.hpp>

extern "C" {
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

#include "pipeline/class_color.h"

namespace sl::gui {

QImage alertThumbnail(const media::VideoFrame& frame, const analytics::Alert& alert, int width) {
    const AVFrame* src = frame.avFrame();
    if (!frame.valid() || !src || frame.width() <= 0 || frame.height() <= 0 || width <= 0)
        return {};
    const double sar = frame.sarNum() > 0 && frame.sarDen() > 0
                           ? double(frame.sarNum()) / frame.sarDen()
                           : 1.0;
    const int height =
        std::max(1, int(std::lround(width * frame.height() / (frame.width() * sar))));
    QImage image(width, height, QImage::Format_RGB888);
    SwsContext* sws = sws_getContext(frame.width(), frame.height(), AVPixelFormat(src->format),
                                     width, height, AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr,
                                     nullptr, nullptr);
    if (!sws) return {};
    uint8_t* dst[4] = {image.bits(), nullptr, nullptr, nullptr};
    int dstStride[4] = {int(image.bytesPerLine()), 0, 0, 0};
    const int rows = sws_scale(sws, src->data, src->linesize, 0, frame.height(), dst, dstStride);
    sws_freeContext(sws);
    if (rows <= 0) return {};
    QPainter p(&image);
    const double sx = double(width) / frame.width(), sy = double(height) / frame.height();
    for (const analytics::AlertObject& o : alert.objects) {
        const auto c = pipeline::classColor(o.classId);
        p.setPen(QPen(QColor(c.r, c.g, c.b), 2));
        p.drawRect(QRectF(o.box.x1 * sx, o.box.y1 * sy, (o.box.x2 - o.box.x1) * sx,
                          (o.box.y2 - o.box.y1) * sy));
    }
    return image;
}

std::string alertEventLine(const WallAlert& a) {
    nlohmann::json j =
        nlohmann::json::parse(analytics::alertJsonLine(a.alert, a.source.toStdString()));
    j["wall_time"] = a.wallTime.toString(Qt::ISODateWithMs).toStdString();
    return j.dump();
}

}  // namespace sl::gui
