#pragma once
// MediaSource: one opened input (file, network URL or V4L2 camera) with its video decoder.
// Demuxes the best video stream, decodes it (VA-API through FFmpeg hwaccel when available, else
// software with frame + slice threads) and hands out VideoFrames in presentation order, each
// labelled with its FrameIndex index (live input: a running counter). Seeks are exact.
//
// Not thread-safe: one thread (the player's decode thread, a CLI verb, a benchmark) drives it.
// The one exception is interrupt(), which any thread may call to abort blocking I/O (open, read,
// index scan) so that closing never waits on a dead server.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "media/frame_allocator.h"
#include "media/frame_index.h"
#include "media/media_info.h"
#include "media/open_options.h"
#include "media/video_frame.h"

struct AVPacket;
struct AVStream;

namespace sl::media {

class MediaSource {
public:
    enum class Mode { Decode, ProbeOnly };   // ProbeOnly: no decoder (probing, `sightline info`)

    MediaSource();
    ~MediaSource();
    MediaSource(const MediaSource&) = delete;
    MediaSource& operator=(const MediaSource&) = delete;

    // Opens the input, picks the video stream, builds the FrameIndex (seekable input with
    // options.buildIndex) and, in Decode mode, opens the decoder. Errors name the input.
    Status open(const OpenOptions& options, Mode mode = Mode::Decode);

    // Thread-safe: makes any blocking or future I/O of this source fail with Cancelled.
    void interrupt();

    const MediaInfo& info() const { return info_; }
    const FrameIndex* index() const { return index_ ? &*index_ : nullptr; }
    bool seekable() const { return info_.seekable && index_.has_value(); }
    bool live() const { return info_.live; }
    std::string decodeMode() const { return decodeMode_; }
    int64_t decodedFrames() const { return decoded_.load(); }   // any thread

    // The next frame in presentation order. EndOfStream status after the last one.
    Expected<VideoFrame> readFrame();

    // Exactly frame `index` (needs the index). `onTheWay`, if set, receives every frame decoded
    // from the keyframe up to and including the target (the backward-step cache fill). After it,
    // readFrame() continues with index + 1.
    using FrameSink = std::function<void(const VideoFrame&)>;
    Expected<VideoFrame> seekToIndex(int64_t index, const FrameSink& onTheWay = {});

    // (optional) Called with every packet of the video stream as it is demuxed, before the
    // decoder gets it, on the thread reading (readFrame, seekToIndex). The packet is lent for the
    // call (av_packet_ref keeps it, zero-copy). LiveSource's packet tap.
    using PacketTap = std::function<void(const AVPacket& packet, const AVStream& stream)>;
    void setPacketTap(PacketTap tap);

    // Index of the frame readFrame() would return next (-1 when unknown).
    int64_t nextIndex() const { return nextIndex_; }

    // Thread-safe: decoder buffers come from `allocator` (null: FFmpeg's own) from the next
    // picture on; frames already decoded keep their buffers. Replaces OpenOptions::frameAllocator.
    // Codecs without AV_CODEC_CAP_DR1 (and hardware frames) always use FFmpeg's allocator.
    void setFrameAllocator(std::shared_ptr<FrameAllocator> allocator);
    // Frames returned so far whose planes live in an allocator slot (zero-copy) vs elsewhere
    // (FFmpeg's buffers: the pool was exhausted, the format/size did not fit, or no allocator).
    struct AllocationStats {
        int64_t slotFrames = 0;
        int64_t copiedFrames = 0;
    };
    AllocationStats allocationStats() const;   // any thread

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    MediaInfo info_;
    std::optional<FrameIndex> index_;
    std::string decodeMode_ = "none";
    std::atomic<int64_t> decoded_{0};
    int64_t nextIndex_ = 0;
};

// Opens `options.url` without a decoder and describes it (index-based fields when
// options.buildIndex and the input is seekable).
Expected<MediaInfo> probeMedia(const OpenOptions& options);

}  // namespace sl::media
