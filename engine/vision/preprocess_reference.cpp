#include "vision/preprocess_reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace sl::vision {
namespace {

// Mirrors sample/bilinear/rgb8/lerp2 in kernels/preprocess.cl (the clamp and floor of a
// position split out here as taps); keep the operation order identical.
struct Tap {
    int x0, y0, x1, y1;
    float fx, fy;
};

Tap taps(float sx, float sy, int w, int h) {
    sx = std::fmin(std::fmax(sx, 0.0f), float(w - 1));
    sy = std::fmin(std::fmax(sy, 0.0f), float(h - 1));
    Tap t;
    t.x0 = int(sx);
    t.y0 = int(sy);
    t.x1 = std::min(t.x0 + 1, w - 1);
    t.y1 = std::min(t.y0 + 1, h - 1);
    t.fx = sx - float(t.x0);
    t.fy = sy - float(t.y0);
    return t;
}

// p, stride and step in elements of T (uint8_t or little-endian uint16_t words).
template <class T>
float sample(const T* p, int stride, int step, int shift, int x, int y) {
    return float(p[ptrdiff_t(y) * stride + x * step] >> shift);
}

// p, stride and step in elements of T (uint8_t or little-endian uint16_t words).
template <class T>
float bilinear(const T* p, int stride, int step, int shift, const Tap& t) {
    const float a = sample(p, stride, step, shift, t.x0, t.y0);
    const float b = sample(p, stride, step, shift, t.x1, t.y0);
    const float c = sample(p, stride, step, shift, t.x0, t.y1);
    const float d = sample(p, stride, step, shift, t.x1, t.y1);
    const float top = a + (b - a) * t.fx;
    const float bot = c + (d - c) * t.fx;
    return top + (bot - top) * t.fy;
}

// Rounded to an 8-bit code value after the clamp, as rgb8 in the kernel.
float rgb8(const std::array<float, 4>& m, float cOff, float y, float u, float v) {
    const float r = m[0] * (y - m[3]) + m[1] * (u - cOff) + m[2] * (v - cOff);
    return float(int(std::fmin(std::fmax(r, 0.0f), 255.0f) + 0.5f));
}

float lerp2(float a, float b, float c, float d, float fx, float fy) {
    const float top = a + (b - a) * fx;
    const float bot = c + (d - c) * fx;
    return top + (bot - top) * fy;
}

template <class T>
void preprocessGrids(const HostYuvFrame& src, const PreprocessParams& p,
                     const PreprocessConstants& c, const SampleGrids& g, float* out) {
    const T* grid[3];
    int stride[3];
    for (int i = 0; i < 3; ++i) {
        const HostPlane& hp = src.planes[size_t(g.plane[i])];
        grid[i] = reinterpret_cast<const T*>(hp.data) + g.first[i];
        stride[i] = hp.stride / int(sizeof(T));
    }
    const size_t plane = size_t(p.dstWidth) * size_t(p.dstHeight);
    const Letterbox& b = c.box;
    for (int dy = 0; dy < p.dstHeight; ++dy) {
        for (int dx = 0; dx < p.dstWidth; ++dx) {
            float o[3];
            if (dx < b.offsetX || dy < b.offsetY || dx >= b.offsetX + b.width ||
                dy >= b.offsetY + b.height) {
                o[0] = c.pad[0];
                o[1] = c.pad[1];
                o[2] = c.pad[2];
            } else {
                // Four luma taps, each made an 8-bit RGB pixel with its own sited chroma, then
                // interpolated (the kernel's PREPROCESS_PIXEL explains why).
                const Tap t = taps((float(dx - b.offsetX) + 0.5f) * c.invScaleX - 0.5f,
                                   (float(dy - b.offsetY) + 0.5f) * c.invScaleY - 0.5f,
                                   src.width, src.height);
                const int xs[4] = {t.x0, t.x1, t.x0, t.x1};
                const int ys[4] = {t.y0, t.y0, t.y1, t.y1};
                float yv[4], uv[4], vv[4];
                for (int k = 0; k < 4; ++k) {
                    yv[k] = sample(grid[0], stride[0], g.step[0], g.shift, xs[k], ys[k]);
                    const Tap ct = taps(float(xs[k]) * g.chromaScaleX - c.chromaPosX,
                                        float(ys[k]) * g.chromaScaleY - c.chromaPosY,
                                        g.chromaWidth, g.chromaHeight);
                    uv[k] = bilinear(grid[1], stride[1], g.step[1], g.shift, ct);
                    vv[k] = bilinear(grid[2], stride[2], g.step[2], g.shift, ct);
                }
                for (int ch = 0; ch < 3; ++ch) {
                    const auto& m = c.rows[size_t(ch)];
                    const float cOff = c.chromaOffset;
                    const float v = lerp2(rgb8(m, cOff, yv[0], uv[0], vv[0]),
                                          rgb8(m, cOff, yv[1], uv[1], vv[1]),
                                          rgb8(m, cOff, yv[2], uv[2], vv[2]),
                                          rgb8(m, cOff, yv[3], uv[3], vv[3]), t.fx, t.fy);
                    o[ch] = (v * c.scale - c.mean[size_t(ch)]) * c.invStd[size_t(ch)];
                }
            }
            const size_t at = size_t(dy) * p.dstWidth + dx;
            out[at] = o[0];
            out[at + plane] = o[1];
            out[at + 2 * plane] = o[2];
        }
    }
}

}  // namespace

Letterbox computeLetterbox(int srcWidth, int srcHeight, const PreprocessParams& p) {
    Letterbox b;
    if (srcWidth <= 0 || srcHeight <= 0 || p.dstWidth <= 0 || p.dstHeight <= 0) return b;
    const double s = std::min(double(p.dstWidth) / srcWidth, double(p.dstHeight) / srcHeight);
    b.width = std::clamp(int(std::lround(srcWidth * s)), 1, p.dstWidth);
    b.height = std::clamp(int(std::lround(srcHeight * s)), 1, p.dstHeight);
    if (p.placement == Placement::Centre) {
        b.offsetX = (p.dstWidth - b.width) / 2;
        b.offsetY = (p.dstHeight - b.height) / 2;
    }
    return b;
}

size_t preprocessOutputBytes(const PreprocessParams& p) {
    const size_t elem = p.type == TensorType::Float16 ? 2 : 4;
    return size_t(3) * size_t(std::max(0, p.dstWidth)) * size_t(std::max(0, p.dstHeight)) * elem;
}

SampleGrids sampleGrids(media::PixelFormat format, int width, int height) {
    const media::PixelFormatDesc& d = media::describe(format);
    SampleGrids g;
    g.elementBytes = d.componentBytes;
    g.shift = d.valueShift;
    g.chromaWidth = width;
    g.chromaHeight = height;
    switch (d.family) {
    case media::FormatFamily::Yuv:
        g.chromaWidth = media::planeWidth(format, 1, width);
        g.chromaHeight = media::planeHeight(format, 1, height);
        g.chromaScaleX = 1.0f / float(1 << d.chromaShiftX);
        g.chromaScaleY = 1.0f / float(1 << d.chromaShiftY);
        if (d.semiPlanar) {
            g.plane = {0, 1, 1};
            g.first = {0, 0, 1};
            g.step = {1, 2, 2};
        }
        break;
    case media::FormatFamily::Gray:
        // U and V read Y again (in bounds, and multiplied by 0): one code path, no branch.
        g.plane = {0, 0, 0};
        break;
    case media::FormatFamily::Rgb:
        g.plane = {0, 0, 0};
        g.first = d.rgbAt;
        g.step = {d.pixelBytes, d.pixelBytes, d.pixelBytes};
        break;
    }
    return g;
}

PreprocessConstants preprocessConstants(int srcWidth, int srcHeight, media::PixelFormat format,
                                        media::ColorMatrix matrix, media::ColorRange range,
                                        media::ChromaLocation chroma,
                                        const PreprocessParams& p) {
    PreprocessConstants c;
    c.box = computeLetterbox(srcWidth, srcHeight, p);
    c.invScaleX = float(srcWidth) / float(c.box.width);
    c.invScaleY = float(srcHeight) / float(c.box.height);

    const media::PixelFormatDesc& d = media::describe(format);
    // Siting only where the format subsamples: a full-resolution axis has chroma at luma.
    const std::array<float, 2> site = media::chromaSiteOffset(chroma);
    const bool yuv = d.family == media::FormatFamily::Yuv;
    c.chromaPosX = yuv && d.chromaShiftX ? site[0] / float(1 << d.chromaShiftX) : 0.0f;
    c.chromaPosY = yuv && d.chromaShiftY ? site[1] / float(1 << d.chromaShiftY) : 0.0f;
    std::array<std::array<float, 4>, 3> rgb{};
    if (d.family == media::FormatFamily::Rgb) {
        // Identity: 1 * (R - 0) + 0 * G + 0 * B is R exactly in float.
        rgb = {{{1.0f, 0.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 0.0f, 0.0f}, {0.0f, 0.0f, 1.0f, 0.0f}}};
        c.chromaOffset = 0.0f;
    } else {
        const media::YuvToRgb t = media::yuvToRgb(matrix, range, d.bitDepth);
        const bool gray = d.family == media::FormatFamily::Gray;
        for (int i = 0; i < 3; ++i)
            rgb[size_t(i)] = {float(t.m[size_t(i)][0]), gray ? 0.0f : float(t.m[size_t(i)][1]),
                              gray ? 0.0f : float(t.m[size_t(i)][2]), float(t.yOffset)};
        c.chromaOffset = float(t.cOffset);
    }
    const bool bgr = p.order == ChannelOrder::Bgr;
    c.rows = {bgr ? rgb[2] : rgb[0], rgb[1], bgr ? rgb[0] : rgb[2]};

    c.scale = p.scale;
    for (int i = 0; i < 3; ++i) {
        c.mean[i] = p.mean[i];
        c.invStd[i] = 1.0f / p.std[i];
        c.pad[i] = (p.padValue * c.scale - c.mean[i]) * c.invStd[i];
    }
    return c;
}

void preprocessReference(const HostYuvFrame& src, const PreprocessParams& p, float* out) {
    const PreprocessConstants c =
        preprocessConstants(src.width, src.height, src.format, src.matrix, src.range,
                            src.chroma, p);
    const SampleGrids g = sampleGrids(src.format, src.width, src.height);
    if (g.elementBytes == 2)
        preprocessGrids<uint16_t>(src, p, c, g, out);
    else
        preprocessGrids<uint8_t>(src, p, c, g, out);
}

uint16_t floatToHalf(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t absx = x & 0x7fffffffu;
    if (absx >= 0x7f800000u) return uint16_t(sign | (absx > 0x7f800000u ? 0x7e00u : 0x7c00u));
    if (absx >= 0x477ff000u) return uint16_t(sign | 0x7c00u);   // rounds to >= 65520: infinity
    if (absx < 0x38800000u) {
        // Subnormal half (or zero): value = m * 2^-24, round to nearest even.
        if (absx < 0x33000000u) return uint16_t(sign);   // below half of the smallest subnormal
        const uint32_t mant = (absx & 0x7fffffu) | 0x800000u;
        const int e = int(absx >> 23) - 127;   // -25 .. -15
        const int rshift = -e - 1;             // h = mant * 2^(e+1): bits to drop, 14..24
        uint32_t h = mant >> rshift;
        const uint32_t rem = mant & ((1u << rshift) - 1);
        const uint32_t halfway = 1u << (rshift - 1);
        if (rem > halfway || (rem == halfway && (h & 1u))) ++h;
        return uint16_t(sign | h);
    }
    // Normal: rebias exponent, round the 13 dropped bits to nearest even (carry may bump exponent).
    uint32_t h = ((absx >> 13) - ((127 - 15) << 10));
    const uint32_t rem = absx & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
    return uint16_t(sign | h);
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t mant = h & 0x3ffu;
    float f;
    if (exp == 0) {
        f = std::ldexp(float(mant), -24);
        uint32_t x;
        std::memcpy(&x, &f, 4);
        x |= sign;
        std::memcpy(&f, &x, 4);
        return f;
    }
    uint32_t x = exp == 31 ? (sign | 0x7f800000u | (mant << 13))
                           : (sign | ((exp + 127 - 15) << 23) | (mant << 13));
    std::memcpy(&f, &x, 4);
    return f;
}

}  // namespace sl::vision
