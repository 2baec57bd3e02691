#include "media/pixel_format.h"

#include <cstddef>
#include <iterator>

extern "C" {
#include <libavutil/pixfmt.h>
}

namespace sl::media {
namespace {

using F = FormatFamily;
constexpr std::array<int, 3> kNoRgb{0, 0, 0};

// Indexed by PixelFormat; the order must follow the enum (checked in describe()).
// {name, family, planes, shiftX, shiftY, semiPlanar, componentBytes, bitDepth, valueShift,
//  pixelBytes, rgbAt, avFormat}
constexpr PixelFormatDesc kDescs[] = {
    {"yuv420p", F::Yuv, 3, 1, 1, false, 1, 8, 0, 1, kNoRgb, AV_PIX_FMT_YUV420P},
    {"nv12", F::Yuv, 2, 1, 1, true, 1, 8, 0, 1, kNoRgb, AV_PIX_FMT_NV12},
    {"yuv422p", F::Yuv, 3, 1, 0, false, 1, 8, 0, 1, kNoRgb, AV_PIX_FMT_YUV422P},
    {"yuv440p", F::Yuv, 3, 0, 1, false, 1, 8, 0, 1, kNoRgb, AV_PIX_FMT_YUV440P},
    {"yuv444p", F::Yuv, 3, 0, 0, false, 1, 8, 0, 1, kNoRgb, AV_PIX_FMT_YUV444P},
    {"yuv420p10le", F::Yuv, 3, 1, 1, false, 2, 10, 0, 2, kNoRgb, AV_PIX_FMT_YUV420P10LE},
    {"yuv422p10le", F::Yuv, 3, 1, 0, false, 2, 10, 0, 2, kNoRgb, AV_PIX_FMT_YUV422P10LE},
    {"yuv440p10le", F::Yuv, 3, 0, 1, false, 2, 10, 0, 2, kNoRgb, AV_PIX_FMT_YUV440P10LE},
    {"yuv444p10le", F::Yuv, 3, 0, 0, false, 2, 10, 0, 2, kNoRgb, AV_PIX_FMT_YUV444P10LE},
    {"p010le", F::Yuv, 2, 1, 1, true, 2, 10, 6, 2, kNoRgb, AV_PIX_FMT_P010LE},
    {"gray", F::Gray, 1, 0, 0, false, 1, 8, 0, 1, kNoRgb, AV_PIX_FMT_GRAY8},
    {"gray10le", F::Gray, 1, 0, 0, false, 2, 10, 0, 2, kNoRgb, AV_PIX_FMT_GRAY10LE},
    {"rgb24", F::Rgb, 1, 0, 0, false, 1, 8, 0, 3, {0, 1, 2}, AV_PIX_FMT_RGB24},
    {"bgr24", F::Rgb, 1, 0, 0, false, 1, 8, 0, 3, {2, 1, 0}, AV_PIX_FMT_BGR24},
    {"rgba", F::Rgb, 1, 0, 0, false, 1, 8, 0, 4, {0, 1, 2}, AV_PIX_FMT_RGBA},
    {"bgra", F::Rgb, 1, 0, 0, false, 1, 8, 0, 4, {2, 1, 0}, AV_PIX_FMT_BGRA},
    {"rgb0", F::Rgb, 1, 0, 0, false, 1, 8, 0, 4, {0, 1, 2}, AV_PIX_FMT_RGB0},
    {"bgr0", F::Rgb, 1, 0, 0, false, 1, 8, 0, 4, {2, 1, 0}, AV_PIX_FMT_BGR0},
};
static_assert(std::size(kDescs) == std::size(kPixelFormats));

}  // namespace

const PixelFormatDesc& describe(PixelFormat f) {
    const auto i = size_t(f);
    return kDescs[i < std::size(kDescs) ? i : 0];
}

const char* pixelFormatName(PixelFormat f) { return describe(f).name; }

bool nativePixelFormat(int avFormat, PixelFormat* out) {
    // The JPEG ("j") variants carry full range in the format itself; the layout is the same.
    switch (avFormat) {
    case AV_PIX_FMT_YUVJ420P: avFormat = AV_PIX_FMT_YUV420P; break;
    case AV_PIX_FMT_YUVJ422P: avFormat = AV_PIX_FMT_YUV422P; break;
    case AV_PIX_FMT_YUVJ440P: avFormat = AV_PIX_FMT_YUV440P; break;
    case AV_PIX_FMT_YUVJ444P: avFormat = AV_PIX_FMT_YUV444P; break;
    default: break;
    }
    for (PixelFormat f : kPixelFormats) {
        if (describe(f).avFormat == avFormat) {
            *out = f;
            return true;
        }
    }
    return false;
}

ChromaLocation chromaLocation(int avChromaLocation) {
    switch (avChromaLocation) {
    case AVCHROMA_LOC_CENTER: return ChromaLocation::Centre;
    case AVCHROMA_LOC_TOPLEFT: return ChromaLocation::TopLeft;
    case AVCHROMA_LOC_TOP: return ChromaLocation::Top;
    case AVCHROMA_LOC_BOTTOMLEFT: return ChromaLocation::BottomLeft;
    case AVCHROMA_LOC_BOTTOM: return ChromaLocation::Bottom;
    default: return ChromaLocation::Left;   // LEFT and UNSPECIFIED (see the header)
    }
}

int avChromaLocation(ChromaLocation location) {
    switch (location) {
    case ChromaLocation::Left: return AVCHROMA_LOC_LEFT;
    case ChromaLocation::Centre: return AVCHROMA_LOC_CENTER;
    case ChromaLocation::TopLeft: return AVCHROMA_LOC_TOPLEFT;
    case ChromaLocation::Top: return AVCHROMA_LOC_TOP;
    case ChromaLocation::BottomLeft: return AVCHROMA_LOC_BOTTOMLEFT;
    case ChromaLocation::Bottom: return AVCHROMA_LOC_BOTTOM;
    }
    return AVCHROMA_LOC_LEFT;
}

std::array<float, 2> chromaSiteOffset(ChromaLocation location) {
    // The same numbers as av_chroma_location_enum_to_pos (in 1/256 luma pixel: 0, 128, 256).
    switch (location) {
    case ChromaLocation::Left: return {0.0f, 0.5f};
    case ChromaLocation::Centre: return {0.5f, 0.5f};
    case ChromaLocation::TopLeft: return {0.0f, 0.0f};
    case ChromaLocation::Top: return {0.5f, 0.0f};
    case ChromaLocation::BottomLeft: return {0.0f, 1.0f};
    case ChromaLocation::Bottom: return {0.5f, 1.0f};
    }
    return {0.0f, 0.5f};
}

int planeWidth(PixelFormat f, int plane, int width) {
    const PixelFormatDesc& d = describe(f);
    if (plane < 0 || plane >= d.planeCount) return 0;
    if (plane == 0) return width;
    return (width + (1 << d.chromaShiftX) - 1) >> d.chromaShiftX;
}

int planeHeight(PixelFormat f, int plane, int height) {
    const PixelFormatDesc& d = describe(f);
    if (plane < 0 || plane >= d.planeCount) return 0;
    if (plane == 0) return height;
    return (height + (1 << d.chromaShiftY) - 1) >> d.chromaShiftY;
}

int planeComponents(PixelFormat f, int plane) {
    const PixelFormatDesc& d = describe(f);
    if (d.family == FormatFamily::Rgb) return d.pixelBytes;
    return d.semiPlanar && plane == 1 ? 2 : 1;
}

int planeSampleBytes(PixelFormat f, int plane) {
    return planeComponents(f, plane) * describe(f).componentBytes;
}

YuvToRgb yuvToRgb(ColorMatrix matrix, ColorRange range, int bitDepth) {
    // R = ys*(Y-yo) + cs*2(1-Kr)*Cr';  B = ys*(Y-yo) + cs*2(1-Kb)*Cb';
    // G = ys*(Y-yo) - cs*2Kb(1-Kb)/Kg*Cb' - cs*2Kr(1-Kr)/Kg*Cr'
    const double kr = matrix == ColorMatrix::Bt709 ? 0.2126 : 0.299;
    const double kb = matrix == ColorMatrix::Bt709 ? 0.0722 : 0.114;
    const double kg = 1.0 - kr - kb;
    const double unit = double(1 << (bitDepth - 8));   // one 8-bit code value
    const bool limited = range == ColorRange::Limited;
    const double ys = limited ? 255.0 / (219.0 * unit) : 255.0 / double((1 << bitDepth) - 1);
    const double cs = limited ? 255.0 / (224.0 * unit) : 255.0 / double((1 << bitDepth) - 1);
    YuvToRgb t;
    t.m[0] = {ys, 0.0, cs * 2 * (1 - kr)};
    t.m[1] = {ys, -cs * 2 * kb * (1 - kb) / kg, -cs * 2 * kr * (1 - kr) / kg};
    t.m[2] = {ys, cs * 2 * (1 - kb), 0.0};
    t.yOffset = limited ? 16.0 * unit : 0.0;
    t.cOffset = double(1 << (bitDepth - 1));
    return t;
}

}  // namespace sl::media
