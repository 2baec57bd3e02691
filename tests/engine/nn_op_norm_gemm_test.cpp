// BatchNormalization, Softmax (both axis conventions), ReduceMean, Gemm and MatMul: reference by
// hand, then OpenCL vs reference.
#include "nn_op_test_util.h"

#include <cmath>

namespace sl::nn::test {
namespace {

TEST(NnOpBatchNorm, ReferenceAndDevice) {
    Attributes a;
    a.set("epsilon", 0.0f);
    auto out = runRef(makeNode("BatchNormalization", a, 15),
                      {in(floats({1, 2, 1, 2}, {1, 2, 3, 4})), in(floats({2}, {2, 1})),
                       in(floats({2}, {0, 10})), in(floats({2}, {1, 3})),
                       in(floats({2}, {4, 1}))});
    SL_EXPECT_FLOATS(out[0], {0, 1, 10, 11});   // (1-1)/2*2, (2-1)/2*2, (3-3)+10, (4-3)+10
    std::mt19937 rng(40);
    for (const Shape& s : {Shape{2, 13, 5, 7}, Shape{3, 12}, Shape{1, 24, 3, 4, 5}}) {
        const int64_t c = s[1];
        EXPECT_EQ(testOp(makeNode("BatchNormalization", {}, 15),
                         {in(randomTensor(s, rng)), in(randomTensor({c}, rng)),
                          in(randomTensor({c}, rng)), in(randomTensor({c}, rng)),
                          in(randomTensor({c}, rng, 0.1f, 2))}),
                  OpTestResult::Passed);
    }
}

TEST(NnOpSoftmax, ReferenceAndDevice) {
    auto out = runRef(makeNode("Softmax"), {in(floats({1, 3}, {0, std::log(2.0f), 0}))});
    SL_EXPECT_FLOATS(out[0], {0.25f, 0.5f, 0.25f});
    // opset 11 axis 1 over [2,2]x[2]: each row of 4 normalised together.
    Attributes a1;
    a1.set("axis", int64_t(1));
    out = runRef(makeNode("Softmax", a1, 11), {in(floats({1, 2, 2}, {0, 0, 0, 0}))});
    SL_EXPECT_FLOATS(out[0], {0.25f, 0.25f, 0.25f, 0.25f});
    out = runRef(makeNode("Softmax", a1, 13), {in(floats({1, 2, 2}, {0, 0, 0, 0}))});
    SL_EXPECT_FLOATS(out[0], {0.5f, 0.5f, 0.5f, 0.5f});
    std::mt19937 rng(41);
    const Tensor x = randomTensor({2, 13, 5, 7}, rng, -5, 5);
    for (int opset : {11, 13})
        for (int64_t axis : {0, 1, 2, 3, -1, -3}) {
            Attributes a;
            a.set("axis", axis);
            EXPECT_EQ(testOp(makeNode("Softmax", a, opset), {in(x)}, kFp32Transcendental),
                      OpTestResult::Passed) << opset << " " << axis;
        }
    EXPECT_EQ(testOp(makeNode("Softmax"), {in(randomTensor({1, 85}, rng, 500, 1000))},
                     kFp32Transcendental),
              OpTestResult::Passed);   // large values: max subtraction
}

TEST(NnOpReduceMean, ReferenceAndDevice) {
    Attributes a;
    a.set("axes", std::vector<int64_t>{1});
    a.set("keepdims", int64_t(0));
    auto out = runRef(makeNode("ReduceMean", a), {in(floats({2, 3}, {1, 2, 3, 4, 5, 6}))});
    EXPECT_EQ(out[0].shape(), (Shape{2}));
    SL_EXPECT_FLOATS(out[0], {2, 5});
    out = runRef(makeNode("ReduceMean"), {in(floats({2, 3}, {1, 2, 3, 4, 5, 6}))});
    EXPECT_EQ(out[0].shape(), (Shape{1, 1}));
    SL_EXPECT_FLOATS(out[0], {3.5f});
    std::mt19937 rng(42);
    const Tensor x = randomTensor({2, 13, 5, 7}, rng);
    for (const std::vector<int64_t>& axes : std::vector<std::vector<int64_t>>{
             {}, {1}, {2, 3}, {0, 2}, {-1}, {0, 1, 2, 3}})
        for (int64_t keep : {0, 1}) {
            Attributes r;
            if (!axes.empty()) r.set("axes", axes);
            r.set("keepdims", keep);
            EXPECT_EQ(testOp(makeNode("ReduceMean", r), {in(x)}), OpTestResult::Passed);
        }
}

TEST(NnOpGemm, ReferenceAndDevice) {
    Attributes a;
    a.set("alpha", 2.0f);
    a.set("beta", 0.5f);
    auto out = runRef(makeNode("Gemm", a), {in(floats({1, 2}, {1, 2})),
                                            in(floats({2, 2}, {1, 0, 0, 1})),
                                            in(floats({2}, {10, 20}))});
    SL_EXPECT_FLOATS(out[0], {7, 14});
    std::mt19937 rng(43);
    for (int64_t ta : {0, 1})
        for (int64_t tb : {0, 1})
            for (const Shape& c : {Shape{}, Shape{1}, Shape{13}, Shape{7, 1}, Shape{7, 13}}) {
                Attributes g;
                g.set("transA", ta);
                g.set("transB", tb);
                g.set("alpha", 0.7f);
                g.set("beta", 1.3f);
                const Shape as = ta ? Shape{9, 7} : Shape{7, 9};
                const Shape bs = tb ? Shape{13, 9} : Shape{9, 13};
                std::vector<OpInput> ins{in(randomTensor(as, rng)), in(randomTensor(bs, rng))};
                if (!c.empty()) ins.push_back(in(randomTensor(c, rng)));
                EXPECT_EQ(testOp(makeNode("Gemm", g), ins), OpTestResult::Passed)
                    << ta << tb << shapeString(c);
            }
}

TEST(NnOpMatMul, ReferenceAndDevice) {
    auto out = runRef(makeNode("MatMul"), {in(floats({2, 2}, {1, 2, 3, 4})),
                                           in(floats({2}, {1, 1}))});
    EXPECT_EQ(out[0].shape(), (Shape{2}));
    SL_EXPECT_FLOATS(out[0], {3, 7});
    std::mt19937 rng(44);
    struct Case { Shape a, b; };
    for (const Case& c : std::vector<Case>{{{5, 7}, {7, 9}},
                                           {{2, 3, 5, 7}, {7, 6}},
                                           {{3, 1, 5, 7}, {4, 7, 6}},
                                           {{7}, {2, 7, 5}},
                                           {{2, 5, 7}, {7}},
                                           {{13}, {13}},
                                           {{1, 12, 24}, {1, 24, 13}}})
        EXPECT_EQ(testOp(makeNode("MatMul"), {in(randomTensor(c.a, rng)),
                                              in(randomTensor(c.b, rng))}),
                  OpTestResult::Passed) << shapeString(c.a) << " x " << shapeString(c.b);
}

}  // namespace
}  // namespace sl::nn::test
