#pragma once
// Annotation files in and out of a project: what `sightline project import|export` and the
// workstation's File > Import / Export Annotations share, so both read, check and store a file
// the same way. Failures are Status values; a malformed file's message is the importer's
// FormatError text ("FILE:line N: FIELD: PROBLEM") and the project is left unchanged (nothing is
// stored before the whole file parsed; the set is stored in one transaction).

#include <cstdint>
#include <optional>
#include <string>

#include "annotate/formats/format.h"
#include "core/status.h"
#include "store/project_store.h"

namespace sl::store {

// Reads FILE as FORMAT (nullopt: detected from the file, failing with the reason).
Expected<annotate::formats::Imported> readAnnotationFile(
    const std::string& file, std::optional<annotate::formats::Format> format,
    const annotate::formats::ImportOptions& options);

struct AnnotationImport {
    annotate::formats::Format format = annotate::formats::Format::Sightline;
    annotate::formats::ImportReport report;
    int64_t setId = 0;
    std::string setName;
    annotate::SetKind kind = annotate::SetKind::GroundTruth;
    int64_t objects = 0;
};

// Ends the tracks of dense, all-keyframe input (MOT ground truth) with outside keyframes after
// each visible run, up to FRAME_COUNT - 1 (unknown: the set's last frame), so that a gap or a
// track's end is not interpolated across; importAnnotationFile does this for MOT files.
void endDenseTracks(annotate::AnnotationSet& set, int64_t frameCount);

// FILE as a new set of MEDIA (a media of PROJECT): boxes are checked against MEDIA's size and
// frames against its length where OPTIONS does not say otherwise; the set is named
// options.setName or after the file. PROGRESS as for ProjectStore::importSet.
Expected<AnnotationImport> importAnnotationFile(ProjectStore& project,
                                                const annotate::MediaInfo& media,
                                                const std::string& file,
                                                std::optional<annotate::formats::Format> format,
                                                annotate::formats::ImportOptions options,
                                                const Progress& progress = {});

// Set SET_ID of PROJECT (with its media) written to OUT as FORMAT, atomically (the exporters
// write a temporary and rename).
Expected<annotate::formats::ExportReport> exportProjectSet(
    ProjectStore& project, int64_t setId, const std::string& out,
    annotate::formats::Format format, const annotate::formats::ExportOptions& options = {});

// The set SET_ID with its objects and its media.
struct SetWithMedia {
    annotate::AnnotationSet set;
    annotate::MediaInfo media;
};
Expected<SetWithMedia> loadSetWithMedia(ProjectStore& project, int64_t setId);

}  // namespace sl::store
