#include "pipeline/clip_sidecar.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sl::pipeline {

namespace {

using json = nlohmann::json;

struct Bad {
    std::string pointer, what;
};

const json& need(const json& j, const char* key, const std::string& at) {
    if (!j.is_object() || !j.contains(key)) throw Bad{at + "/" + key, "missing"};
    return j[key];
}

double number(const json& j, const std::string& at) {
    if (!j.is_number()) throw Bad{at, "expected a number"};
    return j.get<double>();
}

int64_t integer(const json& j, const std::string& at) {
    if (!j.is_number_integer()) throw Bad{at, "expected an integer"};
    return j.get<int64_t>();
}

std::string text(const json& j, const std::string& at) {
    if (!j.is_string()) throw Bad{at, "expected a string"};
    return j.get<std::string>();
}

}  // namespace

Expected<ClipSidecar> parseClipSidecar(const std::string& content, const std::string& sourceName) {
    const std::string prefix = "clips: " + sourceName + ": ";
    json j;
    try {
        j = json::parse(content);
    } catch (const json::exception& e) {
        return Status(StatusCode::InvalidData, prefix + "not valid JSON: " + e.what());
    }
    try {
        ClipSidecar c;
        if (integer(need(j, "version", ""), "/version") != 1)
            throw Bad{"/version", "expected 1 (a newer sidecar is not guessed at)"};
        c.source = text(need(j, "source", ""), "/source");
        c.video = text(need(j, "video", ""), "/video");
        c.width = int(integer(need(j, "width", ""), "/width"));
        c.height = int(integer(need(j, "height", ""), "/height"));
        c.frameCount = integer(need(j, "frame_count", ""), "/frame_count");
        c.durationSeconds = number(need(j, "duration_s", ""), "/duration_s");
        const json& alerts = need(j, "alerts", "");
        if (!alerts.is_array()) throw Bad{"/alerts", "expected an array"};
        for (size_t i = 0; i < alerts.size(); ++i) {
            const std::string at = "/alerts/" + std::to_string(i);
            ClipSidecarAlert a;
            a.rule = text(need(alerts[i], "alert", at), at + "/alert");
            a.kind = text(need(alerts[i], "kind", at), at + "/kind");
            a.severity = text(need(alerts[i], "severity", at), at + "/severity");
            a.wallTime = text(need(alerts[i], "wall_time", at), at + "/wall_time");
            a.clipFrame = integer(need(alerts[i], "clip_frame", at), at + "/clip_frame");
            c.alerts.push_back(std::move(a));
        }
        const json& frames = need(j, "frames", "");
        if (!frames.is_array()) throw Bad{"/frames", "expected an array"};
        for (size_t i = 0; i < frames.size(); ++i) {
            const std::string at = "/frames/" + std::to_string(i);
            const json& f = frames[i];
            FrameDetections fd;
            fd.frameIndex = integer(need(f, "frame", at), at + "/frame");
            if (fd.frameIndex < 0 || fd.frameIndex >= c.frameCount)
                throw Bad{at + "/frame", "outside the clip's " + std::to_string(c.frameCount) +
                                             " frames"};
            fd.seconds = number(need(f, "time", at), at + "/time");
            fd.width = c.width;
            fd.height = c.height;
            const json& objects = need(f, "objects", at);
            if (!objects.is_array()) throw Bad{at + "/objects", "expected an array"};
            for (size_t k = 0; k < objects.size(); ++k) {
                const std::string ot = at + "/objects/" + std::to_string(k);
                const json& o = objects[k];
                vision::Detection d;
                d.classId = int(integer(need(o, "class", ot), ot + "/class"));
                d.score = float(number(need(o, "score", ot), ot + "/score"));
                const json& box = need(o, "box", ot);
                if (!box.is_array() || box.size() != 4 || !box[0].is_number() ||
                    !box[1].is_number() || !box[2].is_number() || !box[3].is_number())
                    throw Bad{ot + "/box", "expected [x1, y1, x2, y2] numbers"};
                d.box = {box[0].get<float>(), box[1].get<float>(), box[2].get<float>(),
                         box[3].get<float>()};
                fd.detections.push_back(d);
                fd.trackIds.push_back(integer(need(o, "id", ot), ot + "/id"));
                if (o.contains("label") && o["label"].is_string() && d.classId >= 0 &&
                    d.classId < 10000) {
                    if (c.labels.size() <= size_t(d.classId))
                        c.labels.resize(size_t(d.classId) + 1);
                    c.labels[size_t(d.classId)] = o["label"].get<std::string>();
                }
            }
            c.frames.push_back(std::move(fd));
        }
        return c;
    } catch (const Bad& b) {
        return Status(StatusCode::InvalidData, prefix + b.pointer + ": " + b.what);
    }
}

Expected<ClipSidecar> loadClipSidecar(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status(StatusCode::NotFound, "clips: cannot read '" + path.string() + "'");
    std::stringstream ss;
    ss << in.rdbuf();
    return parseClipSidecar(ss.str(), path.filename().string());
}

}  // namespace sl::pipeline
