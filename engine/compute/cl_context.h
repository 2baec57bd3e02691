#pragma once
// ComputeContext: one OpenCL context on one device, with an in-order command queue that has
// profiling enabled. The thread that runs inference owns the queue (OpenCL queues are thread-safe,
// but ordering across threads is the caller's problem); other threads create their own queue with
// createQueue().
//
//   auto ctx = sl::compute::ComputeContext::create();              // chosen device, see platform.h
//   auto ctx = sl::compute::ComputeContext::create(choice->device, // with GL sharing properties
//       {CL_GL_CONTEXT_KHR, cl_context_properties(glx),
//        CL_GLX_DISPLAY_KHR, cl_context_properties(dpy)});
//
// Move-only; destroying it releases the queue, then the context (programs and kernels built for
// it hold their own references and may outlive it).

#include "compute/cl_handles.h"
#include "compute/platform.h"
#include "core/status.h"

#include <CL/cl.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace sl::compute {

class ProgramCache;

// Timestamps of a profiled event, in device nanoseconds (CL_PROFILING_COMMAND_*).
struct EventTimes {
    uint64_t queuedNs = 0;
    uint64_t submitNs = 0;
    uint64_t startNs = 0;
    uint64_t endNs = 0;
    uint64_t runNs() const { return endNs > startNs ? endNs - startNs : 0; }        // execution
    uint64_t totalNs() const { return endNs > queuedNs ? endNs - queuedNs : 0; }    // incl. waiting
};

// Reads the profiling info of a completed event (waits for it first). The event's queue must have
// CL_QUEUE_PROFILING_ENABLE (ComputeContext queues do).
Expected<EventTimes> eventTimes(cl_event event);

class ComputeContext {
public:
    // Context on `device`. `extraProperties` are key/value pairs appended after
    // CL_CONTEXT_PLATFORM (no terminating 0; do not pass CL_CONTEXT_PLATFORM yourself), e.g. the
    // CL_GL_CONTEXT_KHR / CL_GLX_DISPLAY_KHR / CL_EGL_DISPLAY_KHR pairs for GL sharing.
    static Expected<ComputeContext> create(const DeviceInfo& device,
                                           std::vector<cl_context_properties> extraProperties = {});
    // Context on chooseDevice(selector) (empty: $SIGHTLINE_CL_DEVICE, then automatic).
    static Expected<ComputeContext> create(std::string_view selector = {});

    ComputeContext(ComputeContext&&) noexcept;
    ComputeContext& operator=(ComputeContext&&) noexcept;
    ~ComputeContext();

    cl_context context() const { return context_.get(); }
    cl_command_queue queue() const { return queue_.get(); }
    cl_device_id device() const { return info_.device; }
    cl_platform_id platform() const { return info_.platform; }
    const DeviceInfo& info() const { return info_; }

    // Another in-order queue on the same context and device (for an upload thread, say).
    Expected<ClCommandQueue> createQueue(bool profiling = true) const;

    // clCreateBuffer with the error turned into a Status naming the size.
    Expected<ClMem> createBuffer(cl_mem_flags flags, size_t bytes, void* hostPtr = nullptr) const;

    // Blocking helpers on queue(), for tests and tools.
    Status write(cl_mem buffer, size_t offset, size_t bytes, const void* src) const;
    Status read(cl_mem buffer, size_t offset, size_t bytes, void* dst) const;
    Status finish() const;

    // Programs built for this context (in memory) and on disk; see program_cache.h.
    ProgramCache& programs() const { return *programs_; }

private:
    ComputeContext() = default;

    DeviceInfo info_;
    ClContext context_;
    ClCommandQueue queue_;
    std::unique_ptr<ProgramCache> programs_;
};

}  // namespace sl::compute
