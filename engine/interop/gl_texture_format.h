#pragma once
// How plane `plane` of a pixel format is held by a GL texture, shared by the FrameBridge's slot
// textures and the GUI's own upload path so both give the display shader the same layout:
// 1 or 2 components of 8 or 16 bits (unsigned normalised: the shader rescales 10-bit values, see
// displayScale()), or packed RGB(A) uploaded as GL_BGR(A) where the bytes are in that order, so
// a texture's .rgb is always R, G, B. Values are GL enums, as plain integers so that Qt code
// (which has its own GL headers) can use them.

#include "media/pixel_format.h"

namespace sl::interop {

struct GlTextureFormat {
    unsigned internalFormat = 0;   // GL_R8, GL_RG8, GL_R16, GL_RG16, GL_RGB8, GL_RGBA8
    unsigned format = 0;           // GL_RED, GL_RG, GL_RGB, GL_BGR, GL_RGBA, GL_BGRA
    unsigned type = 0;             // GL_UNSIGNED_BYTE, GL_UNSIGNED_SHORT
};
GlTextureFormat glTextureFormat(media::PixelFormat f, int plane);

// What a normalised texel must be multiplied by to give the integer sample value (255 for 8-bit,
// 65535 for low-bit 10-bit words, 65535 / 64 for P010's high bits).
float displaySampleScale(media::PixelFormat f);

}  // namespace sl::interop
