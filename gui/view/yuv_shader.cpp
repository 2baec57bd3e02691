#include "view/yuv_shader.h"

#include <QOpenGLBuffer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QOpenGLVertexArrayObject>

#include <array>
#include <utility>

#include "core/log.h"
#include "interop/gl_texture_format.h"

namespace sl::gui {

// The shader's planeLayout uniform (resources/shaders/yuv.frag).
int yuvShaderLayout(media::PixelFormat f) {
    const media::PixelFormatDesc& d = media::describe(f);
    switch (d.family) {
    case media::FormatFamily::Yuv: return d.semiPlanar ? 1 : 0;
    case media::FormatFamily::Gray: return 2;
    case media::FormatFamily::Rgb: return 3;
    }
    return 0;
}

// Row-major 3x3 that maps (Y, Cb, Cr) - offset, in sample units, to RGB 0..1: media::yuvToRgb,
// the preprocess kernel's own constants, so the picture shown is the picture detected.
QMatrix3x3 yuvShaderMatrix(media::PixelFormat f, media::ColorMatrix matrix, media::ColorRange range) {
    const media::YuvToRgb t = media::yuvToRgb(matrix, range, media::describe(f).bitDepth);
    float m[9];
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) m[r * 3 + c] = float(t.m[size_t(r)][size_t(c)] / 255.0);
    return QMatrix3x3(m);
}

QVector3D yuvShaderOffset(media::PixelFormat f, media::ColorRange range) {
    const media::YuvToRgb t =
        media::yuvToRgb(media::ColorMatrix::Bt601, range, media::describe(f).bitDepth);
    return {float(t.yOffset), float(t.cOffset), float(t.cOffset)};
}

// Luma texture coordinate -> chroma texture coordinate (yuv.frag's chromaMap). Luma sample x
// (at t = (x + 0.5) / w) has chroma at c = (x - site) * 2^-shift in chroma samples, as in the
// preprocess kernel (preprocess.h); GL puts chroma sample c at (c + 0.5) / cw. Solving for t
// gives a scale and an offset per axis (identity on an axis that is not subsampled).
QVector4D yuvChromaMap(media::PixelFormat f, media::ChromaLocation loc, int width, int height) {
    const media::PixelFormatDesc& d = media::describe(f);
    if (d.family != media::FormatFamily::Yuv || width <= 0 || height <= 0) return {1, 1, 0, 0};
    const std::array<float, 2> site = media::chromaSiteOffset(loc);
    const auto axis = [](int shift, float siteOffset, int size, int chromaSize) {
        const double s = 1.0 / double(1 << shift);
        const double p = shift ? double(siteOffset) : 0.0;
        return std::pair<float, float>(float(size * s / chromaSize),
                                       float(((-0.5 - p) * s + 0.5) / chromaSize));
    };
    const auto [sx, ox] = axis(d.chromaShiftX, site[0], width, media::planeWidth(f, 1, width));
    const auto [sy, oy] = axis(d.chromaShiftY, site[1], height, media::planeHeight(f, 1, height));
    return {sx, sy, ox, oy};
}

void setYuvUniforms(QOpenGLShaderProgram& program, const YuvPicture& p) {
    program.setUniformValue("planeLayout", yuvShaderLayout(p.format));
    program.setUniformValue("sampleScale", interop::displaySampleScale(p.format));
    program.setUniformValue("chromaMap", yuvChromaMap(p.format, p.chroma, p.width, p.height));
    program.setUniformValue("yuvToRgb", yuvShaderMatrix(p.format, p.matrix, p.range));
    program.setUniformValue("yuvOffset", yuvShaderOffset(p.format, p.range));
}

std::unique_ptr<QOpenGLShaderProgram> createYuvProgram(const char* component) {
    auto program = std::make_unique<QOpenGLShaderProgram>();
    const bool ok =
        program->addShaderFromSourceFile(QOpenGLShader::Vertex, ":/sightline/shaders/video.vert") &&
        program->addShaderFromSourceFile(QOpenGLShader::Fragment, ":/sightline/shaders/yuv.frag") &&
        program->link();
    if (!ok) {
        sl::logError(component, "shader build failed: " + program->log().toStdString());
        return nullptr;
    }
    program->bind();
    program->setUniformValue("planeY", 0);
    program->setUniformValue("planeU", 1);
    program->setUniformValue("planeV", 2);
    program->release();
    return program;
}

void createQuad(QOpenGLExtraFunctions& gl, QOpenGLVertexArrayObject& vao, QOpenGLBuffer& vbo) {
    vao.create();
    vao.bind();
    vbo.create();
    vbo.setUsagePattern(QOpenGLBuffer::DynamicDraw);
    vbo.bind();
    vbo.allocate(int(16 * sizeof(float)));
    gl.glEnableVertexAttribArray(0);
    gl.glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float), nullptr);
    gl.glEnableVertexAttribArray(1);
    gl.glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float),
                             reinterpret_cast<const void*>(2 * sizeof(float)));
    vbo.release();
    vao.release();
}

}  // namespace sl::gui
