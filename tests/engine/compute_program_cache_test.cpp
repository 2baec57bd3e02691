// ProgramCache: memory and disk hits, corrupt files rebuilt, build errors carry the build log.
#include "compute/cl_context.h"
#include "compute/embedded_kernels.h"
#include "compute/program_cache.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace sl::compute {
namespace {
namespace fs = std::filesystem;

constexpr const char* kGood =
    "__kernel void add_one(__global float* x) { x[get_global_id(0)] += 1.0f; }\n";

class ProgramCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("sl_kernel_cache_" +
                std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        auto ctx = ComputeContext::create();
        ASSERT_TRUE(ctx) << ctx.status().message();
        ctx_ = std::make_unique<ComputeContext>(std::move(*ctx));
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    ProgramCacheOptions options() const { return {true, dir_}; }

    fs::path dir_;
    std::unique_ptr<ComputeContext> ctx_;
};

TEST_F(ProgramCacheTest, SecondBuildIsAMemoryHitThenADiskHit) {
    // A unique source so the file is new even if another run shares the directory.
    const std::string src = std::string(kGood) + "// " + dir_.filename().string() + "\n";
    {
        ProgramCache cache(options());
        ProgramOrigin origin{};
        auto p1 = cache.get(*ctx_, "add_one.cl", src, "", &origin);
        ASSERT_TRUE(p1) << p1.status().message();
        EXPECT_EQ(origin, ProgramOrigin::Source);
        auto p2 = cache.get(*ctx_, "add_one.cl", src, "", &origin);
        ASSERT_TRUE(p2);
        EXPECT_EQ(origin, ProgramOrigin::Memory);
        EXPECT_EQ(*p1, *p2);
        EXPECT_EQ(cache.stats().sourceBuilds, 1);
        EXPECT_EQ(cache.stats().memoryHits, 1);
        EXPECT_EQ(cache.stats().diskWrites, 1);
        EXPECT_TRUE(fs::exists(cache.diskPath(ctx_->info(), "add_one.cl", src, "")));
        // Different options are a different program.
        auto p3 = cache.get(*ctx_, "add_one.cl", src, "-DX=1", &origin);
        ASSERT_TRUE(p3);
        EXPECT_EQ(origin, ProgramOrigin::Source);
    }
    ProgramCache fresh(options());   // a new process, as far as the cache can tell
    ProgramOrigin origin{};
    auto p = fresh.get(*ctx_, "add_one.cl", src, "", &origin);
    ASSERT_TRUE(p) << p.status().message();
    EXPECT_EQ(origin, ProgramOrigin::Disk);
    EXPECT_EQ(fresh.stats().diskHits, 1);
    EXPECT_EQ(fresh.stats().sourceBuilds, 0);

    // The program from disk works.
    cl_int err = CL_SUCCESS;
    ClKernel k(clCreateKernel(*p, "add_one", &err));
    ASSERT_EQ(err, CL_SUCCESS);
    float v[4] = {1, 2, 3, 4};
    auto buf = ctx_->createBuffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof v, v);
    ASSERT_TRUE(buf);
    ASSERT_EQ(clSetKernelArg(k.get(), 0, sizeof(cl_mem), buf->ptr()), CL_SUCCESS);
    const size_t n = 4;
    ASSERT_EQ(clEnqueueNDRangeKernel(ctx_->queue(), k.get(), 1, nullptr, &n, nullptr, 0, nullptr,
                                     nullptr),
              CL_SUCCESS);
    ASSERT_TRUE(ctx_->read(buf->get(), 0, sizeof v, v));
    EXPECT_EQ(v[3], 5.0f);
}

void overwrite(const fs::path& path, size_t at, const std::string& bytes) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(at));
    f.write(bytes.data(), std::streamsize(bytes.size()));
}

TEST_F(ProgramCacheTest, CorruptOrTruncatedFileIsRebuilt) {
    const std::string src = std::string(kGood) + "// corrupt " + dir_.filename().string() + "\n";
    const fs::path path = ProgramCache(options()).diskPath(ctx_->info(), "c.cl", src, "");
    {
        ProgramCache cache(options());
        ASSERT_TRUE(cache.get(*ctx_, "c.cl", src));
    }
    ASSERT_TRUE(fs::exists(path));
    const auto size = fs::file_size(path);
    ASSERT_GT(size, 64u);

    // Garbage in the middle of the binary.
    overwrite(path, size / 2, std::string(32, '\x5a'));
    {
        ProgramCache cache(options());
        ProgramOrigin origin{};
        auto p = cache.get(*ctx_, "c.cl", src, "", &origin);
        ASSERT_TRUE(p) << p.status().message();
        EXPECT_EQ(origin, ProgramOrigin::Source);
        EXPECT_EQ(cache.stats().diskRejected, 1);
        EXPECT_EQ(cache.stats().diskWrites, 1);   // rewritten
    }
    // Truncated file.
    fs::resize_file(path, size / 3);
    {
        ProgramCache cache(options());
        ProgramOrigin origin{};
        ASSERT_TRUE(cache.get(*ctx_, "c.cl", src, "", &origin));
        EXPECT_EQ(origin, ProgramOrigin::Source);
        EXPECT_EQ(cache.stats().diskRejected, 1);
    }
    // A valid file is used again.
    ProgramCache cache(options());
    ProgramOrigin origin{};
    ASSERT_TRUE(cache.get(*ctx_, "c.cl", src, "", &origin));
    EXPECT_EQ(origin, ProgramOrigin::Disk);
}

TEST_F(ProgramCacheTest, DriverRejectedBinaryIsRebuilt) {
    // A file whose header and checksum are right but whose payload is not a program binary: only
    // clBuildProgram can tell. Build the file by hand in the cache's format.
    const std::string src = std::string(kGood) + "// stale " + dir_.filename().string() + "\n";
    ProgramCache probe(options());
    const fs::path path = probe.diskPath(ctx_->info(), "s.cl", src, "");
    ASSERT_TRUE(probe.get(*ctx_, "s.cl", src));
    std::string file;
    {
        std::ifstream in(path, std::ios::binary);
        file.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    ASSERT_GT(file.size(), 32u);
    const std::string payload(256, 'x');
    uint64_t size = payload.size(), sum = fnv1a64(payload);
    file.resize(32);
    file.replace(16, 8, reinterpret_cast<const char*>(&size), 8);
    file.replace(24, 8, reinterpret_cast<const char*>(&sum), 8);
    file += payload;
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << file;
    }
    ProgramCache cache(options());
    ProgramOrigin origin{};
    auto p = cache.get(*ctx_, "s.cl", src, "", &origin);
    ASSERT_TRUE(p) << p.status().message();
    EXPECT_EQ(origin, ProgramOrigin::Source);
    EXPECT_EQ(cache.stats().diskRejected, 1);
}

TEST_F(ProgramCacheTest, SyntaxErrorReturnsBuildLogAndErrorName) {
    ProgramCache cache(options());
    auto p = cache.get(*ctx_, "broken.cl",
                       "__kernel void broken(__global float* x) { x[0] = undefined_thing; }\n");
    ASSERT_FALSE(p);
    const std::string m = p.status().message();
    EXPECT_NE(m.find("compute: clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (broken.cl)"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("undefined_thing"), std::string::npos) << m;   // from the build log
    EXPECT_EQ(cache.stats().diskWrites, 0);
}

TEST_F(ProgramCacheTest, DiskCacheCanBeDisabled) {
    ProgramCache cache(ProgramCacheOptions{false, dir_});
    ASSERT_TRUE(cache.get(*ctx_, "off.cl", kGood));
    EXPECT_EQ(cache.stats().diskWrites, 0);
    EXPECT_FALSE(fs::exists(dir_));
}

TEST(EmbeddedKernels, PreprocessIsEmbedded) {
    EXPECT_FALSE(embeddedKernelSource("preprocess.cl").empty());
    EXPECT_NE(embeddedKernelSource("preprocess.cl").find("PREPROCESS_KERNEL_F32(uchar)"),
              std::string::npos);
    EXPECT_TRUE(embeddedKernelSource("no_such.cl").empty());
}

}  // namespace
}  // namespace sl::compute
