#include "media/frame_cache.h"

#include <cstdlib>

namespace sl::media {

void FrameCache::insert(const VideoFrame& original) {
    if (!original.valid() || original.index() < 0) return;
    const bool copyOut = slotFrames_ == SlotFrames::CopyOut && original.bridgeSlot() >= 0;
    const VideoFrame frame = copyOut ? original.heapCopy() : original;
    if (!frame.valid()) return;   // out of memory (logged): the frame is just not cached
    std::lock_guard lock(mutex_);
    if (copyOut) ++copiedOut_;
    auto [it, inserted] = frames_.try_emplace(frame.index(), frame);
    if (!inserted) {
        bytes_ -= it->second.byteSize();
        it->second = frame;
    }
    bytes_ += frame.byteSize();
    evictLocked();
}

std::optional<VideoFrame> FrameCache::find(int64_t index) {
    std::lock_guard lock(mutex_);
    auto it = frames_.find(index);
    if (it == frames_.end()) {
        ++misses_;
        return std::nullopt;
    }
    ++hits_;
    return it->second;
}

bool FrameCache::contains(int64_t index) const {
    std::lock_guard lock(mutex_);
    return frames_.count(index) != 0;
}

void FrameCache::setPlayhead(int64_t index) {
    std::lock_guard lock(mutex_);
    playhead_ = index;
    evictLocked();
}

void FrameCache::setBudget(size_t bytes) {
    std::lock_guard lock(mutex_);
    budget_ = bytes;
    evictLocked();
}

void FrameCache::clear() {
    std::lock_guard lock(mutex_);
    frames_.clear();
    bytes_ = 0;
}

void FrameCache::evictLocked() {
    // The map is ordered, so the farthest frame is at one of the two ends.
    while (bytes_ > budget_ && !frames_.empty()) {
        auto first = frames_.begin();
        auto last = std::prev(frames_.end());
        const int64_t dFirst = std::llabs(first->first - playhead_);
        const int64_t dLast = std::llabs(last->first - playhead_);
        auto victim = dFirst > dLast ? first : last;
        bytes_ -= victim->second.byteSize();
        frames_.erase(victim);
    }
}

size_t FrameCache::frames() const {
    std::lock_guard lock(mutex_);
    return frames_.size();
}
size_t FrameCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}
size_t FrameCache::budget() const {
    std::lock_guard lock(mutex_);
    return budget_;
}
int64_t FrameCache::hits() const {
    std::lock_guard lock(mutex_);
    return hits_;
}
int64_t FrameCache::misses() const {
    std::lock_guard lock(mutex_);
    return misses_;
}
int64_t FrameCache::copiedOut() const {
    std::lock_guard lock(mutex_);
    return copiedOut_;
}

}  // namespace sl::media
