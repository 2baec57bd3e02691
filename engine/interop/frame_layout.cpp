#include "interop/frame_layout.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace sl::interop {

namespace {

constexpr size_t alignUp(size_t v, size_t a) {
    return (v + a - 1) / a * a;
}

}  // namespace

Expected<FrameLayout> FrameLayout::make(media::PixelFormat format, int width, int height,
                                        int allocWidth, int allocHeight) {
    // GL 4.x drivers offer at least 16384 texels per side in practice; refuse larger frames here
    // rather than fail inside the driver at the first upload.
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
        return Status(StatusCode::InvalidArgument,
                      "interop/layout: frame size " + std::to_string(width) + "x" +
                          std::to_string(height) + " out of range 1..16384");
    }
    FrameLayout l;
    l.format = format;
    l.width = width;
    l.height = height;
    l.planeCount = media::describe(format).planeCount;
    for (int i = 0; i < l.planeCount; ++i) {
        l.planes[i] = {0, 0, media::planeWidth(format, i, width),
                       media::planeHeight(format, i, height), media::planeSampleBytes(format, i)};
    }
    const int aw = std::max(width, allocWidth);
    const int ah = std::max(height, allocHeight);
    // FFmpeg's SIMD may read (never write) up to this many bytes past a plane's last row.
    const size_t slack = allocWidth > 0 || allocHeight > 0 ? kDecoderPadding : 0;
    size_t offset = 0;
    for (int i = 0; i < l.planeCount; ++i) {
        PlaneLayout& p = l.planes[i];
        const int allocSamples = media::planeWidth(format, i, aw);
        p.allocatedRows = media::planeHeight(format, i, ah);
        p.offset = offset;
        // GL_UNPACK_ROW_LENGTH counts samples, so a row must hold whole ones: 3-byte RGB rows
        // align to 192 bytes (still 64-aligned for FFmpeg's SIMD).
        const size_t rowAlign = p.bytesPerSample == 3 ? 3 * kRowAlignment : kRowAlignment;
        p.stride = int(alignUp(size_t(allocSamples * p.bytesPerSample), rowAlign));
        offset = alignUp(offset + size_t(p.stride) * size_t(p.allocatedRows) + slack,
                         kPlaneAlignment);
    }
    l.byteSize = offset;
    return l;
}

void copyPlanesIn(const FrameLayout& layout, const HostPlanes& src, uint8_t* dst) {
    for (int i = 0; i < layout.planeCount; ++i) {
        const PlaneLayout& p = layout.planes[i];
        uint8_t* d = dst + p.offset;
        const uint8_t* s = src.data[i];
        const size_t rowBytes = size_t(p.rowBytes());
        if (src.stride[i] == p.stride) {
            std::memcpy(d, s, size_t(p.stride) * size_t(p.height - 1) + rowBytes);
            continue;
        }
        for (int y = 0; y < p.height; ++y) {
            std::memcpy(d + size_t(y) * size_t(p.stride), s + size_t(y) * size_t(src.stride[i]),
                        rowBytes);
        }
    }
}

}  // namespace sl::interop
