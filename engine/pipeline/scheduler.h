#pragma once
// Scheduler: one device's inference shared by every live source (DeepStream's nvstreammux +
// nvinfer, or Frigate's shared detector, as one object). Sources hand it frames; its inference
// streams (a Detector and its siblings on one CL context: one compute context, one loaded model
// and one kernel set per device) take them in fair order, several sources' frames per inference
// when the model runs at batch N, and hand each source its detections back.
//
//   Scheduler sched(detectorStreams(all), {.maxBatch = 4});
//   auto id = sched.addSource({.name = "door", .weight = 1}, {.onResult = ..., .onDropped = ...});
//   if (sched.admit(id, frame.seconds()) == Admission::Submit) sched.submit(id, std::move(frame));
//
// Fair share: stride scheduling (Waldspurger 1995). Each source has a pass; serving one of its
// frames adds 1 / weight; a stream takes the queued frame of the source with the lowest pass, and
// fills a batch in pass order, one frame per source per round. A source added later starts at
// the current virtual time, so it neither waits for the others to catch up nor starves them.
// Weights are priorities: weight 2 gets twice the inferences of weight 1 under contention.
//
// Bounded, never blocking: each source has a queue of `capacity` frames; submit() drops the
// oldest when full (reported through onDropped, counted). Memory per source is therefore at most
// (capacity + frames in flight) decoded frames, whatever the load.
//
// Degrading evenly (dynamic load balancing): the scheduler measures each source's frame rate
// (from admit()) and the device's time per frame (from its inferences), and every controlPeriod
// shares targetLoad x capacity between the sources by weighted max-min fairness (water-filling):
// source i may detect min(rate_i, lambda x weight_i) frames per second, lambda chosen so that the
// total fits. Its stride k_i = ceil(rate_i / allowed_i): admit() says Submit for every k_i-th
// frame and Skip for the rest, which the source's tracker carries (ByteTracker::coast). So every
// source is slowed by the same factor where it matters, and a slow source (a 2 fps camera among
// 25 fps ones) keeps all its frames instead of being cut like the rest. Drops in a period mean
// the estimate was optimistic: that period plans with 75% of it, and a source that dropped goes
// up one stride at once. Strides come down one step at a time, only with 15% to spare, so they
// do not oscillate. With adaptive off every stride stays 1 and an overloaded device shows up as
// drops. level() is the largest stride, for display.
//
// Threads: one thread per inference stream. admit / submit / stats from any thread; callbacks run
// on a stream thread and must not call removeSource() (it waits for them).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "media/video_frame.h"
#include "pipeline/frame_detections.h"

namespace sl::pipeline {

class Detector;

// What runs a batch of frames on the device: one inference stream.
class InferenceStream {
public:
    virtual ~InferenceStream() = default;
    // Frames one run() takes at most.
    virtual int maxBatch() const { return 1; }
    // The detections of each frame, in the frames' order; a failure fails the whole batch.
    virtual Expected<std::vector<FrameDetections>> run(
        std::span<const media::VideoFrame* const> frames) = 0;
};

// A borrowed Detector as a stream (it must outlive the scheduler). Batches of more than one
// frame use Detector::detectBatch when the detector was loaded at a batch size above 1.
std::unique_ptr<InferenceStream> detectorStream(Detector& detector);
std::vector<std::unique_ptr<InferenceStream>> detectorStreams(std::span<Detector* const> all);

struct SchedulerOptions {
    int maxBatch = 1;              // frames per inference (capped by the streams' maxBatch)
    bool adaptive = true;          // detect every k-th frame when the device cannot keep up
    double targetLoad = 0.85;      // of the measured capacity
    int maxStride = 16;            // the most frames one detection stands for
    std::chrono::milliseconds controlPeriod{500};
};

struct SchedulerSourceOptions {
    std::string name;
    double weight = 1;             // > 0; share of the device relative to the other sources
    size_t capacity = 2;           // frames waiting for inference (>= 1)
};

struct SchedulerSourceCallbacks {
    // A submitted frame's detections, or why it failed (stream thread).
    std::function<void(int64_t frameIndex, Expected<FrameDetections>)> onResult;
    // A submitted frame pushed out of the full queue by a newer one: it gets no result.
    std::function<void(int64_t frameIndex)> onDropped;
};

enum class Admission { Submit, Skip };

struct SchedulerSourceStats {
    std::string name;
    int64_t admitted = 0;          // frames the source offered
    int64_t submitted = 0;
    int64_t skipped = 0;           // Skip answers (carried by the tracker)
    int64_t dropped = 0;           // pushed out of the queue
    int64_t inferred = 0;          // got a result (or a failure)
    double rateFps = 0;            // measured arrival rate
    int stride = 1;                // current k
    size_t queued = 0;
};

struct SchedulerStats {
    int64_t inferences = 0;        // run() calls
    int64_t frames = 0;            // frames through them
    double meanBatch = 0;
    double frameMs = 0;            // device time per frame per stream (moving average)
    double capacityFps = 0;        // streams / frameMs
    double demandFps = 0;          // at the current level
    int level = 1;                 // the largest stride
    int streams = 0;
    std::vector<SchedulerSourceStats> sources;
};

class Scheduler {
public:
    using SourceId = int64_t;

    // streams: at least one; each gets a thread.
    Scheduler(std::vector<std::unique_ptr<InferenceStream>> streams, SchedulerOptions options = {});
    // Stops the streams (the inferences in flight finish); queued frames are released without
    // callbacks.
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    SourceId addSource(SchedulerSourceOptions options, SchedulerSourceCallbacks callbacks);
    // Releases the source's queued frames and waits for its frames in flight; no callback of it
    // runs after this returns. Not from a callback. Unknown ids are ignored.
    void removeSource(SourceId id);

    // For every frame a source delivers, in order: detect it (Submit: submit() it) or let the
    // tracker carry it (Skip), by the source's stride at the current load level.
    Admission admit(SourceId id);
    // Queues a frame; never blocks (the oldest queued frame of this source goes when full).
    void submit(SourceId id, media::VideoFrame frame);

    SchedulerStats stats() const;
    int level() const;
    int stride(SourceId id) const;   // the source's current k (1 for unknown ids)
    int maxBatch() const { return maxBatch_; }

private:
    struct Source {
        SourceId id = 0;
        SchedulerSourceOptions options;
        SchedulerSourceCallbacks callbacks;
        std::deque<media::VideoFrame> queue;
        double pass = 0;
        int sinceSubmit = 0;       // frames admitted since the last Submit
        int inFlight = 0;
        bool removing = false;
        int stride = 1;            // detect every stride-th frame
        int64_t admittedInPeriod = 0, droppedInPeriod = 0;
        SchedulerSourceStats stats;
    };
    void runStream(size_t streamIndex);
    void controlLocked(std::chrono::steady_clock::time_point now);
    // Each source's stride when `budget` detections per second are shared by weighted max-min.
    std::map<SourceId, int> allocateLocked(double budget) const;
    double demandLocked() const;   // detections per second at the current strides

    const SchedulerOptions options_;
    std::vector<std::unique_ptr<InferenceStream>> streams_;
    int maxBatch_ = 1;

    mutable std::mutex mutex_;
    std::condition_variable work_;      // a frame queued, or stop
    std::condition_variable settled_;   // a source's in-flight count went down
    std::map<SourceId, std::unique_ptr<Source>> sources_;
    SourceId nextId_ = 1;
    double virtualTime_ = 0;
    bool stop_ = false;
    int level_ = 1;
    int64_t droppedInPeriod_ = 0;
    std::chrono::steady_clock::time_point periodStart_;
    double frameMs_ = 0;                // moving average, 0 until the first inference
    int64_t inferences_ = 0, frames_ = 0;
    std::vector<std::thread> threads_;
};

}  // namespace sl::pipeline
