#pragma once
// Exports of the tracking and analytics results, all written atomically (writeFileAtomic):
//   tracks   MOTChallenge text, one row per tracked object and frame:
//            frame,id,x,y,w,h,score,-1,-1,-1   (frame 1-based: frame index + 1; x, y top-left)
//   events   .csv, .json or .jsonl: pipeline/track_export.h (the CLI's writers)
//   heatmap  PNG of the colourised heatmap at source size, alone or over a picture of the frame
// Each returns an empty string on success, else the message naming the file.

#include <QImage>
#include <QString>

#include <string>

#include "pipeline/track_analysis.h"

namespace sl::gui {

QString exportTracksMot(const pipeline::TrackAnalysis& analysis, const QString& path);
QString exportEvents(const pipeline::TrackAnalysis& analysis, const QString& path);
// `heat`: the colourised cell grid; scaled to `size` (source pixels) and, when `frame` is not
// null, composited over it at `opacity`.
QString exportHeatmap(const QImage& heat, QSize size, const QImage& frame, double opacity,
                      const QString& path);

}  // namespace sl::gui
