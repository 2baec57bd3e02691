#pragma once
// Session: one graph prepared for repeated execution on one device.
//
//   SessionOptions o;                       // OpenCL by default
//   auto s = Session::load("yolox_nano.onnx", o);
//   auto out = (*s)->run({input});          // inputs in model order; outputs in model order
//
// create() resolves every shape (graph inputs from the model or SessionOptions::inputShapes; a
// dimension still unknown is an error naming the input), runs the passes (nn/passes), creates one
// Op per node, and on OpenCL places each node: a node whose op has no OpenCL path is refused with
// the op and node named, or, with allowCpuFallback, runs on the CPU reference (logged as a
// warning). Intermediate values live in one device buffer planned by liveness
// (nn/runtime/memory_planner.h); constants read by device nodes live in a second one.
//
// Not thread-safe: one thread runs a session (it owns the queue it enqueues on).

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "nn/graph.h"
#include "nn/ops/kernel_tuner.h"
#include "nn/passes/passes.h"
#include "nn/runtime/profile.h"
#include "nn/runtime/storage_choice.h"
#include "nn/tensor.h"

namespace sl::compute {
class ComputeContext;
}

namespace sl::nn {

enum class Device { CpuReference, OpenCL };
const char* deviceName(Device d);                  // "cpu-ref", "opencl"
Expected<Device> parseDevice(const std::string& s);   // the CLI's --device values

// Where a session's preparation is (SessionOptions::onProgress): called after each node's device
// preparation, from the preparing thread.
struct PrepareProgress {
    const char* stage = "";    // "fp32" / "fp16": preparing with that storage
    int pass = 1, passes = 1;  // storage auto, measured: two preparations (fp32, then fp16)
    int layers = 0;            // nodes prepared in this pass
    int layersTotal = 0;       // device nodes in this pass
    int kernelsBuilt = 0;      // programs compiled from source or read from the disk cache so far
    int classesMeasured = 0;   // conv layer classes timed so far (measure = true)
};

struct SessionOptions {
    Device device = Device::OpenCL;
    bool allowCpuFallback = false;   // OpenCL: run nodes without a device path on the reference
    bool profile = false;            // per-node timings in lastProfile() (events on OpenCL)
    bool optimize = true;            // run the passes
    // OpenCL: measure per-device kernel choices for layer classes not yet in the on-disk tuning
    // cache (nn/ops/kernel_tuner.h), spending at most tuningBudgetMs per session on it.
    // $SIGHTLINE_KERNEL_TUNING=off also disables it.
    bool tuneKernels = true;
    double tuningBudgetMs = 2000;
    // Measure what is not cached yet: conv kernel choices (within tuningBudgetMs) and, for
    // storage auto, fp32 against fp16. false: cached choices, else the defaults (fp32 storage,
    // fixed conv choices), and nothing is timed: the session is ready as soon as its kernels
    // are built. Interactive paths prepare so and measure in the background
    // (nn/runtime/preparation.h); fullyPrepared() says whether anything was left on defaults.
    bool measure = true;
    // Progress of create() (may be empty), and a flag that, once set, makes create() stop
    // between nodes with Cancelled (may be null; must outlive create()).
    std::function<void(const PrepareProgress&)> onProgress;
    const std::atomic<bool>* cancel = nullptr;
    PassOptions passes;
    std::map<std::string, Shape> inputShapes;      // resolves dynamic input dims, by input name
    // > 0: run the model at this batch (nn/passes setBatch, before the other passes): the
    // inputs' leading dim (static B, or dynamic) becomes `batch`, and what spells B out in the
    // graph is rewritten; a model that is not batch-agnostic is refused (Unsupported, naming
    // the node and the reason). 0: the model's own batch.
    int batch = 0;
    // Inputs bound to fixed values: they become constants (and may be folded away) and are no
    // longer session inputs. For shape-carrying inputs (a Reshape's shape fed as an input).
    std::map<std::string, Tensor> constantInputs;
    // OpenCL context to use (shared with the video pipeline); null: one is created with
    // clDeviceSelector (empty: $SIGHTLINE_CL_DEVICE, then automatic). Must outlive the session.
    const compute::ComputeContext* compute = nullptr;
    std::string clDeviceSelector;
    // OpenCL: enqueue on an in-order queue of the session's own (same context and device)
    // instead of the context's queue, so runs do not serialise behind the context's other users
    // (the video bridge's map/unmap). Order across queues with events: runDevice's waitList.
    bool ownQueue = false;
    // OpenCL: how float32 values live on the device (nn/runtime/storage_choice.h). fp16 stores
    // every float32 intermediate and constant as half (arithmetic stays float32; half the
    // activation memory and bandwidth); the API's dtypes do not change: float32 inputs are
    // converted on upload, outputs back on download. auto measures both once per device, driver
    // and model and caches the faster (the product default: CLI, detector). The library default
    // is fp32 so results match the reference to float rounding.
    Storage storage = Storage::Fp32;
    // OpenCL with measure = false: when a program has to be compiled from source (empty
    // caches), helper processes compile the same model's programs into the shared disk cache
    // while this session does, each starting elsewhere in the node list
    // (nn/runtime/build_helpers.h). Processes, not threads: PoCL compiles under one lock per
    // process. -1: one per spare core, at most 3 ($SIGHTLINE_BUILD_HELPERS=N overrides; 0:
    // none). Only for a session load() made with the defaults that change kernels (passes,
    // input shapes, constant inputs), since a helper re-creates it from the file alone.
    int buildHelpers = -1;
    // The helper's side: prepare device nodes from step floor(k * steps / n) on, wrapping
    // around, so that k of n processes meet the others' programs on disk instead of building them.
    int prepareFromK = 0, prepareFromN = 1;
    // The model file (load() sets it): what a build helper loads.
    std::filesystem::path modelFile;
};

struct SessionIo {
    std::string name;
    TensorInfo info;
};

struct MemoryStats {
    size_t arenaBytes = 0;     // the planned activation buffer (peak of live intermediates)
    size_t naiveBytes = 0;     // what one buffer per value would cost
    size_t weightsBytes = 0;   // constants uploaded for device nodes
    int inPlaceConcats = 0;    // Concats skipped: their inputs are written into their output
    size_t peakDeviceBytes() const { return arenaBytes + weightsBytes; }
};

class Session {
public:
    static Expected<std::unique_ptr<Session>> create(Graph graph, const SessionOptions& options);
    // importOnnx + create.
    static Expected<std::unique_ptr<Session>> load(const std::filesystem::path& model,
                                                   const SessionOptions& options);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const std::vector<SessionIo>& inputs() const;
    const std::vector<SessionIo>& outputs() const;

    // Inputs in inputs() order, each with exactly the declared dtype and shape. Returns the
    // outputs in outputs() order.
    Expected<std::vector<Tensor>> run(std::span<const Tensor> inputs);
    // By name; every input must be given.
    Expected<std::vector<Tensor>> run(const std::map<std::string, Tensor>& inputs);

    // OpenCL sessions: inputs already on the device (the detection pipeline's preprocess output),
    // in inputs() order, each in a buffer of this session's context with the declared dtype and
    // shape. A float32 input may also come as float16 (the preprocessor's half output): copied
    // as is under fp16 storage, widened on the device under fp32; float32 into an fp16 session
    // is narrowed on the device. They are copied device-to-device on the session's queue after `waitList` (the
    // producer's events); nothing goes through the host. The caller may reuse its buffers once
    // run returns.
    Expected<std::vector<Tensor>> runDevice(std::span<const DeviceTensor> inputs,
                                            std::span<const cl_event> waitList = {});
    // The queue runs are enqueued on (OpenCL sessions; null on cpu-ref): the context's, or the
    // session's own with SessionOptions::ownQueue.
    cl_command_queue queue() const;

    Device device() const;
    const Profile& lastProfile() const;   // empty unless options.profile
    const TuningStats& tuning() const;    // kernel choices: cached / measured / defaults
    // Every choice that could be measured came from a measurement (cached or now): no conv
    // class on defaults, and storage auto was decided (not deferred by measure = false).
    bool fullyPrepared() const;
    // Kernel build helper processes this session started (SessionOptions::buildHelpers).
    int buildHelpersStarted() const;
    MemoryStats memory() const;
    // The storage that runs (fp32 on cpu-ref) and how it was chosen.
    Storage storage() const;
    const StorageChoice& storageChoice() const;
    const PassReport& passReport() const;
    int cpuFallbackNodes() const;         // nodes placed on the reference in an OpenCL session
    const Graph& graph() const;           // after the passes

private:
    struct Impl;
    explicit Session(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace sl::nn
