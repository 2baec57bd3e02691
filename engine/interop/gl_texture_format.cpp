#include "interop/gl_texture_format.h"

#include <GL/glcorearb.h>

namespace sl::interop {

GlTextureFormat glTextureFormat(media::PixelFormat f, int plane) {
    const media::PixelFormatDesc& d = media::describe(f);
    const int n = media::planeComponents(f, plane);
    const bool bgr = d.family == media::FormatFamily::Rgb && d.rgbAt[0] == 2;
    if (d.componentBytes == 2)
        return n == 2 ? GlTextureFormat{GL_RG16, GL_RG, GL_UNSIGNED_SHORT}
                      : GlTextureFormat{GL_R16, GL_RED, GL_UNSIGNED_SHORT};
    switch (n) {
    case 2: return {GL_RG8, GL_RG, GL_UNSIGNED_BYTE};
    case 3: return {GL_RGB8, unsigned(bgr ? GL_BGR : GL_RGB), GL_UNSIGNED_BYTE};
    case 4: return {GL_RGBA8, unsigned(bgr ? GL_BGRA : GL_RGBA), GL_UNSIGNED_BYTE};
    default: return {GL_R8, GL_RED, GL_UNSIGNED_BYTE};
    }
}

float displaySampleScale(media::PixelFormat f) {
    const media::PixelFormatDesc& d = media::describe(f);
    if (d.componentBytes == 1) return 255.0f;
    return 65535.0f / float(1 << d.valueShift);
}

}  // namespace sl::interop
