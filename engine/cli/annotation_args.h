#pragma once
// What the annotation verbs (convert, eval, project) share: the import options on the command line
// and "an annotation set" given either as a file of any supported format or as a set of a project
// (PROJECT.slproj#SET, SET being a set's name or id).

#include <span>
#include <string>

#include "annotate/formats/format.h"
#include "core/status.h"
#include "pipeline/results_store.h"
#include <iosfwd>

namespace sl::store {
class ProjectStore;
}

namespace sl::cli {

struct AnnotationInputArgs {
    annotate::formats::ImportOptions options;
    std::optional<annotate::formats::Format> format;   // --from; default: detected
    std::string video;                                 // --video V: media size and length from V
};

// Parses one option at args[i] (advancing i past its value): 1 when it was one of ours, 0 when it
// is not, -1 with PROBLEM on a bad value. Options: --from F, --clip, --skip-bad,
// --skip-unknown-labels, --labels a,b,c, --size WxH, --frames N, --first-frame N, --video V,
// --kind ground-truth|model-run|reviewed, --name NAME.
int parseAnnotationInputArg(std::span<const std::string> args, size_t& i, AnnotationInputArgs& a,
                            std::string& problem);
extern const char* const kAnnotationInputUsage;

// Fills options.media from --video (probed, frame count from the index) when given.
Status resolveVideo(AnnotationInputArgs& a);

// A set named on the command line: a file (imported with A's options) or PROJECT.slproj#SET.
struct LoadedSet {
    annotate::AnnotationSet set;
    annotate::MediaInfo media;
    annotate::formats::ImportReport report;   // empty for project sets
    std::vector<annotate::formats::FrameInfo> frames;   // the file's image list (COCO)
    std::vector<int64_t> labelIds;                      // the file's label ids (COCO)
    std::string description;                  // "gt.json (coco)", "p.slproj#gt (ground-truth)"
};
Expected<LoadedSet> loadAnnotationSet(const std::string& spec, const AnnotationInputArgs& a);

// A project's set by name (unique over its media) or id, with its media; no objects.
struct ProjectSetRef {
    annotate::AnnotationSet set;
    annotate::MediaInfo media;
};
Expected<ProjectSetRef> findProjectSet(store::ProjectStore& project, const std::string& path,
                                       const std::string& nameOrId);

// "PROJECT.slproj#SET" -> {PROJECT.slproj, SET}; false when SPEC names no project set.
bool splitProjectSpec(const std::string& spec, std::string& project, std::string& set);

// Media info of a video file for the annotation model (size, exact frame count, nominal fps).
Expected<annotate::MediaInfo> probeAnnotationMedia(const std::string& path);

// `analyze --project P`: the run's results as a model run of VIDEO's media in P (the project is
// created, the media added, when missing). One transaction; returns the new set's id.
Expected<int64_t> saveModelRun(const std::string& projectPath, const std::string& video,
                               const pipeline::ResultsStore& results, const std::string& model,
                               const std::string& parametersJson, std::ostream& out);

// Prints what an import did: the frame mapping, counts, clipped / skipped, warnings.
std::string describeImport(const std::string& what, const annotate::formats::ImportReport& r);

}  // namespace sl::cli
