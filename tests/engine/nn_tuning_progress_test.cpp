// Conv tuning always makes progress: with a time budget far smaller than any one measurement,
// each session still finishes the first layer class it measures (and caches it), so a later
// session starts from it. Before, a class slower to measure than the whole budget (the stem
// conv's kernel builds on a loaded CPU) was cut off in every session and nothing was ever tuned.

#include <gtest/gtest.h>

#include <cstdlib>

#include "nn/onnx/onnx_importer.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"
#include "nn_model_builder.h"

namespace sl::nn {
namespace {

using test::ModelBuilder;
using test::TempDir;

// x(1x16x32x32) -> Conv 3x3 16->16 -> Conv 1x1 16->32 -> y: two layer classes, each well above
// the tuner's minimum work.
ModelBuilder twoConvModel() {
    ModelBuilder b;
    b.input("x", {1, 16, 32, 32});
    auto weights = [](size_t n, uint64_t seed) {
        Tensor t = randomTensor({DType::Float32, {int64_t(n)}}, seed, -1, 1);
        return std::vector<float>(t.data<float>(), t.data<float>() + n);
    };
    b.initializer("w1", {16, 16, 3, 3}, weights(16 * 16 * 9, 1));
    b.initializer("w2", {32, 16, 1, 1}, weights(32 * 16, 2));
    ModelBuilder::intsAttr(b.node("Conv", {"x", "w1"}, {"h"}, "conv3x3"), "pads", {1, 1, 1, 1});
    b.node("Conv", {"h", "w2"}, {"y"}, "conv1x1");
    b.output("y", {1, 32, 32, 32});
    return b;
}

// Points the kernel cache (and with it the tuning file) at a fresh directory for one test.
class ScopedKernelCache {
public:
    explicit ScopedKernelCache(const std::filesystem::path& dir) {
        if (const char* v = std::getenv("SIGHTLINE_KERNEL_CACHE")) old_ = v, had_ = true;
        ::setenv("SIGHTLINE_KERNEL_CACHE", dir.c_str(), 1);
        ::setenv("SIGHTLINE_KERNEL_TUNING", "on", 1);
    }
    ~ScopedKernelCache() {
        if (had_) ::setenv("SIGHTLINE_KERNEL_CACHE", old_.c_str(), 1);
        else ::unsetenv("SIGHTLINE_KERNEL_CACHE");
    }

private:
    std::string old_;
    bool had_ = false;
};

TEST(NnTuning, EverySessionFinishesOneClassEvenWithoutBudget) {
    TempDir dir;
    twoConvModel().save(dir / "m.onnx");
    ScopedKernelCache cache(dir / "kernels");
    SessionOptions o;
    o.tuneKernels = true;
    o.tuningBudgetMs = 0.001;   // less than any measurement
    int fromCache[3] = {}, tuned[3] = {}, untuned[3] = {};
    for (int session = 0; session < 3; ++session) {
        auto s = Session::load(dir / "m.onnx", o);
        ASSERT_TRUE(s) << s.status().message();
        const TuningStats& t = (*s)->tuning();
        fromCache[session] = t.fromCache;
        tuned[session] = t.tuned;
        untuned[session] = t.untuned;
    }
    // Session 1 measures one class and leaves the other on defaults; session 2 reads the first
    // from the file and measures the second; session 3 measures nothing.
    EXPECT_EQ(tuned[0], 1);
    EXPECT_EQ(untuned[0], 1);
    EXPECT_EQ(fromCache[1], 1);
    EXPECT_EQ(tuned[1], 1);
    EXPECT_EQ(fromCache[2], 2);
    EXPECT_EQ(tuned[2], 0);
    EXPECT_EQ(untuned[2], 0);
}

}  // namespace
}  // namespace sl::nn
