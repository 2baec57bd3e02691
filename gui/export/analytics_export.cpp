#include "export/analytics_export.h"

#include <QBuffer>
#include <QPainter>

#include <cstdio>

#include "core/atomic_file.h"
#include "pipeline/results_store.h"

namespace sl::gui {
namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

QString write(const QString& path, const std::string& data) {
    const Status st = writeFileAtomic(path.toStdString(), data, "export");
    return st ? QString() : QString::fromStdString(st.message());
}

}  // namespace

std::string tracksToMot(const pipeline::TrackAnalysis& analysis) {
    std::string out;
    for (const auto& f : analysis.trackedFrames())
        for (const auto& o : f.objects) {
            const auto& b = o.box;
            out += std::to_string(f.frameIndex + 1) + "," + std::to_string(o.trackId) + "," +
                   fmt("%.2f", b.x1) + "," + fmt("%.2f", b.y1) + "," +
                   fmt("%.2f", double(b.x2) - b.x1) + "," + fmt("%.2f", double(b.y2) - b.y1) +
                   "," + fmt("%.4f", o.score) + ",-1,-1,-1\n";
        }
    return out;
}

std::string eventsToCsv(const std::vector<analytics::Event>& events) {
    std::string out = "time,frame,pts,track,class_id,label,kind,target,direction,dwell_seconds\n";
    for (const auto& e : events)
        out += fmt("%.6f", e.seconds) + "," + std::to_string(e.frameIndex) + "," +
               std::to_string(e.pts) + "," + std::to_string(e.trackId) + "," +
               std::to_string(e.classId) + "," + pipeline::csvField(e.label) + "," +
               analytics::eventKindName(e.kind) + "," + pipeline::csvField(e.target) + "," +
               std::to_string(e.direction) + "," + fmt("%.6f", e.dwellSeconds) + "\n";
    return out;
}

std::string eventsToJson(const std::vector<analytics::Event>& events) {
    std::string out = "{\"events\": [";
    bool first = true;
    for (const auto& e : events) {
        out += first ? "\n  " : ",\n  ";
        first = false;
        out += "{\"time\": " + fmt("%.6f", e.seconds) + ", \"frame\": " +
               std::to_string(e.frameIndex) + ", \"pts\": " + std::to_string(e.pts) +
               ", \"track\": " + std::to_string(e.trackId) + ", \"class_id\": " +
               std::to_string(e.classId) + ", \"label\": " + jsonString(e.label) +
               ", \"kind\": " + jsonString(analytics::eventKindName(e.kind)) +
               ", \"target\": " + jsonString(e.target) + ", \"direction\": " +
               std::to_string(e.direction) + ", \"dwell_seconds\": " +
               fmt("%.6f", e.dwellSeconds) + "}";
    }
    return out + (first ? "]}\n" : "\n]}\n");
}

QString exportTracksMot(const pipeline::TrackAnalysis& analysis, const QString& path) {
    return write(path, tracksToMot(analysis));
}

QString exportEvents(const pipeline::TrackAnalysis& analysis, const QString& path) {
    if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        return write(path, eventsToJson(analysis.events()));
    if (path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive))
        return write(path, eventsToCsv(analysis.events()));
    return QStringLiteral("export: '%1': use a .csv or .json file name").arg(path);
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
        p.drawImage(QRectF(0, 0, heat.width() * 4.0, heat.height() * 4.0), heat);
    }
    QByteArray png;
    QBuffer buf(&png);
    buf.open(QIODevice::WriteOnly);
    if (!out.save(&buf, "PNG"))
        return QStringLiteral("export: '%1': PNG encoding failed").arg(path);
    return write(path, std::string(png.constData(), size_t(png.size())));
}

}  // namespace sl::gui
