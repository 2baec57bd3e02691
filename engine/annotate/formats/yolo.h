#pragma once
// YOLO (Ultralytics / darknet) labels: a folder with one .txt per frame ("class cx cy w h" per line,
// normalised to [0, 1]; a results file adds the score) and the class list (classes.txt, or
// obj.names / data.yaml names). Frame numbers come from the file names' last digits.

#include <string>

#include "annotate/formats/format.h"

namespace sl::annotate::formats {

Imported importYolo(const std::string& dir, const ImportOptions& options);
// One frame's file; needs the frame size (options.media) and the class list (options.labels).
Imported importYoloText(const std::string& text, const std::string& file, int64_t frame,
                        const ImportOptions& options);
// Writes DIR/<stem of imageNamePattern>.txt per frame with objects, and DIR/classes.txt; warns
// that track ids, scores and flags are dropped.
ExportReport exportYolo(const AnnotationSet& set, const MediaInfo& media, const std::string& dir,
                        const ExportOptions& options);

}  // namespace sl::annotate::formats
