#include "pipeline/detector.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/cl_handles.h"
#include "core/log.h"
#include "vision/preprocess_reference.h"
#include "vision/yolox_decoder.h"

namespace sl::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

// The OpenCL half: the context (own or borrowed), the preprocess kernel and the device buffers
// reused from frame to frame (reallocated only when the frame size grows).
struct Detector::Cl {
    std::optional<compute::ComputeContext> own;
    const compute::ComputeContext* ctx = nullptr;
    std::optional<vision::Preprocessor> pre;
    compute::ClMem planes;   // uploaded YUV planes (VideoFrame input)
    size_t planesBytes = 0;
    compute::ClMem tensor;   // the network input
    bool halfInput = false;  // fp16 storage session: the preprocessor writes half
    // detectBatch: the batch session's input (one slot per frame) and each slot's uploaded
    // planes (host frames).
    compute::ClMem batchTensor;
    std::vector<compute::ClMem> slotPlanes;
    std::vector<size_t> slotPlanesBytes;
};

namespace {

// The frame's planes into `buf` (grown to fit), back to back at their own strides (the kernel
// takes any byte stride and offset), enqueued without waiting on `q`: the frame must stay alive
// until the queue has finished. Describes the uploaded frame in `dev`.
Status uploadPlanes(const compute::ComputeContext& ctx, cl_command_queue q,
                    const media::VideoFrame& frame, compute::ClMem& buf, size_t& bufBytes,
                    vision::DeviceYuvFrame& dev) {
    size_t total = 0;
    size_t offsets[3] = {0, 0, 0};
    for (int i = 0; i < frame.planeCount(); ++i) {
        offsets[i] = total;
        total += size_t(frame.stride(i)) * size_t(frame.planeHeight(i));
        total = (total + 255) & ~size_t(255);
    }
    if (total > bufBytes) {
        auto mem = ctx.createBuffer(CL_MEM_READ_ONLY, total);
        if (!mem) return mem.status().withContext("pipeline");
        buf = std::move(*mem);
        bufBytes = total;
    }
    dev.format = frame.format();
    dev.width = frame.width();
    dev.height = frame.height();
    dev.matrix = frame.colorMatrix();
    dev.range = frame.colorRange();
    dev.chroma = frame.chromaLocation();
    for (int i = 0; i < frame.planeCount(); ++i) {
        const size_t bytes = size_t(frame.stride(i)) * size_t(frame.planeHeight(i));
        const cl_int err = clEnqueueWriteBuffer(q, buf.get(), CL_FALSE, offsets[i], bytes,
                                                frame.plane(i), 0, nullptr, nullptr);
        if (err != CL_SUCCESS)
            return Status(StatusCode::Internal, "pipeline: uploading frame " +
                                                    std::to_string(frame.index()) + ": " +
                                                    compute::clErrorName(err));
        dev.planes[size_t(i)] = {buf.get(), offsets[i], frame.stride(i), frame.planeWidth(i),
                                 frame.planeHeight(i)};
    }
    return Status::ok();
}

vision::HostYuvFrame hostFrame(const media::VideoFrame& frame) {
    vision::HostYuvFrame host;
    host.format = frame.format();
    host.width = frame.width();
    host.height = frame.height();
    host.matrix = frame.colorMatrix();
    host.range = frame.colorRange();
    host.chroma = frame.chromaLocation();
    for (int i = 0; i < frame.planeCount(); ++i)
        host.planes[size_t(i)] = {frame.plane(i), frame.stride(i), frame.planeWidth(i),
                                  frame.planeHeight(i)};
    return host;
}

}  // namespace

Detector::~Detector() = default;

const compute::ComputeContext* Detector::compute() const { return cl_ ? cl_->ctx : nullptr; }

Expected<std::unique_ptr<Detector>> Detector::create(const models::InstalledModel& model,
                                                     const DetectorOptions& options) {
    const std::string who = "pipeline: model '" + model.weights.string() + "'";
    if (model.manifest.decoder != "yolox")
        return Status(StatusCode::Unsupported,
                      who + ": decoder \"" + model.manifest.decoder + "\" is not supported");
    std::unique_ptr<Detector> d(new Detector());
    d->model_ = model;
    d->options_ = options;
    d->device_ = options.device;
    d->settings_ = options.settings;
    if (options.batch < 1)
        return Status(StatusCode::InvalidArgument,
                      who + ": batch must be >= 1, not " + std::to_string(options.batch));
    d->batch_ = options.batch;
    nn::SessionOptions so;
    so.device = options.device;
    so.storage = options.storage;
    if (options.tuningBudgetMs >= 0) so.tuningBudgetMs = options.tuningBudgetMs;
    so.measure = options.measure;
    so.onProgress = options.onProgress;
    so.cancel = options.cancel;
    if (options.device == nn::Device::OpenCL) {
        d->cl_ = std::make_unique<Cl>();
        if (options.compute) {
            d->cl_->ctx = options.compute;
        } else {
            auto ctx = compute::ComputeContext::create(options.clDeviceSelector);
            if (!ctx) return ctx.status().withContext("pipeline");
            d->cl_->own.emplace(std::move(*ctx));
            d->cl_->ctx = &*d->cl_->own;
        }
        auto pre = vision::Preprocessor::create(*d->cl_->ctx);
        if (!pre) return pre.status().withContext("pipeline");
        d->cl_->pre.emplace(std::move(*pre));
        so.compute = d->cl_->ctx;
        so.ownQueue = options.ownQueue;
    }
    auto session = nn::Session::load(model.weights, so);
    if (!session) return Status(session.status().code(), who + ": " + session.status().message());
    d->session_ = std::move(*session);
    const models::ModelManifest& m = model.manifest;
    const auto& ins = d->session_->inputs();
    const auto& outs = d->session_->outputs();
    const nn::Shape wantIn{1, 3, m.inputHeight, m.inputWidth};
    const nn::Shape wantOut{1, m.outputRows(), m.outputColumns()};
    if (ins.size() != 1 || ins[0].info.shape != wantIn || ins[0].info.dtype != nn::DType::Float32)
        return Status(StatusCode::InvalidData,
                      who + ": input must be one float32 " + nn::shapeString(wantIn));
    if (outs.size() != 1 || outs[0].info.shape != wantOut)
        return Status(StatusCode::InvalidData,
                      who + ": output must be one float32 " + nn::shapeString(wantOut) +
                          " (manifest: " + std::to_string(m.labels.size()) + " labels)");
    if (d->cl_) {
        d->cl_->halfInput = d->session_->storage() == nn::Storage::Fp16;
        vision::PreprocessParams pp = m.preprocessParams();
        if (d->cl_->halfInput) pp.type = vision::TensorType::Float16;
        auto t = d->cl_->ctx->createBuffer(CL_MEM_READ_WRITE, vision::preprocessOutputBytes(pp));
        if (!t) return t.status().withContext("pipeline");
        d->cl_->tensor = std::move(*t);
    }
    if (d->batch_ > 1) {
        // The same storage as the batch-1 session (resolved: no second auto decision), so both
        // take the same preprocess output type.
        so.batch = d->batch_;
        so.storage = d->session_->storage();
        so.onProgress = nullptr;
        auto batched = nn::Session::load(model.weights, so);
        if (!batched)
            return Status(batched.status().code(), who + ": " + batched.status().message());
        d->batchSession_ = std::move(*batched);
        const auto& bi = d->batchSession_->inputs();
        const auto& bo = d->batchSession_->outputs();
        const nn::Shape wantBi{d->batch_, 3, m.inputHeight, m.inputWidth};
        const nn::Shape wantBo{d->batch_, m.outputRows(), m.outputColumns()};
        if (bi.size() != 1 || bi[0].info.shape != wantBi || bo.size() != 1 ||
            bo[0].info.shape != wantBo)
            return Status(StatusCode::Internal,
                          who + ": at batch " + std::to_string(d->batch_) + " the model is " +
                              nn::shapeString(bi.empty() ? nn::Shape{} : bi[0].info.shape) +
                              " -> " +
                              nn::shapeString(bo.empty() ? nn::Shape{} : bo[0].info.shape) +
                              ", expected " + nn::shapeString(wantBi) + " -> " +
                              nn::shapeString(wantBo));
        if (d->cl_) {
            vision::PreprocessParams pp = m.preprocessParams();
            if (d->cl_->halfInput) pp.type = vision::TensorType::Float16;
            const size_t bytes = vision::preprocessOutputBytes(pp) * size_t(d->batch_);
            auto t = d->cl_->ctx->createBuffer(CL_MEM_READ_WRITE, bytes);
            if (!t) return t.status().withContext("pipeline: batch input");
            // Slots a partial batch leaves unused hold zeros until a frame lands there (never
            // uninitialised memory: NaN or denormal garbage could only slow the kernels down).
            const cl_uchar zero = 0;
            cl_int err = clEnqueueFillBuffer(d->batchSession_->queue(), t->get(), &zero, 1, 0,
                                             bytes, 0, nullptr, nullptr);
            if (err == CL_SUCCESS) err = clFinish(d->batchSession_->queue());
            if (err != CL_SUCCESS)
                return Status(StatusCode::Internal,
                              std::string("pipeline: clearing the batch input: ") +
                                  compute::clErrorName(err));
            d->cl_->batchTensor = std::move(*t);
            d->cl_->slotPlanes.resize(size_t(d->batch_));
            d->cl_->slotPlanesBytes.assign(size_t(d->batch_), 0);
        }
    }
    return d;
}

Expected<std::unique_ptr<Detector>> Detector::load(const std::string& nameOrPath,
                                                   const DetectorOptions& options,
                                                   const models::ModelStore& store) {
    auto model = store.resolve(nameOrPath);
    if (!model) return model.status();
    return create(*model, options);
}

Expected<std::unique_ptr<Detector>> Detector::createSibling() const {
    DetectorOptions o = options_;
    o.settings = settings();
    if (cl_) {
        o.compute = cl_->ctx;
        o.ownQueue = true;
        o.storage = session_->storage();   // resolved: no second auto measurement
        o.tuningBudgetMs = 0;   // the kernel choices this detector's session measured and saved
        o.measure = false;
    }
    o.onProgress = nullptr;   // the first load's observers are not this one's
    o.cancel = nullptr;
    return create(model_, o);
}

void Detector::setSettings(const DetectorSettings& settings) {
    std::lock_guard lock(settingsMutex_);
    settings_ = settings;
}

DetectorSettings Detector::settings() const {
    std::lock_guard lock(settingsMutex_);
    return settings_;
}

Expected<std::vector<int>> Detector::parseClasses(const std::string& list) const {
    std::vector<int> ids;
    size_t start = 0;
    const models::ModelManifest& m = model_.manifest;
    while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        std::string name = list.substr(start, end - start);
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        while (!name.empty() && name.back() == ' ') name.pop_back();
        if (!name.empty()) {
            int id = m.classId(name);
            if (id < 0 && std::all_of(name.begin(), name.end(), ::isdigit) && name.size() < 6 &&
                std::stoi(name) < int(m.labels.size()))
                id = std::stoi(name);
            if (id < 0) {
                std::string some;
                for (size_t i = 0; i < std::min<size_t>(8, m.labels.size()); ++i)
                    some += (i ? ", " : "") + m.labels[i];
                return Status(StatusCode::InvalidArgument,
                              "pipeline: model '" + model_.name + "' has no class '" + name +
                                  "' (classes: " + some + ", ...)");
            }
            if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
        }
        start = end + 1;
    }
    return ids;
}

Expected<FrameDetections> Detector::decode(std::span<const float> output, int srcWidth,
                                           int srcHeight, const FrameMeta& meta) {
    const auto t0 = Clock::now();
    const models::ModelManifest& m = model_.manifest;
    vision::YoloxDecodeParams params = m.yoloxParams();
    {
        std::lock_guard lock(settingsMutex_);
        if (settings_.confidence >= 0) params.scoreThreshold = settings_.confidence;
        if (settings_.nms >= 0) params.nmsThreshold = settings_.nms;
        params.classFilter = settings_.classes;
    }
    const vision::Letterbox box = vision::computeLetterbox(srcWidth, srcHeight,
                                                           m.preprocessParams());
    auto dets = vision::decodeYolox(output, params, box, srcWidth, srcHeight);
    if (!dets) return dets.status().withContext("pipeline");
    FrameDetections r;
    r.frameIndex = meta.frameIndex;
    r.pts = meta.pts;
    r.seconds = meta.seconds;
    r.width = srcWidth;
    r.height = srcHeight;
    r.detections = std::move(*dets);
    timings_.decodeMs += msSince(t0);
    return r;
}

Expected<FrameDetections> Detector::detectOnHost(const media::VideoFrame& frame) {
    const auto t0 = Clock::now();
    const vision::HostYuvFrame host = hostFrame(frame);
    const vision::PreprocessParams params = model_.manifest.preprocessParams();
    nn::Tensor input(nn::DType::Float32, {1, 3, params.dstHeight, params.dstWidth});
    vision::preprocessReference(host, params, input.data<float>());
    auto out = session_->run(std::vector<nn::Tensor>{std::move(input)});
    if (!out) return out.status().withContext("pipeline");
    timings_ = {};
    timings_.inferenceMs = msSince(t0);
    timings_.runs = 1;
    recordRun(false, timings_.inferenceMs);
    const nn::Tensor& o = (*out)[0];
    return decode(std::span<const float>(o.data<float>(), size_t(o.elements())), frame.width(),
                  frame.height(), {frame.index(), frame.pts(), frame.seconds()});
}

Expected<FrameDetections> Detector::detect(const media::VideoFrame& frame) {
    if (!frame.valid())
        return Status(StatusCode::InvalidArgument, "pipeline: detect() got an empty frame");
    if (!cl_) return detectOnHost(frame);
    const auto t0 = Clock::now();
    cl_command_queue q = session_->queue();   // the session's (own or the context's)
    vision::DeviceYuvFrame dev;
    // Non-blocking: the frame keeps its buffers alive until detect() returns, and the session's
    // blocking output read at the end orders after these writes (in-order queue).
    SL_TRY(uploadPlanes(*cl_->ctx, q, frame, cl_->planes, cl_->planesBytes, dev));
    const double uploadMs = msSince(t0);
    auto r = detect(dev, {frame.index(), frame.pts(), frame.seconds()});
    timings_.uploadMs = uploadMs;
    // Whatever happened, the device must be done with the frame's memory before it may go.
    clFinish(q);
    return r;
}

Expected<FrameDetections> Detector::detect(const vision::DeviceYuvFrame& frame,
                                           const FrameMeta& meta,
                                           std::span<const cl_event> waitList) {
    if (!cl_)
        return Status(StatusCode::InvalidArgument,
                      "pipeline: device frames need an OpenCL detector (this one is cpu-ref)");
    const auto t0 = Clock::now();
    vision::PreprocessParams params = model_.manifest.preprocessParams();
    if (cl_->halfInput) params.type = vision::TensorType::Float16;
    compute::ClEvent preDone;
    SL_TRY(cl_->pre->run(frame, params, cl_->tensor.get(), 0,
                         std::vector<cl_event>(waitList.begin(), waitList.end()), &preDone,
                         session_->queue())
               .withContext("pipeline"));
    const nn::DType inType = cl_->halfInput ? nn::DType::Float16 : nn::DType::Float32;
    const nn::DeviceTensor input{cl_->tensor.get(), 0,
                                 {inType, {1, 3, params.dstHeight, params.dstWidth}}};
    const cl_event ev = preDone.get();
    auto out = session_->runDevice(std::span<const nn::DeviceTensor>(&input, 1),
                                   std::span<const cl_event>(&ev, 1));
    if (!out) return out.status().withContext("pipeline");
    timings_ = {};
    timings_.inferenceMs = msSince(t0);
    timings_.runs = 1;
    recordRun(false, timings_.inferenceMs);
    const nn::Tensor& o = (*out)[0];
    return decode(std::span<const float>(o.data<float>(), size_t(o.elements())), frame.width,
                  frame.height, meta);
}

// ---- detectBatch: several frames, one network run ----

nn::MemoryStats Detector::batchMemory() const {
    return batchSession_ ? batchSession_->memory() : nn::MemoryStats{};
}

void Detector::recordRun(bool batched, double ms) {
    // Moving average over the last few runs: the choice follows the machine's load.
    double& avg = batched ? batchMs_ : singleMs_;
    avg = avg < 0 ? ms : 0.75 * avg + 0.25 * ms;
}

bool Detector::padPartial(size_t k) const {
    switch (options_.partialBatch) {
    case DetectorOptions::PartialBatch::Pad: return true;
    case DetectorOptions::PartialBatch::Singles: return false;
    case DetectorOptions::PartialBatch::Auto: break;
    }
    // Measure each way once, then take the cheaper: one batch run or k single runs.
    if (batchMs_ < 0) return true;
    if (singleMs_ < 0) return false;
    return batchMs_ <= double(k) * singleMs_;
}

Expected<std::vector<FrameDetections>> Detector::detectBatch(
    std::span<const media::VideoFrame> frames) {
    for (const media::VideoFrame& f : frames)
        if (!f.valid())
            return Status(StatusCode::InvalidArgument,
                          "pipeline: detectBatch() got an empty frame");
    std::vector<FrameDetections> all;
    DetectorTimings total;
    for (size_t at = 0; at < frames.size(); at += size_t(batch_)) {
        const auto chunk = frames.subspan(at, std::min(frames.size() - at, size_t(batch_)));
        Expected<std::vector<FrameDetections>> part = std::vector<FrameDetections>{};
        if (!batchSession_ || (chunk.size() < size_t(batch_) && !padPartial(chunk.size()))) {
            DetectorTimings sum;
            for (const media::VideoFrame& f : chunk) {
                auto r = detect(f);
                if (!r) return r.status();
                part->push_back(std::move(*r));
                sum.uploadMs += timings_.uploadMs;
                sum.inferenceMs += timings_.inferenceMs;
                sum.decodeMs += timings_.decodeMs;
                sum.runs += timings_.runs;
            }
            timings_ = sum;
        } else {
            part = runHostBatch(chunk);
            if (!part) return part.status();
        }
        total.uploadMs += timings_.uploadMs;
        total.inferenceMs += timings_.inferenceMs;
        total.decodeMs += timings_.decodeMs;
        total.runs += timings_.runs;
        for (FrameDetections& r : *part) all.push_back(std::move(r));
    }
    timings_ = total;
    return all;
}

Expected<std::vector<FrameDetections>> Detector::detectBatch(
    std::span<const DeviceBatchFrame> frames) {
    if (!cl_)
        return Status(StatusCode::InvalidArgument,
                      "pipeline: device frames need an OpenCL detector (this one is cpu-ref)");
    std::vector<FrameDetections> all;
    DetectorTimings total;
    for (size_t at = 0; at < frames.size(); at += size_t(batch_)) {
        const auto chunk = frames.subspan(at, std::min(frames.size() - at, size_t(batch_)));
        Expected<std::vector<FrameDetections>> part = std::vector<FrameDetections>{};
        if (!batchSession_ || (chunk.size() < size_t(batch_) && !padPartial(chunk.size()))) {
            DetectorTimings sum;
            for (const DeviceBatchFrame& f : chunk) {
                auto r = detect(f.frame, f.meta, f.waitList);
                if (!r) return r.status();
                part->push_back(std::move(*r));
                sum.inferenceMs += timings_.inferenceMs;
                sum.decodeMs += timings_.decodeMs;
                sum.runs += timings_.runs;
            }
            timings_ = sum;
        } else {
            part = runDeviceBatch(chunk);
            if (!part) return part.status();
        }
        total.inferenceMs += timings_.inferenceMs;
        total.decodeMs += timings_.decodeMs;
        total.runs += timings_.runs;
        for (FrameDetections& r : *part) all.push_back(std::move(r));
    }
    timings_ = total;
    return all;
}

Expected<std::vector<FrameDetections>> Detector::runHostBatch(
    std::span<const media::VideoFrame> frames) {
    const auto t0 = Clock::now();
    if (!cl_) {
        // cpu-ref: the reference preprocess into each slot (slots past the frames stay zero).
        const vision::PreprocessParams params = model_.manifest.preprocessParams();
        const size_t slot = size_t(3) * size_t(params.dstHeight) * size_t(params.dstWidth);
        nn::Tensor input(nn::DType::Float32, {batch_, 3, params.dstHeight, params.dstWidth});
        for (size_t i = 0; i < frames.size(); ++i)
            vision::preprocessReference(hostFrame(frames[i]), params,
                                        input.data<float>() + i * slot);
        auto out = batchSession_->run(std::vector<nn::Tensor>{std::move(input)});
        if (!out) return out.status().withContext("pipeline");
        timings_ = {};
        timings_.inferenceMs = msSince(t0);
        timings_.runs = 1;
        recordRun(true, timings_.inferenceMs);
        const nn::Tensor& o = (*out)[0];
        const size_t rows = size_t(o.elements()) / size_t(batch_);
        std::vector<FrameDetections> results;
        for (size_t i = 0; i < frames.size(); ++i) {
            const media::VideoFrame& f = frames[i];
            auto r = decode(std::span<const float>(o.data<float>() + i * rows, rows), f.width(),
                            f.height(), {f.index(), f.pts(), f.seconds()});
            if (!r) return r.status();
            results.push_back(std::move(*r));
        }
        return results;
    }
    cl_command_queue q = batchSession_->queue();
    std::vector<DeviceBatchFrame> dev(frames.size());
    // Whatever happens, the device must be done with the frames' memory before they may go.
    struct Finisher {
        cl_command_queue q;
        ~Finisher() { clFinish(q); }
    } finisher{q};
    for (size_t i = 0; i < frames.size(); ++i) {
        SL_TRY(uploadPlanes(*cl_->ctx, q, frames[i], cl_->slotPlanes[i], cl_->slotPlanesBytes[i],
                            dev[i].frame));
        dev[i].meta = {frames[i].index(), frames[i].pts(), frames[i].seconds()};
    }
    const double uploadMs = msSince(t0);
    auto r = runDeviceBatch(dev);
    timings_.uploadMs = uploadMs;
    return r;
}

Expected<std::vector<FrameDetections>> Detector::runDeviceBatch(
    std::span<const DeviceBatchFrame> frames) {
    const auto t0 = Clock::now();
    vision::PreprocessParams params = model_.manifest.preprocessParams();
    if (cl_->halfInput) params.type = vision::TensorType::Float16;
    const size_t slotBytes = vision::preprocessOutputBytes(params);
    // Each frame into its slot; the network waits for all of them.
    std::vector<compute::ClEvent> done(frames.size());
    std::vector<cl_event> events;
    for (size_t i = 0; i < frames.size(); ++i) {
        const DeviceBatchFrame& f = frames[i];
        SL_TRY(cl_->pre->run(f.frame, params, cl_->batchTensor.get(), i * slotBytes,
                             std::vector<cl_event>(f.waitList.begin(), f.waitList.end()),
                             &done[i], batchSession_->queue())
                   .withContext("pipeline: batch frame " + std::to_string(i)));
        events.push_back(done[i].get());
    }
    const nn::DType inType = cl_->halfInput ? nn::DType::Float16 : nn::DType::Float32;
    const nn::DeviceTensor input{cl_->batchTensor.get(), 0,
                                 {inType, {batch_, 3, params.dstHeight, params.dstWidth}}};
    auto out = batchSession_->runDevice(std::span<const nn::DeviceTensor>(&input, 1), events);
    if (!out) return out.status().withContext("pipeline");
    timings_ = {};
    timings_.inferenceMs = msSince(t0);
    timings_.runs = 1;
    recordRun(true, timings_.inferenceMs);
    const nn::Tensor& o = (*out)[0];
    const size_t rows = size_t(o.elements()) / size_t(batch_);
    std::vector<FrameDetections> results;
    for (size_t i = 0; i < frames.size(); ++i) {
        auto r = decode(std::span<const float>(o.data<float>() + i * rows, rows),
                        frames[i].frame.width, frames[i].frame.height, frames[i].meta);
        if (!r) return r.status();
        results.push_back(std::move(*r));
    }
    return results;
}

}  // namespace sl::pipeline
