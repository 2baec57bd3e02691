// COCO detection JSON. Frames: images map to engine frames by their "frame_index" when every
// image has one (Sightline writes it), else by ascending image id (the k-th smallest id is frame
// k); options.firstFrame instead maps frame = image id - firstFrame. The import's report says which.
// Labels: categories in ascending id order. Annotations keep their ids (Object::id), bbox
// [x, y, w, h] becomes the corner box, area and iscrowd are kept (evaluation needs both), and
// attributes.track_id / occluded / keyframe (as CVAT and Datumaro write) become the track id and
// flags; other attributes are kept as text. Segmentations are not read (bbox evaluation only).

#include "annotate/formats/coco.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace sl::annotate::formats {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* typeName(const json& j) { return j.type_name(); }

// Parses TEXT, turning a syntax error into "FILE:line L: JSON: ...".
json parseJson(const std::string& text, const std::string& file) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        const size_t upTo = std::min(text.size(), size_t(e.byte));
        const auto line = 1 + std::count(text.begin(), text.begin() + ptrdiff_t(upTo), '\n');
        std::string what = e.what();
        const size_t colon = what.find("syntax error");
        throw FormatError(file, "line " + std::to_string(line), "JSON",
                          colon == std::string::npos ? what : what.substr(colon));
    } catch (const json::exception& e) {
        // A number too large for a double (1e99999) is out_of_range, not a parse error.
        std::string what = e.what();
        const size_t at = what.find("] ");
        throw FormatError(file, "", "JSON", at == std::string::npos ? what : what.substr(at + 2));
    }
}

class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& ptr, const std::string& field,
                           const std::string& problem) const {
        throw FormatError(file_, ptr, field, problem);
    }
    const json& member(const json& obj, const char* key, const std::string& ptr) const {
        auto it = obj.find(key);
        if (it == obj.end()) fail(ptr, key, "missing");
        return *it;
    }
    double number(const json& obj, const char* key, const std::string& ptr) const {
        const json& v = member(obj, key, ptr);
        if (!v.is_number())
            fail(ptr + "/" + key, key, std::string("expected a number, found ") + typeName(v));
        return v.get<double>();
    }
    int64_t integer(const json& obj, const char* key, const std::string& ptr) const {
        const json& v = member(obj, key, ptr);
        if (v.is_number_integer()) return v.get<int64_t>();
        if (v.is_number_float() && std::isfinite(v.get<double>()) &&
            v.get<double>() == std::floor(v.get<double>()) && std::fabs(v.get<double>()) < 9e15)
            return int64_t(v.get<double>());
        fail(ptr + "/" + key, key, std::string("expected an integer, found ") + typeName(v));
    }
    const json& array(const json& obj, const char* key, const std::string& ptr) const {
        const json& v = member(obj, key, ptr);
        if (!v.is_array())
            fail(ptr + "/" + key, key, std::string("expected an array, found ") + typeName(v));
        return v;
    }
    vision::Box bbox(const json& obj, const std::string& ptr) const {
        const json& b = member(obj, "bbox", ptr);
        if (!b.is_array() || b.size() != 4)
            fail(ptr + "/bbox", "bbox", "expected [x, y, width, height]");
        double v[4];
        for (int i = 0; i < 4; ++i) {
            if (!b[size_t(i)].is_number())
                fail(ptr + "/bbox/" + std::to_string(i), "bbox",
                     std::string("expected a number, found ") + typeName(b[size_t(i)]));
            v[i] = b[size_t(i)].get<double>();
        }
        if (v[2] < 0 || v[3] < 0)
            fail(ptr + "/bbox", "bbox",
                 std::string("negative ") + (v[2] < 0 ? "width" : "height") + " (" +
                     std::to_string(v[2] < 0 ? v[2] : v[3]) + ")");
        return {float(v[0]), float(v[1]), float(v[0] + v[2]), float(v[1] + v[3])};
    }
    const std::string& file() const { return file_; }

private:
    std::string file_;
};

std::string attributeText(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

bool truthy(const json& v) {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number()) return v.get<double>() != 0;
    if (v.is_string()) return v == "true" || v == "1";
    return false;
}

// The annotation fields shared by datasets and results lists.
void readAttributes(const json& a, Object& o) {
    auto it = a.find("attributes");
    if (it == a.end() || !it->is_object()) return;
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
        if (kv.key() == "track_id" && kv->is_number_integer()) o.trackId = kv->get<int64_t>();
        else if (kv.key() == "occluded") o.occluded = truthy(*kv);
        else if (kv.key() == "keyframe") o.keyframe = truthy(*kv);
        else o.attributes[kv.key()] = attributeText(*kv);
    }
}

}  // namespace

Imported importCocoText(const std::string& text, const std::string& file,
                        const ImportOptions& options) {
    const json root = parseJson(text, file);
    if (root.is_array())
        throw FormatError(file, "", "",
                          "a COCO results list: evaluate it against its dataset (sightline eval "
                          "GT.json RESULTS.json)");
    if (!root.is_object())
        throw FormatError(file, "", "", std::string("expected a COCO object, found ") +
                                            typeName(root));
    Reader r(file);
    Imported out;
    out.set.kind = options.kind;
    out.set.name = options.setName.empty() ? fs::path(file).stem().string() : options.setName;

    // Categories -> labels, ascending id.
    std::map<int64_t, std::string> categories;
    const json& cats = r.array(root, "categories", "");
    for (size_t i = 0; i < cats.size(); ++i) {
        const std::string ptr = "/categories/" + std::to_string(i);
        const int64_t id = r.integer(cats[i], "id", ptr);
        const json& name = r.member(cats[i], "name", ptr);
        if (!name.is_string()) r.fail(ptr + "/name", "name", "expected a string");
        if (!categories.emplace(id, name.get<std::string>()).second)
            r.fail(ptr + "/id", "id", "duplicate category id " + std::to_string(id));
    }
    for (const auto& [id, name] : categories) {
        out.set.labels.push_back(name);
        out.labelIds.push_back(id);
    }

    // Images -> frames.
    const json& images = r.array(root, "images", "");
    std::vector<FrameInfo> frames;
    bool allIndexed = !images.empty();
    for (size_t i = 0; i < images.size(); ++i) {
        const std::string ptr = "/images/" + std::to_string(i);
        FrameInfo f;
        f.fileId = r.integer(images[i], "id", ptr);
        if (auto n = images[i].find("file_name"); n != images[i].end() && n->is_string())
            f.fileName = n->get<std::string>();
        if (images[i].contains("width")) f.width = int(r.integer(images[i], "width", ptr));
        if (images[i].contains("height")) f.height = int(r.integer(images[i], "height", ptr));
        if (images[i].contains("frame_index"))
            f.frame = r.integer(images[i], "frame_index", ptr);
        else
            allIndexed = false;
        frames.push_back(f);
    }
    std::sort(frames.begin(), frames.end(),
              [](const FrameInfo& a, const FrameInfo& b) { return a.fileId < b.fileId; });
    for (size_t i = 1; i < frames.size(); ++i)
        if (frames[i].fileId == frames[i - 1].fileId)
            throw FormatError(file, "/images", "id",
                              "duplicate image id " + std::to_string(frames[i].fileId));
    if (options.firstFrame) {
        for (FrameInfo& f : frames) f.frame = f.fileId - *options.firstFrame;
        out.report.frameMapping = "frame = COCO image id - " + std::to_string(*options.firstFrame);
    } else if (allIndexed) {
        out.report.frameMapping = "frames from the images' frame_index";
    } else {
        for (size_t i = 0; i < frames.size(); ++i) frames[i].frame = int64_t(i);
        out.report.frameMapping =
            "COCO images in ascending id order are frames 0.." +
            std::to_string(int64_t(frames.size()) - 1) +
            (frames.empty() ? "" : " (image id " + std::to_string(frames[0].fileId) +
                                       " is frame 0)");
    }
    std::sort(frames.begin(), frames.end(),
              [](const FrameInfo& a, const FrameInfo& b) { return a.frame < b.frame; });
    std::unordered_map<int64_t, const FrameInfo*> byImage;
    for (const FrameInfo& f : frames) byImage[f.fileId] = &f;

    const json& anns = r.array(root, "annotations", "");
    out.set.objects.reserve(anns.size());
    for (size_t i = 0; i < anns.size(); ++i) {
        const std::string ptr = "/annotations/" + std::to_string(i);
        const json& a = anns[i];
        if (!a.is_object()) r.fail(ptr, "", std::string("expected an object, found ") + typeName(a));
        Object o;
        o.id = r.integer(a, "id", ptr);
        if (o.id <= 0) r.fail(ptr + "/id", "id", "annotation ids must be positive");
        const int64_t image = r.integer(a, "image_id", ptr);
        auto img = byImage.find(image);
        if (img == byImage.end())
            r.fail(ptr + "/image_id", "image_id", "no image " + std::to_string(image));
        o.frame = img->second->frame;
        const int64_t cat = r.integer(a, "category_id", ptr);
        auto c = categories.find(cat);
        if (c == categories.end())
            r.fail(ptr + "/category_id", "category_id", "no category " + std::to_string(cat));
        o.label = c->second;
        o.box = r.bbox(a, ptr);
        if (a.contains("area")) o.area = r.number(a, "area", ptr);
        if (a.contains("iscrowd")) o.crowd = r.integer(a, "iscrowd", ptr) != 0;
        if (a.contains("score")) o.score = float(r.number(a, "score", ptr));
        o.source = options.kind == SetKind::GroundTruth ? ObjectSource::Human : ObjectSource::Model;
        o.keyframe = options.kind == SetKind::GroundTruth;
        readAttributes(a, o);
        // Each image has its own size.
        ImportOptions per = options;
        if (img->second->width > 0 && img->second->height > 0) {
            per.media.width = img->second->width;
            per.media.height = img->second->height;
        }
        if (!checkObject(o, per, out.report, file, ptr, "bbox")) continue;
        out.set.objects.push_back(std::move(o));
    }
    out.frames = std::move(frames);
    if (!out.frames.empty() && out.frames.front().width > 0) {
        out.media.width = out.frames.front().width;
        out.media.height = out.frames.front().height;
    }
    finishImport(out, file);
    return out;
}

Imported importCocoResultsText(const std::string& text, const std::string& file,
                               const Imported& gt, const ImportOptions& options) {
    const json root = parseJson(text, file);
    if (!root.is_array())
        throw FormatError(file, "", "", std::string("a COCO results file is an array, found ") +
                                            typeName(root));
    Reader r(file);
    Imported out;
    out.set.kind = SetKind::ModelRun;
    out.set.name = options.setName.empty() ? fs::path(file).stem().string() : options.setName;
    out.set.labels = gt.set.labels;
    out.frames = gt.frames;
    out.report.frameMapping = "image ids mapped as in the ground truth (" +
                              gt.report.frameMapping + ")";
    out.labelIds = gt.labelIds;
    std::unordered_map<int64_t, const FrameInfo*> byImage;
    for (const FrameInfo& f : gt.frames) byImage[f.fileId] = &f;
    std::map<int64_t, std::string> categories;
    for (size_t i = 0; i < gt.labelIds.size() && i < gt.set.labels.size(); ++i)
        categories[gt.labelIds[i]] = gt.set.labels[i];
    for (size_t i = 0; i < root.size(); ++i) {
        const std::string ptr = "/" + std::to_string(i);
        const json& a = root[i];
        if (!a.is_object()) r.fail(ptr, "", std::string("expected an object, found ") + typeName(a));
        Object o;
        if (a.contains("id")) o.id = r.integer(a, "id", ptr);
        const int64_t image = r.integer(a, "image_id", ptr);
        auto img = byImage.find(image);
        if (img == byImage.end())
            r.fail(ptr + "/image_id", "image_id",
                   "image " + std::to_string(image) + " is not in the ground truth");
        o.frame = img->second->frame;
        const int64_t cat = r.integer(a, "category_id", ptr);
        auto c = categories.find(cat);
        if (c == categories.end())
            r.fail(ptr + "/category_id", "category_id",
                   "category " + std::to_string(cat) + " is not in the ground truth");
        o.label = c->second;
        o.box = r.bbox(a, ptr);
        o.score = float(r.number(a, "score", ptr));
        o.source = ObjectSource::Model;
        o.keyframe = false;
        readAttributes(a, o);
        ImportOptions per = options;
        per.labels.clear();   // the ground truth's categories were checked above
        if (img->second->width > 0 && img->second->height > 0) {
            per.media.width = img->second->width;
            per.media.height = img->second->height;
        }
        if (!checkObject(o, per, out.report, file, ptr, "bbox")) continue;
        out.set.objects.push_back(std::move(o));
    }
    finishImport(out, file);
    return out;
}

std::string exportCocoText(const AnnotationSet& set, const MediaInfo& media,
                           const ExportOptions& options, ExportReport& report) {
    const int64_t first = options.firstFrame.value_or(1);
    std::vector<std::string> labels = set.labels;
    std::map<std::string, int64_t> categoryOf;
    for (size_t i = 0; i < labels.size(); ++i) categoryOf.emplace(labels[i], int64_t(i) + 1);
    for (const Object& o : set.objects)
        if (categoryOf.emplace(o.label, int64_t(labels.size()) + 1).second) labels.push_back(o.label);
    json cats = json::array();
    for (size_t i = 0; i < labels.size(); ++i)
        cats.push_back({{"id", int64_t(i) + 1}, {"name", labels[i]}, {"supercategory", ""}});

    // Images: every frame of the media when its length is known (evaluation counts the frames
    // without objects), else the frames with objects. frame_index makes the frames exact on import.
    std::vector<int64_t> frames;
    if (media.frameCount > 0) {
        for (int64_t f = 0; f < media.frameCount; ++f) frames.push_back(f);
    }
    for (const Object& o : set.objects) frames.push_back(o.frame);
    std::sort(frames.begin(), frames.end());
    frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
    json images = json::array();
    for (int64_t f : frames) {
        char name[512];
        std::snprintf(name, sizeof name, options.imageNamePattern.c_str(), (long long)f);
        images.push_back({{"id", f + first}, {"file_name", name}, {"width", media.width},
                          {"height", media.height}, {"frame_index", f}});
    }
    json anns = json::array();
    int64_t nextId = 1;
    for (const Object& o : set.objects) nextId = std::max(nextId, o.id + 1);
    bool dropped = false;
    for (const Object& o : set.objects) {
        const double x = o.box.x1, y = o.box.y1;
        const double w = double(o.box.x2) - x, h = double(o.box.y2) - y;
        json a = {{"id", o.id > 0 ? o.id : nextId++},
                  {"image_id", o.frame + first},
                  {"category_id", categoryOf.at(o.label)},
                  {"bbox", {x, y, w, h}},
                  {"area", o.area >= 0 ? o.area : w * h},
                  {"iscrowd", o.crowd ? 1 : 0},
                  {"segmentation", json::array()}};
        if (set.kind != SetKind::GroundTruth) a["score"] = double(o.score);
        json attrs = json::object();
        for (const auto& [k, v] : o.attributes) attrs[k] = v;
        if (o.trackId != kNoTrack) attrs["track_id"] = o.trackId;
        if (o.occluded) attrs["occluded"] = true;
        // The import's default is "keyframe" for ground truth, "derived" otherwise.
        if (o.keyframe != (set.kind == SetKind::GroundTruth)) attrs["keyframe"] = o.keyframe;
        if (!attrs.empty()) a["attributes"] = attrs;
        dropped = dropped || o.outside || o.ignored || o.visibility != 1.0f || o.pts != kNoPts;
        anns.push_back(std::move(a));
    }
    if (dropped)
        report.warnings.push_back("COCO holds no outside / ignored flags, visibility or pts: "
                                  "dropped");
    const json root = {{"info", {{"description", set.name}, {"version", "1.0"}}},
                       {"licenses", json::array()},
                       {"images", std::move(images)},
                       {"annotations", std::move(anns)},
                       {"categories", std::move(cats)}};
    return root.dump() + "\n";
}

}  // namespace sl::annotate::formats
