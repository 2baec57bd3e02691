#pragma once
// FrameIndex: the exact frame list of a seekable video stream, from a demux-only scan of every
// packet (no decoding), like ffprobe -count_packets but keeping each packet's timestamps.
//
// Definition of a frame index: the stream's packets sorted by presentation timestamp (pts) are
// frames 0..N-1. Frames are always identified by pts (stream time base), never by time x fps, so
// variable frame rate and gaps cannot shift labels. Packets without a pts take their dts (the
// containers that omit pts, e.g. AVI, store streams without reordering, where dts == pts); a packet
// with neither continues from the previous one by its duration. The decoder labels its output
// the same way (best_effort_timestamp), so both sides agree. Packets the demuxer flags as
// "discard" (edit-list preroll) and packets flagged corrupt are not frames.

#include <atomic>
#include <cstdint>
#include <vector>

#include "core/status.h"

extern "C" {
struct AVFormatContext;
}

namespace sl::media {

struct FrameIndexEntry {
    int64_t pts = 0;             // stream time base
    int64_t dts = 0;             // stream time base; equals pts when the container has none
    int64_t decodeOrder = 0;     // position of the packet in demux (decode) order
    bool keyframe = false;
};

// One demuxed packet as the scan sees it (also lets tests build an index from synthetic data).
struct PacketRecord {
    int64_t pts = 0;             // AV_NOPTS_VALUE allowed
    int64_t dts = 0;             // AV_NOPTS_VALUE allowed
    int64_t duration = 0;
    bool keyframe = false;
};

class FrameIndex {
public:
    FrameIndex() = default;

    // Reads every packet of `streamIndex` from `fmt` (which must be freshly opened and seekable)
    // and rewinds it to the start afterwards. `cancel` aborts the scan (Status Cancelled).
    static Expected<FrameIndex> scan(AVFormatContext* fmt, int streamIndex,
                                     const std::atomic<bool>* cancel = nullptr);
    // Builds the index from packets in demux order.
    static FrameIndex fromPackets(const std::vector<PacketRecord>& packets, int timeBaseNum,
                                  int timeBaseDen);

    bool empty() const { return entries_.empty(); }
    int64_t frameCount() const { return int64_t(entries_.size()); }
    const FrameIndexEntry& entry(int64_t index) const { return entries_[size_t(index)]; }
    const std::vector<FrameIndexEntry>& entries() const { return entries_; }

    int64_t indexOfPts(int64_t pts) const;            // exact match; -1 if no frame has it
    int64_t indexAtOrBeforePts(int64_t pts) const;    // the frame shown at pts; 0 before the first
    int64_t firstPts() const { return entries_.empty() ? 0 : entries_.front().pts; }

    // The frame (presentation index) to start decoding from to reach `index`: the latest keyframe
    // that is decoded at or before the target and is not presented after it (so an open GOP's
    // leading pictures, which reference the previous GOP, start one keyframe earlier). `backoff`
    // steps that many keyframes further back, for when decoding from the first choice did not
    // produce the target (a demuxer whose seek lands late, an unflagged open GOP).
    int64_t seekKeyframeFor(int64_t index, int backoff = 0) const;

    bool variableFrameRate() const { return vfr_; }
    int64_t keyframeCount() const { return int64_t(keyframes_.size()); }
    double keyframeIntervalMean() const { return kfMean_; }     // frames per keyframe segment
    int64_t keyframeIntervalMax() const { return kfMax_; }
    double durationSeconds() const;   // last pts - first pts + one frame
    double averageFps() const;
    int timeBaseNum() const { return tbNum_; }
    int timeBaseDen() const { return tbDen_; }

private:
    void finish();

    std::vector<FrameIndexEntry> entries_;     // presentation order
    std::vector<int64_t> keyframes_;           // presentation indices of keyframes, decode order
    int64_t lastDuration_ = 0;
    int tbNum_ = 1;
    int tbDen_ = 1;
    bool vfr_ = false;
    double kfMean_ = 0;
    int64_t kfMax_ = 0;
};

}  // namespace sl::media
