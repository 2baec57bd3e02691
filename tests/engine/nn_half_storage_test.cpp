// The storage macros of nn_common.cl (SL_LD/SL_ST and their 4/8/16-wide forms) in both half
// variants on this device: the core-OpenCL vload_half/vstore_half_rte one (what devices with
// cl_khr_fp16 build) and the in-kernel integer conversion (SL_FP16_SOFT, devices without it).
// Every finite half and the ties between neighbours, plus overflow, must convert exactly as the
// host's halfToFloat/floatToHalf (round to nearest even), so a session's results do not depend
// on which variant a device builds.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "compute/cl_context.h"
#include "compute/embedded_kernels.h"
#include "compute/program_cache.h"
#include "nn/tensor_util.h"
#include "nn_op_test_util.h"

namespace sl::nn {
namespace {

constexpr const char* kKernels = R"CL(
__kernel void roundtrip1(__global const sl_store* h, __global float* f, __global const float* g,
                         __global sl_store* o) {
    const int i = get_global_id(0);
    f[i] = SL_LD(h, i);
    SL_ST(o, i, g[i]);
}
__kernel void roundtrip4(__global const sl_store* h, __global float* f, __global const float* g,
                         __global sl_store* o) {
    const int i = get_global_id(0) * 4;
    vstore4(SL_LD4(h + i), 0, f + i);
    SL_ST4(o + i, vload4(0, g + i));
}
__kernel void roundtrip8(__global const sl_store* h, __global float* f, __global const float* g,
                         __global sl_store* o) {
    const int i = get_global_id(0) * 8;
    vstore8(SL_LD8(h + i), 0, f + i);
    SL_ST8(o + i, vload8(0, g + i));
}
__kernel void roundtrip16(__global const sl_store* h, __global float* f, __global const float* g,
                          __global sl_store* o) {
    const int i = get_global_id(0) * 16;
    vstore16(SL_LD16(h + i), 0, f + i);
    SL_ST16(o + i, vload16(0, g + i));
}
)CL";

TEST(NnHalfStorage, BothVariantsConvertLikeTheHost) {
    compute::ComputeContext* ctx = test::testContext();
    ASSERT_NE(ctx, nullptr);
    // Half patterns: every one but NaN. Floats: every finite half's value, the midpoint to its
    // upper neighbour (a tie: rounds to the even one), a hair above that midpoint, overflow and
    // infinities, float subnormals.
    std::vector<uint16_t> h;
    std::vector<float> g;
    for (uint32_t b = 0; b < 0x10000; ++b) {
        if ((b & 0x7c00) == 0x7c00 && (b & 0x3ff)) continue;   // NaN
        h.push_back(uint16_t(b));
        const float v = halfToFloat(uint16_t(b));
        g.push_back(v);
        if ((b & 0x7fff) < 0x7bff) {
            const float next = halfToFloat(uint16_t(b + 1));
            const float mid = 0.5f * (v + next);
            g.push_back(mid);
            g.push_back(std::nextafter(mid, next));
        }
    }
    for (float v : {65519.0f, 65520.0f, 65535.0f, 1e6f, -1e6f, 1e-40f, -1e-45f})
        g.push_back(v);
    const size_t n = (std::max(h.size(), g.size()) + 15) / 16 * 16;
    h.resize(n, 0);
    g.resize(n, 0.0f);

    const std::string source = std::string(compute::embeddedKernelSource("nn_common.cl")) +
                               "\n" + kKernels;
    auto mh = ctx->createBuffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, n * 2, h.data());
    auto mg = ctx->createBuffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, n * 4, g.data());
    auto mf = ctx->createBuffer(CL_MEM_READ_WRITE, n * 4);
    auto mo = ctx->createBuffer(CL_MEM_READ_WRITE, n * 2);
    ASSERT_TRUE(mh && mg && mf && mo);
    for (const char* variant : {" -DSL_FP16=1", " -DSL_FP16=1 -DSL_FP16_SOFT=1"}) {
        auto program = ctx->programs().get(*ctx, "nn_half_storage_test", source, variant);
        ASSERT_TRUE(program) << variant << ": " << program.status().message();
        for (int width : {1, 4, 8, 16}) {
            cl_int err = CL_SUCCESS;
            const std::string name = "roundtrip" + std::to_string(width);
            cl_kernel k = clCreateKernel(*program, name.c_str(), &err);
            ASSERT_EQ(err, CL_SUCCESS) << name;
            cl_mem args[4] = {mh->get(), mf->get(), mg->get(), mo->get()};
            for (cl_uint a = 0; a < 4; ++a)
                ASSERT_EQ(clSetKernelArg(k, a, sizeof(cl_mem), &args[a]), CL_SUCCESS);
            const size_t global = n / size_t(width);
            ASSERT_EQ(clEnqueueNDRangeKernel(ctx->queue(), k, 1, nullptr, &global, nullptr, 0,
                                             nullptr, nullptr),
                      CL_SUCCESS);
            std::vector<float> f(n);
            std::vector<uint16_t> o(n);
            ASSERT_TRUE(ctx->read(mf->get(), 0, n * 4, f.data()));
            ASSERT_TRUE(ctx->read(mo->get(), 0, n * 2, o.data()));
            clReleaseKernel(k);
            int bad = 0;
            for (size_t i = 0; i < n && bad < 5; ++i) {
                const float want = halfToFloat(h[i]);
                if (std::memcmp(&f[i], &want, 4) != 0) {
                    ++bad;
                    ADD_FAILURE() << variant << " width " << width << ": half 0x" << std::hex
                                  << h[i] << std::dec << " -> " << f[i] << ", want " << want;
                }
                if (o[i] != floatToHalf(g[i])) {
                    ++bad;
                    ADD_FAILURE() << variant << " width " << width << ": float " << g[i]
                                  << " -> 0x" << std::hex << o[i] << ", want 0x"
                                  << floatToHalf(g[i]);
                }
            }
        }
    }
}

}  // namespace
}  // namespace sl::nn
