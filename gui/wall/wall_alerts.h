#pragma once
// The wall's alerts (issue 15): one rule firing on one camera, as the Alerts panel lists it, with
// a thumbnail of the frame it fired on and the boxes of the tracks involved drawn in. The
// thumbnail is made on the source's thread (a scaled RGB copy, ~40 KB), so the GUI thread never
// converts pixels.

#include <QDateTime>
#include <QImage>
#include <QString>

#include <cstdint>
#include <string>

#include "analytics/rule_engine.h"
#include "media/video_frame.h"

namespace sl::gui {

struct WallAlert {
    int64_t id = 0;                 // 1, 2, ... in the order raised
    QDateTime wallTime;             // when it fired (local)
    QString source;
    analytics::Alert alert;         // rule, severity, frame, objects, message
    QImage thumbnail;               // null when the frame had no pixels
    bool acknowledged = false;
    QString clipPath;               // its event clip, once written (empty before, or none)
};

// `frame` scaled to `width` pixels wide (aspect kept, sample aspect ratio applied), RGB, with the
// alert's objects outlined. A null image when the frame is not valid or cannot be converted.
QImage alertThumbnail(const media::VideoFrame& frame, const analytics::Alert& alert,
                      int width = 192);

// The events.jsonl line of an alert (analytics::alertJsonLine plus "wall_time", the format of
// `sightline monitor --events`).
std::string alertEventLine(const WallAlert& alert);

}  // namespace sl::gui
