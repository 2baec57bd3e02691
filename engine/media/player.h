#pragma once
// Player: the threaded media engine behind the workstation's video view.
//
//   decode thread --bounded FrameQueue--> takeFrameForDisplay() (render thread) --> screen
//
// All control calls are thread-safe, non-blocking and coalesce (a burst of seeks from a scrubbed
// slider costs one exact seek: only the newest pending target is decoded). Events are delivered by
// the callbacks from the decode thread; the host must not block in them (the GUI turns them into
// queued Qt signals). Frames are handed to the display by takeFrameForDisplay(), which paces them
// against the playback clock and drops (and counts) frames the display was too late for, so
// nothing queues without bound.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "core/status.h"
#include "media/frame_allocator.h"
#include "media/frame_cache.h"
#include "media/media_info.h"
#include "media/open_options.h"
#include "media/video_frame.h"

namespace sl::media {

struct PlayerConfig {
    size_t queueCapacity = 8;                    // decoded frames waiting for the display
    // The decode-ahead is also bounded in time: at most this much playback (at the current speed,
    // at least 2 frames). Eight frames of a 10 fps file are 800 ms between decode and display -
    // latency the overlay inherits - while 1080p decode jitter needs a few frames at most.
    double queueSeconds = 0.25;
    size_t cacheBudgetBytes = 512u << 20;        // decoded-frame cache around the playhead
    // Slot-backed (zero-copy) frames enter the cache as heap copies (media/frame_cache.h).
    SlotFrames cacheSlotFrames = SlotFrames::CopyOut;
    // While paused on a seekable file, the frames after the shown one are decoded into the cache
    // in the background, up to this many: a reviewer mostly steps forward, and a 4K frame costs
    // ~30 ms to decode on two cores, so a step then costs only the paint. Only a decoder that
    // already stands at the next frame reads ahead (never a seek of its own), one frame at a
    // time, so a command waits at most one frame's decode. 0 turns it off.
    int pausedReadAhead = 2;
};

enum class PlaybackState { Closed, Opening, Paused, Playing, Ended, Failed };

struct PlayerStats {
    int64_t decodedFrames = 0;
    int64_t displayedFrames = 0;
    int64_t skippedFrames = 0;        // decoded but too late for the display (or dropped live)
    size_t queueDepth = 0;
    size_t cacheFrames = 0;
    size_t cacheBytes = 0;
    int64_t cacheHits = 0;
    int64_t cacheMisses = 0;
    int64_t slotFrames = 0;       // decoded straight into a FrameAllocator slot (zero-copy)
    int64_t copiedFrames = 0;     // decoded into FFmpeg's buffers (the consumer copies them)
    int64_t cacheCopiedOut = 0;   // slot-backed frames the cache keeps as heap copies
    int64_t readAheadFrames = 0;  // decoded while paused, ahead of the shown frame
};

struct PlayerCallbacks {
    std::function<void(const MediaInfo&)> opened;          // after open (and index) succeeded
    std::function<void(const Status&)> failed;             // open failed or decoding broke
    std::function<void()> frameReady;                      // a new frame waits for the display
    std::function<void()> endOfStream;                     // playback reached the last frame
};

class Player {
public:
    explicit Player(PlayerConfig config = {}, PlayerCallbacks callbacks = {});
    ~Player();                           // stops the decode thread; safe in any state
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    void open(const OpenOptions& options);    // asynchronous; closes the current source first
    void close();
    // Thread-safe: decoder buffers of this and every later source come from `allocator` (null:
    // FFmpeg's own). Swap it whenever the consumer's slots change (a new bridge on a format change):
    // the player shares ownership, so no decoder thread ever calls a destroyed allocator.
    void setFrameAllocator(std::shared_ptr<FrameAllocator> allocator);

    void play();
    void pause();
    void togglePause();
    void setSpeed(double speed);              // clamped to [1/8, 16]
    void setPausedReadAhead(int frames);      // PlayerConfig::pausedReadAhead, at run time
    void clearCache();                        // drops every decoded frame the cache holds
    double speed() const;

    void seekToIndex(int64_t frameIndex);     // exact; shows that frame (stays paused if paused)
    void seekToSeconds(double seconds);       // exact to the frame displayed at that time
    void seekRelativeSeconds(double delta);   // from the current frame
    void step(int frames);                    // +-N frames; pauses; backward served from cache

    // Render thread: the frame to show now, if it changed since the last call. Frames whose
    // display time passed while a later one is also due are dropped and counted as skipped.
    std::optional<VideoFrame> takeFrameForDisplay(
        std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

    PlaybackState state() const;
    std::optional<MediaInfo> info() const;    // set once opened
    int64_t currentIndex() const;             // index of the frame last handed to the display
    double currentSeconds() const;
    std::string decodeMode() const;           // e.g. "software (no VA-API device: ...)"
    PlayerStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sl::media
