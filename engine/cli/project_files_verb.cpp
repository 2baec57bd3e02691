// `sightline project relink|copy|export-dataset`: the project as files (media that moved, a
// consistent copy, a compact training dataset of the annotated frames). The GUI's File menu runs
// the same engine functions (store/project_relink.h, ProjectStore::saveCopy,
// pipeline/dataset_export.h).

#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/annotation_args.h"
#include "cli/cli.h"
#include "pipeline/dataset_export.h"
#include "store/project_annotations.h"
#include "store/project_relink.h"
#include "store/project_store.h"

namespace sl::cli {

namespace {

constexpr const char* kFilesUsage =
    "       sightline project relink PROJECT.slproj DIR   (media found by file name in DIR)\n"
    "       sightline project copy PROJECT.slproj NEW.slproj\n"
    "       sightline project export-dataset PROJECT.slproj#SET OUT --format yolo|coco\n"
    "             [--image-format jpg|png] [--quality 2..31]   (only the annotated frames)";

int fail(std::ostream& err, const std::string& m) {
    err << "sightline project: " << m << "\n";
    return kExitFailure;
}

int usage(std::ostream& err, const std::string& problem) {
    err << "sightline project: " << problem << "\nusage:\n" << kFilesUsage << "\n";
    return kExitUsage;
}

int relink(std::span<const std::string> rest, std::ostream& out, std::ostream& err) {
    if (rest.size() != 2) return usage(err, "relink needs a project and a folder");
    auto project = store::ProjectStore::open(rest[0]);
    if (!project) return fail(err, project.status().message());
    auto r = store::relinkMediaFromFolder(**project, rest[1]);
    if (!r) return fail(err, r.status().message());
    for (const annotate::MediaInfo& m : r->relinked)
        out << "relinked media " << m.id << ": " << m.path << "\n";
    for (const annotate::MediaInfo& m : r->missing)
        out << "still missing media " << m.id << ": " << m.path << "\n";
    out << r->relinked.size() << " relinked, " << r->missing.size() << " still missing\n";
    return r->missing.empty() ? kExitOk : kExitFailure;
}

int copy(std::span<const std::string> rest, std::ostream& out, std::ostream& err) {
    if (rest.size() != 2) return usage(err, "copy needs a project and the new path");
    auto project = store::ProjectStore::open(rest[0], /*readOnly=*/true);
    if (!project) return fail(err, project.status().message());
    if (Status st = (*project)->saveCopy(rest[1]); !st) return fail(err, st.message());
    out << "copied " << rest[0] << " to " << rest[1] << "\n";
    return kExitOk;
}

std::string megabytes(uint64_t bytes) {
    std::ostringstream os;
    os << std::fixed << std::setprecision(2) << double(bytes) / 1e6 << " MB";
    return os.str();
}

int exportDataset(std::span<const std::string> rest, std::ostream& out, std::ostream& err) {
    pipeline::DatasetExportOptions options;
    std::optional<annotate::formats::Format> labels;
    std::vector<std::string> paths;
    for (size_t i = 0; i < rest.size(); ++i) {
        const bool hasValue = i + 1 < rest.size();
        if (rest[i] == "--format" && hasValue) {
            labels = annotate::formats::parseFormatName(rest[++i]);
            if (!labels || (*labels != annotate::formats::Format::Yolo &&
                            *labels != annotate::formats::Format::Coco))
                return usage(err, "--format needs yolo or coco, not '" + rest[i] + "'");
        } else if (rest[i] == "--image-format" && hasValue) {
            const std::string& v = rest[++i];
            if (v == "jpg" || v == "jpeg") options.images = pipeline::DatasetImageFormat::Jpeg;
            else if (v == "png") options.images = pipeline::DatasetImageFormat::Png;
            else return usage(err, "--image-format needs jpg or png, not '" + v + "'");
        } else if (rest[i] == "--quality" && hasValue) {
            options.jpegQuality = std::atoi(rest[++i].c_str());
            if (options.jpegQuality < 2 || options.jpegQuality > 31)
                return usage(err, "--quality needs 2 (best) .. 31");
        } else if (rest[i].size() > 1 && rest[i][0] == '-') {
            return usage(err, "unknown or incomplete option '" + rest[i] + "'");
        } else {
            paths.push_back(rest[i]);
        }
    }
    if (paths.size() != 2) return usage(err, "export-dataset needs PROJECT.slproj#SET and OUT");
    if (!labels) return usage(err, "export-dataset needs --format yolo|coco");
    options.labels = *labels;
    std::string projectPath, setName;
    if (!splitProjectSpec(paths[0], projectPath, setName))
        return usage(err, "'" + paths[0] + "' names no project set (PROJECT.slproj#SET)");
    auto project = store::ProjectStore::open(projectPath, /*readOnly=*/true);
    if (!project) return fail(err, project.status().message());
    auto found = findProjectSet(**project, projectPath, setName);
    if (!found) return fail(err, found.status().message());
    auto loaded = store::loadSetWithMedia(**project, found->set.id);
    if (!loaded) return fail(err, loaded.status().message());
    options.video = loaded->media.path;
    options.output = paths[1];
    out << "exporting " << pipeline::annotatedFrames(loaded->set, loaded->media).size()
        << " annotated frames of " << loaded->media.frameCount << " from " << options.video
        << "...\n" << std::flush;
    auto r = pipeline::exportDataset(loaded->set, loaded->media, options);
    if (!r) return fail(err, r.status().message());
    std::error_code ec;
    const auto videoBytes = std::filesystem::file_size(options.video, ec);
    out << "wrote " << paths[1] << ": " << r->frames << " images, " << r->objects << " boxes, "
        << megabytes(r->bytes) << " (the video: " << (ec ? std::string("?") : megabytes(videoBytes))
        << ")\n";
    return kExitOk;
}

}  // namespace

const char* projectFilesUsage() { return kFilesUsage; }

int runProjectFiles(const std::string& sub, std::span<const std::string> rest, std::ostream& out,
                    std::ostream& err) {
    if (sub == "relink") return relink(rest, out, err);
    if (sub == "copy") return copy(rest, out, err);
    return exportDataset(rest, out, err);
}

}  // namespace sl::cli
