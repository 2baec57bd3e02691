// Sightline's annotation JSON, version 1 (docs/formats.md):
//   {"format": "sightline-annotations", "version": 1,
//    "media": {"path", "width", "height", "frame_count", "time_base": [num, den], "fps"},
//    "set": {"name", "kind", "labels", "model", "parameters", "created_at_ms"},
//    "objects": [{"id", "frame", "label", "box": [x1, y1, x2, y2], "score", "source",
//                 "track_id"?, "pts"?, "keyframe"? (default true), "outside"?, "occluded"?,
//                 "crowd"?, "ignored"?, "visibility"? (default 1), "area"?, "attributes"?,
//                 "revision"?}]}
// Optional members are written only when they differ from the default, so the file stays small
// and every field still round-trips. Also read: `analyze --out x.json` results
// ({"frames": [{"frame", "pts", "width", "height", "detections": [{"label", "score", "box",
// "track_id"?}]}]}), as a model run.

#include "annotate/formats/sightline_json.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace sl::annotate::formats {

namespace fs = std::filesystem;
using nlohmann::json;
using ojson = nlohmann::ordered_json;

namespace {

constexpr int kVersion = 1;

json parse(const std::string& text, const std::string& file) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        const size_t upTo = std::min(text.size(), size_t(e.byte));
        const auto line = 1 + std::count(text.begin(), text.begin() + ptrdiff_t(upTo), '\n');
        std::string what = e.what();
        const size_t at = what.find("syntax error");
        throw FormatError(file, "line " + std::to_string(line), "JSON",
                          at == std::string::npos ? what : what.substr(at));
    } catch (const json::exception& e) {
        // A number too large for a double (1e99999) is out_of_range, not a parse error.
        std::string what = e.what();
        const size_t at = what.find("] ");
        throw FormatError(file, "", "JSON", at == std::string::npos ? what : what.substr(at + 2));
    }
}

// Typed member access that names the JSON pointer of a bad value.
struct Fields {
    const std::string& file;

    [[noreturn]] void fail(const std::string& ptr, const std::string& field,
                           const std::string& problem) const {
        throw FormatError(file, ptr, field, problem);
    }
    const json* find(const json& o, const char* key) const {
        auto it = o.find(key);
        return it == o.end() ? nullptr : &*it;
    }
    const json& need(const json& o, const char* key, const std::string& ptr) const {
        if (!o.is_object()) fail(ptr, key, std::string("expected an object, found ") + o.type_name());
        const json* v = find(o, key);
        if (!v) fail(ptr, key, "missing");
        return *v;
    }
    double num(const json& v, const std::string& ptr, const char* key) const {
        if (!v.is_number()) fail(ptr, key, std::string("expected a number, found ") + v.type_name());
        return v.get<double>();
    }
    int64_t integer(const json& v, const std::string& ptr, const char* key) const {
        if (v.is_number_integer()) return v.get<int64_t>();
        fail(ptr, key, std::string("expected an integer, found ") + v.type_name());
    }
    bool boolean(const json& v, const std::string& ptr, const char* key) const {
        if (!v.is_boolean()) fail(ptr, key, std::string("expected true or false, found ") +
                                                v.type_name());
        return v.get<bool>();
    }
    std::string str(const json& v, const std::string& ptr, const char* key) const {
        if (!v.is_string()) fail(ptr, key, std::string("expected a string, found ") + v.type_name());
        return v.get<std::string>();
    }
    vision::Box box(const json& v, const std::string& ptr) const {
        if (!v.is_array() || v.size() != 4) fail(ptr, "box", "expected [x1, y1, x2, y2]");
        float c[4];
        for (size_t i = 0; i < 4; ++i) c[i] = float(num(v[i], ptr + "/" + std::to_string(i), "box"));
        return {c[0], c[1], c[2], c[3]};
    }
};

Imported importResults(const json& root, const std::string& file, const ImportOptions& options) {
    const Fields f{file};
    Imported out;
    out.set.kind = SetKind::ModelRun;
    out.set.name = options.setName.empty() ? fs::path(file).stem().string() : options.setName;
    if (const json* m = f.find(root, "model")) out.set.model = f.str(*m, "/model", "model");
    if (const json* src = f.find(root, "source")) out.media.path = f.str(*src, "/source", "source");
    if (const json* labels = f.find(root, "labels")) {
        if (!labels->is_array()) f.fail("/labels", "labels", "expected an array");
        for (size_t i = 0; i < labels->size(); ++i)
            out.set.labels.push_back(f.str((*labels)[i], "/labels/" + std::to_string(i), "labels"));
    }
    const json& frames = f.need(root, "frames", "");
    if (!frames.is_array()) f.fail("/frames", "frames", "expected an array");
    out.report.frameMapping = "the file's frame numbers are engine frames";
    for (size_t i = 0; i < frames.size(); ++i) {
        const std::string ptr = "/frames/" + std::to_string(i);
        const json& fr = frames[i];
        const int64_t frame = f.integer(f.need(fr, "frame", ptr), ptr + "/frame", "frame");
        int64_t pts = kNoPts;
        if (const json* p = f.find(fr, "pts")) pts = f.integer(*p, ptr + "/pts", "pts");
        if (const json* w = f.find(fr, "width"); w && out.media.width == 0)
            out.media.width = int(f.integer(*w, ptr + "/width", "width"));
        if (const json* h = f.find(fr, "height"); h && out.media.height == 0)
            out.media.height = int(f.integer(*h, ptr + "/height", "height"));
        const json& dets = f.need(fr, "detections", ptr);
        if (!dets.is_array()) f.fail(ptr + "/detections", "detections", "expected an array");
        for (size_t k = 0; k < dets.size(); ++k) {
            const std::string dp = ptr + "/detections/" + std::to_string(k);
            const json& d = dets[k];
            Object o;
            o.frame = frame;
            o.pts = pts;
            o.label = f.str(f.need(d, "label", dp), dp + "/label", "label");
            o.score = float(f.num(f.need(d, "score", dp), dp + "/score", "score"));
            o.box = f.box(f.need(d, "box", dp), dp + "/box");
            if (const json* t = f.find(d, "track_id")) o.trackId = f.integer(*t, dp + "/track_id", "track_id");
            o.source = o.trackId == kNoTrack ? ObjectSource::Model : ObjectSource::Tracker;
            o.keyframe = false;
            ImportOptions per = options;
            if (per.media.width == 0) {
                per.media.width = out.media.width;
                per.media.height = out.media.height;
            }
            if (!checkObject(o, per, out.report, file, dp, "box")) continue;
            if (std::find(out.set.labels.begin(), out.set.labels.end(), o.label) ==
                out.set.labels.end())
                out.set.labels.push_back(o.label);
            out.set.objects.push_back(std::move(o));
        }
    }
    finishImport(out, file);
    return out;
}

}  // namespace

Imported importSightlineJsonText(const std::string& text, const std::string& file,
                                 const ImportOptions& options) {
    const json root = parse(text, file);
    const Fields f{file};
    if (!root.is_object()) f.fail("", "", std::string("expected an object, found ") + root.type_name());
    const json* format = f.find(root, "format");
    if (!format) {
        if (f.find(root, "frames")) return importResults(root, file, options);
        f.fail("", "format", "missing: neither Sightline annotations nor analysis results");
    }
    if (*format != "sightline-annotations")
        f.fail("/format", "format", "'" + format->dump() + "' is not \"sightline-annotations\"");
    const int64_t version = f.integer(f.need(root, "version", ""), "/version", "version");
    if (version < 1 || version > kVersion)
        f.fail("/version", "version",
               "version " + std::to_string(version) + " (this Sightline reads 1 to " +
                   std::to_string(kVersion) + ")");
    Imported out;
    out.report.frameMapping = "the file's frames are engine frames";
    if (const json* m = f.find(root, "media")) {
        if (const json* v = f.find(*m, "path")) out.media.path = f.str(*v, "/media/path", "path");
        if (const json* v = f.find(*m, "width")) out.media.width = int(f.integer(*v, "/media/width", "width"));
        if (const json* v = f.find(*m, "height")) out.media.height = int(f.integer(*v, "/media/height", "height"));
        if (const json* v = f.find(*m, "frame_count"))
            out.media.frameCount = f.integer(*v, "/media/frame_count", "frame_count");
        if (const json* v = f.find(*m, "fps")) out.media.fps = f.num(*v, "/media/fps", "fps");
        if (const json* v = f.find(*m, "time_base")) {
            if (!v->is_array() || v->size() != 2) f.fail("/media/time_base", "time_base", "expected [num, den]");
            out.media.timeBaseNum = int(f.integer((*v)[0], "/media/time_base/0", "time_base"));
            out.media.timeBaseDen = int(f.integer((*v)[1], "/media/time_base/1", "time_base"));
        }
    }
    const json& set = f.need(root, "set", "");
    if (const json* v = f.find(set, "name")) out.set.name = f.str(*v, "/set/name", "name");
    if (!options.setName.empty()) out.set.name = options.setName;
    if (out.set.name.empty()) out.set.name = fs::path(file).stem().string();
    out.set.kind = options.kind;
    if (const json* v = f.find(set, "kind")) {
        auto k = parseSetKind(f.str(*v, "/set/kind", "kind"));
        if (!k) f.fail("/set/kind", "kind", "unknown set kind " + v->dump());
        out.set.kind = *k;
    }
    if (const json* v = f.find(set, "labels")) {
        if (!v->is_array()) f.fail("/set/labels", "labels", "expected an array");
        for (size_t i = 0; i < v->size(); ++i)
            out.set.labels.push_back(f.str((*v)[i], "/set/labels/" + std::to_string(i), "labels"));
    }
    if (const json* v = f.find(set, "model")) out.set.model = f.str(*v, "/set/model", "model");
    if (const json* v = f.find(set, "parameters"))
        out.set.parameters = f.str(*v, "/set/parameters", "parameters");
    if (const json* v = f.find(set, "created_at_ms"))
        out.set.createdAtMs = f.integer(*v, "/set/created_at_ms", "created_at_ms");

    ImportOptions per = options;
    if (per.media.width == 0 && per.media.height == 0) {
        per.media.width = out.media.width;
        per.media.height = out.media.height;
    }
    if (per.media.frameCount == 0) per.media.frameCount = out.media.frameCount;
    const json& objects = f.need(root, "objects", "");
    if (!objects.is_array()) f.fail("/objects", "objects", "expected an array");
    out.set.objects.reserve(objects.size());
    for (size_t i = 0; i < objects.size(); ++i) {
        const std::string p = "/objects/" + std::to_string(i);
        const json& j = objects[i];
        Object o;
        o.id = f.integer(f.need(j, "id", p), p + "/id", "id");
        if (o.id <= 0) f.fail(p + "/id", "id", "ids are positive");
        o.frame = f.integer(f.need(j, "frame", p), p + "/frame", "frame");
        o.label = f.str(f.need(j, "label", p), p + "/label", "label");
        o.box = f.box(f.need(j, "box", p), p + "/box");
        if (const json* v = f.find(j, "score")) o.score = float(f.num(*v, p + "/score", "score"));
        if (const json* v = f.find(j, "source")) {
            auto s = parseObjectSource(f.str(*v, p + "/source", "source"));
            if (!s) f.fail(p + "/source", "source", "unknown source " + v->dump());
            o.source = *s;
        }
        if (const json* v = f.find(j, "track_id")) o.trackId = f.integer(*v, p + "/track_id", "track_id");
        if (const json* v = f.find(j, "pts")) o.pts = f.integer(*v, p + "/pts", "pts");
        if (const json* v = f.find(j, "keyframe")) o.keyframe = f.boolean(*v, p + "/keyframe", "keyframe");
        if (const json* v = f.find(j, "outside")) o.outside = f.boolean(*v, p + "/outside", "outside");
        if (const json* v = f.find(j, "occluded")) o.occluded = f.boolean(*v, p + "/occluded", "occluded");
        if (const json* v = f.find(j, "crowd")) o.crowd = f.boolean(*v, p + "/crowd", "crowd");
        if (const json* v = f.find(j, "ignored")) o.ignored = f.boolean(*v, p + "/ignored", "ignored");
        if (const json* v = f.find(j, "visibility")) {
            o.visibility = float(f.num(*v, p + "/visibility", "visibility"));
            if (!(o.visibility >= 0 && o.visibility <= 1))
                f.fail(p + "/visibility", "visibility", "outside [0, 1]");
        }
        if (const json* v = f.find(j, "area")) o.area = f.num(*v, p + "/area", "area");
        if (const json* v = f.find(j, "revision")) o.revision = f.integer(*v, p + "/revision", "revision");
        if (const json* v = f.find(j, "attributes")) {
            if (!v->is_object()) f.fail(p + "/attributes", "attributes", "expected an object");
            for (auto it = v->begin(); it != v->end(); ++it)
                o.attributes[it.key()] = f.str(*it, p + "/attributes/" + it.key(), "attributes");
        }
        if (!checkObject(o, per, out.report, file, p, "box")) continue;
        out.set.objects.push_back(std::move(o));
    }
    finishImport(out, file);
    return out;
}

std::string exportSightlineJsonText(const AnnotationSet& set, const MediaInfo& media,
                                    const ExportOptions&, ExportReport&) {
    ojson root;
    root["format"] = "sightline-annotations";
    root["version"] = kVersion;
    root["media"] = {{"path", media.path},
                     {"width", media.width},
                     {"height", media.height},
                     {"frame_count", media.frameCount},
                     {"time_base", {media.timeBaseNum, media.timeBaseDen}},
                     {"fps", media.fps}};
    root["set"] = {{"name", set.name},
                   {"kind", setKindName(set.kind)},
                   {"labels", set.labels},
                   {"model", set.model},
                   {"parameters", set.parameters},
                   {"created_at_ms", set.createdAtMs}};
    ojson objects = ojson::array();
    int64_t nextId = 1;
    for (const Object& o : set.objects) nextId = std::max(nextId, o.id + 1);
    for (const Object& o : set.objects) {
        ojson j = {{"id", o.id > 0 ? o.id : nextId++},
                   {"frame", o.frame},
                   {"label", o.label},
                   {"box", {o.box.x1, o.box.y1, o.box.x2, o.box.y2}},
                   {"score", o.score},
                   {"source", objectSourceName(o.source)}};
        if (o.trackId != kNoTrack) j["track_id"] = o.trackId;
        if (o.pts != kNoPts) j["pts"] = o.pts;
        if (!o.keyframe) j["keyframe"] = false;
        if (o.outside) j["outside"] = true;
        if (o.occluded) j["occluded"] = true;
        if (o.crowd) j["crowd"] = true;
        if (o.ignored) j["ignored"] = true;
        if (o.visibility != 1.0f) j["visibility"] = o.visibility;
        if (o.area >= 0) j["area"] = o.area;
        if (!o.attributes.empty()) j["attributes"] = o.attributes;
        if (o.revision != 0) j["revision"] = o.revision;
        objects.push_back(std::move(j));
    }
    root["objects"] = std::move(objects);
    return root.dump() + "\n";
}

}  // namespace sl::annotate::formats
