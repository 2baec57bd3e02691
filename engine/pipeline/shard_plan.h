#pragma once
// Sharding an archive over machines (`sightline analyze --manifest M --shard K/N --out DIR`,
// `sightline merge DIR`). Every shard computes the same plan from the same manifest, so shards
// never talk to each other; only the result folder is shared.
//
// The plan (the rule, documented in packaging/cluster/README.md):
//   - videos: the manifest's lines (blank and '#' lines skipped; relative paths are relative to
//     the manifest's folder), sorted by path (byte order), so line order does not matter. A path
//     listed twice is an error.
//   - segments: a video whose probed length (container duration x nominal fps, a header read)
//     exceeds `segmentFrames` is cut into S = ceil(estimate / segmentFrames) segments. Segment s
//     starts at the first clean keyframe (FrameIndex::seekKeyframeFor(k) == k) at or after frame
//     s * segmentFrames (segment 0 at frame 0) and ends before the next segment's start; the last
//     one runs to the real end. The cuts come from the exact frame index, built only by the shard
//     that owns the segment. A segment with no keyframe left to start at is empty (and still
//     written, so the merge sees it is done).
//   - units: (video, segment) in plan order; unit u belongs to shard u mod N.
// The plan id hashes the videos, their segment counts and the analysis options (not N): units of
// runs with other options cannot be merged together, while a rerun with another N may fill in
// what a failed run left out.
//
// Files in DIR, each written atomically (temporary + fsync + rename), names that cannot collide
// within a plan and that carry the plan id:
//   plan-<id>.json                         the plan (every shard writes the same bytes)
//   unit-<id>-v<video>-s<segment>.json     one unit's detections at full float precision (the
//                                          results JSON rounds, and tracks must be recomputed
//                                          from exactly what the detector returned)

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "pipeline/results_store.h"

namespace sl::pipeline {

struct ShardSpec {
    int index = 0;   // K, 0-based
    int count = 1;   // N
};
// "K/N" with 0 <= K < N; errors quote the text.
Expected<ShardSpec> parseShardSpec(const std::string& text);

// The manifest's videos, resolved and sorted; a missing file or a duplicate names its line.
Expected<std::vector<std::string>> readManifest(const std::filesystem::path& manifest);

struct PlannedVideo {
    std::string path;
    int64_t estimatedFrames = 0;
    int segments = 1;
};

struct ShardPlan {
    std::string id;                    // 16 hex digits
    std::string manifest;              // as given (for messages)
    int64_t segmentFrames = 0;
    std::string optionsJson;           // the analysis options, canonical JSON (part of the id)
    std::vector<PlannedVideo> videos;

    struct Unit {
        int video = 0;
        int segment = 0;
    };
    std::vector<Unit> units() const;                       // plan order
    std::vector<Unit> unitsOf(const ShardSpec& shard) const;
    int shardOf(const Unit& u, int count) const;           // u's position mod count
    std::string toJson() const;
};

// Probes every video (header only: a bad file fails here, naming itself).
Expected<ShardPlan> makePlan(const std::filesystem::path& manifest,
                             const std::vector<std::string>& videos, int64_t segmentFrames,
                             const std::string& optionsJson);
Expected<ShardPlan> readPlan(const std::filesystem::path& file);

std::filesystem::path planFile(const std::filesystem::path& dir, const ShardPlan& plan);
std::filesystem::path unitFile(const std::filesystem::path& dir, const ShardPlan& plan,
                               const ShardPlan::Unit& u);

// Frame range [first, last] of segment `segment` of `segments` of a video, from its exact index
// (last < first: an empty segment).
struct FrameRange {
    int64_t first = 0;
    int64_t last = -1;
    int64_t frameCount = 0;   // of the whole video
    double nominalFps = 0;    // of the whole video
};
Expected<FrameRange> segmentRange(const std::string& video, int64_t segmentFrames, int segment,
                                  int segments);

// One analysed unit as stored.
struct UnitResult {
    std::string planId;
    ShardSpec shard;            // who wrote it (for messages)
    int video = 0;
    int segment = 0;
    int segments = 1;
    std::string source;
    FrameRange range;
    std::string model;
    double fps = 0;             // the video's nominal rate (the tracker's default)
    std::vector<std::string> labels;
    RunSummary summary;         // of this unit (no tracking)
    std::vector<FrameDetections> frames;
};
Status writeUnit(const std::filesystem::path& file, const UnitResult& unit);
Expected<UnitResult> readUnit(const std::filesystem::path& file);

// One video joined from its units.
struct MergedVideo {
    std::string source;
    std::string model;
    double fps = 0;
    std::vector<std::string> labels;
    RunSummary summary;         // sums over the units; seconds = sum of the units' wall clocks
    std::vector<FrameDetections> frames;   // ascending, each frame once
};

// Reads DIR's plan and units and joins them, one result per video in plan order. Fails, naming
// them, when a unit is missing (and the shard of `count` N that owed it), when a unit appears
// twice or belongs to another plan, or when the ranges of a video do not tile its frames.
Expected<std::vector<MergedVideo>> mergeUnits(const std::filesystem::path& dir,
                                              ShardPlan* planOut = nullptr);

}  // namespace sl::pipeline
