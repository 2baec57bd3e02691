#pragma once
// MOTChallenge text: gt.txt / det.txt / tracker results, one row per box
// `frame,id,x,y,w,h,conf,class,visibility` (frames 1-based; MOT15 rows end in x,y,z world
// coordinates instead of class,visibility), and the sequence's seqinfo.ini (name, frameRate,
// seqLength, imWidth, imHeight). PATH is a .txt / .csv file or a sequence folder (seqinfo.ini
// with gt/gt.txt, else det/det.txt).

#include <string>

#include "annotate/formats/format.h"

namespace sl::annotate::formats {

Imported importMot(const std::string& path, const ImportOptions& options);
// One file's rows; FILE names it in messages ("gt.txt:17: height: negative (-3)").
Imported importMotText(const std::string& text, const std::string& file,
                       const ImportOptions& options);
// PATH ending in .txt / .csv: that file only. Otherwise a sequence folder: PATH/gt/gt.txt and
// PATH/seqinfo.ini.
ExportReport exportMot(const AnnotationSet& set, const MediaInfo& media, const std::string& path,
                       const ExportOptions& options);
std::string exportMotText(const AnnotationSet& set, const ExportOptions& options,
                          ExportReport& report);

}  // namespace sl::annotate::formats
