#include "annotate/formats/yolo.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "annotate/formats/text_fields.h"
#include "annotate/interpolation.h"

namespace sl::annotate::formats {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> splitBlank(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string f; in >> f;) out.push_back(f);
    return out;
}

std::string trimmed(std::string s) {
    const auto blank = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!s.empty() && blank(s.back())) s.pop_back();
    size_t b = 0;
    while (b < s.size() && blank(s[b])) ++b;
    return s.substr(b);
}

std::string unquoted(std::string s) {
    s = trimmed(s);
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        s = s.substr(1, s.size() - 2);
    return s;
}

// classes.txt / obj.names: one name a line, blank lines ignored.
std::vector<std::string> readNames(const std::string& path) {
    std::vector<std::string> names;
    std::istringstream in(readFile(path));
    for (std::string line; std::getline(in, line);)
        if (std::string n = trimmed(line); !n.empty()) names.push_back(n);
    return names;
}

// data.yaml's `names:`, in the forms Ultralytics writes: an inline list (names: [a, b]), a block
// list (- a) or a map of ids (0: a). Not a YAML parser: anything else is refused.
std::vector<std::string> readYamlNames(const std::string& path) {
    std::istringstream in(readFile(path));
    std::vector<std::string> names;
    std::map<int64_t, std::string> byId;
    bool inNames = false;
    int lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        const std::string t = trimmed(line);
        if (t.empty() || t[0] == '#') continue;
        const bool indented = std::isspace(static_cast<unsigned char>(line[0])) != 0;
        if (!indented) {
            inNames = false;
            if (t.rfind("names:", 0) != 0) continue;
            const std::string rest = trimmed(t.substr(6));
            if (rest.empty()) {
                inNames = true;
                continue;
            }
            if (rest.front() != '[' || rest.back() != ']')
                throw FormatError(path, "line " + std::to_string(lineNo), "names",
                                  "expected a list [a, b, ...]");
            std::istringstream items(rest.substr(1, rest.size() - 2));
            for (std::string item; std::getline(items, item, ',');)
                if (std::string n = unquoted(item); !n.empty()) names.push_back(n);
            return names;
        }
        if (!inNames) continue;
        if (t[0] == '-') {
            names.push_back(unquoted(t.substr(1)));
            continue;
        }
        const size_t colon = t.find(':');
        auto id = colon == std::string::npos ? std::nullopt : parseInt(t.substr(0, colon));
        if (!id || *id < 0 || *id > 100000)
            throw FormatError(path, "line " + std::to_string(lineNo), "names",
                              "expected '- name' or 'id: name'");
        byId[*id] = unquoted(t.substr(colon + 1));
    }
    int64_t next = 0;
    for (const auto& [id, n] : byId) {
        if (id != next++)
            throw FormatError(path, "", "names", "class ids are not 0, 1, 2, ...");
        names.push_back(n);
    }
    return names;
}

// One frame's rows into OUT; CLASSES maps class ids to labels.
void parseRows(const std::string& text, const std::string& file, int64_t frame,
               const std::vector<std::string>& classes, const ImportOptions& options,
               Imported& out) {
    const double w = options.media.width, h = options.media.height;
    if (w <= 0 || h <= 0)
        throw FormatError(file, "", "",
                          "YOLO boxes are normalised: the frame size is needed (the media's "
                          "width and height)");
    std::istringstream in(text);
    int lineNo = 0;
    static const char* const kFields[] = {"class", "cx", "cy", "w", "h", "score"};
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        const std::vector<std::string> f = splitBlank(line);
        if (f.empty()) continue;
        const std::string where = "line " + std::to_string(lineNo);
        if (f.size() != 5 && f.size() != 6)
            throw FormatError(file, where, "",
                              std::to_string(f.size()) +
                                  " columns; expected 'class cx cy w h' and an optional score");
        const auto cls = parseInt(f[0]);
        if (!cls) throw FormatError(file, where, "class", "'" + f[0] + "' is not an integer");
        if (*cls < 0 || *cls >= int64_t(classes.size()))
            throw FormatError(file, where, "class",
                              "class " + f[0] + " is not one of the " +
                                  std::to_string(classes.size()) + " classes");
        double v[5] = {0, 0, 0, 0, 1};
        for (size_t i = 1; i < f.size(); ++i) {
            auto d = parseDouble(f[i]);
            if (!d) throw FormatError(file, where, kFields[i], "'" + f[i] + "' is not a number");
            v[i - 1] = *d;
        }
        // Beyond 1e30 the products below would not fit a float (a cast would be undefined):
        // such a box is "not a finite number" for checkObject, such a score an error here.
        if (!std::isfinite(v[4]) || std::fabs(v[4]) > 1e30)
            throw FormatError(file, where, "score", "score is not a finite number");
        bool huge = false;
        for (double d : v) huge |= !(std::fabs(d) <= 1e30);
        Object o;
        o.label = classes[size_t(*cls)];
        o.frame = frame;
        if (huge)
            for (int i = 0; i < 4; ++i) v[i] = NAN;
        o.box.x1 = float((v[0] - v[2] / 2) * w);
        o.box.y1 = float((v[1] - v[3] / 2) * h);
        o.box.x2 = float((v[0] + v[2] / 2) * w);
        o.box.y2 = float((v[1] + v[3] / 2) * h);
        if (f.size() == 6) {
            o.score = float(v[4]);
            o.source = ObjectSource::Model;
        }
        if (checkObject(o, options, out.report, file, where, "cx cy w h"))
            out.set.objects.push_back(std::move(o));
    }
}

}  // namespace

Imported importYoloText(const std::string& text, const std::string& file, int64_t frame,
                        const ImportOptions& options) {
    Imported out;
    out.set.kind = options.kind;
    out.set.name = options.setName.empty() ? fileStem(file) : options.setName;
    out.set.labels = options.labels;
    out.media = options.media;
    parseRows(text, file, frame, options.labels, options, out);
    out.report.frameMapping = "the frame given (" + std::to_string(frame) + ")";
    finishImport(out, file);
    return out;
}

Imported importYolo(const std::string& dir, const ImportOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw FormatError(dir, "", "", "not a folder (YOLO labels are one .txt per frame)");
    std::vector<std::string> classes;
    const fs::path d(dir);
    if (fs::exists(d / "classes.txt")) classes = readNames((d / "classes.txt").string());
    else if (fs::exists(d / "obj.names")) classes = readNames((d / "obj.names").string());
    else if (fs::exists(d / "data.yaml")) classes = readYamlNames((d / "data.yaml").string());
    else classes = options.labels;
    if (classes.empty())
        throw FormatError(dir, "", "classes",
                          "no class names: classes.txt, obj.names or data.yaml, or known labels");
    Imported out;
    out.set.kind = options.kind;
    out.set.name = options.setName.empty() ? d.filename().string() : options.setName;
    out.set.labels = options.labels.empty() ? classes : options.labels;
    out.media = options.media;
    const int64_t first = options.firstFrame.value_or(0);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(d))
        if (e.is_regular_file() && e.path().extension() == ".txt" &&
            e.path().filename() != "classes.txt")
            files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::map<int64_t, std::string> frameFiles;
    for (const fs::path& p : files) {
        const auto n = frameNumberFromName(p.stem().string());
        if (!n) throw FormatError(p.string(), "", "file name", "no frame number in the name");
        const int64_t frame = *n - first;
        if (auto [it, fresh] = frameFiles.emplace(frame, p.filename().string()); !fresh)
            throw FormatError(p.string(), "", "file name",
                              "frame " + std::to_string(frame) + " already read from " +
                                  it->second);
        parseRows(readFile(p.string()), p.string(), frame, classes, options, out);
    }
    out.report.frameMapping = "the last digits of each file name, N, are engine frame " +
                              (first == 0 ? std::string("N") : "N - " + std::to_string(first));
    finishImport(out, dir);
    return out;
}

ExportReport exportYolo(const AnnotationSet& set, const MediaInfo& media, const std::string& dir,
                        const ExportOptions& options) {
    if (media.width <= 0 || media.height <= 0)
        throw std::invalid_argument("YOLO export: the frame size is unknown (YOLO boxes are "
                                    "normalised to it)");
    ExportReport report;
    const int64_t first = options.firstFrame.value_or(0);
    int64_t lastFrame = media.frameCount > 0 ? media.frameCount - 1 : -1;
    if (media.frameCount <= 0)
        for (const Object& o : set.objects) lastFrame = std::max(lastFrame, o.frame);
    std::vector<std::string> labels = set.labels;
    for (const Object& o : set.objects)
        if (std::find(labels.begin(), labels.end(), o.label) == labels.end())
            labels.push_back(o.label);
    const std::vector<Object> visible = densify(set, lastFrame);
    const bool scores = set.kind == SetKind::ModelRun;
    int64_t tracks = 0, derived = 0, flags = 0, attributes = 0, dropScores = 0;
    std::map<int64_t, std::string> frames;
    for (const Object& o : visible) {
        const size_t cls = size_t(std::find(labels.begin(), labels.end(), o.label) -
                                  labels.begin());
        const double w = media.width, h = media.height;
        std::string& text = frames[o.frame];
        text += std::to_string(cls) + " " +
                formatNumber((double(o.box.x1) + o.box.x2) / 2 / w) + " " +
                formatNumber((double(o.box.y1) + o.box.y2) / 2 / h) + " " +
                formatNumber((double(o.box.x2) - o.box.x1) / w) + " " +
                formatNumber((double(o.box.y2) - o.box.y1) / h);
        if (scores) text += " " + formatNumber(o.score);
        text += "\n";
        tracks += o.trackId != kNoTrack;
        derived += !o.keyframe;
        flags += o.occluded || o.crowd || o.ignored || o.visibility != 1.0f;
        attributes += !o.attributes.empty();
        dropScores += !scores && o.score != 1.0f;
    }
    auto warn = [&](int64_t n, const std::string& what) {
        if (n > 0) report.warnings.push_back(what + " (" + std::to_string(n) + " boxes)");
    };
    warn(tracks, "track ids dropped");
    warn(derived, "interpolated frames written as boxes");
    warn(flags, "occluded / crowd / ignored / visibility dropped");
    warn(attributes, "attributes dropped");
    warn(dropScores, "scores dropped (not a model run)");
    fs::create_directories(dir);
    std::string names;
    for (const std::string& l : labels) names += l + "\n";
    const std::string classesPath = (fs::path(dir) / "classes.txt").string();
    writeFileAtomic(classesPath, names);
    report.files.push_back(classesPath);
    for (const auto& [frame, text] : frames) {
        const std::string name =
            fileStem(formatFrameName(options.imageNamePattern, frame + first)) + ".txt";
        const std::string path = (fs::path(dir) / name).string();
        writeFileAtomic(path, text);
        report.files.push_back(path);
    }
    return report;
}

}  // namespace sl::annotate::formats
