// KernelTuner's cache file: choices survive a round trip, a damaged file is ignored and
// rewritten, a different kernel source gets its own file, and an empty directory stays in memory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compute/platform.h"
#include "nn/ops/kernel_tuner.h"
#include "support/video_generator.h"

namespace sl::nn {
namespace {

namespace fs = std::filesystem;

compute::DeviceInfo fakeDevice() {
    compute::DeviceInfo d;
    d.name = "test device";
    d.driverVersion = "1.0";
    d.platformVersion = "OpenCL 3.0 test";
    return d;
}

TEST(NnKernelTuner, ChoicesRoundTripThroughTheFile) {
    testing::TempDir dir("nn-tuner");
    {
        KernelTuner t(fakeDevice(), "source", dir.path(), 1000);
        EXPECT_FALSE(t.stats().fileLoaded);
        EXPECT_FALSE(t.lookup("dw n1 c16").has_value());
        t.record("dw n1 c16", "dw w16 c1 r4 l4", 12);
        t.record("gemm n1 c64", "gemm w16 c8 r1 l4", 3);
        ASSERT_TRUE(t.save());
        EXPECT_TRUE(fs::exists(t.stats().path));
        EXPECT_EQ(t.stats().tuned, 2);
    }
    KernelTuner again(fakeDevice(), "source", dir.path(), 1000);
    EXPECT_TRUE(again.stats().fileLoaded);
    EXPECT_EQ(again.lookup("dw n1 c16").value_or(""), "dw w16 c1 r4 l4");
    EXPECT_EQ(again.lookup("gemm n1 c64").value_or(""), "gemm w16 c8 r1 l4");
    EXPECT_EQ(again.stats().fromCache, 2);
    // Another kernel source (an edited .cl): another file, nothing cached.
    KernelTuner edited(fakeDevice(), "source v2", dir.path(), 1000);
    EXPECT_NE(edited.stats().path, again.stats().path);
    EXPECT_FALSE(edited.lookup("dw n1 c16").has_value());
}

TEST(NnKernelTuner, CorruptFileIsIgnoredAndRewritten) {
    testing::TempDir dir("nn-tuner");
    fs::path path;
    {
        KernelTuner t(fakeDevice(), "source", dir.path(), 1000);
        t.record("dw n1 c16", "dw w16 c1 r4 l4", 1);
        ASSERT_TRUE(t.save());
        path = t.stats().path;
    }
    // Flip a choice without fixing the checksum: the whole file is distrusted.
    std::string text;
    {
        std::ifstream f(path);
        text.assign(std::istreambuf_iterator<char>(f), {});
    }
    text.replace(text.find("r4"), 2, "r8");
    std::ofstream(path, std::ios::trunc) << text;
    {
        KernelTuner t(fakeDevice(), "source", dir.path(), 1000);
        EXPECT_FALSE(t.stats().fileLoaded);
        EXPECT_FALSE(t.lookup("dw n1 c16").has_value());
        ASSERT_TRUE(t.save());   // rewritten even with nothing new measured
    }
    KernelTuner t(fakeDevice(), "source", dir.path(), 1000);
    EXPECT_TRUE(t.stats().fileLoaded);
    std::ofstream(path, std::ios::trunc) << "garbage";
    KernelTuner truncated(fakeDevice(), "source", dir.path(), 1000);
    EXPECT_FALSE(truncated.stats().fileLoaded);
}

TEST(NnKernelTuner, BudgetAndMemoryOnly) {
    KernelTuner t(fakeDevice(), "source", {}, 10);
    EXPECT_TRUE(t.stats().path.empty());
    EXPECT_TRUE(t.hasBudget());
    t.record("a", "gemm w16 c16 r1 l4", 11);
    EXPECT_FALSE(t.hasBudget());
    EXPECT_TRUE(t.save());   // nowhere to write: fine
}

// A session's first class may run past the budget (so tuning always progresses) but not past
// max(4 x budget, 30 s); later classes stop at the budget.
TEST(NnKernelTuner, FirstClassRunsPastTheBudgetUpToTheCap) {
    KernelTuner t(fakeDevice(), "source", {}, 100);
    EXPECT_FALSE(t.shouldStop(50));
    EXPECT_FALSE(t.shouldStop(150));     // first class: past the budget is fine
    EXPECT_FALSE(t.shouldStop(29999));
    EXPECT_TRUE(t.shouldStop(30000));    // the 30 s cap
    KernelTuner big(fakeDevice(), "source", {}, 10000);
    EXPECT_FALSE(big.shouldStop(39999));
    EXPECT_TRUE(big.shouldStop(40000));  // 4 x budget
    t.record("a", "gemm w16 c16 r1 l4", 60);
    EXPECT_FALSE(t.shouldStop(30));
    EXPECT_TRUE(t.shouldStop(50));       // a second class stops at the budget
}

}  // namespace
}  // namespace sl::nn
