#pragma once
// SlotPool: a media::FrameAllocator over a FrameBridge's host-visible slot memory (the `mapped`
// strategy: persistent, coherent GL buffers that CL wraps with CL_MEM_USE_HOST_PTR). The decoder
// writes its planes straight into a slot; GL uploads the textures from that buffer (PBO) and CL
// reads the same bytes: no copy at all between decoder, display and inference.
//
//   auto pool = SlotPool::create(*bridge, 16);   // GL thread: takes 16 of the bridge's slots
//   source.setFrameAllocator(*pool);             // decoder threads draw from it
//   frame.bridgeSlot() == s, frame.slotPool() == pool->id()
//     bridge->commitHostWrite(s); bridge->mapGl(s) / mapCl(s)   // GL thread, no writeFrame
//   ... before dropping the last GL/CL user's reference: bridge->hostPointer(s) (waits for GL's
//   fence and CL's map-back), so the decoder never overwrites bytes GL or CL still reads.
//
// Threading: allocate() and the buffers' free callbacks run on any thread (decoder threads, the
// thread dropping the last frame reference) and only touch the pool's own state under its mutex;
// the bridge itself is called only by create(), on the GL thread.
//
// Lifetime: the slot memory belongs to the bridge. detach() (GL thread, before the bridge is
// destroyed) stops new allocations; the bridge may be destroyed once outstanding() is 0 (frames in
// caches and queues still point into it until then). The pool's state lives until its last buffer
// is freed, so the pool object and the decoder's shared_ptr may go away in any order.

#include <memory>

#include "core/status.h"
#include "interop/frame_bridge.h"
#include "media/frame_allocator.h"

namespace sl::interop {

class SlotPool final : public media::FrameAllocator {
public:
    // Takes `slots` free slots of `bridge` for the decoder (the rest stay for acquireSlot()). The
    // bridge must have host-visible slot memory (hostPointer(): `mapped`), else Unsupported.
    static Expected<std::shared_ptr<SlotPool>> create(FrameBridge& bridge, int slots);
    ~SlotPool() override;

    // The room a bridge's slots need so that a decoder of frames width x height can draw from
    // them: FrameBridgeConfig.allocWidth/allocHeight (generous: covers every codec's
    // avcodec_align_dimensions2 padding of that size).
    static void decoderPadding(int width, int height, int* allocWidth, int* allocHeight);

    AVBufferRef* allocate(const AVCodecContext& codec, const AVFrame& want, uint8_t* data[4],
                          int linesize[4]) override;
    int slotOf(const AVFrame& frame) const override;
    uint64_t id() const override;

    // Bridge slot indices this pool owns, and the slot memory's start (host pointer).
    const std::vector<int>& slots() const;
    const uint8_t* slotMemory(int bridgeSlot) const;
    const FrameLayout& layout() const;

    void detach();                 // no new allocations (the bridge is going away)
    int outstanding() const;       // buffers handed out and not yet freed
    int64_t served() const;        // allocate() calls that returned a slot
    int64_t refused() const;       // allocate() calls that fell back (exhausted or mismatch)

private:
    struct State;
    explicit SlotPool(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

}  // namespace sl::interop
