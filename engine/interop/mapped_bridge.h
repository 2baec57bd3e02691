#pragma once
// MappedBridge (`mapped`): one GL buffer per slot with immutable storage
// (glBufferStorage MAP_WRITE|MAP_READ|MAP_PERSISTENT|MAP_COHERENT), mapped once for the bridge's
// lifetime, and wrapped by clCreateBuffer(CL_MEM_USE_HOST_PTR) on that very pointer. Where the CL
// device shares host memory (CPU OpenCL such as PoCL, integrated GPUs) GL, CL and the host then
// see the same bytes: no copy between them.
//
// Ownership of the bytes follows OpenCL's rules for CL_MEM_USE_HOST_PTR: the host (and GL, whose
// coherent mapping is host memory) may touch them only while CL has the buffer mapped. So each
// slot's CL buffer stays mapped (clEnqueueMapBuffer returns the GL pointer itself; init() checks
// that, or refuses) and mapCl() unmaps it for CL's turn; unmapCl() maps it back,
// non-blocking, after CL's work. Sync: a GL fence after every GL use of the buffer, waited for
// before CL gets it; the CL map event, waited for before the host or GL touch it again.
//
// hostPointer() is where a decoder can write the frame directly (zero copies): the follow-up is an
// AVCodecContext.get_buffer2 allocator handing out slot memory as AVFrame planes (layout() gives
// data[]/linesize[]).

#include <vector>

#include "compute/cl_handles.h"
#include "interop/frame_bridge.h"

namespace sl::interop {

class MappedBridge final : public FrameBridge {
public:
    static StrategyReport probe(const compute::DeviceInfo& device, const GlBridgeCaps* gl);
    static Expected<std::unique_ptr<FrameBridge>> create(const FrameLayout& layout, int slots,
                                                         const GlFunctions& gl,
                                                         const compute::ComputeContext& compute);
    ~MappedBridge() override;

private:
    struct Slot {
        GLuint buffer = 0;
        uint8_t* ptr = nullptr;      // persistent GL mapping == CL host pointer
        compute::ClMem clBuffer;     // CL_MEM_USE_HOST_PTR on ptr
        GLsync glUse = nullptr;      // fence after the last GL command that used the buffer
        bool hostOwned = false;      // CL has the buffer mapped (host/GL may use the bytes)
        compute::ClEvent mapped;     // pending clEnqueueMapBuffer (hostOwned once complete)
        compute::ClEvent unmapped;   // clEnqueueUnmapMemObject: CL may use the bytes after it
    };

    MappedBridge(const FrameLayout& layout, int slots, const GlFunctions& gl,
                 const compute::ComputeContext& compute);
    Status init();
    Status waitGl(Slot& s);     // GL done with the buffer
    Status waitHost(Slot& s);   // CL has mapped the buffer back
    Status fenceGl(Slot& s);

    Status doWriteHost(int slot, const HostPlanes& planes) override;
    Expected<uint8_t*> doHostPointer(int slot) override;
    Status doUploadTextures(int slot) override;
    Status doPackTextures(int slot) override;
    Expected<ClFrame> doMapCl(int slot, ClAccess access) override;
    Status doUnmapCl(int slot, cl_event done) override;
    GLuint doGlBuffer(int slot) const override { return pool_[size_t(slot)].buffer; }

    std::vector<Slot> pool_;
};

}  // namespace sl::interop
