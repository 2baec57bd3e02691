#pragma once
// runAnalyze: a whole file through a Detector at full speed, headless (`sightline analyze`, and
// the GUI's "analyse the whole video" action on a worker thread).
//
// A decode thread (media::MediaSource) pushes every `every`-th frame into a bounded queue; one
// inference thread per detector pops frames and stores their results (the calling thread runs
// the first detector, one more thread each further one). Several detectors (Detector::
// createSibling) keep several frames in flight: on a CPU OpenCL device one in-order stream leaves
// cores idle at every layer's tail and during the host's pre/post work; two streams fill them
// (bench_analyze prints 1 vs 2 streams). A file source blocks when the queue is full, it never
// drops a frame. Results go into the caller's ResultsStore as they come, keyed by frame index, so
// their completion order does not matter (the GUI can draw them while the run continues).

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "core/status.h"
#include "media/live_source.h"
#include "pipeline/detector.h"
#include "pipeline/results_store.h"

namespace sl::pipeline {

struct AnalyzeOptions {
    std::string input;            // file path or URL
    int every = 1;                // analyse frames 0, every, 2*every, ...
    int64_t maxFrames = -1;       // stop after decoding this many frames (-1: the whole input)
    // Frame range [firstFrame, lastFrame] (presentation indices; lastFrame -1: to the end). A
    // firstFrame > 0 needs a seekable input (exact seek); `every` counts from firstFrame.
    int64_t firstFrame = 0;
    int64_t lastFrame = -1;
    // The frame `every` counts from (-1: firstFrame). A shard analysing a segment of a video
    // counts from 0, so it picks the same frames as one run over the whole video.
    int64_t everyOrigin = -1;
    size_t queueCapacity = 8;     // decoded frames waiting for inference
    // Live input (a network URL or a camera): without a policy, losing it ends the run with an
    // error that names the stream and how many frames it gave (never a clean end). With one, a
    // media::LiveSource supervises it: a camera down at start-up or lost mid-run is reconnected
    // with backoff, frames are numbered on across reconnects (no result is stored twice), and
    // the run fails only when the policy gives up. The timeouts are that supervisor's watchdog.
    std::optional<media::ReconnectPolicy> reconnect;
    std::chrono::milliseconds liveOpenTimeout{10000};
    std::chrono::milliseconds liveReadTimeout{5000};
};

struct AnalyzeProgress {
    int64_t decoded = 0;          // frames decoded so far
    int64_t analysed = 0;         // frames through the detector
    int64_t total = -1;           // frames the run will decode (-1: unknown, e.g. live input)
    double elapsedSeconds = 0;
};

// Runs detectors[0] on the calling thread (it owns that detector; each further detector is used
// by a thread of its own until the call returns) and returns when the input ends, `cancel`
// becomes true (Status Cancelled; results so far stay in the store) or an error occurs (a corrupt
// input names itself; a failing detector stops every stream). `progress` is called on the
// calling thread after its frames, at most every 100 ms plus once at the end, with the counts of
// all streams. detectors must not be empty.
Expected<RunSummary> runAnalyze(const AnalyzeOptions& options,
                                std::span<Detector* const> detectors, ResultsStore& store,
                                const std::function<void(const AnalyzeProgress&)>& progress = {},
                                const std::atomic<bool>* cancel = nullptr);

// One stream.
Expected<RunSummary> runAnalyze(const AnalyzeOptions& options, Detector& detector,
                                ResultsStore& store,
                                const std::function<void(const AnalyzeProgress&)>& progress = {},
                                const std::atomic<bool>* cancel = nullptr);

}  // namespace sl::pipeline
