#pragma once
// One evaluation of a prediction layer against a ground-truth layer of the shown media, as the
// Evaluation panel runs it: what `sightline eval GT PRED` computes (COCO bbox, and CLEAR MOT /
// Identity / HOTA when the prediction has tracks), over what the layers show
// (annotate/visible_objects.h: keyframed tracks interpolated, as the video view draws them and
// as `sightline eval P#GT P#PRED` compares them), over the whole media or a frame range, with
// the per-frame errors as timeline markers.
//
// Two stages, so that a long evaluation never holds up the project lane (and the edits queued
// behind it): loadEvaluationInput reads both sets on the project lane (after every edit queued
// before it), evaluate takes the visible boxes in the range and computes, on a lane of its own,
// with progress and cancel between steps.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "annotate/annotation.h"
#include "core/status.h"
#include "eval/coco_eval.h"
#include "eval/mot_metrics.h"
#include "review/timeline_data.h"

namespace sl::pipeline {
class TaskContext;
}
namespace sl::store {
class ProjectStore;
}

namespace sl::gui {

struct EvaluationRequest {
    int64_t gtSet = 0, predSet = 0;
    int64_t frames = 0;              // the media's frame count (0: unknown)
    int64_t first = -1, last = -1;   // the range (inclusive); -1, -1: the whole media
    double iou = 0.5;                // CLEAR and Identity's match threshold
};

struct EvaluationInput {
    EvaluationRequest request;
    annotate::AnnotationSet gt, pred;   // as stored
};

struct EvaluationResult {
    EvaluationRequest request;
    std::string gtName, predName;
    int64_t first = 0, last = 0;   // the frames evaluated
    eval::CocoResult coco;
    bool tracked = false;   // the prediction has track ids: MOT metrics below
    eval::ClearResult clear;
    eval::IdentityResult identity;
    eval::HotaResult hota;
    std::vector<TimelineMarker> markers;   // clear.errors with their classes, by frame
    std::string note;                      // something the reader should know ("no predictions")
};

// Refused with a message when both layers are one set or a set is not found.
Expected<EvaluationInput> loadEvaluationInput(store::ProjectStore& project,
                                              const EvaluationRequest& request);
// Refused with a message naming the layer when the ground truth shows nothing in the range, or
// the range holds no frame; Cancelled (ctx.cancelledStatus()) when asked between steps.
Expected<EvaluationResult> evaluate(const EvaluationInput& input, pipeline::TaskContext& ctx);

}  // namespace sl::gui
