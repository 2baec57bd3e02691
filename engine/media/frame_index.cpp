#include "media/frame_index.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "media/ffmpeg_ptr.h"

namespace sl::media {

Expected<FrameIndex> FrameIndex::scan(AVFormatContext* fmt, int streamIndex,
                                      const std::atomic<bool>* cancel) {
    if (!fmt || streamIndex < 0 || unsigned(streamIndex) >= fmt->nb_streams)
        return Status(StatusCode::InvalidArgument, "media: frame index: no such stream");
    // Only the video stream's packets are needed; the demuxer can skip the rest cheaply.
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
        if (int(i) != streamIndex) fmt->streams[i]->discard = AVDISCARD_ALL;

    AvPacketPtr pkt(av_packet_alloc());
    if (!pkt) return Status(StatusCode::Internal, "media: frame index: out of memory");
    std::vector<PacketRecord> packets;
    packets.reserve(4096);
    for (;;) {
        if (cancel && cancel->load())
            return Status(StatusCode::Cancelled, "media: index cancelled");
        const int err = av_read_frame(fmt, pkt.get());
        if (err == AVERROR_EOF) break;
        if (err == AVERROR_EXIT) return Status(StatusCode::Cancelled, "media: index cancelled");
        if (err < 0) {
            // A damaged tail is common (recordings cut off by a crash): index what was readable.
            if (fmt->pb && fmt->pb->eof_reached) break;
            if (!packets.empty()) break;
            return Status(StatusCode::InvalidData,
                          "media: frame index: read error: " + avErrorText(err));
        }
        if (pkt->stream_index == streamIndex &&
            !(pkt->flags & (AV_PKT_FLAG_DISCARD | AV_PKT_FLAG_CORRUPT))) {
            packets.push_back({pkt->pts, pkt->dts, pkt->duration,
                               (pkt->flags & AV_PKT_FLAG_KEY) != 0});
        }
        av_packet_unref(pkt.get());
    }
    const AVRational tb = fmt->streams[streamIndex]->time_base;
    return fromPackets(packets, tb.num, tb.den);
}

FrameIndex FrameIndex::fromPackets(const std::vector<PacketRecord>& packets, int timeBaseNum,
                                   int timeBaseDen) {
    FrameIndex idx;
    idx.tbNum_ = timeBaseNum;
    idx.tbDen_ = timeBaseDen;
    idx.entries_.reserve(packets.size());
    int64_t prev = AV_NOPTS_VALUE, prevDuration = 0;
    for (size_t i = 0; i < packets.size(); ++i) {
        const PacketRecord& p = packets[i];
        int64_t pts = p.pts != AV_NOPTS_VALUE ? p.pts : p.dts;
        if (pts == AV_NOPTS_VALUE)
            pts = prev == AV_NOPTS_VALUE ? 0 : prev + std::max<int64_t>(prevDuration, 1);
        const int64_t dts = p.dts != AV_NOPTS_VALUE ? p.dts : pts;
        idx.entries_.push_back({pts, dts, int64_t(i), p.keyframe});
        prev = pts;
        prevDuration = p.duration;
    }
    idx.lastDuration_ = prevDuration;
    idx.finish();
    return idx;
}

void FrameIndex::finish() {
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const FrameIndexEntry& a, const FrameIndexEntry& b) {
                         return a.pts < b.pts;
                     });

    // Keyframes in decode order (that is the order seeking walks them in).
    keyframes_.clear();
    for (size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].keyframe) keyframes_.push_back(int64_t(i));
    std::sort(keyframes_.begin(), keyframes_.end(), [this](int64_t a, int64_t b) {
        return entries_[size_t(a)].decodeOrder < entries_[size_t(b)].decodeOrder;
    });

    // Keyframe intervals: lengths of the segments each keyframe starts (presentation order).
    std::vector<int64_t> byPts = keyframes_;
    std::sort(byPts.begin(), byPts.end());
    kfMax_ = 0;
    kfMean_ = 0;
    if (!byPts.empty()) {
        for (size_t i = 0; i < byPts.size(); ++i) {
            const int64_t end = i + 1 < byPts.size() ? byPts[i + 1] : frameCount();
            kfMax_ = std::max(kfMax_, end - byPts[i]);
        }
        kfMean_ = double(frameCount() - byPts.front()) / double(byPts.size());
    }

    // Variable frame rate: the pts steps are not all the same. Containers with a millisecond time
    // base round 1/30 s to 33 or 34 ticks, so steps within 2 ticks or 2% of the median count as
    // equal; anything beyond is a real rate change.
    vfr_ = false;
    if (entries_.size() >= 3) {
        std::vector<int64_t> deltas;
        deltas.reserve(entries_.size() - 1);
        for (size_t i = 1; i < entries_.size(); ++i)
            deltas.push_back(entries_[i].pts - entries_[i - 1].pts);
        std::vector<int64_t> sorted = deltas;
        std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
        const int64_t median = sorted[sorted.size() / 2];
        const double tolerance = std::max(2.0, 0.02 * double(median));
        for (int64_t d : deltas)
            if (std::abs(double(d - median)) > tolerance) {
                vfr_ = true;
                break;
            }
    }
}

int64_t FrameIndex::indexOfPts(int64_t pts) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), pts,
                               [](const FrameIndexEntry& e, int64_t v) { return e.pts < v; });
    if (it == entries_.end() || it->pts != pts) return -1;
    return int64_t(it - entries_.begin());
}

int64_t FrameIndex::indexAtOrBeforePts(int64_t pts) const {
    auto it = std::upper_bound(entries_.begin(), entries_.end(), pts,
                               [](int64_t v, const FrameIndexEntry& e) { return v < e.pts; });
    if (it == entries_.begin()) return 0;
    return int64_t(it - entries_.begin()) - 1;
}

int64_t FrameIndex::seekKeyframeFor(int64_t index, int backoff) const {
    if (index < 0 || index >= frameCount() || keyframes_.empty()) return -1;
    const FrameIndexEntry& target = entries_[size_t(index)];
    // keyframes_ is sorted by decode order: find the last one decoded at or before the target
    // whose picture is not presented after it.
    int64_t chosen = -1;
    for (size_t i = 0; i < keyframes_.size(); ++i) {
        const FrameIndexEntry& k = entries_[size_t(keyframes_[i])];
        if (k.decodeOrder > target.decodeOrder) break;
        if (k.pts <= target.pts) chosen = int64_t(i);
    }
    if (chosen < 0) return -1;
    chosen = std::max<int64_t>(0, chosen - backoff);
    return keyframes_[size_t(chosen)];
}

double FrameIndex::durationSeconds() const {
    if (entries_.empty() || tbDen_ == 0) return 0;
    int64_t step = lastDuration_;
    if (step <= 0 && entries_.size() >= 2)
        step = (entries_.back().pts - entries_.front().pts) / int64_t(entries_.size() - 1);
    const int64_t span = entries_.back().pts - entries_.front().pts + step;
    return double(span) * tbNum_ / tbDen_;
}

double FrameIndex::averageFps() const {
    const double d = durationSeconds();
    return d > 0 ? double(frameCount()) / d : 0;
}

}  // namespace sl::media
