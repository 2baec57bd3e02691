#pragma once
// ClGlAcquire: scope guard for clEnqueueAcquireGLObjects / clEnqueueReleaseGLObjects, so a shared
// GL object is never left acquired when a frame's processing fails half-way (the per-frame
// "acquire ... clFinish ... release // TODO RAII" anti-pattern). Move-only.
//
//   auto acq = ClGlAcquire::acquire(queue, objects, waitEvents);   // enqueues the acquire
//   ... kernels ...
//   acq->release(doneEvent, &releasedEvent);                        // or the destructor does it

#include <CL/cl.h>
#include <CL/cl_gl.h>

#include <vector>

#include "compute/cl_handles.h"
#include "core/status.h"

namespace sl::interop {

class ClGlAcquire {
public:
    ClGlAcquire() = default;
    ~ClGlAcquire();
    ClGlAcquire(ClGlAcquire&& o) noexcept;
    ClGlAcquire& operator=(ClGlAcquire&& o) noexcept;
    ClGlAcquire(const ClGlAcquire&) = delete;
    ClGlAcquire& operator=(const ClGlAcquire&) = delete;

    // Enqueues the acquire of `objects` after `waits`; `acquired` (may be null) receives its event.
    static Expected<ClGlAcquire> acquire(cl_command_queue queue, std::vector<cl_mem> objects,
                                         const std::vector<cl_event>& waits,
                                         compute::ClEvent* acquired);
    // Enqueues the release after `done` (may be null); `released` (may be null) receives its event.
    // Idempotent.
    Status release(cl_event done, compute::ClEvent* released);
    bool held() const { return queue_ != nullptr; }

private:
    cl_command_queue queue_ = nullptr;
    std::vector<cl_mem> objects_;
};

}  // namespace sl::interop
