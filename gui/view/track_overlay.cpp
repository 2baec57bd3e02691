#include "view/track_overlay.h"

#include <algorithm>
#include <cmath>

namespace sl::gui {
namespace {

const char* const kVertex = R"(#version 330 core
layout(location = 0) in vec2 position;
layout(location = 1) in vec4 color;
out vec4 vColor;
void main() { vColor = color; gl_Position = vec4(position, 0.0, 1.0); }
)";
const char* const kFragment = R"(#version 330 core
in vec4 vColor;
out vec4 fragColor;
void main() { fragColor = vColor; }
)";

}  // namespace

QColor TrackOverlay::trackColor(int64_t trackId) {
    // Golden-angle hues: neighbouring ids get clearly different colours.
    const int hue = int(std::fmod(double(trackId) * 137.508, 360.0));
    return QColor::fromHsv(hue, 200, 255);
}

QImage TrackOverlay::colorize(const analytics::Heatmap& heatmap) {
    QImage img(std::max(1, heatmap.width()), std::max(1, heatmap.height()),
               QImage::Format_ARGB32);
    img.fill(Qt::transparent);
    const std::vector<float> v = heatmap.normalised();
    for (int y = 0; y < heatmap.height(); ++y) {
        auto* row = reinterpret_cast<QRgb*>(img.scanLine(y));
        for (int x = 0; x < heatmap.width(); ++x) {
            const float h = v[size_t(y) * size_t(heatmap.width()) + size_t(x)];
            if (h <= 0.01f) continue;
            // Blue (cold) -> cyan -> yellow -> red (hot), more opaque where hotter.
            const QColor c = QColor::fromHsvF(0.66f * (1.0f - h), 1.0f, 1.0f);
            row[x] = qRgba(c.red(), c.green(), c.blue(), int(60 + 195 * h));
        }
    }
    return img;
}

bool TrackOverlay::init() {
    initializeOpenGLFunctions();
    program_ = std::make_unique<QOpenGLShaderProgram>();
    if (!program_->addShaderFromSourceCode(QOpenGLShader::Vertex, kVertex) ||
        !program_->addShaderFromSourceCode(QOpenGLShader::Fragment, kFragment) ||
        !program_->link()) {
        program_.reset();
        return false;
    }
    vao_.create();
    vao_.bind();
    vbo_.create();
    vbo_.setUsagePattern(QOpenGLBuffer::StreamDraw);
    vbo_.bind();
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 6 * sizeof(float), nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 4, GL_FLOAT, GL_FALSE, 6 * sizeof(float),
                          reinterpret_cast<const void*>(2 * sizeof(float)));
    vbo_.release();
    vao_.release();
    ready_ = true;
    return true;
}

void TrackOverlay::cleanup() {
    if (!ready_) return;
    vbo_.destroy();
    vao_.destroy();
    program_.reset();
    ready_ = false;
}

void TrackOverlay::draw(const std::vector<Polyline>& lines, QSize widget) {
    if (!ready_ || widget.isEmpty()) return;
    std::vector<float> v;   // triangles: x, y, r, g, b, a
    const double w = widget.width(), h = widget.height();
    const auto push = [&](QPointF p, const QColor& c) {
        v.insert(v.end(), {float(2.0 * p.x() / w - 1.0), float(1.0 - 2.0 * p.y() / h),
                           float(c.redF()), float(c.greenF()), float(c.blueF()),
                           float(c.alphaF())});
    };
    for (const Polyline& l : lines) {
        for (size_t i = 1; i < l.points.size(); ++i) {
            const QPointF a = l.points[i - 1], b = l.points[i];
            QPointF d = b - a;
            const double len = std::hypot(d.x(), d.y());
            if (len < 1e-6) continue;
            d /= len;
            // Extend each quad by half the width along the segment: consecutive quads overlap
            // at the joints, so the strip has no gaps at corners.
            const QPointF n(-d.y() * l.width / 2, d.x() * l.width / 2);
            const QPointF e = d * (l.width / 2);
            const QPointF p0 = a - e + n, p1 = a - e - n, p2 = b + e + n, p3 = b + e - n;
            push(p0, l.color), push(p1, l.color), push(p2, l.color);
            push(p2, l.color), push(p1, l.color), push(p3, l.color);
        }
    }
    if (v.empty()) return;
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    program_->bind();
    vao_.bind();
    vbo_.bind();
    vbo_.allocate(v.data(), int(v.size() * sizeof(float)));
    glDrawArrays(GL_TRIANGLES, 0, GLsizei(v.size() / 6));
    vbo_.release();
    vao_.release();
    program_->release();
    glDisable(GL_BLEND);
}

}  // namespace sl::gui
