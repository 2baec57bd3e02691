#include "pipeline/detections_file.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sl::pipeline {

namespace {

using json = nlohmann::json;

Status bad(const std::string& where, const std::string& what) {
    return {StatusCode::InvalidData, "pipeline: " + where + ": " + what};
}

bool toNumber(const std::string& s, double& out) {
    const char* b = s.c_str();
    while (*b == ' ' || *b == '\t') ++b;
    char* end = nullptr;
    out = std::strtod(b, &end);
    while (end && (*end == ' ' || *end == '\t' || *end == '\r')) ++end;
    return end != b && end && *end == '\0' && std::isfinite(out);
}

}  // namespace

Expected<DetectionsFile> parseMotDetections(const std::string& text, const std::string& name,
                                            double fps) {
    static const char* const kFields[] = {"frame", "id", "x", "y", "width", "height", "score"};
    std::map<int64_t, FrameDetections> frames;
    std::istringstream in(text);
    std::string line;
    int lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string field;
        while (std::getline(ss, field, ',')) f.push_back(field);
        const std::string where = name + ":" + std::to_string(lineNo);
        if (f.size() < 7)
            return bad(where, "expected at least 7 fields (frame,id,x,y,w,h,score), found " +
                                  std::to_string(f.size()));
        double v[7];
        for (int k = 0; k < 7; ++k)
            if (!toNumber(f[k], v[k]))
                return bad(where, std::string("field '") + kFields[k] + "': not a number ('" +
                                      f[k] + "')");
        if (v[0] < 1 || v[0] != std::floor(v[0]))
            return bad(where, "field 'frame': not a frame number >= 1 (" + f[0] + ")");
        if (v[4] < 0) return bad(where, "field 'width': negative (" + f[4] + ")");
        if (v[5] < 0) return bad(where, "field 'height': negative (" + f[5] + ")");
        const int64_t index = static_cast<int64_t>(v[0]) - 1;   // MOT frame 1 = index 0
        FrameDetections& fd = frames[index];
        vision::Detection d;
        d.score = static_cast<float>(v[6]);
        const float x = static_cast<float>(v[2]), y = static_cast<float>(v[3]);
        d.box = {x, y, x + static_cast<float>(v[4]), y + static_cast<float>(v[5])};
        fd.detections.push_back(d);
    }
    DetectionsFile out;
    out.labels = {"object"};
    out.frameMapping = "MOTChallenge frame 1 = frame index 0";
    if (frames.empty()) return out;
    const int64_t last = frames.rbegin()->first;
    for (int64_t i = 0; i <= last; ++i) {
        FrameDetections fd;
        if (auto it = frames.find(i); it != frames.end()) fd = std::move(it->second);
        fd.frameIndex = i;
        fd.pts = i;
        fd.seconds = static_cast<double>(i) / (fps > 0 ? fps : 30);
        // Highest score first, as the detector reports them (rows of one frame keep their
        // order among equal scores).
        std::stable_sort(fd.detections.begin(), fd.detections.end(),
                         [](const auto& a, const auto& b) { return a.score > b.score; });
        out.frames.push_back(std::move(fd));
    }
    return out;
}

Expected<DetectionsFile> parseSightlineResultsJson(const std::string& text,
                                                   const std::string& name) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return bad(name, "not valid JSON (truncated or not a results file)");
    const auto at = [&](const std::string& pointer, const std::string& what) {
        return bad(name + ": " + pointer, what);
    };
    if (!j.is_object()) return at("/", "expected a Sightline results object");
    DetectionsFile out;
    out.frameMapping = "Sightline frame index (unchanged)";
    if (j.contains("source") && j["source"].is_string()) out.source = j["source"];
    if (j.contains("labels")) {
        if (!j["labels"].is_array()) return at("/labels", "expected an array of labels");
        for (size_t i = 0; i < j["labels"].size(); ++i) {
            if (!j["labels"][i].is_string())
                return at("/labels/" + std::to_string(i), "expected a label");
            out.labels.push_back(j["labels"][i]);
        }
    }
    if (!j.contains("frames")) return at("/frames", "missing");
    if (!j["frames"].is_array()) return at("/frames", "expected an array");
    std::map<int64_t, FrameDetections> frames;
    const auto& rows = j["frames"];
    for (size_t i = 0; i < rows.size(); ++i) {
        const std::string p = "/frames/" + std::to_string(i);
        const json& r = rows[i];
        if (!r.is_object()) return at(p, "expected an object");
        if (!r.contains("frame") || !r["frame"].is_number_integer() || r["frame"].get<int64_t>() < 0)
            return at(p + "/frame", "expected a frame index >= 0");
        FrameDetections fd;
        fd.frameIndex = r["frame"];
        if (r.contains("pts") && r["pts"].is_number_integer()) fd.pts = r["pts"];
        if (r.contains("time") && r["time"].is_number()) fd.seconds = r["time"];
        if (r.contains("width") && r["width"].is_number_integer()) fd.width = r["width"];
        if (r.contains("height") && r["height"].is_number_integer()) fd.height = r["height"];
        const json* dets = r.contains("detections") ? &r["detections"] : nullptr;
        if (!dets || !dets->is_array()) return at(p + "/detections", "expected an array");
        for (size_t k = 0; k < dets->size(); ++k) {
            const std::string q = p + "/detections/" + std::to_string(k);
            const json& d = (*dets)[k];
            if (!d.is_object()) return at(q, "expected an object");
            if (!d.contains("score") || !d["score"].is_number()) return at(q + "/score", "expected a number");
            if (!d.contains("box") || !d["box"].is_array() || d["box"].size() != 4)
                return at(q + "/box", "expected [x1, y1, x2, y2]");
            double b[4];
            for (int c = 0; c < 4; ++c) {
                if (!d["box"][c].is_number()) return at(q + "/box/" + std::to_string(c), "expected a number");
                b[c] = d["box"][c];
                if (!std::isfinite(b[c])) return at(q + "/box/" + std::to_string(c), "not finite");
            }
            if (b[2] < b[0] || b[3] < b[1]) return at(q + "/box", "x2 < x1 or y2 < y1");
            vision::Detection det;
            det.score = d["score"].get<float>();
            det.box = {float(b[0]), float(b[1]), float(b[2]), float(b[3])};
            if (d.contains("class_id")) {
                if (!d["class_id"].is_number_integer() || d["class_id"].get<int>() < 0)
                    return at(q + "/class_id", "expected a class id >= 0");
                det.classId = d["class_id"];
            } else if (d.contains("label") && d["label"].is_string()) {
                const std::string label = d["label"];
                auto it = std::find(out.labels.begin(), out.labels.end(), label);
                if (it == out.labels.end()) it = out.labels.insert(out.labels.end(), label);
                det.classId = static_cast<int>(it - out.labels.begin());
            }
            fd.detections.push_back(det);
        }
        if (!frames.emplace(fd.frameIndex, std::move(fd)).second)
            return at(p + "/frame", "frame " + r["frame"].dump() + " appears twice");
    }
    for (auto& [index, fd] : frames) out.frames.push_back(std::move(fd));   // ascending
    return out;
}

Expected<DetectionsFile> readDetectionsFile(const std::filesystem::path& path, double fps) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status(StatusCode::NotFound, "pipeline: cannot read '" + path.string() + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string ext = path.extension().string();
    const std::string name = path.filename().string();
    if (ext == ".json") return parseSightlineResultsJson(ss.str(), name);
    if (ext == ".txt" || ext == ".csv") return parseMotDetections(ss.str(), name, fps);
    return Status(StatusCode::InvalidArgument,
                  "pipeline: '" + path.string() + "': detections are read from .json (Sightline "
                  "results) or .txt (MOTChallenge det.txt)");
}

}  // namespace sl::pipeline
