#include "interop/slot_pool.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/buffer.h>
}

namespace sl::interop {

namespace {

std::atomic<uint64_t> gNextPoolId{1};

int alignUp(int v, int a) {
    return (v + a - 1) / a * a;
}

// Every native format may be decoded into a slot: the layout follows media/pixel_format.h, as
// FFmpeg's own planes do (yuvj* share their yuv twin's layout).
bool layoutFormatMatches(media::PixelFormat f, int avFormat) {
    media::PixelFormat native;
    return media::nativePixelFormat(avFormat, &native) && native == f;
}

}  // namespace

struct SlotPool::State {
    struct Entry {
        State* owner = nullptr;
        int bridgeSlot = -1;
        uint8_t* ptr = nullptr;
        // Set while the buffer is out: the state outlives the pool object and the bridge owner's
        // bookkeeping until the last AVBufferRef is freed (on whatever thread that happens).
        std::shared_ptr<State> hold;
    };

    uint64_t id = 0;
    FrameLayout layout;
    std::vector<int> bridgeSlots;
    std::unique_ptr<Entry[]> entries;   // fixed addresses: the AVBuffer opaque points at one
    size_t count = 0;

    mutable std::mutex mutex;
    std::vector<size_t> freeList;
    bool detached = false;
    int outstanding = 0;
    std::atomic<int64_t> served{0};
    std::atomic<int64_t> refused{0};

    static void freeBuffer(void* opaque, uint8_t* /*data*/) {
        auto* e = static_cast<Entry*>(opaque);
        std::shared_ptr<State> keep;   // destroyed after the lock below is released
        {
            State& st = *e->owner;
            std::lock_guard<std::mutex> lk(st.mutex);
            keep = std::move(e->hold);
            st.freeList.push_back(size_t(e - st.entries.get()));
            --st.outstanding;
        }
    }
};

SlotPool::SlotPool(std::shared_ptr<State> state) : state_(std::move(state)) {}
SlotPool::~SlotPool() = default;

Expected<std::shared_ptr<SlotPool>> SlotPool::create(FrameBridge& bridge, int slots) {
    if (slots < 1)
        return Status(StatusCode::InvalidArgument, "interop/slot-pool: needs at least one slot");
    auto st = std::make_shared<State>();
    st->id = gNextPoolId.fetch_add(1);
    st->layout = bridge.layout();
    st->entries = std::make_unique<State::Entry[]>(size_t(slots));
    std::vector<int> taken;
    auto giveBack = [&] {
        for (int s : taken) (void)bridge.releaseSlot(s);
    };
    for (int i = 0; i < slots; ++i) {
        auto slot = bridge.acquireSlot();
        if (!slot) {
            giveBack();
            return slot.status().withContext("interop/slot-pool");
        }
        taken.push_back(*slot);
        // Waits for GL and CL to be done with the slot: from here on the decoder may write it.
        auto ptr = bridge.hostPointer(*slot);
        if (!ptr) {
            giveBack();
            return ptr.status().withContext("interop/slot-pool");
        }
        State::Entry& e = st->entries[size_t(i)];
        e.owner = st.get();
        e.bridgeSlot = *slot;
        e.ptr = *ptr;
    }
    st->count = size_t(slots);
    st->bridgeSlots = taken;
    // Popped from the back: slot order 0, 1, 2 ... for the first frames (readable logs).
    for (size_t i = st->count; i-- > 0;) st->freeList.push_back(i);
    return std::shared_ptr<SlotPool>(new SlotPool(std::move(st)));
}

void SlotPool::decoderPadding(int width, int height, int* allocWidth, int* allocHeight) {
    // avcodec_align_dimensions2 pads 4:2:0 to at most 64 x 64 (H.264/lowres add 2 rows), and the
    // coded size is at most one macroblock/CTB row more than the visible one: 64 + 8 rows. The
    // width stays what FFmpeg's own pool would choose (64-aligned rows): then a stream that began
    // in FFmpeg's buffers can move into slots without a stride change (mpegvideo refuses one).
    *allocWidth = alignUp(width, 64);
    *allocHeight = alignUp(height, 64) + 8;
}
AVBufferRef* SlotPool::allocate(const AVCodecContext& codec, const AVFrame& want,
                                uint8_t* data[4], int linesize[4]) {
    State& st = *state_;
    const FrameLayout& l = st.layout;
    // The size FFmpeg will write, exactly as avcodec_default_get_buffer2 computes it.
    int w = want.width;
    int h = want.height;
    int strideAlign[AV_NUM_DATA_POINTERS] = {};
    avcodec_align_dimensions2(const_cast<AVCodecContext*>(&codec), &w, &h, strideAlign);
    bool fits = layoutFormatMatches(l.format, want.format) && want.width >= l.width &&
                want.height >= l.height;
    for (int i = 0; fits && i < l.planeCount; ++i) {
        const PlaneLayout& p = l.planes[i];
        const int samples = media::planeWidth(l.format, i, w);
        const int rows = media::planeHeight(l.format, i, h);
        fits = p.stride >= samples * p.bytesPerSample && p.allocatedRows >= rows &&
               (strideAlign[i] <= 0 || p.stride % strideAlign[i] == 0);
    }
    // A frame bigger than the visible size is fine (coded size, cropped later); one whose
    // cropped size differs from the layout's is caught by slotOf() and copied.
    if (!fits) {
        ++st.refused;
        return nullptr;
    }
    State::Entry* e = nullptr;
    {
        std::lock_guard<std::mutex> lk(st.mutex);
        if (st.detached || st.freeList.empty()) {
            ++st.refused;
            return nullptr;
        }
        e = &st.entries[st.freeList.back()];
        st.freeList.pop_back();
        ++st.outstanding;
        e->hold = state_;
    }
    AVBufferRef* buf = av_buffer_create(e->ptr, l.byteSize, &State::freeBuffer, e, 0);
    if (!buf) {
        State::freeBuffer(e, nullptr);
        ++st.refused;
        return nullptr;
    }
    for (int i = 0; i < 4; ++i) {
        data[i] = i < l.planeCount ? e->ptr + l.planes[i].offset : nullptr;
        linesize[i] = i < l.planeCount ? l.planes[i].stride : 0;
    }
    ++st.served;
    return buf;
}

int SlotPool::slotOf(const AVFrame& frame) const {
    const State& st = *state_;
    if (!frame.buf[0] || frame.buf[1]) return -1;
    const void* opaque = av_buffer_get_opaque(frame.buf[0]);
    for (size_t i = 0; i < st.count; ++i) {
        const State::Entry& e = st.entries[i];
        if (opaque != &e) continue;
        const FrameLayout& l = st.layout;
        // Cropping with a left/top offset moves the plane pointers: then GL and CL, which read
        // the slot per layout, would see the wrong pixels. Such a frame is copied instead.
        if (frame.width != l.width || frame.height != l.height ||
            !layoutFormatMatches(l.format, frame.format))
            return -1;
        for (int p = 0; p < l.planeCount; ++p) {
            if (frame.data[p] != e.ptr + l.planes[p].offset ||
                frame.linesize[p] != l.planes[p].stride)
                return -1;
        }
        return e.bridgeSlot;
    }
    return -1;
}

uint64_t SlotPool::id() const { return state_->id; }
const std::vector<int>& SlotPool::slots() const { return state_->bridgeSlots; }
const FrameLayout& SlotPool::layout() const { return state_->layout; }

const uint8_t* SlotPool::slotMemory(int bridgeSlot) const {
    for (size_t i = 0; i < state_->count; ++i)
        if (state_->entries[i].bridgeSlot == bridgeSlot) return state_->entries[i].ptr;
    return nullptr;
}

void SlotPool::detach() {
    std::lock_guard<std::mutex> lk(state_->mutex);
    state_->detached = true;
}

int SlotPool::outstanding() const {
    std::lock_guard<std::mutex> lk(state_->mutex);
    return state_->outstanding;
}

int64_t SlotPool::served() const { return state_->served.load(); }
int64_t SlotPool::refused() const { return state_->refused.load(); }

}  // namespace sl::interop
