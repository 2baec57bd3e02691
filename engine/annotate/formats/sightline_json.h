#pragma once
// Sightline's own annotation JSON: the lossless form of an annotation set (every Object field,
// tracks, attributes, the set's kind / model / parameters, the media). It also reads what
// `analyze --out x.json` writes (ResultsStore::toJson: {"frames": [...]} with per-frame boxes and
// track ids), so a results file is an annotation file. Documented in docs/formats.md.

#include <string>

#include "annotate/formats/format.h"

namespace sl::annotate::formats {

// TEXT is the file's contents, FILE its name for messages (JSON pointers name the bad value).
Imported importSightlineJsonText(const std::string& text, const std::string& file,
                                 const ImportOptions& options);
std::string exportSightlineJsonText(const AnnotationSet& set, const MediaInfo& media,
                                    const ExportOptions& options, ExportReport& report);

}  // namespace sl::annotate::formats
