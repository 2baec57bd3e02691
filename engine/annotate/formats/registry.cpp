// The format.h dispatch: which importer / exporter a Format means, and recognising a format from a
// path (extension, first bytes, or a folder's files).

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "annotate/formats/coco.h"
#include "annotate/formats/cvat.h"
#include "annotate/formats/format.h"
#include "annotate/formats/mot.h"
#include "annotate/formats/sightline_json.h"
#include "annotate/formats/voc.h"
#include "annotate/formats/yolo.h"

namespace sl::annotate::formats {

namespace fs = std::filesystem;

Imported importAnnotations(const std::string& path, Format format, const ImportOptions& options) {
    switch (format) {
        case Format::Sightline:
            return importSightlineJsonText(readFile(path), path, options);
        case Format::Coco: return importCocoText(readFile(path), path, options);
        case Format::Mot: return importMot(path, options);
        case Format::CvatVideo:
        case Format::CvatImages: return importCvat(path, options);
        case Format::Yolo: return importYolo(path, options);
        case Format::Voc: return importVoc(path, options);
    }
    throw FormatError(path, "", "", "unknown format");
}

namespace {

// An outside object marks where a track stops being visible (CVAT); it is no box. The formats
// without the flag (COCO, MOT, YOLO, VOC) get the visible objects only, and a warning says so.
AnnotationSet visibleOnly(const AnnotationSet& set, ExportReport& report) {
    AnnotationSet out = set;
    out.objects.clear();
    int64_t dropped = 0;
    for (const Object& o : set.objects) {
        if (o.outside) ++dropped;
        else out.objects.push_back(o);
    }
    if (dropped > 0)
        report.warnings.push_back(std::to_string(dropped) +
                                  " outside markers (where tracks stop being visible) dropped: "
                                  "the format has no such flag");
    return out;
}

}  // namespace

ExportReport exportAnnotations(const AnnotationSet& set, const MediaInfo& media,
                               const std::string& path, Format format,
                               const ExportOptions& options) {
    if (format == Format::Coco || format == Format::Mot || format == Format::Yolo ||
        format == Format::Voc) {
        ExportReport pre;
        const AnnotationSet visible = visibleOnly(set, pre);
        if (visible.objects.size() != set.objects.size()) {
            ExportReport r = exportAnnotations(visible, media, path, format, options);
            r.warnings.insert(r.warnings.begin(), pre.warnings.begin(), pre.warnings.end());
            return r;
        }
    }
    ExportReport report;
    switch (format) {
        case Format::Sightline:
            writeFileAtomic(path, exportSightlineJsonText(set, media, options, report));
            report.files.push_back(path);
            return report;
        case Format::Coco:
            writeFileAtomic(path, exportCocoText(set, media, options, report));
            report.files.push_back(path);
            return report;
        case Format::CvatVideo:
            writeFileAtomic(path, exportCvatVideoText(set, media, options, report));
            report.files.push_back(path);
            return report;
        case Format::CvatImages:
            writeFileAtomic(path, exportCvatImagesText(set, media, options, report));
            report.files.push_back(path);
            return report;
        case Format::Mot: return exportMot(set, media, path, options);
        case Format::Yolo: return exportYolo(set, media, path, options);
        case Format::Voc: return exportVoc(set, media, path, options);
    }
    throw std::runtime_error(path + ": unknown format");
}

namespace {

std::string head(const fs::path& p, size_t n) {
    std::ifstream in(p, std::ios::binary);
    std::string s(n, '\0');
    in.read(s.data(), std::streamsize(n));
    s.resize(size_t(in.gcount()));
    return s;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

}  // namespace

std::optional<Format> detectFormat(const std::string& path, std::string* why) {
    const fs::path p(path);
    std::error_code ec;
    auto say = [&](const std::string& m) -> std::optional<Format> {
        if (why) *why = path + ": " + m;
        return std::nullopt;
    };
    if (fs::is_directory(p, ec)) {
        if (fs::exists(p / "seqinfo.ini") || fs::exists(p / "gt" / "gt.txt") ||
            fs::exists(p / "det" / "det.txt"))
            return Format::Mot;
        bool xml = false, txt = false;
        for (const auto& e : fs::directory_iterator(p, ec)) {
            const std::string ext = lower(e.path().extension().string());
            xml = xml || ext == ".xml";
            txt = txt || ext == ".txt";
        }
        if (xml) return Format::Voc;
        if (txt) return Format::Yolo;
        return say("a folder without MOT (seqinfo.ini, gt/gt.txt), VOC (*.xml) or YOLO (*.txt) "
                   "files");
    }
    const std::string ext = lower(p.extension().string());
    const bool exists = fs::exists(p, ec);
    if (ext == ".txt" || ext == ".csv") return Format::Mot;
    if (!exists) {
        // A new file (an export): .json is Sightline's own, lossless form.
        if (ext == ".json") return Format::Sightline;
        if (ext.empty()) return say("no extension: give the format");
        return say("cannot tell the format of a new '" + ext + "' file");
    }
    const std::string h = head(p, 4096);
    if (ext == ".json") {
        if (h.find("sightline-annotations") != std::string::npos ||
            h.find("\"frames\"") != std::string::npos)
            return Format::Sightline;
        return Format::Coco;   // an object with images / annotations, or a results list
    }
    if (ext == ".xml") {
        if (h.find("<annotations") != std::string::npos) {
            if (h.find("<track") != std::string::npos ||
                h.find("<mode>interpolation") != std::string::npos)
                return Format::CvatVideo;
            if (h.find("<image") != std::string::npos) return Format::CvatImages;
            return Format::CvatVideo;
        }
        if (h.find("<annotation") != std::string::npos) return Format::Voc;
        return say("an XML file that is neither CVAT (<annotations>) nor Pascal VOC "
                   "(<annotation>)");
    }
    return say("unknown extension '" + ext + "'");
}

}  // namespace sl::annotate::formats
