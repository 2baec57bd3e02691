// Also: preparation (nn/runtime/preparation.h): sessions that measure nothing, the measuring
// done once apart, and a device whose lock another process holds.
//
// Conv tuning always makes progress: with a time budget far smaller than any one measurement,
// each session still finishes the first layer class it measures (and caches it), so a later
// session starts from it. Before, a class slower to measure than the whole budget (the stem
// conv's kernel builds on a loaded CPU) was cut off in every session and nothing was ever tuned.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "compute/cl_context.h"
#include "nn/runtime/preparation.h"

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


bool hasFileStartingWith(const std::filesystem::path& dir, const std::string& prefix) {
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().rfind(prefix, 0) == 0) return true;
    return false;
}

TEST(NnPreparation, ACachedOnlySessionMeasuresNothingAndSaysWhatIsLeft) {
    TempDir dir;
    twoConvModel().save(dir / "m.onnx");
    ScopedKernelCache cache(dir / "kernels");
    SessionOptions o;
    o.storage = Storage::Auto;
    o.measure = false;
    std::vector<PrepareProgress> seen;
    o.onProgress = [&](const PrepareProgress& p) { seen.push_back(p); };
    auto s = Session::load(dir / "m.onnx", o);
    ASSERT_TRUE(s) << s.status().message();
    EXPECT_EQ((*s)->tuning().tuned, 0);
    EXPECT_EQ((*s)->tuning().untuned, 2);   // both conv classes on defaults
    EXPECT_TRUE((*s)->storageChoice().deferred);
    EXPECT_EQ((*s)->storage(), Storage::Fp32);
    EXPECT_FALSE((*s)->fullyPrepared());
    // Nothing measured, so nothing written but the programs.
    EXPECT_FALSE(hasFileStartingWith(dir / "kernels", "conv-tuning-"));
    EXPECT_FALSE(hasFileStartingWith(dir / "kernels", "storage-choice-"));
    // One report per device node, counting up to the total, with the kernels it built.
    ASSERT_FALSE(seen.empty());
    for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i].layers, int(i) + 1);
    EXPECT_EQ(seen.back().layers, seen.back().layersTotal);
    EXPECT_GT(seen.back().kernelsBuilt, 0);
    EXPECT_EQ(seen.back().classesMeasured, 0);
}

TEST(NnPreparation, MeasuresOnceThenEverySessionIsFullyPrepared) {
    TempDir dir;
    twoConvModel().save(dir / "m.onnx");
    ScopedKernelCache cache(dir / "kernels");
    PrepareModelOptions po;
    int lastPasses = 0;
    po.session.onProgress = [&](const PrepareProgress& p) { lastPasses = p.passes; };
    auto r = prepareModel(dir / "m.onnx", po);
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_FALSE(r->busy);
    EXPECT_EQ(r->classesMeasured, 4);   // two classes, each under fp32 and under fp16
    EXPECT_TRUE(r->storage.measured);
    EXPECT_EQ(lastPasses, 2);
    // Read back: a session that measures nothing finds every choice.
    SessionOptions o;
    o.storage = Storage::Auto;
    o.measure = false;
    auto s = Session::load(dir / "m.onnx", o);
    ASSERT_TRUE(s) << s.status().message();
    EXPECT_TRUE((*s)->fullyPrepared());
    EXPECT_EQ((*s)->tuning().fromCache, 2);
    EXPECT_TRUE((*s)->storageChoice().fromCache);
    EXPECT_EQ((*s)->storage(), r->storage.storage);
    // A second preparation repeats nothing.
    auto again = prepareModel(dir / "m.onnx", po);
    ASSERT_TRUE(again) << again.status().message();
    EXPECT_EQ(again->classesMeasured, 0);
    EXPECT_EQ(again->classesCached, 2);
    EXPECT_FALSE(again->storage.measured);
}

// A child process holds the device's lock (as a `sightline prepare` in another terminal would).
class LockHolder {
public:
    explicit LockHolder(const std::filesystem::path& lockFile) {
        int ready[2], release[2];
        EXPECT_EQ(::pipe(ready), 0);
        EXPECT_EQ(::pipe(release), 0);
        pid_ = ::fork();
        if (pid_ == 0) {   // only async-signal-safe calls from here
            const int fd = ::open(lockFile.c_str(), O_RDWR | O_CREAT, 0644);
            const char ok = (fd >= 0 && ::flock(fd, LOCK_EX) == 0) ? '1' : '0';
            (void)!::write(ready[1], &ok, 1);
            char c;
            (void)!::read(release[0], &c, 1);
            ::_exit(0);
        }
        char ok = '0';
        EXPECT_EQ(::read(ready[0], &ok, 1), 1);
        EXPECT_EQ(ok, '1');
        release_ = release[1];
        ::close(ready[0]);
        ::close(ready[1]);
        ::close(release[0]);
    }
    void release() {
        if (pid_ <= 0) return;
        (void)!::write(release_, "x", 1);
        ::close(release_);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    ~LockHolder() { release(); }

private:
    pid_t pid_ = -1;
    int release_ = -1;
};

TEST(NnPreparation, ADeviceBeingPreparedElsewhereIsNeitherMeasuredAgainNorWaitedFor) {
    TempDir dir;
    twoConvModel().save(dir / "m.onnx");
    ScopedKernelCache cache(dir / "kernels");
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    std::filesystem::create_directories(dir / "kernels");
    LockHolder other(preparationLockPath(*ctx));

    PrepareModelOptions po;
    po.session.compute = &*ctx;
    auto r = prepareModel(dir / "m.onnx", po);
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_TRUE(r->busy);
    EXPECT_EQ(r->classesMeasured, 0);
    EXPECT_FALSE(hasFileStartingWith(dir / "kernels", "conv-tuning-"));

    // In the background: it waits to retry (not blocking its owner), then measures once the
    // other process is done.
    std::atomic<int> done{0};
    std::atomic<int> measured{-1};
    BackgroundPreparation::Options bo;
    bo.model = dir / "m.onnx";
    bo.retry = std::chrono::milliseconds(50);
    bo.onDone = [&](const Expected<PreparationReport>& rep) {
        measured = rep ? rep->classesMeasured : -2;
        ++done;
    };
    BackgroundPreparation background(bo);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!background.waitingForOtherProcess() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(background.waitingForOtherProcess());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));   // several retries
    EXPECT_EQ(done.load(), 0);
    other.release();
    const auto deadline2 = std::chrono::steady_clock::now() + std::chrono::seconds(240);
    while (done.load() == 0 && std::chrono::steady_clock::now() < deadline2)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(done.load(), 1);
    EXPECT_EQ(measured.load(), 4);
}

TEST(NnPreparation, CancelStopsAPreparationBetweenNodes) {
    TempDir dir;
    twoConvModel().save(dir / "m.onnx");
    ScopedKernelCache cache(dir / "kernels");
    std::atomic<bool> cancel{true};
    SessionOptions o;
    o.cancel = &cancel;
    auto s = Session::load(dir / "m.onnx", o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.status().code(), StatusCode::Cancelled);
    // A background preparation dropped at once ends without reporting.
    int done = 0;
    {
        BackgroundPreparation::Options bo;
        bo.model = dir / "m.onnx";
        bo.onDone = [&](const Expected<PreparationReport>&) { ++done; };
        BackgroundPreparation background(bo);
    }
    EXPECT_EQ(done, 0);
}

}  // namespace
}  // namespace sl::nn
