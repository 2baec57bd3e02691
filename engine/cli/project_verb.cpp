// `sightline project create|add|import|export|list|info|edit|undo|redo|history|relink|copy|
// export-dataset PROJECT.slproj ...`: the project store
// (store/project_store.h) from the command line. Every change is one transaction: an import that
// fails (or a process killed during it) leaves the project as it was.

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "cli/annotation_args.h"
#include "cli/cli.h"
#include "store/project_annotations.h"
#include "store/project_store.h"

namespace sl::cli {

// project_edit_verb.cpp: edit, undo, redo, history.
int runProjectEdit(const std::string& sub, std::span<const std::string> rest, std::ostream& out,
                   std::ostream& err);
const char* projectEditUsage();
// project_files_verb.cpp: relink, copy, export-dataset.
int runProjectFiles(const std::string& sub, std::span<const std::string> rest, std::ostream& out,
                    std::ostream& err);
const char* projectFilesUsage();

namespace {

namespace fmt = annotate::formats;
namespace fs = std::filesystem;

constexpr const char* kUsage =
    "sightline project create PROJECT.slproj [VIDEO...]\n"
    "       sightline project add PROJECT.slproj VIDEO...\n"
    "       sightline project import PROJECT.slproj FILE [--media ID|PATH] [input options]\n"
    "       sightline project export PROJECT.slproj SET OUT [--to FORMAT] [--keyframes-only]\n"
    "       sightline project list|info PROJECT.slproj\n"
    "       sightline project edit PROJECT.slproj OPERATION... | --script FILE\n"
    "       sightline project undo|redo PROJECT.slproj [COUNT]\n"
    "       sightline project history PROJECT.slproj";

struct Out {
    std::ostream& out;
    std::ostream& err;
    int fail(const std::string& m) const {
        err << "sightline project: " << m << "\n";
        return kExitFailure;
    }
};

int usageError(std::ostream& err, const std::string& problem) {
    err << "sightline project: " << problem << "\nusage: " << kUsage << "\n"
        << kAnnotationInputUsage << "\n";
    return kExitUsage;
}

Status addVideos(store::ProjectStore& project, std::span<const std::string> videos,
                 std::ostream& out) {
    for (const std::string& v : videos) {
        out << "probing " << v << " (indexing frames)...\n" << std::flush;
        auto m = probeAnnotationMedia(v);
        if (!m) return m.status();
        for (const annotate::MediaInfo& existing : project.media())
            if (existing.path == m->path)
                return Status(StatusCode::InvalidArgument,
                              v + " is already in the project (media " +
                                  std::to_string(existing.id) + ")");
        auto id = project.addMedia(*m);
        if (!id) return id.status();
        out << "media " << *id << ": " << m->path << " (" << m->width << "x" << m->height << ", "
            << m->frameCount << " frames)\n";
    }
    return Status::ok();
}

int create(std::span<const std::string> rest, const Out& o) {
    if (rest.empty()) return usageError(o.err, "create needs a project path");
    if (fs::path(rest[0]).extension() != ".slproj")
        return usageError(o.err, "a project file ends in .slproj: '" + rest[0] + "'");
    auto project = store::ProjectStore::create(rest[0]);
    if (!project) return o.fail(project.status().message());
    if (Status st = addVideos(**project, rest.subspan(1), o.out); !st) {
        // A create that could not add its media leaves no half-made project behind.
        project->reset();
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(rest[0] + suffix, ec);
        return o.fail(st.message());
    }
    o.out << "created " << rest[0] << "\n";
    return kExitOk;
}

int add(std::span<const std::string> rest, const Out& o) {
    if (rest.size() < 2) return usageError(o.err, "add needs a project and at least one video");
    auto project = store::ProjectStore::open(rest[0]);
    if (!project) return o.fail(project.status().message());
    if (Status st = addVideos(**project, rest.subspan(1), o.out); !st) return o.fail(st.message());
    return kExitOk;
}

Expected<annotate::MediaInfo> pickMedia(store::ProjectStore& project, const std::string& path,
                                        const std::string& which) {
    const std::vector<annotate::MediaInfo> all = project.media();
    if (which.empty()) {
        if (all.size() == 1) return all.front();
        return Status(StatusCode::InvalidArgument,
                      path + (all.empty() ? ": has no media yet (sightline project add)"
                                          : ": has several media: say which with --media"));
    }
    for (const annotate::MediaInfo& m : all) {
        if (std::to_string(m.id) == which) return m;
        std::error_code ec;
        if (m.path == which || fs::equivalent(m.path, which, ec)) return m;
    }
    return Status(StatusCode::NotFound, path + ": no media '" + which + "'");
}

int importInto(std::span<const std::string> rest, const Out& o) {
    AnnotationInputArgs in;
    std::string mediaWanted;
    std::vector<std::string> paths;
    for (size_t i = 0; i < rest.size(); ++i) {
        std::string problem;
        if (const int r = parseAnnotationInputArg(rest, i, in, problem); r < 0)
            return usageError(o.err, problem);
        else if (r > 0)
            continue;
        if (rest[i] == "--media" && i + 1 < rest.size()) mediaWanted = rest[++i];
        else if (rest[i].size() > 1 && rest[i][0] == '-')
            return usageError(o.err, "unknown or incomplete option '" + rest[i] + "'");
        else paths.push_back(rest[i]);
    }
    if (paths.size() != 2) return usageError(o.err, "import needs a project and one file");
    auto project = store::ProjectStore::open(paths[0]);
    if (!project) return o.fail(project.status().message());
    auto media = pickMedia(**project, paths[0], mediaWanted);
    if (!media) return o.fail(media.status().message());
    if (!in.format) {
        std::string why;
        in.format = fmt::detectFormat(paths[1], &why);
        if (!in.format) return o.fail(why + " (give --from FORMAT)");
    }
    o.out << "storing " << paths[1] << " (" << fmt::formatName(*in.format) << ")...\n"
          << std::flush;
    auto done = store::importAnnotationFile(**project, *media, paths[1], in.format, in.options);
    if (!done) return o.fail(done.status().message());
    o.out << describeImport(paths[1] + " (" + fmt::formatName(done->format) + ")", done->report);
    o.out << "set " << done->setId << " '" << done->setName << "' ("
          << annotate::setKindName(done->kind) << ") imported into " << paths[0] << "\n";
    return kExitOk;
}

int exportFrom(std::span<const std::string> rest, const Out& o) {
    std::optional<fmt::Format> to;
    fmt::ExportOptions options;
    std::vector<std::string> paths;
    for (size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == "--to" && i + 1 < rest.size()) {
            to = fmt::parseFormatName(rest[++i]);
            if (!to) return usageError(o.err, "unknown format '" + rest[i] + "'");
        } else if (rest[i] == "--keyframes-only") {
            options.denseTracks = false;
        } else if (rest[i].size() > 1 && rest[i][0] == '-') {
            return usageError(o.err, "unknown or incomplete option '" + rest[i] + "'");
        } else {
            paths.push_back(rest[i]);
        }
    }
    if (paths.size() != 3) return usageError(o.err, "export needs a project, a set and OUT");
    if (!to) {
        std::string why;
        to = fmt::detectFormat(paths[2], &why);
        if (!to) return o.fail(why + " (give --to FORMAT)");
    }
    auto project = store::ProjectStore::open(paths[0], /*readOnly=*/true);
    if (!project) return o.fail(project.status().message());
    auto found = findProjectSet(**project, paths[0], paths[1]);
    if (!found) return o.fail(found.status().message());
    auto r = store::exportProjectSet(**project, found->set.id, paths[2], *to, options);
    if (!r) return o.fail(r.status().message());
    for (const std::string& w : r->warnings) o.err << "sightline project: warning: " << w << "\n";
    auto count = (*project)->objectCount(found->set.id);
    o.out << "wrote " << paths[2] << " (" << fmt::formatName(*to) << ", " << (count ? *count : 0)
          << " objects)\n";
    return kExitOk;
}

int list(std::span<const std::string> rest, const Out& o, bool info) {
    if (rest.size() != 1) return usageError(o.err, "needs exactly one project");
    auto project = store::ProjectStore::open(rest[0], /*readOnly=*/true);
    if (!project) return o.fail(project.status().message());
    int64_t sets = 0, objects = 0;
    const std::vector<annotate::MediaInfo> media = (*project)->media();
    if (info) {
        std::error_code ec;
        o.out << rest[0] << ": schema version " << (*project)->schemaVersion() << ", "
              << fs::file_size(rest[0], ec) << " bytes, " << media.size() << " media\n";
    }
    for (const annotate::MediaInfo& m : media) {
        o.out << "media " << m.id << ": " << m.path << " (" << m.width << "x" << m.height << ", "
              << m.frameCount << " frames)\n";
        for (const annotate::AnnotationSet& s : (*project)->sets(m.id)) {
            auto objs = (*project)->objects(s.id);
            if (!objs) return o.fail(objs.status().message());
            std::set<int64_t> tracks, frames;
            for (const annotate::Object& ob : *objs) {
                if (ob.trackId != annotate::kNoTrack) tracks.insert(ob.trackId);
                frames.insert(ob.frame);
            }
            ++sets;
            objects += int64_t(objs->size());
            o.out << "  set " << s.id << " '" << s.name << "' (" << annotate::setKindName(s.kind)
                  << "): " << objs->size() << " objects, " << tracks.size() << " tracks, "
                  << frames.size() << " frames";
            if (!s.model.empty()) o.out << ", model " << s.model;
            o.out << "\n";
        }
    }
    if (info) o.out << sets << " sets, " << objects << " objects\n";
    return kExitOk;
}

}  // namespace

int runProject(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    if (args.empty()) return usageError(err, "no sub-command given");
    const std::string& sub = args[0];
    if (sub == "-h" || sub == "--help") {
        out << "usage: " << kUsage << "\n" << kAnnotationInputUsage << "\n"
            << projectEditUsage() << "\n" << projectFilesUsage() << "\n";
        return kExitOk;
    }
    const Out o{out, err};
    const std::span<const std::string> rest = args.subspan(1);
    if (sub == "create") return create(rest, o);
    if (sub == "add") return add(rest, o);
    if (sub == "import") return importInto(rest, o);
    if (sub == "export") return exportFrom(rest, o);
    if (sub == "list") return list(rest, o, false);
    if (sub == "info") return list(rest, o, true);
    if (sub == "edit" || sub == "undo" || sub == "redo" || sub == "history")
        return runProjectEdit(sub, rest, out, err);
    if (sub == "relink" || sub == "copy" || sub == "export-dataset")
        return runProjectFiles(sub, rest, out, err);
    return usageError(err, "unknown sub-command '" + sub + "'");
}

int runProject(std::span<const std::string> args) { return runProject(args, std::cout, std::cerr); }

}  // namespace sl::cli
