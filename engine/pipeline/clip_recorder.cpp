#include "pipeline/clip_recorder.h"

#include "core/utc_time.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/log.h"

namespace sl::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

double round3(double v) { return std::round(v * 1000) / 1000; }

json boxJson(const vision::Box& b) {
    return {round3(b.x1), round3(b.y1), round3(b.x2), round3(b.y2)};
}

}  // namespace

ClipRecorder::ClipRecorder(ClipStore& store, ClipRecorderOptions options,
                           std::function<void(const ClipReport&)> onClip)
    : store_(store),
      options_(std::move(options)),
      onClip_(std::move(onClip)),
      ring_({options_.preSeconds + std::max(0.0, options_.lagSeconds), options_.ringBytes}),
      lastInput_(Clock::now()) {
    writer_ = std::thread([this] { run(); });
}

ClipRecorder::~ClipRecorder() { stop(); }

int64_t ClipRecorder::ticks(double seconds, const media::PacketStream& s) const {
    return std::llround(seconds * double(s.timeBase.den) / double(std::max(1, s.timeBase.num)));
}

ClipRecorderStats ClipRecorder::stats() const {
    std::lock_guard lock(mutex_);
    ClipRecorderStats s = stats_;
    s.ringBytes = ring_.bytes();
    s.ringPackets = ring_.packets().size();
    s.queuedBytes = queuedBytes_;
    return s;
}

bool ClipRecorder::inClipConnection(const Active& a, int64_t frameIndex) const {
    return frameIndex >= a.meta.stream->firstFrame &&
           (!a.nextFirstFrame || frameIndex < *a.nextFirstFrame);
}

void ClipRecorder::onPacket(const media::LivePacket& p) {
    if (!p.packet || !p.stream) return;
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    lastInput_ = Clock::now();
    ring_.push(p);
    stats_.peakRingBytes = std::max(stats_.peakRingBytes, ring_.bytes());
    if (!active_) return;
    if (active_->meta.stream != p.stream) {
        // Its connection is over: no more packets; its last results may still be on the way.
        if (!active_->nextFirstFrame) active_->nextFirstFrame = p.stream->firstFrame;
        active_->sealed = true;
        return;
    }
    forwardLocked();
}

void ClipRecorder::forwardLocked() {
    Active& a = *active_;
    const auto cut = [&] {
        // Packets stop here; the clip still collects the results of what it holds.
        a.meta.truncated = true;
        a.sealed = true;
        int64_t last = a.meta.startPts;
        for (int64_t p : a.meta.sentPts) last = std::max(last, p + 1);
        a.meta.endPts = std::min(a.meta.endPts, last);
    };
    while (!a.sealed) {
        const int64_t next = a.lastSentSeq + 1;
        if (next >= ring_.nextSeq()) return;   // everything so far is sent
        const media::RingPacket* rp = ring_.find(next);
        if (!rp) {
            // Gone before it was sent (the ring's byte bound): the clip would have a hole.
            logWarning("clips", options_.source + ": the clip lost packets (ring bound); cut short");
            cut();
            return;
        }
        if (rp->pts >= a.meta.endPts) return;   // at the end for now; an alert may extend it
        const size_t bytes = size_t(rp->packet->size) + media::PacketRing::kPacketOverhead;
        if (queuedBytes_ + bytes > options_.queueBytes) {
            logWarning("clips", options_.source + ": the clip writer fell behind; clip cut short");
            cut();
            return;
        }
        Job j;
        j.kind = Job::Packet;
        j.packet.reset(av_packet_alloc());
        if (!j.packet || av_packet_ref(j.packet.get(), rp->packet.get()) < 0) {
            cut();
            return;
        }
        j.bytes = bytes;
        queuedBytes_ += bytes;
        stats_.peakQueuedBytes = std::max(stats_.peakQueuedBytes, queuedBytes_);
        jobs_.push_back(std::move(j));
        a.meta.sentPts.push_back(rp->pts);
        a.lastSentSeq = next;
        wake_.notify_one();
    }
}

void ClipRecorder::rememberLocked(const SourceFrameResult& r) {
    const auto& s = ring_.stream();
    if (!s || r.frameIndex < s->firstFrame) return;   // an older connection's: its packets are gone
    FrameRecord f;
    f.frameIndex = r.frameIndex;
    f.pts = r.pts;
    f.detected = r.detected;
    f.detections = r.detections;
    f.objects = r.objects;
    history_.push_back(std::move(f));
    const int64_t oldest = ring_.empty() ? r.pts : ring_.packets().front().pts;
    while (!history_.empty() &&
           (history_.front().frameIndex < s->firstFrame || history_.front().pts < oldest ||
            history_.size() > kMaxFrameRecords))
        history_.pop_front();
}

void ClipRecorder::reportLocked(ClipReport report) {
    // Through the writer thread, in order with the clips: onClip never runs under this lock
    // nor on the source's thread.
    Job j;
    j.kind = Job::Report;
    j.report = std::make_unique<ClipReport>(std::move(report));
    jobs_.push_back(std::move(j));
    wake_.notify_one();
}

void ClipRecorder::startClipLocked(const analytics::Alert& alert, const SourceFrameResult& r) {
    const std::shared_ptr<const media::PacketStream> s = ring_.stream();
    if (!s || ring_.empty() || r.frameIndex < s->firstFrame) {
        ClipReport rep;
        rep.source = options_.source;
        rep.rules = {alert.rule};
        rep.alertFrames = {alert.frameIndex};
        rep.status = Status(StatusCode::Unavailable,
                            "clips: " + options_.source + ": no clip for alert '" + alert.rule +
                                "' at frame " + std::to_string(r.frameIndex) +
                                ": the video of its connection is no longer held (a reconnect "
                                "came first, or no keyframe yet)");
        reportLocked(std::move(rep));
        return;
    }
    const int64_t keySeq = ring_.keyframeAtOrBefore(alert.pts - ticks(options_.preSeconds, *s));
    const media::RingPacket* key = ring_.find(keySeq);
    const auto now = std::chrono::system_clock::now();
    Active a;
    a.meta.video = store_.reserve(options_.source, now);
    a.meta.stream = s;
    a.meta.startPts = key->pts;
    a.maxEndPts = key->pts + ticks(options_.maxSeconds, *s);
    a.meta.endPts = std::min(a.maxEndPts, alert.pts + ticks(options_.postSeconds, *s));
    a.meta.preSeconds = double(alert.pts - key->pts) * av_q2d(s->timeBase);
    a.meta.alerts.push_back({alert, now});
    a.lastSentSeq = keySeq - 1;
    for (const FrameRecord& f : history_)
        if (f.pts >= a.meta.startPts && f.pts < a.meta.endPts) a.meta.frames[f.pts] = f;
    Job open;
    open.kind = Job::Open;
    open.meta = std::make_unique<ClipMeta>();
    open.meta->video = a.meta.video;
    open.meta->stream = s;
    open.meta->startPts = a.meta.startPts;
    jobs_.push_back(std::move(open));
    active_ = std::move(a);
    forwardLocked();
    wake_.notify_one();
}

void ClipRecorder::finishLocked(const std::string& reason) {
    Job j;
    j.kind = Job::Finish;
    j.meta = std::make_unique<ClipMeta>(std::move(active_->meta));
    j.meta->endReason = reason;
    active_.reset();
    jobs_.push_back(std::move(j));
    wake_.notify_one();
}

void ClipRecorder::onResult(const SourceFrameResult& r) {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    lastInput_ = Clock::now();
    rememberLocked(r);
    if (active_) {
        Active& a = *active_;
        if (a.nextFirstFrame && r.frameIndex >= *a.nextFirstFrame) {
            finishLocked("connection ended");
        } else if (inClipConnection(a, r.frameIndex) && r.pts >= a.meta.startPts &&
                   r.pts < a.meta.endPts) {
            FrameRecord& f = a.meta.frames[r.pts];
            f.frameIndex = r.frameIndex;
            f.pts = r.pts;
            f.detected = r.detected;
            f.detections = r.detections;
            f.objects = r.objects;
        }
    }
    for (const analytics::Alert& alert : r.alerts) {
        if (active_ && inClipConnection(*active_, r.frameIndex) &&
            alert.pts < active_->meta.endPts) {
            // In the post window: the same clip, now to post seconds after this alert.
            Active& a = *active_;
            a.meta.alerts.push_back({alert, std::chrono::system_clock::now()});
            if (!a.sealed) {
                const int64_t end = std::min(
                    a.maxEndPts, alert.pts + ticks(options_.postSeconds, *a.meta.stream));
                if (end > a.meta.endPts) {
                    a.meta.endPts = end;
                    forwardLocked();
                }
            }
            continue;
        }
        if (active_) finishLocked(active_->meta.endPts >= active_->maxEndPts ? "longest clip"
                                                                             : "post window");
        startClipLocked(alert, r);
    }
    if (active_ && inClipConnection(*active_, r.frameIndex) && r.pts >= active_->meta.endPts)
        finishLocked(active_->meta.endPts >= active_->maxEndPts ? "longest clip" : "post window");
}

void ClipRecorder::stop() {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            if (active_) finishLocked("stopped");
            stopping_ = true;
        }
    }
    wake_.notify_all();
    if (writer_.joinable() && writer_.get_id() != std::this_thread::get_id()) writer_.join();
}

void ClipRecorder::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait_for(lock, std::chrono::milliseconds(200),
                       [&] { return !jobs_.empty() || stopping_; });
        if (jobs_.empty()) {
            if (stopping_) break;
            // A camera gone quiet: no result will come to close the clip.
            if (active_ && Clock::now() - lastInput_ > options_.inputTimeout)
                finishLocked("input stopped");
            continue;
        }
        Job j = std::move(jobs_.front());
        jobs_.pop_front();
        queuedBytes_ -= j.bytes;
        lock.unlock();
        execute(j);
        lock.lock();
    }
}

void ClipRecorder::execute(Job& job) {
    switch (job.kind) {
    case Job::Open:
        clipOpenedAt_ = Clock::now();
        clipError_ = clip_.open(job.meta->video, *job.meta->stream, job.meta->startPts);
        return;
    case Job::Packet:
        if (clipError_ && clip_.isOpen()) clipError_ = clip_.write(*job.packet);
        return;
    case Job::Report:
        {
            std::lock_guard lock(mutex_);
            ++stats_.failed;
        }
        logWarning("clips", job.report->status.message());
        if (onClip_) onClip_(*job.report);
        return;
    case Job::Finish: break;
    }
    ClipMeta& m = *job.meta;
    ClipReport rep;
    rep.source = options_.source;
    rep.video = m.video;
    rep.endReason = m.endReason;
    rep.truncated = m.truncated;
    for (const AlertRecord& a : m.alerts) {
        rep.rules.push_back(a.alert.rule);
        rep.alertFrames.push_back(a.alert.frameIndex);
    }
    if (!clipError_) {
        rep.status = clipError_;
        clip_.abandon();
    } else if (m.sentPts.empty()) {
        rep.status = Status(StatusCode::Unavailable,
                            "clips: " + options_.source + ": '" + m.video.string() +
                                "': no video packet reached the clip");
        clip_.abandon();
    } else {
        auto info = clip_.finish();
        if (!info) {
            rep.status = info.status();
        } else {
            rep.frames = info->packets;
            rep.bytes = info->bytes;
            rep.seconds = info->seconds;
            const auto sidecar = clipSidecarPath(m.video);
            // After the video: a sidecar always has its clip (ClipStore::open removes orphans).
            rep.status = writeFileAtomic(sidecar, sidecarJson(m, *info), "clips");
            if (rep.status) rep.sidecar = sidecar;
            rep.deletedByQuota = store_.enforceQuota(m.video);
        }
    }
    if (!m.video.empty()) {
        store_.release(m.video);
        rep.writeMs = std::chrono::duration<double, std::milli>(Clock::now() - clipOpenedAt_).count();
    }
    clipError_ = Status::ok();
    {
        std::lock_guard lock(mutex_);
        if (rep.status) ++stats_.clips;
        else ++stats_.failed;
    }
    if (!rep.status) logWarning("clips", rep.status.message());
    if (onClip_) onClip_(rep);
}

std::string ClipRecorder::sidecarJson(const ClipMeta& m, const media::ClipFileInfo& info) const {
    const media::PacketStream& s = *m.stream;
    const double tb = av_q2d(s.timeBase);
    // Clip frame k is the k-th smallest pts written (from the keyframe on): the order a player
    // (and media::FrameIndex) numbers the clip's frames in.
    std::vector<int64_t> order;
    for (int64_t p : m.sentPts)
        if (p >= m.startPts) order.push_back(p);
    std::sort(order.begin(), order.end());
    order.erase(std::unique(order.begin(), order.end()), order.end());
    const auto rank = [&](int64_t pts) -> int64_t {
        const auto it = std::lower_bound(order.begin(), order.end(), pts);
        return it != order.end() && *it == pts ? int64_t(it - order.begin()) : -1;
    };
    const auto label = [&](int c) {
        return c >= 0 && size_t(c) < options_.labels.size() ? options_.labels[size_t(c)]
                                                            : std::to_string(c);
    };
    json j;
    j["version"] = 1;
    j["source"] = options_.source;
    j["video"] = m.video.filename().string();
    j["codec"] = avcodec_get_name(s.codecpar->codec_id);
    j["width"] = s.codecpar->width;
    j["height"] = s.codecpar->height;
    j["frame_count"] = int64_t(order.size());
    j["duration_s"] = round3(info.seconds);
    j["pre_s"] = round3(m.preSeconds);
    j["post_s"] = options_.postSeconds;
    j["end"] = m.endReason;
    j["truncated"] = m.truncated;
    j["source_time_base"] = {s.timeBase.num, s.timeBase.den};
    j["source_start_pts"] = m.startPts;
    j["session"] = s.session;
    json alerts = json::array();
    for (const AlertRecord& a : m.alerts) {
        json aj = json::parse(analytics::alertJsonLine(a.alert, options_.source));
        aj["wall_time"] = utcTimestamp(a.wallTime);
        aj["clip_frame"] = rank(a.alert.pts);
        aj["clip_time"] = round3(double(a.alert.pts - m.startPts) * tb);
        alerts.push_back(std::move(aj));
    }
    j["alerts"] = std::move(alerts);
    json frames = json::array();
    for (const auto& [pts, f] : m.frames) {
        const int64_t k = rank(pts);
        if (k < 0) continue;   // not written (past a cut)
        json fj;
        fj["frame"] = k;
        fj["time"] = round3(double(pts - m.startPts) * tb);
        fj["source_frame"] = f.frameIndex;
        fj["detected"] = f.detected;
        json dets = json::array();
        for (const auto& d : f.detections)
            dets.push_back({{"class", d.classId}, {"label", label(d.classId)},
                            {"score", round3(d.score)}, {"box", boxJson(d.box)}});
        fj["detections"] = std::move(dets);
        json objs = json::array();
        for (const auto& o : f.objects)
            objs.push_back({{"id", o.trackId}, {"class", o.classId}, {"label", label(o.classId)},
                            {"score", round3(o.score)}, {"box", boxJson(o.box)}});
        fj["objects"] = std::move(objs);
        frames.push_back(std::move(fj));
    }
    j["frames"] = std::move(frames);
    return j.dump(1) + "\n";
}

}  // namespace sl::pipeline
