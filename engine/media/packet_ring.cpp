#include "media/packet_ring.h"

#include <algorithm>
#include <cmath>

namespace sl::media {

PacketRing::PacketRing(PacketRingOptions options) : options_(options) {}

void PacketRing::clear() {
    packets_.clear();
    keySeqs_.clear();
    bytes_ = 0;
    haveLast_ = false;
    waitKey_ = true;
}

const RingPacket* PacketRing::find(int64_t seq) const {
    if (packets_.empty() || seq < packets_.front().seq || seq > packets_.back().seq)
        return nullptr;
    // seq is contiguous from the front: packets leave only from the front.
    return &packets_[size_t(seq - packets_.front().seq)];
}

int64_t PacketRing::keyframeAtOrBefore(int64_t pts) const {
    if (keySeqs_.empty()) return -1;
    int64_t best = keySeqs_.front();
    for (int64_t s : keySeqs_)
        if (find(s)->pts <= pts) best = s;
    return best;
}

void PacketRing::popFrontGop() {
    const int64_t next = keySeqs_.size() >= 2 ? keySeqs_[1] : nextSeq_;
    while (!packets_.empty() && packets_.front().seq < next) {
        bytes_ -= size_t(packets_.front().packet->size) + kPacketOverhead;
        packets_.pop_front();
    }
    keySeqs_.pop_front();
}

void PacketRing::trim() {
    const AVRational tb = stream_ ? stream_->timeBase : AVRational{1, 1};
    const double keepTicks = options_.keepSeconds * double(tb.den) / double(std::max(1, tb.num));
    // The front GOP goes when the next keyframe alone already reaches keepSeconds back.
    while (keySeqs_.size() >= 2 && double(maxPts_ - find(keySeqs_[1])->pts) >= keepTicks)
        popFrontGop();
    while (keySeqs_.size() >= 2 && bytes_ > options_.maxBytes) {
        popFrontGop();
        ++trimmedGops_;
    }
    if (bytes_ > options_.maxBytes) {
        // One GOP larger than the whole budget: none of it can be kept whole.
        packets_.clear();
        keySeqs_.clear();
        bytes_ = 0;
        waitKey_ = true;
        ++droppedGops_;
    }
}

bool PacketRing::push(const LivePacket& p) {
    if (!p.packet || !p.stream) return false;
    if (p.stream != stream_) {
        clear();
        stream_ = p.stream;
    }
    const AVPacket& in = *p.packet;
    const bool key = (in.flags & AV_PKT_FLAG_KEY) != 0;
    const int64_t seq = nextSeq_++;
    if (waitKey_ && !key) return true;   // undecodable without its keyframe: not kept
    // A muxer needs a pts for every packet: some live inputs (raw elementary streams, MJPEG
    // over HTTP) leave it out; dts, or the previous one plus a frame, stands in.
    int64_t pts = in.pts != AV_NOPTS_VALUE ? in.pts : in.dts;
    if (pts == AV_NOPTS_VALUE) {
        const AVRational tb = stream_->timeBase;
        const double fps = stream_->fps > 0 ? stream_->fps : 25;
        const int64_t step = std::max<int64_t>(
            1, std::llround(double(tb.den) / (double(std::max(1, tb.num)) * fps)));
        pts = haveLast_ ? lastPts_ + step : 0;
    }
    AvPacketPtr ref(av_packet_alloc());
    if (!ref || av_packet_ref(ref.get(), &in) < 0) return false;
    if (ref->pts == AV_NOPTS_VALUE) ref->pts = pts;
    if (ref->dts == AV_NOPTS_VALUE) ref->dts = pts;
    if (waitKey_) {
        waitKey_ = false;
        maxPts_ = pts;
    }
    lastPts_ = pts;
    haveLast_ = true;
    maxPts_ = std::max(maxPts_, pts);
    bytes_ += size_t(ref->size) + kPacketOverhead;
    if (key) keySeqs_.push_back(seq);
    packets_.push_back(RingPacket{std::move(ref), seq, pts, key});
    trim();
    return true;
}

}  // namespace sl::media
