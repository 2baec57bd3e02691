#include "export/analytics_export.h"

#include <QBuffer>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "core/atomic_file.h"
#include "pipeline/track_export.h"

namespace sl::gui {
namespace {

QString write(const QString& path, const std::string& data) {
    const Status st = writeFileAtomic(path.toStdString(), data, "export");
    return st ? QString() : QString::fromStdString(st.message());
}

}  // namespace

QString exportTracksMot(const pipeline::TrackAnalysis& analysis, const QString& path) {
    return write(path, pipeline::motTracksText(analysis));
}

QString exportEvents(const pipeline::TrackAnalysis& analysis, const QString& path) {
    // The same writers as `sightline track --events` and `analyze --events`.
    const Status st = pipeline::saveEvents(path.toStdString(), analysis.events());
    return st ? QString() : QString::fromStdString(st.message());
}

QString exportHeatmap(const QImage& heat, QSize size, const QImage& frame, double opacity,
                      const QString& path) {
    if (heat.isNull() || size.isEmpty())
        return QStringLiteral("export: '%1': no heatmap (no tracks yet)").arg(path);
    QImage out(size, QImage::Format_ARGB32);
    out.fill(Qt::transparent);
    {
        QPainter p(&out);
        if (!frame.isNull()) p.drawImage(QRect(QPoint(0, 0), size), frame);
        p.setOpacity(frame.isNull() ? 1.0 : opacity);
        p.setRenderHint(QPainter::SmoothPixmapTransform, true);
        // One heatmap cell covers `cell` source pixels (the grid is rounded up at the edges).
        const double cell = std::max(1.0, std::round(double(size.width()) / heat.width()));
        p.drawImage(QRectF(0, 0, heat.width() * cell, heat.height() * cell), heat);
    }
    QByteArray png;
    QBuffer buf(&png);
    buf.open(QIODevice::WriteOnly);
    if (!out.save(&buf, "PNG"))
        return QStringLiteral("export: '%1': PNG encoding failed").arg(path);
    return write(path, std::string(png.constData(), size_t(png.size())));
}

}  // namespace sl::gui
