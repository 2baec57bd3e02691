#pragma once
// FrameCache: decoded frames around the playhead, keyed by frame index, within a byte budget.
// Eviction drops the frame farthest from the playhead first, so the frames a user is about to
// step to (on either side) are the last to go. Frames are refcounted, so a cached frame costs no
// copy - except a frame the decoder wrote into a FrameAllocator slot (zero-copy decode): with
// SlotFrames::CopyOut (the default) insert() keeps a heap copy of it instead, so the cache never
// pins the decoder's small slot pool (16 slots against ~800 cached frames: pinned, the pool ran
// dry after 16 frames and 98% of frames fell back to FFmpeg's buffers); the slot goes back to the
// pool as soon as display and inference drop it. The copy (one memcpy per frame, on the decode
// thread, outside the lock) is what a back-step then shows. SlotFrames::Pin keeps the reference
// (the old behaviour, for measurements). Thread-safe (the decode thread fills it, any thread may
// read the counters).

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "media/video_frame.h"

namespace sl::media {

enum class SlotFrames { CopyOut, Pin };

class FrameCache {
public:
    explicit FrameCache(size_t budgetBytes = 512u << 20,
                        SlotFrames slotFrames = SlotFrames::CopyOut)
        : budget_(budgetBytes), slotFrames_(slotFrames) {}

    // Inserts (or replaces) the frame at frame.index(); frames without an index are ignored.
    void insert(const VideoFrame& frame);
    // The cached frame at `index`, counting a hit or a miss.
    std::optional<VideoFrame> find(int64_t index);
    // Like find() but does not touch the counters.
    bool contains(int64_t index) const;

    void setPlayhead(int64_t index);          // evicts around the new position if over budget
    void setBudget(size_t bytes);
    void clear();

    size_t frames() const;
    size_t bytes() const;
    size_t budget() const;
    int64_t hits() const;
    int64_t misses() const;
    int64_t copiedOut() const;                 // slot-backed frames stored as heap copies

private:
    void evictLocked();

    mutable std::mutex mutex_;
    std::map<int64_t, VideoFrame> frames_;
    size_t budget_;
    SlotFrames slotFrames_;
    int64_t copiedOut_ = 0;
    size_t bytes_ = 0;
    int64_t playhead_ = 0;
    int64_t hits_ = 0;
    int64_t misses_ = 0;
};

}  // namespace sl::media
