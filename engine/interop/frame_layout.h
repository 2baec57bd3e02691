#pragma once
// FrameLayout: where the planes of one frame (any media::PixelFormat) lie inside a FrameBridge slot's single linear
// buffer. One layout serves GL (pixel-unpack offsets + GL_UNPACK_ROW_LENGTH), CL (PlaneView
// offsets, interop/plane_view.h) and the decoder (AVFrame data[]/linesize[] for a future get_buffer2 allocator), so all
// three agree on the bytes without any repacking.

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "media/video_frame.h"

namespace sl::interop {

struct PlaneLayout {
    size_t offset = 0;        // from the start of the slot buffer; kPlaneAlignment-aligned
    int stride = 0;           // bytes per row; kRowAlignment-aligned
    int width = 0;            // samples per row (semi-planar UV: pairs; packed RGB: pixels)
    int height = 0;           // rows
    int bytesPerSample = 1;   // media::planeSampleBytes: 1 (R8), 2 (RG8, R16), 3, 4 (RGB(A)8)
    int allocatedRows = 0;    // rows the slot has room for (>= height: a decoder's padding)
    int rowBytes() const { return width * bytesPerSample; }
};

struct FrameLayout {
    // Plane offsets are aligned for any device's CL_DEVICE_MEM_BASE_ADDR_ALIGN (NVIDIA: 4096 bits),
    // so a plane can become a clCreateSubBuffer if a kernel ever needs that; rows to 64 bytes, what
    // FFmpeg's decoders ask of get_buffer2 for SIMD.
    static constexpr size_t kPlaneAlignment = 4096;
    static constexpr int kRowAlignment = 64;
    static constexpr size_t kDecoderPadding = 64;   // AV_INPUT_BUFFER_PADDING_SIZE (FFmpeg 5/6)

    media::PixelFormat format = media::PixelFormat::Yuv420p;
    int width = 0;
    int height = 0;
    int planeCount = 0;
    PlaneLayout planes[3];
    size_t byteSize = 0;   // the whole slot buffer

    // Plane geometry per media/pixel_format.h (yuv420p: Y w x h, U and V ceil(w/2) x ceil(h/2);
    // nv12: Y, then UV ceil(w/2) pairs x ceil(h/2); rgb24: one plane of w x h pixels).
    // allocWidth/allocHeight (0: width/height) reserve room for a decoder writing its padded
    // picture in place (get_buffer2: avcodec_align_dimensions2 size); strides and plane spacing
    // follow them, plus AV_INPUT_BUFFER_PADDING_SIZE slack after each plane, while the visible
    // width/height (what GL and CL read) stay the frame's.
    static Expected<FrameLayout> make(media::PixelFormat format, int width, int height,
                                      int allocWidth = 0, int allocHeight = 0);

    bool operator==(const FrameLayout& o) const {
        return format == o.format && width == o.width && height == o.height;
    }
};

// Planes of one frame in host memory, laid out however their owner likes (an AVFrame, a test
// buffer). Geometry comes from the FrameLayout; only pointers and strides vary.
struct HostPlanes {
    const uint8_t* data[3] = {nullptr, nullptr, nullptr};
    int stride[3] = {0, 0, 0};
};

// Copies rows of `src` into the slot buffer `dst` (laid out per `layout`).
void copyPlanesIn(const FrameLayout& layout, const HostPlanes& src, uint8_t* dst);

}  // namespace sl::interop
