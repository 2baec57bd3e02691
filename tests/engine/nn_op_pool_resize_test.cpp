// MaxPool / AveragePool / GlobalAveragePool and Resize / Upsample: hand-computed reference
// values, then OpenCL vs reference over pads, strides, dilations, ceil_mode, auto_pad,
// count_include_pad and the resize modes.
#include "nn_op_test_util.h"

#include <string>

namespace sl::nn::test {
namespace {

Attributes poolAttrs(int64_t k, int64_t s, int64_t p) {
    Attributes a;
    a.set("kernel_shape", std::vector<int64_t>{k, k});
    a.set("strides", std::vector<int64_t>{s, s});
    a.set("pads", std::vector<int64_t>{p, p, p, p});
    return a;
}

TEST(NnOpPool, ReferenceByHand) {
    const Tensor x = floats({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    SL_EXPECT_FLOATS(runRef(makeNode("MaxPool", poolAttrs(2, 1, 0)), {in(x)})[0], {5, 6, 8, 9});
    SL_EXPECT_FLOATS(runRef(makeNode("AveragePool", poolAttrs(2, 1, 0)), {in(x)})[0],
                     {3, 4, 6, 7});
    // pad 1, k2, s2: corners average only the inside (count_include_pad 0) or divide by 4.
    SL_EXPECT_FLOATS(runRef(makeNode("AveragePool", poolAttrs(2, 2, 1)), {in(x)})[0],
                     {1, 2.5f, 5.5f, 7});
    Attributes inc = poolAttrs(2, 2, 1);
    inc.set("count_include_pad", int64_t(1));
    SL_EXPECT_FLOATS(runRef(makeNode("AveragePool", inc), {in(x)})[0], {0.25f, 1.25f, 2.75f, 7});
    Attributes ceil = poolAttrs(2, 2, 0);
    ceil.set("ceil_mode", int64_t(1));
    SL_EXPECT_FLOATS(runRef(makeNode("MaxPool", ceil), {in(x)})[0], {5, 6, 8, 9});
    SL_EXPECT_FLOATS(runRef(makeNode("GlobalAveragePool"), {in(x)})[0], {5});
}

TEST(NnOpPool, DeviceVsReference) {
    std::mt19937 rng(30);
    const Tensor x = randomTensor({1, 13, 13, 17}, rng);
    for (int64_t k : {5, 9, 13})   // YOLOX SPP
        EXPECT_EQ(testOp(makeNode("MaxPool", poolAttrs(k, 1, k / 2)), {in(x)}),
                  OpTestResult::Passed) << k;
    for (const char* op : {"MaxPool", "AveragePool"}) {
        EXPECT_EQ(testOp(makeNode(op, poolAttrs(2, 2, 0)), {in(x)}), OpTestResult::Passed);
        EXPECT_EQ(testOp(makeNode(op, poolAttrs(3, 2, 1)), {in(x)}), OpTestResult::Passed);
        Attributes c = poolAttrs(3, 2, 0);
        c.set("ceil_mode", int64_t(1));
        EXPECT_EQ(testOp(makeNode(op, c), {in(x)}), OpTestResult::Passed);
        for (const char* mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
            Attributes a;
            a.set("kernel_shape", std::vector<int64_t>{3, 2});
            a.set("strides", std::vector<int64_t>{2, 3});
            a.set("auto_pad", std::string(mode));
            EXPECT_EQ(testOp(makeNode(op, a), {in(x)}), OpTestResult::Passed) << op << mode;
        }
        Attributes one;
        one.set("kernel_shape", std::vector<int64_t>{3});
        one.set("pads", std::vector<int64_t>{1, 2});
        EXPECT_EQ(testOp(makeNode(op, one), {in(randomTensor({2, 3, 19}, rng))}),
                  OpTestResult::Passed);
    }
    Attributes inc = poolAttrs(3, 2, 1);
    inc.set("count_include_pad", int64_t(1));
    EXPECT_EQ(testOp(makeNode("AveragePool", inc), {in(x)}), OpTestResult::Passed);
    Attributes dil = poolAttrs(2, 1, 1);
    dil.set("dilations", std::vector<int64_t>{2, 2});
    EXPECT_EQ(testOp(makeNode("MaxPool", dil), {in(x)}), OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("GlobalAveragePool"), {in(x)}), OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("GlobalMaxPool"), {in(randomTensor({2, 5, 3, 2, 2}, rng))}),
              OpTestResult::Passed);
}

Attributes resizeAttrs(const char* mode, const char* coord, const char* nearest = nullptr) {
    Attributes a;
    a.set("mode", std::string(mode));
    a.set("coordinate_transformation_mode", std::string(coord));
    if (nearest) a.set("nearest_mode", std::string(nearest));
    return a;
}

TEST(NnOpResize, ReferenceByHand) {
    const Tensor x = floats({1, 1, 2, 2}, {1, 2, 3, 4});
    const Tensor scales2 = floats({4}, {1, 1, 2, 2});
    auto out = runRef(makeNode("Resize", resizeAttrs("nearest", "asymmetric", "floor")),
                      {in(x), absent(), constant(scales2)});
    EXPECT_EQ(out[0].shape(), (Shape{1, 1, 4, 4}));
    SL_EXPECT_FLOATS(out[0], {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
    out = runRef(makeNode("Resize", resizeAttrs("linear", "align_corners")),
                 {in(floats({1, 1, 1, 2}, {0, 3})), absent(), constant(floats({4}, {1, 1, 1, 2}))});
    SL_EXPECT_FLOATS(out[0], {0, 1, 2, 3});
    out = runRef(makeNode("Resize", resizeAttrs("linear", "half_pixel")),
                 {in(floats({1, 1, 1, 2}, {0, 4})), absent(), constant(floats({4}, {1, 1, 1, 2}))});
    SL_EXPECT_FLOATS(out[0], {0, 1, 3, 4});   // src -0.25 (clamped), 0.25, 0.75, 1.25 (clamped)
    Attributes up;
    up.set("scales", std::vector<float>{1, 1, 1, 3});
    out = runRef(makeNode("Upsample", up, 7), {in(floats({1, 1, 1, 2}, {5, 6}))});
    SL_EXPECT_FLOATS(out[0], {5, 5, 5, 6, 6, 6});
}

TEST(NnOpResize, DeviceVsReference) {
    std::mt19937 rng(31);
    const Tensor x = randomTensor({1, 13, 7, 9}, rng);
    const Tensor up = floats({4}, {1, 1, 2, 2});
    const Tensor odd = floats({4}, {1, 1, 1.7f, 0.6f});
    const Tensor sizes = int64s({4}, {1, 13, 4, 16});
    for (const char* coord : {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                              "tf_half_pixel_for_nn"}) {
        for (const char* nearest : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})
            for (const Tensor* s : {&up, &odd})
                EXPECT_EQ(testOp(makeNode("Resize", resizeAttrs("nearest", coord, nearest)),
                                 {in(x), absent(), constant(*s)}),
                          OpTestResult::Passed) << coord << " " << nearest;
        for (const Tensor* s : {&up, &odd})
            EXPECT_EQ(testOp(makeNode("Resize", resizeAttrs("linear", coord)),
                             {in(x), absent(), constant(*s)}),
                      OpTestResult::Passed) << coord;
        EXPECT_EQ(testOp(makeNode("Resize", resizeAttrs("linear", coord)),
                         {in(x), absent(), constant(floats({0}, {})), constant(sizes)}),
                  OpTestResult::Passed) << coord;
    }
    Attributes crop = resizeAttrs("linear", "tf_crop_and_resize");
    crop.set("extrapolation_value", 7.0f);
    EXPECT_EQ(testOp(makeNode("Resize", crop),
                     {in(x), constant(floats({8}, {0, 0, -0.2f, 0.3f, 1, 1, 0.8f, 1.4f})),
                      constant(floats({0}, {})), constant(sizes)}),
              OpTestResult::Passed);
    Attributes up9;
    up9.set("mode", std::string("nearest"));
    EXPECT_EQ(testOp(makeNode("Upsample", up9, 9), {in(x), constant(floats({4}, {1, 1, 2, 3}))}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Resize", up9, 10), {in(x), constant(up)}), OpTestResult::Passed);
}

// Many planes: the launches group 2..8 planes and up to 16 rows per work-group (op_util.h
// planeGroup); plane counts with and without a power-of-two factor, rows below and above 16,
// and the last group's rows past the end.
TEST(NnOpPoolResize, GroupedPlanes) {
    std::mt19937 rng(32);
    for (const Shape& s : std::vector<Shape>{{1, 128, 13, 13}, {2, 24, 21, 19}, {1, 17, 9, 33},
                                             {1, 64, 26, 26}}) {
        const Tensor x = randomTensor(s, rng);
        const std::string what = std::to_string(s[0]) + "x" + std::to_string(s[1]) + "x" +
                                 std::to_string(s[2]) + "x" + std::to_string(s[3]);
        EXPECT_EQ(testOp(makeNode("MaxPool", poolAttrs(5, 1, 2)), {in(x)}),   // separable
                  OpTestResult::Passed) << what;
        EXPECT_EQ(testOp(makeNode("AveragePool", poolAttrs(3, 2, 1)), {in(x)}),
                  OpTestResult::Passed) << what;
        EXPECT_EQ(testOp(makeNode("Resize", resizeAttrs("nearest", "asymmetric", "floor")),
                         {in(x), absent(), constant(floats({4}, {1, 1, 2, 2}))}),
                  OpTestResult::Passed) << what;
    }
}

}  // namespace
}  // namespace sl::nn::test
