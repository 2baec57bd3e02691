#include "nn/runtime/session.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/embedded_kernels.h"
#include "compute/program_cache.h"
#include "core/log.h"
#include "nn/onnx/onnx_importer.h"
#include "nn/ops/op_registry.h"
#include "nn/ops/op_util.h"
#include "nn/runtime/build_helpers.h"
#include "nn/runtime/memory_planner.h"
#include "nn/tensor_util.h"

namespace sl::nn {

namespace {

constexpr size_t kNoOffset = std::numeric_limits<size_t>::max();
constexpr size_t kAlignment = 256;

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string nodeWhat(const NodeDesc& d) { return "op '" + d.opType + "' (node '" + d.name + "')"; }

bool resolved(const Shape& s) {
    return std::all_of(s.begin(), s.end(), [](int64_t d) { return d >= 0; });
}

}  // namespace

const char* deviceName(Device d) { return d == Device::OpenCL ? "opencl" : "cpu-ref"; }

Expected<Device> parseDevice(const std::string& s) {
    if (s == "opencl" || s == "cl") return Device::OpenCL;
    if (s == "cpu-ref" || s == "cpu") return Device::CpuReference;
    return Status(StatusCode::InvalidArgument,
                  "nn: unknown device '" + s + "' (expected opencl or cpu-ref)");
}

struct Session::Impl {
    Graph graph;
    SessionOptions options;
    PassReport passReport;
    std::vector<SessionIo> inputs, outputs;

    struct Step {
        int node = 0;
        std::unique_ptr<Op> op;
        bool onDevice = false;
        bool inPlace = false;   // a Concat whose inputs were all written into its output
    };
    std::vector<Step> steps;
    std::vector<int> lastUse;   // per value: last step reading it (steps.size() for outputs)
    Profile profile;
    int fallbackNodes = 0;

    // OpenCL state.
    std::optional<compute::ComputeContext> ownedContext;
    const compute::ComputeContext* cl = nullptr;
    compute::ClCommandQueue ownQueue;   // SessionOptions::ownQueue; else cl->queue()
    cl_command_queue queue() const { return ownQueue ? ownQueue.get() : cl->queue(); }
    compute::ClMem arena, weights;
    std::vector<size_t> arenaOffset;    // per value, kNoOffset when not in the arena
    std::vector<size_t> weightOffset;   // per value, kNoOffset when not uploaded
    MemoryStats memory;
    std::unique_ptr<KernelTuner> tuner;   // during prepareOpenCl; stats kept after
    TuningStats tuning;

    // Storage (see the storage functions at the end of this file).
    bool half = false;                   // fp16 storage: float32 values live as half
    StorageChoice storageChoice;
    PrepareProgress progress;            // where create() is (SessionOptions::onProgress)
    std::shared_ptr<compute::ComputeContext> sharedContext;   // auto: shared by the candidates
    compute::ClKernel narrowKernel, widenKernel;   // float32 <-> half device input conversions
    static Expected<std::unique_ptr<Impl>> createAuto(Graph graph, SessionOptions options);
    Expected<double> medianRunMs(int runs);
    TensorInfo storageInfo(const TensorInfo& info) const;
    Tensor toStorage(const Tensor& host) const;
    Tensor fromStorage(const Tensor& stored, DType logical) const;
    Status copyDeviceInput(size_t i, const DeviceTensor& src, std::span<const cl_event> waitList);

    Status prepare();
    // Whether this session may start build helpers (SessionOptions::buildHelpers): one a helper
    // can re-create from the model file alone, that measures nothing.
    bool mayStartBuildHelpers() const {
        return options.buildHelpers != 0 && !options.measure && options.prepareFromN <= 1 &&
               !options.modelFile.empty() && options.inputShapes.empty() &&
               options.constantInputs.empty() && options.optimize &&
               options.passes == PassOptions{} && cl->programs().options().diskEnabled;
    }
    Status resolveInputs();
    Status createSteps();
    Status prepareOpenCl();
    // Concats whose inputs can be written straight into their output (see the definition).
    struct ConcatPlacement {
        std::vector<ValueId> container;   // per value: the concat output it lives in, or kNoValue
        std::vector<size_t> offset;       // per value: its byte offset in that output
    };
    BuildHelpers helpers;   // SessionOptions::buildHelpers, until the first run ends
    int helpersStarted = 0;
    Status compileByRunning(const std::vector<Step*>& order);
    ConcatPlacement placeConcatInputs(const std::vector<ValueId>& root,
                                      std::vector<int>& firstStep, std::vector<int>& lastStep);
    Expected<std::vector<Tensor>> runReference(std::span<const Tensor> in);
    // Inputs come from the host (`in`) or from device buffers (`devIn`); exactly one is used.
    Expected<std::vector<Tensor>> runOpenCl(std::span<const Tensor> in,
                                            std::span<const DeviceTensor> devIn = {},
                                            std::span<const cl_event> waitList = {});
    DeviceTensor deviceTensor(ValueId id) const;
    ClOpContext clContext() const {
        return ClOpContext{cl, &cl->programs(), queue(), nullptr, half};
    }
    // An op's message ("nn/Conv 'c1': ...", "nn: op 'Det' ...") with the model's file name.
    Status withFile(const Status& st) const {
        std::string m = st.message();
        if (m.rfind("nn: ", 0) == 0) m = m.substr(4);
        return fail(st.code(), m);
    }
    Status fail(StatusCode code, const std::string& m) const {
        return Status(code, "nn: '" + graph.source + "': " + m);
    }
};

Status Session::Impl::resolveInputs() {
    for (const auto& [name, t] : options.constantInputs) {
        auto it = std::find_if(graph.inputs().begin(), graph.inputs().end(),
                               [&](ValueId id) { return graph.value(id).name == name; });
        if (it == graph.inputs().end())
            return fail(StatusCode::InvalidArgument, "no input named '" + name + "'");
        Value& v = graph.value(*it);
        v.constant = t;
        v.info = t.info();
        graph.inputs().erase(it);
    }
    for (const auto& [name, shape] : options.inputShapes) {
        ValueId id = graph.findValue(name);
        if (id == kNoValue ||
            std::find(graph.inputs().begin(), graph.inputs().end(), id) == graph.inputs().end())
            return fail(StatusCode::InvalidArgument, "no input named '" + name + "'");
        Value& v = graph.value(id);
        if (v.shapeKnown && v.info.shape.size() != shape.size())
            return fail(StatusCode::InvalidArgument,
                        "input '" + name + "' has rank " + std::to_string(v.info.shape.size()) +
                            ", the given shape " + shapeString(shape) + " does not");
        for (size_t i = 0; v.shapeKnown && i < shape.size(); ++i)
            if (v.info.shape[i] >= 0 && v.info.shape[i] != shape[i])
                return fail(StatusCode::InvalidArgument,
                            "input '" + name + "' is " + valueShapeString(v) +
                                ", the given shape " + shapeString(shape) + " does not match");
        v.info.shape = shape;
        v.shapeKnown = true;
    }
    // A dynamic leading dim is the batch when one is asked for (setBatch does the rest).
    for (ValueId id : graph.inputs()) {
        Value& v = graph.value(id);
        if (options.batch > 0 && v.shapeKnown && !v.info.shape.empty() && v.info.shape[0] < 0)
            v.info.shape[0] = options.batch;
    }
    for (ValueId id : graph.inputs()) {
        const Value& v = graph.value(id);
        if (!v.shapeKnown || !resolved(v.info.shape))
            return fail(StatusCode::InvalidArgument,
                        "unresolved dynamic shape: input '" + v.name + "' is " +
                            valueShapeString(v) +
                            "; give its shape (SessionOptions::inputShapes, or an --input file)");
    }
    return Status::ok();
}

Status Session::Impl::createSteps() {
    auto order = graph.topologicalOrder();
    if (!order) return order.status();
    // Every optional output the model leaves unnamed still needs somewhere to go.
    for (int n : *order)
        for (ValueId& o : graph.nodes()[size_t(n)].outputs)
            if (o == kNoValue)
                o = graph.addValue(graph.nodes()[size_t(n)].desc.name + ":unused", {}, false);

    for (int n : *order) {
        Node& node = graph.nodes()[size_t(n)];
        auto op = createOp(node.desc);
        if (!op) return withFile(op.status());
        std::vector<const TensorInfo*> infos;
        std::vector<const Tensor*> consts;
        for (ValueId id : node.inputs) {
            infos.push_back(id == kNoValue ? nullptr : &graph.value(id).info);
            consts.push_back(id == kNoValue || !graph.value(id).constant
                                 ? nullptr
                                 : &*graph.value(id).constant);
        }
        std::vector<TensorInfo> outs;
        if (Status st = (*op)->inferOutputs(infos, consts, outs); !st) return withFile(st);
        if (outs.size() != node.outputs.size())
            return fail(StatusCode::Internal, nodeWhat(node.desc) + " inferred " +
                                                  std::to_string(outs.size()) + " outputs, has " +
                                                  std::to_string(node.outputs.size()));
        for (size_t i = 0; i < outs.size(); ++i) {
            Value& v = graph.value(node.outputs[i]);
            if (!resolved(outs[i].shape))
                return fail(StatusCode::InvalidArgument,
                            "unresolved dynamic shape: " + nodeWhat(node.desc) + " output '" +
                                v.name + "' is " + shapeString(outs[i].shape));
            // The model's own shape inference is a cross-check of the op's: a disagreement
            // means one of them is wrong, and running anyway could be silently wrong.
            if (v.shapeKnown && resolved(v.info.shape) &&
                (v.info.shape != outs[i].shape || v.info.dtype != outs[i].dtype))
                return fail(StatusCode::Internal,
                            nodeWhat(node.desc) + " output '" + v.name + "': the op infers " +
                                dtypeName(outs[i].dtype) + " " + shapeString(outs[i].shape) +
                                ", the model says " + dtypeName(v.info.dtype) + " " +
                                shapeString(v.info.shape));
            v.info = outs[i];
            v.shapeKnown = true;
        }
        steps.push_back(Step{n, std::move(*op), false});
    }
    lastUse.assign(graph.values().size(), -1);
    for (size_t s = 0; s < steps.size(); ++s)
        for (ValueId id : graph.nodes()[size_t(steps[s].node)].inputs)
            if (id != kNoValue) lastUse[size_t(id)] = int(s);
    for (ValueId id : graph.outputs()) lastUse[size_t(id)] = int(steps.size());
    return Status::ok();
}

Status Session::Impl::prepare() {
    SL_TRY(resolveInputs());
    if (options.batch > 0) SL_TRY(setBatch(graph, options.batch));
    if (options.optimize) SL_TRY(optimizeGraph(graph, options.passes, &passReport));
    SL_TRY(createSteps());
    half = options.device == Device::OpenCL && options.storage == Storage::Fp16;
    storageChoice.storage = half ? Storage::Fp16 : Storage::Fp32;
    for (ValueId id : graph.inputs())
        inputs.push_back({graph.value(id).name, graph.value(id).info});
    for (ValueId id : graph.outputs())
        outputs.push_back({graph.value(id).name, graph.value(id).info});
    if (options.device == Device::OpenCL) SL_TRY(prepareOpenCl());
    return Status::ok();
}

Status Session::Impl::prepareOpenCl() {
    if (options.compute) {
        cl = options.compute;
    } else {
        auto ctx = compute::ComputeContext::create(options.clDeviceSelector);
        if (!ctx) return ctx.status();
        ownedContext.emplace(std::move(*ctx));
        cl = &*ownedContext;
    }
    if (options.ownQueue) {
        auto q = cl->createQueue();
        if (!q) return q.status();
        ownQueue = std::move(*q);
    }
    // Placement: device unless the op has no OpenCL path for this node.
    for (Step& s : steps) {
        const NodeDesc& d = graph.nodes()[size_t(s.node)].desc;
        s.onDevice = s.op->hasDevicePath(cl->info());
        if (s.onDevice) continue;
        if (!options.allowCpuFallback)
            return fail(StatusCode::Unsupported,
                        nodeWhat(d) + " has no OpenCL path on " + cl->info().name +
                            "; allow the CPU reference for it (--allow-cpu-fallback) or use "
                            "--device cpu-ref");
        ++fallbackNodes;
        logWarning("nn", "'" + graph.source + "': " + nodeWhat(d) +
                             " has no OpenCL path; it runs on the CPU reference");
    }
    // Activations: every non-constant value a step writes, plus the graph inputs. Ops that only
    // reinterpret the shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity) share their input's
    // bytes: no value is ever written after it is produced, so an alias is safe as long as the
    // shared range lives until the last reader of either name.
    arenaOffset.assign(graph.values().size(), kNoOffset);
    weightOffset.assign(graph.values().size(), kNoOffset);
    std::vector<ValueId> root(graph.values().size());
    for (size_t v = 0; v < root.size(); ++v) root[v] = ValueId(v);
    for (const Step& s : steps) {
        const Node& n = graph.nodes()[size_t(s.node)];
        const std::string& t = n.desc.opType;
        const bool view = t == "Reshape" || t == "Flatten" || t == "Squeeze" ||
                          t == "Unsqueeze" || t == "Identity";
        if (view && s.onDevice && !n.inputs.empty() && n.inputs[0] != kNoValue &&
            !graph.isConstant(n.inputs[0]) && n.outputs.size() == 1)
            root[size_t(n.outputs[0])] = root[size_t(n.inputs[0])];
    }
    std::vector<int> firstStep(graph.values().size(), 0), lastStep(graph.values().size(), -1);
    for (size_t s = 0; s < steps.size(); ++s)
        for (ValueId id : graph.nodes()[size_t(steps[s].node)].outputs)
            if (root[size_t(id)] == id) firstStep[size_t(id)] = int(s);
    for (size_t v = 0; v < root.size(); ++v) {
        const size_t r = size_t(root[v]);
        lastStep[r] = std::max({lastStep[r], lastUse[v], firstStep[r]});
    }
    const ConcatPlacement placed = placeConcatInputs(root, firstStep, lastStep);
    std::vector<ValueId> ids;
    std::vector<BufferRequest> requests;
    const auto request = [&](ValueId id) {
        const Value& v = graph.value(id);
        ids.push_back(id);
        requests.push_back({size_t(elementCount(v.info.shape)) *
                                dtypeSize(storageInfo(v.info).dtype),
                            firstStep[size_t(id)], lastStep[size_t(id)]});
    };
    for (ValueId id : graph.inputs()) request(id);
    for (size_t s = 0; s < steps.size(); ++s)
        for (ValueId id : graph.nodes()[size_t(steps[s].node)].outputs)
            if (root[size_t(id)] == id && placed.container[size_t(id)] == kNoValue) request(id);
    const MemoryPlan plan = planMemory(requests, kAlignment);
    for (size_t i = 0; i < ids.size(); ++i) arenaOffset[size_t(ids[i])] = plan.offsets[i];
    for (size_t v = 0; v < root.size(); ++v)
        if (placed.container[v] != kNoValue)
            arenaOffset[v] = arenaOffset[size_t(placed.container[v])] + placed.offset[v];
    for (size_t v = 0; v < root.size(); ++v)
        if (root[v] != ValueId(v)) arenaOffset[v] = arenaOffset[size_t(root[v])];
    memory.arenaBytes = plan.arenaBytes;
    memory.naiveBytes = plan.naiveBytes;
    auto arenaMem = cl->createBuffer(CL_MEM_READ_WRITE, std::max<size_t>(plan.arenaBytes, 256));
    if (!arenaMem) return arenaMem.status().withContext("nn: activation buffer");
    arena = std::move(*arenaMem);

    // Constants read by device steps, packed into one buffer.
    size_t wbytes = 0;
    for (const Step& s : steps) {
        if (!s.onDevice) continue;
        for (ValueId id : graph.nodes()[size_t(s.node)].inputs) {
            if (!graph.isConstant(id) || weightOffset[size_t(id)] != kNoOffset) continue;
            weightOffset[size_t(id)] = wbytes;
            const Tensor& c = *graph.value(id).constant;
            const size_t bytes = size_t(c.elements()) * dtypeSize(storageInfo(c.info()).dtype);
            wbytes += (bytes + kAlignment - 1) / kAlignment * kAlignment;
        }
    }
    memory.weightsBytes = wbytes;
    auto wmem = cl->createBuffer(CL_MEM_READ_ONLY, std::max<size_t>(wbytes, 256));
    if (!wmem) return wmem.status().withContext("nn: constant buffer");
    weights = std::move(*wmem);
    for (size_t id = 0; id < weightOffset.size(); ++id) {
        if (weightOffset[id] == kNoOffset) continue;
        const Tensor& c = *graph.values()[id].constant;
        const Tensor narrowed = half ? toStorage(c) : Tensor();
        const Tensor& t = half ? narrowed : c;
        if (t.bytes()) SL_TRY(cl->write(weights.get(), weightOffset[id], t.bytes(), t.raw()));
    }
    ClOpContext ctx = clContext();
    if (options.tuneKernels && KernelTuner::enabledByEnvironment()) {
        const compute::ProgramCacheOptions& pc = cl->programs().options();
        // All conv kernel files and the common prelude (storage conversions): an edit to any
        // invalidates the measured choices.
        std::string convSources;
        for (const char* f :
             {"nn_common.cl", "nn_conv.cl", "nn_conv_dwp.cl", "nn_conv_pw.cl", "nn_conv_s2.cl"})
            convSources += compute::embeddedKernelSource(f);
        tuner = std::make_unique<KernelTuner>(
            cl->info(), convSources,
            pc.diskEnabled ? pc.directory : std::filesystem::path(), options.tuningBudgetMs,
            options.measure);
        tuner->setCancel(options.cancel);
        ctx.tuner = tuner.get();
    }
    // Progress counts programs this preparation got from source or disk (the cache is shared by
    // every user of the context: deltas, not totals).
    const compute::ProgramCacheStats before = cl->programs().stats();
    progress.stage = half ? "fp16" : "fp32";
    progress.layers = 0;
    progress.layersTotal = int(std::count_if(steps.begin(), steps.end(),
                                             [](const Step& s) { return s.onDevice; }));
    // Device steps in preparation order: a build helper starts elsewhere and wraps around.
    std::vector<Step*> order;
    for (Step& s : steps)
        if (s.onDevice) order.push_back(&s);
    if (options.prepareFromN > 1 && !order.empty()) {
        const size_t from = size_t(options.prepareFromK) * order.size() / size_t(options.prepareFromN);
        std::rotate(order.begin(), order.begin() + std::ptrdiff_t(from % order.size()), order.end());
    }
    // Helpers start at the first program this session has to compile (a warm cache starts none).
    // They go on compiling the driver's work-group functions after their programs
    // (compileByRunning) and are stopped at the end of this session's first run, by when it has
    // everything, or when it is destroyed.
    bool helpersConsidered = !mayStartBuildHelpers();
    for (Step* step : order) {
        Step& s = *step;
        if (options.cancel && options.cancel->load(std::memory_order_relaxed))
            return fail(StatusCode::Cancelled, "preparation cancelled");
        std::vector<const Tensor*> consts;
        for (ValueId id : graph.nodes()[size_t(s.node)].inputs)
            consts.push_back(graph.isConstant(id) ? &*graph.value(id).constant : nullptr);
        if (Status st = s.op->prepareDevice(ctx, consts); !st)
            return st.withContext("nn: preparing " + nodeWhat(graph.nodes()[size_t(s.node)].desc));
        if (!helpersConsidered && cl->programs().stats().sourceBuilds > before.sourceBuilds) {
            helpersConsidered = true;
            const int n = options.buildHelpers < 0 ? BuildHelpers::defaultCount()
                                                   : options.buildHelpers;
            if (n > 0)
                helpersStarted = helpers.start(options.modelFile, cl->info().index,
                                               storageChoice.storage, n, options.batch);
        }
        if (options.onProgress) {
            const compute::ProgramCacheStats now = cl->programs().stats();
            ++progress.layers;
            progress.kernelsBuilt = (now.sourceBuilds - before.sourceBuilds) +
                                    (now.diskHits - before.diskHits);
            if (tuner) progress.classesMeasured = tuner->stats().tuned;
            options.onProgress(progress);
        }
    }
    if (options.prepareFromN > 1) SL_TRY(compileByRunning(order));
    if (tuner) {
        SL_TRY(tuner->save());
        tuning = tuner->stats();
        tuner.reset();
        logDebug("nn", "'" + graph.source + "': kernel tuning: " +
                           std::to_string(tuning.fromCache) + " layer classes from " +
                           tuning.path.string() + ", " + std::to_string(tuning.tuned) +
                           " measured (" + std::to_string(int(tuning.tuneMs)) + " ms), " +
                           std::to_string(tuning.untuned) + " left on defaults");
    }
    logDebug("nn", "'" + graph.source + "': " + storageName(storageChoice.storage) +
                       " storage, activation arena " +
                       std::to_string(memory.arenaBytes) + " bytes (no reuse: " +
                       std::to_string(memory.naiveBytes) + "), constants " +
                       std::to_string(memory.weightsBytes));
    return Status::ok();
}

// A Concat whose output is one contiguous slab per input (every dim before the axis is 1, e.g.
// a batch-1 channel concat) needs no copy when each input is written by its producer straight
// into its slab. An input qualifies when a device step produces it, it is not a graph input or
// output (those have their own bytes), no view aliases it and it is not an alias itself, it is
// not already placed in another concat, and it appears once in this one. A concat all of whose
// inputs qualify is skipped at run time; otherwise nothing changes for it. The output's lifetime
// grows to cover its inputs' (first producer to last reader of any of them), so the planner
// keeps those bytes for the whole span. Nested placement (a placed concat's output placed in
// another concat) is not done: only concat outputs that are not themselves placed qualify.
Session::Impl::ConcatPlacement Session::Impl::placeConcatInputs(const std::vector<ValueId>& root,
                                                                std::vector<int>& firstStep,
                                                                std::vector<int>& lastStep) {
    const size_t nv = graph.values().size();
    ConcatPlacement p{std::vector<ValueId>(nv, kNoValue), std::vector<size_t>(nv, 0)};
    std::vector<bool> aliased(nv, false), deviceMade(nv, false), isOutput(nv, false);
    for (size_t v = 0; v < nv; ++v)
        if (root[v] != ValueId(v)) aliased[size_t(root[v])] = true;
    for (const Step& s : steps)
        if (s.onDevice)
            for (ValueId id : graph.nodes()[size_t(s.node)].outputs) deviceMade[size_t(id)] = true;
    for (ValueId id : graph.outputs()) isOutput[size_t(id)] = true;
    std::vector<bool> isConcatOut(nv, false);
    int concats = 0, inputs = 0;
    for (Step& s : steps) {
        const Node& n = graph.nodes()[size_t(s.node)];
        if (!s.onDevice || n.desc.opType != "Concat" || n.outputs.size() != 1) continue;
        const ValueId y = n.outputs[0];
        const Shape& ys = graph.value(y).info.shape;
        const int64_t rank = int64_t(ys.size());
        int64_t axis = n.desc.attributes.get<int64_t>("axis", 0);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank || root[size_t(y)] != y) continue;
        if (!std::all_of(ys.begin(), ys.begin() + axis, [](int64_t d) { return d == 1; })) continue;
        bool all = !n.inputs.empty();
        for (size_t i = 0; i < n.inputs.size() && all; ++i) {
            const ValueId x = n.inputs[i];
            all = x != kNoValue && !graph.isConstant(x) && deviceMade[size_t(x)] &&
                  !isOutput[size_t(x)] && root[size_t(x)] == x && !aliased[size_t(x)] &&
                  p.container[size_t(x)] == kNoValue && !isConcatOut[size_t(x)] &&
                  graph.value(x).info.dtype == graph.value(y).info.dtype &&
                  std::count(n.inputs.begin(), n.inputs.end(), x) == 1;
        }
        if (!all) continue;
        size_t at = 0;
        for (ValueId x : n.inputs) {
            const Value& v = graph.value(x);
            p.container[size_t(x)] = y;
            p.offset[size_t(x)] = at;
            // Bytes as stored on the device (half under fp16 storage), as the planner sizes them.
            at += size_t(elementCount(v.info.shape)) * dtypeSize(storageInfo(v.info).dtype);
            firstStep[size_t(y)] = std::min(firstStep[size_t(y)], firstStep[size_t(x)]);
            lastStep[size_t(y)] = std::max(lastStep[size_t(y)], lastStep[size_t(x)]);
            ++inputs;
        }
        isConcatOut[size_t(y)] = true;
        s.inPlace = true;
        ++concats;
    }
    memory.inPlaceConcats = concats;
    if (concats)
        logDebug("nn", "'" + graph.source + "': " + std::to_string(concats) +
                           " concats run in place (" + std::to_string(inputs) +
                           " inputs written into their outputs)");
    return p;
}

DeviceTensor Session::Impl::deviceTensor(ValueId id) const {
    if (id == kNoValue) return {};
    const Value& v = graph.value(id);
    const TensorInfo info = storageInfo(v.info);
    if (weightOffset[size_t(id)] != kNoOffset)
        return {weights.get(), weightOffset[size_t(id)], info};
    if (arenaOffset[size_t(id)] != kNoOffset) return {arena.get(), arenaOffset[size_t(id)], info};
    return {nullptr, 0, info};
}

Expected<std::vector<Tensor>> Session::Impl::runReference(std::span<const Tensor> in) {
    std::vector<std::optional<Tensor>> live(graph.values().size());
    for (size_t i = 0; i < in.size(); ++i) live[size_t(graph.inputs()[i])] = in[i];
    const auto get = [&](ValueId id) -> const Tensor* {
        if (id == kNoValue) return nullptr;
        if (graph.isConstant(id)) return &*graph.value(id).constant;
        return live[size_t(id)] ? &*live[size_t(id)] : nullptr;
    };
    for (size_t s = 0; s < steps.size(); ++s) {
        const Node& node = graph.nodes()[size_t(steps[s].node)];
        const auto t0 = Clock::now();
        std::vector<const Tensor*> ins;
        for (ValueId id : node.inputs) ins.push_back(get(id));
        std::vector<Tensor> outs;
        for (ValueId id : node.outputs)
            outs.emplace_back(graph.value(id).info.dtype, graph.value(id).info.shape);
        if (Status st = steps[s].op->runReference(ins, outs); !st) return st;
        for (size_t i = 0; i < outs.size(); ++i) live[size_t(node.outputs[i])] = std::move(outs[i]);
        // Drop what no later step reads (keeps peak host memory near the planner's figure).
        for (ValueId id : node.inputs)
            if (id != kNoValue && lastUse[size_t(id)] == int(s)) live[size_t(id)].reset();
        if (options.profile)
            profile.nodes.push_back({node.desc.name, node.desc.opType, msSince(t0), false});
    }
    std::vector<Tensor> result;
    for (ValueId id : graph.outputs()) {
        const Tensor* t = get(id);
        if (!t)
            return fail(StatusCode::Internal, "output '" + graph.value(id).name + "' not computed");
        result.push_back(*t);
    }
    return result;
}

// A build helper's second half: the device steps enqueued once, in its own order, on zeroed
// activations. The results are meaningless; what counts is that the driver compiles each
// kernel's work-group function for the launch sizes the parent will use, into its own disk
// cache (PoCL's POCL_CACHE_DIR, keyed by the program's build hash, which a program loaded from
// the binary this process wrote keeps), while the parent compiles the others.
Status Session::Impl::compileByRunning(const std::vector<Step*>& order) {
    const ClOpContext ctx = clContext();
    const cl_uchar zero = 0;
    SL_CL_TRY(clEnqueueFillBuffer(ctx.queue, arena.get(), &zero, 1, 0,
                                  std::max<size_t>(memory.arenaBytes, 256), 0, nullptr, nullptr));
    for (const Step* step : order) {
        if (step->inPlace) continue;
        const Node& node = graph.nodes()[size_t(step->node)];
        std::vector<DeviceTensor> ins, outs;
        for (ValueId id : node.inputs) ins.push_back(deviceTensor(id));
        for (ValueId id : node.outputs) outs.push_back(deviceTensor(id));
        SL_TRY(step->op->runDevice(ctx, ins, outs));
        SL_CL_TRY(clFinish(ctx.queue));   // one kernel at a time: compiled in order
    }
    return Status::ok();
}

Expected<std::vector<Tensor>> Session::Impl::runOpenCl(std::span<const Tensor> in,
                                                       std::span<const DeviceTensor> devIn,
                                                       std::span<const cl_event> waitList) {
    const ClOpContext ctx = clContext();
    cl_command_queue q = ctx.queue;
    std::vector<Tensor> staged;   // host inputs converted to the storage dtype (outlive the queue)
    // Build helpers have nothing left to do once this run has compiled everything (declared
    // first: stopped after the queue has finished).
    struct HelperStop {
        BuildHelpers& helpers;
        ~HelperStop() { helpers.stop(); }
    } helperStop{helpers};
    // Whatever happens, nothing may still read the caller's memory when this returns.
    struct Finisher {
        cl_command_queue q;
        ~Finisher() { clFinish(q); }
    } finisher{q};

    auto t0 = Clock::now();
    for (size_t i = 0; i < devIn.size(); ++i) SL_TRY(copyDeviceInput(i, devIn[i], waitList));
    staged.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        const DeviceTensor d = deviceTensor(graph.inputs()[i]);
        const Tensor* src = &in[i];
        if (d.info.dtype != in[i].dtype()) {
            staged.push_back(toStorage(in[i]));
            src = &staged.back();
        }
        if (src->bytes())
            SL_CL_TRY(clEnqueueWriteBuffer(q, d.mem, CL_FALSE, d.offset, src->bytes(), src->raw(),
                                           0, nullptr, nullptr));
    }
    if (options.profile) {
        SL_CL_TRY(clFinish(q));
        profile.uploadMs = msSince(t0);
    }
    // Profiling: a marker after every step; in an in-order queue a marker completes when
    // everything before it has, so a step's device time is the gap between consecutive markers.
    compute::ClEvent previous;
    if (options.profile) SL_CL_TRY(clEnqueueMarkerWithWaitList(q, 0, nullptr, previous.out()));
    for (size_t s = 0; s < steps.size(); ++s) {
        const Step& step = steps[s];
        const Node& node = graph.nodes()[size_t(step.node)];
        if (step.inPlace) continue;   // its inputs were written where its output lives
        if (step.onDevice) {
            std::vector<DeviceTensor> ins, outs;
            for (ValueId id : node.inputs) ins.push_back(deviceTensor(id));
            for (ValueId id : node.outputs) outs.push_back(deviceTensor(id));
            if (Status st = step.op->runDevice(ctx, ins, outs); !st) return st;
            if (options.profile) {
                compute::ClEvent marker;
                SL_CL_TRY(clEnqueueMarkerWithWaitList(q, 0, nullptr, marker.out()));
                auto a = compute::eventTimes(previous.get());
                auto b = compute::eventTimes(marker.get());
                double ms = 0;
                if (a && b) ms = double(int64_t(b->endNs) - int64_t(a->endNs)) / 1e6;
                profile.nodes.push_back(
                    {node.desc.name, node.desc.opType, std::max(ms, 0.0), true});
                previous = std::move(marker);
            }
            continue;
        }
        // CPU reference fallback: bring the inputs over, run, send the outputs back.
        const auto h0 = Clock::now();
        std::vector<Tensor> hostIns(node.inputs.size());
        std::vector<const Tensor*> ins;
        for (size_t i = 0; i < node.inputs.size(); ++i) {
            ValueId id = node.inputs[i];
            if (id == kNoValue) {
                ins.push_back(nullptr);
            } else if (graph.isConstant(id)) {
                ins.push_back(&*graph.value(id).constant);
            } else {
                const Value& v = graph.value(id);
                const TensorInfo si = storageInfo(v.info);
                hostIns[i] = Tensor(si.dtype, si.shape);
                if (hostIns[i].bytes())
                    SL_CL_TRY(clEnqueueReadBuffer(q, arena.get(), CL_TRUE, arenaOffset[size_t(id)],
                                                  hostIns[i].bytes(), hostIns[i].raw(), 0, nullptr,
                                                  nullptr));
                if (half) hostIns[i] = fromStorage(hostIns[i], v.info.dtype);
                ins.push_back(&hostIns[i]);
            }
        }
        std::vector<Tensor> outs;
        for (ValueId id : node.outputs)
            outs.emplace_back(graph.value(id).info.dtype, graph.value(id).info.shape);
        if (Status st = step.op->runReference(ins, outs); !st) return st;
        for (Tensor& o : outs)
            if (half) o = toStorage(o);
        for (size_t i = 0; i < outs.size(); ++i)
            if (outs[i].bytes())
                SL_CL_TRY(clEnqueueWriteBuffer(
                    q, arena.get(), CL_TRUE, arenaOffset[size_t(node.outputs[i])], outs[i].bytes(),
                    outs[i].raw(), 0, nullptr, nullptr));
        if (options.profile) {
            profile.nodes.push_back({node.desc.name, node.desc.opType, msSince(h0), false});
            SL_CL_TRY(clEnqueueMarkerWithWaitList(q, 0, nullptr, previous.out()));
        }
    }
    t0 = Clock::now();
    std::vector<Tensor> result;
    for (size_t o = 0; o < graph.outputs().size(); ++o) {
        ValueId id = graph.outputs()[o];
        const Value& v = graph.value(id);
        if (v.constant) {
            result.push_back(*v.constant);
            continue;
        }
        result.emplace_back(storageInfo(v.info).dtype, v.info.shape);
        if (result.back().bytes())
            SL_CL_TRY(clEnqueueReadBuffer(q, arena.get(), CL_FALSE, arenaOffset[size_t(id)],
                                          result.back().bytes(), result.back().raw(), 0, nullptr,
                                          nullptr));
    }
    SL_CL_TRY(clFinish(q));
    for (size_t o = 0; half && o < result.size(); ++o)
        result[o] = fromStorage(result[o], graph.value(graph.outputs()[o]).info.dtype);
    if (options.profile) profile.downloadMs = msSince(t0);
    return result;
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Expected<std::unique_ptr<Session>> Session::create(Graph graph, const SessionOptions& options) {
    if (options.device == Device::OpenCL && options.storage == Storage::Auto) {
        auto chosen = Impl::createAuto(std::move(graph), options);
        if (!chosen) return chosen.status();
        return std::unique_ptr<Session>(new Session(std::move(*chosen)));
    }
    auto impl = std::make_unique<Impl>();
    impl->graph = std::move(graph);
    impl->options = options;
    if (Status st = impl->prepare(); !st) return st;
    return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Expected<std::unique_ptr<Session>> Session::load(const std::filesystem::path& model,
                                                 const SessionOptions& options) {
    auto graph = importOnnx(model);
    if (!graph) return graph.status();
    SessionOptions o = options;
    if (o.modelFile.empty()) o.modelFile = model;
    return create(std::move(*graph), o);
}

const std::vector<SessionIo>& Session::inputs() const { return impl_->inputs; }
const std::vector<SessionIo>& Session::outputs() const { return impl_->outputs; }
Device Session::device() const { return impl_->options.device; }
const Profile& Session::lastProfile() const { return impl_->profile; }
const TuningStats& Session::tuning() const { return impl_->tuning; }
bool Session::fullyPrepared() const {
    return impl_->tuning.untuned == 0 && !impl_->storageChoice.deferred;
}
int Session::buildHelpersStarted() const { return impl_->helpersStarted; }
MemoryStats Session::memory() const { return impl_->memory; }
Storage Session::storage() const { return impl_->storageChoice.storage; }
const StorageChoice& Session::storageChoice() const { return impl_->storageChoice; }
const PassReport& Session::passReport() const { return impl_->passReport; }
int Session::cpuFallbackNodes() const { return impl_->fallbackNodes; }
const Graph& Session::graph() const { return impl_->graph; }

Expected<std::vector<Tensor>> Session::run(std::span<const Tensor> inputs) {
    Impl& m = *impl_;
    if (inputs.size() != m.inputs.size())
        return m.fail(StatusCode::InvalidArgument,
                      "expected " + std::to_string(m.inputs.size()) + " inputs, got " +
                          std::to_string(inputs.size()));
    for (size_t i = 0; i < inputs.size(); ++i) {
        const TensorInfo& want = m.inputs[i].info;
        if (inputs[i].dtype() != want.dtype || inputs[i].shape() != want.shape)
            return m.fail(StatusCode::InvalidArgument,
                          "input '" + m.inputs[i].name + "' must be " + dtypeName(want.dtype) +
                              " " + shapeString(want.shape) + ", got " +
                              dtypeName(inputs[i].dtype()) + " " + shapeString(inputs[i].shape()));
    }
    m.profile = {};
    const auto t0 = Clock::now();
    auto out = m.options.device == Device::OpenCL ? m.runOpenCl(inputs) : m.runReference(inputs);
    m.profile.totalMs = msSince(t0);
    return out;
}

Expected<std::vector<Tensor>> Session::runDevice(std::span<const DeviceTensor> inputs,
                                                 std::span<const cl_event> waitList) {
    Impl& m = *impl_;
    if (m.options.device != Device::OpenCL)
        return m.fail(StatusCode::InvalidArgument, "runDevice needs an OpenCL session");
    if (inputs.size() != m.inputs.size())
        return m.fail(StatusCode::InvalidArgument,
                      "expected " + std::to_string(m.inputs.size()) + " inputs, got " +
                          std::to_string(inputs.size()));
    for (size_t i = 0; i < inputs.size(); ++i) {
        const TensorInfo& want = m.inputs[i].info;
        // float32 inputs may come as float16 (copyDeviceInput converts where needed).
        const bool halfForFloat =
            want.dtype == DType::Float32 && inputs[i].info.dtype == DType::Float16;
        if (!inputs[i].mem || (inputs[i].info.dtype != want.dtype && !halfForFloat) ||
            inputs[i].info.shape != want.shape)
            return m.fail(StatusCode::InvalidArgument,
                          "device input '" + m.inputs[i].name + "' must be " +
                              dtypeName(want.dtype) + " " + shapeString(want.shape) + ", got " +
                              dtypeName(inputs[i].info.dtype) + " " +
                              shapeString(inputs[i].info.shape));
    }
    m.profile = {};
    const auto t0 = Clock::now();
    auto out = m.runOpenCl({}, inputs, waitList);
    m.profile.totalMs = msSince(t0);
    return out;
}

cl_command_queue Session::queue() const { return impl_->cl ? impl_->queue() : nullptr; }

Expected<std::vector<Tensor>> Session::run(const std::map<std::string, Tensor>& inputs) {
    std::vector<Tensor> ordered;
    for (const SessionIo& io : impl_->inputs) {
        auto it = inputs.find(io.name);
        if (it == inputs.end())
            return impl_->fail(StatusCode::InvalidArgument, "input '" + io.name + "' not given");
        ordered.push_back(it->second);
    }
    for (const auto& [name, t] : inputs)
        if (std::none_of(impl_->inputs.begin(), impl_->inputs.end(),
                         [&](const SessionIo& io) { return io.name == name; }))
            return impl_->fail(StatusCode::InvalidArgument,
                               "the model has no input '" + name + "'");
    return run(ordered);
}

// ---- storage: fp32 / fp16 on the device (SessionOptions::storage) ----

TensorInfo Session::Impl::storageInfo(const TensorInfo& info) const {
    if (half && info.dtype == DType::Float32) return {DType::Float16, info.shape};
    return info;
}

Tensor Session::Impl::toStorage(const Tensor& host) const {
    return half ? convertFloat(host, DType::Float16) : host;
}

Tensor Session::Impl::fromStorage(const Tensor& stored, DType logical) const {
    return convertFloat(stored, logical);
}

// A caller's device input into the arena: copied when it already has the storage dtype, else
// converted by a cast kernel (float32 -> half narrows rounding to nearest even, as floatToHalf).
Status Session::Impl::copyDeviceInput(size_t i, const DeviceTensor& src,
                                      std::span<const cl_event> waitList) {
    const DeviceTensor d = deviceTensor(graph.inputs()[i]);
    cl_command_queue q = queue();
    const size_t n = size_t(elementCount(d.info.shape));
    if (n == 0) return Status::ok();
    if (src.info.dtype == d.info.dtype) {
        SL_CL_TRY(clEnqueueCopyBuffer(q, src.mem, d.mem, src.offset, d.offset,
                                      n * dtypeSize(d.info.dtype), cl_uint(waitList.size()),
                                      waitList.empty() ? nullptr : waitList.data(), nullptr));
        return Status::ok();
    }
    const bool narrow = d.info.dtype == DType::Float16;
    compute::ClKernel& k = narrow ? narrowKernel : widenKernel;
    if (!k) {
        ClOpContext plain{cl, &cl->programs(), q, nullptr, false};
        auto built = buildKernel(plain, "nn_data.cl", "cast",
                                 narrow ? " -DSRC=float -DDST=half -DDST_HALF=1"
                                        : " -DSRC=half -DDST=float -DSRC_HALF=1");
        if (!built) return built.status().withContext("nn: device input conversion");
        k = std::move(*built);
    }
    auto so = elementOffset(src);
    auto dof = elementOffset(d);
    if (!so || !dof) return fail(StatusCode::InvalidArgument, "device input offset not aligned");
    SL_TRY(setArgs(k.get(), src.mem, *so, d.mem, *dof, cl_int(n)));
    const size_t g[1] = {roundUp(n, 64)};
    const size_t l[1] = {64};
    SL_CL_TRY(clEnqueueNDRangeKernel(q, k.get(), 1, nullptr, g, l, cl_uint(waitList.size()),
                                     waitList.empty() ? nullptr : waitList.data(), nullptr));
    return Status::ok();
}

// Median wall time of `runs` runs on deterministic random inputs, after one warm-up run.
Expected<double> Session::Impl::medianRunMs(int runs) {
    std::vector<Tensor> in;
    for (size_t i = 0; i < inputs.size(); ++i)
        in.push_back(randomTensor(inputs[i].info, 1234 + i, 0.f, 1.f));
    std::vector<double> ms;
    for (int r = 0; r <= runs; ++r) {
        const auto t0 = Clock::now();
        auto out = runOpenCl(in);
        if (!out) return out.status();
        if (r > 0) ms.push_back(msSince(t0));
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

// storage = auto: $SIGHTLINE_NN_STORAGE, else the cached decision for this device and model,
// else both variants are prepared and timed, the faster kept and cached. fp16 must win by 2%:
// a tie is noise, and fp32 is the exact one.
Expected<std::unique_ptr<Session::Impl>> Session::Impl::createAuto(Graph graph,
                                                                   SessionOptions options) {
    std::shared_ptr<compute::ComputeContext> shared;
    if (!options.compute) {
        auto ctx = compute::ComputeContext::create(options.clDeviceSelector);
        if (!ctx) return ctx.status();
        shared = std::make_shared<compute::ComputeContext>(std::move(*ctx));
        options.compute = shared.get();
    }
    const compute::ComputeContext& cl = *options.compute;
    const compute::ProgramCacheOptions& pc = cl.programs().options();
    StorageChoiceCache cache(cl.info(), pc.diskEnabled ? pc.directory : std::filesystem::path());
    // The decision is about this model on these kernels: a kernel edit can shift the balance,
    // so every embedded nn kernel source is part of the key (as for the conv tuning file).
    uint64_t checksum = modelChecksum(graph);
    // The graph is still at the model's batch here: another batch is another decision.
    if (options.batch > 0)
        checksum = compute::fnv1a64("batch " + std::to_string(options.batch), checksum);
    for (std::string_view name : compute::embeddedKernelNames())
        if (name.substr(0, 3) == "nn_")
            checksum = compute::fnv1a64(compute::embeddedKernelSource(name), checksum);
    const std::string source = graph.source;
    auto make = [&](Storage s, Graph g, int pass, int passes) -> Expected<std::unique_ptr<Impl>> {
        auto impl = std::make_unique<Impl>();
        impl->graph = std::move(g);
        impl->options = options;
        impl->options.storage = s;
        impl->sharedContext = shared;
        impl->progress.pass = pass;
        impl->progress.passes = passes;
        SL_TRY(impl->prepare());
        return impl;
    };
    StorageChoice choice;
    if (auto env = storageFromEnvironment()) {
        choice.storage = *env;
        choice.fromEnvironment = true;
        logInfo("nn", "'" + source + "': storage " + storageName(*env) +
                          " ($SIGHTLINE_NN_STORAGE)");
    } else if (auto cached = cache.lookup(checksum)) {
        choice = *cached;
        logDebug("nn", "'" + source + "': storage " + storageName(choice.storage) + " (cached in " +
                           cache.path().string() + ")");
    } else if (!options.measure) {
        // Nothing timed on this path: fp32 (the exact one) until a measuring preparation
        // decides and caches the choice.
        choice.storage = Storage::Fp32;
        choice.deferred = true;
        logDebug("nn", "'" + source + "': storage fp32 for now (auto, not measured yet)");
    } else {
        auto a = make(Storage::Fp32, graph, 1, 2);
        if (!a) return a.status();
        auto b = make(Storage::Fp16, std::move(graph), 2, 2);
        if (!b) return b.status();
        constexpr int kRuns = 5;
        auto ms32 = (*a)->medianRunMs(kRuns);
        if (!ms32) return ms32.status();
        auto ms16 = (*b)->medianRunMs(kRuns);
        if (!ms16) return ms16.status();
        choice.measured = true;
        choice.fp32Ms = *ms32;
        choice.fp16Ms = *ms16;
        choice.storage = *ms16 < 0.98 * *ms32 ? Storage::Fp16 : Storage::Fp32;
        choice.automatic = true;
        cache.record(checksum, choice);
        char line[160];
        std::snprintf(line, sizeof line, "storage %s (measured on %s: fp32 %.2f ms, fp16 %.2f ms)",
                      storageName(choice.storage), cl.info().name.c_str(), *ms32, *ms16);
        logInfo("nn", "'" + source + "': " + line);
        auto& winner = choice.storage == Storage::Fp16 ? *b : *a;
        const auto& loser = choice.storage == Storage::Fp16 ? *a : *b;
        // What this creation measured counts both candidates' classes (their choices are
        // cached either way).
        winner->tuning.tuned += loser->tuning.tuned;
        winner->tuning.tuneMs += loser->tuning.tuneMs;
        winner->storageChoice = choice;
        winner->profile = {};
        return std::move(winner);
    }
    choice.automatic = true;
    auto impl = make(choice.storage, std::move(graph), 1, 1);
    if (!impl) return impl.status();
    (*impl)->storageChoice = choice;
    return impl;
}

}  // namespace sl::nn
