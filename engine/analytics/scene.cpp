#include "analytics/scene.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/atomic_file.h"

namespace sl::analytics {

namespace {

using json = nlohmann::json;

constexpr double kMaxCoordinate = 1e6;   // source pixels: beyond any real frame

const char* const kAnchorNames[] = {"bottom-centre", "centre", "top-centre", "bottom-left",
                                    "bottom-right"};
const char* const kRuleNames[] = {"zone-enter", "zone-exit", "line-cross", "class-present",
                                  "count-above", "loiter"};

// A parse failure: the JSON pointer and what is wrong there.
struct Bad {
    std::string pointer, what;
};

std::string ptr(const std::string& base, const std::string& key) { return base + "/" + key; }
std::string ptr(const std::string& base, size_t i) { return base + "/" + std::to_string(i); }

const json* field(const json& obj, const char* key) {
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

bool number(const json& v, double& out) {
    if (!v.is_number()) return false;
    out = v.get<double>();
    return std::isfinite(out);
}

Point point(const json& v, const std::string& at) {
    double x = 0, y = 0;
    if (!v.is_array() || v.size() != 2 || !number(v[0], x) || !number(v[1], y))
        throw Bad{at, "expected [x, y] numbers"};
    if (std::abs(x) > kMaxCoordinate || std::abs(y) > kMaxCoordinate)
        throw Bad{at, "coordinate beyond +-1e6 pixels"};
    return {x, y};
}

std::string text(const json& obj, const char* key, const std::string& at, bool required,
                 const std::string& fallback = {}) {
    const json* v = field(obj, key);
    if (!v) {
        if (required) throw Bad{ptr(at, key), "missing"};
        return fallback;
    }
    if (!v->is_string()) throw Bad{ptr(at, key), "expected a string"};
    return v->get<std::string>();
}

double num(const json& obj, const char* key, const std::string& at, double fallback, double lo,
           double hi) {
    const json* v = field(obj, key);
    if (!v) return fallback;
    double d = 0;
    if (!number(*v, d)) throw Bad{ptr(at, key), "expected a number"};
    if (d < lo || d > hi)
        throw Bad{ptr(at, key), "out of range (" + std::to_string(lo) + " .. " +
                                    std::to_string(hi) + ")"};
    return d;
}

std::set<std::string> classes(const json& obj, const std::string& at) {
    std::set<std::string> out;
    const json* v = field(obj, "classes");
    if (!v) return out;
    if (!v->is_array()) throw Bad{ptr(at, "classes"), "expected an array of labels"};
    for (size_t i = 0; i < v->size(); ++i) {
        if (!(*v)[i].is_string()) throw Bad{ptr(ptr(at, "classes"), i), "expected a label"};
        out.insert((*v)[i].get<std::string>());
    }
    return out;
}

Anchor anchor(const json& obj, const std::string& at) {
    const std::string name = text(obj, "anchor", at, false, "bottom-centre");
    const auto a = parseAnchor(name);
    if (!a) throw Bad{ptr(at, "anchor"), "unknown anchor '" + name + "'"};
    return *a;
}

const json& array(const json& root, const char* key) {
    static const json empty = json::array();
    const json* v = field(root, key);
    if (!v) return empty;
    if (!v->is_array()) throw Bad{std::string("/") + key, "expected an array"};
    return *v;
}

void object(const json& v, const std::string& at) {
    if (!v.is_object()) throw Bad{at, "expected an object"};
}

Scene parse(const json& root) {
    if (!root.is_object()) throw Bad{"", "expected an object"};
    const json* version = field(root, "version");
    if (!version) throw Bad{"/version", "missing"};
    if (!version->is_number_integer()) throw Bad{"/version", "expected an integer"};
    if (version->get<int64_t>() != Scene::kVersion)
        throw Bad{"/version", "version " + version->dump() + " is not supported (this Sightline "
                                  "reads version " + std::to_string(Scene::kVersion) + ")"};
    Scene s;
    const json& zones = array(root, "zones");
    for (size_t i = 0; i < zones.size(); ++i) {
        const std::string at = ptr("/zones", i);
        object(zones[i], at);
        Zone z;
        z.name = text(zones[i], "name", at, true);
        const json* poly = field(zones[i], "polygon");
        if (!poly) throw Bad{ptr(at, "polygon"), "missing"};
        if (!poly->is_array()) throw Bad{ptr(at, "polygon"), "expected an array of [x, y]"};
        for (size_t k = 0; k < poly->size(); ++k)
            z.polygon.push_back(point((*poly)[k], ptr(ptr(at, "polygon"), k)));
        z.classes = classes(zones[i], at);
        z.anchor = anchor(zones[i], at);
        z.color = text(zones[i], "color", at, false, z.color);
        z.hysteresis = static_cast<int>(num(zones[i], "hysteresis", at, z.hysteresis, 1, 1000));
        z.loiterSeconds = num(zones[i], "loiter_seconds", at, 0, 0, 1e7);
        s.zones.push_back(std::move(z));
    }
    const json& lines = array(root, "lines");
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string at = ptr("/lines", i);
        object(lines[i], at);
        Line l;
        l.name = text(lines[i], "name", at, true);
        const json* a = field(lines[i], "a");
        const json* b = field(lines[i], "b");
        if (!a) throw Bad{ptr(at, "a"), "missing"};
        if (!b) throw Bad{ptr(at, "b"), "missing"};
        l.a = point(*a, ptr(at, "a"));
        l.b = point(*b, ptr(at, "b"));
        l.classes = classes(lines[i], at);
        l.anchor = anchor(lines[i], at);
        l.color = text(lines[i], "color", at, false, l.color);
        s.lines.push_back(std::move(l));
    }
    const json& rules = array(root, "rules");
    for (size_t i = 0; i < rules.size(); ++i) {
        const std::string at = ptr("/rules", i);
        object(rules[i], at);
        Rule r;
        r.name = text(rules[i], "name", at, true);
        const std::string kind = text(rules[i], "kind", at, true);
        const auto k = parseRuleKind(kind);
        if (!k) throw Bad{ptr(at, "kind"), "unknown rule kind '" + kind + "'"};
        r.kind = *k;
        // class-present and count-above without a target look at the whole frame.
        const bool wholeFrame = r.kind == RuleKind::ClassPresent || r.kind == RuleKind::CountAbove;
        r.target = text(rules[i], "target", at, !wholeFrame);
        r.classes = classes(rules[i], at);
        r.seconds = num(rules[i], "seconds", at, 0, 0, 1e7);
        r.count = static_cast<int>(num(rules[i], "count", at, 0, 0, 1e6));
        r.direction = static_cast<int>(num(rules[i], "direction", at, 0, -1, 1));
        r.severity = text(rules[i], "severity", at, false, r.severity);
        r.cooldownSeconds = num(rules[i], "cooldown_seconds", at, r.cooldownSeconds, 0, 1e7);
        s.rules.push_back(std::move(r));
    }
    return s;
}

json toJsonValue(Point p) { return json::array({p.x, p.y}); }

}  // namespace

const char* anchorName(Anchor a) { return kAnchorNames[static_cast<int>(a)]; }

std::optional<Anchor> parseAnchor(const std::string& name) {
    for (int i = 0; i < 5; ++i)
        if (name == kAnchorNames[i]) return static_cast<Anchor>(i);
    return std::nullopt;
}

Point anchorPoint(const vision::Box& b, Anchor a) {
    const double cx = (b.x1 + b.x2) / 2.0;
    switch (a) {
        case Anchor::BottomCentre: return {cx, b.y2};
        case Anchor::Centre: return {cx, (b.y1 + b.y2) / 2.0};
        case Anchor::TopCentre: return {cx, b.y1};
        case Anchor::BottomLeft: return {b.x1, b.y2};
        case Anchor::BottomRight: return {b.x2, b.y2};
    }
    return {cx, b.y2};
}

const char* ruleKindName(RuleKind k) { return kRuleNames[static_cast<int>(k)]; }

std::optional<RuleKind> parseRuleKind(const std::string& name) {
    for (int i = 0; i < 6; ++i)
        if (name == kRuleNames[i]) return static_cast<RuleKind>(i);
    return std::nullopt;
}

Status validateScene(const Scene& s) {
    const auto bad = [](const std::string& at, const std::string& what) {
        return Status(StatusCode::InvalidData, at + ": " + what);
    };
    std::set<std::string> names;
    for (size_t i = 0; i < s.zones.size(); ++i) {
        const Zone& z = s.zones[i];
        const std::string at = ptr("/zones", i);
        if (z.name.empty()) return bad(ptr(at, "name"), "empty");
        if (!names.insert(z.name).second)
            return bad(ptr(at, "name"), "duplicate name '" + z.name + "'");
        if (z.polygon.size() < 3)
            return bad(ptr(at, "polygon"), "a zone needs at least 3 points, not " +
                                               std::to_string(z.polygon.size()));
        for (size_t k = 0; k < z.polygon.size(); ++k)
            if (!std::isfinite(z.polygon[k].x) || !std::isfinite(z.polygon[k].y))
                return bad(ptr(ptr(at, "polygon"), k), "not a finite point");
        // The parser's bounds too: a scene that validates is one that loads back.
        if (z.hysteresis < 1 || z.hysteresis > 1000)
            return bad(ptr(at, "hysteresis"), "must be 1 .. 1000 frames, not " +
                                                  std::to_string(z.hysteresis));
        if (!(z.loiterSeconds >= 0 && z.loiterSeconds <= 1e7))
            return bad(ptr(at, "loiter_seconds"), "must be 0 .. 1e7 seconds");
    }
    for (size_t i = 0; i < s.lines.size(); ++i) {
        const Line& l = s.lines[i];
        const std::string at = ptr("/lines", i);
        if (l.name.empty()) return bad(ptr(at, "name"), "empty");
        if (!names.insert(l.name).second)
            return bad(ptr(at, "name"), "duplicate name '" + l.name + "'");
        if (!std::isfinite(l.a.x) || !std::isfinite(l.a.y)) return bad(ptr(at, "a"), "not finite");
        if (!std::isfinite(l.b.x) || !std::isfinite(l.b.y)) return bad(ptr(at, "b"), "not finite");
        if (l.a == l.b) return bad(ptr(at, "b"), "the same point as a: a line needs two points");
    }
    std::set<std::string> ruleNames;
    const auto isZone = [&](const std::string& n) {
        for (const Zone& z : s.zones)
            if (z.name == n) return true;
        return false;
    };
    const auto isLine = [&](const std::string& n) {
        for (const Line& l : s.lines)
            if (l.name == n) return true;
        return false;
    };
    for (size_t i = 0; i < s.rules.size(); ++i) {
        const Rule& r = s.rules[i];
        const std::string at = ptr("/rules", i);
        if (r.name.empty()) return bad(ptr(at, "name"), "empty");
        if (!ruleNames.insert(r.name).second)
            return bad(ptr(at, "name"), "duplicate name '" + r.name + "'");
        const bool lineRule = r.kind == RuleKind::LineCross;
        if (lineRule && !isLine(r.target))
            return bad(ptr(at, "target"), "no line named '" + r.target + "'");
        const bool wholeFrame = (r.kind == RuleKind::ClassPresent ||
                                 r.kind == RuleKind::CountAbove) && r.target.empty();
        if (!lineRule && !wholeFrame && !isZone(r.target))
            return bad(ptr(at, "target"), "no zone named '" + r.target + "'");
        if (r.severity != "info" && r.severity != "warning" && r.severity != "critical")
            return bad(ptr(at, "severity"), "must be info, warning or critical, not '" +
                                                r.severity + "'");
        if (r.direction < -1 || r.direction > 1)
            return bad(ptr(at, "direction"), "must be -1, 0 or 1");
        if (!(r.seconds >= 0 && r.seconds <= 1e7))
            return bad(ptr(at, "seconds"), "must be 0 .. 1e7 seconds");
        if (r.count < 0 || r.count > 1000000)
            return bad(ptr(at, "count"), "must be 0 .. 1000000");
        if (!(r.cooldownSeconds >= 0 && r.cooldownSeconds <= 1e7))
            return bad(ptr(at, "cooldown_seconds"), "must be 0 .. 1e7 seconds");
    }
    return {};
}

Expected<Scene> parseSceneJson(const std::string& textIn, const std::string& sourceName,
                               const std::string& pointerPrefix) {
    const std::string prefix = "analytics: " + sourceName + ": ";
    json root;
    try {
        root = json::parse(textIn);
    } catch (const json::parse_error& e) {
        // nlohmann's byte offset -> line and column.
        size_t line = 1, col = 1;
        for (size_t i = 0; i + 1 < e.byte && i < textIn.size(); ++i) {   // byte is 1-based
            if (textIn[i] == '\n') ++line, col = 1;
            else ++col;
        }
        return Status(StatusCode::InvalidData, prefix + "line " + std::to_string(line) +
                                                   ", column " + std::to_string(col) +
                                                   ": not valid JSON");
    } catch (const json::exception& e) {   // out_of_range: a number beyond double (1e999)
        return Status(StatusCode::InvalidData, prefix + "not valid JSON: " + e.what());
    }
    Scene s;
    try {
        s = parse(root);
    } catch (const Bad& b) {
        return Status(StatusCode::InvalidData,
                      prefix + pointerPrefix +
                          (b.pointer.empty() && pointerPrefix.empty() ? std::string("/")
                                                                      : b.pointer) +
                          ": " + b.what);
    } catch (const json::exception& e) {
        return Status(StatusCode::InvalidData, prefix + e.what());
    }
    if (Status st = validateScene(s); !st)
        return Status(StatusCode::InvalidData, prefix + pointerPrefix + st.message());
    return s;
}

Expected<Scene> loadScene(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Status(StatusCode::NotFound, "analytics: cannot read '" + path.string() + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parseSceneJson(ss.str(), path.filename().string());
}

std::string sceneToJson(const Scene& s) {
    json root;
    root["version"] = Scene::kVersion;
    root["zones"] = json::array();
    for (const Zone& z : s.zones) {
        json poly = json::array();
        for (const Point& p : z.polygon) poly.push_back(toJsonValue(p));
        root["zones"].push_back({{"name", z.name},
                                 {"polygon", poly},
                                 {"classes", z.classes},
                                 {"anchor", anchorName(z.anchor)},
                                 {"color", z.color},
                                 {"hysteresis", z.hysteresis},
                                 {"loiter_seconds", z.loiterSeconds}});
    }
    root["lines"] = json::array();
    for (const Line& l : s.lines)
        root["lines"].push_back({{"name", l.name},
                                 {"a", toJsonValue(l.a)},
                                 {"b", toJsonValue(l.b)},
                                 {"classes", l.classes},
                                 {"anchor", anchorName(l.anchor)},
                                 {"color", l.color}});
    root["rules"] = json::array();
    for (const Rule& r : s.rules)
        root["rules"].push_back({{"name", r.name},
                                 {"kind", ruleKindName(r.kind)},
                                 {"target", r.target},
                                 {"classes", r.classes},
                                 {"seconds", r.seconds},
                                 {"count", r.count},
                                 {"direction", r.direction},
                                 {"severity", r.severity},
                                 {"cooldown_seconds", r.cooldownSeconds}});
    return root.dump(2) + "\n";
}

Status saveScene(const std::filesystem::path& path, const Scene& scene) {
    if (Status st = validateScene(scene); !st)
        return Status(StatusCode::InvalidArgument,
                      "analytics: " + path.filename().string() + ": " + st.message());
    return writeFileAtomic(path, sceneToJson(scene), "analytics");
}

}  // namespace sl::analytics
