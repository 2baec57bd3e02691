#pragma once
// CVAT for video 1.1 (<track> of <box frame keyframe outside occluded xtl ytl xbr ybr> with
// <attribute>s) and CVAT for images 1.1 (<image id name> of <box>), one importer for both (the
// root's children tell which). CVAT writes the video's own frame numbers (start_frame +
// relative frame x step), so CVAT frame N is engine frame N - firstFrame (default 0, not
// start_frame); <image id=N> likewise. docs/formats.md has the whole mapping.

#include <string>

#include "annotate/formats/format.h"

namespace sl::annotate::formats {

Imported importCvat(const std::string& path, const ImportOptions& options);
Imported importCvatText(const std::string& text, const std::string& file,
                        const ImportOptions& options);
// Video: one <track> per track id (lone boxes become one-frame tracks), keyframes as stored and,
// with options.denseTracks, every frame between them with keyframe="0" (annotate/interpolation.h).
std::string exportCvatVideoText(const AnnotationSet& set, const MediaInfo& media,
                                const ExportOptions& options, ExportReport& report);
std::string exportCvatImagesText(const AnnotationSet& set, const MediaInfo& media,
                                 const ExportOptions& options, ExportReport& report);

}  // namespace sl::annotate::formats
