#pragma once
// Command-line options shared by `track`, `analyze --track` and `monitor`: the tracker's
// parameters and the scene (zones / lines) file.

#include <optional>
#include <span>
#include <string>

#include "analytics/scene.h"
#include "track/byte_tracker.h"

namespace sl::cli {

struct TrackerArgs {
    track::TrackerParams params;
    bool fpsGiven = false;          // --fps given; otherwise the media's frame rate (or 30)
    std::string zonesPath;          // --zones FILE (analytics/scene.h JSON)
    std::string eventsPath;         // --events FILE.jsonl|.csv|.json
};

// Consumes args[i] (and its value) when it is a tracker option. Returns 1 when consumed, 0 when
// not a tracker option, -1 on a bad value (problem set).
int parseTrackerArg(std::span<const std::string> args, size_t& i, TrackerArgs& t,
                    std::string& problem);

// The scene of --zones (an empty scene without it); errors name the file and JSON pointer.
Expected<analytics::Scene> loadTrackerScene(const TrackerArgs& t);

inline constexpr const char* kTrackerUsage =
    "[--preset reference|ncnn] [--track-thresh T] [--match-thresh M] [--track-buffer B]\n"
    "                  [--fps F] [--class-agnostic] [--zones zones.json] [--events FILE.jsonl]";

}  // namespace sl::cli
