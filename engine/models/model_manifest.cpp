#include "models/model_manifest.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace sl::models {

namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// Reads optional keys of a JSON object with type checks; the first problem is kept and named.
class Reader {
public:
    Reader(const json& root, std::string origin) : root_(root), origin_(std::move(origin)) {}

    const json* object(const char* key) {
        if (!root_.contains(key)) return nullptr;
        const json& v = root_.at(key);
        if (!v.is_object()) fail("'" + std::string(key) + "' must be an object");
        return v.is_object() ? &v : nullptr;
    }
    void string(const json* obj, const char* path, const char* key, std::string& out) {
        if (!obj || !obj->contains(key)) return;
        const json& v = obj->at(key);
        if (!v.is_string()) return fail(quote(path, key) + " must be a string");
        out = v.get<std::string>();
    }
    void number(const json* obj, const char* path, const char* key, float& out) {
        if (!obj || !obj->contains(key)) return;
        const json& v = obj->at(key);
        if (!v.is_number()) return fail(quote(path, key) + " must be a number");
        out = v.get<float>();
    }
    void integer(const json* obj, const char* path, const char* key, int& out, int lo, int hi) {
        if (!obj || !obj->contains(key)) return;
        const json& v = obj->at(key);
        if (!v.is_number_integer() || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
            return fail(quote(path, key) + " must be an integer in " + std::to_string(lo) + ".." +
                        std::to_string(hi));
        out = v.get<int>();
    }
    void triple(const json* obj, const char* path, const char* key, std::array<float, 3>& out) {
        if (!obj || !obj->contains(key)) return;
        const json& v = obj->at(key);
        if (!v.is_array() || v.size() != 3 ||
            !std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number(); }))
            return fail(quote(path, key) + " must be an array of 3 numbers");
        for (size_t i = 0; i < 3; ++i) out[i] = v[i].get<float>();
    }
    void fail(const std::string& problem) {
        if (problem_.empty()) problem_ = problem;
    }
    Status status() const {
        if (problem_.empty()) return Status::ok();
        return Status(StatusCode::InvalidData, "models: '" + origin_ + "': " + problem_);
    }

private:
    static std::string quote(const char* path, const char* key) {
        return "'" + (path[0] ? std::string(path) + "." : std::string()) + key + "'";
    }
    const json& root_;
    std::string origin_;
    std::string problem_;
};

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = char(std::tolower(uint8_t(c)));
    return r;
}

}  // namespace

vision::PreprocessParams ModelManifest::preprocessParams() const {
    vision::PreprocessParams p;
    p.dstWidth = inputWidth;
    p.dstHeight = inputHeight;
    p.order = colorOrder;
    p.placement = placement;
    p.padValue = padValue;
    p.scale = scale;
    p.mean = mean;
    p.std = std;
    return p;
}

vision::YoloxDecodeParams ModelManifest::yoloxParams() const {
    vision::YoloxDecodeParams p;
    p.inputWidth = inputWidth;
    p.inputHeight = inputHeight;
    p.strides = strides;
    p.numClasses = int(labels.size());
    p.scoreThreshold = confidence;
    p.nmsThreshold = nms;
    return p;
}

int64_t ModelManifest::outputRows() const { return int64_t(vision::yoloxRowCount(yoloxParams())); }

int ModelManifest::classId(std::string_view name) const {
    for (size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == name) return int(i);
    const std::string l = lower(name);
    for (size_t i = 0; i < labels.size(); ++i)
        if (lower(labels[i]) == l) return int(i);
    return -1;
}

std::string ModelManifest::label(int id) const {
    if (id >= 0 && size_t(id) < labels.size()) return labels[size_t(id)];
    return "class " + std::to_string(id);
}

Expected<ModelManifest> parseManifest(std::string_view text, const std::string& origin) {
    // nlohmann's parser reports errors by exception unless asked not to: parse without
    // exceptions, then describe the position ourselves.
    json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded())
        return Status(StatusCode::InvalidData, "models: '" + origin + "': not valid JSON");
    if (!root.is_object())
        return Status(StatusCode::InvalidData, "models: '" + origin + "': must be a JSON object");
    ModelManifest m;
    Reader r(root, origin);
    r.string(&root, "", "name", m.name);
    r.string(&root, "", "file", m.file);
    r.string(&root, "", "description", m.description);
    if (const json* in = r.object("input")) {
        r.string(in, "input", "name", m.inputName);
        r.integer(in, "input", "width", m.inputWidth, 1, 8192);
        r.integer(in, "input", "height", m.inputHeight, 1, 8192);
        std::string order = "bgr";
        r.string(in, "input", "color_order", order);
        if (lower(order) == "bgr") m.colorOrder = vision::ChannelOrder::Bgr;
        else if (lower(order) == "rgb") m.colorOrder = vision::ChannelOrder::Rgb;
        else r.fail("'input.color_order' must be \"bgr\" or \"rgb\", not \"" + order + "\"");
        r.number(in, "input", "scale", m.scale);
        r.triple(in, "input", "mean", m.mean);
        r.triple(in, "input", "std", m.std);
        for (float s : m.std)
            if (s == 0.0f) r.fail("'input.std' must not contain 0");
    }
    if (const json* lb = r.object("letterbox")) {
        std::string placement = "top-left";
        r.string(lb, "letterbox", "placement", placement);
        if (placement == "top-left") m.placement = vision::Placement::TopLeft;
        else if (placement == "centre" || placement == "center")
            m.placement = vision::Placement::Centre;
        else r.fail("'letterbox.placement' must be \"top-left\" or \"centre\", not \"" +
                    placement + "\"");
        r.number(lb, "letterbox", "pad", m.padValue);
    }
    if (const json* out = r.object("output")) r.string(out, "output", "name", m.outputName);
    const json* dec = r.object("decoder");
    if (!dec && r.status()) r.fail("missing 'decoder' (e.g. {\"type\": \"yolox\"})");
    m.decoder.clear();
    r.string(dec, "decoder", "type", m.decoder);
    if (dec && m.decoder.empty()) r.fail("missing 'decoder.type'");
    else if (dec && m.decoder != "yolox")
        r.fail("unknown decoder type \"" + m.decoder + "\" (supported: \"yolox\")");
    if (dec && dec->contains("strides")) {
        const json& s = dec->at("strides");
        if (!s.is_array() || s.empty() ||
            !std::all_of(s.begin(), s.end(),
                         [](const json& e) { return e.is_number_integer() && e.get<int>() > 0; }))
            r.fail("'decoder.strides' must be a non-empty array of positive integers");
        else m.strides = s.get<std::vector<int>>();
    }
    if (const json* th = r.object("thresholds")) {
        r.number(th, "thresholds", "confidence", m.confidence);
        r.number(th, "thresholds", "nms", m.nms);
    }
    if (!(m.confidence >= 0 && m.confidence <= 1) || !(m.nms >= 0 && m.nms <= 1))
        r.fail("thresholds must lie in 0..1");
    if (!root.contains("labels")) {
        r.fail("missing 'labels' (an array of class names)");
    } else {
        const json& l = root.at("labels");
        if (!l.is_array() || l.empty() ||
            !std::all_of(l.begin(), l.end(), [](const json& e) { return e.is_string(); }))
            r.fail("'labels' must be a non-empty array of strings");
        else m.labels = l.get<std::vector<std::string>>();
    }
    for (int s : m.strides)
        if (m.inputWidth % s || m.inputHeight % s)
            r.fail("stride " + std::to_string(s) + " does not divide the input size");
    if (m.file.empty() || m.file.find('/') != std::string::npos || m.file == "..")
        r.fail("'file' must be a plain file name next to the manifest");
    SL_TRY(r.status());
    return m;
}

Expected<ModelManifest> loadManifest(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status(StatusCode::NotFound,
                      "models: cannot read manifest '" + path.string() + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parseManifest(ss.str(), path.string());
}

std::string manifestToJson(const ModelManifest& m) {
    ojson j;
    j["name"] = m.name;
    j["file"] = m.file;
    j["description"] = m.description;
    j["input"] = {{"name", m.inputName},
                  {"width", m.inputWidth},
                  {"height", m.inputHeight},
                  {"color_order", m.colorOrder == vision::ChannelOrder::Bgr ? "bgr" : "rgb"},
                  {"scale", m.scale},
                  {"mean", m.mean},
                  {"std", m.std}};
    j["letterbox"] = {
        {"placement", m.placement == vision::Placement::TopLeft ? "top-left" : "centre"},
        {"pad", m.padValue}};
    j["output"] = {{"name", m.outputName}};
    j["decoder"] = {{"type", m.decoder}, {"strides", m.strides}};
    j["thresholds"] = {{"confidence", m.confidence}, {"nms", m.nms}};
    j["labels"] = m.labels;
    return j.dump(2) + "\n";
}

const std::vector<std::string>& cocoLabels() {
    static const std::vector<std::string> labels = {
        "person",        "bicycle",      "car",           "motorcycle",    "airplane",
        "bus",           "train",        "truck",         "boat",          "traffic light",
        "fire hydrant",  "stop sign",    "parking meter", "bench",         "bird",
        "cat",           "dog",          "horse",         "sheep",         "cow",
        "elephant",      "bear",         "zebra",         "giraffe",       "backpack",
        "umbrella",      "handbag",      "tie",           "suitcase",      "frisbee",
        "skis",          "snowboard",    "sports ball",   "kite",          "baseball bat",
        "baseball glove", "skateboard",  "surfboard",     "tennis racket", "bottle",
        "wine glass",    "cup",          "fork",          "knife",         "spoon",
        "bowl",          "banana",       "apple",         "sandwich",      "orange",
        "broccoli",      "carrot",       "hot dog",       "pizza",         "donut",
        "cake",          "chair",        "couch",         "potted plant",  "bed",
        "dining table",  "toilet",       "tv",            "laptop",        "mouse",
        "remote",        "keyboard",     "cell phone",    "microwave",     "oven",
        "toaster",       "sink",         "refrigerator",  "book",          "clock",
        "vase",          "scissors",     "teddy bear",    "hair drier",    "toothbrush"};
    return labels;
}

ModelManifest yoloxNanoManifest() {
    ModelManifest m;
    m.name = "yolox-nano";
    m.description = "YOLOX-Nano, COCO 80 classes, 416x416 (Megvii, Apache-2.0)";
    m.labels = cocoLabels();
    return m;
}

}  // namespace sl::models
