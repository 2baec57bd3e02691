#include "vision/nms.h"

#include <algorithm>

namespace sl::vision {

float iou(const Box& a, const Box& b) {
    const float ix = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
    const float iy = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
    if (ix <= 0 || iy <= 0) return 0.0f;
    const float inter = ix * iy;
    const float uni = a.area() + b.area() - inter;
    return uni > 0 ? inter / uni : 0.0f;
}

std::vector<Detection> nmsClassAware(std::vector<Detection> detections, float iouThreshold,
                                     size_t maxDetections) {
    // stable_sort: equal scores keep input order, so results do not depend on the sort's whims.
    std::stable_sort(detections.begin(), detections.end(),
                     [](const Detection& a, const Detection& b) { return a.score > b.score; });
    std::vector<Detection> kept;
    kept.reserve(std::min<size_t>(detections.size(), 64));
    // A few thousand candidates at most after the score threshold (YOLOX-Nano: 3549 rows), and
    // typically tens: the quadratic scan is cheaper than any index structure here.
    for (const Detection& d : detections) {
        bool suppressed = false;
        for (const Detection& k : kept) {
            if (k.classId == d.classId && iou(k.box, d.box) > iouThreshold) {
                suppressed = true;
                break;
            }
        }
        if (suppressed) continue;
        kept.push_back(d);
        if (maxDetections && kept.size() >= maxDetections) break;
    }
    return kept;
}

}  // namespace sl::vision
