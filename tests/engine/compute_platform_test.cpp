// Device enumeration, selector parsing and context creation on this machine's OpenCL (PoCL on CI).
// No OpenCL platform is a failure, not a skip: the project's setup installs pocl-opencl-icd.
#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/platform.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace sl::compute {
namespace {

std::vector<DeviceInfo> devicesOrFail() {
    auto devices = enumerateDevices();
    EXPECT_TRUE(devices) << devices.status().message();
    return devices ? *devices : std::vector<DeviceInfo>{};
}

TEST(ComputePlatform, FindsAtLeastOneDeviceWithFacts) {
    const auto devices = devicesOrFail();
    ASSERT_FALSE(devices.empty());
    bool sawPocl = false;
    for (const DeviceInfo& d : devices) {
        EXPECT_FALSE(d.name.empty());
        EXPECT_FALSE(d.platformName.empty());
        EXPECT_GT(d.computeUnits, 0u);
        EXPECT_GT(d.globalMemBytes, 0u);
        EXPECT_GT(d.maxAllocBytes, 0u);
        EXPECT_GE(d.clMajor, 1);
        EXPECT_EQ(d.fp16, d.has("cl_khr_fp16"));
        if (d.platformName.find("Portable Computing Language") != std::string::npos) {
            sawPocl = true;
            EXPECT_EQ(d.type, DeviceType::Cpu);
            EXPECT_TRUE(d.hostUnifiedMemory);   // a CPU device shares host memory
        }
    }
    // The CI machine kind has PoCL; a machine with only a GPU driver is fine too.
    if (!sawPocl) GTEST_LOG_(INFO) << "no PoCL platform; devices:\n" << deviceListText(devices);
}

TEST(ComputePlatform, AutomaticChoicePrefersGpu) {
    std::vector<DeviceInfo> fake(3);
    fake[0].type = DeviceType::Cpu;
    fake[0].computeUnits = 64;
    fake[0].name = "big cpu";
    fake[1].type = DeviceType::Gpu;
    fake[1].computeUnits = 8;
    fake[1].maxClockMHz = 1000;
    fake[1].name = "small gpu";
    fake[2].type = DeviceType::Gpu;
    fake[2].computeUnits = 16;
    fake[2].maxClockMHz = 1000;
    fake[2].name = "large gpu";
    for (int i = 0; i < 3; ++i) fake[i].index = i;
    auto c = chooseDevice(fake, "");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->device.name, "large gpu");
    EXPECT_NE(c->reason.find("GPU"), std::string::npos);
}

TEST(ComputePlatform, SelectorByIndexPlatformDeviceAndName) {
    std::vector<DeviceInfo> fake(3);
    const char* names[] = {"Alpha CPU", "Beta GPU", "Gamma GPU"};
    for (int i = 0; i < 3; ++i) {
        fake[i].index = i;
        fake[i].platformIndex = i == 0 ? 0 : 1;
        fake[i].deviceIndex = i == 0 ? 0 : i - 1;
        fake[i].name = names[i];
        fake[i].platformName = i == 0 ? "Portable Computing Language" : "Vendor X";
        fake[i].type = i == 0 ? DeviceType::Cpu : DeviceType::Gpu;
        fake[i].computeUnits = 4;
    }
    auto byIndex = chooseDevice(fake, "2");
    ASSERT_TRUE(byIndex);
    EXPECT_EQ(byIndex->device.name, "Gamma GPU");
    auto byPd = chooseDevice(fake, "1:0");
    ASSERT_TRUE(byPd);
    EXPECT_EQ(byPd->device.name, "Beta GPU");
    auto byName = chooseDevice(fake, "gAmMa");
    ASSERT_TRUE(byName);
    EXPECT_EQ(byName->device.name, "Gamma GPU");
    auto byPlatform = chooseDevice(fake, "portable");
    ASSERT_TRUE(byPlatform);
    EXPECT_EQ(byPlatform->device.name, "Alpha CPU");
    EXPECT_NE(byPlatform->reason.find("portable"), std::string::npos);
}

TEST(ComputePlatform, SelectorMatchingNothingListsDevices) {
    const auto devices = devicesOrFail();
    ASSERT_FALSE(devices.empty());
    for (const char* sel : {"no-such-device-xyz", "99", "7:3"}) {
        auto c = chooseDevice(devices, sel);
        ASSERT_FALSE(c) << sel;
        EXPECT_EQ(c.status().code(), StatusCode::NotFound);
        EXPECT_NE(c.status().message().find(sel), std::string::npos);
        EXPECT_NE(c.status().message().find(devices[0].name), std::string::npos)
            << c.status().message();
    }
}

TEST(ComputePlatform, RealSelectorsPickTheSameDevice) {
    const auto devices = devicesOrFail();
    ASSERT_FALSE(devices.empty());
    const DeviceInfo& d = devices.back();
    auto a = chooseDevice(devices, std::to_string(d.index));
    auto b = chooseDevice(devices,
                          std::to_string(d.platformIndex) + ":" + std::to_string(d.deviceIndex));
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_EQ(a->device.device, d.device);
    EXPECT_EQ(b->device.device, d.device);
}

TEST(ComputeContext, CreatesContextQueueAndProfiledEvents) {
    auto ctx = ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    EXPECT_NE(ctx->context(), nullptr);
    EXPECT_NE(ctx->queue(), nullptr);
    cl_command_queue_properties props = 0;
    ASSERT_EQ(clGetCommandQueueInfo(ctx->queue(), CL_QUEUE_PROPERTIES, sizeof props, &props,
                                    nullptr),
              CL_SUCCESS);
    EXPECT_TRUE(props & CL_QUEUE_PROFILING_ENABLE);
    EXPECT_FALSE(props & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE);

    auto buf = ctx->createBuffer(CL_MEM_READ_WRITE, 1 << 20);
    ASSERT_TRUE(buf) << buf.status().message();
    const cl_uint pattern = 0xdeadbeef;
    ClEvent ev;
    ASSERT_EQ(clEnqueueFillBuffer(ctx->queue(), buf->get(), &pattern, sizeof pattern, 0, 1 << 20,
                                  0, nullptr, ev.out()),
              CL_SUCCESS);
    auto t = eventTimes(ev.get());
    ASSERT_TRUE(t) << t.status().message();
    EXPECT_LE(t->queuedNs, t->startNs);
    EXPECT_LE(t->startNs, t->endNs);
    cl_uint back = 0;
    ASSERT_TRUE(ctx->read(buf->get(), 4096, sizeof back, &back));
    EXPECT_EQ(back, pattern);

    auto q2 = ctx->createQueue(false);
    ASSERT_TRUE(q2) << q2.status().message();
    ComputeContext moved = std::move(*ctx);
    EXPECT_TRUE(moved.finish());
}

TEST(ComputeContext, BadSelectorIsAnError) {
    auto ctx = ComputeContext::create("no-such-device-xyz");
    ASSERT_FALSE(ctx);
    EXPECT_EQ(ctx.status().code(), StatusCode::NotFound);
}

}  // namespace
}  // namespace sl::compute
