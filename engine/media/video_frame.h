#pragma once
// VideoFrame: one decoded picture, refcounted. Copies are cheap (they share the underlying AVFrame
// buffers, like mpv's mp_image); the pixels are immutable once a frame leaves the decoder.
// A frame is identified by its pts (stream time base) and its index in presentation order, never
// by time x fps.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "media/pixel_format.h"

extern "C" {
struct AVFrame;
}

namespace sl::media {

class VideoFrame {
public:
    VideoFrame() = default;
    // Takes one reference to `frame` (the caller keeps its own). Used by the decoder.
    VideoFrame(const AVFrame* frame, PixelFormat format, int64_t index, int timeBaseNum,
               int timeBaseDen, int64_t startPts);

    bool valid() const { return frame_ != nullptr; }
    int width() const;
    int height() const;
    PixelFormat format() const { return format_; }
    ColorMatrix colorMatrix() const;
    ColorRange colorRange() const;
    ChromaLocation chromaLocation() const;   // media::chromaLocation() of the frame's tag

    int planeCount() const { return describe(format_).planeCount; }
    const uint8_t* plane(int i) const;
    int stride(int i) const;          // bytes per row (may exceed the visible width)
    int planeWidth(int i) const;      // in samples of that plane (media/pixel_format.h)
    int planeHeight(int i) const;
    size_t byteSize() const;          // bytes held by the planes (for cache budgets)

    int64_t pts() const { return pts_; }            // stream time base
    int64_t index() const { return index_; }        // presentation order, from 0; -1 if unknown
    // A live supervisor numbers frames across reconnects (each session's decoder counts from 0).
    void setIndex(int64_t index) { index_ = index; }
    double seconds() const;                         // (pts - stream start) in seconds
    int timeBaseNum() const { return tbNum_; }
    int timeBaseDen() const { return tbDen_; }

    const AVFrame* avFrame() const { return frame_.get(); }

    // Sample (pixel) aspect ratio num:den as the stream or frame declares it; 1:1 when unknown.
    // Anamorphic video (SAR != 1) is shown at displayAspect() = width * sar / height.
    int sarNum() const;
    int sarDen() const;
    double displayAspect() const;

    // Steady-clock time the decoder thread finished this picture (the start of the
    // decode-to-display and decode-to-overlay latencies; a frame the Player serves from its
    // cache carries the time of that lookup); epoch when unknown.
    std::chrono::steady_clock::time_point decodedAt() const { return decodedAt_; }
    void setDecodedAt(std::chrono::steady_clock::time_point t) { decodedAt_ = t; }

    // The same picture in FFmpeg-allocated memory (bridgeSlot() -1), metadata kept. A cache
    // holds this instead of a slot-backed frame so it never pins the decoder's slot pool.
    // Invalid (and logged) when out of memory.
    VideoFrame heapCopy() const;

    // Where the decoder wrote the planes: slot `bridgeSlot()` of the FrameAllocator whose id() is
    // slotPool(), or -1 / 0 when FFmpeg's own buffers hold them (then a consumer copies).
    int bridgeSlot() const { return slot_; }
    uint64_t slotPool() const { return slotPool_; }
    void setBridgeSlot(uint64_t pool, int slot) {
        slotPool_ = pool;
        slot_ = slot;
    }

private:
    std::shared_ptr<AVFrame> frame_;
    PixelFormat format_ = PixelFormat::Yuv420p;
    int64_t pts_ = 0;
    int64_t index_ = -1;
    int64_t startPts_ = 0;
    int tbNum_ = 1;
    int tbDen_ = 1;
    uint64_t slotPool_ = 0;
    int slot_ = -1;
    std::chrono::steady_clock::time_point decodedAt_{};
};

}  // namespace sl::media
