#pragma once
// TrackOverlay: the OpenGL half of the tracking overlay in the video view. Trails (the last N
// anchor points of every track shown on the frame) and the selected track's whole path are
// drawn as triangle strips in paintGL, right after the video quad: the GL context is core 3.3,
// where glLineWidth > 1 is not available, so each segment becomes a quad of the wanted width in
// widget pixels (round-ish joins from the overlapping quads). The heatmap image (built from
// TrackAnalysis::heatmap) is colourised here too; the view paints it with QPainter.

#include <QColor>
#include <QImage>
#include <QOpenGLBuffer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QOpenGLVertexArrayObject>
#include <QPointF>
#include <QSize>

#include <memory>
#include <vector>

#include "analytics/heatmap.h"

namespace sl::gui {

struct Polyline {
    std::vector<QPointF> points;   // widget pixels
    QColor color;
    float width = 3;               // widget pixels
};

class TrackOverlay : protected QOpenGLExtraFunctions {
public:
    // The colour of a track: a fixed palette by id (the same in trails, labels and panels).
    static QColor trackColor(int64_t trackId);
    // Normalised heat -> premultiplied-free ARGB: transparent at 0, blue -> red, alpha by heat.
    static QImage colorize(const analytics::Heatmap& heatmap);

    bool init();      // with the view's context current
    void cleanup();   // likewise
    // Draws `lines` over a viewport of `widget` pixels (device pixel ratio applied by GL).
    void draw(const std::vector<Polyline>& lines, QSize widget);

private:
    bool ready_ = false;
    std::unique_ptr<QOpenGLShaderProgram> program_;
    QOpenGLVertexArrayObject vao_;
    QOpenGLBuffer vbo_{QOpenGLBuffer::VertexBuffer};
};

}  // namespace sl::gui
