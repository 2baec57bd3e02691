// Kernel build helpers (nn/runtime/build_helpers.h) and the cross-process build lock of
// ProgramCache: a cold start compiles in several processes, each program once.
//
// What is checked, independently of timing:
// - a helper process compiles exactly the programs (the same cache keys) the parent session
//   needs: after `sightline __build-kernels`, a session of the same model finds every program
//   on disk and compiles none;
// - a session that starts helpers gets the same outputs, bit for bit, as one that compiles
//   alone, every program is either compiled by it or read from what a helper wrote, and no
//   helper process is left once its first run is over;
// - while another holder has a program's build lock, get() waits, then reads the holder's file
//   instead of compiling.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <chrono>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "compute/cl_context.h"
#include "compute/program_cache.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"
#include "nn_model_builder.h"

extern char** environ;

namespace sl::nn {
namespace {

using test::ModelBuilder;
using test::TempDir;

// Five device ops with different kernels (conv 3x3, conv 1x1, add, max pool, resize): several
// programs, so that two processes have something to share.
ModelBuilder mixedModel() {
    ModelBuilder b;
    b.input("x", {1, 8, 16, 16});
    auto weights = [](size_t n, uint64_t seed) {
        Tensor t = randomTensor({DType::Float32, {int64_t(n)}}, seed, -1, 1);
        return std::vector<float>(t.data<float>(), t.data<float>() + n);
    };
    b.initializer("w1", {8, 8, 3, 3}, weights(8 * 8 * 9, 1));
    b.initializer("w2", {8, 8, 1, 1}, weights(8 * 8, 2));
    ModelBuilder::intsAttr(b.node("Conv", {"x", "w1"}, {"a"}, "conv3x3"), "pads", {1, 1, 1, 1});
    b.node("Conv", {"a", "w2"}, {"b"}, "conv1x1");
    b.node("Add", {"a", "b"}, {"c"}, "add");
    auto* pool = b.node("MaxPool", {"c"}, {"d"}, "pool");
    ModelBuilder::intsAttr(pool, "kernel_shape", {2, 2});
    ModelBuilder::intsAttr(pool, "strides", {2, 2});
    b.initializer("scales", {4}, std::vector<float>{1, 1, 2, 2});
    b.node("Resize", {"d", "", "scales"}, {"y"}, "up");   // nearest, the ONNX default
    b.output("y", {1, 8, 16, 16});
    return b;
}

// A fresh Sightline kernel cache for one test (the helpers inherit the environment). PoCL's own
// cache stays: PoCL reads $POCL_CACHE_DIR once per process, so it cannot move between tests.
class ScopedCaches {
public:
    explicit ScopedCaches(const std::filesystem::path& dir) {
        set("SIGHTLINE_KERNEL_CACHE", (dir / "kernels").string());
    }
    ~ScopedCaches() {
        for (auto& [name, old] : saved_) {
            if (old) ::setenv(name.c_str(), old->c_str(), 1);
            else ::unsetenv(name.c_str());
        }
    }
    void set(const std::string& name, const std::string& value) {
        const char* v = std::getenv(name.c_str());
        saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
        ::setenv(name.c_str(), value.c_str(), 1);
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

int runProcess(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Loaded {
    std::unique_ptr<Session> session;
    compute::ProgramCacheStats stats;
};

Loaded load(const std::filesystem::path& model, const compute::ComputeContext& ctx, int helpers) {
    SessionOptions o;
    o.measure = false;
    o.compute = &ctx;
    o.buildHelpers = helpers;
    auto s = Session::load(model, o);
    EXPECT_TRUE(s) << s.status().message();
    if (!s) return {};
    return {std::move(*s), ctx.programs().stats()};
}

#ifdef SL_SIGHTLINE_EXE
TEST(NnBuildHelpers, AHelperBuildsExactlyTheParentsPrograms) {
    TempDir dir;
    mixedModel().save(dir / "m.onnx");
    ScopedCaches caches(dir.path());
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    // From the middle of the node list, wrapping around: it still covers every node.
    ASSERT_EQ(runProcess({SL_SIGHTLINE_EXE, "__build-kernels", (dir / "m.onnx").string(),
                          "--cl-device", std::to_string(ctx->info().index), "--storage", "fp32",
                          "--from", "1/2"}),
              0);
    ScopedCaches exe(dir.path());
    exe.set("SIGHTLINE_EXE", SL_SIGHTLINE_EXE);
    const Loaded l = load(dir / "m.onnx", *ctx, 1);
    ASSERT_TRUE(l.session);
    EXPECT_EQ(l.session->buildHelpersStarted(), 0);   // nothing to compile: none would start
    EXPECT_EQ(l.stats.sourceBuilds, 0);
    EXPECT_GE(l.stats.diskHits, 4);
}

TEST(NnBuildHelpers, ASessionWithHelpersMatchesOneWithoutAndLeavesNoProcess) {
    TempDir dir;
    mixedModel().save(dir / "m.onnx");
    const Tensor x = randomTensor({DType::Float32, {1, 8, 16, 16}}, 7, -1, 1);

    std::vector<Tensor> alone;
    int programs = 0;
    {
        ScopedCaches caches(dir.path() / "alone");
        auto ctx = compute::ComputeContext::create();
        ASSERT_TRUE(ctx) << ctx.status().message();
        Loaded l = load(dir / "m.onnx", *ctx, 0);
        ASSERT_TRUE(l.session);
        EXPECT_EQ(l.stats.diskHits, 0);
        programs = l.stats.sourceBuilds;
        auto out = l.session->run(std::vector<Tensor>{x});
        ASSERT_TRUE(out) << out.status().message();
        alone = std::move(*out);
    }
    ScopedCaches caches(dir.path() / "helped");
    caches.set("SIGHTLINE_EXE", SL_SIGHTLINE_EXE);
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    Loaded l = load(dir / "m.onnx", *ctx, 1);
    ASSERT_TRUE(l.session);
    EXPECT_EQ(l.session->buildHelpersStarted(), 1);
    // Each program once: compiled here, or read from the helper's file (how many of each
    // depends on the race, not the sum).
    EXPECT_EQ(l.stats.sourceBuilds + l.stats.diskHits, programs);
    EXPECT_GE(l.stats.sourceBuilds, 1);   // the first one, which starts the helper
    auto out = l.session->run(std::vector<Tensor>{x});
    ASSERT_TRUE(out) << out.status().message();
    ASSERT_EQ(out->size(), alone.size());
    for (size_t i = 0; i < alone.size(); ++i) {
        ASSERT_EQ((*out)[i].bytes(), alone[i].bytes());
        EXPECT_EQ(std::memcmp((*out)[i].raw(), alone[i].raw(), alone[i].bytes()), 0);
    }
    // The first run stopped and reaped the helper: this process has no child left.
    errno = 0;
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}
#endif

TEST(NnBuildHelpers, GetWaitsForAnotherBuilderThenReadsItsFile) {
    TempDir dir;
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    const std::string src = "__kernel void twice(__global float* x) { x[get_global_id(0)] *= 2; }"
                            "\n// " + dir.path().filename().string() + "\n";
    compute::ProgramCache waiting({true, dir / "shared"});
    const std::filesystem::path path = waiting.diskPath(ctx->info(), "twice.cl", src, "");
    // The key is the 16 hex digits at the end of the file name ("twice.cl-<key>.bin").
    const std::string stem = path.stem().string();
    const uint64_t key = std::stoull(stem.substr(stem.size() - 16), nullptr, 16);

    // Another builder: an open file description of its own holding the program's byte.
    std::filesystem::create_directories(dir / "shared");
    int fd = ::open((dir / "shared" / "builds.lock").c_str(), O_RDWR | O_CREAT, 0644);
    ASSERT_GE(fd, 0);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = off_t(key % (1u << 30));
    fl.l_len = 1;
    ASSERT_EQ(::fcntl(fd, F_OFD_SETLK, &fl), 0);

    compute::ProgramOrigin origin{};
    // Declared before the guard, so that a failed assertion lets go of the lock (the guard is
    // destroyed first) before the future's destructor waits for the get().
    std::future<bool> pending;
    struct Release {
        int& fd;
        ~Release() {
            if (fd >= 0) ::close(fd);
        }
    } release{fd};
    pending = std::async(std::launch::async, [&] {
        return bool(waiting.get(*ctx, "twice.cl", src, "", &origin));
    });
    EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(1500)), std::future_status::timeout);

    // The holder finishes: its file appears (built by a cache of its own elsewhere, then moved
    // into place as the atomic writer does), then it lets go.
    {
        compute::ProgramCache other({true, dir / "other"});
        ASSERT_TRUE(other.get(*ctx, "twice.cl", src, ""));
        std::filesystem::rename(other.diskPath(ctx->info(), "twice.cl", src, ""), path);
    }
    ::close(fd);
    fd = -1;
    ASSERT_TRUE(pending.get());
    EXPECT_EQ(origin, compute::ProgramOrigin::Disk);
    EXPECT_EQ(waiting.stats().sourceBuilds, 0);
    EXPECT_EQ(waiting.stats().diskHits, 1);
}

}  // namespace
}  // namespace sl::nn
