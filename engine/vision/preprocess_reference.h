#pragma once
// CPU reference of the Preprocessor (preprocess.h documents the conventions): the same float
// operations in the same order as vision/kernels/preprocess.cl (no contraction, no reassociation,
// the same clamps), so the device result equals it bit for bit on a conforming device. It is the
// test oracle, and a slow fallback for tools.

#include "media/video_frame.h"
#include "vision/preprocess.h"

#include <array>
#include <cstdint>

namespace sl::vision {

struct HostPlane {
    const uint8_t* data = nullptr;
    int stride = 0;   // bytes
    int width = 0;    // samples (semi-planar UV: pairs; packed RGB: pixels)
    int height = 0;
};

// A frame of any native format in host memory (the name is historical: gray and RGB too).
struct HostYuvFrame {
    media::PixelFormat format = media::PixelFormat::Yuv420p;
    int width = 0;
    int height = 0;
    std::array<HostPlane, 3> planes{};
    media::ColorMatrix matrix = media::ColorMatrix::Bt601;
    media::ColorRange range = media::ColorRange::Limited;
    media::ChromaLocation chroma = media::ChromaLocation::Left;   // VideoFrame::chromaLocation()
};

// How the kernel reads a format: three sample grids ("Y", "U", "V"; for RGB: R, G, B) as
// (plane, first element, step in elements), the chroma grid size and scale, the sample type.
struct SampleGrids {
    std::array<int, 3> plane{0, 1, 2};
    std::array<int, 3> first{0, 0, 0};   // elements from the start of the plane to sample 0
    std::array<int, 3> step{1, 1, 1};    // elements between horizontal neighbours
    int chromaWidth = 0, chromaHeight = 0;
    float chromaScaleX = 1.0f, chromaScaleY = 1.0f;   // 2^-chromaShift
    int elementBytes = 1;                             // 1 (uchar) or 2 (ushort words)
    int shift = 0;                                    // P010: 6
};
SampleGrids sampleGrids(media::PixelFormat format, int width, int height);

// Constants both implementations derive from the parameters (computed once, on the host).
struct PreprocessConstants {
    Letterbox box;
    float invScaleX = 1.0f, invScaleY = 1.0f;       // srcW / rw, srcH / rh
    // Chroma position of luma sample x: x * chromaScaleX - chromaPosX (likewise y).
    float chromaPosX = 0.0f, chromaPosY = 0.0f;
    std::array<std::array<float, 4>, 3> rows{};     // per output channel: {cy, cu, cv, yOffset}
    float chromaOffset = 128.0f;                    // 2^(bitDepth-1); 0 for RGB
    float scale = 1.0f;
    std::array<float, 3> mean{}, invStd{}, pad{};   // pad already normalised
};
PreprocessConstants preprocessConstants(int srcWidth, int srcHeight, media::PixelFormat format,
                                        media::ColorMatrix matrix, media::ColorRange range,
                                        media::ChromaLocation chroma,
                                        const PreprocessParams& params);

// Writes 3 * dstH * dstW floats (NCHW). params.type is ignored.
void preprocessReference(const HostYuvFrame& src, const PreprocessParams& params, float* out);

// IEEE binary16 conversions; floatToHalf rounds to nearest even (as vstore_half_rte).
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);

}  // namespace sl::vision
