#pragma once
// CPU reference of the Preprocessor (preprocess.h documents the conventions): the same float
// operations in the same order as vision/kernels/preprocess.cl, so the device result matches to
// within rounding. It is the test oracle, and a slow fallback for tools.

#include "media/video_frame.h"
#include "vision/preprocess.h"

#include <array>
#include <cstdint>

namespace sl::vision {

struct HostPlane {
    const uint8_t* data = nullptr;
    int stride = 0;   // bytes
    int width = 0;    // samples (NV12 UV: pairs)
    int height = 0;
};

struct HostYuvFrame {
    media::PixelFormat format = media::PixelFormat::Yuv420p;
    int width = 0;
    int height = 0;
    std::array<HostPlane, 3> planes{};
    media::ColorMatrix matrix = media::ColorMatrix::Bt601;
    media::ColorRange range = media::ColorRange::Limited;
};

// Constants both implementations derive from the parameters (computed once, on the host).
struct PreprocessConstants {
    Letterbox box;
    float invScaleX = 1.0f, invScaleY = 1.0f;       // srcW / rw, srcH / rh
    std::array<std::array<float, 4>, 3> rows{};     // per output channel: {cy, cu, cv, yOffset}
    float scale = 1.0f;
    std::array<float, 3> mean{}, invStd{}, pad{};   // pad already normalised
};
PreprocessConstants preprocessConstants(int srcWidth, int srcHeight, media::ColorMatrix matrix,
                                        media::ColorRange range, const PreprocessParams& params);

// Writes 3 * dstH * dstW floats (NCHW). params.type is ignored.
void preprocessReference(const HostYuvFrame& src, const PreprocessParams& params, float* out);

// IEEE binary16 conversions; floatToHalf rounds to nearest even (as vstore_half_rte).
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);

}  // namespace sl::vision
