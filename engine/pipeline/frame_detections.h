#pragma once
// The detections of one frame, identified by its index (presentation order) and pts (stream time
// base), never by time x fps. Boxes are in source pixels, clipped to the frame.

#include <cstdint>
#include <vector>

#include "vision/nms.h"

namespace sl::pipeline {

struct FrameDetections {
    int64_t frameIndex = -1;
    int64_t pts = 0;
    double seconds = 0;   // (pts - stream start) in seconds, for display
    int width = 0;        // the source frame the boxes refer to
    int height = 0;
    std::vector<vision::Detection> detections;   // by score, descending
    // Tracking (pipeline/track_analysis.h): the track of each detection, parallel to
    // `detections`, 0 where the tracker reported none; empty when the frame was not tracked.
    std::vector<int64_t> trackIds;
};

}  // namespace sl::pipeline
