#pragma once
// Tracking evaluation, TrackEval's layout (trackeval/metrics/{clear,identity,hota}.py): the ground
// truth and the tracker output of one sequence become one MotData (dense ids, per-frame IoU
// matrices), built once; CLEAR, Identity and HOTA are pure functions of it. Nothing here reads
// files: the formats (annotate/formats) make the AnnotationSets.

#include <cstdint>
#include <string>
#include <vector>

#include "annotate/annotation.h"

namespace sl::eval {

struct MotOptions {
    double iouThreshold = 0.5;   // CLEAR and Identity (HOTA sweeps its own alphas)
    // MOTChallenge's rules for MOT16/17/20 ground truth (TrackEval's MotChallenge2DBox
    // preprocessing): tracker boxes matched (IoU >= 0.5, one-to-one, maximum total IoU) to
    // distractor ground truth (person_on_vehicle, static_person, distractor, reflection, and
    // non_mot_vehicle for MOT20) are removed with it; ground truth flagged ignored (conf 0) and of
    // other classes is removed; only `evalLabel` ground truth is evaluated. Off: every ground-truth
    // box counts (MOT15 and plain data), ignored rows still dropped.
    bool motChallenge = false;
    bool mot20 = false;
    std::string evalLabel = "pedestrian";
};

// One frame: dense ground-truth and tracker ids (0..numGt-1, 0..numTracker-1), the objects they
// came from, and the IoU matrix (row-major gt x tracker).
struct MotFrame {
    int64_t frame = 0;
    std::vector<int> gtIds, trackerIds;
    std::vector<const annotate::Object*> gtObjects, trackerObjects;
    std::vector<double> similarity;
    double sim(size_t g, size_t t) const { return similarity[g * trackerIds.size() + t]; }
};

struct MotData {
    std::vector<MotFrame> frames;          // every frame from the first to the last with a box
    int numGtIds = 0, numTrackerIds = 0;
    std::vector<int64_t> gtTrackIds, trackerTrackIds;   // dense id -> the set's track id
    int64_t numGtDets = 0, numTrackerDets = 0;
    int64_t removedTrackerDets = 0;        // matched to distractors (motChallenge)
    int64_t removedGtDets = 0;             // ignored / distractor / other classes
};

// Boxes without a track id (kNoTrack) get an id of their own each: a detection set evaluates as
// one-frame tracks.
MotData buildMotData(const annotate::AnnotationSet& gt, const annotate::AnnotationSet& tracker,
                     const MotOptions& options);

double boxIou(const vision::Box& a, const vision::Box& b);

}  // namespace sl::eval
