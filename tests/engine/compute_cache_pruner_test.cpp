// Kernel cache pruning (compute/cache_pruner.h) on a temporary directory with faked modification
// times: unused files age out, the size cap removes the least recently used first, a use (disk
// hit, tuning file load) keeps a file, foreign files are never touched, and a prune is logged.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "compute/cache_pruner.h"
#include "compute/cl_context.h"
#include "compute/program_cache.h"
#include "core/log.h"

namespace sl::compute {
namespace {
namespace fs = std::filesystem;
using std::chrono::hours;
constexpr auto kDay = hours(24);

constexpr const char* kKernel =
    "__kernel void add_two(__global float* x) { x[get_global_id(0)] += 2.0f; }\n";

class CachePrunerTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("sl_cache_prune_" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        fs::create_directories(dir_);
        now_ = fs::file_time_type::clock::now();
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
        setLogSink(nullptr);
    }
    fs::path make(const std::string& name, size_t bytes, fs::file_time_type::duration age) {
        const fs::path p = dir_ / name;
        std::ofstream(p, std::ios::binary) << std::string(bytes, 'x');
        fs::last_write_time(p, now_ - age);
        return p;
    }
    static std::string key(int i) {
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016x", 0xabc00 + i);
        return buf;
    }
    fs::path dir_;
    fs::file_time_type now_;
};

TEST(CacheFileNames, OnlyTheCachesOwnPatterns) {
    EXPECT_TRUE(isCacheFileName("preprocess.cl-0123456789abcdef.bin"));
    EXPECT_TRUE(isCacheFileName("conv-tuning-0123456789abcdef.txt"));
    EXPECT_FALSE(isCacheFileName("notes.txt"));
    EXPECT_FALSE(isCacheFileName("model.bin"));
    EXPECT_FALSE(isCacheFileName("x-0123456789abcdeg.bin"));   // not hex
    EXPECT_FALSE(isCacheFileName("other-0123456789abcdef.txt"));
    EXPECT_TRUE(isCacheTemporaryName(".conv-tuning-0123456789abcdef.txt.tmp-12-0"));
    EXPECT_FALSE(isCacheTemporaryName(".notes.txt.tmp-12-0"));
}

TEST_F(CachePrunerTest, UnusedFilesAgeOutForeignFilesStay) {
    const fs::path stale = make("a.cl-" + key(1) + ".bin", 1000, 40 * kDay);
    const fs::path fresh = make("b.cl-" + key(2) + ".bin", 1000, 10 * kDay);
    const fs::path staleTuning = make("conv-tuning-" + key(3) + ".txt", 100, 31 * kDay);
    const fs::path freshTuning = make("conv-tuning-" + key(4) + ".txt", 100, 29 * kDay);
    const fs::path foreign = make("notes.txt", 100, 400 * kDay);
    const fs::path oldTemp = make(".c.cl-" + key(5) + ".bin.tmp-99-0", 100, hours(2));
    const fs::path newTemp =
        make(".d.cl-" + key(6) + ".bin.tmp-99-1", 100, std::chrono::minutes(5));
    const CachePruneReport r = pruneCacheDirectory(dir_, CachePruneOptions{}, now_);
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_FALSE(fs::exists(staleTuning));
    EXPECT_FALSE(fs::exists(oldTemp));
    EXPECT_TRUE(fs::exists(fresh));
    EXPECT_TRUE(fs::exists(freshTuning));
    EXPECT_TRUE(fs::exists(foreign));
    EXPECT_TRUE(fs::exists(newTemp));
    EXPECT_EQ(r.cacheFiles, 4);
    EXPECT_EQ(r.removedUnused, 2);
    EXPECT_EQ(r.removedForSize, 0);
    EXPECT_EQ(r.removedTemporaries, 1);
    EXPECT_EQ(r.bytesBefore, 2200u);
    EXPECT_EQ(r.bytesAfter, 1100u);
}

TEST_F(CachePrunerTest, SizeCapRemovesLeastRecentlyUsedFirst) {
    std::vector<fs::path> files;   // files[i] last used i + 1 days ago
    for (int i = 0; i < 5; ++i)
        files.push_back(make("k" + std::to_string(i) + ".cl-" + key(i) + ".bin", 1000,
                             (i + 1) * kDay));
    CachePruneOptions o;
    o.maxBytes = 2500;
    const CachePruneReport r = pruneCacheDirectory(dir_, o, now_);
    EXPECT_TRUE(fs::exists(files[0]));
    EXPECT_TRUE(fs::exists(files[1]));
    EXPECT_FALSE(fs::exists(files[2]));
    EXPECT_FALSE(fs::exists(files[3]));
    EXPECT_FALSE(fs::exists(files[4]));
    EXPECT_EQ(r.removedForSize, 3);
    EXPECT_EQ(r.bytesAfter, 2000u);
    // Under the cap and young: a second prune removes nothing.
    EXPECT_EQ(pruneCacheDirectory(dir_, o, now_).removed.size(), 0u);
}

TEST_F(CachePrunerTest, MarkingUseKeepsAFileAndThePruneIsLogged) {
    const fs::path used = make("u.cl-" + key(1) + ".bin", 10, 60 * kDay);
    const fs::path unused = make("v.cl-" + key(2) + ".bin", 10, 60 * kDay);
    markCacheFileUsed(used);
    std::mutex m;
    std::vector<std::string> infos;
    setLogSink([&](LogLevel level, std::string_view component, std::string_view msg) {
        std::lock_guard lock(m);
        if (level == LogLevel::Info && component == "compute") infos.emplace_back(msg);
    });
    pruneCacheDirectory(dir_, CachePruneOptions{});
    setLogSink(nullptr);
    EXPECT_TRUE(fs::exists(used));
    EXPECT_FALSE(fs::exists(unused));
    ASSERT_EQ(infos.size(), 1u);
    EXPECT_NE(infos[0].find(dir_.string()), std::string::npos) << infos[0];
    EXPECT_NE(infos[0].find("removed 1 file(s) unused for 30 days"), std::string::npos)
        << infos[0];
}

TEST_F(CachePrunerTest, MissingDirectoryIsAnEmptyCache) {
    const CachePruneReport r = pruneCacheDirectory(dir_ / "absent", CachePruneOptions{}, now_);
    EXPECT_EQ(r.cacheFiles, 0);
    EXPECT_TRUE(r.removed.empty());
}

// The real cache: constructing the first ProgramCache of a directory prunes it, and a disk hit
// renews the file's modification time.
TEST_F(CachePrunerTest, ProgramCachePrunesAtStartupAndTouchesOnDiskHit) {
    auto ctx = ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    const fs::path stale = make("old.cl-" + key(7) + ".bin", 100, 45 * kDay);
    ProgramCacheOptions options;
    options.directory = dir_;
    {
        ProgramCache cache(options);
        EXPECT_FALSE(fs::exists(stale)) << "startup prune did not remove a 45-day-old file";
        ASSERT_TRUE(cache.get(*ctx, "add_two.cl", kKernel).hasValue());
    }
    const fs::path file = ProgramCache(options).diskPath(ctx->info(), "add_two.cl", kKernel, {});
    ASSERT_TRUE(fs::exists(file));
    fs::last_write_time(file, now_ - 20 * kDay);
    ProgramCache again(options);   // same directory: not pruned a second time in this process
    ProgramOrigin origin = ProgramOrigin::Memory;
    ASSERT_TRUE(again.get(*ctx, "add_two.cl", kKernel, {}, &origin).hasValue());
    EXPECT_EQ(origin, ProgramOrigin::Disk);
    EXPECT_GT(fs::last_write_time(file), now_ - hours(1)) << "disk hit did not mark the file used";
}

}  // namespace
}  // namespace sl::compute
