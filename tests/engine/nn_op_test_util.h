#pragma once
// The one op test harness (ncnn test_layer / ggml test-backend-ops style): testOp() runs a node on
// the CPU reference (the oracle) and on the OpenCL device with the same inputs and compares the
// outputs with named tolerances. An op whose node has no device path is reported
// "not supported" (and fails the test unless the caller expects that), never "passed".
// Device inputs sit at non-zero offsets in their buffers and outputs start as NaN garbage, so
// offset bugs and unwritten elements show up.

#include "nn/ops/op.h"
#include "nn/tensor.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace sl::compute {
class ComputeContext;
}

namespace sl::nn::test {

// fp32: max |dev - ref| <= maxAbs * max(1, max |ref|) and NMSE <= nmse. Other dtypes: exact.
struct Tolerance {
    double maxAbs;
    double nmse;
};
inline constexpr Tolerance kFp32{1e-4, 1e-7};
inline constexpr Tolerance kFp32Transcendental{2e-4, 1e-6};   // exp/tanh/sigmoid chains

struct OpInput {
    Tensor value;
    bool constant = false;   // passed to inferOutputs/prepareDevice as a constant
    bool absent = false;     // an omitted optional input (nullptr in the spans)
};
inline OpInput in(Tensor t) { return {std::move(t), false, false}; }
inline OpInput constant(Tensor t) { return {std::move(t), true, false}; }
inline OpInput absent() { return {Tensor(), false, true}; }

enum class OpTestResult { Passed, Failed, NotSupported };

// The shared test device (created once); nullptr when none (tests then fail).
compute::ComputeContext* testContext();

NodeDesc makeNode(const std::string& opType, Attributes attrs = {}, int opset = 13,
                  int outputs = 1);

// Reference only: infer + run; an error is returned as a failed assertion and no outputs.
std::vector<Tensor> runRef(const NodeDesc& node, const std::vector<OpInput>& inputs);

// Reference vs device. `expectDevice` = false when the node is expected to have no device path.
OpTestResult testOp(const NodeDesc& node, const std::vector<OpInput>& inputs,
                    Tolerance tol = kFp32, bool expectDevice = true);

// Tensors.
Tensor randomTensor(const Shape& shape, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f);
Tensor floats(const Shape& shape, const std::vector<float>& v);
Tensor int64s(const Shape& shape, const std::vector<int64_t>& v);
std::vector<float> values(const Tensor& t);         // float32 (or converted ints)
std::vector<int64_t> intValues(const Tensor& t);    // int64/int32

// Compares two tensors; returns a description of the first problem, empty when equal within tol.
std::string compareTensors(const Tensor& ref, const Tensor& got, Tolerance tol);

}  // namespace sl::nn::test

// Expect a tensor to equal hand-computed float values (within 1e-5).
#define SL_EXPECT_FLOATS(tensor, ...)                                              \
    do {                                                                           \
        const std::vector<float> sl_want_ = __VA_ARGS__;                           \
        const std::vector<float> sl_got_ = ::sl::nn::test::values(tensor);        \
        ASSERT_EQ(sl_got_.size(), sl_want_.size());                                \
        for (size_t sl_i_ = 0; sl_i_ < sl_want_.size(); ++sl_i_)                   \
            EXPECT_NEAR(sl_got_[sl_i_], sl_want_[sl_i_], 1e-5) << "at " << sl_i_;  \
    } while (0)
