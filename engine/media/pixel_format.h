#pragma once
// The pixel formats the display, the FrameBridge and the preprocess kernel take natively, and one
// table that describes each (planes, chroma subsampling, sample size, bit depth, packed channel
// order). Every consumer (FrameLayout, VideoFrame, the kernel's arguments, the display shader's
// uniforms) derives its geometry from this table, so a format is added in one place.
//
// Formats outside the list are converted by the decoder (media_source.cpp) to the native format
// that loses nothing: other YUV subsamplings to 4:4:4 (8 or 10 bit), planar RGB to packed.

#include <array>
#include <cstdint>

namespace sl::media {

enum class PixelFormat {
    Yuv420p,     // the first two are the formats of the zero-copy decode path
    Nv12,
    Yuv422p,
    Yuv440p,
    Yuv444p,
    Yuv420p10,   // 10-bit formats: little-endian 16-bit words, value in the low bits
    Yuv422p10,
    Yuv440p10,
    Yuv444p10,
    P010,        // NV12 layout in 16-bit words, value in the HIGH 10 bits
    Gray,
    Gray10,
    Rgb24,       // packed, bytes in the order of the name
    Bgr24,
    Rgba,
    Bgra,
    Rgb0,        // 4 bytes per pixel, the 4th unused
    Bgr0,
};

inline constexpr PixelFormat kPixelFormats[] = {
    PixelFormat::Yuv420p,   PixelFormat::Nv12,      PixelFormat::Yuv422p,
    PixelFormat::Yuv440p,   PixelFormat::Yuv444p,   PixelFormat::Yuv420p10,
    PixelFormat::Yuv422p10, PixelFormat::Yuv440p10, PixelFormat::Yuv444p10,
    PixelFormat::P010,      PixelFormat::Gray,      PixelFormat::Gray10,
    PixelFormat::Rgb24,     PixelFormat::Bgr24,     PixelFormat::Rgba,
    PixelFormat::Bgra,      PixelFormat::Rgb0,      PixelFormat::Bgr0,
};

enum class ColorMatrix { Bt601, Bt709 };
enum class ColorRange { Limited, Full };

// Where chroma sample (0, 0) lies against luma sample (0, 0) on the axes a format subsamples, as
// FFmpeg's AVChromaLocation names it: Left is MPEG-2 / H.264 / HEVC 4:2:0 (co-sited
// horizontally, between two lines vertically), Centre is JPEG / MPEG-1, TopLeft co-sites both
// axes (MPEG-2 4:2:2, BT.2100 HDR 4:2:0).
enum class ChromaLocation { Left, Centre, TopLeft, Top, BottomLeft, Bottom };

enum class FormatFamily { Yuv, Gray, Rgb };

struct PixelFormatDesc {
    const char* name;            // FFmpeg's name, little-endian variants ("yuv444p10le")
    FormatFamily family;
    int planeCount;              // 1..3
    int chromaShiftX;            // log2 of the chroma subsampling (Yuv only; 0 elsewhere)
    int chromaShiftY;
    bool semiPlanar;             // plane 1 holds interleaved U,V pairs (NV12, P010)
    int componentBytes;          // 1 or 2 (16-bit little-endian words)
    int bitDepth;                // 8 or 10
    int valueShift;              // right shift from a 16-bit word to the value (P010: 6)
    int pixelBytes;              // Rgb: bytes per pixel (3 or 4); else componentBytes
    std::array<int, 3> rgbAt;    // Rgb: byte offsets of R, G, B within a pixel
    int avFormat;                // the AVPixelFormat (an int here, to keep FFmpeg out)
};

const PixelFormatDesc& describe(PixelFormat f);
const char* pixelFormatName(PixelFormat f);

// The native format an AVPixelFormat is delivered in as is (yuvj* included: they differ only in
// range, which VideoFrame::colorRange() reads), or false.
bool nativePixelFormat(int avFormat, PixelFormat* out);

// The location an AVChromaLocation (an int here) names. Unspecified is Left: the default of
// MPEG-2, H.264 and HEVC for 4:2:0 and BT.601's co-siting for 4:2:2, so what untagged video
// most likely is (mpv assumes the same); JPEG decoders tag their centre siting explicitly.
ChromaLocation chromaLocation(int avChromaLocation);
int avChromaLocation(ChromaLocation location);
// Chroma sample (0, 0)'s position in luma pixels from luma sample (0, 0) on a subsampled axis
// (x: 0 or 0.5; y: 0, 0.5 or 1). A consumer maps luma position p to chroma position
// (p - offset) / subsampling there, and uses offset 0 on an axis that is not subsampled.
std::array<float, 2> chromaSiteOffset(ChromaLocation location);

// Geometry of plane `plane` of a width x height frame of format f, in samples of that plane
// (a semi-planar UV plane counts pairs, a packed RGB plane pixels); 0 for planes f lacks.
int planeWidth(PixelFormat f, int plane, int width);
int planeHeight(PixelFormat f, int plane, int height);
// Components per sample of a plane (1; 2 for semi-planar UV; 3 or 4 for packed RGB) and bytes
// per sample (components * componentBytes).
int planeComponents(PixelFormat f, int plane);
int planeSampleBytes(PixelFormat f, int plane);

// Y'CbCr -> R'G'B' (0..255 units) for a frame's matrix, range and bit depth, shared by the
// preprocess kernel's constants and the display shader's uniforms so both agree:
//   rgb[c] = m[c][0] * (Y - yOffset) + m[c][1] * (Cb - cOffset) + m[c][2] * (Cr - cOffset)
// with Y, Cb, Cr the integer sample values. Limited range is defined in multiples of
// 2^(bitDepth-8) (BT.2100: Y 64..940 at 10 bits), full range over 0..2^bitDepth-1, chroma
// centred at 2^(bitDepth-1).
struct YuvToRgb {
    std::array<std::array<double, 3>, 3> m{};   // rows R, G, B
    double yOffset = 0;
    double cOffset = 0;
};
YuvToRgb yuvToRgb(ColorMatrix matrix, ColorRange range, int bitDepth);

}  // namespace sl::media
