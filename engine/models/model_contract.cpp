#include "models/model_contract.h"

#include "nn/onnx/onnx_importer.h"

namespace sl::models {

Status checkModelContract(const std::filesystem::path& onnx, const ModelManifest& m) {
    const std::string who = "models: '" + onnx.string() + "'";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(onnx, ec))
        return Status(StatusCode::NotFound, who + ": no such file");
    auto graph = nn::importOnnx(onnx);
    if (!graph) return Status(graph.status().code(), who + ": not a loadable ONNX model: " +
                                                         graph.status().message());
    const nn::Graph& g = *graph;
    if (g.inputs().size() != 1)
        return Status(StatusCode::InvalidData, who + ": has " + std::to_string(g.inputs().size()) +
                                                   " inputs, expected 1");
    if (g.outputs().size() != 1)
        return Status(StatusCode::InvalidData, who + ": has " +
                                                   std::to_string(g.outputs().size()) +
                                                   " outputs, expected 1");
    const auto check = [&](nn::ValueId id, const char* kind, const nn::Shape& want) -> Status {
        const nn::Value& v = g.value(id);
        if (v.info.dtype != nn::DType::Float32)
            return Status(StatusCode::InvalidData, who + ": " + kind + " '" + v.name + "' is " +
                                                       nn::dtypeName(v.info.dtype) +
                                                       ", expected float32");
        if (v.info.shape != want)
            return Status(StatusCode::InvalidData,
                          who + ": " + kind + " '" + v.name + "' has shape " +
                              nn::shapeString(v.info.shape) + ", expected " +
                              nn::shapeString(want));
        return Status::ok();
    };
    SL_TRY(check(g.inputs()[0], "input", {1, 3, m.inputHeight, m.inputWidth}));
    SL_TRY(check(g.outputs()[0], "output", {1, m.outputRows(), m.outputColumns()}));
    return Status::ok();
}

}  // namespace sl::models
