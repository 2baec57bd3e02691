#pragma once
// Detections and non-maximum suppression, shared by every detector head (vision/yolox_decoder.h
// today). Boxes are corner form [x1, y1, x2, y2] in whatever pixel space the caller works in; the
// decoders report source-frame pixels.

#include <cstddef>
#include <vector>

namespace sl::vision {

struct Box {
    float x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    float width() const { return x2 > x1 ? x2 - x1 : 0.0f; }
    float height() const { return y2 > y1 ? y2 - y1 : 0.0f; }
    float area() const { return width() * height(); }
    bool operator==(const Box&) const = default;
};

struct Detection {
    int classId = 0;
    float score = 0;   // objectness x class probability
    Box box;
};

// Intersection over union; 0 when either box is empty.
float iou(const Box& a, const Box& b);

// Class-aware greedy NMS: within one class, a box is dropped when it overlaps a higher-scoring kept
// box by IoU > iouThreshold; boxes of different classes never suppress each other (a person on a
// horse keeps both). Ties in score keep the earlier input. The result is sorted by score,
// descending, and holds at most maxDetections boxes (0 = no limit).
std::vector<Detection> nmsClassAware(std::vector<Detection> detections, float iouThreshold,
                                     size_t maxDetections = 0);

}  // namespace sl::vision
