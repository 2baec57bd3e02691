#include "analytics/rule_engine.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace sl::analytics {

namespace {

bool wants(const Rule& r, const std::string& label) {
    return r.classes.empty() || r.classes.count(label) > 0;
}

std::string fmt1(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::string joined(const std::set<std::string>& items) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

std::string who(const AlertObject& o) { return o.label + " #" + std::to_string(o.trackId); }

const char* directionName(int d) { return d > 0 ? "A->B" : "B->A"; }

}  // namespace

// A track inside a zone: from its ZoneEnter event until its ZoneExit event.
struct Member {
    int classId = 0;
    std::string label;
    int64_t enterFrame = 0, enterPts = 0;
    double enterSeconds = 0;
};

// A track as last seen: its box for alerts about it on frames where it is not reported.
struct Seen {
    int classId = 0;
    std::string label;
    vision::Box box;
    int64_t lastFrame = 0;
    int zonesInside = 0;     // kept while > 0: an exit may still need its box
};

// What one rule remembers.
struct RuleSlot {
    int zone = -1;           // the target zone's index; -1: a line, the whole frame, or missing
    bool valid = false;      // the target exists (or none is needed)
    // Cooldown: per rule (conditions) or per track (event kinds).
    std::optional<double> lastAlert;
    std::unordered_map<int64_t, double> lastAlertByTrack;
    // loiter with its own seconds: tracks that loitered in their current visit.
    std::unordered_set<int64_t> loitered;
    // class-present: the episode of presence.
    bool open = false, episodeFired = false;
    double lastPresent = 0;
    int64_t startFrame = 0, startPts = 0;
    double startSeconds = 0;
    // count-above: armed until it fires, re-armed by N <= count.
    bool armed = true;
};

struct RuleEngine::State {
    std::vector<RuleSlot> rules;
    std::vector<std::unordered_map<int64_t, Member>> members;   // per zone
    std::unordered_map<std::string, int> zoneIndex;
    std::unordered_map<int64_t, Seen> seen;
};

RuleEngine::RuleEngine(Scene scene, std::vector<std::string> labels, RuleOptions options)
    : scene_(std::move(scene)),
      labels_(std::move(labels)),
      options_(options),
      state_(std::make_unique<State>()) {
    reset();
}

RuleEngine::~RuleEngine() = default;
RuleEngine::RuleEngine(RuleEngine&&) noexcept = default;
RuleEngine& RuleEngine::operator=(RuleEngine&&) noexcept = default;

const Scene& RuleEngine::scene() const { return scene_; }

void RuleEngine::reset() {
    State& s = *state_;
    s = State{};
    for (size_t z = 0; z < scene_.zones.size(); ++z)
        s.zoneIndex[scene_.zones[z].name] = static_cast<int>(z);
    s.members.resize(scene_.zones.size());
    for (const Rule& r : scene_.rules) {
        RuleSlot slot;
        if (r.kind == RuleKind::LineCross) {
            slot.valid = std::any_of(scene_.lines.begin(), scene_.lines.end(),
                                     [&](const Line& l) { return l.name == r.target; });
        } else if (r.target.empty()) {
            slot.valid = r.kind == RuleKind::ClassPresent || r.kind == RuleKind::CountAbove;
        } else if (const auto it = s.zoneIndex.find(r.target); it != s.zoneIndex.end()) {
            slot.zone = it->second;
            slot.valid = true;
        }
        s.rules.push_back(std::move(slot));
    }
}

std::vector<Alert> RuleEngine::update(const TrackedFrame& frame, const std::vector<Event>& events) {
    State& s = *state_;
    const double now = frame.seconds;
    const auto labelOf = [&](int classId) {
        return classId >= 0 && classId < static_cast<int>(labels_.size())
                   ? labels_[static_cast<size_t>(classId)]
                   : std::to_string(classId);
    };

    // 1. Where every reported track is now.
    for (const track::TrackedObject& o : frame.objects) {
        auto [it, fresh] = s.seen.try_emplace(o.trackId);
        if (fresh) {
            it->second.classId = o.classId;
            it->second.label = labelOf(o.classId);
        }
        it->second.box = o.box;
        it->second.lastFrame = frame.frameIndex;
    }
    const auto object = [&](int64_t trackId, int classId, const std::string& label) {
        AlertObject a{trackId, classId, label, {}};
        if (const auto it = s.seen.find(trackId); it != s.seen.end()) a.box = it->second.box;
        return a;
    };

    // 2. Zone membership from this frame's enters and exits, in event order.
    std::vector<const Event*> enters;
    for (const Event& e : events) {
        if (e.kind != EventKind::ZoneEnter && e.kind != EventKind::ZoneExit) continue;
        const auto z = s.zoneIndex.find(e.target);
        if (z == s.zoneIndex.end()) continue;
        auto& members = s.members[static_cast<size_t>(z->second)];
        if (e.kind == EventKind::ZoneEnter) {
            if (members.insert_or_assign(e.trackId, Member{e.classId, e.label, e.frameIndex, e.pts,
                                                           e.seconds})
                    .second) {
                Seen& t = s.seen[e.trackId];
                if (t.label.empty()) t.classId = e.classId, t.label = e.label;
                ++t.zonesInside;
            }
            enters.push_back(&e);
        } else if (members.erase(e.trackId) > 0) {
            if (const auto t = s.seen.find(e.trackId); t != s.seen.end()) --t->second.zonesInside;
            for (size_t r = 0; r < scene_.rules.size(); ++r)
                if (s.rules[r].zone == z->second) s.rules[r].loitered.erase(e.trackId);
        }
    }

    std::vector<Alert> alerts;
    for (size_t r = 0; r < scene_.rules.size(); ++r) {
        const Rule& rule = scene_.rules[r];
        RuleSlot& slot = s.rules[r];
        if (!slot.valid) continue;
        const auto alert = [&]() {
            Alert a;
            a.rule = rule.name;
            a.kind = rule.kind;
            a.severity = rule.severity;
            a.target = rule.target;
            a.frameIndex = a.startFrame = frame.frameIndex;
            a.pts = a.startPts = frame.pts;
            a.seconds = a.startSeconds = now;
            return a;
        };
        // Per-track cooldown of the event kinds: entries past their cooldown suppress nothing.
        std::erase_if(slot.lastAlertByTrack,
                      [&](const auto& kv) { return now - kv.second >= rule.cooldownSeconds; });
        const auto trackCooled = [&](int64_t trackId) {
            if (slot.lastAlertByTrack.count(trackId) > 0) return false;
            if (rule.cooldownSeconds > 0) slot.lastAlertByTrack[trackId] = now;
            return true;
        };
        const auto ruleCooled = [&]() {
            return !slot.lastAlert || now - *slot.lastAlert >= rule.cooldownSeconds;
        };
        const std::string& prefix = rule.name;
        const std::string where = rule.target.empty() ? std::string() : " in " + rule.target;

        switch (rule.kind) {
            case RuleKind::ZoneEnter:
            case RuleKind::ZoneExit:
            case RuleKind::LineCross:
            case RuleKind::Loiter: {
                const EventKind want = rule.kind == RuleKind::ZoneEnter  ? EventKind::ZoneEnter
                                       : rule.kind == RuleKind::ZoneExit ? EventKind::ZoneExit
                                       : rule.kind == RuleKind::LineCross ? EventKind::LineCross
                                                                          : EventKind::Loiter;
                if (rule.kind == RuleKind::Loiter && rule.seconds > 0) {
                    // Its own seconds, not the zone's Loiter events: at the first observation
                    // inside whose dwell reaches them.
                    const auto& members = s.members[static_cast<size_t>(slot.zone)];
                    for (const track::TrackedObject& o : frame.objects) {
                        const auto m = members.find(o.trackId);
                        if (m == members.end() || !wants(rule, m->second.label) ||
                            slot.loitered.count(o.trackId) > 0)
                            continue;
                        const double dwell = now - m->second.enterSeconds;
                        if (dwell < rule.seconds) continue;
                        slot.loitered.insert(o.trackId);   // once per visit, fired or cooled down
                        if (!trackCooled(o.trackId)) continue;
                        Alert a = alert();
                        a.startFrame = m->second.enterFrame;
                        a.startPts = m->second.enterPts;
                        a.startSeconds = m->second.enterSeconds;
                        a.dwellSeconds = dwell;
                        a.objects.push_back({o.trackId, o.classId, m->second.label, o.box});
                        a.message = prefix + ": " + who(a.objects[0]) + " in " + rule.target +
                                    " for " + fmt1(dwell) + " s";
                        alerts.push_back(std::move(a));
                    }
                    break;
                }
                for (const Event& e : events) {
                    if (e.kind != want || e.target != rule.target || !wants(rule, e.label))
                        continue;
                    if (rule.kind == RuleKind::LineCross && rule.direction != 0 &&
                        e.direction != rule.direction)
                        continue;
                    if (!trackCooled(e.trackId)) continue;
                    Alert a = alert();
                    a.objects.push_back(object(e.trackId, e.classId, e.label));
                    const std::string o = who(a.objects[0]);
                    a.startFrame = e.frameIndex;
                    a.startPts = e.pts;
                    a.startSeconds = e.seconds;
                    if (rule.kind == RuleKind::ZoneEnter) {
                        a.message = prefix + ": " + o + " entered " + rule.target;
                    } else if (rule.kind == RuleKind::ZoneExit) {
                        a.dwellSeconds = e.dwellSeconds;
                        a.message = prefix + ": " + o + " left " + rule.target + " after " +
                                    fmt1(e.dwellSeconds) + " s";
                    } else if (rule.kind == RuleKind::LineCross) {
                        a.direction = e.direction;
                        a.message = prefix + ": " + o + " crossed " + rule.target + " " +
                                    directionName(e.direction);
                    } else {
                        const auto& members = s.members[static_cast<size_t>(slot.zone)];
                        if (const auto m = members.find(e.trackId); m != members.end()) {
                            a.startFrame = m->second.enterFrame;
                            a.startPts = m->second.enterPts;
                            a.startSeconds = m->second.enterSeconds;
                        }
                        a.dwellSeconds = e.dwellSeconds;
                        a.message = prefix + ": " + o + " in " + rule.target + " for " +
                                    fmt1(e.dwellSeconds) + " s";
                    }
                    alerts.push_back(std::move(a));
                }
                break;
            }
            case RuleKind::ClassPresent:
            case RuleKind::CountAbove: {
                // The matching objects: in the zone (members) or in the frame.
                std::vector<AlertObject> present;
                if (slot.zone >= 0) {
                    for (const auto& [id, m] : s.members[static_cast<size_t>(slot.zone)])
                        if (wants(rule, m.label)) present.push_back(object(id, m.classId, m.label));
                } else {
                    for (const track::TrackedObject& o : frame.objects) {
                        const Seen& t = s.seen[o.trackId];
                        if (wants(rule, t.label))
                            present.push_back({o.trackId, o.classId, t.label, o.box});
                    }
                }
                std::sort(present.begin(), present.end(),
                          [](const AlertObject& a, const AlertObject& b) {
                              return a.trackId < b.trackId;
                          });
                if (rule.kind == RuleKind::CountAbove) {
                    const int n = static_cast<int>(present.size());
                    if (n <= rule.count) {
                        slot.armed = true;
                    } else if (slot.armed && ruleCooled()) {
                        slot.armed = false;
                        slot.lastAlert = now;
                        Alert a = alert();
                        a.count = n;
                        a.objects = std::move(present);
                        const std::string which =
                            rule.classes.empty() ? "" : " (" + joined(rule.classes) + ")";
                        a.message = prefix + ": " + std::to_string(n) + " objects" + which +
                                    (rule.target.empty() ? " in view" : where) + ", more than " +
                                    std::to_string(rule.count);
                        alerts.push_back(std::move(a));
                    }
                    break;
                }
                if (present.empty()) break;
                if (!slot.open || now - slot.lastPresent > options_.presenceGapSeconds) {
                    slot.open = true;
                    slot.episodeFired = false;
                    slot.startFrame = frame.frameIndex;
                    slot.startPts = frame.pts;
                    slot.startSeconds = now;
                    // In a zone: from the earliest dated enter reported now that is still inside.
                    for (const Event* e : enters) {
                        if (slot.zone < 0 || e->target != rule.target || !wants(rule, e->label) ||
                            s.members[static_cast<size_t>(slot.zone)].count(e->trackId) == 0 ||
                            e->seconds >= slot.startSeconds)
                            continue;
                        slot.startFrame = e->frameIndex;
                        slot.startPts = e->pts;
                        slot.startSeconds = e->seconds;
                    }
                }
                slot.lastPresent = now;
                const double dwell = now - slot.startSeconds;
                if (!slot.episodeFired && dwell >= rule.seconds && ruleCooled()) {
                    slot.episodeFired = true;
                    slot.lastAlert = now;
                    Alert a = alert();
                    a.startFrame = slot.startFrame;
                    a.startPts = slot.startPts;
                    a.startSeconds = slot.startSeconds;
                    a.dwellSeconds = dwell;
                    std::set<std::string> labels;
                    for (const AlertObject& o : present) labels.insert(o.label);
                    a.objects = std::move(present);
                    a.message = prefix + ": " + joined(labels) + " present" + where + " for " +
                                fmt1(dwell) + " s";
                    alerts.push_back(std::move(a));
                }
                break;
            }
        }

    }

    // 3. Forget tracks that are neither on this frame nor inside a zone: nothing about them can
    // need a stale box any more (a new event needs a new observation).
    std::erase_if(s.seen, [&](const auto& kv) {
        return kv.second.lastFrame != frame.frameIndex && kv.second.zonesInside <= 0;
    });
    return alerts;
}

std::vector<Alert> evaluateRules(const Scene& scene, const std::vector<std::string>& labels,
                                 const std::vector<TrackedFrame>& frames,
                                 const RuleOptions& options) {
    AnalyticsEngine analytics(scene, labels);
    RuleEngine rules(scene, labels, options);
    std::vector<Alert> out;
    for (const TrackedFrame& f : frames)
        for (Alert& a : rules.update(f, analytics.update(f))) out.push_back(std::move(a));
    return out;
}

// --- JSON lines -------------------------------------------------------------------------------

namespace {

using ojson = nlohmann::ordered_json;

struct Bad {
    std::string pointer, what;
};

bool hasDirection(RuleKind k) { return k == RuleKind::LineCross; }
bool hasCount(RuleKind k) { return k == RuleKind::CountAbove; }
bool hasDwell(RuleKind k) {
    return k == RuleKind::Loiter || k == RuleKind::ClassPresent || k == RuleKind::ZoneExit;
}

const ojson& need(const ojson& obj, const char* key, const std::string& at) {
    const auto it = obj.find(key);
    if (it == obj.end()) throw Bad{at + "/" + key, "missing"};
    return *it;
}

std::string str(const ojson& obj, const char* key, const std::string& at) {
    const ojson& v = need(obj, key, at);
    if (!v.is_string()) throw Bad{at + "/" + key, "expected a string"};
    return v.get<std::string>();
}

int64_t integer(const ojson& obj, const char* key, const std::string& at) {
    const ojson& v = need(obj, key, at);
    if (!v.is_number_integer()) throw Bad{at + "/" + key, "expected an integer"};
    return v.get<int64_t>();
}

double number(const ojson& obj, const char* key, const std::string& at) {
    const ojson& v = need(obj, key, at);
    if (!v.is_number() || !std::isfinite(v.get<double>()))
        throw Bad{at + "/" + key, "expected a number"};
    return v.get<double>();
}

SourcedAlert parseAlert(const ojson& j) {
    if (!j.is_object()) throw Bad{"", "expected an object"};
    SourcedAlert out;
    Alert& a = out.alert;
    a.seconds = number(j, "time", "");
    a.frameIndex = integer(j, "frame", "");
    a.pts = integer(j, "pts", "");
    out.source = str(j, "source", "");
    a.rule = str(j, "alert", "");
    const std::string kind = str(j, "kind", "");
    const auto k = parseRuleKind(kind);
    if (!k) throw Bad{"/kind", "unknown rule kind '" + kind + "'"};
    a.kind = *k;
    a.severity = str(j, "severity", "");
    a.target = str(j, "target", "");
    a.startFrame = integer(j, "start_frame", "");
    a.startPts = integer(j, "start_pts", "");
    a.startSeconds = number(j, "start_time", "");
    if (hasDirection(a.kind)) {
        const std::string d = str(j, "direction", "");
        if (d != "A->B" && d != "B->A") throw Bad{"/direction", "expected \"A->B\" or \"B->A\""};
        a.direction = d == "A->B" ? +1 : -1;
    }
    if (hasCount(a.kind)) a.count = static_cast<int>(integer(j, "count", ""));
    if (hasDwell(a.kind)) a.dwellSeconds = number(j, "dwell", "");
    const ojson& objects = need(j, "objects", "");
    if (!objects.is_array()) throw Bad{"/objects", "expected an array"};
    for (size_t i = 0; i < objects.size(); ++i) {
        const std::string at = "/objects/" + std::to_string(i);
        const ojson& o = objects[i];
        if (!o.is_object()) throw Bad{at, "expected an object"};
        AlertObject ao;
        ao.trackId = integer(o, "track_id", at);
        ao.classId = static_cast<int>(integer(o, "class_id", at));
        ao.label = str(o, "label", at);
        const ojson& b = need(o, "box", at);
        if (!b.is_array() || b.size() != 4 ||
            !std::all_of(b.begin(), b.end(), [](const ojson& v) { return v.is_number(); }))
            throw Bad{at + "/box", "expected [x1, y1, x2, y2] numbers"};
        ao.box = {b[0].get<float>(), b[1].get<float>(), b[2].get<float>(), b[3].get<float>()};
        a.objects.push_back(std::move(ao));
    }
    a.message = str(j, "message", "");
    return out;
}

}  // namespace

std::string alertJsonLine(const Alert& a, const std::string& source) {
    ojson j;
    j["time"] = a.seconds;
    j["frame"] = a.frameIndex;
    j["pts"] = a.pts;
    j["source"] = source;
    j["alert"] = a.rule;
    j["kind"] = ruleKindName(a.kind);
    j["severity"] = a.severity;
    j["target"] = a.target;
    j["start_frame"] = a.startFrame;
    j["start_pts"] = a.startPts;
    j["start_time"] = a.startSeconds;
    if (hasDirection(a.kind)) j["direction"] = directionName(a.direction);
    if (hasCount(a.kind)) j["count"] = a.count;
    if (hasDwell(a.kind)) j["dwell"] = a.dwellSeconds;
    ojson objects = ojson::array();
    for (const AlertObject& o : a.objects)
        objects.push_back({{"track_id", o.trackId},
                           {"class_id", o.classId},
                           {"label", o.label},
                           {"box", ojson::array({o.box.x1, o.box.y1, o.box.x2, o.box.y2})}});
    j["objects"] = std::move(objects);
    j["message"] = a.message;
    return j.dump();
}

Expected<SourcedAlert> parseAlertJsonLine(const std::string& line) {
    const std::string prefix = "analytics: alert line: ";
    try {
        return parseAlert(ojson::parse(line));
    } catch (const Bad& b) {
        return Status(StatusCode::InvalidData,
                      prefix + (b.pointer.empty() ? std::string("/") : b.pointer) + ": " + b.what);
    } catch (const ojson::exception& e) {
        return Status(StatusCode::InvalidData, prefix + "not valid JSON: " + e.what());
    }
}

}  // namespace sl::analytics
