#pragma once
// The sidecar of an event clip (pipeline/clip_recorder.h writes it; docs/monitor.md "Event clips"
// documents it), read back: which camera and rules it is about, and the boxes of every clip
// frame, numbered from the clip's first frame, so a player shows the clip with its stored boxes.
// A bad file is refused naming the file and the JSON pointer of the bad value
// ("clips: door-....json: /frames/3/objects/0/box: expected [x1, y1, x2, y2] numbers").

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/frame_detections.h"

namespace sl::pipeline {

struct ClipSidecarAlert {
    std::string rule;              // "alert": the rule's name
    std::string kind, severity;
    std::string wallTime;          // UTC, ISO 8601 with milliseconds
    int64_t clipFrame = -1;        // the clip frame it fired on (-1: not in the clip)
};

struct ClipSidecar {
    std::string source;
    std::string video;             // the clip's file name
    int width = 0, height = 0;
    int64_t frameCount = 0;
    double durationSeconds = 0;
    std::vector<ClipSidecarAlert> alerts;
    // One per clip frame with a result: frameIndex = the clip frame, seconds = its time in the
    // clip, pts unset (0: the clip's own time base is the player's), the tracked objects as
    // detections with their track ids (trackIds parallel).
    std::vector<FrameDetections> frames;
    std::vector<std::string> labels;   // class id -> label, as far as the file names them
};

Expected<ClipSidecar> parseClipSidecar(const std::string& text, const std::string& sourceName);
Expected<ClipSidecar> loadClipSidecar(const std::filesystem::path& path);

}  // namespace sl::pipeline
