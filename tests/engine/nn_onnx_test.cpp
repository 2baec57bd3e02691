// ONNX importer: initializers in every encoding, Constant nodes, attributes, value shapes, and the
// real YOLOX-Nano model.

#include <gtest/gtest.h>

#include <fstream>

#include "nn/onnx/onnx_importer.h"
#include "nn_model_builder.h"

namespace sl::nn {
namespace {

using test::ModelBuilder;
using test::TempDir;

const Value* byName(const Graph& g, const std::string& name) {
    ValueId id = g.findValue(name);
    return id == kNoValue ? nullptr : &g.value(id);
}

TEST(NnOnnx, InitializerEncodings) {
    TempDir dir;
    ModelBuilder b;
    b.input("x", {1, 4});
    b.output("y", {1, 4});
    b.initializer("raw", {4}, {1, 2, 3, 4}, true);
    b.initializer("typed", {4}, {5, 6, 7, 8}, false);
    b.initializerInt64("shape", {2}, {1, 4}, false);
    b.initializerInt64("shape_raw", {2}, {4, 1}, true);
    auto* i32 = b.graph().add_initializer();
    i32->set_name("i32");
    i32->set_data_type(onnx::TensorProto::INT32);
    i32->add_dims(3);
    for (int v : {-1, 0, 7}) i32->add_int32_data(v);
    auto* f16 = b.graph().add_initializer();
    f16->set_name("f16");
    f16->set_data_type(onnx::TensorProto::FLOAT16);
    f16->add_dims(2);
    f16->add_int32_data(0x3c00);   // 1.0
    f16->add_int32_data(0xc000);   // -2.0
    // External data: 4 floats at offset 8 of a side file.
    {
        std::vector<float> pad = {0, 0, 9, 10, 11, 12};
        std::ofstream(dir / "w.bin", std::ios::binary)
            .write(reinterpret_cast<const char*>(pad.data()), 24);
        auto* ext = b.graph().add_initializer();
        ext->set_name("ext");
        ext->set_data_type(onnx::TensorProto::FLOAT);
        ext->add_dims(4);
        ext->set_data_location(onnx::TensorProto::EXTERNAL);
        for (auto [k, v] : {std::pair{"location", "w.bin"}, {"offset", "8"}, {"length", "16"}}) {
            auto* kv = ext->add_external_data();
            kv->set_key(k);
            kv->set_value(v);
        }
    }
    b.node("Add", {"x", "raw"}, {"a"});
    b.node("Add", {"a", "typed"}, {"c"});
    b.node("Add", {"c", "ext"}, {"y"});
    b.save(dir / "m.onnx");
    auto g = importOnnx(dir / "m.onnx");
    ASSERT_TRUE(g) << g.status().message();
    EXPECT_EQ(g->source, "m.onnx");
    EXPECT_EQ(g->opset, 13);
    ASSERT_EQ(g->inputs().size(), 1u);
    EXPECT_EQ(g->value(g->inputs()[0]).name, "x");
    const auto floats = [&](const std::string& n) {
        const Tensor& t = *byName(*g, n)->constant;
        return std::vector<float>(t.data<float>(), t.data<float>() + t.elements());
    };
    EXPECT_EQ(floats("raw"), (std::vector<float>{1, 2, 3, 4}));
    EXPECT_EQ(floats("typed"), (std::vector<float>{5, 6, 7, 8}));
    EXPECT_EQ(floats("ext"), (std::vector<float>{9, 10, 11, 12}));
    const Tensor& shape = *byName(*g, "shape")->constant;
    EXPECT_EQ(shape.dtype(), DType::Int64);
    EXPECT_EQ(shape.data<int64_t>()[1], 4);
    EXPECT_EQ(byName(*g, "shape_raw")->constant->data<int64_t>()[0], 4);
    const Tensor& i = *byName(*g, "i32")->constant;
    EXPECT_EQ(i.dtype(), DType::Int32);
    EXPECT_EQ(i.data<int32_t>()[0], -1);
    EXPECT_EQ(i.data<int32_t>()[2], 7);
    const Tensor& h = *byName(*g, "f16")->constant;
    EXPECT_EQ(h.dtype(), DType::Float16);
    EXPECT_EQ(h.data<uint16_t>()[1], 0xc000);
    // Shape inference filled the intermediates.
    EXPECT_TRUE(byName(*g, "a")->shapeKnown);
    EXPECT_EQ(byName(*g, "a")->info.shape, (Shape{1, 4}));
    EXPECT_EQ(g->liveNodeCount(), 3);
}

TEST(NnOnnx, ConstantNodesAndAttributes) {
    TempDir dir;
    ModelBuilder b(12);   // Constant value_ints needs opset 12
    b.input("x", {1, 2, 4, 4});
    b.output("y", {1, 2, 2, 2});
    auto* c = b.node("Constant", {}, {"k"}, "const_k");
    auto* a = c->add_attribute();
    a->set_name("value_ints");
    a->set_type(onnx::AttributeProto::INTS);
    a->add_ints(2);
    a->add_ints(2);
    auto* pool = b.node("MaxPool", {"x"}, {"y"}, "");   // unnamed -> "MaxPool_1"
    pool->clear_name();
    ModelBuilder::intsAttr(pool, "kernel_shape", {2, 2});
    ModelBuilder::intsAttr(pool, "strides", {2, 2});
    b.save(dir / "m.onnx");
    auto g = importOnnx(dir / "m.onnx");
    ASSERT_TRUE(g) << g.status().message();
    ASSERT_EQ(g->liveNodeCount(), 1);   // the Constant became a value
    const Value* k = byName(*g, "k");
    ASSERT_TRUE(k && k->constant);
    EXPECT_EQ(k->constant->dtype(), DType::Int64);
    const Node& n = g->nodes()[0];
    EXPECT_EQ(n.desc.opType, "MaxPool");
    EXPECT_EQ(n.desc.name, "MaxPool_1");
    EXPECT_EQ(n.desc.opset, 12);
    EXPECT_EQ(n.desc.attributes.get<std::vector<int64_t>>("kernel_shape"),
              (std::vector<int64_t>{2, 2}));
}

TEST(NnOnnx, OptionalInputsAndDynamicDims) {
    TempDir dir;
    ModelBuilder b(13);
    b.input("x", {-1, 3});
    b.output("y", {-1, 3});
    b.initializer("hi", {}, {6.f});
    b.node("Clip", {"x", "", "hi"}, {"y"}, "clip");
    b.save(dir / "m.onnx");
    auto g = importOnnx(dir / "m.onnx");
    ASSERT_TRUE(g) << g.status().message();
    const Node& n = g->nodes()[0];
    ASSERT_EQ(n.inputs.size(), 3u);
    EXPECT_EQ(n.inputs[1], kNoValue);
    EXPECT_EQ(n.desc.inputCount, 3);
    const Value& x = g->value(g->inputs()[0]);
    EXPECT_EQ(x.info.shape, (Shape{-1, 3}));
    EXPECT_EQ(valueShapeString(x), "Nx3");
}

TEST(NnOnnx, TensorProtoFile) {
    TempDir dir;
    onnx::TensorProto t;
    t.set_data_type(onnx::TensorProto::INT64);
    t.add_dims(2);
    t.add_int64_data(3);
    t.add_int64_data(-4);
    std::ofstream(dir / "t.pb", std::ios::binary) << t.SerializeAsString();
    auto r = readTensorProtoFile(dir / "t.pb");
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->shape(), (Shape{2}));
    EXPECT_EQ(r->data<int64_t>()[1], -4);
}

TEST(NnOnnx, YoloxNano) {
    const std::string path = std::string(SL_SHARED_DIR) + "/models/yolox_nano.onnx";
    auto g = importOnnx(path);
    ASSERT_TRUE(g) << g.status().message();
    ASSERT_EQ(g->inputs().size(), 1u);
    ASSERT_EQ(g->outputs().size(), 1u);
    EXPECT_EQ(g->value(g->inputs()[0]).info.shape, (Shape{1, 3, 416, 416}));
    EXPECT_EQ(g->value(g->outputs()[0]).info.shape, (Shape{1, 3549, 85}));
    EXPECT_GT(g->liveNodeCount(), 100);
    std::cout << g->summary();
}

}  // namespace
}  // namespace sl::nn
