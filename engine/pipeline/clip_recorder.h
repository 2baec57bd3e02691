#pragma once
// ClipRecorder: event clips for one live source. Fed with the source's demuxed video packets
// (SourcePipelineCallbacks::onPacket) and its per-frame results (onResult), it keeps the last
// seconds of compressed video in a media::PacketRing and, when a result carries an alert, writes
// the clip around it: from the latest keyframe at least preSeconds before the alert's frame to
// postSeconds after it, remuxed without re-encoding (media/clip_writer.h), plus a sidecar JSON
// with the alert(s) and the detections and tracked objects of every clip frame, numbered from the
// clip's first frame (so the clip plays with its stored boxes). Clips land in a ClipStore (one
// folder, a quota, shared by every source).
//
//   ClipStore store("clips", 1 << 30);  store.open();
//   ClipRecorder rec(store, {.source = "door", .preSeconds = 5, .postSeconds = 5});
//   callbacks.onPacket = [&](auto&, const media::LivePacket& p) { rec.onPacket(p); };
//   callbacks.onResult = [&](const SourceFrameResult& r) { rec.onResult(r); ... };
//   ... pipeline.stop(); rec.stop();   // the clip in progress is finished with what it has
//
// Semantics:
// - Length: a clip starts at a keyframe, so it holds pre + post seconds plus up to one GOP
//   (less pre when the connection began less than pre seconds before the alert).
// - Alerts in the post window (the frame's pts before the clip's end) extend the clip to post
//   seconds after the latest of them, up to maxSeconds in all, and are listed in the same
//   sidecar; an alert after the end starts a new clip (its pre part may overlap the previous
//   clip's end). Several alerts on one frame are one clip.
// - A clip is finished once the result of the first frame past its end has come (every alert
//   that could extend it is known, and every frame's boxes are in hand), when its connection has
//   ended and a frame of the next one comes, when no packet and no result came for inputTimeout,
//   or by stop().
// - A new connection (LivePacket::stream changes) ends the clip in progress: its packets stop
//   there (the codec parameters may differ). An alert of a connection whose packets are gone
//   gives no clip, reported through onClip with the reason.
// - Results are tied to packets by connection (frame index ranges, PacketStream::firstFrame) and
//   pts, never by counting.
//
// Threads: onPacket (source thread) and onResult (source or scheduler thread) only take
// references and update small state under a lock; the file work (muxing, fsync, rename, sidecar,
// quota) runs on the recorder's writer thread. Memory: the ring (ringBytes), the packets waiting
// for the writer (queueBytes: beyond it the clip is cut short and marked truncated, the source
// is never held up), the results of the ring's frames and of the clip in progress (small
// records, at most kMaxFrameRecords).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "media/clip_writer.h"
#include "media/packet_ring.h"
#include "pipeline/clip_store.h"
#include "pipeline/source_pipeline.h"

namespace sl::pipeline {

struct ClipRecorderOptions {
    std::string source;                    // the source's name (file names, the sidecar)
    double preSeconds = 5;
    double postSeconds = 5;
    double maxSeconds = 120;               // an extended clip is cut here
    // Results trail their packets by the inference latency: the ring keeps pre + lagSeconds so
    // that the keyframe pre seconds before an alert's frame is still there when the alert comes.
    double lagSeconds = 3;
    size_t ringBytes = size_t(32) << 20;   // the ring's bound (media::PacketRingOptions)
    size_t queueBytes = size_t(64) << 20;  // packets waiting for the writer thread
    std::chrono::milliseconds inputTimeout{5000};
    std::vector<std::string> labels;       // class names for the sidecar ("label")
};

// One clip's outcome, reported once per clip (written or not) on the writer thread.
struct ClipReport {
    std::string source;
    Status status;                         // ok: written; else why not
    std::filesystem::path video, sidecar;
    int64_t frames = 0;                    // video packets (= frames) in the clip
    int64_t bytes = 0;                     // the video file
    double seconds = 0;                    // its duration
    double writeMs = 0;                    // open .. renamed, sidecar written (writer thread)
    std::vector<std::string> rules;        // the alerts' rules, in order (one per alert)
    std::vector<int64_t> alertFrames;      // the alerts' frames (source index), parallel to rules
    std::string endReason;                 // "post window", "longest clip", "connection ended",
                                           // "input stopped", "stopped"
    bool truncated = false;                // cut short: ring gap or the writer fell behind
    std::vector<std::filesystem::path> deletedByQuota;
};

struct ClipRecorderStats {
    int64_t clips = 0, failed = 0;
    size_t ringBytes = 0, ringPackets = 0, queuedBytes = 0;
    size_t peakRingBytes = 0, peakQueuedBytes = 0;
};

class ClipRecorder {
public:
    static constexpr size_t kMaxFrameRecords = 20000;

    ClipRecorder(ClipStore& store, ClipRecorderOptions options,
                 std::function<void(const ClipReport&)> onClip = {});
    ~ClipRecorder();   // stop()
    ClipRecorder(const ClipRecorder&) = delete;
    ClipRecorder& operator=(const ClipRecorder&) = delete;

    void onPacket(const media::LivePacket& packet);
    void onResult(const SourceFrameResult& result);
    // Finishes the clip in progress with what it has, writes everything queued, joins the
    // writer thread. Idempotent; call after the source stopped (no more callbacks).
    void stop();

    ClipRecorderStats stats() const;

private:
    struct FrameRecord {
        int64_t frameIndex = 0, pts = 0;
        bool detected = false;
        std::vector<vision::Detection> detections;
        std::vector<track::TrackedObject> objects;
    };
    struct AlertRecord {
        analytics::Alert alert;
        std::chrono::system_clock::time_point wallTime;
    };
    // What the writer thread needs to finish a clip: everything but the packets.
    struct ClipMeta {
        std::filesystem::path video;
        std::shared_ptr<const media::PacketStream> stream;
        int64_t startPts = 0, endPts = 0;
        std::vector<int64_t> sentPts;           // decode order
        std::map<int64_t, FrameRecord> frames;  // by source pts
        std::vector<AlertRecord> alerts;
        std::string endReason;
        bool truncated = false;
        double preSeconds = 0;                  // as achieved: alert pts - start
    };
    struct Active {
        ClipMeta meta;
        int64_t maxEndPts = 0;
        int64_t lastSentSeq = -1;
        bool sealed = false;                    // no more packets (truncated or capped)
        std::optional<int64_t> nextFirstFrame;  // its connection ended: the next one's first
    };
    struct Job {
        enum Kind { Open, Packet, Finish, Report } kind = Packet;
        media::AvPacketPtr packet;
        std::unique_ptr<ClipMeta> meta;         // Open: video, stream, startPts; Finish: all
        std::unique_ptr<ClipReport> report;     // Report: an alert that got no clip
        size_t bytes = 0;
    };

    bool inClipConnection(const Active& a, int64_t frameIndex) const;
    void startClipLocked(const analytics::Alert& alert, const SourceFrameResult& r);
    void forwardLocked();
    void finishLocked(const std::string& reason);
    void rememberLocked(const SourceFrameResult& r);
    void reportLocked(ClipReport report);
    void run();
    void execute(Job& job);
    std::string sidecarJson(const ClipMeta& meta, const media::ClipFileInfo& info) const;
    int64_t ticks(double seconds, const media::PacketStream& s) const;

    ClipStore& store_;
    const ClipRecorderOptions options_;
    std::function<void(const ClipReport&)> onClip_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    media::PacketRing ring_;
    std::deque<FrameRecord> history_;           // results of the ring's connection
    std::optional<Active> active_;
    std::deque<Job> jobs_;
    size_t queuedBytes_ = 0;
    std::chrono::steady_clock::time_point lastInput_;
    bool stopping_ = false;
    ClipRecorderStats stats_;
    std::thread writer_;

    // The writer thread's own.
    media::ClipWriter clip_;
    Status clipError_;
    std::chrono::steady_clock::time_point clipOpenedAt_;
};

}  // namespace sl::pipeline
