#pragma once
// Reading stored per-frame detections back: Sightline's results JSON (what `detect --json` rows
// and `analyze --out x.json` write, ResultsStore::toJson) and MOTChallenge detection text
// (det.txt: `frame,id,x,y,w,h,score[,...]`, frames 1-based, rows in any order). The input of
// `sightline track` and of re-tracking stored results. Errors name the file, the line (MOT) or
// JSON pointer, and the field: "pipeline: det.txt:17: field 'width': negative (-3)".

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/frame_detections.h"

namespace sl::pipeline {

struct DetectionsFile {
    std::vector<std::string> labels;        // class id -> label
    std::vector<FrameDetections> frames;    // ascending frame index; every frame in the range
    std::string frameMapping;               // how the file's frame numbers map to ours
    std::string source;                     // the media the results came from, when known
};

// By extension: .json (Sightline results) or .txt / .csv (MOTChallenge). MOT files get every
// frame from 0 to the last one given (frames without rows are empty: a tracker must see them);
// `fps` sets their times (seconds = index / fps).
Expected<DetectionsFile> readDetectionsFile(const std::filesystem::path& path, double fps = 30);
Expected<DetectionsFile> parseSightlineResultsJson(const std::string& text,
                                                   const std::string& name);
Expected<DetectionsFile> parseMotDetections(const std::string& text, const std::string& name,
                                            double fps = 30);

}  // namespace sl::pipeline
