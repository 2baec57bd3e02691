#pragma once
// ModelManifest: what the engine must know about a detection model besides its weights, stored as
// JSON next to the .onnx file (manifest.json), so another export or another YOLOX size needs a new
// manifest, not new code:
//
//   {
//     "name": "yolox-nano", "file": "model.onnx", "description": "...",
//     "input":  {"name": "images", "width": 416, "height": 416, "color_order": "bgr",
//                "scale": 1.0, "mean": [0, 0, 0], "std": [1, 1, 1]},
//     "letterbox": {"placement": "top-left", "pad": 114},
//     "output": {"name": "output"},
//     "decoder": {"type": "yolox", "strides": [8, 16, 32]},
//     "thresholds": {"confidence": 0.3, "nms": 0.45},
//     "labels": ["person", "bicycle", ...]
//   }
//
// Every key except "labels" and "decoder.type" has the default shown. A malformed manifest is
// refused with a message naming the file and the problem ("models: '/x/manifest.json': 'labels'
// must be an array of strings").

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "vision/preprocess.h"
#include "vision/yolox_decoder.h"

namespace sl::models {

struct ModelManifest {
    std::string name;
    std::string file = "model.onnx";   // the weights, relative to the manifest's folder
    std::string description;
    std::string inputName = "images";
    std::string outputName = "output";
    int inputWidth = 416;
    int inputHeight = 416;
    vision::ChannelOrder colorOrder = vision::ChannelOrder::Bgr;
    float scale = 1.0f;
    std::array<float, 3> mean{0, 0, 0};
    std::array<float, 3> std{1, 1, 1};
    vision::Placement placement = vision::Placement::TopLeft;
    float padValue = 114.0f;
    std::string decoder = "yolox";
    std::vector<int> strides{8, 16, 32};
    float confidence = 0.3f;
    float nms = 0.45f;
    std::vector<std::string> labels;

    vision::PreprocessParams preprocessParams() const;
    // Decoder parameters with the manifest's default thresholds and no class filter.
    vision::YoloxDecodeParams yoloxParams() const;
    // Rows x columns of the output tensor the decoder expects (3549 x 85 for YOLOX-Nano).
    int64_t outputRows() const;
    int64_t outputColumns() const { return 5 + int64_t(labels.size()); }
    // Class id of a label (exact, then case-insensitive), -1 when unknown.
    int classId(std::string_view label) const;
    std::string label(int classId) const;   // "class 7" for an id without a label
};

// `origin` names the source in messages (the file path).
Expected<ModelManifest> parseManifest(std::string_view json, const std::string& origin);
Expected<ModelManifest> loadManifest(const std::filesystem::path& path);
std::string manifestToJson(const ModelManifest& manifest);

// The 80 COCO class names in YOLOX's order.
const std::vector<std::string>& cocoLabels();
// The built-in manifest of the default detector.
ModelManifest yoloxNanoManifest();

}  // namespace sl::models
