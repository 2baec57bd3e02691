#pragma once
// COCO bbox evaluation with pycocotools' COCOeval rules: per image and category, IoU thresholds
// .50:.05:.95, area ranges all / small (< 32^2) / medium / large (>= 96^2) on the ground truth's
// `area` (Object::area, the box's when unset) and the detection's box area, at most 1 / 10 / 100
// detections per image by score (a stable sort: ties keep input order), crowd ground truth
// matched by intersection over the detection's area and never counted, greedy matching per
// threshold that prefers counted ground truth, precision made monotone and sampled at 101 recall
// points. Categories are the ground truth's labels; a category without counted ground truth is
// left out of the means (-1 when nothing is left), as COCOeval does.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "annotate/annotation.h"

namespace sl::eval {

struct CocoOptions {
    // The images (engine frames) evaluated. Empty: every frame with a ground-truth or a
    // detection box. Images with neither still count nowhere, as in COCOeval.
    std::vector<int64_t> frames;
};

struct CocoClassResult {
    std::string label;
    int64_t groundTruth = 0;   // counted (non-crowd) boxes, all areas
    double ap = -1, ap50 = -1, ap75 = -1;   // -1: no ground truth
    // Precision at the 101 recall points 0, 0.01, .. 1 (all areas, 100 detections), at IoU .5
    // and .75; -1 where undefined.
    std::array<double, 101> precision50{}, precision75{};
};

struct CocoResult {
    // AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl: COCOeval.summarize()'s order.
    std::array<double, 12> stats{};
    std::vector<CocoClassResult> classes;
    int64_t images = 0, groundTruth = 0, detections = 0;
};
const char* cocoStatName(int i);   // "AP", "AP50", ...

CocoResult cocoEvaluate(const annotate::AnnotationSet& gt, const annotate::AnnotationSet& dt,
                        const CocoOptions& options = {});

}  // namespace sl::eval
