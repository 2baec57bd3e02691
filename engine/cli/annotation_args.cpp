#include "cli/annotation_args.h"

#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "media/media_source.h"
#include "pipeline/results_annotations.h"
#include "store/project_annotations.h"
#include "store/project_store.h"

namespace sl::cli {

namespace fmt = annotate::formats;

const char* const kAnnotationInputUsage =
    "  input options: --from FORMAT (default: detected) --video V (size and length from V)\n"
    "    --size WxH --frames N --first-frame N (the file's number of frame 0)\n"
    "    --clip | --skip-bad (boxes outside the frame / invalid: default fail)\n"
    "    --labels a,b,c [--skip-unknown-labels] --kind ground-truth|model-run|reviewed\n"
    "    --name NAME\n"
    "  formats: sightline coco mot cvat-video cvat-images yolo voc";

namespace {

bool parseInt64(const std::string& s, int64_t& v) {
    char* end = nullptr;
    errno = 0;
    const long long x = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end == s.c_str() || *end != '\0') return false;
    v = x;
    return true;
}

}  // namespace

int parseAnnotationInputArg(std::span<const std::string> args, size_t& i, AnnotationInputArgs& a,
                            std::string& problem) {
    const std::string& o = args[i];
    const bool hasValue = i + 1 < args.size();
    auto value = [&]() -> const std::string& { return args[++i]; };
    if (o == "--clip") {
        a.options.badBoxes = fmt::BadBoxPolicy::Clip;
    } else if (o == "--skip-bad") {
        a.options.badBoxes = fmt::BadBoxPolicy::Skip;
    } else if (o == "--skip-unknown-labels") {
        a.options.skipUnknownLabels = true;
    } else if (o == "--from" && hasValue) {
        const std::string& v = value();
        a.format = fmt::parseFormatName(v);
        if (!a.format) {
            problem = "unknown format '" + v + "'";
            return -1;
        }
    } else if (o == "--labels" && hasValue) {
        std::stringstream ss(value());
        for (std::string l; std::getline(ss, l, ',');)
            if (!l.empty()) a.options.labels.push_back(l);
    } else if (o == "--size" && hasValue) {
        const std::string& v = value();
        int w = 0, h = 0;
        char x = 0;
        std::istringstream is(v);
        if (!(is >> w >> x >> h) || x != 'x' || w <= 0 || h <= 0) {
            problem = "--size needs WIDTHxHEIGHT, not '" + v + "'";
            return -1;
        }
        a.options.media.width = w;
        a.options.media.height = h;
    } else if (o == "--frames" && hasValue) {
        int64_t n = 0;
        if (!parseInt64(value(), n) || n <= 0) {
            problem = "--frames needs a positive frame count";
            return -1;
        }
        a.options.media.frameCount = n;
    } else if (o == "--first-frame" && hasValue) {
        int64_t n = 0;
        if (!parseInt64(value(), n)) {
            problem = "--first-frame needs an integer";
            return -1;
        }
        a.options.firstFrame = n;
    } else if (o == "--video" && hasValue) {
        a.video = value();
    } else if (o == "--kind" && hasValue) {
        const std::string& v = value();
        auto k = annotate::parseSetKind(v);
        if (!k) {
            problem = "--kind needs ground-truth, model-run or reviewed, not '" + v + "'";
            return -1;
        }
        a.options.kind = *k;
    } else if (o == "--name" && hasValue) {
        a.options.setName = value();
    } else {
        return 0;
    }
    return 1;
}

Expected<annotate::MediaInfo> probeAnnotationMedia(const std::string& path) {
    media::OpenOptions open;
    open.url = path;
    open.buildIndex = true;   // the exact frame count checks "frames past the end"
    auto info = media::probeMedia(open);
    if (!info) return info.status();
    const media::StreamInfo* v = info->video();
    if (!v) return Status(StatusCode::InvalidArgument, path + ": no video stream");
    annotate::MediaInfo m;
    m.path = std::filesystem::absolute(path).lexically_normal().string();
    m.width = v->width;
    m.height = v->height;
    m.frameCount = info->frameCount.value_or(0);
    m.fps = v->nominalFps;
    m.timeBaseNum = v->timeBaseNum;
    m.timeBaseDen = v->timeBaseDen;
    m.startPts = v->startPts;
    return m;
}

Status resolveVideo(AnnotationInputArgs& a) {
    if (a.video.empty()) return Status::ok();
    auto m = probeAnnotationMedia(a.video);
    if (!m) return m.status();
    if (a.options.media.width == 0) {
        a.options.media.width = m->width;
        a.options.media.height = m->height;
    }
    if (a.options.media.frameCount == 0) a.options.media.frameCount = m->frameCount;
    a.options.media.path = m->path;
    a.options.media.fps = m->fps;
    return Status::ok();
}

bool splitProjectSpec(const std::string& spec, std::string& project, std::string& set) {
    const size_t hash = spec.rfind('#');
    if (hash == std::string::npos) return false;
    const std::string p = spec.substr(0, hash);
    if (std::filesystem::path(p).extension() != ".slproj") return false;
    project = p;
    set = spec.substr(hash + 1);
    return true;
}

Expected<ProjectSetRef> findProjectSet(store::ProjectStore& project, const std::string& path,
                                       const std::string& nameOrId) {
    std::vector<ProjectSetRef> hits;
    std::string names;
    int64_t id = 0;
    const bool byId = parseInt64(nameOrId, id);
    for (const annotate::MediaInfo& m : project.media())
        for (const annotate::AnnotationSet& s : project.sets(m.id)) {
            names += (names.empty() ? "" : ", ") + s.name;
            if (s.name == nameOrId || (byId && s.id == id)) hits.push_back({s, m});
        }
    if (hits.size() == 1) return hits.front();
    if (hits.empty())
        return Status(StatusCode::NotFound,
                      path + ": no annotation set '" + nameOrId + "' (sets: " +
                          (names.empty() ? "none" : names) + ")");
    return Status(StatusCode::InvalidArgument,
                  path + ": " + std::to_string(hits.size()) + " sets are named '" + nameOrId +
                      "' (one per media): name it by id");
}

Expected<LoadedSet> loadAnnotationSet(const std::string& spec, const AnnotationInputArgs& a) {
    LoadedSet out;
    std::string projectPath, setName;
    if (splitProjectSpec(spec, projectPath, setName)) {
        auto project = store::ProjectStore::open(projectPath, /*readOnly=*/true);
        if (!project) return project.status();
        auto found = findProjectSet(**project, projectPath, setName);
        if (!found) return found.status();
        out.media = found->media;
        auto objects = (*project)->objects(found->set.id);
        if (!objects) return objects.status();
        out.set = found->set;
        out.set.objects = std::move(*objects);
        out.description = spec + " (" + annotate::setKindName(out.set.kind) + ")";
        return out;
    }
    std::optional<fmt::Format> format = a.format;
    if (!format) {
        std::string why;
        format = fmt::detectFormat(spec, &why);
        if (!format) return Status(StatusCode::InvalidArgument, why + " (give --from FORMAT)");
    }
    auto imported = store::readAnnotationFile(spec, format, a.options);
    if (!imported) return imported.status();
    out.set = std::move(imported->set);
    out.media = imported->media;
    if (a.options.media.width > 0) {
        out.media.width = a.options.media.width;
        out.media.height = a.options.media.height;
    }
    if (a.options.media.frameCount > 0) out.media.frameCount = a.options.media.frameCount;
    if (!a.options.media.path.empty()) out.media.path = a.options.media.path;
    out.report = std::move(imported->report);
    out.frames = std::move(imported->frames);
    out.labelIds = std::move(imported->labelIds);
    out.description = spec + " (" + fmt::formatName(*format) + ")";
    return out;
}

Expected<int64_t> saveModelRun(const std::string& projectPath, const std::string& video,
                               const pipeline::ResultsStore& results, const std::string& model,
                               const std::string& parametersJson, std::ostream& out) {
    std::error_code ec;
    auto project = std::filesystem::exists(projectPath, ec)
                       ? store::ProjectStore::open(projectPath)
                       : store::ProjectStore::create(projectPath);
    if (!project) return project.status();
    auto media = probeAnnotationMedia(video);
    if (!media) return media.status();
    size_t objects = 0;
    for (const pipeline::FrameDetections& f : results.snapshot()) objects += f.detections.size();
    out << "storing " << objects << " objects in " << projectPath << "...\n";
    return pipeline::storeModelRun(**project, *media, results, {}, model, parametersJson);
}

std::string describeImport(const std::string& what, const annotate::formats::ImportReport& r) {
    std::ostringstream os;
    os << what << ": " << r.objects << " objects";
    if (r.tracks > 0) os << " in " << r.tracks << " tracks";
    os << "\n";
    if (!r.frameMapping.empty()) os << "  frames: " << r.frameMapping << "\n";
    if (r.clipped > 0) os << "  clipped to the frame: " << r.clipped << " boxes\n";
    if (r.skippedBoxes > 0) os << "  skipped (invalid or outside): " << r.skippedBoxes << " boxes\n";
    if (r.skippedLabels > 0) os << "  skipped (unknown label): " << r.skippedLabels << " objects\n";
    for (const std::string& w : r.warnings) os << "  warning: " << w << "\n";
    return os.str();
}

}  // namespace sl::cli
