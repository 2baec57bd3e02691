#pragma once
// The uniforms of resources/shaders/yuv.frag for one frame's format and colour description,
// shared by every view that draws decoded frames (the single VideoView and the wall's tiles), so
// a tile shows exactly the picture the single view and the preprocess kernel see.

#include <QGenericMatrix>
#include <QVector3D>
#include <QVector4D>

#include "media/pixel_format.h"

#include <memory>

class QOpenGLBuffer;
class QOpenGLExtraFunctions;
class QOpenGLShaderProgram;
class QOpenGLVertexArrayObject;

namespace sl::gui {

// yuv.frag's planeLayout: 0 planar YUV, 1 semi-planar, 2 gray, 3 packed RGB.
int yuvShaderLayout(media::PixelFormat f);
// Row-major 3x3 that maps (Y, Cb, Cr) - offset, in sample units, to RGB 0..1: media::yuvToRgb,
// the preprocess kernel's own constants, so the picture shown is the picture detected.
QMatrix3x3 yuvShaderMatrix(media::PixelFormat f, media::ColorMatrix matrix,
                           media::ColorRange range);
QVector3D yuvShaderOffset(media::PixelFormat f, media::ColorRange range);
// Luma texture coordinate -> chroma texture coordinate (yuv.frag's chromaMap).
QVector4D yuvChromaMap(media::PixelFormat f, media::ChromaLocation loc, int width, int height);

struct YuvPicture {
    media::PixelFormat format = media::PixelFormat::Yuv420p;
    media::ColorMatrix matrix = media::ColorMatrix::Bt601;
    media::ColorRange range = media::ColorRange::Limited;
    media::ChromaLocation chroma = media::ChromaLocation::Left;
    int width = 0, height = 0;
};
// Sets planeLayout, sampleScale, chromaMap, yuvToRgb and yuvOffset on a bound program.
void setYuvUniforms(QOpenGLShaderProgram& program, const YuvPicture& picture);

// video.vert + yuv.frag, linked, with planeY/U/V bound to texture units 0-2; null when the build
// failed (logged under `component`). GL context current.
std::unique_ptr<QOpenGLShaderProgram> createYuvProgram(const char* component);
// One textured quad: a VBO of 4 (x, y, u, v) vertices (a triangle strip, rewritten per draw) in
// a VAO with attributes 0 (position) and 1 (texture coordinate), as video.vert reads them.
void createQuad(QOpenGLExtraFunctions& gl, QOpenGLVertexArrayObject& vao, QOpenGLBuffer& vbo);

}  // namespace sl::gui
