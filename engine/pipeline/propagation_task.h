#pragma once
// The "Propagate" background task (issue 14): decodes frames START+1 .. START+N of one media
// sequentially (one seek to START, then readFrame; never N seeks) and runs track::Propagator over
// them, with the candidate detections of each frame. Runs on a TaskRunner lane (the workstation's
// "propagate" lane); progress is one step per frame, cancel is looked at before every frame.
//
// The result holds what was proposed up to where it stopped and why (the propagator's reason, or
// "the media ends at frame K"). Nothing is written anywhere: the caller shows the proposals and
// commits them only when the reviewer accepts.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/background_task.h"
#include "track/propagator.h"

namespace sl::media {
class VideoFrame;
}

namespace sl::pipeline {

struct PropagationRequest {
    std::string mediaPath;
    int64_t startFrame = 0;
    vision::Box box;            // on startFrame, source pixels
    std::string label;
    int frames = 30;            // N: frames after startFrame
    // Candidate detections by frame (a model-run layer's boxes); frames without: none.
    std::map<int64_t, std::vector<track::PropagationCandidate>> candidates;
    track::PropagatorOptions options;
};

// Fails (naming the media) when it cannot be opened or the start frame cannot be decoded;
// returns the task's cancelled status when cancelled.
Expected<track::PropagationResult> runPropagation(const PropagationRequest& request,
                                                  TaskContext* ctx = nullptr);

// FRAME's luma as 8 bits: plane 0 lent as is for 8-bit YUV / NV12 / grey, else converted into
// SCRATCH (10-bit shifted down, RGB by BT.601 weights). Valid while FRAME and SCRATCH live.
track::LumaView lumaOf(const media::VideoFrame& frame, std::vector<uint8_t>& scratch);

}  // namespace sl::pipeline
