#pragma once
// CopyBridge (`copy`): explicit staging through host memory; works on every device.
//   host -> CL: clEnqueueWriteBuffer from the slot's host staging into its CL buffer
//   host -> GL: staging -> the slot's pixel-unpack buffer (PBO) -> textures
//   CL -> GL:   clEnqueueReadBuffer straight into the mapped PBO -> textures
//   GL -> CL:   textures -> PBO (glGetTexImage) -> mapped for reading -> clEnqueueWriteBuffer
// Each copy happens lazily, only when the other side asks for a slot whose content it lacks.

#include <vector>

#include "compute/cl_handles.h"
#include "interop/frame_bridge.h"

namespace sl::interop {

class CopyBridge final : public FrameBridge {
public:
    static StrategyReport probe(const compute::DeviceInfo& device, const GlBridgeCaps* gl);
    static Expected<std::unique_ptr<FrameBridge>> create(const FrameLayout& layout, int slots,
                                                         const GlFunctions& gl,
                                                         const compute::ComputeContext& compute);
    ~CopyBridge() override;

private:
    struct Slot {
        std::vector<uint8_t> staging;   // host copy, laid out per FrameLayout
        compute::ClMem clBuffer;
        GLuint pbo = 0;
        bool hostValid = false, pboValid = false, clValid = false;
        compute::ClEvent stagingRead;   // clEnqueueWriteBuffer still reading `staging`
        compute::ClEvent clDone;        // CL's work on the slot (from unmapCl)
    };

    CopyBridge(const FrameLayout& layout, int slots, const GlFunctions& gl,
               const compute::ComputeContext& compute);
    Status init();

    Status doWriteHost(int slot, const HostPlanes& planes) override;
    Status doUploadTextures(int slot) override;
    Status doPackTextures(int slot) override;
    Expected<ClFrame> doMapCl(int slot, ClAccess access) override;
    Status doUnmapCl(int slot, cl_event done) override;
    GLuint doGlBuffer(int slot) const override { return pool_[size_t(slot)].pbo; }

    std::vector<Slot> pool_;
};

}  // namespace sl::interop
