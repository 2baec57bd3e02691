#pragma once
// Detector: one detection model ready to run on frames, on OpenCL (device preprocess + device
// inference) or on the CPU reference (tests, machines without OpenCL).
//
//   auto model = models::ModelStore().resolve("yolox-nano");
//   auto det = pipeline::Detector::create(*model, {});
//   auto result = (*det)->detect(frame);             // a decoded VideoFrame: uploaded here
//   auto result = (*det)->detect(clFrame, meta, {cl->ready});   // a frame already on the device
//
// Per frame (OpenCL): the YUV planes go to a device buffer (skipped for bridged frames), the
// vision::Preprocessor kernel letterboxes and normalises them into the input tensor, the nn Session
// runs on the same queue (Session::runDevice, no host round trip), and the 3549x85 output comes
// back to the host for YOLOX decoding and class-aware NMS (under a millisecond). Boxes come back in
// source pixels.
//
// Threading: not thread-safe. One inference thread owns a Detector (it owns the CL queue work);
// detect() blocks that thread until the frame's detections are ready, and never touches GL. The
// GUI calls it from its inference worker and posts the FrameDetections to the UI thread.
// Thresholds and the class filter may be changed between calls from the owning thread, or from any
// thread through setSettings() (guarded).

#include <CL/cl.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "media/video_frame.h"
#include "models/model_store.h"
#include "nn/runtime/session.h"
#include "pipeline/frame_detections.h"
#include "vision/preprocess.h"

namespace sl::compute {
class ComputeContext;
}

namespace sl::pipeline {

struct DetectorSettings {
    float confidence = -1;      // < 0: the manifest's default
    float nms = -1;             // < 0: the manifest's default
    std::vector<int> classes;   // class ids to report; empty = all
};

struct DetectorOptions {
    nn::Device device = nn::Device::OpenCL;
    DetectorSettings settings;
    // OpenCL context shared with the frame bridge (bridged frames must live in it); null: the
    // detector creates its own with clDeviceSelector (empty: $SIGHTLINE_CL_DEVICE, then automatic).
    // A borrowed context must outlive the detector.
    const compute::ComputeContext* compute = nullptr;
    std::string clDeviceSelector;
    // Run preprocess and network on a queue of their own (nn::SessionOptions::ownQueue) instead
    // of the context's: with a borrowed bridge context, inference then never holds up the
    // bridge's queue (slot maps for display). Device frames are ordered by their ready event.
    bool ownQueue = false;
    // Where the network's float tensors live on the device (nn/runtime/storage_choice.h): auto,
    // the measured per-device choice, by default. Under fp16 the preprocessor writes the network
    // input as half directly (no conversion pass).
    nn::Storage storage = nn::Storage::Auto;
    // The session's kernel tuning budget (nn::SessionOptions::tuningBudgetMs); < 0: the session
    // default. 0: cached choices only, nothing measured (createSibling: the first detector has
    // just measured and saved them).
    double tuningBudgetMs = -1;
    // Measure uncached per-device choices while loading (nn::SessionOptions::measure). Off by
    // default: a detector is ready once its kernels are built, on cached choices or defaults;
    // what is left is measured by nn::BackgroundPreparation or `sightline prepare`
    // (nn/runtime/preparation.h), and fullyPrepared() says whether anything is left.
    bool measure = false;
    // Progress of the load (kernels built, layers prepared); called on the loading thread.
    std::function<void(const nn::PrepareProgress&)> onProgress;
    const std::atomic<bool>* cancel = nullptr;   // stops the load with Cancelled
    // Frames per inference for detectBatch() (the Scheduler's batch across sources): > 1 loads a
    // second session of the model at this batch (nn::SessionOptions::batch; a model that is not
    // batch-agnostic fails create() with the node and the reason) beside the batch-1 one that
    // detect() keeps using, plus one input slot per frame. Extra device memory: the batch
    // session's activations (batch x the batch-1 arena: 4.6 MiB per slot for YOLOX-Nano at
    // fp32), its own copy of the weights (3.5 MiB), batch x 3 x H x W input elements (2 MiB
    // per slot at fp32) and, for host frames, one upload buffer per slot (the frame's planes).
    int batch = 1;
    // A partial batch (fewer frames than `batch`): Pad runs the batch session with the unused
    // slots left as they are (their outputs ignored: the ops are per sample); Singles runs the
    // frames one by one on the batch-1 session; Auto picks, per call, whichever the measured
    // run times (moving averages of this detector's own runs) say is cheaper: one batch run or
    // k single runs. Results are the same either way (up to float rounding of the kernels'
    // choices).
    enum class PartialBatch { Auto, Pad, Singles };
    PartialBatch partialBatch = PartialBatch::Auto;
};

// Wall-clock milliseconds of the last detect() or detectBatch() call (all its frames), by stage.
struct DetectorTimings {
    double uploadMs = 0;       // host planes -> device (0 for bridged frames)
    double inferenceMs = 0;    // preprocess + network + output readback
    double decodeMs = 0;       // YOLOX grid decode + NMS on the host
    int runs = 0;              // network runs (detectBatch: 1 per batch, or k for Singles)
};

// Identity of a frame handed over as device memory.
struct FrameMeta {
    int64_t frameIndex = -1;
    int64_t pts = 0;
    double seconds = 0;
};

// One frame of a device batch (detectBatch): the frame in device memory of compute()'s context,
// its identity, and the events its planes are ready after (the bridge's; may be empty). The
// planes and events must stay valid until detectBatch returns.
struct DeviceBatchFrame {
    vision::DeviceYuvFrame frame;
    FrameMeta meta;
    std::span<const cl_event> waitList;
};

class Detector {
public:
    // Loads the model (OpenCL: builds kernels; the first detect() may still compile some) and
    // checks it against its manifest's contract. Errors name the model file.
    static Expected<std::unique_ptr<Detector>> create(const models::InstalledModel& model,
                                                      const DetectorOptions& options = {});
    // models::ModelStore::resolve(nameOrPath) (an installed name or an .onnx path), then create().
    static Expected<std::unique_ptr<Detector>> load(
        const std::string& nameOrPath, const DetectorOptions& options = {},
        const models::ModelStore& store = models::ModelStore());
    // Another detector for the same model on this one's OpenCL context and device, with a queue,
    // session and device buffers of its own, the same storage and a copy of the current
    // settings: one more frame in flight. A CPU device keeps some cores idle at each layer's tail
    // on a single in-order stream; a second stream fills them (runAnalyze with several
    // detectors). A cpu-ref detector gets another cpu-ref detector.
    Expected<std::unique_ptr<Detector>> createSibling() const;
    ~Detector();
    Detector(const Detector&) = delete;
    Detector& operator=(const Detector&) = delete;

    // A decoded frame (any media::PixelFormat, any size). The frame's index and pts label the result.
    Expected<FrameDetections> detect(const media::VideoFrame& frame);
    // A frame already in device memory of compute()'s context (a FrameBridge slot: its
    // ClFrame::planes are the frame's planes). The kernel waits for `waitList` (the bridge's ready event); when
    // detect() returns, the device is done reading the planes, so the slot may be unmapped.
    // OpenCL detectors only.
    Expected<FrameDetections> detect(const vision::DeviceYuvFrame& frame, const FrameMeta& meta,
                                     std::span<const cl_event> waitList = {});

    // Several frames (of any sizes and pixel formats, e.g. one per source), one network run per
    // batch() of them: each frame is preprocessed into its own slot of the batch input tensor,
    // and each slot's output is decoded with its own frame size and identity. Results in frame
    // order, each as detect() would give for that frame (same boxes up to float rounding).
    // More than batch() frames: run in chunks of batch(); a last partial chunk as
    // DetectorOptions::partialBatch says. Empty: an empty result. batch() == 1: detect() per
    // frame. Blocks like detect(); on return the device is done with every frame's memory.
    Expected<std::vector<FrameDetections>> detectBatch(std::span<const media::VideoFrame> frames);
    // Device frames (OpenCL detectors only), as detect(frame, meta, waitList) per frame.
    Expected<std::vector<FrameDetections>> detectBatch(std::span<const DeviceBatchFrame> frames);
    // Frames per network run in detectBatch (DetectorOptions::batch).
    int batch() const { return batch_; }
    // The batch session's device memory (activations + weights), 0 without one (batch 1).
    nn::MemoryStats batchMemory() const;

    void setSettings(const DetectorSettings& settings);   // any thread
    DetectorSettings settings() const;
    // Parses "person,car" (labels, or numeric ids) into class ids; InvalidArgument naming an
    // unknown label and listing a few valid ones.
    Expected<std::vector<int>> parseClasses(const std::string& list) const;

    const models::InstalledModel& model() const { return model_; }
    const models::ModelManifest& manifest() const { return model_.manifest; }
    nn::Device device() const { return device_; }
    // The network's storage on the device (fp32 on cpu-ref); fp16: half preprocess output.
    nn::Storage storage() const { return session_->storage(); }
    // Nothing left to measure on this device (nn::Session::fullyPrepared); cpu-ref: true.
    bool fullyPrepared() const { return session_->fullyPrepared(); }
    const nn::TuningStats& tuning() const { return session_->tuning(); }
    // The CL context (the shared one, or the detector's own); null on cpu-ref.
    const compute::ComputeContext* compute() const;
    DetectorTimings lastTimings() const { return timings_; }

private:
    Detector() = default;
    // `output` is one frame's rows x columns floats.
    Expected<FrameDetections> decode(std::span<const float> output, int srcWidth, int srcHeight,
                                     const FrameMeta& meta);
    Expected<FrameDetections> detectOnHost(const media::VideoFrame& frame);
    // One chunk of at most batch_ frames (detectBatch).
    Expected<std::vector<FrameDetections>> runHostBatch(std::span<const media::VideoFrame> frames);
    Expected<std::vector<FrameDetections>> runDeviceBatch(
        std::span<const DeviceBatchFrame> frames);
    // Partial chunk of k frames: the batch session (padded) rather than k batch-1 runs?
    bool padPartial(size_t k) const;
    void recordRun(bool batched, double ms);

    models::InstalledModel model_;
    DetectorOptions options_;   // as created (createSibling)
    nn::Device device_ = nn::Device::OpenCL;
    struct Cl;
    std::unique_ptr<Cl> cl_;
    std::unique_ptr<nn::Session> session_;
    int batch_ = 1;
    std::unique_ptr<nn::Session> batchSession_;   // batch_ > 1
    double singleMs_ = -1, batchMs_ = -1;   // moving averages of inference times (< 0: none yet)
    mutable std::mutex settingsMutex_;
    DetectorSettings settings_;
    DetectorTimings timings_;
};

}  // namespace sl::pipeline
