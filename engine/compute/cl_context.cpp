#include "compute/cl_context.h"

#include "compute/cl_error.h"
#include "compute/program_cache.h"
#include "core/log.h"

namespace sl::compute {
namespace {

Expected<ClCommandQueue> makeQueue(const DeviceInfo& info, cl_context ctx, bool profiling) {
    cl_int err = CL_SUCCESS;
    cl_command_queue q = nullptr;
    const cl_command_queue_properties props = profiling ? CL_QUEUE_PROFILING_ENABLE : 0;
    // The 2.0 entry point exists only on 2.0+ platforms; a 1.2 ICD may not export it at all.
    if (info.platformMajor >= 2) {
        const cl_queue_properties list[] = {CL_QUEUE_PROPERTIES, props, 0};
        q = clCreateCommandQueueWithProperties(ctx, info.device, list, &err);
        SL_CL_TRY_ERR(err, "clCreateCommandQueueWithProperties");
    } else {
        q = clCreateCommandQueue(ctx, info.device, props, &err);
        SL_CL_TRY_ERR(err, "clCreateCommandQueue");
    }
    return ClCommandQueue(q);
}

}  // namespace

Expected<EventTimes> eventTimes(cl_event event) {
    SL_CL_TRY(clWaitForEvents(1, &event));
    EventTimes t;
    SL_CL_TRY(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_QUEUED, sizeof(cl_ulong),
                                      &t.queuedNs, nullptr));
    SL_CL_TRY(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_SUBMIT, sizeof(cl_ulong),
                                      &t.submitNs, nullptr));
    SL_CL_TRY(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof(cl_ulong),
                                      &t.startNs, nullptr));
    SL_CL_TRY(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof(cl_ulong),
                                      &t.endNs, nullptr));
    return t;
}

ComputeContext::ComputeContext(ComputeContext&&) noexcept = default;
ComputeContext& ComputeContext::operator=(ComputeContext&&) noexcept = default;
ComputeContext::~ComputeContext() {
    // Cached programs first: they reference the context.
    programs_.reset();
    queue_.reset();
    context_.reset();
}

Expected<ComputeContext> ComputeContext::create(
    const DeviceInfo& device, std::vector<cl_context_properties> extraProperties) {
    std::vector<cl_context_properties> props = {CL_CONTEXT_PLATFORM,
                                                cl_context_properties(device.platform)};
    props.insert(props.end(), extraProperties.begin(), extraProperties.end());
    props.push_back(0);

    ComputeContext c;
    c.info_ = device;
    cl_int err = CL_SUCCESS;
    c.context_.reset(clCreateContext(props.data(), 1, &device.device, nullptr, nullptr, &err));
    SL_CL_TRY_ERR(err, "clCreateContext");
    auto q = makeQueue(device, c.context_.get(), true);
    if (!q) return q.status();
    c.queue_ = std::move(*q);
    c.programs_ = std::make_unique<ProgramCache>();
    logDebug("compute", "context on " + device.displayName());
    return c;
}

Expected<ComputeContext> ComputeContext::create(std::string_view selector) {
    auto choice = chooseDevice(selector);
    if (!choice) return choice.status();
    logInfo("compute", "using " + choice->device.displayName() + ": " + choice->reason);
    return create(choice->device);
}

Expected<ClCommandQueue> ComputeContext::createQueue(bool profiling) const {
    return makeQueue(info_, context_.get(), profiling);
}

Expected<ClMem> ComputeContext::createBuffer(cl_mem_flags flags, size_t bytes,
                                             void* hostPtr) const {
    cl_int err = CL_SUCCESS;
    ClMem m(clCreateBuffer(context_.get(), flags, bytes, hostPtr, &err));
    if (err != CL_SUCCESS)
        return clStatus(err, "clCreateBuffer(" + std::to_string(bytes) + " bytes)", __FILE__,
                        __LINE__);
    return m;
}

Status ComputeContext::write(cl_mem buffer, size_t offset, size_t bytes, const void* src) const {
    SL_CL_TRY(clEnqueueWriteBuffer(queue_.get(), buffer, CL_TRUE, offset, bytes, src, 0, nullptr,
                                   nullptr));
    return Status::ok();
}

Status ComputeContext::read(cl_mem buffer, size_t offset, size_t bytes, void* dst) const {
    SL_CL_TRY(clEnqueueReadBuffer(queue_.get(), buffer, CL_TRUE, offset, bytes, dst, 0, nullptr,
                                  nullptr));
    return Status::ok();
}

Status ComputeContext::finish() const {
    SL_CL_TRY(clFinish(queue_.get()));
    return Status::ok();
}

}  // namespace sl::compute
