#include "interop/gl_sharing_bridge.h"

#include <CL/cl_gl.h>

#include "compute/cl_error.h"
#include "compute/platform.h"
#include "core/log.h"

namespace sl::interop {

namespace {

constexpr const char* kWho = "interop/gl-sharing";

// Key/value pairs naming the host's GL context, without CL_CONTEXT_PLATFORM.
std::vector<cl_context_properties> glProperties(const GlNativeContext& native) {
    return {CL_GL_CONTEXT_KHR, cl_context_properties(native.context),
            native.api == GlNativeContext::Api::Glx ? CL_GLX_DISPLAY_KHR : CL_EGL_DISPLAY_KHR,
            cl_context_properties(native.display)};
}

}  // namespace

StrategyReport GlSharingBridge::probe(const compute::DeviceInfo& device, const GlBridgeCaps* gl) {
    StrategyReport r{BridgeStrategy::GlSharing, false, {}};
    const std::string dev = "device '" + device.name + "'";
    if (!device.has("cl_khr_gl_sharing")) {
        r.reason = std::string(kWho) + ": unavailable: " + dev + " does not list cl_khr_gl_sharing";
        return r;
    }
    if (gl && gl->nativeApi == GlNativeContext::Api::None) {
        r.reason = std::string(kWho) + ": unavailable: " + dev +
                   " lists cl_khr_gl_sharing but the host passed no native GL context (GLX or EGL)";
        return r;
    }
    r.available = true;
    r.reason = std::string(kWho) + ": available: " + dev + " lists cl_khr_gl_sharing" +
               (device.has("cl_khr_gl_event") ? " and cl_khr_gl_event (GL fence -> CL event)"
                                              : " (no cl_khr_gl_event: glFinish before acquire)") +
               (gl ? "" : "; GL side not checked (no GL context)");
    return r;
}

bool isGlSharedContext(cl_context context) {
    size_t bytes = 0;
    if (clGetContextInfo(context, CL_CONTEXT_PROPERTIES, 0, nullptr, &bytes) != CL_SUCCESS) {
        return false;
    }
    std::vector<cl_context_properties> props(bytes / sizeof(cl_context_properties) + 1, 0);
    if (bytes && clGetContextInfo(context, CL_CONTEXT_PROPERTIES, bytes, props.data(), nullptr) !=
                     CL_SUCCESS) {
        return false;
    }
    for (size_t i = 0; i + 1 < props.size() && props[i] != 0; i += 2) {
        if (props[i] == CL_GL_CONTEXT_KHR && props[i + 1] != 0) return true;
    }
    return false;
}

Expected<compute::ComputeContext> createGlSharedComputeContext(const GlNativeContext& native) {
    if (native.api == GlNativeContext::Api::None || !native.context || !native.display) {
        return Status(StatusCode::Unavailable,
                      std::string(kWho) + ": unavailable: no native GL context (GLX or EGL) given");
    }
    auto devices = compute::enumerateDevices();
    if (!devices) return devices.status().withContext(kWho);
    std::string tried;
    for (const compute::DeviceInfo& candidate : *devices) {
        if (!candidate.has("cl_khr_gl_sharing")) {
            tried += (tried.empty() ? "" : ", ") + candidate.name;
            continue;
        }
        // Ask the platform which device drives the GL context; only a listed device may answer.
        auto getInfo = reinterpret_cast<clGetGLContextInfoKHR_fn>(
            clGetExtensionFunctionAddressForPlatform(candidate.platform, "clGetGLContextInfoKHR"));
        std::vector<cl_context_properties> props = glProperties(native);
        props.insert(props.end(),
                     {CL_CONTEXT_PLATFORM, cl_context_properties(candidate.platform), 0});
        cl_device_id glDevice = nullptr;
        if (getInfo) {
            cl_int err = getInfo(props.data(), CL_CURRENT_DEVICE_FOR_GL_CONTEXT_KHR,
                                 sizeof(glDevice), &glDevice, nullptr);
            if (err != CL_SUCCESS) glDevice = nullptr;
        }
        if (getInfo && glDevice != candidate.device) {
            // Another device of this platform (or none) drives the GL context; a context on this
            // one could not share with it. The loop reaches the right device if it is listed.
            tried += (tried.empty() ? "" : ", ") + candidate.name +
                     " lists it but does not drive "
                     "the GL context";
            continue;
        }
        auto ctx = compute::ComputeContext::create(candidate, glProperties(native));
        if (!ctx) return ctx.status().withContext(kWho);
        logInfo(kWho, "CL context created from the GL context on '" + candidate.name + "'");
        return ctx;
    }
    return Status(StatusCode::Unavailable,
                  std::string(kWho) +
                      ": unavailable: no OpenCL device both lists cl_khr_gl_sharing "
                      "and drives the GL context (none listing it: " +
                      tried + ")");
}

GlSharingBridge::GlSharingBridge(const FrameLayout& layout, int slots, const GlFunctions& gl,
                                 const compute::ComputeContext& compute)
    : FrameBridge(BridgeStrategy::GlSharing, layout, slots, gl, compute), pool_(size_t(slots)) {}

Expected<std::unique_ptr<FrameBridge>> GlSharingBridge::create(
    const FrameLayout& layout, int slots, const GlFunctions& gl, const GlNativeContext& native,
    const compute::ComputeContext& compute) {
    // Re-check the evidence: this is the last stop before clCreateFromGL*, which aborts on PoCL.
    StrategyReport r = probe(compute.info(), nullptr);
    if (!r.available) return Status(StatusCode::Unsupported, r.reason);
    if (native.api == GlNativeContext::Api::None) {
        return Status(StatusCode::Unavailable,
                      std::string(kWho) + ": unavailable: no native GL context (GLX or EGL) given");
    }
    if (!isGlSharedContext(compute.context())) {
        return Status(StatusCode::InvalidArgument,
                      std::string(kWho) +
                          ": the compute context was not created from the GL "
                          "context (use createGlSharedComputeContext)");
    }
    std::unique_ptr<GlSharingBridge> bridge(new GlSharingBridge(layout, slots, gl, compute));
    SL_TRY(bridge->init());
    return std::unique_ptr<FrameBridge>(std::move(bridge));
}

Status GlSharingBridge::init() {
    const compute::DeviceInfo& dev = compute_.info();
    if (dev.has("cl_khr_gl_event")) {
        createEventFromGLsync_ = reinterpret_cast<CreateEventFromGLsyncFn>(
            clGetExtensionFunctionAddressForPlatform(dev.platform, "clCreateEventFromGLsyncKHR"));
        glEvent_ = createEventFromGLsync_ != nullptr;
    }
    SL_TRY(makeTextures());
    for (Slot& s : pool_) {
        gl_.GenBuffers(1, &s.buffer);
        gl_.BindBuffer(GL_COPY_WRITE_BUFFER, s.buffer);
        gl_.BufferData(GL_COPY_WRITE_BUFFER, GLsizeiptr(layout_.byteSize), nullptr,
                       GL_DYNAMIC_COPY);
    }
    gl_.BindBuffer(GL_COPY_WRITE_BUFFER, 0);
    SL_TRY(gl_.check("gl-sharing: creating slot buffers"));
    // The GL objects must exist on the GL side before CL registers them.
    gl_.Finish();
    for (size_t i = 0; i < pool_.size(); ++i) {
        Slot& s = pool_[i];
        cl_int err = CL_SUCCESS;
        s.clBuffer.reset(
            clCreateFromGLBuffer(compute_.context(), CL_MEM_READ_WRITE, s.buffer, &err));
        SL_CL_TRY_ERR(err, "clCreateFromGLBuffer");
        // Textures as images are a bonus for image-sampling kernels; a driver that cannot map
        // GL_R8/GL_RG8 keeps the buffer path only.
        for (int p = 0; p < layout_.planeCount; ++p) {
            cl_mem img = clCreateFromGLTexture(compute_.context(), CL_MEM_READ_WRITE, GL_TEXTURE_2D,
                                               0, textures_[i].textures[p], &err);
            if (err != CL_SUCCESS) {
                logDebug(kWho, std::string("plane texture not registered as a CL image: ") +
                                   compute::clErrorName(err));
                continue;
            }
            s.clImages[p].reset(img);
        }
    }
    return Status::ok();
}

GlSharingBridge::~GlSharingBridge() {
    for (Slot& s : pool_) {
        (void)s.acquire.release(nullptr, nullptr);
    }
    // CL must be done with the objects before GL deletes them.
    clFinish(queue());
    for (Slot& s : pool_) {
        s.acquired.reset();
        s.released.reset();
        s.glDone.reset();
        if (s.glFence) gl_.DeleteSync(s.glFence);
        for (compute::ClMem& m : s.clImages)
            m.reset();
        s.clBuffer.reset();
        if (s.buffer) gl_.DeleteBuffers(1, &s.buffer);
    }
    deleteTextures();
}

Status GlSharingBridge::waitReleased(Slot& s) {
    if (s.glFence) {
        // The fence may go only once its CL event has completed (it has: GL work precedes us, so
        // this wait is short).
        if (s.glDone) SL_CL_TRY(clWaitForEvents(1, s.glDone.ptr()));
        gl_.DeleteSync(s.glFence);
        s.glFence = nullptr;
        s.glDone.reset();
    }
    // With cl_khr_gl_event the release synchronises implicitly with later GL commands.
    if (s.released && !glEvent_) SL_CL_TRY(clWaitForEvents(1, s.released.ptr()));
    s.released.reset();
    return Status::ok();
}

Status GlSharingBridge::doWriteHost(int slot, const HostPlanes& planes) {
    Slot& s = pool_[size_t(slot)];
    SL_TRY(waitReleased(s));
    gl_.BindBuffer(GL_COPY_WRITE_BUFFER, s.buffer);
    // INVALIDATE: the driver may hand out fresh memory rather than wait for the previous frame.
    auto* dst = static_cast<uint8_t*>(
        gl_.MapBufferRange(GL_COPY_WRITE_BUFFER, 0, GLsizeiptr(layout_.byteSize),
                           GL_MAP_WRITE_BIT | GL_MAP_INVALIDATE_BUFFER_BIT));
    if (dst) {
        copyPlanesIn(layout_, planes, dst);
        gl_.UnmapBuffer(GL_COPY_WRITE_BUFFER);
    }
    gl_.BindBuffer(GL_COPY_WRITE_BUFFER, 0);
    SL_TRY(gl_.check("gl-sharing: writing the slot buffer"));
    if (!dst) return error(StatusCode::Internal, "glMapBufferRange returned null");
    return Status::ok();
}

Status GlSharingBridge::doUploadTextures(int slot) {
    Slot& s = pool_[size_t(slot)];
    SL_TRY(waitReleased(s));
    return uploadTexturesFrom(slot, s.buffer);
}

Status GlSharingBridge::doPackTextures(int slot) {
    Slot& s = pool_[size_t(slot)];
    SL_TRY(waitReleased(s));
    return packTexturesInto(slot, s.buffer);
}

Expected<ClFrame> GlSharingBridge::doMapCl(int slot, ClAccess /*access*/) {
    Slot& s = pool_[size_t(slot)];
    SL_TRY(waitReleased(s));
    // GL must be done with the objects before CL acquires them.
    std::vector<cl_event> waits;
    if (glEvent_) {
        s.glFence = gl_.FenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
        gl_.Flush();
        cl_int err = CL_SUCCESS;
        s.glDone.reset(createEventFromGLsync_(compute_.context(),
                                              reinterpret_cast<cl_GLsync>(s.glFence), &err));
        SL_CL_TRY_ERR(err, "clCreateEventFromGLsyncKHR");
        waits.push_back(s.glDone.get());
    } else {
        if (!loggedGlFinish_) {
            logInfo(kWho, "device lacks cl_khr_gl_event: glFinish before every acquire (stalls)");
            loggedGlFinish_ = true;
        }
        gl_.Finish();
    }
    std::vector<cl_mem> objects{s.clBuffer.get()};
    for (const compute::ClMem& m : s.clImages) {
        if (m) objects.push_back(m.get());
    }
    auto acq = ClGlAcquire::acquire(queue(), std::move(objects), waits, &s.acquired);
    if (!acq) return acq.status().withContext(kWho);
    s.acquire = std::move(*acq);
    ClFrame f = clFrameFor(s.clBuffer.get(), s.acquired.get());
    for (int p = 0; p < layout_.planeCount; ++p)
        f.images[p] = s.clImages[p].get();
    return f;
}

Status GlSharingBridge::doUnmapCl(int slot, cl_event done) {
    Slot& s = pool_[size_t(slot)];
    Status st = s.acquire.release(done, &s.released);
    s.acquired.reset();
    return st.withContext(kWho);
}

}  // namespace sl::interop
