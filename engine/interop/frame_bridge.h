#pragma once
// FrameBridge: how one decoded frame (any media::PixelFormat) is seen by OpenGL (display) and by OpenCL (inference).
// Three strategies, one file each (mpv hwdec_*.c style), chosen at run time from what the CL device
// reports (DESIGN.md "The frame path"):
//
//   gl-sharing  cl_khr_gl_sharing: CL context created from the GL context; every slot's GL buffer
//               and textures registered with CL once; acquire/release per frame.   zero-copy
//   mapped      GL buffer with persistent+coherent storage, mapped once, wrapped by
//               clCreateBuffer(CL_MEM_USE_HOST_PTR); needs host-unified memory.   zero-copy
//   copy        host staging; clEnqueueWrite/ReadBuffer and PBO uploads.          always works
//
// Evidence for a strategy is the device's extension string and CL_DEVICE_HOST_UNIFIED_MEMORY (plus
// GL >= 4.4 or GL_ARB_buffer_storage for `mapped`), never a clCreateContext that accepted GL
// properties or a non-null extension function pointer: PoCL accepts the properties and then fails
// (or aborts) in clCreateFromGL*.
//
// Per-frame model (mpv ra_hwdec_mapper): a pool of N slots = frames in flight, each holding the
// planes of one frame in a single linear buffer laid out by FrameLayout, plus one GL texture per
// plane. Objects are created and registered once at creation, never per frame.
//
//   int s = *bridge->acquireSlot();            // decoder side: a free slot
//   bridge->writeFrame(s, frame);              // planes -> slot storage (memcpy for mapped/copy)
//   auto tex = bridge->mapGl(s);               // textures now hold the frame (PBO upload)
//   auto cl = bridge->mapCl(s, ClAccess::Read);// PlaneViews on the bridge's CL context; enqueue
//   ... kernels waiting on cl->ready ...       //   kernels on the same queue or wait on `ready`
//   bridge->unmapCl(s, doneEvent);             // CL work enqueued; `done` (optional) marks its end
//   bridge->releaseSlot(s);                    // back to the pool
//
// map*() first ends the other side's mapping; a failed map leaves the slot unmapped. Content
// follows the last writer (host, GL or CL): mapGl() after CL wrote shows CL's bytes, mapCl() after
// writeFromGlTextures() shows GL's bytes. Synchronisation: a GL fence before CL touches what GL
// used, the CL event before GL touches what CL wrote; glFinish/clFinish only as a logged fallback.
//
// Threading: every call is made on the thread where the host's GL context is current (the render or
// upload thread), because GL fences are waited there. CL work is only enqueued, never waited for on
// that thread except where a strategy's contract demands it (copy: CL->GL readback). The memory
// hostPointer() returns (on the GL thread) may be written from any thread until commitHostWrite().

#include <CL/cl.h>
#include <GL/glcorearb.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "interop/frame_layout.h"
#include "interop/gl_functions.h"
#include "interop/plane_view.h"
#include "media/video_frame.h"

namespace sl::compute {
class ComputeContext;
struct DeviceInfo;
}  // namespace sl::compute

namespace sl::interop {

enum class BridgeStrategy { GlSharing, Mapped, Copy };
inline constexpr BridgeStrategy kBridgeStrategies[] = {
    BridgeStrategy::GlSharing, BridgeStrategy::Mapped, BridgeStrategy::Copy};

const char* bridgeStrategyName(BridgeStrategy s);   // "gl-sharing", "mapped", "copy"
// Accepts the names above (from --bridge= or a setting); anything else is InvalidArgument
// listing them.
Expected<BridgeStrategy> parseBridgeStrategy(std::string_view name);

// The host's native GL context, opaque to the engine (mpv ra_add_native_resource). Needed only by
// gl-sharing: GLX (Display*, GLXContext from QNativeInterface::QGLXContext + QX11Application) or
// EGL (EGLDisplay, EGLContext from QNativeInterface::QEGLContext or eglGetCurrent*).
struct GlNativeContext {
    enum class Api { None, Glx, Egl };
    Api api = Api::None;
    void* display = nullptr;
    void* context = nullptr;
};

// What the host's GL side hands the bridge. The GL context must be current on the calling thread
// whenever a bridge is created, used or destroyed.
struct GlHost {
    GlGetProcAddress getProcAddress =
        nullptr;   // QOpenGLContext::getProcAddress, eglGetProcAddress
    GlNativeContext native;
};

// The GL facts the strategies depend on; from a loaded GlFunctions.
struct GlBridgeCaps {
    std::string description;      // "4.5 (Core Profile) Mesa 22.3.6 / llvmpipe ..."
    bool bufferStorage = false;   // GL >= 4.4 or GL_ARB_buffer_storage
    GlNativeContext::Api nativeApi = GlNativeContext::Api::None;
};
GlBridgeCaps glBridgeCaps(const GlFunctions& gl, const GlNativeContext& native);

struct StrategyReport {
    BridgeStrategy strategy = BridgeStrategy::Copy;
    bool available = false;
    // Why it is (un)available: "interop/gl-sharing: unavailable: device 'pthread-cpu' does not list
    // cl_khr_gl_sharing". For `sightline probe` and the GUI HUD.
    std::string reason;
};

// One report per strategy, in preference order (gl-sharing, mapped, copy). `gl` null means no GL
// context is at hand (the headless probe verb): the CL-side facts decide and the reason says that
// the GL side was not checked.
std::vector<StrategyReport> probeBridgeStrategies(const compute::DeviceInfo& device,
                                                  const GlBridgeCaps* gl = nullptr);

// The first available of gl-sharing, mapped, copy; or `forced` if available, else an Unsupported
// Status carrying that strategy's reason.
Expected<BridgeStrategy> chooseStrategy(const std::vector<StrategyReport>& reports,
                                        std::optional<BridgeStrategy> forced = std::nullopt);

struct ClFrame {
    media::PixelFormat format = media::PixelFormat::Yuv420p;
    int width = 0;
    int height = 0;
    int planeCount = 0;
    std::array<PlaneView, 3> planes{};   // interop/plane_view.h
    // (optional) gl-sharing only: the plane textures as CL images (CL_R / CL_RG, CL_UNORM_INT8),
    // registered once; null elsewhere or where the driver refused the texture format.
    cl_mem images[3] = {nullptr, nullptr, nullptr};
    // Work that must finish before the planes may be used (unmap/acquire/write), or null when
    // there is none. Owned by the bridge, valid until unmapCl(); pass it in a wait list or enqueue
    // on the bridge's queue (in order).
    cl_event ready = nullptr;
};

struct GlFrame {
    int planeCount = 0;
    // GL_TEXTURE_2D per plane: GL_R8 / GL_R16 planes, semi-planar UV GL_RG8 / GL_RG16, packed
    // RGB(A) GL_RGB8 / GL_RGBA8 holding R, G, B in .rgb whatever the byte order.
    GLuint textures[3] = {0, 0, 0};
    int widths[3] = {0, 0, 0};
    int heights[3] = {0, 0, 0};
};

enum class ClAccess { Read, ReadWrite };

struct FrameBridgeConfig {
    media::PixelFormat format = media::PixelFormat::Yuv420p;
    int width = 0;
    int height = 0;
    int slots = 4;   // frames in flight
    // (optional) Room per slot for a decoder writing its padded picture in place (SlotPool);
    // 0: the frame size.
    int allocWidth = 0;
    int allocHeight = 0;
};

class FrameBridge {
public:
    virtual ~FrameBridge();
    FrameBridge(const FrameBridge&) = delete;
    FrameBridge& operator=(const FrameBridge&) = delete;

    BridgeStrategy strategy() const { return strategy_; }
    const char* name() const { return bridgeStrategyName(strategy_); }
    const FrameLayout& layout() const { return layout_; }
    int slotCount() const { return int(slots_.size()); }
    // The CL context and queue every mapCl() view belongs to.
    const compute::ComputeContext& compute() const { return compute_; }
    cl_command_queue queue() const;

    // A free slot, or Unavailable "all N slots are in flight".
    Expected<int> acquireSlot();
    // Ends any mapping and returns the slot to the pool.
    Status releaseSlot(int slot);

    // Decoder-side write: the frame's format and size must match the layout.
    Status writeFrame(int slot, const media::VideoFrame& frame);
    Status writePlanes(int slot, const HostPlanes& planes);
    // (optional) Where a decoder may write the slot's planes itself, laid out per layout(): the
    // persistent-mapped pointer for `mapped` (zero copies); null for the other strategies. Call
    // commitHostWrite() when done. Waits for GL and CL to be done with the slot first.
    Expected<uint8_t*> hostPointer(int slot);
    Status commitHostWrite(int slot);

    // GL side. mapGl: the slot's textures hold its current content (uploaded from the slot's GL
    // buffer bound as GL_PIXEL_UNPACK_BUFFER). Valid until the slot is written or released.
    Expected<GlFrame> mapGl(int slot);
    // GL wrote the slot's textures (rendered or uploaded into them): pack them into the slot's
    // storage (glGetTexImage into the buffer as GL_PIXEL_PACK_BUFFER) so mapCl() sees them.
    Status writeFromGlTextures(int slot);
    // The GL buffer that holds the slot's planes (every strategy has one).
    GLuint glBuffer(int slot) const;

    // CL side (see ClFrame). ReadWrite: what CL writes becomes the slot's content.
    Expected<ClFrame> mapCl(int slot, ClAccess access);
    // CL work on the slot has been enqueued; `done` (may be null: then the bridge's in-order queue
    // orders it) completes when it has finished. Idempotent.
    Status unmapCl(int slot, cl_event done = nullptr);

protected:
    enum class Writer { None, Host, Gl, Cl };
    struct SlotState {
        bool inUse = false;
        bool clMapped = false;
        ClAccess clAccess = ClAccess::Read;
        Writer lastWriter = Writer::None;
        bool texturesCurrent = false;   // textures hold the content of lastWriter
    };

    FrameBridge(BridgeStrategy strategy, const FrameLayout& layout, int slots,
                const GlFunctions& gl, const compute::ComputeContext& compute);

    // Strategy hooks; the base class checks slot indices and mapping state before calling them.
    virtual Status doWriteHost(int slot, const HostPlanes& planes) = 0;
    virtual Expected<uint8_t*> doHostPointer(int slot);   // (optional) default: Unsupported
    virtual Status doCommitHostWrite(int /*slot*/) { return Status::ok(); }
    virtual Status doUploadTextures(int slot) = 0;   // slot storage -> textures
    virtual Status doPackTextures(int slot) = 0;     // textures -> slot storage
    virtual Expected<ClFrame> doMapCl(int slot, ClAccess access) = 0;
    virtual Status doUnmapCl(int slot, cl_event done) = 0;
    virtual GLuint doGlBuffer(int slot) const = 0;

    Status checkSlot(int slot, const char* op) const;
    Status makeTextures();   // one texture per plane per slot, allocated once
    void deleteTextures();
    // glTexSubImage2D of every plane from `buffer` bound as GL_PIXEL_UNPACK_BUFFER.
    Status uploadTexturesFrom(int slot, GLuint buffer);
    // glGetTexImage of every plane into `buffer` bound as GL_PIXEL_PACK_BUFFER.
    Status packTexturesInto(int slot, GLuint buffer);
    ClFrame clFrameFor(cl_mem mem, cl_event ready) const;
    Status error(StatusCode code, const std::string& what) const;

    BridgeStrategy strategy_;
    FrameLayout layout_;
    GlFunctions gl_;
    const compute::ComputeContext& compute_;
    std::vector<SlotState> slots_;
    std::vector<GlFrame> textures_;
};

// Creates a bridge of `strategy` with the host's GL context current. `compute` is borrowed and must
// outlive the bridge; for gl-sharing it must come from createGlSharedComputeContext() (see
// gl_sharing_bridge.h). Fails with the strategy's probe reason when the device cannot do it.
Expected<std::unique_ptr<FrameBridge>> createFrameBridge(BridgeStrategy strategy,
                                                         const FrameBridgeConfig& config,
                                                         const GlHost& gl,
                                                         const compute::ComputeContext& compute);

}  // namespace sl::interop
