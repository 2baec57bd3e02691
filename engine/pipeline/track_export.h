#pragma once
// Writers of tracking results, shared by `sightline track`, `analyze --track` and the workstation's
// export menu. Every save is atomic (core/atomic_file.h).
//   MOTChallenge  frame,id,x,y,w,h,score,-1,-1,-1   frames 1-based (engine index + 1), the box
//                 is the tracker's state, as both official ByteTrack implementations report it
//   tracks JSON   {"tracker": {...params}, "labels": [...], "tracks": [{"id", "class_id",
//                 "label", "first_frame", "last_frame", "first_time", "last_time", "frames",
//                 "zones": [...]}], "frames": [{"frame", "pts", "time", "objects": [{"track_id",
//                 "class_id", "label", "score", "box": [x1, y1, x2, y2]}]}]}
//   events CSV    time,frame,pts,event,target,track_id,class_id,label,direction,dwell
//   events JSONL  one JSON object per event and line (what `monitor` and `analyze --events`
//                 append to)

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/track_analysis.h"

namespace sl::pipeline {

std::string motTracksText(const TrackAnalysis& analysis);
std::string tracksJson(const TrackAnalysis& analysis, const std::vector<std::string>& labels);
std::string eventsCsv(const std::vector<analytics::Event>& events);
std::string eventJsonLine(const analytics::Event& event);   // no trailing newline
std::string eventsJsonLines(const std::vector<analytics::Event>& events);
std::string eventsJson(const std::vector<analytics::Event>& events);   // one JSON array

// By extension: .txt (MOT) or .json. InvalidArgument otherwise.
Status saveTracks(const std::filesystem::path& path, const TrackAnalysis& analysis,
                  const std::vector<std::string>& labels);
// By extension: .csv, .json (array) or .jsonl (lines).
Status saveEvents(const std::filesystem::path& path, const std::vector<analytics::Event>& events);

}  // namespace sl::pipeline
