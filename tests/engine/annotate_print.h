#pragma once
// GoogleTest printing of annotation objects: readable failures instead of byte dumps. One
// definition for every annotate test (PrintTo must not be defined twice).
#include <ostream>

#include "annotate/annotation.h"

namespace sl::annotate {

inline void PrintTo(const Object& o, std::ostream* os) {
    *os << "{frame " << o.frame << " track " << o.trackId << " " << o.label << " [" << o.box.x1
        << ", " << o.box.y1 << ", " << o.box.x2 << ", " << o.box.y2 << "]"
        << (o.keyframe ? " key" : "") << (o.outside ? " outside" : "") << " "
        << objectSourceName(o.source) << " score " << o.score << "}";
}

}  // namespace sl::annotate
