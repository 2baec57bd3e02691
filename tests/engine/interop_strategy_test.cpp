// FrameBridge strategy choice: evidence is the device's extension string and host-unified memory,
// never a clCreateContext that accepted GL properties.

#include <gtest/gtest.h>

#include <CL/cl_gl.h>

#include <cstdio>
#include <string>

#include "compute/cl_context.h"
#include "compute/platform.h"
#include "interop/frame_bridge.h"
#include "interop/gl_sharing_bridge.h"
#include "support/egl_context.h"

namespace sl::interop {
namespace {

const StrategyReport& reportOf(const std::vector<StrategyReport>& rs, BridgeStrategy s) {
    for (const StrategyReport& r : rs) {
        if (r.strategy == s) return r;
    }
    static const StrategyReport none;
    ADD_FAILURE() << "no report for " << bridgeStrategyName(s);
    return none;
}

TEST(InteropStrategy, NamesRoundTrip) {
    for (BridgeStrategy s : kBridgeStrategies) {
        auto parsed = parseBridgeStrategy(bridgeStrategyName(s));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(*parsed, s);
    }
    auto bad = parseBridgeStrategy("zero-copy");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.status().code(), StatusCode::InvalidArgument);
    EXPECT_NE(bad.status().message().find("gl-sharing, mapped or copy"), std::string::npos);
}

TEST(InteropStrategy, ChooseFollowsPreferenceAndForcedFailsWithReason) {
    std::vector<StrategyReport> reports = {
        {BridgeStrategy::GlSharing, false,
         "interop/gl-sharing: unavailable: device 'x' does not "
         "list cl_khr_gl_sharing"},
        {BridgeStrategy::Mapped, true, "interop/mapped: available"},
        {BridgeStrategy::Copy, true, "interop/copy: available"}};
    auto chosen = chooseStrategy(reports);
    ASSERT_TRUE(chosen);
    EXPECT_EQ(*chosen, BridgeStrategy::Mapped);
    auto copy = chooseStrategy(reports, BridgeStrategy::Copy);
    ASSERT_TRUE(copy);
    EXPECT_EQ(*copy, BridgeStrategy::Copy);
    auto forced = chooseStrategy(reports, BridgeStrategy::GlSharing);
    ASSERT_FALSE(forced);
    EXPECT_EQ(forced.status().code(), StatusCode::Unsupported);
    EXPECT_NE(forced.status().message().find("'gl-sharing' was requested"), std::string::npos);
    EXPECT_NE(forced.status().message().find("does not list cl_khr_gl_sharing"), std::string::npos);
    reports[1].available = false;
    chosen = chooseStrategy(reports);
    ASSERT_TRUE(chosen);
    EXPECT_EQ(*chosen, BridgeStrategy::Copy);
}

TEST(InteropStrategy, ProbeOfThisDeviceWithoutGl) {
    auto choice = compute::chooseDevice();
    ASSERT_TRUE(choice) << choice.status().message();
    const compute::DeviceInfo& dev = choice->device;
    auto reports = probeBridgeStrategies(dev);
    ASSERT_EQ(reports.size(), 3u);
    for (const StrategyReport& r : reports) {
        std::printf("[ probe    ] %s\n", r.reason.c_str());
        EXPECT_NE(r.reason.find(std::string("interop/") + bridgeStrategyName(r.strategy)),
                  std::string::npos);
    }
    const StrategyReport& sharing = reportOf(reports, BridgeStrategy::GlSharing);
    EXPECT_EQ(sharing.available, dev.has("cl_khr_gl_sharing"));
    if (!sharing.available) {
        EXPECT_NE(sharing.reason.find("does not list cl_khr_gl_sharing"), std::string::npos);
        EXPECT_NE(sharing.reason.find(dev.name), std::string::npos);
    }
    EXPECT_EQ(reportOf(reports, BridgeStrategy::Mapped).available, dev.hostUnifiedMemory);
    EXPECT_TRUE(reportOf(reports, BridgeStrategy::Copy).available);
}

// PoCL accepts CL_GL_CONTEXT_KHR / CL_EGL_DISPLAY_KHR and builds a context; that must not make it a
// sharing device. Nothing here may reach clCreateFromGL* (PoCL aborts in clCreateFromGLBuffer).
TEST(InteropStrategy, GlPropertiesAcceptedAreNotEvidenceOfSharing) {
    testing::EglContext egl;
    std::string err;
    ASSERT_TRUE(egl.create(&err)) << err;
    auto gl = GlFunctions::load(&testing::EglContext::getProcAddress);
    ASSERT_TRUE(gl) << gl.status().message();
    std::printf("[ GL       ] %s\n", gl->describe().c_str());
    EXPECT_TRUE(gl->hasBufferStorage) << "Mesa's GL 4.5 core has glBufferStorage";

    auto choice = compute::chooseDevice();
    ASSERT_TRUE(choice) << choice.status().message();
    const compute::DeviceInfo& dev = choice->device;
    if (dev.has("cl_khr_gl_sharing")) {
        GTEST_SKIP() << "device '" << dev.name << "' lists cl_khr_gl_sharing: this test is for "
                     << "devices that do not";
    }
    auto ctx = compute::ComputeContext::create(
        dev, {CL_GL_CONTEXT_KHR, cl_context_properties(egl.context()), CL_EGL_DISPLAY_KHR,
              cl_context_properties(egl.display())});
    std::printf("[ context  ] clCreateContext with GL properties on '%s': %s\n", dev.name.c_str(),
                ctx ? "succeeded (properties ignored)" : ctx.status().message().c_str());

    const GlBridgeCaps caps = glBridgeCaps(*gl, egl.host().native);
    auto reports = probeBridgeStrategies(dev, &caps);
    const StrategyReport& sharing = reportOf(reports, BridgeStrategy::GlSharing);
    std::printf("[ probe    ] %s\n", sharing.reason.c_str());
    EXPECT_FALSE(sharing.available);
    EXPECT_NE(sharing.reason.find("does not list cl_khr_gl_sharing"), std::string::npos);
    auto chosen = chooseStrategy(reports);
    ASSERT_TRUE(chosen);
    EXPECT_EQ(*chosen, dev.hostUnifiedMemory ? BridgeStrategy::Mapped : BridgeStrategy::Copy);

    // A gl-sharing bridge on that context is refused by the evidence, before any clCreateFromGL*.
    if (ctx) {
        FrameBridgeConfig config{media::PixelFormat::Yuv420p, 64, 32, 2};
        auto bridge = createFrameBridge(BridgeStrategy::GlSharing, config, egl.host(), *ctx);
        ASSERT_FALSE(bridge);
        EXPECT_EQ(bridge.status().code(), StatusCode::Unsupported);
        EXPECT_NE(bridge.status().message().find("cl_khr_gl_sharing"), std::string::npos);
    }
    // So is asking for a context created from GL.
    auto shared = createGlSharedComputeContext(egl.host().native);
    EXPECT_FALSE(shared);
    if (!shared) std::printf("[ context  ] %s\n", shared.status().message().c_str());
}

TEST(InteropStrategy, ForcedUnavailableStrategyNamesTheReason) {
    auto choice = compute::chooseDevice();
    ASSERT_TRUE(choice) << choice.status().message();
    compute::DeviceInfo dev = choice->device;
    // A discrete GPU as seen by the probe: no host-unified memory, no sharing extension.
    dev.hostUnifiedMemory = false;
    dev.hostUnifiedMemoryInferred = false;
    dev.extensions.clear();
    auto forced = chooseStrategy(probeBridgeStrategies(dev), BridgeStrategy::Mapped);
    ASSERT_FALSE(forced);
    EXPECT_EQ(forced.status().code(), StatusCode::Unsupported);
    EXPECT_NE(forced.status().message().find("CL_DEVICE_HOST_UNIFIED_MEMORY"), std::string::npos);
    std::printf("[ forced   ] %s\n", forced.status().message().c_str());

    GlBridgeCaps oldGl{"3.3 (Core Profile) test", false, GlNativeContext::Api::Egl};
    dev.hostUnifiedMemory = true;
    forced = chooseStrategy(probeBridgeStrategies(dev, &oldGl), BridgeStrategy::Mapped);
    ASSERT_FALSE(forced);
    EXPECT_NE(forced.status().message().find("GL_ARB_buffer_storage"), std::string::npos);
}

TEST(InteropGlFunctions, MissingEntryPointIsNamed) {
    testing::EglContext egl;
    std::string err;
    ASSERT_TRUE(egl.create(&err)) << err;
    // A host whose GL lacks sync objects (GL < 3.2): the Status names the function.
    auto withoutFences = [](const char* name) -> void* {
        if (std::string(name) == "glFenceSync") return nullptr;
        return testing::EglContext::getProcAddress(name);
    };
    auto gl = GlFunctions::load(+withoutFences);
    ASSERT_FALSE(gl);
    EXPECT_EQ(gl.status().code(), StatusCode::Unavailable);
    EXPECT_NE(gl.status().message().find("glFenceSync"), std::string::npos);
    EXPECT_FALSE(GlFunctions::load(nullptr));
}

TEST(InteropFrameLayout, OddSizesRoundChromaUpAndAlignPlanes) {
    auto l = FrameLayout::make(media::PixelFormat::Yuv420p, 17, 9);
    ASSERT_TRUE(l);
    ASSERT_EQ(l->planeCount, 3);
    EXPECT_EQ(l->planes[0].width, 17);
    EXPECT_EQ(l->planes[1].width, 9);
    EXPECT_EQ(l->planes[1].height, 5);
    EXPECT_EQ(l->planes[2].height, 5);
    auto n = FrameLayout::make(media::PixelFormat::Nv12, 641, 359);
    ASSERT_TRUE(n);
    ASSERT_EQ(n->planeCount, 2);
    EXPECT_EQ(n->planes[1].width, 321);
    EXPECT_EQ(n->planes[1].height, 180);
    EXPECT_EQ(n->planes[1].rowBytes(), 642);
    for (const FrameLayout* f : {&*l, &*n}) {
        for (int p = 0; p < f->planeCount; ++p) {
            const PlaneLayout& pl = f->planes[p];
            EXPECT_EQ(pl.offset % FrameLayout::kPlaneAlignment, 0u);
            EXPECT_EQ(pl.stride % FrameLayout::kRowAlignment, 0);
            EXPECT_GE(pl.stride, pl.rowBytes());
            EXPECT_LE(pl.offset + size_t(pl.stride) * size_t(pl.height), f->byteSize);
            if (p > 0) {
                const PlaneLayout& prev = f->planes[p - 1];
                EXPECT_GE(pl.offset, prev.offset + size_t(prev.stride) * size_t(prev.height));
            }
        }
    }
    EXPECT_FALSE(FrameLayout::make(media::PixelFormat::Nv12, 0, 10));
}

}  // namespace
}  // namespace sl::interop
