#pragma once
// GlSharingBridge (`gl-sharing`): cl_khr_gl_sharing. The CL context is created from the host's GL
// context (CL_GL_CONTEXT_KHR + CL_GLX_DISPLAY_KHR or CL_EGL_DISPLAY_KHR) on the device that drives
// it (clGetGLContextInfoKHR(CL_CURRENT_DEVICE_FOR_GL_CONTEXT_KHR)); each slot's GL buffer and plane
// textures are registered with CL once (clCreateFromGLBuffer / clCreateFromGLTexture) and acquired
// and released per frame through ClGlAcquire. GL -> CL sync: a GL fence turned into a CL event
// (clCreateEventFromGLsyncKHR) where the device lists cl_khr_gl_event, else glFinish (logged);
// CL -> GL: implicit with cl_khr_gl_event, else the release event is waited for before GL uses
// the objects.
//
// Only the device's extension string is evidence: PoCL accepts the GL context properties and then
// fails clCreateFromGLTexture and aborts in clCreateFromGLBuffer, so nothing here calls a
// clCreateFromGL* function on a device that does not list cl_khr_gl_sharing.

#include <string_view>
#include <vector>

#include "compute/cl_context.h"
#include "compute/cl_handles.h"
#include "interop/cl_gl_acquire.h"
#include "interop/frame_bridge.h"

namespace sl::interop {

// A ComputeContext created from the host's GL context (current on the calling thread), on the
// device that drives it. Fails with Unavailable naming the reason (no native context, no device
// lists cl_khr_gl_sharing, the GL context's device is not a sharing device) without touching any
// device that does not list the extension.
Expected<compute::ComputeContext> createGlSharedComputeContext(const GlNativeContext& native);

// True when `context` was created with CL_GL_CONTEXT_KHR among its properties.
bool isGlSharedContext(cl_context context);

class GlSharingBridge final : public FrameBridge {
public:
    static StrategyReport probe(const compute::DeviceInfo& device, const GlBridgeCaps* gl);
    static Expected<std::unique_ptr<FrameBridge>> create(const FrameLayout& layout, int slots,
                                                         const GlFunctions& gl,
                                                         const GlNativeContext& native,
                                                         const compute::ComputeContext& compute);
    ~GlSharingBridge() override;

private:
    struct Slot {
        GLuint buffer = 0;
        compute::ClMem clBuffer;      // clCreateFromGLBuffer, once
        compute::ClMem clImages[3];   // clCreateFromGLTexture, once (optional)
        ClGlAcquire acquire;          // held between mapCl and unmapCl
        compute::ClEvent acquired;    // the acquire's event (ClFrame::ready)
        compute::ClEvent glDone;      // cl_khr_gl_event: the GL fence as a CL event
        GLsync glFence = nullptr;     // kept alive until glDone completes
        compute::ClEvent released;    // the release's event (waited for without gl_event)
    };

    GlSharingBridge(const FrameLayout& layout, int slots, const GlFunctions& gl,
                    const compute::ComputeContext& compute);
    Status init();
    Status waitReleased(Slot& s);   // CL is done with the objects; GL may use them

    Status doWriteHost(int slot, const HostPlanes& planes) override;
    Status doUploadTextures(int slot) override;
    Status doPackTextures(int slot) override;
    Expected<ClFrame> doMapCl(int slot, ClAccess access) override;
    Status doUnmapCl(int slot, cl_event done) override;
    GLuint doGlBuffer(int slot) const override { return pool_[size_t(slot)].buffer; }

    std::vector<Slot> pool_;
    bool glEvent_ = false;   // the device lists cl_khr_gl_event
    using CreateEventFromGLsyncFn = cl_event(CL_API_CALL*)(cl_context, cl_GLsync, cl_int*);
    CreateEventFromGLsyncFn createEventFromGLsync_ = nullptr;   // only with cl_khr_gl_event
    bool loggedGlFinish_ = false;
};

}  // namespace sl::interop
