// The frame path end to end on this machine: host frame -> FrameBridge slot -> mapCl -> the vision
// preprocess kernel reads the slot's planes in place -> tensor equals the CPU reference on the
// original planes. Also GL sees the same frame. For every strategy the device can do.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "compute/cl_context.h"
#include "interop/frame_bridge.h"
#include "support/egl_context.h"
#include "vision/preprocess.h"
#include "vision/preprocess_reference.h"

namespace sl::interop {
namespace {

void runCase(BridgeStrategy strategy, media::PixelFormat format, int width, int height) {
    SCOPED_TRACE(std::string(bridgeStrategyName(strategy)) + " " + media::pixelFormatName(format) +
                 " " + std::to_string(width) + "x" + std::to_string(height));
    testing::EglContext egl;
    std::string err;
    ASSERT_TRUE(egl.create(&err)) << err;
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    FrameBridgeConfig config{format, width, height, 3};
    auto bridge = createFrameBridge(strategy, config, egl.host(), *ctx);
    if (!bridge && strategy == BridgeStrategy::Mapped && !ctx->info().hostUnifiedMemory) {
        GTEST_SKIP() << bridge.status().message();
    }
    ASSERT_TRUE(bridge) << bridge.status().message();
    const FrameLayout& l = (*bridge)->layout();

    // A smooth picture with detail, tight strides, in host memory.
    std::vector<uint8_t> bytes[3];
    HostPlanes planes;
    vision::HostYuvFrame host{
        format, width, height, {}, media::ColorMatrix::Bt709, media::ColorRange::Limited};
    for (int p = 0; p < l.planeCount; ++p) {
        const PlaneLayout& pl = l.planes[p];
        bytes[p].resize(size_t(pl.rowBytes()) * size_t(pl.height));
        for (int y = 0; y < pl.height; ++y) {
            for (int x = 0; x < pl.rowBytes(); ++x) {
                bytes[p][size_t(y * pl.rowBytes() + x)] =
                    uint8_t(16 + (x * 3 + y * 5 + p * 40 + ((x / 7 + y / 5) % 2) * 60) % 220);
            }
        }
        planes.data[p] = bytes[p].data();
        planes.stride[p] = pl.rowBytes();
        host.planes[size_t(p)] = {bytes[p].data(), pl.rowBytes(), pl.width, pl.height};
    }

    auto pre = vision::Preprocessor::create(*ctx);
    ASSERT_TRUE(pre) << pre.status().message();
    vision::PreprocessParams params;   // YOLOX-Nano: 416x416 BGR letterbox top-left, pad 114
    const size_t outBytes = vision::preprocessOutputBytes(params);
    auto tensor = ctx->createBuffer(CL_MEM_READ_WRITE, outBytes);
    ASSERT_TRUE(tensor) << tensor.status().message();

    auto slot = (*bridge)->acquireSlot();
    ASSERT_TRUE(slot);
    ASSERT_TRUE((*bridge)->writePlanes(*slot, planes));
    ASSERT_TRUE((*bridge)->mapGl(*slot));   // display first, as the player does
    auto cl = (*bridge)->mapCl(*slot, ClAccess::Read);
    ASSERT_TRUE(cl) << cl.status().message();
    std::vector<cl_event> waits;
    if (cl->ready) waits.push_back(cl->ready);
    compute::ClEvent done;
    const vision::DeviceYuvFrame frame{cl->format, cl->width, cl->height, cl->planes,
                                       host.matrix, host.range};
    Status st = pre->run(frame, params, tensor->get(), 0, waits, &done);
    ASSERT_TRUE(st) << st.message();
    ASSERT_TRUE((*bridge)->unmapCl(*slot, done.get()));

    std::vector<float> got(outBytes / sizeof(float));
    ASSERT_TRUE(ctx->read(tensor->get(), 0, outBytes, got.data()));
    std::vector<float> want(got.size());
    vision::preprocessReference(host, params, want.data());
    double maxErr = 0;
    for (size_t i = 0; i < got.size(); ++i)
        maxErr = std::max(maxErr, double(std::fabs(got[i] - want[i])));
    // Same float operations in the same order as the reference (preprocess_reference.h): only
    // rounding may differ. 1e-3 in 0..255 units is the fp32 tolerance.
    EXPECT_LE(maxErr, 1e-3);
    ASSERT_TRUE((*bridge)->releaseSlot(*slot));
}

TEST(InteropPreprocess, MappedSlotFeedsThePreprocessKernel) {
    runCase(BridgeStrategy::Mapped, media::PixelFormat::Yuv420p, 641, 359);
    runCase(BridgeStrategy::Mapped, media::PixelFormat::Nv12, 1280, 720);
}

TEST(InteropPreprocess, CopySlotFeedsThePreprocessKernel) {
    runCase(BridgeStrategy::Copy, media::PixelFormat::Yuv420p, 641, 359);
    runCase(BridgeStrategy::Copy, media::PixelFormat::Nv12, 1280, 720);
}

}  // namespace
}  // namespace sl::interop
