#pragma once
// SourcePipeline: one live source's chain, headless: media::LiveSource (decode, watchdog,
// reconnect) -> Scheduler (shared device inference, fair share, adaptive stride) -> ByteTracker
// -> analytics (zones, lines, events) -> one result per decoded frame, in frame order.
//
//   Scheduler sched(...);
//   SourcePipeline cam(sched, {.name = "door", .live = {.open = {.url = "rtsp://..."}}},
//                      {.onResult = [](const SourceFrameResult& r) { ... }});
//   cam.start();              // returns at once; a camera that is down is just connecting
//   ... cam.status() ...      // state, rates, skipped, latency: any thread
//   cam.stop();               // or the destructor; frees every frame it held
//
// Order: frames are numbered by the LiveSource and reach the tracker strictly in that order,
// whether their detections come back from the device (Submit), were never asked for (the
// scheduler's Skip under load, or above the source's target rate) or were pushed out of the
// scheduler's queue (dropped): the last two are "carried", i.e. the tracker coasts over them
// (ByteTracker::coast) and the result holds the predicted boxes with detected = false. So every
// decoded frame gets exactly one result, a reconnect leaves no hole and counts nothing twice.
//
// Memory: a frame's pixels are held only while it waits for or is in inference (at most the
// scheduler queue's capacity + one batch); the ordering list holds small records (index, pts,
// detections) and is bounded by the same, times the largest stride. Latency percentiles use a
// fixed ring of the last 512 results.
//
// A new connection (LiveFrame::session changes) restarts the tracker, the analytics and the
// rules (their cooldowns too): the stream's clock may start again and old tracks are stale.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "analytics/analytics_engine.h"
#include "analytics/rule_engine.h"
#include "analytics/scene.h"
#include "media/live_source.h"
#include "pipeline/frame_detections.h"
#include "pipeline/scheduler.h"
#include "track/byte_tracker.h"

namespace sl::pipeline {

struct SourcePipelineOptions {
    std::string name;                       // unique among the sources; empty: the URL
    media::LiveSourceOptions live;          // url, timeouts, reconnect policy, simulated camera
    double targetFps = 0;                   // analysed frames per second at most; 0: every frame
    double weight = 1;                      // share of the device (Scheduler weight)
    size_t queueCapacity = 2;               // frames waiting for inference
    track::TrackerParams tracker;           // fps: taken from the stream when it opens
    std::optional<analytics::Scene> scene;  // zones, lines and rules (events, alerts)
    std::vector<std::string> labels;        // class names (the model's), for analytics filters
    // Hand each result its decoded frame (SourceFrameResult::frame), for a display that shows
    // frames with their own boxes (the monitoring wall): frames are then held until their result
    // is out, at most kMaxKeptFrames of them (beyond that the oldest held ones lose their
    // pixels: framesNotKept counts them).
    bool keepFrames = false;
};

// One decoded frame's outcome.
struct SourceFrameResult {
    std::string source;
    int64_t frameIndex = 0;
    int64_t pts = 0;
    double seconds = 0;
    int64_t session = 0;                    // which connection delivered it
    int width = 0, height = 0;
    bool detected = false;                  // false: the tracker carried the boxes
    std::vector<vision::Detection> detections;    // detected frames only
    std::vector<track::TrackedObject> objects;    // the tracker's output for this frame
    std::vector<analytics::Event> events;
    std::vector<analytics::Alert> alerts;   // the scene's rules that fired on this frame
    double latencyMs = 0;                   // decoded -> this result
    media::VideoFrame frame;                // keepFrames: the frame itself (shared, no copy)
};

struct SourceStatus {
    std::string name;
    std::string url;
    media::LiveSnapshot live;
    int64_t frames = 0;                     // results given (one per decoded frame)
    int64_t detected = 0;                   // of which detected on the device
    int64_t skipped = 0;                    // carried because the device was behind (stride)
    int64_t rateLimited = 0;                // carried because of targetFps
    int64_t dropped = 0;                    // carried because the queue overflowed
    int64_t failed = 0;                     // inference failures (carried)
    int64_t framesNotKept = 0;              // keepFrames: results given without their pixels
    int64_t events = 0, alerts = 0;         // zone / line events and rule alerts so far
    double inFps = 0;                       // decoded frames per second, last 2 s
    double analysedFps = 0;                 // detected frames per second, last 2 s
    double latencyP50Ms = 0, latencyP95Ms = 0;
    int stride = 1;                         // detect every stride-th frame now
    std::string lastError;                  // the last inference failure
};

struct SourcePipelineCallbacks {
    // Every frame's result, in order; on the source's or a scheduler thread (never two at once
    // for one source). Must not call stop().
    std::function<void(const SourceFrameResult&)> onResult;
    // The live source's transitions (media::LiveCallbacks::onState rules apply).
    std::function<void(const std::string& source, const media::LiveSnapshot&)> onState;
    // (optional) Every demuxed video packet, passed through from media::LiveCallbacks::onPacket
    // (its rules apply: source thread, before the packet's frame, must not block). For the
    // event-clip recorder (pipeline/clip_recorder.h).
    std::function<void(const std::string& source, const media::LivePacket&)> onPacket;
};

class SourcePipeline {
public:
    // keepFrames: frames held at most while they wait for their turn in order (about the
    // latency times the frame rate; 32 frames of 1080p are 100 MB).
    static constexpr size_t kMaxKeptFrames = 32;

    SourcePipeline(Scheduler& scheduler, SourcePipelineOptions options,
                   SourcePipelineCallbacks callbacks = {});
    ~SourcePipeline();   // stop()
    SourcePipeline(const SourcePipeline&) = delete;
    SourcePipeline& operator=(const SourcePipeline&) = delete;

    void start();
    // Stops the source and leaves the scheduler; frames still waiting for detection are carried
    // by the tracker and reported, so every decoded frame got a result. Idempotent.
    void stop();

    SourceStatus status() const;
    const std::string& name() const { return name_; }

    // Replaces the zones, lines and rules while the source runs (the wall's rule editor): from
    // the next result on, analytics and rules run on the new scene. Their state starts afresh
    // (zone members, episodes, cooldowns), as after a reconnect; the tracker and its ids go on,
    // so a track standing in a new zone is reported entering it once its hysteresis is met.
    // nullopt: no analytics. Any thread but the callbacks (it takes the lock they run under).
    void setScene(std::optional<analytics::Scene> scene);

private:
    enum class Wait { Detection, Carry, Ready };
    struct Pending {
        int64_t index = 0, pts = 0, session = 0;
        double seconds = 0;
        int width = 0, height = 0;
        std::chrono::steady_clock::time_point decodedAt;
        Wait wait = Wait::Carry;
        std::vector<vision::Detection> detections;
        media::VideoFrame frame;            // keepFrames only
    };
    void onFrame(media::LiveFrame&& lf);
    void onDetections(int64_t index, Expected<FrameDetections> result);
    void onDropped(int64_t index);
    void drainLocked();   // emits every leading entry that is no longer waiting
    void releaseOldestKeptLocked();   // keepFrames: at most kMaxKeptFrames hold pixels
    void emitLocked(Pending& p);
    void resetAnalysisLocked(int64_t session);

    Scheduler& scheduler_;
    SourcePipelineOptions options_;
    SourcePipelineCallbacks callbacks_;
    std::string name_;
    Scheduler::SourceId id_ = 0;
    std::unique_ptr<media::LiveSource> live_;

    mutable std::mutex mutex_;
    std::deque<Pending> pending_;
    std::optional<track::ByteTracker> tracker_;
    std::optional<analytics::AnalyticsEngine> analytics_;
    std::optional<analytics::RuleEngine> rules_;
    int64_t session_ = 0;
    double nextDueSeconds_ = -1;            // targetFps gate
    bool stopped_ = false;
    SourceStatus counts_;
    size_t keptFrames_ = 0;                 // pending entries holding pixels
    mutable std::deque<std::chrono::steady_clock::time_point> inTimes_, detectTimes_;   // last 2 s
    std::vector<double> latencies_;         // ring of the last kLatencyRing
    size_t latencyNext_ = 0;
};

}  // namespace sl::pipeline
