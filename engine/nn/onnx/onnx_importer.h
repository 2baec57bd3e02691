#pragma once
// ONNX -> nn::Graph, built on ONNX's own C++ library: protobuf parsing, onnx::checker::check_model
// and onnx::shape_inference::InferShapes, so a malformed model is rejected with the checker's own
// message. Supported: ai.onnx opsets 7..17 (older models are upgraded to 7 with ONNX's version
// converter first), initializers from raw_data or the typed fields
// (float_data, int64_data, int32_data, double_data; packed or not), external data files next to
// the model, Constant nodes (turned into constant values). Exceptions from protobuf/ONNX never
// leave this module: every failure is a Status "nn/onnx: 'model.onnx': <problem>".
//
//   auto graph = sl::nn::importOnnx("yolox_nano.onnx");
//   if (!graph) log(graph.status().message());

#include <filesystem>
#include <string>

#include "core/status.h"
#include "nn/graph.h"
#include "nn/tensor.h"

namespace sl::nn {

inline constexpr int kMinOnnxOpset = 7;
inline constexpr int kMaxOnnxOpset = 17;

struct OnnxImportOptions {
    bool runChecker = true;          // onnx::checker::check_model
    bool runShapeInference = true;   // onnx::shape_inference::InferShapes (fills value shapes)
    // Models below opset 7 are upgraded with ONNX's version converter (then checked as opset 7);
    // off: they are refused as outside the supported range.
    bool upgradeOldOpsets = true;
};

Expected<Graph> importOnnx(const std::filesystem::path& path,
                           const OnnxImportOptions& options = {});

// A serialized onnx.TensorProto file (the backend tests' input_0.pb / output_0.pb).
Expected<Tensor> readTensorProtoFile(const std::filesystem::path& path);

}  // namespace sl::nn
