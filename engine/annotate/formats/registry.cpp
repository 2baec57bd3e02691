// The format.h dispatch: which importer / exporter a Format means, and recognising a format from a
// path (extension, first bytes, or a folder's files). CVAT, YOLO and Pascal VOC are recognised but
// not read or written yet: they fail with a message that says so, never silently.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "annotate/formats/coco.h"
#include "annotate/formats/format.h"
#include "annotate/formats/mot.h"
#include "annotate/formats/sightline_json.h"

namespace sl::annotate::formats {

namespace fs = std::filesystem;

Imported importAnnotations(const std::string& path, Format format, const ImportOptions& options) {
    switch (format) {
        case Format::Sightline:
            return importSightlineJsonText(readFile(path), path, options);
        case Format::Coco: return importCocoText(readFile(path), path, options);
        case Format::Mot: return importMot(path, options);
        case Format::CvatVideo:
        case Format::CvatImages:
        case Format::Yolo:
        case Format::Voc: break;
    }
    throw FormatError(path, "", "", std::string("the ") + formatName(format) +
                                        " format is not implemented yet (sightline, coco and mot "
                                        "are)");
}

ExportReport exportAnnotations(const AnnotationSet& set, const MediaInfo& media,
                               const std::string& path, Format format,
                               const ExportOptions& options) {
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
        case Format::Mot: return exportMot(set, media, path, options);
        case Format::CvatVideo:
        case Format::CvatImages:
        case Format::Yolo:
        case Format::Voc: break;
    }
    throw std::runtime_error(path + ": the " + std::string(formatName(format)) +
                             " format is not implemented yet (sightline, coco and mot are)");
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
