// Data movement: Concat, Split, Slice, Transpose and the reshape family (Reshape, Flatten,
// Squeeze, Unsqueeze, Identity), float32 and int64 (moved as bytes on the device).
#include "nn_op_test_util.h"

#include <limits>

namespace sl::nn::test {
namespace {

Attributes axisAttr(int64_t axis) {
    Attributes a;
    a.set("axis", axis);
    return a;
}

Tensor iota64(const Shape& s) {
    std::vector<int64_t> v(size_t(elementCount(s)));
    for (size_t i = 0; i < v.size(); ++i) v[i] = int64_t(i);
    return int64s(s, v);
}

TEST(NnOpConcat, ReferenceByHand) {
    auto out = runRef(makeNode("Concat", axisAttr(1)),
                      {in(floats({2, 1}, {1, 2})), in(floats({2, 2}, {3, 4, 5, 6}))});
    EXPECT_EQ(out[0].shape(), (Shape{2, 3}));
    SL_EXPECT_FLOATS(out[0], {1, 3, 4, 2, 5, 6});
    auto ints = runRef(makeNode("Concat", axisAttr(-1)),
                       {in(int64s({1}, {7})), in(int64s({2}, {-1, 4}))});
    EXPECT_EQ(intValues(ints[0]), (std::vector<int64_t>{7, -1, 4}));
}

TEST(NnOpConcat, DeviceVsReference) {
    std::mt19937 rng(20);
    for (int64_t axis : {0, 1, 2, 3, -1, -3}) {
        Shape a{2, 3, 5, 7}, b = a, c = a;
        const int64_t ax = axis < 0 ? axis + 4 : axis;
        b[ax] = 1;
        c[ax] = 4;
        EXPECT_EQ(testOp(makeNode("Concat", axisAttr(axis)),
                         {in(randomTensor(a, rng)), in(randomTensor(b, rng)),
                          in(randomTensor(c, rng))}),
                  OpTestResult::Passed) << axis;
    }
    EXPECT_EQ(testOp(makeNode("Concat", axisAttr(1)),   // YOLOX Focus: 4 x [1,3,h,w]
                     {in(randomTensor({1, 3, 8, 9}, rng)), in(randomTensor({1, 3, 8, 9}, rng)),
                      in(randomTensor({1, 3, 8, 9}, rng)), in(randomTensor({1, 3, 8, 9}, rng))}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Concat", axisAttr(0)), {in(iota64({3})), in(iota64({0})),
                                                       in(iota64({2}))}),
              OpTestResult::Passed);
    // YOLOX's head at batch 3 (SessionOptions::batch): [N,85,a|b|c] on the last axis, not in
    // place (every dim before the axis would have to be 1).
    EXPECT_EQ(testOp(makeNode("Concat", axisAttr(2)),
                     {in(randomTensor({3, 85, 40}, rng)), in(randomTensor({3, 85, 10}, rng)),
                      in(randomTensor({3, 85, 3}, rng))}),
              OpTestResult::Passed);
}

TEST(NnOpSplit, ReferenceAndDevice) {
    auto out = runRef(makeNode("Split", axisAttr(0), 13, 2),
                      {in(floats({5}, {1, 2, 3, 4, 5})), constant(int64s({2}, {2, 3}))});
    ASSERT_EQ(out.size(), 2u);
    SL_EXPECT_FLOATS(out[0], {1, 2});
    SL_EXPECT_FLOATS(out[1], {3, 4, 5});
    Attributes legacy = axisAttr(1);
    legacy.set("split", std::vector<int64_t>{1, 3});
    out = runRef(makeNode("Split", legacy, 11, 2), {in(floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}))});
    ASSERT_EQ(out.size(), 2u);
    SL_EXPECT_FLOATS(out[0], {1, 5});
    SL_EXPECT_FLOATS(out[1], {2, 3, 4, 6, 7, 8});

    std::mt19937 rng(21);
    EXPECT_EQ(testOp(makeNode("Split", axisAttr(1), 13, 3), {in(randomTensor({2, 12, 5, 7}, rng))}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Split", axisAttr(-1), 13, 3),
                     {in(randomTensor({2, 3, 13}, rng)), constant(int64s({3}, {4, 0, 9}))}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Split", legacy, 11, 2), {in(iota64({3, 4}))}), OpTestResult::Passed);
}

TEST(NnOpSlice, ReferenceByHand) {
    const Tensor x = floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
    auto out = runRef(makeNode("Slice"), {in(x), constant(int64s({2}, {1, 0})),
                                          constant(int64s({2}, {2, 3})),
                                          constant(int64s({2}, {0, 1})),
                                          constant(int64s({2}, {1, 2}))});
    EXPECT_EQ(out[0].shape(), (Shape{1, 2}));
    SL_EXPECT_FLOATS(out[0], {5, 7});
    const int64_t big = std::numeric_limits<int64_t>::max();
    out = runRef(makeNode("Slice"), {in(x), constant(int64s({1}, {-1})),
                                     constant(int64s({1}, {-big})), constant(int64s({1}, {1})),
                                     constant(int64s({1}, {-1}))});
    SL_EXPECT_FLOATS(out[0], {4, 3, 2, 1, 8, 7, 6, 5});
    Attributes a;
    a.set("starts", std::vector<int64_t>{0, 1});
    a.set("ends", std::vector<int64_t>{-1, 1000});
    out = runRef(makeNode("Slice", a, 9), {in(x)});
    SL_EXPECT_FLOATS(out[0], {2, 3, 4});
    auto ints = runRef(makeNode("Slice"), {in(iota64({6})), constant(int64s({1}, {1})),
                                           constant(int64s({1}, {big})),
                                           constant(int64s({1}, {0})),
                                           constant(int64s({1}, {2}))});
    EXPECT_EQ(intValues(ints[0]), (std::vector<int64_t>{1, 3, 5}));
}

TEST(NnOpSlice, DeviceVsReference) {
    std::mt19937 rng(22);
    const int64_t big = std::numeric_limits<int64_t>::max();
    struct Case { std::vector<int64_t> starts, ends, axes, steps; };
    const Tensor x = randomTensor({1, 12, 13, 17}, rng);
    for (const Case& c : std::vector<Case>{
             {{0, 0}, {big, big}, {2, 3}, {2, 2}},     // YOLOX Focus
             {{1, 0}, {big, big}, {2, 3}, {2, 2}},
             {{0, 1}, {big, big}, {2, 3}, {2, 2}},
             {{-1}, {-big}, {3}, {-1}},
             {{10, -2}, {2, 1}, {2, 3}, {-3, -4}},
             {{2}, {5}, {1}, {1}},
             {{5}, {2}, {1}, {1}},                      // empty
             {{-100}, {100}, {-1}, {3}},
         }) {
        EXPECT_EQ(testOp(makeNode("Slice"),
                         {in(x), constant(int64s({int64_t(c.starts.size())}, c.starts)),
                          constant(int64s({int64_t(c.ends.size())}, c.ends)),
                          constant(int64s({int64_t(c.axes.size())}, c.axes)),
                          constant(int64s({int64_t(c.steps.size())}, c.steps))}),
                  OpTestResult::Passed);
    }
    EXPECT_EQ(testOp(makeNode("Slice"), {in(iota64({7, 3})), constant(int64s({1}, {1})),
                                         constant(int64s({1}, {6}))}),
              OpTestResult::Passed);
}

TEST(NnOpTranspose, ReferenceAndDevice) {
    auto out = runRef(makeNode("Transpose"), {in(floats({2, 3}, {1, 2, 3, 4, 5, 6}))});
    EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
    SL_EXPECT_FLOATS(out[0], {1, 4, 2, 5, 3, 6});
    std::mt19937 rng(23);
    for (const std::vector<int64_t>& perm : std::vector<std::vector<int64_t>>{
             {0, 2, 1}, {2, 0, 1}, {1, 0, 2}}) {
        Attributes a;
        a.set("perm", perm);
        EXPECT_EQ(testOp(makeNode("Transpose", a), {in(randomTensor({13, 12, 7}, rng))}),
                  OpTestResult::Passed);
    }
    Attributes head;
    head.set("perm", std::vector<int64_t>{0, 2, 1});   // YOLOX's output at batch 3
    EXPECT_EQ(testOp(makeNode("Transpose", head), {in(randomTensor({3, 85, 53}, rng))}),
              OpTestResult::Passed);
    Attributes p4;
    p4.set("perm", std::vector<int64_t>{0, 2, 3, 1});   // NCHW -> NHWC
    EXPECT_EQ(testOp(makeNode("Transpose", p4), {in(randomTensor({1, 24, 5, 7}, rng))}),
              OpTestResult::Passed);
    Attributes p6;
    p6.set("perm", std::vector<int64_t>{5, 3, 1, 0, 2, 4});
    EXPECT_EQ(testOp(makeNode("Transpose", p6), {in(randomTensor({2, 3, 2, 4, 3, 5}, rng))}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Transpose"), {in(iota64({3, 5}))}), OpTestResult::Passed);
}

// Transposes of the last two dims with both at least 16 take copy_nd's 16 x 16 tiles: whole
// tiles, edge tiles on either side or both, an outer dim, YOLOX's head layout, and 8-byte and
// (through testOp's fp16 storage run) 2-byte elements.
TEST(NnOpTranspose, TiledLastTwoDims) {
    std::mt19937 rng(24);
    Attributes swap;
    swap.set("perm", std::vector<int64_t>{0, 2, 1});
    for (const Shape& s : std::vector<Shape>{{1, 16, 16}, {2, 37, 50}, {3, 64, 17},
                                             {1, 85, 300}, {2, 16, 48}})
        EXPECT_EQ(testOp(makeNode("Transpose", swap), {in(randomTensor(s, rng))}),
                  OpTestResult::Passed)
            << s[0] << "x" << s[1] << "x" << s[2];
    EXPECT_EQ(testOp(makeNode("Transpose"), {in(iota64({20, 33}))}), OpTestResult::Passed);
    Attributes nhwc;
    nhwc.set("perm", std::vector<int64_t>{0, 2, 3, 1});   // [24 x 35] after collapsing
    EXPECT_EQ(testOp(makeNode("Transpose", nhwc), {in(randomTensor({2, 24, 5, 7}, rng))}),
              OpTestResult::Passed);
}

TEST(NnOpReshape, ShapesByHand) {
    const Tensor x = randomTensor({2, 3, 4}, *std::make_unique<std::mt19937>(1));
    auto shapeOf = [&](const NodeDesc& n, std::vector<OpInput> ins) {
        auto o = runRef(n, ins);
        return o.empty() ? Shape{} : o[0].shape();
    };
    EXPECT_EQ(shapeOf(makeNode("Reshape"), {in(x), constant(int64s({3}, {0, -1, 2}))}),
              (Shape{2, 6, 2}));
    Attributes az;
    az.set("allowzero", int64_t(1));
    EXPECT_EQ(shapeOf(makeNode("Reshape", az, 14),
                      {in(Tensor(DType::Float32, {0, 3})), constant(int64s({2}, {3, 0}))}),
              (Shape{3, 0}));
    EXPECT_EQ(shapeOf(makeNode("Flatten"), {in(x)}), (Shape{2, 12}));
    EXPECT_EQ(shapeOf(makeNode("Flatten", axisAttr(0)), {in(x)}), (Shape{1, 24}));
    EXPECT_EQ(shapeOf(makeNode("Flatten", axisAttr(-1)), {in(x)}), (Shape{6, 4}));
    const Tensor y = Tensor(DType::Float32, {1, 3, 1, 2});
    EXPECT_EQ(shapeOf(makeNode("Squeeze"), {in(y)}), (Shape{3, 2}));
    EXPECT_EQ(shapeOf(makeNode("Squeeze"), {in(y), constant(int64s({1}, {-2}))}), (Shape{1, 3, 2}));
    Attributes ax;
    ax.set("axes", std::vector<int64_t>{0});
    EXPECT_EQ(shapeOf(makeNode("Squeeze", ax, 11), {in(y)}), (Shape{3, 1, 2}));
    EXPECT_EQ(shapeOf(makeNode("Unsqueeze"), {in(x), constant(int64s({2}, {-1, 1}))}),
              (Shape{2, 1, 3, 4, 1}));
    ax.set("axes", std::vector<int64_t>{0, 4});
    EXPECT_EQ(shapeOf(makeNode("Unsqueeze", ax, 11), {in(x)}), (Shape{1, 2, 3, 4, 1}));
    EXPECT_EQ(shapeOf(makeNode("Identity"), {in(x)}), (Shape{2, 3, 4}));
}

TEST(NnOpReshape, DeviceVsReference) {
    std::mt19937 rng(24);
    const Tensor x = randomTensor({1, 13, 5, 7}, rng);
    EXPECT_EQ(testOp(makeNode("Reshape"), {in(x), constant(int64s({3}, {1, 13, -1}))}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Flatten"), {in(x)}), OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Squeeze"), {in(x), constant(int64s({1}, {0}))}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Unsqueeze"), {in(x), constant(int64s({1}, {0}))}),
              OpTestResult::Passed);
    EXPECT_EQ(testOp(makeNode("Identity"), {in(iota64({5}))}), OpTestResult::Passed);
}

}  // namespace
}  // namespace sl::nn::test
