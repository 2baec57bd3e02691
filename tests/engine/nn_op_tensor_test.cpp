// Gather, Shape, Cast, Constant, Pad: reference by hand (int64 included), then OpenCL vs reference.
#include "nn_op_test_util.h"

#include <cstring>

namespace sl::nn::test {
namespace {

TEST(NnOpGather, ReferenceAndDevice) {
    Attributes a1;
    a1.set("axis", int64_t(1));
    auto out = runRef(makeNode("Gather", a1), {in(floats({2, 3}, {1, 2, 3, 4, 5, 6})),
                                               in(int64s({2}, {-1, 0}))});
    EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
    SL_EXPECT_FLOATS(out[0], {3, 1, 6, 4});
    // Shape -> Gather(0) on int64 data with a scalar index: the usual shape subgraph.
    out = runRef(makeNode("Gather"), {in(int64s({4}, {1, 3, 416, 416})), in(int64s({}, {1}))});
    EXPECT_EQ(out[0].shape(), (Shape{}));
    EXPECT_EQ(intValues(out[0]), (std::vector<int64_t>{3}));
    std::mt19937 rng(50);
    const Tensor x = randomTensor({5, 13, 7}, rng);
    for (int64_t axis : {0, 1, 2, -1}) {
        Attributes a;
        a.set("axis", axis);
        EXPECT_EQ(testOp(makeNode("Gather", a), {in(x), in(int64s({2, 2}, {0, -1, 3, 2}))}),
                  OpTestResult::Passed) << axis;
        const int32_t i32[3] = {1, -2, 0};
        EXPECT_EQ(testOp(makeNode("Gather", a), {in(x), in(Tensor(DType::Int32, {3}, i32))}),
                  OpTestResult::Passed) << axis;
    }
    EXPECT_EQ(testOp(makeNode("Gather"), {in(int64s({4}, {9, 8, 7, 6})), in(int64s({}, {-2}))}),
              OpTestResult::Passed);
}

TEST(NnOpShape, ReferenceAndDevice) {
    const Tensor x(DType::Float32, {1, 3, 4, 5});
    EXPECT_EQ(intValues(runRef(makeNode("Shape"), {in(x)})[0]),
              (std::vector<int64_t>{1, 3, 4, 5}));
    Attributes a;
    a.set("start", int64_t(1));
    a.set("end", int64_t(-1));
    EXPECT_EQ(intValues(runRef(makeNode("Shape", a, 15), {in(x)})[0]),
              (std::vector<int64_t>{3, 4}));
    EXPECT_EQ(testOp(makeNode("Shape"), {in(x)}), OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Shape", a, 15), {in(x)}), OpTestResult::Passed);
}

TEST(NnOpCast, ReferenceAndDevice) {
    Attributes toI64;
    toI64.set("to", int64_t(7));
    EXPECT_EQ(intValues(runRef(makeNode("Cast", toI64), {in(floats({3}, {-1.7f, 0.2f, 2.9f}))})[0]),
              (std::vector<int64_t>{-1, 0, 2}));
    Attributes toF;
    toF.set("to", int64_t(1));
    SL_EXPECT_FLOATS(runRef(makeNode("Cast", toF), {in(int64s({2}, {-3, 416}))})[0], {-3, 416});
    Attributes toH;
    toH.set("to", int64_t(10));
    auto h = runRef(makeNode("Cast", toH), {in(floats({3}, {1.0f, -2.5f, 65504.0f}))});
    ASSERT_EQ(h[0].dtype(), DType::Float16);
    const uint16_t* hv = h[0].data<uint16_t>();
    EXPECT_EQ(hv[0], 0x3c00);
    EXPECT_EQ(hv[1], 0xc100);
    EXPECT_EQ(hv[2], 0x7bff);
    SL_EXPECT_FLOATS(runRef(makeNode("Cast", toF), {in(h[0])})[0], {1.0f, -2.5f, 65504.0f});
    Attributes toB;
    toB.set("to", int64_t(9));
    auto b = runRef(makeNode("Cast", toB), {in(floats({3}, {0, 0.5f, -2}))});
    EXPECT_EQ(b[0].data<uint8_t>()[0], 0);
    EXPECT_EQ(b[0].data<uint8_t>()[1], 1);
    EXPECT_EQ(b[0].data<uint8_t>()[2], 1);

    std::mt19937 rng(51);
    const Tensor x = randomTensor({3, 41}, rng, -100, 100);
    for (int64_t to : {1, 6, 7, 3, 9}) {
        Attributes a;
        a.set("to", to);
        EXPECT_EQ(testOp(makeNode("Cast", a), {in(x)}), OpTestResult::Passed) << to;
    }
    EXPECT_EQ(testOp(makeNode("Cast", toF), {in(int64s({3}, {1, -2, 1 << 20}))}),
              OpTestResult::Passed);
    // float16 tensors move through vload_half/vstore_half_rte (core OpenCL, no cl_khr_fp16):
    // both directions on the device, bit-exact against the reference's floatToHalf, including
    // ties, subnormals and overflow to infinity.
    const Tensor edge = floats({8}, {1.0f + 1.0f / 2048, 1.0f + 3.0f / 2048, 65520.0f, 70000.0f,
                                     5.96e-8f, 2.98e-8f, -1e-10f, 1e-5f});
    EXPECT_EQ(testOp(makeNode("Cast", toH), {in(x)}), OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Cast", toH), {in(edge)}), OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Cast", toF), {in(h[0])}), OpTestResult::Passed);
}

TEST(NnOpConstant, ReferenceAndDevice) {
    Attributes a;
    a.set("value", floats({2}, {1.5f, -2}));
    SL_EXPECT_FLOATS(runRef(makeNode("Constant", a), {})[0], {1.5f, -2});
    EXPECT_EQ(testOp(makeNode("Constant", a), {}), OpTestResult::Passed);
    Attributes ints;
    ints.set("value_ints", std::vector<int64_t>{4, 5});
    EXPECT_EQ(intValues(runRef(makeNode("Constant", ints, 13), {})[0]),
              (std::vector<int64_t>{4, 5}));
    EXPECT_EQ(testOp(makeNode("Constant", ints, 13), {}), OpTestResult::Passed);
}

TEST(NnOpPad, ReferenceByHand) {
    const Tensor x = floats({1, 3}, {1, 2, 3});
    const Tensor pads = int64s({4}, {0, 2, 0, 1});
    Attributes c;
    c.set("mode", std::string("constant"));
    SL_EXPECT_FLOATS(runRef(makeNode("Pad", c, 13), {in(x), constant(pads),
                                                     constant(floats({}, {9}))})[0],
                     {9, 9, 1, 2, 3, 9});
    Attributes r;
    r.set("mode", std::string("reflect"));
    SL_EXPECT_FLOATS(runRef(makeNode("Pad", r, 13), {in(x), constant(pads)})[0],
                     {3, 2, 1, 2, 3, 2});
    Attributes e;
    e.set("mode", std::string("edge"));
    SL_EXPECT_FLOATS(runRef(makeNode("Pad", e, 13), {in(x), constant(pads)})[0],
                     {1, 1, 1, 2, 3, 3});
    Attributes legacy;
    legacy.set("pads", std::vector<int64_t>{0, -1, 0, 1});
    legacy.set("value", 5.0f);
    SL_EXPECT_FLOATS(runRef(makeNode("Pad", legacy, 2), {in(x)})[0], {2, 3, 5});
}

TEST(NnOpPad, DeviceVsReference) {
    std::mt19937 rng(52);
    const Tensor x = randomTensor({1, 13, 7, 9}, rng);
    for (const char* mode : {"constant", "reflect", "edge"}) {
        Attributes a;
        a.set("mode", std::string(mode));
        for (const std::vector<int64_t>& p : std::vector<std::vector<int64_t>>{
                 {0, 0, 1, 2, 0, 0, 3, 4}, {0, 1, 0, 0, 0, 2, 0, 0}, {0, 0, -1, 2, 0, 0, 1, -3}})
            EXPECT_EQ(testOp(makeNode("Pad", a, 13),
                             {in(x), constant(int64s({8}, p)), constant(floats({}, {0.5f}))}),
                      OpTestResult::Passed) << mode;
    }
    // constant_value computed at run time (not a constant): read on the device.
    EXPECT_EQ(testOp(makeNode("Pad", {}, 13),
                     {in(x), constant(int64s({8}, {0, 0, 1, 2, 0, 0, 2, 1})),
                      in(floats({}, {-3.5f}))}),
              OpTestResult::Passed);
    Attributes c;
    EXPECT_EQ(testOp(makeNode("Pad", c, 13), {in(int64s({2, 2}, {1, 2, 3, 4})),
                                              constant(int64s({4}, {1, 0, 0, 1}))}),
              OpTestResult::Passed);
}

}  // namespace
}  // namespace sl::nn::test
