#pragma once
// YOLOX head decoding on the host (3549 rows for a 416x416 input: decoding plus NMS costs well
// under a millisecond, far less than moving the work to the device would save).
//
// Output layout (YOLOX's export with decode_in_inference=False): one row per grid cell, strides in
// the given order (8, 16, 32), cells of each stride in row-major order (y, then x); a row is
// [dx, dy, log w, log h, obj, class scores...] with sigmoid already applied to obj and the classes.
//   centre = (d + cell) * stride,  size = exp(v) * stride,  score = obj * class
// Boxes are then mapped from tensor pixels back to source pixels through the letterbox
// (src = (t - offset) * srcSize / letterboxSize), run through class-aware NMS and clipped to the
// frame.

#include <cstddef>
#include <span>
#include <vector>

#include "core/status.h"
#include "vision/nms.h"
#include "vision/preprocess.h"

namespace sl::vision {

struct YoloxDecodeParams {
    int inputWidth = 416;
    int inputHeight = 416;
    std::vector<int> strides{8, 16, 32};
    int numClasses = 80;
    float scoreThreshold = 0.3f;   // obj x class must exceed it
    float nmsThreshold = 0.45f;    // IoU above which a same-class box is suppressed
    // Classes to report; empty = all. A row's class is the best-scoring allowed class.
    std::vector<int> classFilter;
    size_t maxDetections = 300;
};

// Rows the grids of `params` produce (3549 for 416x416 with strides 8/16/32).
size_t yoloxRowCount(const YoloxDecodeParams& params);

// `output` holds rows x (5 + numClasses) floats. The source frame is srcWidth x srcHeight and was
// letterboxed into the input as `box`. InvalidArgument when the sizes disagree.
Expected<std::vector<Detection>> decodeYolox(std::span<const float> output,
                                             const YoloxDecodeParams& params, const Letterbox& box,
                                             int srcWidth, int srcHeight);

}  // namespace sl::vision
