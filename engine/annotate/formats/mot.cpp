// MOTChallenge text. Columns by count, as the benchmark's devkits read them:
//   10: frame,id,x,y,w,h,conf,wx,wy,wz   (MOT15; the world coordinates are ignored)
//    9: frame,id,x,y,w,h,conf,class,visibility   (MOT16/17/20, CVAT's MOT export)
//    8: frame,id,x,y,w,h,conf,class
//    7: frame,id,x,y,w,h,conf
//    6: frame,id,x,y,w,h
// For ground truth the conf column is MOTChallenge's "consider" flag: 0 marks a row that is kept
// but not evaluated (Object::ignored). For detections and tracker output it is the score.
// Class ids 1..12 are MOT17's classes unless the caller gives a label list (class k = labels[k-1]).

#include "annotate/formats/mot.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

namespace sl::annotate::formats {

namespace fs = std::filesystem;

namespace {

// MOT17's class ids (the devkit's classes list), 1-based.
const char* const kMot17Classes[] = {
    "pedestrian",         "person_on_vehicle", "car",           "bicycle",
    "motorbike",          "non_mot_vehicle",   "static_person", "distractor",
    "occluder",           "occluder_on_ground", "occluder_full", "reflection"};
constexpr int kMot17ClassCount = 12;

std::string lineWhere(size_t line) { return "line " + std::to_string(line); }

double parseNumber(std::string_view text, const std::string& file, size_t line,
                   const char* field) {
    std::string s(text);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
    size_t start = 0;
    while (start < s.size() && (s[start] == ' ' || s[start] == '\t')) ++start;
    s = s.substr(start);
    if (s.empty()) throw FormatError(file, lineWhere(line), field, "empty value");
    // strtod accepts "nan" and "inf", which checkObject then reports with the field's name.
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size())
        throw FormatError(file, lineWhere(line), field, "'" + s + "' is not a number");
    return v;
}

int64_t parseInteger(std::string_view text, const std::string& file, size_t line,
                     const char* field) {
    const double v = parseNumber(text, file, line, field);
    if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.0e15)
        throw FormatError(file, lineWhere(line), field,
                          "'" + std::string(text) + "' is not a whole number");
    return int64_t(v);
}

// The shortest text that reads back as the same double.
std::string shortest(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string labelOf(int64_t cls, const ImportOptions& options, const std::string& file,
                    size_t line) {
    if (!options.labels.empty()) {
        if (cls >= 1 && cls <= int64_t(options.labels.size())) return options.labels[size_t(cls - 1)];
        if (cls < 0 && options.labels.size() == 1) return options.labels[0];
        throw FormatError(file, lineWhere(line), "class",
                          "class " + std::to_string(cls) + " is not one of the " +
                              std::to_string(options.labels.size()) + " given labels");
    }
    if (cls >= 1 && cls <= kMot17ClassCount) return kMot17Classes[cls - 1];
    if (cls < 0) return "pedestrian";
    return "class " + std::to_string(cls);
}

}  // namespace

Imported importMotText(const std::string& text, const std::string& file,
                       const ImportOptions& options) {
    Imported out;
    out.set.kind = options.kind;
    out.set.name = options.setName.empty() ? fs::path(file).stem().string() : options.setName;
    const bool groundTruth = options.kind == SetKind::GroundTruth;
    const int64_t first = options.firstFrame.value_or(1);
    out.report.frameMapping = "MOT frame " + std::to_string(first) + " is engine frame 0 " +
                              "(engine frame = file frame - " + std::to_string(first) + ")";
    std::istringstream in(text);
    std::string row;
    size_t line = 0;
    int columns = 0;
    std::map<std::string, int> labelOrder;
    while (std::getline(in, row)) {
        ++line;
        if (!row.empty() && row.back() == '\r') row.pop_back();
        if (row.find_first_not_of(" \t") == std::string::npos) continue;
        std::vector<std::string_view> f;
        std::string_view rest(row);
        // Commas, as MOTChallenge writes; some tools write spaces.
        const char sep = rest.find(',') != std::string_view::npos ? ',' : ' ';
        size_t pos = 0;
        while (true) {
            const size_t next = rest.find(sep, pos);
            f.push_back(rest.substr(pos, next == std::string_view::npos ? std::string_view::npos
                                                                       : next - pos));
            if (next == std::string_view::npos) break;
            pos = next + 1;
        }
        if (f.size() < 6 || f.size() > 10)
            throw FormatError(file, lineWhere(line), "",
                              std::to_string(f.size()) + " columns; MOTChallenge rows have 6 to "
                              "10 (frame,id,x,y,w,h,conf,class,visibility)");
        if (columns == 0) columns = int(f.size());
        if (int(f.size()) != columns)
            throw FormatError(file, lineWhere(line), "",
                              std::to_string(f.size()) + " columns where line 1 had " +
                                  std::to_string(columns));
        const int64_t fileFrame = parseInteger(f[0], file, line, "frame");
        const int64_t id = parseInteger(f[1], file, line, "id");
        const double x = parseNumber(f[2], file, line, "x");
        const double y = parseNumber(f[3], file, line, "y");
        const double w = parseNumber(f[4], file, line, "width");
        const double h = parseNumber(f[5], file, line, "height");
        Object o;
        o.frame = fileFrame - first;
        o.trackId = id < 0 ? kNoTrack : id;
        o.box = {float(x), float(y), float(x + w), float(y + h)};
        if (f.size() >= 7) {
            const double conf = parseNumber(f[6], file, line, "conf");
            if (groundTruth)
                o.ignored = conf == 0;
            else
                o.score = float(conf);
        }
        int64_t cls = -1;
        if (f.size() == 8 || f.size() == 9) cls = parseInteger(f[7], file, line, "class");
        o.label = labelOf(cls, options, file, line);
        if (f.size() == 9) {
            const double vis = parseNumber(f[8], file, line, "visibility");
            if (!(vis >= 0 && vis <= 1))
                throw FormatError(file, lineWhere(line), "visibility",
                                  "'" + std::string(f[8]) + "' is outside [0, 1]");
            o.visibility = float(vis);
        }
        if (groundTruth) {
            o.source = ObjectSource::Human;
            o.keyframe = true;
        } else {
            o.source = o.trackId == kNoTrack ? ObjectSource::Model : ObjectSource::Tracker;
            o.keyframe = false;
        }
        if (o.frame < 0)
            throw FormatError(file, lineWhere(line), "frame",
                              "frame " + std::to_string(fileFrame) + " is before the first frame " +
                                  std::to_string(first));
        // Negative sizes are reported as the file's fields, not as a corner box.
        if (w < 0 || h < 0) {
            if (options.badBoxes == BadBoxPolicy::Fail)
                throw FormatError(file, lineWhere(line), w < 0 ? "width" : "height",
                                  "negative (" + shortest(w < 0 ? w : h) + ")");
            ++out.report.skippedBoxes;
            continue;
        }
        if (!checkObject(o, options, out.report, file, lineWhere(line), "x,y,width,height"))
            continue;
        labelOrder.emplace(o.label, int(labelOrder.size()));
        out.set.objects.push_back(std::move(o));
    }
    if (!options.labels.empty()) {
        out.set.labels = options.labels;
    } else {
        // MOT17 class ids keep their order; others in order of appearance.
        std::vector<std::pair<int, std::string>> order;
        for (const auto& [label, seen] : labelOrder) {
            int rank = kMot17ClassCount + seen;
            for (int c = 0; c < kMot17ClassCount; ++c)
                if (label == kMot17Classes[c]) rank = c;
            order.emplace_back(rank, label);
        }
        std::sort(order.begin(), order.end());
        for (auto& [rank, label] : order) out.set.labels.push_back(label);
    }
    if (columns == 10) out.report.warnings.push_back("MOT15 rows: world coordinates ignored");
    finishImport(out, file);
    return out;
}

namespace {

// seqinfo.ini: "[Sequence]" then key=value lines.
void readSeqinfo(const fs::path& path, MediaInfo& media) {
    const std::string text = readFile(path.string());
    std::istringstream in(text);
    std::string row;
    size_t line = 0;
    while (std::getline(in, row)) {
        ++line;
        if (!row.empty() && row.back() == '\r') row.pop_back();
        const size_t eq = row.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = row.substr(0, eq), value = row.substr(eq + 1);
        auto integer = [&](const char* field) {
            const int64_t v = parseInteger(value, path.string(), line, field);
            if (v < 0)
                throw FormatError(path.string(), lineWhere(line), field, "negative (" + value + ")");
            return v;
        };
        if (key == "imWidth") media.width = int(integer("imWidth"));
        else if (key == "imHeight") media.height = int(integer("imHeight"));
        else if (key == "seqLength") media.frameCount = integer("seqLength");
        else if (key == "frameRate") media.fps = double(integer("frameRate"));
        else if (key == "name" && media.path.empty()) media.path = value;
    }
}

}  // namespace

Imported importMot(const std::string& path, const ImportOptions& options) {
    const fs::path p(path);
    std::error_code ec;
    if (!fs::is_directory(p, ec)) return importMotText(readFile(path), path, options);
    // A sequence folder: its seqinfo.ini sizes the frame and bounds the frames.
    MediaInfo media;
    if (fs::exists(p / "seqinfo.ini")) readSeqinfo(p / "seqinfo.ini", media);
    ImportOptions o = options;
    if (o.media.width == 0 && o.media.height == 0) {
        o.media.width = media.width;
        o.media.height = media.height;
    }
    if (o.media.frameCount == 0) o.media.frameCount = media.frameCount;
    fs::path file = p / "gt" / "gt.txt";
    if (!fs::exists(file)) {
        file = p / "det" / "det.txt";
        if (!fs::exists(file))
            throw FormatError(path, "", "", "a MOT sequence folder needs gt/gt.txt or det/det.txt");
        if (options.kind == SetKind::GroundTruth) o.kind = SetKind::ModelRun;
    }
    if (o.setName.empty()) o.setName = p.filename().string();
    Imported out = importMotText(readFile(file.string()), file.string(), o);
    out.media = media;
    return out;
}

std::string exportMotText(const AnnotationSet& set, const ExportOptions& options,
                          ExportReport& report) {
    const int64_t first = options.firstFrame.value_or(1);
    const bool groundTruth = set.kind == SetKind::GroundTruth;
    // Class ids: MOT17's where every label is one of its classes, else the set's label order.
    bool mot17 = true;
    std::map<std::string, int> classOf;
    for (const Object& o : set.objects) {
        int c = 0;
        for (int k = 0; k < kMot17ClassCount; ++k)
            if (o.label == kMot17Classes[k]) c = k + 1;
        if (c == 0) mot17 = false;
        classOf[o.label] = c;
    }
    if (!mot17) {
        classOf.clear();
        std::vector<std::string> labels = set.labels;
        for (const Object& o : set.objects)
            if (std::find(labels.begin(), labels.end(), o.label) == labels.end())
                labels.push_back(o.label);
        std::string list;
        for (size_t i = 0; i < labels.size(); ++i) {
            classOf[labels[i]] = int(i) + 1;
            list += (i ? "," : "") + labels[i];
        }
        if (!labels.empty())
            report.warnings.push_back("labels written as class ids 1.." +
                                      std::to_string(labels.size()) + " (" + list +
                                      "): import with --labels " + list);
    }
    std::vector<const Object*> rows;
    rows.reserve(set.objects.size());
    bool dropped = false;
    for (const Object& o : set.objects) {
        rows.push_back(&o);
        dropped = dropped || !o.attributes.empty() || o.occluded || o.outside || o.crowd;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Object* a, const Object* b) {
        return std::tie(a->frame, a->trackId, a->id) < std::tie(b->frame, b->trackId, b->id);
    });
    if (dropped)
        report.warnings.push_back("MOT holds no attributes, occluded, outside or crowd flags: "
                                  "dropped");
    std::string out;
    out.reserve(rows.size() * 48);
    for (const Object* o : rows) {
        const double x = o->box.x1, y = o->box.y1;
        // The difference of two floats is exact in double, so x + w reads back as x2.
        const double w = double(o->box.x2) - x, h = double(o->box.y2) - y;
        const double conf = groundTruth ? (o->ignored ? 0 : 1) : double(o->score);
        out += std::to_string(o->frame + first) + "," +
               std::to_string(o->trackId == kNoTrack ? -1 : o->trackId) + "," + shortest(x) + "," +
               shortest(y) + "," + shortest(w) + "," + shortest(h) + "," + shortest(conf) + "," +
               std::to_string(classOf[o->label]) + "," + shortest(double(o->visibility)) + "\n";
    }
    return out;
}

ExportReport exportMot(const AnnotationSet& set, const MediaInfo& media, const std::string& path,
                       const ExportOptions& options) {
    ExportReport report;
    const fs::path p(path);
    const std::string ext = p.extension().string();
    if (ext == ".txt" || ext == ".csv") {
        writeFileAtomic(path, exportMotText(set, options, report));
        report.files.push_back(path);
        return report;
    }
    std::error_code ec;
    fs::create_directories(p / "gt", ec);
    if (ec) throw std::runtime_error(path + ": cannot create the sequence folder: " + ec.message());
    const std::string gt = (p / "gt" / "gt.txt").string();
    writeFileAtomic(gt, exportMotText(set, options, report));
    report.files.push_back(gt);
    int64_t frames = media.frameCount;
    for (const Object& o : set.objects) frames = std::max(frames, o.frame + 1);
    std::ostringstream ini;
    ini << "[Sequence]\nname=" << (media.path.empty() ? p.filename().string()
                                                      : fs::path(media.path).stem().string())
        << "\nimDir=img1\nframeRate=" << int64_t(std::lround(media.fps > 0 ? media.fps : 30))
        << "\nseqLength=" << frames << "\nimWidth=" << media.width
        << "\nimHeight=" << media.height << "\nimExt=.jpg\n";
    const std::string seqinfo = (p / "seqinfo.ini").string();
    writeFileAtomic(seqinfo, ini.str());
    report.files.push_back(seqinfo);
    if (media.fps <= 0) report.warnings.push_back("frame rate unknown: seqinfo.ini says 30");
    return report;
}

}  // namespace sl::annotate::formats
