#pragma once
// The check that an ONNX file fits a manifest. Apart from model_manifest.h because it needs the
// ONNX importer (protobuf, the checker), which the manifest parser does not: the parser is built
// alone, with no engine dependencies, for the fuzzers (tests/fuzz).

#include <filesystem>

#include "core/status.h"
#include "models/model_manifest.h"

namespace sl::models {

// Loads `onnx` with the importer (ONNX checker + shape inference) and checks it against the
// manifest's contract: one float32 input 1x3xHxW, one float32 output 1 x rows x (5 + classes).
// Messages name the file: "models: 'x.onnx': output 'output' has shape 1x8400x85, expected
// 1x3549x85".
Status checkModelContract(const std::filesystem::path& onnx, const ModelManifest& manifest);

}  // namespace sl::models
