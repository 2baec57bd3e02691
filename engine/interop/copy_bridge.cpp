#include "interop/copy_bridge.h"

#include <cstring>

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/platform.h"

namespace sl::interop {

StrategyReport CopyBridge::probe(const compute::DeviceInfo& device, const GlBridgeCaps* /*gl*/) {
    return {BridgeStrategy::Copy, true,
            "interop/copy: available: staging copies through host memory work on any device ('" +
                device.name + "')"};
}

CopyBridge::CopyBridge(const FrameLayout& layout, int slots, const GlFunctions& gl,
                       const compute::ComputeContext& compute)
    : FrameBridge(BridgeStrategy::Copy, layout, slots, gl, compute), pool_(size_t(slots)) {}

Expected<std::unique_ptr<FrameBridge>> CopyBridge::create(const FrameLayout& layout, int slots,
                                                          const GlFunctions& gl,
                                                          const compute::ComputeContext& compute) {
    std::unique_ptr<CopyBridge> bridge(new CopyBridge(layout, slots, gl, compute));
    SL_TRY(bridge->init());
    return std::unique_ptr<FrameBridge>(std::move(bridge));
}

Status CopyBridge::init() {
    SL_TRY(makeTextures());
    for (Slot& s : pool_) {
        s.staging.assign(layout_.byteSize, 0);
        auto mem = compute_.createBuffer(CL_MEM_READ_WRITE, layout_.byteSize);
        if (!mem) return mem.status().withContext("interop/copy");
        s.clBuffer = std::move(*mem);
        gl_.GenBuffers(1, &s.pbo);
        gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, s.pbo);
        // STREAM_COPY: written and read by GL and the host alike, once per frame.
        gl_.BufferData(GL_PIXEL_UNPACK_BUFFER, GLsizeiptr(layout_.byteSize), nullptr,
                       GL_STREAM_COPY);
    }
    gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    return gl_.check("copy: creating slot buffers");
}

CopyBridge::~CopyBridge() {
    // GL objects need the host's context current (the create/use/destroy contract).
    for (Slot& s : pool_) {
        if (s.stagingRead) clWaitForEvents(1, s.stagingRead.ptr());
        if (s.pbo) gl_.DeleteBuffers(1, &s.pbo);
    }
    deleteTextures();
}

Status CopyBridge::doWriteHost(int slot, const HostPlanes& planes) {
    Slot& s = pool_[size_t(slot)];
    // An earlier non-blocking clEnqueueWriteBuffer may still be reading the staging memory.
    if (s.stagingRead) {
        SL_CL_TRY(clWaitForEvents(1, s.stagingRead.ptr()));
        s.stagingRead.reset();
    }
    copyPlanesIn(layout_, planes, s.staging.data());
    s.hostValid = true;
    s.pboValid = s.clValid = false;
    return Status::ok();
}

Status CopyBridge::doUploadTextures(int slot) {
    Slot& s = pool_[size_t(slot)];
    if (!s.pboValid) {
        if (!s.hostValid && !s.clValid) {
            return error(StatusCode::Internal, "slot " + std::to_string(slot) + " has no content");
        }
        gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, s.pbo);
        // INVALIDATE lets the driver hand out fresh memory instead of waiting for GL to finish
        // reading the previous frame from this PBO.
        void* dst = gl_.MapBufferRange(GL_PIXEL_UNPACK_BUFFER, 0, GLsizeiptr(layout_.byteSize),
                                       GL_MAP_WRITE_BIT | GL_MAP_INVALIDATE_BUFFER_BIT);
        if (!dst) {
            gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
            return gl_.check("copy: glMapBufferRange(PBO, write)").isOk()
                       ? error(StatusCode::Internal, "glMapBufferRange(PBO, write) returned null")
                       : gl_.check("copy: glMapBufferRange(PBO, write)");
        }
        Status st;
        if (s.hostValid) {
            std::memcpy(dst, s.staging.data(), layout_.byteSize);
        } else {
            // CL -> GL: read the CL buffer straight into the PBO once CL's work is done.
            const cl_uint waits = s.clDone ? 1 : 0;
            st = SL_CL_STATUS(clEnqueueReadBuffer(queue(), s.clBuffer.get(), CL_TRUE, 0,
                                                  layout_.byteSize, dst, waits,
                                                  waits ? s.clDone.ptr() : nullptr, nullptr));
        }
        gl_.UnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
        gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        SL_TRY(st.withContext("interop/copy"));
        s.pboValid = true;
    }
    return uploadTexturesFrom(slot, s.pbo);
}

Status CopyBridge::doPackTextures(int slot) {
    Slot& s = pool_[size_t(slot)];
    SL_TRY(packTexturesInto(slot, s.pbo));
    s.pboValid = true;
    s.hostValid = s.clValid = false;
    return Status::ok();
}

Expected<ClFrame> CopyBridge::doMapCl(int slot, ClAccess access) {
    Slot& s = pool_[size_t(slot)];
    if (!s.clValid && s.hostValid) {
        // Non-blocking: the staging memory stays untouched until stagingRead completes
        // (doWriteHost waits for it).
        s.stagingRead.reset();
        SL_CL_TRY(clEnqueueWriteBuffer(queue(), s.clBuffer.get(), CL_FALSE, 0, layout_.byteSize,
                                       s.staging.data(), 0, nullptr, s.stagingRead.out()));
        s.clValid = true;
    } else if (!s.clValid && s.pboValid) {
        // GL -> CL: mapping the PBO for reading waits for GL's pack to land.
        gl_.BindBuffer(GL_PIXEL_PACK_BUFFER, s.pbo);
        void* src = gl_.MapBufferRange(GL_PIXEL_PACK_BUFFER, 0, GLsizeiptr(layout_.byteSize),
                                       GL_MAP_READ_BIT);
        Status st = src ? Status::ok()
                        : error(StatusCode::Internal, "glMapBufferRange(PBO, read) returned null");
        if (src) {
            st = SL_CL_STATUS(clEnqueueWriteBuffer(queue(), s.clBuffer.get(), CL_TRUE, 0,
                                                   layout_.byteSize, src, 0, nullptr, nullptr));
            gl_.UnmapBuffer(GL_PIXEL_PACK_BUFFER);
        }
        gl_.BindBuffer(GL_PIXEL_PACK_BUFFER, 0);
        SL_TRY(st.withContext("interop/copy"));
        s.clValid = true;
    } else if (!s.clValid && access == ClAccess::Read) {
        return error(StatusCode::Internal, "slot " + std::to_string(slot) + " has no content");
    }
    if (access == ClAccess::ReadWrite) {
        s.clValid = true;
        s.hostValid = s.pboValid = false;
    }
    return clFrameFor(s.clBuffer.get(), s.stagingRead.get());
}

Status CopyBridge::doUnmapCl(int slot, cl_event done) {
    Slot& s = pool_[size_t(slot)];
    // Kept for the CL -> GL readback; null means the bridge's in-order queue orders it.
    s.clDone = compute::ClEvent::retain(done);
    return Status::ok();
}

}  // namespace sl::interop
