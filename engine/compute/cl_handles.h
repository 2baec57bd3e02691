#pragma once
// Move-only owners for OpenCL handles (ggml include/ggml-cpp.h style). Each owner holds one
// reference and releases it in its destructor; copying is explicit (retain()/clone()) because an
// accidental copy of a cl_mem is a double release.
//
//   ClMem buf(clCreateBuffer(ctx, CL_MEM_READ_WRITE, n, nullptr, &err));   // adopts the reference
//   ClMem alias = ClMem::retain(rawMemFromElsewhere);                      // takes a new reference
//   clSetKernelArg(k, 0, sizeof(cl_mem), buf.ptr());                       // &handle as arg

#include <CL/cl.h>

#include <utility>

namespace sl::compute {

template <class T, auto Release, auto Retain>
class UniqueHandle {
public:
    UniqueHandle() noexcept = default;
    // Adopts `handle`: the caller's reference becomes this owner's.
    explicit UniqueHandle(T handle) noexcept : h_(handle) {}
    ~UniqueHandle() { reset(); }

    UniqueHandle(const UniqueHandle&) = delete;
    UniqueHandle& operator=(const UniqueHandle&) = delete;
    UniqueHandle(UniqueHandle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    UniqueHandle& operator=(UniqueHandle&& o) noexcept {
        if (this != &o) reset(std::exchange(o.h_, nullptr));
        return *this;
    }

    // A new owner of `handle` holding its own reference (clRetain*); `handle` may be null.
    static UniqueHandle retain(T handle) noexcept {
        if (handle) Retain(handle);
        return UniqueHandle(handle);
    }
    UniqueHandle clone() const noexcept { return retain(h_); }

    T get() const noexcept { return h_; }
    // Address of the handle, for clSetKernelArg(k, i, sizeof(T), h.ptr()).
    const T* ptr() const noexcept { return &h_; }
    explicit operator bool() const noexcept { return h_ != nullptr; }

    // Gives up ownership without releasing.
    [[nodiscard]] T release() noexcept { return std::exchange(h_, nullptr); }
    void reset(T handle = nullptr) noexcept {
        T old = std::exchange(h_, handle);
        if (old) Release(old);
    }
    // Releases the current handle and returns the slot, for APIs that write a handle out
    // (clEnqueue*(..., &event) -> clEnqueue*(..., ev.out())).
    T* out() noexcept {
        reset();
        return &h_;
    }

private:
    T h_ = nullptr;
};

using ClContext = UniqueHandle<cl_context, &clReleaseContext, &clRetainContext>;
using ClCommandQueue =
    UniqueHandle<cl_command_queue, &clReleaseCommandQueue, &clRetainCommandQueue>;
using ClMem = UniqueHandle<cl_mem, &clReleaseMemObject, &clRetainMemObject>;
using ClProgram = UniqueHandle<cl_program, &clReleaseProgram, &clRetainProgram>;
using ClKernel = UniqueHandle<cl_kernel, &clReleaseKernel, &clRetainKernel>;
using ClEvent = UniqueHandle<cl_event, &clReleaseEvent, &clRetainEvent>;
using ClSampler = UniqueHandle<cl_sampler, &clReleaseSampler, &clRetainSampler>;

}  // namespace sl::compute
