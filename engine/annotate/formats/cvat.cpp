#include "annotate/formats/cvat.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <tinyxml2.h>

#include "annotate/formats/text_fields.h"
#include "annotate/formats/xml_fields.h"
#include "annotate/interpolation.h"

namespace sl::annotate::formats {

using tinyxml2::XMLElement;

namespace {

// CVAT's track / box source. "manual" and "file" are a person's work, "auto" / "semi-auto" a
// model's; anything else is read as a person's (with a warning): CVAT has no tracker source.
ObjectSource sourceFromCvat(const std::string& s, std::set<std::string>& unknown) {
    if (s == "auto" || s == "semi-auto") return ObjectSource::Model;
    if (s != "manual" && s != "file" && !s.empty()) unknown.insert(s);
    return ObjectSource::Human;
}
const char* sourceToCvat(ObjectSource s) {
    return s == ObjectSource::Model || s == ObjectSource::Tracker ? "auto" : "manual";
}

int64_t toEngineFrame(int64_t cvatFrame, int64_t first, const XMLElement* e,
                      const std::string& file) {
    int64_t f = 0;
    if (__builtin_sub_overflow(cvatFrame, first, &f))
        throw FormatError(file, xml::where(e), "frame", "frame number out of range");
    return f;
}

void readAttributes(const XMLElement* box, Object& o, const std::string& file) {
    for (const XMLElement* a = box->FirstChildElement("attribute"); a != nullptr;
         a = a->NextSiblingElement("attribute")) {
        const std::string name = xml::requiredText(a, "name", file);
        const char* t = a->GetText();
        o.attributes[name] = t != nullptr ? t : "";
    }
}

// One <box> of a track or an image: corners, occluded, attributes.
Object readBox(const XMLElement* b, const std::string& file) {
    Object o;
    o.box.x1 = xml::toFloat(xml::requiredDouble(b, "xtl", file));
    o.box.y1 = xml::toFloat(xml::requiredDouble(b, "ytl", file));
    o.box.x2 = xml::toFloat(xml::requiredDouble(b, "xbr", file));
    o.box.y2 = xml::toFloat(xml::requiredDouble(b, "ybr", file));
    o.occluded = xml::flag(b, "occluded", false, file);
    (void)xml::optionalInt(b, "z_order", file);   // validated; drawing order is not kept
    readAttributes(b, o, file);
    return o;
}

constexpr const char* kBoxFields = "xtl ytl xbr ybr";

struct Meta {
    std::vector<std::string> labels;
    std::optional<int64_t> size, startFrame, stopFrame;
    int width = 0, height = 0;
};

Meta readMeta(const XMLElement* root, const std::string& file) {
    Meta m;
    const XMLElement* meta = root->FirstChildElement("meta");
    if (meta == nullptr) return m;
    const XMLElement* task = meta->FirstChildElement("task");
    if (task == nullptr) task = meta->FirstChildElement("job");
    if (task == nullptr) return m;
    m.size = xml::childInt(task, "size", file);
    m.startFrame = xml::childInt(task, "start_frame", file);
    m.stopFrame = xml::childInt(task, "stop_frame", file);
    if (const XMLElement* labels = task->FirstChildElement("labels"))
        for (const XMLElement* l = labels->FirstChildElement("label"); l != nullptr;
             l = l->NextSiblingElement("label"))
            if (auto name = xml::childText(l, "name")) m.labels.push_back(*name);
    if (const XMLElement* os = task->FirstChildElement("original_size")) {
        auto w = xml::childInt(os, "width", file), h = xml::childInt(os, "height", file);
        if (w && (*w < 0 || *w > 1000000))
            throw FormatError(file, xml::where(os), "width", "bad frame width");
        if (h && (*h < 0 || *h > 1000000))
            throw FormatError(file, xml::where(os), "height", "bad frame height");
        m.width = w ? int(*w) : 0;
        m.height = h ? int(*h) : 0;
    }
    return m;
}

}  // namespace

Imported importCvat(const std::string& path, const ImportOptions& options) {
    return importCvatText(readFile(path), path, options);
}

Imported importCvatText(const std::string& text, const std::string& file,
                        const ImportOptions& options) {
    tinyxml2::XMLDocument doc;
    xml::parse(doc, text, file);
    const XMLElement* root = doc.RootElement();
    if (std::string(root->Name()) != "annotations")
        throw FormatError(file, xml::where(root), "",
                          std::string("the root element is <") + root->Name() +
                              ">, not <annotations>: not a CVAT XML file");
    Imported out;
    out.set.kind = options.kind;
    out.set.name = options.setName.empty() ? fileStem(file) : options.setName;
    ImportReport& report = out.report;
    if (auto v = xml::childText(root, "version"); v && *v != "1.1" && *v != "1.0")
        report.warnings.push_back("CVAT XML version " + *v + " (read as 1.1)");

    const Meta meta = readMeta(root, file);
    out.media.width = meta.width;
    out.media.height = meta.height;
    if (meta.stopFrame) out.media.frameCount = *meta.stopFrame + 1;
    else if (meta.size) out.media.frameCount = meta.startFrame.value_or(0) + *meta.size;

    // What the checks use: the caller's media and labels; where unknown, the file's.
    ImportOptions eff = options;
    if (eff.media.width <= 0 || eff.media.height <= 0) {
        eff.media.width = meta.width;
        eff.media.height = meta.height;
    }
    if (eff.labels.empty()) eff.labels = meta.labels;
    out.set.labels = eff.labels;

    const int64_t first = options.firstFrame.value_or(0);
    std::set<std::string> unknownSources;
    std::map<std::string, int64_t> skippedShapes;
    int64_t outsidePastEnd = 0, pastFileEnd = 0;
    const bool hasTracks = root->FirstChildElement("track") != nullptr;
    const bool hasImages = root->FirstChildElement("image") != nullptr;

    std::map<int64_t, int> trackLines;
    for (const XMLElement* t = root->FirstChildElement("track"); t != nullptr;
         t = t->NextSiblingElement("track")) {
        const int64_t id = xml::requiredInt(t, "id", file);
        if (id < 0) throw FormatError(file, xml::where(t), "id", "negative track id");
        if (auto [it, fresh] = trackLines.emplace(id, t->GetLineNum()); !fresh)
            throw FormatError(file, xml::where(t), "id",
                              "duplicate track id " + std::to_string(id) + " (first at line " +
                                  std::to_string(it->second) + ")");
        const std::string label = xml::requiredText(t, "label", file);
        const ObjectSource source =
            sourceFromCvat(xml::optionalText(t, "source").value_or(""), unknownSources);
        std::map<int64_t, int> frameLines;
        for (const XMLElement* b = t->FirstChildElement(); b != nullptr;
             b = b->NextSiblingElement()) {
            const std::string kind = b->Name();
            if (kind != "box") {
                ++skippedShapes[kind];
                continue;
            }
            Object o = readBox(b, file);
            o.trackId = id;
            o.label = label;
            o.frame = toEngineFrame(xml::requiredInt(b, "frame", file), first, b, file);
            o.outside = xml::flag(b, "outside", false, file);
            o.keyframe = xml::flag(b, "keyframe", true, file);
            o.source = o.keyframe ? source : ObjectSource::Interpolated;
            if (auto [it, fresh] = frameLines.emplace(o.frame, b->GetLineNum()); !fresh)
                throw FormatError(file, xml::where(b), "frame",
                                  "track " + std::to_string(id) + " has two boxes at frame " +
                                      std::to_string(o.frame) + " (the other at line " +
                                      std::to_string(it->second) + ")");
            // CVAT closes a track with an outside box on the frame after its last one, also
            // past the media's end: nothing is visible there, so it is not an error.
            if (o.outside && eff.media.frameCount > 0 && o.frame >= eff.media.frameCount) {
                ++outsidePastEnd;
                continue;
            }
            if (!checkObject(o, eff, report, file, xml::where(b), kBoxFields)) continue;
            if (!o.outside && out.media.frameCount > 0 && o.frame >= out.media.frameCount)
                ++pastFileEnd;
            out.set.objects.push_back(std::move(o));
        }
    }

    std::map<int64_t, int> imageLines;
    for (const XMLElement* im = root->FirstChildElement("image"); im != nullptr;
         im = im->NextSiblingElement("image")) {
        const int64_t id = xml::requiredInt(im, "id", file);
        if (auto [it, fresh] = imageLines.emplace(id, im->GetLineNum()); !fresh)
            throw FormatError(file, xml::where(im), "id",
                              "duplicate image id " + std::to_string(id) + " (first at line " +
                                  std::to_string(it->second) + ")");
        const int64_t frame = toEngineFrame(id, first, im, file);
        ImportOptions imageOptions = eff;
        const auto w = xml::optionalInt(im, "width", file);
        const auto h = xml::optionalInt(im, "height", file);
        if ((w && (*w <= 0 || *w > 1000000)) || (h && (*h <= 0 || *h > 1000000)))
            throw FormatError(file, xml::where(im), w && (*w <= 0 || *w > 1000000) ? "width"
                                                                                    : "height",
                              "bad image size");
        if ((options.media.width <= 0 || options.media.height <= 0) && w && h) {
            imageOptions.media.width = int(*w);
            imageOptions.media.height = int(*h);
            if (out.media.width == 0) {
                out.media.width = int(*w);
                out.media.height = int(*h);
            }
        }
        for (const XMLElement* b = im->FirstChildElement(); b != nullptr;
             b = b->NextSiblingElement()) {
            const std::string kind = b->Name();
            if (kind != "box") {
                ++skippedShapes[kind];
                continue;
            }
            Object o = readBox(b, file);
            o.label = xml::requiredText(b, "label", file);
            o.frame = frame;
            o.source = sourceFromCvat(xml::optionalText(b, "source").value_or(""),
                                      unknownSources);
            if (!checkObject(o, imageOptions, report, file, xml::where(b), kBoxFields)) continue;
            out.set.objects.push_back(std::move(o));
        }
    }

    // Labels the file uses but its <meta> does not list (only possible without a <meta> list).
    for (const Object& o : out.set.objects)
        if (std::find(out.set.labels.begin(), out.set.labels.end(), o.label) ==
            out.set.labels.end())
            out.set.labels.push_back(o.label);
    for (const auto& [kind, n] : skippedShapes)
        report.warnings.push_back(std::to_string(n) + " <" + kind +
                                  "> skipped: only boxes are imported");
    for (const std::string& s : unknownSources)
        report.warnings.push_back("source '" + s + "' read as manual");
    if (outsidePastEnd > 0)
        report.warnings.push_back(std::to_string(outsidePastEnd) +
                                  " outside boxes past the media's end dropped");
    if (pastFileEnd > 0)
        report.warnings.push_back(std::to_string(pastFileEnd) +
                                  " boxes lie past the task's frame count (" +
                                  std::to_string(out.media.frameCount) + "), kept");
    const std::string shift = first == 0 ? "N" : "N - " + std::to_string(first);
    std::string mapping;
    if (hasTracks)
        mapping = "CVAT frame N (the video's own frame number, as CVAT writes it) is engine "
                  "frame " + shift;
    if (hasImages)
        mapping += std::string(mapping.empty() ? "" : "; ") + "<image id=N> is engine frame " +
                   shift;
    report.frameMapping = mapping.empty() ? "no tracks or images" : mapping;
    finishImport(out, file);
    return out;
}

namespace {

// The last frame tracks extend to: the media's, or the set's last frame when its length is
// unknown.
int64_t exportLastFrame(const AnnotationSet& set, const MediaInfo& media) {
    if (media.frameCount > 0) return media.frameCount - 1;
    int64_t last = -1;
    for (const Object& o : set.objects) last = std::max(last, o.frame);
    return last;
}

// What CVAT cannot hold, as warnings.
void warnDropped(const AnnotationSet& set, ExportReport& report, bool tracksKept) {
    int64_t pts = 0, scores = 0, crowd = 0, ignored = 0, visibility = 0, area = 0, tracker = 0,
            tracks = 0;
    for (const Object& o : set.objects) {
        pts += o.pts != kNoPts;
        scores += o.score != 1.0f;
        crowd += o.crowd;
        ignored += o.ignored;
        visibility += o.visibility != 1.0f;
        area += o.area >= 0;
        tracker += o.source == ObjectSource::Tracker;
        tracks += o.trackId != kNoTrack;
    }
    auto warn = [&](int64_t n, const std::string& what) {
        if (n > 0) report.warnings.push_back(what + " dropped (" + std::to_string(n) + " boxes)");
    };
    warn(pts, "pts");
    warn(scores, "scores");
    warn(crowd, "crowd flags");
    warn(ignored, "ignored flags");
    warn(visibility, "visibility");
    warn(area, "areas");
    if (tracker > 0)
        report.warnings.push_back("tracker source written as auto (" + std::to_string(tracker) +
                                  " boxes)");
    if (!tracksKept) warn(tracks, "track ids");
}

void pushText(tinyxml2::XMLPrinter& p, const char* element, const std::string& text) {
    p.OpenElement(element);
    p.PushText(text.c_str());
    p.CloseElement();
}

// <meta><task>: size, frames, labels (with the attribute names the boxes use, as text
// attributes, so that CVAT accepts them) and the frame size.
void writeMeta(tinyxml2::XMLPrinter& p, const AnnotationSet& set, const MediaInfo& media,
               const std::vector<std::string>& labels, int64_t first, int64_t size,
               const char* mode) {
    std::map<std::string, std::set<std::string>> attributeNames;
    for (const Object& o : set.objects)
        for (const auto& [k, v] : o.attributes) attributeNames[o.label].insert(k);
    p.OpenElement("meta");
    p.OpenElement("task");
    pushText(p, "name", set.name);
    pushText(p, "size", std::to_string(size));
    pushText(p, "mode", mode);
    pushText(p, "start_frame", std::to_string(first));
    pushText(p, "stop_frame", std::to_string(first + std::max<int64_t>(size, 1) - 1));
    p.OpenElement("labels");
    for (const std::string& l : labels) {
        p.OpenElement("label");
        pushText(p, "name", l);
        p.OpenElement("attributes");
        for (const std::string& a : attributeNames[l]) {
            p.OpenElement("attribute");
            pushText(p, "name", a);
            pushText(p, "mutable", "True");
            pushText(p, "input_type", "text");
            pushText(p, "default_value", "");
            pushText(p, "values", "");
            p.CloseElement();
        }
        p.CloseElement();
        p.CloseElement();
    }
    p.CloseElement();
    if (media.width > 0 && media.height > 0) {
        p.OpenElement("original_size");
        pushText(p, "width", std::to_string(media.width));
        pushText(p, "height", std::to_string(media.height));
        p.CloseElement();
    }
    p.CloseElement();
    p.CloseElement();
}

void writeBoxBody(tinyxml2::XMLPrinter& p, const Object& o) {
    p.PushAttribute("occluded", o.occluded ? "1" : "0");
    p.PushAttribute("xtl", formatNumber(o.box.x1).c_str());
    p.PushAttribute("ytl", formatNumber(o.box.y1).c_str());
    p.PushAttribute("xbr", formatNumber(o.box.x2).c_str());
    p.PushAttribute("ybr", formatNumber(o.box.y2).c_str());
    p.PushAttribute("z_order", "0");
    for (const auto& [k, v] : o.attributes) {
        p.OpenElement("attribute");
        p.PushAttribute("name", k.c_str());
        p.PushText(v.c_str());
        p.CloseElement();
    }
}

std::vector<std::string> allLabels(const AnnotationSet& set) {
    std::vector<std::string> labels = set.labels;
    for (const Object& o : set.objects)
        if (std::find(labels.begin(), labels.end(), o.label) == labels.end())
            labels.push_back(o.label);
    return labels;
}

}  // namespace

std::string exportCvatVideoText(const AnnotationSet& set, const MediaInfo& media,
                                const ExportOptions& options, ExportReport& report) {
    const int64_t first = options.firstFrame.value_or(0);
    const int64_t lastFrame = exportLastFrame(set, media);
    warnDropped(set, report, true);

    std::map<int64_t, std::vector<Object>> tracks;
    std::vector<Object> lone;
    int64_t maxTrack = -1;
    for (const Object& o : set.objects) {
        if (o.trackId == kNoTrack) lone.push_back(o);
        else tracks[o.trackId].push_back(o);
        maxTrack = std::max(maxTrack, o.trackId);
    }
    // Lone boxes: one-frame tracks after the set's own, closed by an outside box on the next
    // frame unless that is past the media (CVAT's "shapes are exported as single-frame tracks").
    std::stable_sort(lone.begin(), lone.end(),
                     [](const Object& a, const Object& b) { return a.frame < b.frame; });
    for (Object& o : lone) {
        if (o.outside) continue;
        o.trackId = ++maxTrack;
        o.keyframe = true;
        std::vector<Object> track{o};
        if (o.frame + 1 <= lastFrame) {
            Object closer = o;
            closer.frame = o.frame + 1;
            closer.outside = true;
            track.push_back(closer);
        }
        tracks[o.trackId] = std::move(track);
    }
    if (!lone.empty())
        report.warnings.push_back(std::to_string(lone.size()) +
                                  " lone boxes written as one-frame tracks");

    tinyxml2::XMLPrinter p(nullptr, true);
    p.PushHeader(false, true);
    p.OpenElement("annotations");
    pushText(p, "version", "1.1");
    writeMeta(p, set, media, allLabels(set), first, lastFrame + 1, "interpolation");
    int64_t differing = 0, multiLabel = 0;
    for (auto& [id, objects] : tracks) {
        std::vector<Object> keys;
        for (const Object& o : objects)
            if (o.keyframe || o.outside) keys.push_back(o);
        if (keys.empty()) {
            keys = keyframesOnly(objects, lastFrame);   // all derived (a tracker's): reduce
        } else {
            // Derived boxes are rewritten from the keyframes; say so where they differ.
            for (Object& k : keys) k.keyframe = true;
            std::map<int64_t, Object> expanded;
            for (Object& e : expandTrack(keys, lastFrame)) expanded[e.frame] = std::move(e);
            for (const Object& o : objects) {
                if (o.keyframe || o.outside) continue;
                auto it = expanded.find(o.frame);
                if (it == expanded.end() || !(std::fabs(it->second.box.x1 - o.box.x1) <= 0.01f &&
                                              std::fabs(it->second.box.y1 - o.box.y1) <= 0.01f &&
                                              std::fabs(it->second.box.x2 - o.box.x2) <= 0.01f &&
                                              std::fabs(it->second.box.y2 - o.box.y2) <= 0.01f))
                    ++differing;
            }
        }
        std::stable_sort(keys.begin(), keys.end(),
                         [](const Object& a, const Object& b) { return a.frame < b.frame; });
        std::vector<Object> boxes;
        if (options.denseTracks) {
            boxes = expandTrack(keys, lastFrame);
            for (const Object& k : keys)
                if (k.outside) boxes.push_back(k);
            std::stable_sort(boxes.begin(), boxes.end(),
                             [](const Object& a, const Object& b) { return a.frame < b.frame; });
        } else {
            boxes = keys;
        }
        if (boxes.empty()) continue;
        const Object& head = keys.front();
        for (const Object& k : keys)
            if (k.label != head.label) {
                ++multiLabel;
                break;
            }
        p.OpenElement("track");
        p.PushAttribute("id", std::to_string(id).c_str());
        p.PushAttribute("label", head.label.c_str());
        p.PushAttribute("source", sourceToCvat(head.source));
        for (const Object& b : boxes) {
            p.OpenElement("box");
            p.PushAttribute("frame", std::to_string(b.frame + first).c_str());
            p.PushAttribute("outside", b.outside ? "1" : "0");
            p.PushAttribute("keyframe", b.keyframe ? "1" : "0");
            writeBoxBody(p, b);
            p.CloseElement();
        }
        p.CloseElement();
    }
    p.CloseElement();
    if (differing > 0)
        report.warnings.push_back(std::to_string(differing) +
                                  " derived boxes differ from their keyframes' interpolation: "
                                  "written as interpolated");
    if (multiLabel > 0)
        report.warnings.push_back(std::to_string(multiLabel) +
                                  " tracks change label: written with their first label");
    return p.CStr();
}

std::string exportCvatImagesText(const AnnotationSet& set, const MediaInfo& media,
                                 const ExportOptions& options, ExportReport& report) {
    const int64_t first = options.firstFrame.value_or(0);
    const int64_t lastFrame = exportLastFrame(set, media);
    warnDropped(set, report, false);
    // What each frame shows: keyframes and the interpolated boxes between them.
    const std::vector<Object> visible = densify(set, lastFrame);
    int64_t derived = 0;
    std::map<int64_t, std::vector<const Object*>> frames;
    for (const Object& o : visible) {
        frames[o.frame].push_back(&o);
        derived += !o.keyframe;
    }
    if (derived > 0)
        report.warnings.push_back(std::to_string(derived) +
                                  " interpolated boxes written as plain boxes");
    // CVAT lists every image of the task; without the media's length, the frames with boxes.
    if (media.frameCount > 0)
        for (int64_t f = 0; f < media.frameCount; ++f) frames[f];
    tinyxml2::XMLPrinter p(nullptr, true);
    p.PushHeader(false, true);
    p.OpenElement("annotations");
    pushText(p, "version", "1.1");
    writeMeta(p, set, media, allLabels(set), first, std::max<int64_t>(lastFrame + 1, 0),
              "annotation");
    for (const auto& [frame, objects] : frames) {
        p.OpenElement("image");
        p.PushAttribute("id", std::to_string(frame + first).c_str());
        p.PushAttribute("name", formatFrameName(options.imageNamePattern, frame + first).c_str());
        if (media.width > 0 && media.height > 0) {
            p.PushAttribute("width", std::to_string(media.width).c_str());
            p.PushAttribute("height", std::to_string(media.height).c_str());
        }
        for (const Object* o : objects) {
            p.OpenElement("box");
            p.PushAttribute("label", o->label.c_str());
            p.PushAttribute("source", sourceToCvat(o->source));
            writeBoxBody(p, *o);
            p.CloseElement();
        }
        p.CloseElement();
    }
    p.CloseElement();
    return p.CStr();
}

}  // namespace sl::annotate::formats
