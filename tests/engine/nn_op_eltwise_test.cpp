// Element-wise ops: activations (Relu ... Exp, Clip in both opset forms) and Add/Sub/Mul/Div/PRelu
// with broadcasting; hand-computed reference values, then OpenCL vs reference on odd shapes.
#include "nn_op_test_util.h"

#include "nn/ops/op_registry.h"

#include <cmath>

namespace sl::nn::test {
namespace {

TEST(NnOpUnary, ReferenceByHand) {
    const Tensor x = floats({5}, {-2, -0.5f, 0, 0.5f, 3});
    SL_EXPECT_FLOATS(runRef(makeNode("Relu"), {in(x)})[0], {0, 0, 0, 0.5f, 3});
    Attributes la;
    la.set("alpha", 0.1f);
    SL_EXPECT_FLOATS(runRef(makeNode("LeakyRelu", la), {in(x)})[0], {-0.2f, -0.05f, 0, 0.5f, 3});
    SL_EXPECT_FLOATS(runRef(makeNode("Sigmoid"), {in(floats({1}, {0}))})[0], {0.5f});
    SL_EXPECT_FLOATS(runRef(makeNode("HardSigmoid"), {in(x)})[0], {0.1f, 0.4f, 0.5f, 0.6f, 1});
    SL_EXPECT_FLOATS(runRef(makeNode("HardSwish"), {in(x)})[0],
                     {-2 * (1.0f / 6), -0.5f * (0.5f - 0.5f / 6), 0, 0.5f * (0.5f + 0.5f / 6), 3});
    SL_EXPECT_FLOATS(runRef(makeNode("Exp"), {in(floats({2}, {0, 1}))})[0], {1, std::exp(1.0f)});
    SL_EXPECT_FLOATS(runRef(makeNode("Tanh"), {in(floats({1}, {0}))})[0], {0});
    Attributes ca;
    ca.set("min", -1.0f);
    ca.set("max", 0.5f);
    SL_EXPECT_FLOATS(runRef(makeNode("Clip", ca, 6), {in(x)})[0], {-1, -0.5f, 0, 0.5f, 0.5f});
    SL_EXPECT_FLOATS(runRef(makeNode("Clip", {}, 13), {in(x), constant(floats({}, {-1})),
                                                        constant(floats({}, {0.5f}))})[0],
                     {-1, -0.5f, 0, 0.5f, 0.5f});
    SL_EXPECT_FLOATS(runRef(makeNode("Clip", {}, 13), {in(x), absent(),
                                                        constant(floats({}, {0}))})[0],
                     {-2, -0.5f, 0, 0, 0});
}

TEST(NnOpUnary, DeviceVsReference) {
    std::mt19937 rng(10);
    Attributes la;
    la.set("alpha", 0.2f);
    Attributes ha;
    ha.set("alpha", 0.3f);
    ha.set("beta", 0.4f);
    for (const Shape& s : {Shape{1, 13, 7, 9}, Shape{127}, Shape{1}, Shape{2, 3}}) {
        const Tensor x = randomTensor(s, rng, -4, 4);
        for (const char* op : {"Relu", "Sigmoid", "HardSwish", "Tanh", "Exp"})
            EXPECT_EQ(testOp(makeNode(op), {in(x)}, kFp32Transcendental), OpTestResult::Passed)
                << op << " " << shapeString(s);
        EXPECT_EQ(testOp(makeNode("LeakyRelu", la), {in(x)}), OpTestResult::Passed);
        EXPECT_EQ(testOp(makeNode("HardSigmoid", ha), {in(x)}), OpTestResult::Passed);
        Attributes ca;
        ca.set("min", -1.0f);
        EXPECT_EQ(testOp(makeNode("Clip", ca, 6), {in(x)}), OpTestResult::Passed);
        EXPECT_EQ(testOp(makeNode("Clip", {}, 13),
                         {in(x), constant(floats({}, {-0.5f})), constant(floats({}, {2}))}),
                  OpTestResult::Passed);
        EXPECT_EQ(testOp(makeNode("Clip", {}, 11), {in(x)}), OpTestResult::Passed);
    }
    // Clip bounds computed at run time (not constants): read on the device.
    EXPECT_EQ(testOp(makeNode("Clip", {}, 13),
                     {in(randomTensor({37}, rng)), in(floats({}, {-0.5f})), absent()}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Clip", {}, 13),
                     {in(randomTensor({37}, rng)), absent(), in(floats({}, {0.25f}))}),
              OpTestResult::Passed);
}

TEST(NnOpBinary, ReferenceByHand) {
    const Tensor a = floats({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor b = floats({3}, {10, 20, 30});
    SL_EXPECT_FLOATS(runRef(makeNode("Add"), {in(a), in(b)})[0], {11, 22, 33, 14, 25, 36});
    SL_EXPECT_FLOATS(runRef(makeNode("Sub"), {in(b), in(a)})[0], {9, 18, 27, 6, 15, 24});
    const Tensor col = floats({2, 1}, {2, 4});
    SL_EXPECT_FLOATS(runRef(makeNode("Mul"), {in(a), in(col)})[0], {2, 4, 6, 16, 20, 24});
    SL_EXPECT_FLOATS(runRef(makeNode("Div"), {in(a), in(col)})[0], {0.5f, 1, 1.5f, 1, 1.25f, 1.5f});
    auto outer = runRef(makeNode("Mul"), {in(col), in(b)});   // [2,1] x [3] -> [2,3]
    EXPECT_EQ(outer[0].shape(), (Shape{2, 3}));
    SL_EXPECT_FLOATS(outer[0], {20, 40, 60, 40, 80, 120});
    SL_EXPECT_FLOATS(runRef(makeNode("PRelu"), {in(floats({3}, {-2, 0, 2})),
                                                in(floats({1}, {0.25f}))})[0],
                     {-0.5f, 0, 2});
    // PRelu-6: a 1-D slope of C values applies per channel.
    SL_EXPECT_FLOATS(runRef(makeNode("PRelu", {}, 6), {in(floats({1, 2, 2}, {-1, 1, -1, 1})),
                                                       in(floats({2}, {0.5f, 2}))})[0],
                     {-0.5f, 1, -2, 1});
    // int64 shape arithmetic (constant folding of Shape -> Gather -> Mul chains).
    auto ints = runRef(makeNode("Mul"), {in(int64s({2}, {3, -4})), in(int64s({}, {5}))});
    EXPECT_EQ(intValues(ints[0]), (std::vector<int64_t>{15, -20}));
    auto idiv = runRef(makeNode("Div"), {in(int64s({2}, {7, -7})), in(int64s({1}, {2}))});
    EXPECT_EQ(intValues(idiv[0]), (std::vector<int64_t>{3, -3}));
    const uint8_t u8a[2] = {200, 7}, u8b[2] = {100, 2};
    auto u8 = runRef(makeNode("Add"), {in(Tensor(DType::UInt8, {2}, u8a)),
                                       in(Tensor(DType::UInt8, {2}, u8b))});
    EXPECT_EQ(u8[0].data<uint8_t>()[0], 44);   // wraps
    EXPECT_EQ(u8[0].data<uint8_t>()[1], 9);
    auto bad = createOp(makeNode("Add"));
    ASSERT_TRUE(bad);
    std::vector<TensorInfo> outs;
    TensorInfo i0{DType::Float32, {2, 3}}, i1{DType::Float32, {4}};
    const TensorInfo* ins[] = {&i0, &i1};
    const Tensor* consts[] = {nullptr, nullptr};
    EXPECT_FALSE((*bad)->inferOutputs(ins, consts, outs));
}

TEST(NnOpBinary, DeviceVsReference) {
    std::mt19937 rng(11);
    struct Case { Shape a, b; };
    for (const Case& c : std::vector<Case>{
             {{1, 13, 7, 9}, {1, 13, 7, 9}},     // same shape (SiLU's Mul, residual Add)
             {{1, 13, 7, 9}, {1, 13, 1, 1}},     // per channel
             {{2, 12, 5, 3}, {12, 1, 1}},
             {{3, 13, 7, 9}, {1, 13, 1, 1}},     // per channel at batch 3
             {{3, 13, 7, 9}, {3, 13, 7, 9}},
             {{1, 24, 5, 5}, {1}},               // scalar
             {{1, 3549, 2}, {1, 3549, 2}},
             {{1, 3549, 2}, {2}},
             {{4, 1, 6}, {1, 5, 1}},             // both broadcast
             {{1, 1, 7}, {3, 2, 7}},             // a broadcast
             {{127}, {127}},
             {{2, 1, 3, 1, 2, 1, 2}, {1, 4, 1, 5, 1, 3, 1}},
         }) {
        const Tensor a = randomTensor(c.a, rng, -2, 2);
        Tensor b = randomTensor(c.b, rng, 0.5f, 2);   // away from 0 for Div
        for (const char* op : {"Add", "Sub", "Mul", "Div"}) {
            EXPECT_EQ(testOp(makeNode(op), {in(a), in(b)}), OpTestResult::Passed)
                << op << " " << shapeString(c.a) << " . " << shapeString(c.b);
        }
    }
    EXPECT_EQ(testOp(makeNode("PRelu", {}, 6), {in(randomTensor({2, 13, 5, 9}, rng)),
                                                 in(randomTensor({13}, rng))}),
              OpTestResult::Passed);
    for (const Shape& slope : {Shape{1}, Shape{13, 1, 1}, Shape{9}}) {
        EXPECT_EQ(testOp(makeNode("PRelu"), {in(randomTensor({2, 13, 5, 9}, rng)),
                                             in(randomTensor(slope, rng))}),
                  OpTestResult::Passed);
    }
    // int64 arithmetic has no device path (float32 only there).
    EXPECT_EQ(testOp(makeNode("Add"), {in(int64s({2}, {1, 2})), in(int64s({2}, {3, 4}))}, kFp32,
                     false),
              OpTestResult::NotSupported);
}

}  // namespace
}  // namespace sl::nn::test
