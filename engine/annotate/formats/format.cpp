#include "annotate/formats/format.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "core/atomic_file.h"

namespace sl::annotate::formats {

namespace {

std::string joinMessage(const std::string& file, const std::string& where,
                        const std::string& field, const std::string& problem) {
    std::string s = file;
    if (!where.empty()) s += ":" + where;
    s += ": ";
    if (!field.empty()) s += field + ": ";
    return s + problem;
}

std::string num(double v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

}  // namespace

FormatError::FormatError(std::string file, std::string where, std::string field,
                         std::string problem)
    : std::runtime_error(joinMessage(file, where, field, problem)),
      file_(std::move(file)),
      where_(std::move(where)),
      field_(std::move(field)),
      problem_(std::move(problem)) {}

const char* formatName(Format f) {
    switch (f) {
        case Format::Sightline: return "sightline";
        case Format::Coco: return "coco";
        case Format::Mot: return "mot";
        case Format::CvatVideo: return "cvat-video";
        case Format::CvatImages: return "cvat-images";
        case Format::Yolo: return "yolo";
        case Format::Voc: return "voc";
    }
    return "sightline";
}

std::vector<Format> allFormats() {
    return {Format::Sightline, Format::Coco,  Format::Mot, Format::CvatVideo,
            Format::CvatImages, Format::Yolo, Format::Voc};
}

std::optional<Format> parseFormatName(const std::string& name) {
    for (Format f : allFormats())
        if (name == formatName(f)) return f;
    return std::nullopt;
}

bool checkObject(Object& o, const ImportOptions& options, ImportReport& report,
                 const std::string& file, const std::string& where,
                 const std::string& boxField) {
    const BadBoxPolicy policy = options.badBoxes;
    // Frame: never negative; past the end only when the media's length is known.
    if (o.frame < 0)
        throw FormatError(file, where, "frame",
                          "frame " + std::to_string(o.frame) + " is before the first frame");
    if (options.media.frameCount > 0 && o.frame >= options.media.frameCount)
        throw FormatError(file, where, "frame",
                          "frame " + std::to_string(o.frame) + " is past the end of the media (" +
                              std::to_string(options.media.frameCount) + " frames)");
    // Label.
    if (!options.labels.empty() &&
        std::find(options.labels.begin(), options.labels.end(), o.label) ==
            options.labels.end()) {
        if (options.skipUnknownLabels) {
            ++report.skippedLabels;
            return false;
        }
        throw FormatError(file, where, "label", "unknown label '" + o.label + "'");
    }
    if (!std::isfinite(o.score))
        throw FormatError(file, where, "score", "score is not a finite number");

    vision::Box& b = o.box;
    const bool finite =
        std::isfinite(b.x1) && std::isfinite(b.y1) && std::isfinite(b.x2) && std::isfinite(b.y2);
    auto bad = [&](const std::string& problem) -> bool {
        if (policy == BadBoxPolicy::Fail) throw FormatError(file, where, boxField, problem);
        ++report.skippedBoxes;
        return false;
    };
    if (!finite) return bad("box coordinate is not a finite number");
    if (b.x2 < b.x1 || b.y2 < b.y1)
        return bad("negative box size (" + num(b.x2 - b.x1) + " x " + num(b.y2 - b.y1) + ")");
    const int w = options.media.width, h = options.media.height;
    if (w > 0 && h > 0) {
        const bool outside = b.x1 < 0 || b.y1 < 0 || b.x2 > w || b.y2 > h;
        if (outside) {
            if (policy != BadBoxPolicy::Clip)
                return bad("box [" + num(b.x1) + ", " + num(b.y1) + ", " + num(b.x2) + ", " +
                           num(b.y2) + "] is outside the " + std::to_string(w) + "x" +
                           std::to_string(h) + " frame");
            b.x1 = std::clamp(b.x1, 0.0f, float(w));
            b.x2 = std::clamp(b.x2, 0.0f, float(w));
            b.y1 = std::clamp(b.y1, 0.0f, float(h));
            b.y2 = std::clamp(b.y2, 0.0f, float(h));
            if (b.x2 <= b.x1 || b.y2 <= b.y1) {
                ++report.skippedBoxes;   // wholly outside: nothing left to keep
                return false;
            }
            ++report.clipped;
        }
    }
    return true;
}

void finishImport(Imported& imported, const std::string& file) {
    auto& objects = imported.set.objects;
    std::stable_sort(objects.begin(), objects.end(), [](const Object& a, const Object& b) {
        if (a.frame != b.frame) return a.frame < b.frame;
        if (a.trackId != b.trackId) return a.trackId < b.trackId;
        return a.id < b.id;
    });
    std::set<int64_t> ids, tracks;
    for (const Object& o : objects)
        if (o.id != 0 && !ids.insert(o.id).second)
            throw FormatError(file, "", "id", "duplicate object id " + std::to_string(o.id));
    int64_t next = ids.empty() ? 1 : *ids.rbegin() + 1;
    for (size_t i = 0; i < objects.size(); ++i) {
        Object& o = objects[i];
        if (o.id == 0) o.id = next++;
        if (o.trackId == kNoTrack) continue;
        tracks.insert(o.trackId);
        if (i > 0 && objects[i - 1].frame == o.frame && objects[i - 1].trackId == o.trackId)
            throw FormatError(file, "", "track id",
                              "track " + std::to_string(o.trackId) + " has two boxes in frame " +
                                  std::to_string(o.frame));
    }
    imported.report.objects = int64_t(objects.size());
    imported.report.tracks = int64_t(tracks.size());
}

void writeFileAtomic(const std::string& path, const std::string& text) {
    Status s = sl::writeFileAtomic(path, text, "export");
    if (!s.isOk()) throw std::runtime_error(s.message());
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FormatError(path, "", "", "cannot open the file");
    std::ostringstream os;
    os << in.rdbuf();
    if (in.bad()) throw FormatError(path, "", "", "cannot read the file");
    return os.str();
}

}  // namespace sl::annotate::formats
