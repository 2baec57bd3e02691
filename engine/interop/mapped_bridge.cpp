#include "interop/mapped_bridge.h"

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/platform.h"

namespace sl::interop {

namespace {

constexpr GLbitfield kStorageFlags =
    GL_MAP_WRITE_BIT | GL_MAP_READ_BIT | GL_MAP_PERSISTENT_BIT | GL_MAP_COHERENT_BIT;
// A fence not signalled within this time means a hung GL; one second is ~30 frames.
constexpr GLuint64 kFenceTimeoutNs = 1'000'000'000;

}  // namespace

StrategyReport MappedBridge::probe(const compute::DeviceInfo& device, const GlBridgeCaps* gl) {
    StrategyReport r{BridgeStrategy::Mapped, false, {}};
    const std::string dev = "device '" + device.name + "'";
    if (!device.hostUnifiedMemory) {
        r.reason = "interop/mapped: unavailable: " + dev +
                   " does not report CL_DEVICE_HOST_UNIFIED_MEMORY (its memory is not the host's)";
        return r;
    }
    if (gl && !gl->bufferStorage) {
        r.reason = "interop/mapped: unavailable: GL '" + gl->description +
                   "' has neither GL 4.4 nor GL_ARB_buffer_storage (no persistent mapping)";
        return r;
    }
    r.available = true;
    r.reason = "interop/mapped: available: " + dev +
               (device.hostUnifiedMemoryInferred
                    ? " is a CPU device (host-unified memory inferred: the driver does not answer "
                      "CL_DEVICE_HOST_UNIFIED_MEMORY)"
                    : " reports CL_DEVICE_HOST_UNIFIED_MEMORY") +
               (gl ? "; GL has glBufferStorage" : "; GL side not checked (no GL context)");
    return r;
}

MappedBridge::MappedBridge(const FrameLayout& layout, int slots, const GlFunctions& gl,
                           const compute::ComputeContext& compute)
    : FrameBridge(BridgeStrategy::Mapped, layout, slots, gl, compute), pool_(size_t(slots)) {}

Expected<std::unique_ptr<FrameBridge>> MappedBridge::create(
    const FrameLayout& layout, int slots, const GlFunctions& gl,
    const compute::ComputeContext& compute) {
    std::unique_ptr<MappedBridge> bridge(new MappedBridge(layout, slots, gl, compute));
    SL_TRY(bridge->init());
    return std::unique_ptr<FrameBridge>(std::move(bridge));
}

Status MappedBridge::init() {
    if (!gl_.BufferStorage) {
        return error(StatusCode::Unsupported, "glBufferStorage is not available");
    }
    SL_TRY(makeTextures());
    const GLsizeiptr size = GLsizeiptr(layout_.byteSize);
    for (size_t i = 0; i < pool_.size(); ++i) {
        Slot& s = pool_[i];
        // GL_COPY_WRITE_BUFFER: a binding point no host rendering state depends on.
        gl_.GenBuffers(1, &s.buffer);
        gl_.BindBuffer(GL_COPY_WRITE_BUFFER, s.buffer);
        gl_.BufferStorage(GL_COPY_WRITE_BUFFER, size, nullptr, kStorageFlags);
        s.ptr =
            static_cast<uint8_t*>(gl_.MapBufferRange(GL_COPY_WRITE_BUFFER, 0, size, kStorageFlags));
        gl_.BindBuffer(GL_COPY_WRITE_BUFFER, 0);
        SL_TRY(gl_.check("mapped: persistent buffer storage"));
        if (!s.ptr) return error(StatusCode::Internal, "glMapBufferRange returned null");

        cl_int err = CL_SUCCESS;
        s.clBuffer.reset(clCreateBuffer(compute_.context(), CL_MEM_READ_WRITE | CL_MEM_USE_HOST_PTR,
                                        layout_.byteSize, s.ptr, &err));
        SL_CL_TRY_ERR(err, "clCreateBuffer(CL_MEM_USE_HOST_PTR on the GL mapping)");
        // The host's turn first. The spec derives a USE_HOST_PTR map pointer from host_ptr, so a
        // conforming driver always passes this check; it catches one that does not, whose map
        // would hand the host a different copy than GL sees. That the map costs no copy rests
        // on CL_DEVICE_HOST_UNIFIED_MEMORY, which the probe demanded.
        void* p = clEnqueueMapBuffer(queue(), s.clBuffer.get(), CL_TRUE, CL_MAP_READ | CL_MAP_WRITE,
                                     0, layout_.byteSize, 0, nullptr, nullptr, &err);
        SL_CL_TRY_ERR(err, "clEnqueueMapBuffer");
        s.hostOwned = true;
        if (p != s.ptr) {
            return error(StatusCode::Unsupported,
                         "device '" + compute_.info().name +
                             "' mapped a CL_MEM_USE_HOST_PTR buffer at another address than the GL "
                             "mapping (it copies instead of sharing host memory)");
        }
    }
    return Status::ok();
}

MappedBridge::~MappedBridge() {
    // CL first: finish its work, take the bytes back, drop the wrappers; then GL frees the memory
    // they wrap. Needs the host's GL context current (the create/use/destroy contract).
    clFinish(queue());
    for (Slot& s : pool_) {
        if (s.clBuffer && !s.hostOwned) {
            clEnqueueMapBuffer(queue(), s.clBuffer.get(), CL_TRUE, CL_MAP_READ, 0, layout_.byteSize,
                               0, nullptr, nullptr, nullptr);
        }
    }
    for (Slot& s : pool_) {
        if (s.clBuffer)
            clEnqueueUnmapMemObject(queue(), s.clBuffer.get(), s.ptr, 0, nullptr, nullptr);
    }
    clFinish(queue());
    for (Slot& s : pool_) {
        s.mapped.reset();
        s.unmapped.reset();
        s.clBuffer.reset();
        if (s.glUse) gl_.DeleteSync(s.glUse);
        if (!s.buffer) continue;
        gl_.BindBuffer(GL_COPY_WRITE_BUFFER, s.buffer);
        gl_.UnmapBuffer(GL_COPY_WRITE_BUFFER);
        gl_.BindBuffer(GL_COPY_WRITE_BUFFER, 0);
        gl_.DeleteBuffers(1, &s.buffer);
    }
    deleteTextures();
}

Status MappedBridge::waitGl(Slot& s) {
    if (!s.glUse) return Status::ok();
    // FLUSH: the fence must reach the GPU or the wait never ends.
    const GLenum r = gl_.ClientWaitSync(s.glUse, GL_SYNC_FLUSH_COMMANDS_BIT, kFenceTimeoutNs);
    gl_.DeleteSync(s.glUse);
    s.glUse = nullptr;
    if (r == GL_TIMEOUT_EXPIRED || r == GL_WAIT_FAILED) {
        return error(StatusCode::Internal, r == GL_TIMEOUT_EXPIRED
                                               ? "GL fence not signalled within 1 s"
                                               : "glClientWaitSync failed");
    }
    return Status::ok();
}

Status MappedBridge::waitHost(Slot& s) {
    if (s.mapped) {
        SL_CL_TRY(clWaitForEvents(1, s.mapped.ptr()));
        s.mapped.reset();
    }
    if (!s.hostOwned) return error(StatusCode::Internal, "slot memory is still owned by CL");
    return Status::ok();
}

Status MappedBridge::fenceGl(Slot& s) {
    if (s.glUse) gl_.DeleteSync(s.glUse);
    s.glUse = gl_.FenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
    if (!s.glUse) return gl_.check("mapped: glFenceSync").withContext("no fence");
    return Status::ok();
}

Status MappedBridge::doWriteHost(int slot, const HostPlanes& planes) {
    Slot& s = pool_[size_t(slot)];
    // GL may still be reading the previous frame out of this buffer (texture upload).
    SL_TRY(waitGl(s));
    SL_TRY(waitHost(s));
    copyPlanesIn(layout_, planes, s.ptr);
    return Status::ok();
}

Expected<uint8_t*> MappedBridge::doHostPointer(int slot) {
    Slot& s = pool_[size_t(slot)];
    SL_TRY(waitGl(s));
    SL_TRY(waitHost(s));
    return s.ptr;
}

Status MappedBridge::doUploadTextures(int slot) {
    Slot& s = pool_[size_t(slot)];
    SL_TRY(waitHost(s));   // CL's writes are complete and visible once it mapped the bytes back
    SL_TRY(uploadTexturesFrom(slot, s.buffer));
    return fenceGl(s);
}

Status MappedBridge::doPackTextures(int slot) {
    Slot& s = pool_[size_t(slot)];
    SL_TRY(waitHost(s));
    SL_TRY(packTexturesInto(slot, s.buffer));
    return fenceGl(s);
}

Expected<ClFrame> MappedBridge::doMapCl(int slot, ClAccess /*access*/) {
    Slot& s = pool_[size_t(slot)];
    // GL's writes must have landed (coherent mapping: visible once the fence signals) and GL must
    // be done reading before CL may write.
    SL_TRY(waitGl(s));
    SL_TRY(waitHost(s));
    s.unmapped.reset();
    SL_CL_TRY(
        clEnqueueUnmapMemObject(queue(), s.clBuffer.get(), s.ptr, 0, nullptr, s.unmapped.out()));
    s.hostOwned = false;
    return clFrameFor(s.clBuffer.get(), s.unmapped.get());
}

Status MappedBridge::doUnmapCl(int slot, cl_event done) {
    Slot& s = pool_[size_t(slot)];
    cl_int err = CL_SUCCESS;
    s.mapped.reset();
    // Non-blocking: the map completes after CL's work (in-order queue, or `done`); whoever touches
    // the bytes next waits for it (waitHost).
    void* p = clEnqueueMapBuffer(queue(), s.clBuffer.get(), CL_FALSE, CL_MAP_READ | CL_MAP_WRITE, 0,
                                 layout_.byteSize, done ? 1 : 0, done ? &done : nullptr,
                                 s.mapped.out(), &err);
    SL_CL_TRY_ERR(err, "clEnqueueMapBuffer");
    s.hostOwned = true;
    s.unmapped.reset();
    if (p != s.ptr) {
        return error(StatusCode::Internal, "clEnqueueMapBuffer moved the slot memory");
    }
    return Status::ok();
}

}  // namespace sl::interop
