#include "interop/cl_gl_acquire.h"

#include <utility>

#include "compute/cl_error.h"
#include "core/log.h"

namespace sl::interop {

ClGlAcquire::~ClGlAcquire() {
    Status st = release(nullptr, nullptr);
    if (!st) logError("interop/gl-sharing", st.message());
}

ClGlAcquire::ClGlAcquire(ClGlAcquire&& o) noexcept
    : queue_(std::exchange(o.queue_, nullptr)), objects_(std::move(o.objects_)) {}

ClGlAcquire& ClGlAcquire::operator=(ClGlAcquire&& o) noexcept {
    if (this != &o) {
        Status st = release(nullptr, nullptr);
        if (!st) logError("interop/gl-sharing", st.message());
        queue_ = std::exchange(o.queue_, nullptr);
        objects_ = std::move(o.objects_);
    }
    return *this;
}

Expected<ClGlAcquire> ClGlAcquire::acquire(cl_command_queue queue, std::vector<cl_mem> objects,
                                           const std::vector<cl_event>& waits,
                                           compute::ClEvent* acquired) {
    SL_CL_TRY(clEnqueueAcquireGLObjects(
        queue, cl_uint(objects.size()), objects.data(), cl_uint(waits.size()),
        waits.empty() ? nullptr : waits.data(), acquired ? acquired->out() : nullptr));
    ClGlAcquire a;
    a.queue_ = queue;
    a.objects_ = std::move(objects);
    return a;
}

Status ClGlAcquire::release(cl_event done, compute::ClEvent* released) {
    if (!queue_) return Status::ok();
    cl_command_queue q = std::exchange(queue_, nullptr);
    SL_CL_TRY(clEnqueueReleaseGLObjects(q, cl_uint(objects_.size()), objects_.data(), done ? 1 : 0,
                                        done ? &done : nullptr,
                                        released ? released->out() : nullptr));
    // The release must reach the device before GL may rely on it (implicit sync with
    // cl_khr_gl_event, or an event wait without it).
    SL_CL_TRY(clFlush(q));
    return Status::ok();
}

}  // namespace sl::interop
