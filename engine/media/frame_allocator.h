#pragma once
// FrameAllocator: where the decoder's picture buffers come from (AVCodecContext.get_buffer2).
// The default is FFmpeg's own pool; an allocator lets the decoder write its planes straight into
// memory someone else already shares (a `mapped` FrameBridge slot: GL, CL and the host see the
// same bytes), so the frame reaches the display and inference with zero copies.
//
// Plain C++ over FFmpeg types, no GL: the implementation over bridge slots is interop/slot_pool.h.
// MediaSource holds it by shared_ptr (set per source or swapped at any time), so a decoder thread
// never calls a destroyed allocator; buffers it handed out must stay valid until their AVBufferRef
// is freed, whatever happens to the allocator object.

#include <cstdint>

extern "C" {
struct AVBufferRef;
struct AVCodecContext;
struct AVFrame;
}

namespace sl::media {

class FrameAllocator {
public:
    virtual ~FrameAllocator() = default;

    // Called from the decoder's threads (frame threading: several at once): thread-safe.
    // `want` carries the format and the (coded) size FFmpeg asks for. Returns one buffer holding
    // every plane and fills data[]/linesize[] (FFmpeg's alignment rules met: avcodec_align_
    // dimensions2, row and plane alignment, AV_INPUT_BUFFER_PADDING_SIZE), or null when it cannot
    // serve this frame (format/size mismatch, no free memory): the decoder then falls back to
    // avcodec_default_get_buffer2 and the frame takes the copy path.
    virtual AVBufferRef* allocate(const AVCodecContext& codec, const AVFrame& want,
                                  uint8_t* data[4], int linesize[4]) = 0;

    // The slot a decoded (and cropped) frame lives in: its buf[0] came from allocate() and its
    // planes lie exactly where the slot layout puts them; else -1. Any thread.
    virtual int slotOf(const AVFrame& frame) const = 0;

    // Process-unique id, so a consumer can tell whether a frame's slot belongs to its own pool.
    virtual uint64_t id() const = 0;
};

}  // namespace sl::media
