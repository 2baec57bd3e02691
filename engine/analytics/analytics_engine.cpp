#include "analytics/analytics_engine.h"

#include <algorithm>
#include <unordered_map>

namespace sl::analytics {

const char* eventKindName(EventKind k) {
    switch (k) {
        case EventKind::ZoneEnter: return "zone-enter";
        case EventKind::ZoneExit: return "zone-exit";
        case EventKind::LineCross: return "line-cross";
        case EventKind::Loiter: return "loiter";
    }
    return "zone-enter";
}

namespace {

double cross(Point o, Point a, Point p) { return (a.x - o.x) * (p.y - o.y) - (a.y - o.y) * (p.x - o.x); }

// Even-odd point in polygon; a point on an edge counts as inside.
bool insidePolygon(const std::vector<Point>& poly, Point p) {
    bool in = false;
    for (size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
        const Point a = poly[j], b = poly[i];
        // On the edge a-b: collinear and within its box.
        if (cross(a, b, p) == 0 && p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) &&
            p.y >= std::min(a.y, b.y) && p.y <= std::max(a.y, b.y))
            return true;
        if ((b.y > p.y) != (a.y > p.y) && p.x < (a.x - b.x) * (p.y - b.y) / (a.y - b.y) + b.x)
            in = !in;
    }
    return in;
}

struct ZoneGeom {
    double minX, minY, maxX, maxY;
};

}  // namespace

// Per track and zone / line: what the hysteresis and the crossing test remember.
struct ZoneTrackState {
    bool inside = false;          // confirmed state
    int run = 0;                  // consecutive observations contradicting `inside`
    int64_t runFrame = 0;         // first frame of that run
    int64_t runPts = 0;
    double runSeconds = 0;
    double enterSeconds = 0;
    int64_t enterFrame = 0;
    bool loitered = false;
    size_t visit = 0;             // index into visits while inside
};

struct LineTrackState {
    int side = 0;                 // the side last strictly held: -1 left (A), +1 right (B)
    Point last;                   // the anchor where it was last strictly off the line
};

struct TrackState {
    int classId = 0;
    std::string label;
    int64_t lastFrame = 0;
    int64_t lastPts = 0;
    double lastSeconds = 0;
    std::vector<ZoneTrackState> zones;
    std::vector<LineTrackState> lines;
    std::vector<char> zoneWanted, lineWanted;   // class filters, decided once per track
};

struct AnalyticsEngine::State {
    std::vector<ZoneGeom> geom;
    std::unordered_map<int64_t, TrackState> tracks;
    CountsSample counts;
    std::vector<Visit> visits;
    int64_t frame = 0;
    double seconds = 0;
    bool any = false;
};

AnalyticsEngine::AnalyticsEngine(Scene scene, std::vector<std::string> labels,
                                 double trackLostSeconds)
    : scene_(std::move(scene)),
      labels_(std::move(labels)),
      trackLostSeconds_(trackLostSeconds),
      state_(std::make_unique<State>()) {
    reset();
}

AnalyticsEngine::~AnalyticsEngine() = default;
AnalyticsEngine::AnalyticsEngine(AnalyticsEngine&&) noexcept = default;
AnalyticsEngine& AnalyticsEngine::operator=(AnalyticsEngine&&) noexcept = default;

const Scene& AnalyticsEngine::scene() const { return scene_; }
CountsSample AnalyticsEngine::counts() const { return state_->counts; }
std::vector<Visit> AnalyticsEngine::visits() const { return state_->visits; }

void AnalyticsEngine::reset() {
    State& s = *state_;
    s = State{};
    for (const Zone& z : scene_.zones) {
        ZoneGeom g{1e300, 1e300, -1e300, -1e300};
        for (const Point& p : z.polygon) {
            g.minX = std::min(g.minX, p.x), g.minY = std::min(g.minY, p.y);
            g.maxX = std::max(g.maxX, p.x), g.maxY = std::max(g.maxY, p.y);
        }
        s.geom.push_back(g);
        // Every zone and line appears in the counts from the start, with no label yet.
        s.counts.inside[z.name];
        s.counts.entered[z.name];
    }
    for (const Line& l : scene_.lines) {
        s.counts.crossedAB[l.name];
        s.counts.crossedBA[l.name];
    }
}

std::vector<Event> AnalyticsEngine::update(const TrackedFrame& frame) {
    State& s = *state_;
    std::vector<Event> events;
    const auto labelOf = [&](int classId) {
        return classId >= 0 && classId < static_cast<int>(labels_.size())
                   ? labels_[static_cast<size_t>(classId)]
                   : std::to_string(classId);
    };
    const auto event = [&](EventKind kind, const std::string& target, int64_t trackId,
                           const TrackState& t, int64_t f, int64_t pts, double sec) {
        Event e;
        e.kind = kind;
        e.target = target;
        e.trackId = trackId;
        e.classId = t.classId;
        e.label = t.label;
        e.frameIndex = f;
        e.pts = pts;
        e.seconds = sec;
        return e;
    };
    // Leaves zone z for track t at (f, pts, sec): the exit event, the visit closed, the count.
    const auto leave = [&](int64_t id, TrackState& t, size_t z, int64_t f, int64_t pts,
                           double sec) {
        ZoneTrackState& zs = t.zones[z];
        Event e = event(EventKind::ZoneExit, scene_.zones[z].name, id, t, f, pts, sec);
        e.dwellSeconds = sec - zs.enterSeconds;
        events.push_back(e);
        Visit& v = s.visits[zs.visit];
        v.exitFrame = f;
        v.exitSeconds = sec;
        --s.counts.inside[scene_.zones[z].name][t.label];
        zs.inside = false;
        zs.run = 0;
    };

    // Tracks gone for longer than trackLostSeconds leave their zones when last seen.
    for (auto it = s.tracks.begin(); it != s.tracks.end();) {
        TrackState& t = it->second;
        if (frame.seconds - t.lastSeconds > trackLostSeconds_) {
            for (size_t z = 0; z < t.zones.size(); ++z)
                if (t.zones[z].inside) leave(it->first, t, z, t.lastFrame, t.lastPts, t.lastSeconds);
            it = s.tracks.erase(it);
        } else {
            ++it;
        }
    }

    for (const track::TrackedObject& o : frame.objects) {
        auto [it, fresh] = s.tracks.try_emplace(o.trackId);
        TrackState& t = it->second;
        if (fresh) {
            t.classId = o.classId;
            t.label = labelOf(o.classId);
            t.zones.resize(scene_.zones.size());
            t.lines.resize(scene_.lines.size());
            t.zoneWanted.resize(scene_.zones.size());
            t.lineWanted.resize(scene_.lines.size());
            for (size_t z = 0; z < scene_.zones.size(); ++z)
                t.zoneWanted[z] = scene_.zones[z].classes.empty() ||
                                  scene_.zones[z].classes.count(t.label) > 0;
            for (size_t l = 0; l < scene_.lines.size(); ++l)
                t.lineWanted[l] = scene_.lines[l].classes.empty() ||
                                  scene_.lines[l].classes.count(t.label) > 0;
        }
        for (size_t z = 0; z < scene_.zones.size(); ++z) {
            if (!t.zoneWanted[z]) continue;
            const Zone& zone = scene_.zones[z];
            const ZoneGeom& g = s.geom[z];
            const Point p = anchorPoint(o.box, zone.anchor);
            const bool in = p.x >= g.minX && p.x <= g.maxX && p.y >= g.minY && p.y <= g.maxY &&
                            insidePolygon(zone.polygon, p);
            ZoneTrackState& zs = t.zones[z];
            if (in == zs.inside) {
                zs.run = 0;
            } else {
                if (zs.run == 0) {
                    zs.runFrame = frame.frameIndex;
                    zs.runPts = frame.pts;
                    zs.runSeconds = frame.seconds;
                }
                if (++zs.run >= std::max(1, zone.hysteresis)) {
                    if (in) {
                        events.push_back(event(EventKind::ZoneEnter, zone.name, o.trackId, t,
                                               zs.runFrame, zs.runPts, zs.runSeconds));
                        zs.inside = true;
                        zs.run = 0;
                        zs.enterSeconds = zs.runSeconds;
                        zs.enterFrame = zs.runFrame;
                        zs.loitered = false;
                        zs.visit = s.visits.size();
                        Visit v;
                        v.zone = zone.name;
                        v.trackId = o.trackId;
                        v.enterFrame = zs.runFrame;
                        v.enterSeconds = zs.runSeconds;
                        v.exitSeconds = frame.seconds;   // open: updated while inside
                        s.visits.push_back(v);
                        ++s.counts.inside[zone.name][t.label];
                        ++s.counts.entered[zone.name][t.label];
                    } else {
                        leave(o.trackId, t, z, zs.runFrame, zs.runPts, zs.runSeconds);
                    }
                }
            }
            if (zs.inside) {
                s.visits[zs.visit].exitSeconds = frame.seconds;   // dwell so far
                const double dwell = frame.seconds - zs.enterSeconds;
                if (zone.loiterSeconds > 0 && !zs.loitered && dwell >= zone.loiterSeconds) {
                    zs.loitered = true;
                    Event e = event(EventKind::Loiter, zone.name, o.trackId, t, frame.frameIndex,
                                    frame.pts, frame.seconds);
                    e.dwellSeconds = dwell;
                    events.push_back(e);
                }
            }
        }
        for (size_t l = 0; l < scene_.lines.size(); ++l) {
            if (!t.lineWanted[l]) continue;
            const Line& line = scene_.lines[l];
            const Point p = anchorPoint(o.box, line.anchor);
            const double c = cross(line.a, line.b, p);
            if (c == 0) continue;   // exactly on the line: no side
            const int side = c < 0 ? -1 : 1;
            LineTrackState& ls = t.lines[l];
            if (ls.side != 0 && side != ls.side) {
                // The path from the last strictly-held point crosses the infinite line; it
                // crosses the segment when a and b are not strictly on one side of the path.
                const double da = cross(ls.last, p, line.a), db = cross(ls.last, p, line.b);
                if (!((da > 0 && db > 0) || (da < 0 && db < 0))) {
                    Event e = event(EventKind::LineCross, line.name, o.trackId, t,
                                    frame.frameIndex, frame.pts, frame.seconds);
                    e.direction = side > 0 ? +1 : -1;   // left (A) -> right (B) is +1
                    events.push_back(e);
                    ++(side > 0 ? s.counts.crossedAB : s.counts.crossedBA)[line.name][t.label];
                }
            }
            ls.side = side;
            ls.last = p;
        }
        t.lastFrame = frame.frameIndex;
        t.lastPts = frame.pts;
        t.lastSeconds = frame.seconds;
    }
    s.counts.frameIndex = frame.frameIndex;
    s.counts.seconds = frame.seconds;
    return events;
}

SequenceResult analyseSequence(const Scene& scene, const std::vector<std::string>& labels,
                               const std::vector<TrackedFrame>& frames) {
    AnalyticsEngine engine(scene, labels);
    SequenceResult r;
    r.counts.reserve(frames.size());
    for (const TrackedFrame& f : frames) {
        for (Event& e : engine.update(f)) r.events.push_back(std::move(e));
        r.counts.push_back(engine.counts());
    }
    r.visits = engine.visits();
    return r;
}

}  // namespace sl::analytics
