#pragma once
// A scene: the zones, lines and rules of one source, in source pixels. Saved as a documented,
// versioned JSON file (docs in analytics/README.md):
//   {"version": 1, "zones": [{"name", "polygon": [[x, y], ...], "classes": ["person"],
//    "anchor": "bottom-centre", "color": "#rrggbb", "hysteresis": 3, "loiter_seconds": 0}],
//    "lines": [{"name", "a": [x, y], "b": [x, y], "classes": [...], "anchor", "color"}],
//    "rules": [{"name", "kind", "target", "classes", "seconds", "count", "direction",
//               "severity", "cooldown_seconds"}]}
// A bad file gets an error naming the file and the JSON pointer of the bad value
// ("analytics: zones.json: /zones/2/polygon/1: expected [x, y] numbers").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "vision/nms.h"

namespace sl::analytics {

struct Point {
    double x = 0, y = 0;
    bool operator==(const Point&) const = default;
};

// Which point of a box stands for the object.
enum class Anchor { BottomCentre, Centre, TopCentre, BottomLeft, BottomRight };
const char* anchorName(Anchor a);                        // "bottom-centre", "centre", ...
std::optional<Anchor> parseAnchor(const std::string& name);
Point anchorPoint(const vision::Box& box, Anchor a);

struct Zone {
    std::string name;
    std::vector<Point> polygon;          // >= 3 points, source pixels
    std::set<std::string> classes;       // labels counted; empty = every class
    Anchor anchor = Anchor::BottomCentre;
    std::string color = "#ffb000";
    int hysteresis = 3;                  // frames in (out) before an enter (exit) counts
    double loiterSeconds = 0;            // > 0: a Loiter event when dwell passes it
    bool operator==(const Zone&) const = default;
};

// A directed line: crossing from its left side (A) to its right side (B), looking from a to b in
// image coordinates (y down), is "A->B".
struct Line {
    std::string name;
    Point a, b;
    std::set<std::string> classes;
    Anchor anchor = Anchor::BottomCentre;
    std::string color = "#00c8ff";
    bool operator==(const Line&) const = default;
};

// Alert rules, evaluated by analytics/rule_engine.h (semantics there).
enum class RuleKind { ZoneEnter, ZoneExit, LineCross, ClassPresent, CountAbove, Loiter };
const char* ruleKindName(RuleKind k);                    // "zone-enter", "line-cross", ...
std::optional<RuleKind> parseRuleKind(const std::string& name);

struct Rule {
    std::string name;
    RuleKind kind = RuleKind::LineCross;
    std::string target;                  // zone / line; '' = whole frame (ClassPresent, CountAbove)
    std::set<std::string> classes;
    double seconds = 0;                  // ClassPresent / Loiter: for how long
    int count = 0;                       // CountAbove: threshold
    int direction = 0;                   // LineCross: +1 A->B, -1 B->A, 0 both
    std::string severity = "warning";    // "info" | "warning" | "critical"
    double cooldownSeconds = 10;
    bool operator==(const Rule&) const = default;
};

struct Scene {
    static constexpr int kVersion = 1;
    std::vector<Zone> zones;
    std::vector<Line> lines;
    std::vector<Rule> rules;
    bool operator==(const Scene&) const = default;
};

// Validates names (unique, non-empty), geometry (polygon >= 3 points, line a != b, finite
// coordinates), rule targets; InvalidData naming the JSON pointer.
Status validateScene(const Scene& scene);
// pointerPrefix: where the scene sits in a larger document ("/sources/2/scene" of a monitor
// config); errors then carry the whole pointer.
Expected<Scene> parseSceneJson(const std::string& text, const std::string& sourceName,
                               const std::string& pointerPrefix = {});
Expected<Scene> loadScene(const std::filesystem::path& path);
std::string sceneToJson(const Scene& scene);
Status saveScene(const std::filesystem::path& path, const Scene& scene);   // atomic

}  // namespace sl::analytics
