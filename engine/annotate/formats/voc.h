#pragma once
// Pascal VOC XML: a folder with one <annotation> file per frame (<filename>, <size>, <object> with
// <name>, <bndbox> xmin ymin xmax ymax (1-based pixel corners), <difficult>, <truncated>,
// <occluded>). Frame numbers come from the file names' last digits.

#include <string>

#include "annotate/formats/format.h"

namespace sl::annotate::formats {

Imported importVoc(const std::string& dir, const ImportOptions& options);
Imported importVocText(const std::string& text, const std::string& file, int64_t frame,
                       const ImportOptions& options);
// Writes DIR/<stem of imageNamePattern>.xml per frame with objects; warns that track ids and
// scores are dropped.
ExportReport exportVoc(const AnnotationSet& set, const MediaInfo& media, const std::string& dir,
                       const ExportOptions& options);

}  // namespace sl::annotate::formats
