#pragma once
// The annotation model: what a reviewer edits, what the formats read and write, what the store keeps
// and what the metrics compare. Plain values, no I/O.
//
// Frames are the engine's frame index (presentation order, 0-based) with the pts beside it; formats
// that number frames their own way (MOT 1-based, CVAT start_frame, COCO image ids) map explicitly
// on import and export (annotate/formats/format.h, FrameMapping). Boxes are corner form in source
// pixels (vision::Box).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vision/nms.h"

namespace sl::annotate {

// Where an object came from.
enum class ObjectSource { Human, Model, Interpolated, Tracker };
const char* objectSourceName(ObjectSource s);                     // "human", "model", ...
std::optional<ObjectSource> parseObjectSource(const std::string& name);

inline constexpr int64_t kNoTrack = -1;
inline constexpr int64_t kNoPts = INT64_MIN;   // pts unknown (a format that carries no time)

// Where a reviewed object was accepted from: a prediction's set, id and track in that set. Kept
// by the project store only (formats neither read nor write it). setId 0 = not accepted from a
// prediction (drawn or imported).
struct Origin {
    int64_t setId = 0;
    int64_t objectId = 0;
    int64_t trackId = kNoTrack;

    bool operator==(const Origin&) const = default;
};

struct Object {
    int64_t id = 0;                 // stable id in its set; 0 = not assigned yet (new)
    int64_t trackId = kNoTrack;     // objects of one track share it; kNoTrack = a lone box
    std::string label;
    vision::Box box;                // source pixels, x1 <= x2, y1 <= y2
    int64_t frame = 0;              // engine frame index
    int64_t pts = kNoPts;
    ObjectSource source = ObjectSource::Human;
    float score = 1.0f;             // model confidence; 1 for human boxes
    bool keyframe = true;           // false: derived (interpolated, tracked) between keyframes
    bool outside = false;           // the track is not visible from this keyframe on (CVAT)
    bool occluded = false;
    bool crowd = false;             // COCO iscrowd: a region, matched as "ignore" by evaluation
    bool ignored = false;           // MOT ground truth flagged 0 ("do not consider"): kept, not
                                    // evaluated
    float visibility = 1.0f;        // MOT ground truth visibility ratio in [0, 1]
    double area = -1;               // COCO's annotation area (segment area); < 0: the box's area
    std::map<std::string, std::string> attributes;   // free key/value pairs
    Origin origin;                  // accepted predictions: the prediction it was
    int64_t revision = 0;           // bumped by every stored edit (an undo restores the old one)

    bool operator==(const Object&) const = default;
};

enum class SetKind { GroundTruth, ModelRun, Reviewed };
const char* setKindName(SetKind k);   // "ground-truth", "model-run", "reviewed"
std::optional<SetKind> parseSetKind(const std::string& name);

// One layer of annotations over one media: ground truth, a model run or a reviewed set.
struct AnnotationSet {
    int64_t id = 0;
    std::string name;
    SetKind kind = SetKind::GroundTruth;
    std::vector<std::string> labels;   // the label list in its order (class id = index)
    // Model runs: which model, with which parameters (JSON text), when (Unix ms).
    std::string model;
    std::string parameters;
    int64_t createdAtMs = 0;
    std::vector<Object> objects;       // sorted by (frame, trackId, id) where it matters
};

// The media an annotation set refers to.
struct MediaInfo {
    int64_t id = 0;
    std::string path;
    int width = 0;
    int height = 0;
    int64_t frameCount = 0;       // 0 = unknown
    int timeBaseNum = 1, timeBaseDen = 1;   // pts units
    int64_t startPts = 0;         // pts of frame 0: seconds = (pts - startPts) * time base
    double fps = 0;               // nominal, for formats that need one (MOT seqinfo)
};

}  // namespace sl::annotate
