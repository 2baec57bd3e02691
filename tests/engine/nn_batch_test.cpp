// SessionOptions::batch / setBatch (nn/passes/batch_rewrite.cpp): YOLOX-Nano rewritten to batch
// N has the batch-N shapes; a small batch-agnostic model made of YOLOX's op kinds (and a
// Shape -> Gather -> Concat -> Reshape chain) computes at batch 3 exactly what it computes for
// each sample alone, on the CPU reference and on OpenCL; models whose nodes mix samples or fold
// the batch are refused with the node and the reason.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "nn/onnx/onnx_importer.h"
#include "nn/passes/passes.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"
#include "nn_model_builder.h"

namespace sl::nn {
namespace {

namespace fs = std::filesystem;
using test::ModelBuilder;
using test::TempDir;

fs::path yoloxPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

std::vector<float> randomFloats(size_t n, uint64_t seed) {
    Tensor t = randomTensor({DType::Float32, {int64_t(n)}}, seed, -0.5f, 0.5f);
    return std::vector<float>(t.data<float>(), t.data<float>() + n);
}

TEST(NnBatch, YoloxRewrittenToBatch4) {
    ASSERT_TRUE(fs::exists(yoloxPath())) << "missing test model " << yoloxPath();
    auto g = importOnnx(yoloxPath());
    ASSERT_TRUE(g) << g.status().message();
    BatchRewrite r;
    ASSERT_TRUE(setBatch(*g, 4, &r));
    EXPECT_EQ(r.from, 1);
    EXPECT_EQ(r.to, 4);
    EXPECT_EQ(r.constants, 3);   // the head's three Reshapes to [1, 85, -1]
    EXPECT_EQ(g->value(g->inputs()[0]).info.shape, (Shape{4, 3, 416, 416}));
    EXPECT_EQ(g->value(g->outputs()[0]).info.shape, (Shape{4, 3549, 85}));
    // The session agrees (its ops infer the same shapes; it cross-checks them).
    SessionOptions o;
    o.device = Device::CpuReference;
    o.batch = 4;
    auto s = Session::create(std::move(*g), o);
    ASSERT_TRUE(s) << s.status().message();
    EXPECT_EQ((*s)->inputs()[0].info.shape, (Shape{4, 3, 416, 416}));
    EXPECT_EQ((*s)->outputs()[0].info.shape, (Shape{4, 3549, 85}));
}

// x [1,3,8,8] -> Conv 3x3 s2 (4) -> Sigmoid*x -> MaxPool 3x3 s1 -> Resize x2 nearest ->
// Concat(axis 1) with a 1x1 Conv of x -> Reshape [1, 12, -1] (constant) and a second Reshape
// [Shape(x)[0], -1, 16] (computed) -> Transpose (0, 2, 1) -> Add.
ModelBuilder agnosticModel() {
    ModelBuilder b(13);
    b.input("x", {1, 3, 8, 8});
    b.output("y", {1, 64, 12});
    b.initializer("w1", {4, 3, 3, 3}, randomFloats(108, 1));
    b.initializer("b1", {4}, randomFloats(4, 2));
    b.initializer("w2", {8, 3, 1, 1}, randomFloats(24, 3));
    auto* c1 = b.node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv_s2");
    ModelBuilder::intsAttr(c1, "kernel_shape", {3, 3});
    ModelBuilder::intsAttr(c1, "strides", {2, 2});
    ModelBuilder::intsAttr(c1, "pads", {1, 1, 1, 1});
    b.node("Sigmoid", {"c1"}, {"s1"});
    b.node("Mul", {"c1", "s1"}, {"a1"});
    auto* mp = b.node("MaxPool", {"a1"}, {"p1"}, "pool");
    ModelBuilder::intsAttr(mp, "kernel_shape", {3, 3});
    ModelBuilder::intsAttr(mp, "pads", {1, 1, 1, 1});
    b.initializer("scales", {4}, {1, 1, 2, 2});
    b.node("Resize", {"p1", "", "scales"}, {"u1"}, "upsample");   // nearest (the default)
    b.node("Conv", {"x", "w2"}, {"c2"}, "conv_1x1");
    ModelBuilder::intAttr(b.node("Concat", {"u1", "c2"}, {"cat"}, "concat"), "axis", 1);
    b.initializerInt64("shape1", {3}, {1, 12, -1});
    b.node("Reshape", {"cat", "shape1"}, {"r1"}, "reshape_const");
    b.node("Shape", {"x"}, {"xs"});
    b.initializerInt64("zero", {1}, {0});
    auto* ga = b.node("Gather", {"xs", "zero"}, {"n"});
    ModelBuilder::intAttr(ga, "axis", 0);
    b.initializerInt64("rest", {2}, {-1, 16});
    ModelBuilder::intAttr(b.node("Concat", {"n", "rest"}, {"shape2"}), "axis", 0);
    b.node("Reshape", {"cat", "shape2"}, {"r2"}, "reshape_computed");
    b.initializerInt64("shape3", {3}, {1, 12, 64});
    b.node("Reshape", {"r2", "shape3"}, {"r3"});
    b.node("Add", {"r1", "r3"}, {"sum"});
    ModelBuilder::intsAttr(b.node("Transpose", {"sum"}, {"y"}, "transpose"), "perm", {0, 2, 1});
    return b;
}

// Batch 3 against each sample alone at batch 1 (the model's own), on `device`.
void expectPerSample(Device device) {
    TempDir dir;
    agnosticModel().save(dir / "m.onnx");
    SessionOptions o;
    o.device = device;
    o.tuneKernels = false;
    auto one = Session::load(dir / "m.onnx", o);
    ASSERT_TRUE(one) << one.status().message();
    o.batch = 3;
    auto three = Session::load(dir / "m.onnx", o);
    ASSERT_TRUE(three) << three.status().message();
    ASSERT_EQ((*three)->inputs()[0].info.shape, (Shape{3, 3, 8, 8}));
    ASSERT_EQ((*three)->outputs()[0].info.shape, (Shape{3, 64, 12}));
    const Tensor x = randomTensor({DType::Float32, {3, 3, 8, 8}}, 7);
    auto batched = (*three)->run(std::vector<Tensor>{x});
    ASSERT_TRUE(batched) << batched.status().message();
    const int64_t inSlot = 3 * 8 * 8, outSlot = 64 * 12;
    for (int64_t n = 0; n < 3; ++n) {
        const Tensor xn(DType::Float32, {1, 3, 8, 8}, x.data<float>() + n * inSlot);
        auto single = (*one)->run(std::vector<Tensor>{xn});
        ASSERT_TRUE(single) << single.status().message();
        const Tensor yn(DType::Float32, {1, 64, 12}, (*batched)[0].data<float>() + n * outSlot);
        EXPECT_LE(relativeL2Error(yn, (*single)[0]), 1e-6)
            << deviceName(device) << " sample " << n;
    }
}

TEST(NnBatch, AgnosticModelPerSampleCpuReference) { expectPerSample(Device::CpuReference); }
TEST(NnBatch, AgnosticModelPerSampleOpenCl) { expectPerSample(Device::OpenCL); }

// x [1,4,2,2] -> one node under test -> y. The refusal names the model, the node and why.
struct Refusal {
    const char* what;
    ModelBuilder model;
    const char* node;
    const char* reason;
};

std::vector<Refusal> refusals() {
    std::vector<Refusal> r;
    {
        ModelBuilder b;
        b.input("x", {1, 4, 2, 2});
        b.output("y", {2, 8});
        b.initializerInt64("s", {2}, {2, 8});
        b.node("Reshape", {"x", "s"}, {"y"}, "fold_batch");
        r.push_back({"reshape folding the batch", b, "node 'fold_batch' (Reshape)",
                     "folds the batch into another dim"});
    }
    {
        ModelBuilder b;
        b.input("x", {1, 4, 2, 2});
        b.output("y", {16});
        b.initializerInt64("s", {1}, {-1});
        b.node("Reshape", {"x", "s"}, {"y"}, "flat_all");
        r.push_back({"reshape to -1", b, "node 'flat_all' (Reshape)", "the batch left dim 0"});
    }
    {
        ModelBuilder b;
        b.input("x", {1, 4, 2, 2});
        b.output("y", {2, 4, 2, 2});
        ModelBuilder::intAttr(b.node("Concat", {"x", "x"}, {"y"}, "cat0"), "axis", 0);
        r.push_back({"concat on axis 0", b, "node 'cat0' (Concat)", "along the batch dim"});
    }
    {
        ModelBuilder b;
        b.input("x", {1, 4, 2, 2});
        b.output("y", {4, 1, 2, 2});
        ModelBuilder::intsAttr(b.node("Transpose", {"x"}, {"y"}, "swap"), "perm", {1, 0, 2, 3});
        r.push_back({"transpose of dim 0", b, "node 'swap' (Transpose)", "moves the batch"});
    }
    {
        ModelBuilder b;
        b.input("x", {1, 4, 2, 2});
        b.output("y", {1, 16});
        ModelBuilder::intAttr(b.node("Flatten", {"x"}, {"y"}, "flat0"), "axis", 0);
        r.push_back({"flatten at axis 0", b, "node 'flat0' (Flatten)", "folds the batch"});
    }
    {
        ModelBuilder b;
        b.input("x", {1, 4, 2, 2});
        b.output("y", {1, 4, 2, 2});
        ModelBuilder::intAttr(b.node("Softmax", {"x"}, {"y"}, "sm0"), "axis", 0);
        r.push_back({"softmax on axis 0", b, "node 'sm0' (Softmax)", "along the batch dim"});
    }
    return r;
}

TEST(NnBatch, RefusesNodesThatAreNotBatchAgnostic) {
    for (const Refusal& c : refusals()) {
        TempDir dir;
        c.model.save(dir / "bad.onnx");
        SessionOptions o;
        o.device = Device::CpuReference;
        o.batch = 2;
        auto s = Session::load(dir / "bad.onnx", o);
        ASSERT_FALSE(s) << c.what << ": accepted at batch 2";
        const std::string m = s.status().message();
        EXPECT_EQ(s.status().code(), StatusCode::Unsupported) << c.what << ": " << m;
        EXPECT_NE(m.find("bad.onnx"), std::string::npos) << c.what << ": " << m;
        EXPECT_NE(m.find("batch 2"), std::string::npos) << c.what << ": " << m;
        EXPECT_NE(m.find(c.node), std::string::npos) << c.what << ": " << m;
        EXPECT_NE(m.find(c.reason), std::string::npos) << c.what << ": " << m;
        // The model's own batch still loads.
        o.batch = 1;
        EXPECT_TRUE(Session::load(dir / "bad.onnx", o)) << c.what;
    }
}

TEST(NnBatch, RefusalLeavesTheGraphUnchanged) {
    TempDir dir;
    refusals()[0].model.save(dir / "bad.onnx");
    auto g = importOnnx(dir / "bad.onnx");
    ASSERT_TRUE(g) << g.status().message();
    const Shape before = g->value(g->inputs()[0]).info.shape;
    EXPECT_FALSE(setBatch(*g, 3));
    EXPECT_EQ(g->value(g->inputs()[0]).info.shape, before);
    EXPECT_FALSE(setBatch(*g, 0));
}

}  // namespace
}  // namespace sl::nn
