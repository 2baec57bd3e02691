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
};

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

Expected<FrameDetections> Detector::decode(const nn::Tensor& output, int srcWidth, int srcHeight,
                                           const FrameMeta& meta) {
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
    auto dets = vision::decodeYolox(
        std::span<const float>(output.data<float>(), size_t(output.elements())), params, box,
        srcWidth, srcHeight);
    if (!dets) return dets.status().withContext("pipeline");
    FrameDetections r;
    r.frameIndex = meta.frameIndex;
    r.pts = meta.pts;
    r.seconds = meta.seconds;
    r.width = srcWidth;
    r.height = srcHeight;
    r.detections = std::move(*dets);
    timings_.decodeMs = msSince(t0);
    return r;
}

Expected<FrameDetections> Detector::detectOnHost(const media::VideoFrame& frame) {
    const auto t0 = Clock::now();
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
    const vision::PreprocessParams params = model_.manifest.preprocessParams();
    nn::Tensor input(nn::DType::Float32, {1, 3, params.dstHeight, params.dstWidth});
    vision::preprocessReference(host, params, input.data<float>());
    auto out = session_->run(std::vector<nn::Tensor>{std::move(input)});
    if (!out) return out.status().withContext("pipeline");
    timings_.uploadMs = 0;
    timings_.inferenceMs = msSince(t0);
    return decode((*out)[0], frame.width(), frame.height(),
                  {frame.index(), frame.pts(), frame.seconds()});
}

Expected<FrameDetections> Detector::detect(const media::VideoFrame& frame) {
    if (!frame.valid())
        return Status(StatusCode::InvalidArgument, "pipeline: detect() got an empty frame");
    if (!cl_) return detectOnHost(frame);
    const auto t0 = Clock::now();
    // Planes back to back in one buffer at their own strides: the kernel takes any byte stride
    // and offset, so a plain write per plane suffices (no repacking on the host).
    size_t total = 0;
    size_t offsets[3] = {0, 0, 0};
    for (int i = 0; i < frame.planeCount(); ++i) {
        offsets[i] = total;
        total += size_t(frame.stride(i)) * size_t(frame.planeHeight(i));
        total = (total + 255) & ~size_t(255);
    }
    if (total > cl_->planesBytes) {
        auto mem = cl_->ctx->createBuffer(CL_MEM_READ_ONLY, total);
        if (!mem) return mem.status().withContext("pipeline");
        cl_->planes = std::move(*mem);
        cl_->planesBytes = total;
    }
    cl_command_queue q = session_->queue();   // the session's (own or the context's)
    vision::DeviceYuvFrame dev;
    dev.format = frame.format();
    dev.width = frame.width();
    dev.height = frame.height();
    dev.matrix = frame.colorMatrix();
    dev.range = frame.colorRange();
    dev.chroma = frame.chromaLocation();
    for (int i = 0; i < frame.planeCount(); ++i) {
        const size_t bytes = size_t(frame.stride(i)) * size_t(frame.planeHeight(i));
        // Non-blocking: the frame keeps its buffers alive until detect() returns, and the
        // session's blocking output read at the end orders after these writes (in-order queue).
        const cl_int err = clEnqueueWriteBuffer(q, cl_->planes.get(), CL_FALSE, offsets[i], bytes,
                                                frame.plane(i), 0, nullptr, nullptr);
        if (err != CL_SUCCESS)
            return Status(StatusCode::Internal, "pipeline: uploading frame " +
                                                    std::to_string(frame.index()) + ": " +
                                                    compute::clErrorName(err));
        dev.planes[size_t(i)] = {cl_->planes.get(), offsets[i], frame.stride(i),
                                 frame.planeWidth(i), frame.planeHeight(i)};
    }
    timings_.uploadMs = msSince(t0);
    auto r = detect(dev, {frame.index(), frame.pts(), frame.seconds()});
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
    timings_.inferenceMs = msSince(t0);
    return decode((*out)[0], frame.width, frame.height, meta);
}

}  // namespace sl::pipeline
