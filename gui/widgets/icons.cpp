#include "widgets/icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace sl::gui {
namespace {

void drawIcon(QPainter& p, TransportIcon kind, QColor color) {
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    auto triangle = [&p](double x0, double x1, bool right) {
        QPainterPath path;
        if (right) {
            path.moveTo(x0, 4);
            path.lineTo(x1, 12);
            path.lineTo(x0, 20);
        } else {
            path.moveTo(x1, 4);
            path.lineTo(x0, 12);
            path.lineTo(x1, 20);
        }
        path.closeSubpath();
        p.drawPath(path);
    };
    switch (kind) {
    case TransportIcon::Play: triangle(6, 20, true); break;
    case TransportIcon::Pause:
        p.drawRect(QRectF(6, 4, 4, 16));
        p.drawRect(QRectF(14, 4, 4, 16));
        break;
    case TransportIcon::StepBack:      // |<  one frame back
        p.drawRect(QRectF(5, 5, 3, 14));
        triangle(9, 19, false);
        break;
    case TransportIcon::StepForward:   // >|  one frame forward
        triangle(5, 15, true);
        p.drawRect(QRectF(16, 5, 3, 14));
        break;
    case TransportIcon::SkipBack:
        triangle(2, 12, false);
        triangle(12, 22, false);
        break;
    case TransportIcon::SkipForward:
        triangle(2, 12, true);
        triangle(12, 22, true);
        break;
    }
}

QPixmap render(TransportIcon kind, QColor color, qreal dpr) {
    QPixmap pm(QSize(24, 24) * dpr);
    pm.setDevicePixelRatio(dpr);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    drawIcon(p, kind, color);
    return pm;
}

}  // namespace

QIcon transportIcon(TransportIcon kind) {
    QIcon icon;
    for (qreal dpr : {1.0, 2.0}) {
        icon.addPixmap(render(kind, QColor(0xe6, 0xe8, 0xeb), dpr), QIcon::Normal);
        icon.addPixmap(render(kind, QColor(0x6a, 0x6e, 0x75), dpr), QIcon::Disabled);
    }
    return icon;
}

}  // namespace sl::gui
