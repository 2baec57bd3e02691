#include "store/project_annotations.h"

#include <algorithm>
#include <exception>
#include <filesystem>

#include "annotate/interpolation.h"

namespace sl::store {

namespace fmt = annotate::formats;

Expected<fmt::Imported> readAnnotationFile(const std::string& file,
                                           std::optional<fmt::Format> format,
                                           const fmt::ImportOptions& options) {
    if (!format) {
        std::string why;
        format = fmt::detectFormat(file, &why);
        if (!format) return Status(StatusCode::InvalidArgument, why + " (give the format)");
    }
    try {
        return fmt::importAnnotations(file, *format, options);
    } catch (const std::exception& e) {
        // FormatError's text names the file and the line; other failures (I/O) name the file.
        return Status(StatusCode::InvalidArgument, e.what());
    }
}

void endDenseTracks(annotate::AnnotationSet& set, int64_t frameCount) {
    // MOT ground truth lists a track on every frame it is visible, each row a keyframe. As
    // keyframes alone, a gap would be interpolated across and the last box held to the media's
    // end (CVAT's rule); MOT means "not there". Outside keyframes after each visible run say so
    // (keyframesOnly keeps flagged keyframes and adds only those closers), so the project shows,
    // exports and evaluates exactly the file's rows.
    const bool allKeyframes = std::all_of(
        set.objects.begin(), set.objects.end(),
        [](const annotate::Object& o) { return o.trackId == annotate::kNoTrack || o.keyframe; });
    if (!allKeyframes) return;
    int64_t last = frameCount > 0 ? frameCount - 1 : 0;
    if (frameCount <= 0)
        for (const auto& o : set.objects) last = std::max(last, o.frame);
    set.objects = annotate::keyframesOnly(set.objects, last);
}

Expected<AnnotationImport> importAnnotationFile(ProjectStore& project,
                                                const annotate::MediaInfo& media,
                                                const std::string& file,
                                                std::optional<fmt::Format> format,
                                                fmt::ImportOptions options,
                                                const Progress& progress) {
    // The project's media bounds the import: boxes inside its frame, frames within its length.
    if (options.media.width == 0) {
        options.media.width = media.width;
        options.media.height = media.height;
    }
    if (options.media.frameCount == 0) options.media.frameCount = media.frameCount;
    if (!format) {
        std::string why;
        format = fmt::detectFormat(file, &why);
        if (!format) return Status(StatusCode::InvalidArgument, why + " (give the format)");
    }
    auto imported = readAnnotationFile(file, format, options);
    if (!imported) return imported.status();
    if (imported->set.name.empty())
        imported->set.name = std::filesystem::path(file).stem().string();
    const auto rows = int64_t(imported->set.objects.size());   // what the file held
    if (*format == fmt::Format::Mot) endDenseTracks(imported->set, media.frameCount);
    auto id = project.importSet(media.id, imported->set, progress);
    if (!id) return id.status();
    AnnotationImport out;
    out.format = *format;
    out.report = std::move(imported->report);
    out.setId = *id;
    out.setName = imported->set.name;
    out.kind = imported->set.kind;
    out.objects = rows;
    return out;
}

Expected<SetWithMedia> loadSetWithMedia(ProjectStore& project, int64_t setId) {
    SetWithMedia out;
    auto set = project.set(setId);
    if (!set) return set.status();
    auto objects = project.objects(setId);
    if (!objects) return objects.status();
    auto mediaId = project.mediaOfSet(setId);
    if (!mediaId) return mediaId.status();
    auto media = project.mediaById(*mediaId);
    if (!media) return media.status();
    out.set = std::move(*set);
    out.set.objects = std::move(*objects);
    out.media = std::move(*media);
    return out;
}

Expected<fmt::ExportReport> exportProjectSet(ProjectStore& project, int64_t setId,
                                             const std::string& out, fmt::Format format,
                                             const fmt::ExportOptions& options) {
    auto loaded = loadSetWithMedia(project, setId);
    if (!loaded) return loaded.status();
    try {
        return fmt::exportAnnotations(loaded->set, loaded->media, out, format, options);
    } catch (const std::exception& e) {
        return Status(StatusCode::InvalidArgument, e.what());
    }
}

}  // namespace sl::store
