#pragma once
// PacketRing: the last seconds of one live source's compressed video, as demuxed (the pre-event
// part of an event clip, pipeline/clip_recorder.h). Holds references to the demuxer's packets
// (av_packet_ref: no payload copy) of the current connection only.
//
// What it holds, after every push():
// - It starts at a keyframe (packets before a stream's first keyframe are never kept: nothing
//   decodes them), so any suffix from one of its keyframes remuxes into a playable clip.
// - It reaches at least keepSeconds back to a keyframe: a whole GOP is dropped from the front
//   only when the next keyframe is itself keepSeconds or more older than the newest packet. So it
//   covers [newest - keepSeconds - one GOP, newest], measured on pts.
// - It holds at most maxBytes (payload + kPacketOverhead per packet). When keepSeconds does not
//   fit, GOPs go from the front first (counted as trimmedGops); a single GOP larger than
//   maxBytes is dropped whole and the ring waits for the next keyframe (droppedGops). Memory per
//   source is therefore bounded by maxBytes whatever the bitrate or GOP length.
// - A packet from another connection (LivePacket::stream differs) clears it first: the codec
//   parameters may differ and the timestamps may start again.
//
// Packets are numbered (seq) 0, 1, 2 ... in arrival (decode) order across connections, never
// reused, so a reader can take "everything after the last one I took" and notice a gap.
// Not thread-safe: its owner locks.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "media/ffmpeg_ptr.h"
#include "media/live_source.h"

namespace sl::media {

struct RingPacket {
    AvPacketPtr packet;   // a reference to the demuxer's payload
    int64_t seq = 0;
    int64_t pts = 0;      // stream time base (made up from dts / the previous packet if missing)
    bool key = false;
};

struct PacketRingOptions {
    double keepSeconds = 5;
    size_t maxBytes = size_t(32) << 20;
};

class PacketRing {
public:
    static constexpr size_t kPacketOverhead = 256;   // AVPacket + buffer ref + deque slot

    explicit PacketRing(PacketRingOptions options = {});

    // Keeps a reference to `p`. Returns false only when FFmpeg could not reference it (out of
    // memory); the packet is then not kept.
    bool push(const LivePacket& p);
    void clear();

    const std::shared_ptr<const PacketStream>& stream() const { return stream_; }
    const std::deque<RingPacket>& packets() const { return packets_; }
    bool empty() const { return packets_.empty(); }
    size_t bytes() const { return bytes_; }
    int64_t frontSeq() const { return packets_.empty() ? nextSeq_ : packets_.front().seq; }
    int64_t nextSeq() const { return nextSeq_; }
    // The packet numbered seq, or null when it is no longer (or not yet) held.
    const RingPacket* find(int64_t seq) const;
    // seq of the latest keyframe with pts <= pts; the oldest keyframe when every one held is
    // later; -1 when the ring is empty.
    int64_t keyframeAtOrBefore(int64_t pts) const;

    int64_t trimmedGops() const { return trimmedGops_; }   // for maxBytes, keepSeconds unmet
    int64_t droppedGops() const { return droppedGops_; }   // a single GOP over maxBytes
    const PacketRingOptions& options() const { return options_; }

private:
    void popFrontGop();
    void trim();

    PacketRingOptions options_;
    std::shared_ptr<const PacketStream> stream_;
    std::deque<RingPacket> packets_;
    std::deque<int64_t> keySeqs_;   // seq of every keyframe held, oldest first
    size_t bytes_ = 0;
    int64_t nextSeq_ = 0;
    int64_t maxPts_ = 0;
    int64_t lastPts_ = 0;
    bool haveLast_ = false;
    bool waitKey_ = true;           // until this stream's next keyframe
    int64_t trimmedGops_ = 0, droppedGops_ = 0;
};

}  // namespace sl::media
