#pragma once
// COCO detection JSON: a dataset ({"images", "annotations", "categories"}; frames as images,
// categories as labels, bbox [x, y, w, h], iscrowd, area, track ids as attributes.track_id as CVAT
// and Datumaro write) or a results list ([{"image_id", "category_id", "bbox", "score"}], which
// needs the dataset's images / categories to mean anything: IMAGES_FROM).

#include <string>

#include "annotate/formats/format.h"

namespace sl::annotate::formats {

Imported importCocoText(const std::string& text, const std::string& file,
                        const ImportOptions& options);
// A results list against the dataset it was made on: image ids map to the frames GT maps them to,
// category ids to GT's labels. GT is what importCocoText returned for the dataset.
Imported importCocoResultsText(const std::string& text, const std::string& file,
                               const Imported& gt, const ImportOptions& options);
std::string exportCocoText(const AnnotationSet& set, const MediaInfo& media,
                           const ExportOptions& options, ExportReport& report);

}  // namespace sl::annotate::formats
