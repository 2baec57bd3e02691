#pragma once
// ResultsStore: detections per frame, keyed by frame index (presentation order) with the pts kept
// beside it, so the GUI can draw stored boxes when the user seeks back and ask which ranges still
// need analysing. Thread-safe: the inference thread put()s while the GUI thread reads.
//
// Export (the same writers `sightline analyze` uses), both written atomically:
//   JSON  {"source", "model", "labels", "summary": {...}, "frames": [{"frame", "pts", "time",
//          "width", "height", "detections": [{"class_id", "label", "score",
//          "box": [x1, y1, x2, y2], "track_id"}]}]}   every analysed frame, also those with no
//          detection; "track_id" only on tracked frames; summary.tracking after --track
//   CSV   frame,pts,time,class_id,label,score,x1,y1,x2,y2[,track_id]   one row per detection;
//          the track_id column only when some frame was tracked

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "pipeline/frame_detections.h"

namespace sl::pipeline {

// What tracking and the zone / line analytics found over a run (`analyze --track`).
struct TrackingSummary {
    int64_t tracks = 0;
    int64_t events = 0;
    std::map<std::string, std::map<std::string, int64_t>> zoneEntries;   // zone -> label -> n
    std::map<std::string, std::map<std::string, int64_t>> lineAB;        // line -> label -> n
    std::map<std::string, std::map<std::string, int64_t>> lineBA;
};

struct RunSummary {
    int64_t framesDecoded = 0;
    int64_t framesAnalysed = 0;
    int64_t framesWithDetections = 0;
    double seconds = 0;            // wall clock of the run
    double fps = 0;                // analysed frames per second
    std::map<std::string, int64_t> countsPerClass;   // by label
    std::optional<TrackingSummary> tracking;
};

struct ExportHeader {
    std::string source;   // the input's path or URL
    std::string model;    // the model's name
    std::optional<RunSummary> summary;
};

class ResultsStore {
public:
    explicit ResultsStore(std::vector<std::string> labels = {});

    void setLabels(std::vector<std::string> labels);
    std::vector<std::string> labels() const;
    std::string label(int classId) const;

    // Replaces any earlier result of the same frame index.
    void put(FrameDetections frame);
    std::optional<FrameDetections> at(int64_t frameIndex) const;
    std::optional<FrameDetections> atPts(int64_t pts) const;   // exact pts
    // Stored frames with first <= index <= last, in index order.
    std::vector<FrameDetections> range(int64_t first, int64_t last) const;
    // Maximal runs [a, b] of indices in [first, last] with no stored result (what to analyse to
    // fill the range).
    std::vector<std::pair<int64_t, int64_t>> missingRanges(int64_t first, int64_t last) const;
    std::vector<FrameDetections> snapshot() const;
    size_t size() const;
    void clear();
    // Bumped by every change: a cheap "anything new?" for a GUI timer.
    uint64_t version() const;

    // Detections per label over all stored frames.
    std::map<std::string, int64_t> countsPerClass() const;

    std::string toJson(const ExportHeader& header) const;
    std::string toCsv() const;
    // By extension: .json or .csv (InvalidArgument otherwise). Atomic (temporary + fsync +
    // rename). Errors name the file.
    Status save(const std::filesystem::path& path, const ExportHeader& header) const;

private:
    mutable std::mutex mutex_;
    std::vector<std::string> labels_;
    std::map<int64_t, FrameDetections> frames_;
    std::map<int64_t, int64_t> byPts_;   // pts -> index
    uint64_t version_ = 0;
};

// One CSV field, quoted when it holds a comma, quote or newline (RFC 4180).
std::string csvField(const std::string& s);

}  // namespace sl::pipeline
