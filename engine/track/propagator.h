#pragma once
// Propagator: one box carried forward frame by frame (issue 14, "Propagate" in the review
// workstation). From a start box on frame F it proposes the object's box on F+1, F+2, ...:
//
//   1. predict: a constant-velocity Kalman filter on (cx, cy, a, h) (track/kalman_filter.h, the
//      ByteTrack filter) gives the box expected on the new frame;
//   2. associate: the frame's candidate detections (a model run's boxes, when there are any) are
//      matched by IoU with the prediction; the best one at or above minIou wins, a candidate with
//      the start box's label preferred over one with another label. Greedy is exact here: one
//      track against N boxes is a one-row assignment problem.
//   3. else template match: normalized cross-correlation on luma in a window around the predicted
//      position, against a template cut from the start box (refreshed from every detector match,
//      never from a template match, so a match's small error does not accumulate as drift).
//      Coarse to fine: the full window is searched on a 2^L-subsampled copy of the window only
//      (never of the whole frame), then +-2 px around the hit at each finer level, and the
//      peak is refined to sub-pixel by a parabola through its neighbours. A 1080p frame with a
//      200x200 box takes about a millisecond.
//
// It stops (and says why) when the best match falls below minConfidence (the object was lost or
// occluded), when the predicted box is mostly outside the frame (it left), or when a frame has no
// matching detection and no box so far had texture to make a template of. The box keeps the
// template's size on template frames (NCC does not estimate scale); detector frames take the
// detection's box exactly.
//
// Knows nothing of media or the store: frames come in as 8-bit luma views.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "track/kalman_filter.h"
#include "vision/nms.h"

namespace sl::track {

// An 8-bit luma plane lent for one call.
struct LumaView {
    const uint8_t* data = nullptr;
    int width = 0;
    int height = 0;
    int stride = 0;   // bytes per row
};

struct PropagationCandidate {
    vision::Box box;
    std::string label;
    float score = 1.0f;
};

enum class ProposalSource { Detector, Template };
const char* proposalSourceName(ProposalSource s);   // "detector", "template"

struct Proposal {
    int64_t frame = 0;
    vision::Box box;
    ProposalSource source = ProposalSource::Template;
    // Detector: the candidate's score; template: the NCC of the match in [-1, 1].
    float confidence = 0;
    int candidate = -1;   // detector: the index in that frame's candidates
};

enum class PropagationStop { Running, Completed, Lost, LeftFrame, NoTexture, Cancelled };
const char* propagationStopName(PropagationStop s);

struct PropagatorOptions {
    float minIou = 0.3f;          // a candidate matches the prediction from this IoU on
    float minConfidence = 0.6f;   // NCC below this: lost
    // Search window: +- max(minSearch, searchFraction x the box's larger side) px around the
    // prediction (the first frames have no velocity yet: the window must hold a frame's motion).
    int minSearch = 24;
    float searchFraction = 0.5f;
    float minInside = 0.5f;       // the predicted box's fraction inside the frame to go on
};

class Propagator {
public:
    // START: the box on frame FRAME (source pixels) with its label; FIRST: that frame's luma.
    // Fails (InvalidArgument, naming the box) when the box is empty or outside the frame.
    static Expected<Propagator> start(const LumaView& first, int64_t frame, vision::Box box,
                                      std::string label, PropagatorOptions options = {});

    // The next frame (frame() + 1) and its candidates: its proposal, or nothing when it stopped
    // here (stop() and reason() tell why). No-op returning nothing once stopped.
    std::optional<Proposal> step(const LumaView& luma,
                                 const std::vector<PropagationCandidate>& candidates = {});

    int64_t frame() const { return frame_; }   // the last frame with a box
    vision::Box box() const { return box_; }
    PropagationStop stop() const { return stop_; }
    const std::string& reason() const { return reason_; }
    void finish(PropagationStop why, std::string reason);   // Completed / Cancelled by a driver

private:
    Propagator() = default;
    struct Template {
        std::vector<float> pixels;   // zero-mean
        int x = 0, y = 0, w = 0, h = 0;   // where it was cut (integer pixels)
        double energy = 0;           // sum of squares of pixels
    };
    bool cutTemplate(const LumaView& luma, const vision::Box& box);
    vision::Box predicted() const;

    PropagatorOptions options_;
    std::string label_;
    int64_t frame_ = 0;
    vision::Box box_;
    KalmanFilter<double>::Mean mean_;
    KalmanFilter<double>::Covariance cov_;
    // The template pyramid: level 0 is full resolution.
    std::vector<Template> levels_;
    float offsetX_ = 0, offsetY_ = 0;   // box corner minus template corner (sub-pixel part)
    float boxW_ = 0, boxH_ = 0;
    bool hasTemplate_ = false;          // false while every box so far was flat
    PropagationStop stop_ = PropagationStop::Running;
    std::string reason_;
};

// A whole run over frames in memory (the tests; a driver that decodes calls step() itself).
// FRAMES[i] is frame START_FRAME + 1 + i; CANDIDATES, when not empty, has one list per frame.
struct PropagationResult {
    std::vector<Proposal> proposals;
    PropagationStop stop = PropagationStop::Completed;
    std::string reason;
};
Expected<PropagationResult> propagate(const LumaView& first, int64_t startFrame, vision::Box box,
                                      const std::string& label,
                                      const std::vector<LumaView>& frames,
                                      const std::vector<std::vector<PropagationCandidate>>& candidates,
                                      PropagatorOptions options = {});

}  // namespace sl::track
