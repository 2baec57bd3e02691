// Bad models: each is a clear error naming the file and the problem, never a crash. Suite names
// start with BadInput so CI also runs them under ASan; every case is small and fast.

#include <gtest/gtest.h>

#include <fstream>

#include "nn/onnx/onnx_importer.h"
#include "nn/runtime/session.h"
#include "nn_model_builder.h"

namespace sl::nn {
namespace {

using test::ModelBuilder;
using test::TempDir;

ModelBuilder reluModel(std::vector<int64_t> dims = {1, 3}) {
    ModelBuilder b;
    b.input("x", dims);
    b.output("y", dims);
    b.node("Relu", {"x"}, {"y"}, "relu");
    return b;
}

void expectError(const Status& st, StatusCode code, const std::string& file,
                 const std::string& problem) {
    EXPECT_FALSE(st.isOk());
    EXPECT_EQ(st.code(), code) << st.message();
    EXPECT_NE(st.message().find("'" + file + "'"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(problem), std::string::npos) << st.message();
}

TEST(BadInputNnModel, MissingFile) {
    TempDir dir;
    auto g = importOnnx(dir / "absent.onnx");
    expectError(g.status(), StatusCode::NotFound, "absent.onnx", "no such file");
}

TEST(BadInputNnModel, EmptyFile) {
    TempDir dir;
    std::ofstream(dir / "empty.onnx").close();
    expectError(importOnnx(dir / "empty.onnx").status(), StatusCode::InvalidData, "empty.onnx",
                "empty file");
}

TEST(BadInputNnModel, NotOnnx) {
    TempDir dir;
    std::ofstream(dir / "text.onnx") << "this is not a model, just some text\n";
    expectError(importOnnx(dir / "text.onnx").status(), StatusCode::InvalidData, "text.onnx",
                "not an ONNX model");
    // Random binary garbage.
    std::string junk(4096, '\0');
    for (size_t i = 0; i < junk.size(); ++i) junk[i] = char((i * 2654435761u) >> 13);
    std::ofstream(dir / "junk.onnx", std::ios::binary) << junk;
    auto g = importOnnx(dir / "junk.onnx");
    expectError(g.status(), StatusCode::InvalidData, "junk.onnx", "not an ONNX model");
}

TEST(BadInputNnModel, Truncated) {
    TempDir dir;
    ModelBuilder b = reluModel();
    b.initializer("w", {64}, std::vector<float>(64, 1.f));
    const std::string bytes = b.bytes();
    for (size_t cut : {bytes.size() / 2, bytes.size() - 3}) {
        std::ofstream(dir / "cut.onnx", std::ios::binary) << bytes.substr(0, cut);
        expectError(importOnnx(dir / "cut.onnx").status(), StatusCode::InvalidData, "cut.onnx",
                    "truncated");
    }
}

TEST(BadInputNnModel, FailsChecker) {
    TempDir dir;
    ModelBuilder b;
    b.input("x", {1, 3});
    b.output("y", {1, 3});
    b.node("Relu", {"undefined_value"}, {"y"}, "relu");   // reads a value nothing defines
    b.save(dir / "unchecked.onnx");
    expectError(importOnnx(dir / "unchecked.onnx").status(), StatusCode::InvalidData,
                "unchecked.onnx", "ONNX checker");
}

TEST(BadInputNnModel, OpsetOutOfRange) {
    TempDir dir;
    ModelBuilder b(5);
    b.input("x", {1, 3});
    b.output("y", {1, 3});
    b.node("Relu", {"x"}, {"y"}, "relu");
    b.save(dir / "old.onnx");
    OnnxImportOptions noUpgrade;
    noUpgrade.upgradeOldOpsets = false;
    auto g = importOnnx(dir / "old.onnx", noUpgrade);
    ASSERT_FALSE(g);
    expectError(g.status(), StatusCode::Unsupported, "old.onnx",
                "opset 5 is outside the supported range 7..17");
    // By default ONNX's version converter upgrades it.
    auto upgraded = importOnnx(dir / "old.onnx");
    ASSERT_TRUE(upgraded) << upgraded.status().message();
    EXPECT_EQ(upgraded->opset, 7);
}

// An opset-6 PRelu whose slope is not one value per channel cannot be upgraded without guessing.
TEST(BadInputNnModel, AmbiguousLegacyPRelu) {
    TempDir dir;
    ModelBuilder b(6);
    b.input("x", {2, 4, 3});
    b.output("y", {2, 4, 3});
    b.initializer("slope", {3}, {0.1f, 0.2f, 0.3f});
    b.node("PRelu", {"x", "slope"}, {"y"}, "prelu");
    b.save(dir / "prelu6.onnx");
    auto g = importOnnx(dir / "prelu6.onnx");
    ASSERT_FALSE(g);
    expectError(g.status(), StatusCode::Unsupported, "prelu6.onnx",
                "slope 3 is not one value per channel of 2x4x3");
}

TEST(BadInputNnModel, UnsupportedOp) {
    TempDir dir;
    ModelBuilder b(13);
    b.input("x", {2, 2});
    b.output("y", {});
    b.node("Det", {"x"}, {"y"}, "determinant");
    b.save(dir / "det.onnx");
    auto g = importOnnx(dir / "det.onnx");
    ASSERT_TRUE(g) << g.status().message();
    SessionOptions o;
    o.device = Device::CpuReference;
    auto s = Session::create(std::move(*g), o);
    ASSERT_FALSE(s);
    expectError(s.status(), StatusCode::Unsupported, "det.onnx", "'Det'");
    EXPECT_NE(s.status().message().find("determinant"), std::string::npos);
}

TEST(BadInputNnModel, MissingExternalData) {
    TempDir dir;
    ModelBuilder b = reluModel();
    auto* t = b.graph().add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(4);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* kv = t->add_external_data();
    kv->set_key("location");
    kv->set_value("weights.bin");
    b.save(dir / "external.onnx");
    auto g = importOnnx(dir / "external.onnx");
    ASSERT_FALSE(g);
    expectError(g.status(), g.status().code(), "external.onnx", "weights.bin");
    // Without the checker the importer itself notices.
    OnnxImportOptions noCheck;
    noCheck.runChecker = false;
    expectError(importOnnx(dir / "external.onnx", noCheck).status(), StatusCode::NotFound,
                "external.onnx", "weights.bin");
}

TEST(BadInputNnModel, ExternalDataOutsideModelFolder) {
    TempDir dir;
    ModelBuilder b = reluModel();
    auto* t = b.graph().add_initializer();
    t->set_name("w");
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_dims(4);
    t->set_data_location(onnx::TensorProto::EXTERNAL);
    auto* kv = t->add_external_data();
    kv->set_key("location");
    kv->set_value("../../etc/passwd");
    b.save(dir / "escape.onnx");
    OnnxImportOptions noCheck;
    noCheck.runChecker = false;
    expectError(importOnnx(dir / "escape.onnx", noCheck).status(), StatusCode::InvalidData,
                "escape.onnx", "leaves the model's folder");
}

TEST(BadInputNnModel, UnresolvedDynamicShape) {
    TempDir dir;
    reluModel({-1, 3}).save(dir / "dynamic.onnx");
    auto g = importOnnx(dir / "dynamic.onnx");
    ASSERT_TRUE(g) << g.status().message();
    SessionOptions o;
    o.device = Device::CpuReference;
    auto s = Session::create(*g, o);
    ASSERT_FALSE(s);
    expectError(s.status(), StatusCode::InvalidArgument, "dynamic.onnx",
                "unresolved dynamic shape: input 'x' is Nx3");
}

TEST(BadInputNnModel, RawDataSizeMismatch) {
    TempDir dir;
    ModelBuilder b = reluModel();
    auto* t = b.initializer("w", {4}, {1, 2, 3, 4});
    t->set_raw_data(t->raw_data().substr(0, 10));
    b.save(dir / "short.onnx");
    OnnxImportOptions noCheck;
    noCheck.runChecker = false;
    expectError(importOnnx(dir / "short.onnx", noCheck).status(), StatusCode::InvalidData,
                "short.onnx", "raw_data has 10 bytes");
}

}  // namespace
}  // namespace sl::nn
