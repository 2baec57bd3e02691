// Passes: each rewrite is checked structurally (what it removed or fused) and numerically (the
// optimized graph's reference output equals the unoptimized one).

#include <gtest/gtest.h>

#include <cmath>

#include "nn/onnx/onnx_importer.h"
#include "nn/ops/op_registry.h"
#include "nn/passes/passes.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"
#include "nn_model_builder.h"

namespace sl::nn {
namespace {

using test::ModelBuilder;
using test::TempDir;

// Every op these tests use is registered; a missing one is a regression, not a reason to skip.
#define REQUIRE_OPS(...)                                                        \
    for (const char* op : {__VA_ARGS__})                                           \
        ASSERT_TRUE(isOpSupported(op)) << "op " << op << " is not registered";

std::vector<float> randomFloats(size_t n, uint64_t seed, float lo = -1, float hi = 1) {
    Tensor t = randomTensor({DType::Float32, {int64_t(n)}}, seed, lo, hi);
    return std::vector<float>(t.data<float>(), t.data<float>() + n);
}

// x(1x3x6x7) -> Conv 3x3 pad 1, 4 channels -> "c"
void addConv(ModelBuilder& b, bool bias = true) {
    b.input("x", {1, 3, 6, 7});
    b.initializer("w", {4, 3, 3, 3}, randomFloats(108, 1));
    if (bias) b.initializer("b", {4}, randomFloats(4, 2));
    auto* c = b.node("Conv", bias ? std::vector<std::string>{"x", "w", "b"}
                                  : std::vector<std::string>{"x", "w"},
                     {"c"}, "conv");
    ModelBuilder::intsAttr(c, "pads", {1, 1, 1, 1});
}

struct Runs {
    Tensor optimized, plain;
    PassReport report;
    int nodes = 0;
};

Runs runBoth(const ModelBuilder& b, Device device = Device::CpuReference) {
    TempDir dir;
    b.save(dir / "m.onnx");
    auto g = importOnnx(dir / "m.onnx");
    EXPECT_TRUE(g) << g.status().message();
    Runs r;
    if (!g) return r;
    const Tensor x = randomTensor(g->value(g->inputs()[0]).info, 11);
    for (bool optimize : {true, false}) {
        SessionOptions o;
        o.device = optimize ? device : Device::CpuReference;
        o.optimize = optimize;
        auto s = Session::create(*g, o);
        EXPECT_TRUE(s) << s.status().message();
        if (!s) return r;
        auto out = (*s)->run(std::vector<Tensor>{x});
        EXPECT_TRUE(out) << out.status().message();
        if (!out) return r;
        (optimize ? r.optimized : r.plain) = (*out)[0];
        if (optimize) {
            r.report = (*s)->passReport();
            r.nodes = (*s)->graph().liveNodeCount();
        }
    }
    return r;
}

// A Conv followed by a shape-computing chain that ends in Reshape(c, target): after the passes
// only Conv and Reshape remain, on both devices, and the result is the Conv output reshaped (the
// expectation needs no Shape op: the Conv alone, reshaped on the host).
void expectFoldedChain(const ModelBuilder& b, const Shape& outShape, int folded) {
    ModelBuilder convOnly;
    addConv(convOnly);
    convOnly.output("c", {1, 4, 6, 7});
    const Tensor expected = runBoth(convOnly).plain.reshaped(outShape);
    TempDir dir;
    b.save(dir / "chain.onnx");
    for (Device d : {Device::CpuReference, Device::OpenCL}) {
        SessionOptions o;
        o.device = d;
        auto s = Session::load(dir / "chain.onnx", o);
        ASSERT_TRUE(s) << s.status().message();
        EXPECT_EQ((*s)->passReport().foldedNodes, folded);
        EXPECT_EQ((*s)->graph().liveNodeCount(), 2);   // Conv, Reshape
        auto out = (*s)->run(std::vector<Tensor>{randomTensor({DType::Float32, {1, 3, 6, 7}}, 11)});
        ASSERT_TRUE(out) << out.status().message();
        const CompareResult r = compareTensors((*out)[0], expected, 1e-5, 1e-6);
        EXPECT_TRUE(r.ok) << deviceName(d) << ": " << r.message;
    }
}

TEST(NnPasses, BatchNormFoldsIntoConv) {
    ModelBuilder b;
    addConv(b);
    b.initializer("scale", {4}, randomFloats(4, 3, 0.5f, 2));
    b.initializer("shift", {4}, randomFloats(4, 4));
    b.initializer("mean", {4}, randomFloats(4, 5));
    b.initializer("var", {4}, randomFloats(4, 6, 0.1f, 3));
    auto* bn = b.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"y"}, "bn");
    ModelBuilder::floatAttr(bn, "epsilon", 1e-3f);
    b.output("y", {1, 4, 6, 7});

    // The expectation without a BatchNormalization op: the Conv alone, then BN on the host.
    ModelBuilder convOnly;
    addConv(convOnly);
    convOnly.output("c", {1, 4, 6, 7});
    const Runs plainConv = runBoth(convOnly);
    Tensor expected = plainConv.plain;
    const auto& inits = b.graph().initializer();
    const auto param = [&](int i, int64_t c) {
        return reinterpret_cast<const float*>(inits[i].raw_data().data())[c];
    };
    for (int64_t c = 0; c < 4; ++c)
        for (int64_t k = 0; k < 42; ++k) {
            float& v = expected.data<float>()[c * 42 + k];
            v = (v - param(4, c)) / std::sqrt(param(5, c) + 1e-3f) * param(2, c) + param(3, c);
        }

    TempDir dir;
    b.save(dir / "bn.onnx");
    auto g = importOnnx(dir / "bn.onnx");
    ASSERT_TRUE(g) << g.status().message();
    PassReport report;
    ASSERT_TRUE(optimizeGraph(*g, PassOptions{}, &report));
    EXPECT_EQ(report.foldedBatchNorms, 1);
    ASSERT_EQ(g->liveNodeCount(), 1);
    EXPECT_EQ(g->nodes()[0].desc.opType, "Conv");
    for (Device d : {Device::CpuReference, Device::OpenCL}) {
        SessionOptions o;
        o.device = d;
        auto s = Session::create(*g, o);
        ASSERT_TRUE(s) << s.status().message();
        auto out = (*s)->run(std::vector<Tensor>{randomTensor({DType::Float32, {1, 3, 6, 7}}, 11)});
        ASSERT_TRUE(out) << out.status().message();
        const CompareResult r = compareTensors((*out)[0], expected, 1e-4, 1e-5);
        EXPECT_TRUE(r.ok) << deviceName(d) << ": " << r.message;
    }
}

struct ActCase {
    const char* op;
    const char* fused;
};

TEST(NnPasses, ActivationsFuseIntoConv) {
    for (const ActCase& a : {ActCase{"Relu", "relu"}, {"LeakyRelu", "leaky_relu"},
                             {"Sigmoid", "sigmoid"}, {"HardSwish", "hard_swish"},
                             {"HardSigmoid", "hard_sigmoid"}, {"Clip", "clip"},
                             {"SiLU", "silu"}}) {
        SCOPED_TRACE(a.op);
        const std::string op = a.op;
        if (!isOpSupported(op == "SiLU" ? "Mul" : op) || !isOpSupported("Sigmoid")) {
            std::cout << "skipping " << op << ": op not registered yet\n";
            continue;
        }
        ModelBuilder b(14);   // HardSwish needs opset 14
        addConv(b);
        if (op == "SiLU") {
            b.node("Sigmoid", {"c"}, {"s"}, "sig");
            b.node("Mul", {"s", "c"}, {"y"}, "mul");   // operand order as some exporters write it
        } else if (op == "Clip") {
            b.initializer("lo", {}, {-0.25f});
            b.initializer("hi", {}, {0.5f});
            b.node("Clip", {"c", "lo", "hi"}, {"y"}, "act");
        } else {
            auto* n = b.node(op, {"c"}, {"y"}, "act");
            if (op == "LeakyRelu") ModelBuilder::floatAttr(n, "alpha", 0.2f);
        }
        b.output("y", {1, 4, 6, 7});
        for (Device d : {Device::CpuReference, Device::OpenCL}) {
            const Runs r = runBoth(b, d);
            EXPECT_EQ(r.report.fusedActivations, 1) << deviceName(d);
            EXPECT_EQ(r.nodes, 1) << deviceName(d);
            const CompareResult c = compareTensors(r.optimized, r.plain, 1e-4, 1e-5);
            EXPECT_TRUE(c.ok) << deviceName(d) << ": " << c.message;
        }
    }
}

TEST(NnPasses, NoFusionWhenConvOutputIsAlsoRead) {
    REQUIRE_OPS("Relu", "Add");
    ModelBuilder b;
    addConv(b);
    b.node("Relu", {"c"}, {"r"}, "relu");
    b.node("Add", {"r", "c"}, {"y"}, "add");   // c is read twice: Relu cannot absorb it
    b.output("y", {1, 4, 6, 7});
    const Runs r = runBoth(b);
    EXPECT_EQ(r.report.fusedActivations, 0);
    EXPECT_EQ(r.nodes, 3);
    EXPECT_TRUE(compareTensors(r.optimized, r.plain, 0, 0).ok);
}

TEST(NnPasses, ShapeChainFoldsToConstantReshape) {
    REQUIRE_OPS("Gather", "Unsqueeze", "Concat", "Reshape");
    ModelBuilder b(13);
    addConv(b);
    b.node("Shape", {"c"}, {"shape"}, "shape");
    b.initializerInt64("zero", {}, {0});
    b.initializerInt64("axes", {1}, {0});
    b.initializerInt64("minus_one", {1}, {-1});
    b.node("Gather", {"shape", "zero"}, {"n"}, "gather");
    b.node("Unsqueeze", {"n", "axes"}, {"n1"}, "unsqueeze");
    b.node("Concat", {"n1", "minus_one"}, {"target"}, "concat");
    ModelBuilder::intAttr(b.graph().mutable_node(b.graph().node_size() - 1), "axis", 0);
    b.node("Reshape", {"c", "target"}, {"y"}, "reshape");
    b.output("y", {1, 168});
    expectFoldedChain(b, {1, 168}, 4);   // Shape, Gather, Unsqueeze, Concat
}

TEST(NnPasses, ShapeSliceConcatChainFolds) {
    REQUIRE_OPS("Slice", "Concat", "Reshape");
    ModelBuilder b(13);
    addConv(b);
    b.node("Shape", {"c"}, {"shape"}, "shape");
    b.initializerInt64("starts", {1}, {0});
    b.initializerInt64("ends", {1}, {2});
    b.initializerInt64("minus_one", {1}, {-1});
    b.node("Slice", {"shape", "starts", "ends"}, {"nc"}, "slice");
    b.node("Concat", {"nc", "minus_one"}, {"target"}, "concat");
    ModelBuilder::intAttr(b.graph().mutable_node(b.graph().node_size() - 1), "axis", 0);
    b.node("Reshape", {"c", "target"}, {"y"}, "reshape");
    b.output("y", {1, 4, 42});
    expectFoldedChain(b, {1, 4, 42}, 3);   // Shape, Slice, Concat
}

TEST(NnPasses, DeadBranchIsRemoved) {
    ModelBuilder b;
    addConv(b);
    b.initializer("w2", {2, 4, 1, 1}, randomFloats(8, 9));
    b.node("Conv", {"c", "w2"}, {"unused"}, "dead_conv");
    b.output("c", {1, 4, 6, 7});
    TempDir dir;
    b.save(dir / "m.onnx");
    auto g = importOnnx(dir / "m.onnx");
    ASSERT_TRUE(g) << g.status().message();
    PassReport report;
    ASSERT_TRUE(optimizeGraph(*g, PassOptions{}, &report));
    EXPECT_EQ(report.removedNodes, 1);
    ASSERT_EQ(g->liveNodeCount(), 1);
    EXPECT_EQ(g->nodes()[0].desc.name, "conv");
    EXPECT_EQ(g->findValue("w2"), kNoValue);   // compact() dropped the orphaned constant
}

}  // namespace
}  // namespace sl::nn
