#include "annotate/formats/voc.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include <tinyxml2.h>

#include "annotate/formats/text_fields.h"
#include "annotate/formats/xml_fields.h"
#include "annotate/interpolation.h"

namespace sl::annotate::formats {

namespace fs = std::filesystem;
using tinyxml2::XMLElement;

// Coordinates. VOC's xmin..xmax are 1-based pixel indices, both ends inclusive: pixel i covers
// [i - 1, i) in the engine's continuous corner coordinates. So x1 = xmin - 1, x2 = xmax (and the
// same for y), and back: xmin = x1 + 1, xmax = x2; a box's width is xmax - xmin + 1 = x2 - x1.
// The +-1 is done in double and written with the shortest exact text, so export -> import gives
// the same float back (in float arithmetic, (x + 1) - 1 is not always x).
//
// Flags. <difficult>1 and <truncated>1 become attributes "difficult" / "truncated" = "1" (not
// crowd: VOC's difficult objects are ignored by its evaluation but are single objects, and keeping
// the attribute round-trips); <pose> other than Unspecified becomes attribute "pose"; <occluded>
// is the occluded flag; other attributes go to <attributes><attribute><name>/<value>, as CVAT's
// and Datumaro's VOC writers do.

namespace {

const char* const kVocAttributes[] = {"difficult", "truncated", "pose"};

bool isVocAttribute(const std::string& k) {
    return std::find(std::begin(kVocAttributes), std::end(kVocAttributes), k) !=
           std::end(kVocAttributes);
}

double childNumber(const XMLElement* parent, const char* name, const std::string& file) {
    auto v = xml::childDouble(parent, name, file);
    if (!v) throw FormatError(file, xml::where(parent), name, "missing");
    return *v;
}

bool childFlag(const XMLElement* parent, const char* name, const std::string& file) {
    const XMLElement* c = parent->FirstChildElement(name);
    if (c == nullptr) return false;
    const char* t = c->GetText();
    auto b = parseFlag(t != nullptr ? t : "");
    if (!b) throw FormatError(file, xml::where(c), name, "not 0 or 1");
    return *b;
}

void parseAnnotation(const std::string& text, const std::string& file, int64_t frame,
                     const ImportOptions& options, Imported& out) {
    tinyxml2::XMLDocument doc;
    xml::parse(doc, text, file);
    const XMLElement* root = doc.RootElement();
    if (std::string(root->Name()) != "annotation")
        throw FormatError(file, xml::where(root), "",
                          std::string("the root element is <") + root->Name() +
                              ">, not <annotation>: not a Pascal VOC file");
    ImportOptions eff = options;
    if (const XMLElement* size = root->FirstChildElement("size")) {
        const auto w = xml::childInt(size, "width", file), h = xml::childInt(size, "height", file);
        if ((w && (*w < 0 || *w > 1000000)) || (h && (*h < 0 || *h > 1000000)))
            throw FormatError(file, xml::where(size), "width / height", "bad image size");
        if ((eff.media.width <= 0 || eff.media.height <= 0) && w && h && *w > 0 && *h > 0) {
            eff.media.width = int(*w);
            eff.media.height = int(*h);
            if (out.media.width == 0) {
                out.media.width = int(*w);
                out.media.height = int(*h);
            }
        }
    }
    for (const XMLElement* ob = root->FirstChildElement("object"); ob != nullptr;
         ob = ob->NextSiblingElement("object")) {
        Object o;
        o.frame = frame;
        auto name = xml::childText(ob, "name");
        if (!name || name->empty()) throw FormatError(file, xml::where(ob), "name", "missing");
        o.label = *name;
        const XMLElement* bb = ob->FirstChildElement("bndbox");
        if (bb == nullptr) throw FormatError(file, xml::where(ob), "bndbox", "missing");
        o.box.x1 = xml::toFloat(childNumber(bb, "xmin", file) - 1);
        o.box.y1 = xml::toFloat(childNumber(bb, "ymin", file) - 1);
        o.box.x2 = xml::toFloat(childNumber(bb, "xmax", file));
        o.box.y2 = xml::toFloat(childNumber(bb, "ymax", file));
        if (childFlag(ob, "difficult", file)) o.attributes["difficult"] = "1";
        if (childFlag(ob, "truncated", file)) o.attributes["truncated"] = "1";
        o.occluded = childFlag(ob, "occluded", file);
        if (auto pose = xml::childText(ob, "pose"); pose && !pose->empty() &&
                                                    *pose != "Unspecified")
            o.attributes["pose"] = *pose;
        if (const XMLElement* as = ob->FirstChildElement("attributes"))
            for (const XMLElement* a = as->FirstChildElement("attribute"); a != nullptr;
                 a = a->NextSiblingElement("attribute")) {
                auto k = xml::childText(a, "name");
                if (!k || k->empty()) throw FormatError(file, xml::where(a), "name", "missing");
                o.attributes[*k] = xml::childText(a, "value").value_or("");
            }
        if (checkObject(o, eff, out.report, file, xml::where(bb), "xmin ymin xmax ymax"))
            out.set.objects.push_back(std::move(o));
    }
}

void addLabels(Imported& out) {
    for (const Object& o : out.set.objects)
        if (std::find(out.set.labels.begin(), out.set.labels.end(), o.label) ==
            out.set.labels.end())
            out.set.labels.push_back(o.label);
}

void pushText(tinyxml2::XMLPrinter& p, const char* element, const std::string& text) {
    p.OpenElement(element);
    p.PushText(text.c_str());
    p.CloseElement();
}

}  // namespace

Imported importVocText(const std::string& text, const std::string& file, int64_t frame,
                       const ImportOptions& options) {
    Imported out;
    out.set.kind = options.kind;
    out.set.name = options.setName.empty() ? fileStem(file) : options.setName;
    out.set.labels = options.labels;
    parseAnnotation(text, file, frame, options, out);
    addLabels(out);
    out.report.frameMapping = "the frame given (" + std::to_string(frame) + ")";
    finishImport(out, file);
    return out;
}

Imported importVoc(const std::string& dir, const ImportOptions& options) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw FormatError(dir, "", "", "not a folder (Pascal VOC is one .xml per frame)");
    Imported out;
    out.set.kind = options.kind;
    out.set.name =
        options.setName.empty() ? fs::path(dir).filename().string() : options.setName;
    out.set.labels = options.labels;
    const int64_t first = options.firstFrame.value_or(0);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".xml") files.push_back(e.path());
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
        parseAnnotation(readFile(p.string()), p.string(), frame, options, out);
    }
    addLabels(out);
    out.report.frameMapping = "the last digits of each file name, N, are engine frame " +
                              (first == 0 ? std::string("N") : "N - " + std::to_string(first));
    finishImport(out, dir);
    return out;
}

ExportReport exportVoc(const AnnotationSet& set, const MediaInfo& media, const std::string& dir,
                       const ExportOptions& options) {
    ExportReport report;
    const int64_t first = options.firstFrame.value_or(0);
    int64_t lastFrame = media.frameCount > 0 ? media.frameCount - 1 : -1;
    if (media.frameCount <= 0)
        for (const Object& o : set.objects) lastFrame = std::max(lastFrame, o.frame);
    const std::vector<Object> visible = densify(set, lastFrame);
    std::map<int64_t, std::vector<const Object*>> frames;
    int64_t tracks = 0, scores = 0, derived = 0, other = 0;
    for (const Object& o : visible) {
        frames[o.frame].push_back(&o);
        tracks += o.trackId != kNoTrack;
        scores += o.score != 1.0f;
        derived += !o.keyframe;
        other += o.crowd || o.ignored || o.visibility != 1.0f || o.pts != kNoPts;
    }
    auto warn = [&](int64_t n, const std::string& what) {
        if (n > 0) report.warnings.push_back(what + " (" + std::to_string(n) + " boxes)");
    };
    warn(tracks, "track ids dropped");
    warn(scores, "scores dropped");
    warn(derived, "interpolated frames written as boxes");
    warn(other, "crowd / ignored / visibility / pts dropped");
    if (media.width <= 0 || media.height <= 0)
        report.warnings.push_back("frame size unknown: <size> written as 0 x 0");
    fs::create_directories(dir);
    for (const auto& [frame, objects] : frames) {
        const std::string image = formatFrameName(options.imageNamePattern, frame + first);
        tinyxml2::XMLPrinter p;
        p.PushHeader(false, true);
        p.OpenElement("annotation");
        pushText(p, "filename", image);
        p.OpenElement("size");
        pushText(p, "width", std::to_string(std::max(media.width, 0)));
        pushText(p, "height", std::to_string(std::max(media.height, 0)));
        pushText(p, "depth", "3");
        p.CloseElement();
        pushText(p, "segmented", "0");
        for (const Object* o : objects) {
            p.OpenElement("object");
            pushText(p, "name", o->label);
            const auto pose = o->attributes.find("pose");
            pushText(p, "pose", pose != o->attributes.end() ? pose->second : "Unspecified");
            const auto flagOf = [&](const char* k) {
                const auto it = o->attributes.find(k);
                return it != o->attributes.end() && it->second == "1" ? "1" : "0";
            };
            pushText(p, "truncated", flagOf("truncated"));
            pushText(p, "difficult", flagOf("difficult"));
            pushText(p, "occluded", o->occluded ? "1" : "0");
            p.OpenElement("bndbox");
            pushText(p, "xmin", formatNumber(double(o->box.x1) + 1));
            pushText(p, "ymin", formatNumber(double(o->box.y1) + 1));
            pushText(p, "xmax", formatNumber(o->box.x2));
            pushText(p, "ymax", formatNumber(o->box.y2));
            p.CloseElement();
            bool opened = false;
            for (const auto& [k, v] : o->attributes) {
                // difficult / truncated other than "1" are not VOC flags: keep them as text.
                if (isVocAttribute(k) && (k == "pose" || v == "1")) continue;
                if (!opened) p.OpenElement("attributes");
                opened = true;
                p.OpenElement("attribute");
                pushText(p, "name", k);
                pushText(p, "value", v);
                p.CloseElement();
            }
            if (opened) p.CloseElement();
            p.CloseElement();
        }
        p.CloseElement();
        const std::string path = (fs::path(dir) / (fileStem(image) + ".xml")).string();
        writeFileAtomic(path, p.CStr());
        report.files.push_back(path);
    }
    return report;
}

}  // namespace sl::annotate::formats
