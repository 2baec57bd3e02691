#include "store/review_edits.h"

#include <algorithm>
#include <climits>
#include <map>
#include <set>
#include <sstream>

#include "annotate/interpolation.h"

namespace sl::store::review {

using annotate::kNoTrack;
using annotate::Object;

namespace {

Status refused(ProjectStore& p, int64_t setId, StatusCode code, const std::string& message) {
    return Status(code, "store: project '" + p.path() + "', set " + std::to_string(setId) + ": " +
                            message);
}

std::string frameText(int64_t f) { return "frame " + std::to_string(f); }
std::string trackText(int64_t t) { return "track " + std::to_string(t); }

Status checkBox(ProjectStore& p, int64_t setId, const vision::Box& b) {
    if (!(b.x1 <= b.x2 && b.y1 <= b.y2))
        return refused(p, setId, StatusCode::InvalidArgument,
                       "the box (" + std::to_string(b.x1) + ", " + std::to_string(b.y1) + ")-(" +
                           std::to_string(b.x2) + ", " + std::to_string(b.y2) +
                           ") has its corners the wrong way round (x1 <= x2, y1 <= y2)");
    return Status::ok();
}

// The last frame a track repeats to: the media's last, or no bound when its length is unknown.
Expected<int64_t> lastFrameOf(ProjectStore& p, int64_t setId) {
    auto mediaId = p.mediaOfSet(setId);
    if (!mediaId) return mediaId.status();
    auto media = p.mediaById(*mediaId);
    if (!media) return media.status();
    return media->frameCount > 0 ? media->frameCount - 1 : INT64_MAX / 4;
}

// A track as stored, and what it shows at one frame.
struct TrackAt {
    std::vector<Object> objects;        // frame order
    std::optional<Object> stored;       // the stored object at the frame (a keyframe preferred)
    std::optional<Object> shown;        // the visible box there: a keyframe or interpolated
};

Expected<TrackAt> trackAt(ProjectStore& p, int64_t setId, int64_t trackId, int64_t frame) {
    if (trackId == kNoTrack)
        return refused(p, setId, StatusCode::InvalidArgument,
                       "a lone box has no track: edit it by its object id");
    auto objects = p.track(setId, trackId);
    if (!objects) return objects.status();
    if (objects->empty())
        return refused(p, setId, StatusCode::NotFound, "there is no " + trackText(trackId));
    auto last = lastFrameOf(p, setId);
    if (!last) return last.status();
    TrackAt t;
    t.objects = std::move(*objects);
    for (const Object& o : t.objects)
        if (o.frame == frame && (!t.stored || (o.keyframe && !t.stored->keyframe))) t.stored = o;
    annotate::AnnotationSet one;
    one.objects = t.objects;
    std::vector<Object> at = annotate::objectsAtFrame(one, frame, *last);
    if (!at.empty()) t.shown = std::move(at.front());
    return t;
}

// The change that makes the track's box at FRAME a stored keyframe: the stored object there
// (flagged keyframe), else a new keyframe with the shown box, else (the track is hidden there) a
// copy of the nearest keyframe. NEXT_ID: the id a new object takes.
ObjectChange keyframeAt(const TrackAt& t, int64_t setId, int64_t frame, int64_t nextId) {
    ObjectChange c;
    c.setId = setId;
    if (t.stored) {
        c.before = *t.stored;
        c.after = *t.stored;
        c.after->keyframe = true;
        return c;
    }
    Object o;
    if (t.shown) {
        o = *t.shown;
    } else {
        const Object* base = nullptr;
        for (const Object& k : t.objects)
            if (k.keyframe && (k.frame <= frame || base == nullptr)) base = &k;
        o = base ? *base : t.objects.front();
        o.outside = false;
        o.pts = annotate::kNoPts;
    }
    o.id = nextId;
    o.frame = frame;
    o.keyframe = true;
    o.source = annotate::ObjectSource::Human;
    o.area = -1;
    o.revision = 0;
    o.origin = {};
    c.after = std::move(o);
    return c;
}

ObjectChange updated(int64_t setId, const Object& before, const Object& after) {
    return ObjectChange{setId, before, after};
}

ObjectChange removed(int64_t setId, const Object& before) {
    return ObjectChange{setId, before, std::nullopt};
}

Expected<int64_t> nextId(ProjectStore& p, int64_t setId) {
    auto max = p.maxObjectId(setId);
    if (!max) return max.status();
    return *max + 1;
}

// Edits one stored object with CHANGE.
template <typename Change>
Expected<HistoryEntry> editObject(ProjectStore& p, int64_t setId, int64_t objectId,
                                  std::string label, Change change) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto before = s.object(setId, objectId);
        if (!before) return before.status();
        Object after = *before;
        if (Status st = change(after); !st) return st;
        ChangeSet c;
        c.label = label;
        if (!(after == *before)) c.objects.push_back(updated(setId, *before, after));
        return c;
    });
}

// Edits the track's keyframe at FRAME (made when missing) with CHANGE.
template <typename Change>
Expected<HistoryEntry> editKeyframe(ProjectStore& p, int64_t setId, int64_t trackId,
                                    int64_t frame, std::string label, Change change) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto t = trackAt(s, setId, trackId, frame);
        if (!t) return t.status();
        auto id = nextId(s, setId);
        if (!id) return id.status();
        ObjectChange k = keyframeAt(*t, setId, frame, *id);
        change(*k.after);
        ChangeSet c;
        c.label = label;
        if (!(k.before && *k.before == *k.after)) c.objects.push_back(std::move(k));
        return c;
    });
}

}  // namespace

// ---- Boxes ----

Expected<HistoryEntry> addBox(ProjectStore& p, int64_t setId, Object object) {
    if (Status st = checkBox(p, setId, object.box); !st) return st;
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        if (auto set = s.set(setId); !set) return set.status();
        auto id = nextId(s, setId);
        if (!id) return id.status();
        Object o = object;
        o.id = *id;
        o.revision = 0;
        ChangeSet c;
        c.label = "add box " + std::to_string(o.id) + " at " + frameText(o.frame);
        c.objects.push_back(ObjectChange{setId, std::nullopt, std::move(o)});
        return c;
    });
}

Expected<HistoryEntry> setBox(ProjectStore& p, int64_t setId, int64_t objectId, vision::Box box) {
    if (Status st = checkBox(p, setId, box); !st) return st;
    return editObject(p, setId, objectId, "move box " + std::to_string(objectId),
                      [&](Object& o) {
                          o.box = box;
                          // A box the reviewer placed is a keyframe of its track, and human.
                          o.keyframe = true;
                          o.source = annotate::ObjectSource::Human;
                          o.area = -1;
                          return Status::ok();
                      });
}

Expected<HistoryEntry> setLabel(ProjectStore& p, int64_t setId, int64_t objectId,
                                const std::string& label) {
    if (label.empty())
        return refused(p, setId, StatusCode::InvalidArgument, "a label cannot be empty");
    return editObject(p, setId, objectId,
                      "label box " + std::to_string(objectId) + " '" + label + "'",
                      [&](Object& o) {
                          o.label = label;
                          return Status::ok();
                      });
}

Expected<HistoryEntry> deleteBox(ProjectStore& p, int64_t setId, int64_t objectId) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto before = s.object(setId, objectId);
        if (!before) return before.status();
        ChangeSet c;
        c.label = "delete box " + std::to_string(objectId);
        c.objects.push_back(removed(setId, *before));
        return c;
    });
}

// ---- Tracks ----

Expected<HistoryEntry> setTrackBox(ProjectStore& p, int64_t setId, int64_t trackId, int64_t frame,
                                   vision::Box box) {
    if (Status st = checkBox(p, setId, box); !st) return st;
    return editKeyframe(p, setId, trackId, frame,
                        "move " + trackText(trackId) + " at " + frameText(frame),
                        [&](Object& o) {
                            o.box = box;
                            o.outside = false;
                            o.source = annotate::ObjectSource::Human;
                            o.area = -1;
                        });
}

Expected<HistoryEntry> deleteTrack(ProjectStore& p, int64_t setId, int64_t trackId) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto t = trackAt(s, setId, trackId, 0);
        if (!t) return t.status();
        ChangeSet c;
        c.label = "delete " + trackText(trackId);
        for (const Object& o : t->objects) c.objects.push_back(removed(setId, o));
        return c;
    });
}

Expected<HistoryEntry> setTrackLabel(ProjectStore& p, int64_t setId, int64_t trackId,
                                     const std::string& label) {
    if (label.empty())
        return refused(p, setId, StatusCode::InvalidArgument, "a label cannot be empty");
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto t = trackAt(s, setId, trackId, 0);
        if (!t) return t.status();
        ChangeSet c;
        c.label = "label " + trackText(trackId) + " '" + label + "'";
        for (const Object& o : t->objects) {
            if (o.label == label) continue;
            Object after = o;
            after.label = label;
            c.objects.push_back(updated(setId, o, after));
        }
        return c;
    });
}

Expected<HistoryEntry> setKeyframe(ProjectStore& p, int64_t setId, int64_t trackId,
                                   int64_t frame) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto t = trackAt(s, setId, trackId, frame);
        if (!t) return t.status();
        if (!t->shown && !t->stored)
            return refused(s, setId, StatusCode::InvalidArgument,
                           trackText(trackId) + " is not visible at " + frameText(frame) +
                               ": nothing to make a keyframe of");
        auto id = nextId(s, setId);
        if (!id) return id.status();
        ChangeSet c;
        c.label = "keyframe " + trackText(trackId) + " at " + frameText(frame);
        ObjectChange k = keyframeAt(*t, setId, frame, *id);
        if (!(k.before && *k.before == *k.after)) c.objects.push_back(std::move(k));
        return c;
    });
}

Expected<HistoryEntry> clearKeyframe(ProjectStore& p, int64_t setId, int64_t trackId,
                                     int64_t frame) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto t = trackAt(s, setId, trackId, frame);
        if (!t) return t.status();
        if (!t->stored || !t->stored->keyframe)
            return refused(s, setId, StatusCode::InvalidArgument,
                           trackText(trackId) + " has no keyframe at " + frameText(frame));
        ChangeSet c;
        c.label = "clear keyframe of " + trackText(trackId) + " at " + frameText(frame);
        c.objects.push_back(removed(setId, *t->stored));
        return c;
    });
}

Expected<HistoryEntry> toggleOutside(ProjectStore& p, int64_t setId, int64_t trackId,
                                     int64_t frame) {
    return editKeyframe(p, setId, trackId, frame,
                        "toggle outside of " + trackText(trackId) + " at " + frameText(frame),
                        [](Object& o) { o.outside = !o.outside; });
}

Expected<HistoryEntry> toggleOccluded(ProjectStore& p, int64_t setId, int64_t trackId,
                                      int64_t frame) {
    return editKeyframe(p, setId, trackId, frame,
                        "toggle occluded of " + trackText(trackId) + " at " + frameText(frame),
                        [](Object& o) { o.occluded = !o.occluded; });
}

Expected<HistoryEntry> hideTrackAt(ProjectStore& p, int64_t setId, int64_t trackId,
                                   int64_t frame) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto t = trackAt(s, setId, trackId, frame);
        if (!t) return t.status();
        if (!t->shown)
            return refused(s, setId, StatusCode::InvalidArgument,
                           trackText(trackId) + " shows nothing at " + frameText(frame));
        auto next = trackAt(s, setId, trackId, frame + 1);
        if (!next) return next.status();
        auto id = nextId(s, setId);
        if (!id) return id.status();
        ChangeSet c;
        c.label = "delete box of " + trackText(trackId) + " at " + frameText(frame);
        ObjectChange k = keyframeAt(*t, setId, frame, *id);
        k.after->outside = true;
        c.objects.push_back(std::move(k));
        // What frame + 1 showed (a keyframe or interpolated box) becomes a keyframe, so the
        // track resumes there exactly as before and only FRAME loses its box.
        if (next->shown && !(next->stored && next->stored->keyframe))
            c.objects.push_back(keyframeAt(*next, setId, frame + 1, *id + 1));
        return c;
    });
}

Expected<HistoryEntry> splitTrack(ProjectStore& p, int64_t setId, int64_t trackId,
                                  int64_t frame) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto t = trackAt(s, setId, trackId, frame);
        if (!t) return t.status();
        const bool visibleBefore = std::any_of(t->objects.begin(), t->objects.end(),
                                               [&](const Object& o) {
                                                   return o.frame < frame && o.keyframe &&
                                                          !o.outside;
                                               });
        const bool visibleFrom = std::any_of(t->objects.begin(), t->objects.end(),
                                             [&](const Object& o) {
                                                 return o.frame >= frame && o.keyframe &&
                                                        !o.outside;
                                             }) ||
                                 t->shown.has_value();
        if (!visibleBefore)
            return refused(s, setId, StatusCode::InvalidArgument,
                           trackText(trackId) + " shows nothing before " + frameText(frame) +
                               ": nothing to split off");
        if (!visibleFrom)
            return refused(s, setId, StatusCode::InvalidArgument,
                           trackText(trackId) + " shows nothing from " + frameText(frame) +
                               " on: nothing to split off");
        auto maxTrack = s.maxTrackId(setId);
        if (!maxTrack) return maxTrack.status();
        auto id = nextId(s, setId);
        if (!id) return id.status();
        const int64_t newTrack = *maxTrack + 1;
        ChangeSet c;
        c.label = "split " + trackText(trackId) + " at " + frameText(frame) + " (new " +
                  trackText(newTrack) + ")";
        int64_t next = *id;
        // Does an outside keyframe at FRAME already end the first part?
        const bool endsAtFrame = t->stored && t->stored->keyframe && t->stored->outside;
        // The last keyframe before FRAME: when it is outside the first part ends by itself.
        const Object* lastBefore = nullptr;
        for (const Object& o : t->objects)
            if (o.frame < frame && o.keyframe) lastBefore = &o;
        const bool needsCloser = !endsAtFrame && lastBefore && !lastBefore->outside;
        // The second part's first keyframe, where FRAME shows an interpolated box (a stored
        // object there that is not a keyframe moves as it is, beside it).
        if (t->shown && !(t->stored && t->stored->keyframe)) {
            Object k = *t->shown;
            k.id = next++;
            k.trackId = newTrack;
            k.frame = frame;
            k.keyframe = true;
            k.outside = false;
            k.source = annotate::ObjectSource::Human;
            k.area = -1;
            k.revision = 0;
            k.origin = {};
            c.objects.push_back(ObjectChange{setId, std::nullopt, std::move(k)});
        }
        for (const Object& o : t->objects) {
            if (o.frame < frame) continue;
            if (endsAtFrame && o.id == t->stored->id) continue;   // it ends the first part
            Object after = o;
            after.trackId = newTrack;
            c.objects.push_back(updated(setId, o, after));
        }
        if (needsCloser) {
            // A copy of the box at FRAME (what the first part would have shown), outside: the
            // first part interpolates towards it exactly as before and shows nothing from it on.
            Object closer = t->shown ? *t->shown : *lastBefore;
            closer.id = next++;
            closer.trackId = trackId;
            closer.frame = frame;
            closer.keyframe = true;
            closer.outside = true;
            closer.source = annotate::ObjectSource::Human;
            closer.area = -1;
            closer.revision = 0;
            closer.origin = {};
            c.objects.push_back(ObjectChange{setId, std::nullopt, std::move(closer)});
        }
        return c;
    });
}

Expected<HistoryEntry> mergeTracks(ProjectStore& p, int64_t setId, int64_t keepId,
                                   int64_t otherId) {
    if (keepId == otherId)
        return refused(p, setId, StatusCode::InvalidArgument,
                       "cannot merge " + trackText(keepId) + " with itself");
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto keep = trackAt(s, setId, keepId, 0);
        if (!keep) return keep.status();
        auto other = trackAt(s, setId, otherId, 0);
        if (!other) return other.status();
        std::set<int64_t> keptFrames;
        for (const Object& o : keep->objects) keptFrames.insert(o.frame);
        ChangeSet c;
        c.label = "merge " + trackText(otherId) + " into " + trackText(keepId);
        for (const Object& o : other->objects) {
            if (keptFrames.count(o.frame)) {
                c.objects.push_back(removed(setId, o));
                continue;
            }
            Object after = o;
            after.trackId = keepId;
            c.objects.push_back(updated(setId, o, after));
        }
        return c;
    });
}

Expected<HistoryEntry> changeTrackId(ProjectStore& p, int64_t setId, int64_t fromId,
                                     int64_t toId) {
    if (toId < 0)
        return refused(p, setId, StatusCode::InvalidArgument,
                       "track ids are 0 or more, not " + std::to_string(toId));
    if (toId == fromId)
        return refused(p, setId, StatusCode::InvalidArgument,
                       trackText(fromId) + " already has that id");
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto from = trackAt(s, setId, fromId, 0);
        if (!from) return from.status();
        auto taken = s.track(setId, toId);
        if (!taken) return taken.status();
        if (!taken->empty())
            return refused(s, setId, StatusCode::InvalidArgument,
                           "cannot renumber " + trackText(fromId) + " to " +
                               std::to_string(toId) + ": " + trackText(toId) +
                               " exists (" + std::to_string(taken->size()) +
                               " objects); merge the tracks instead, or pick a free id");
        ChangeSet c;
        c.label = "renumber " + trackText(fromId) + " to " + std::to_string(toId);
        for (const Object& o : from->objects) {
            Object after = o;
            after.trackId = toId;
            c.objects.push_back(updated(setId, o, after));
        }
        return c;
    });
}

// ---- Predictions ----

std::string PredictionPick::describe() const {
    std::ostringstream out;
    if (!ids.empty()) {
        out << (ids.size() == 1 ? "object " : "objects ");
        for (size_t i = 0; i < ids.size(); ++i) out << (i ? ", " : "") << ids[i];
        return out.str();
    }
    std::vector<std::string> parts;
    if (minScore > 0) {
        std::ostringstream s;
        s << "score >= " << minScore;
        parts.push_back(s.str());
    }
    if (first != INT64_MIN || last != INT64_MAX)
        parts.push_back("frames " +
                        (first == INT64_MIN ? std::string("start") : std::to_string(first)) +
                        ".." + (last == INT64_MAX ? std::string("end") : std::to_string(last)));
    if (parts.empty()) return "all";
    std::string joined;
    for (const std::string& part : parts) joined += (joined.empty() ? "" : ", ") + part;
    return joined;
}

namespace {

Expected<std::vector<Object>> picked(ProjectStore& s, int64_t setId, const PredictionPick& pick) {
    std::vector<Object> out;
    if (!pick.ids.empty()) {
        for (int64_t id : pick.ids) {
            auto o = s.object(setId, id);
            if (!o) return o.status();
            out.push_back(std::move(*o));
        }
    } else {
        auto all = pick.first == INT64_MIN && pick.last == INT64_MAX
                       ? s.objects(setId)
                       : s.objectsInFrames(setId, pick.first, pick.last);
        if (!all) return all.status();
        for (Object& o : *all)
            if (o.score >= pick.minScore) out.push_back(std::move(o));
    }
    if (out.empty())
        return refused(s, setId, StatusCode::NotFound,
                       "no prediction matches (" + pick.describe() + ")");
    return out;
}

}  // namespace

// ---- Propagation ----

Expected<HistoryEntry> addPropagatedKeyframes(ProjectStore& p, int64_t setId,
                                              const PropagationStart& start,
                                              const std::vector<Object>& proposed) {
    std::vector<Object> keyframes = proposed;
    std::sort(keyframes.begin(), keyframes.end(),
              [](const Object& a, const Object& b) { return a.frame < b.frame; });
    if (keyframes.empty())
        return refused(p, setId, StatusCode::InvalidArgument, "no proposals to add");
    std::set<int64_t> frames;
    for (const Object& k : keyframes) {
        if (Status st = checkBox(p, setId, k.box); !st) return st;
        if (!frames.insert(k.frame).second)
            return refused(p, setId, StatusCode::InvalidArgument,
                           "two proposals for " + frameText(k.frame));
    }
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto id = nextId(s, setId);
        if (!id) return id.status();
        int64_t next = *id;
        ChangeSet c;
        int64_t trackId = start.trackId;
        std::vector<Object> existing;
        bool made = false;
        if (trackId != kNoTrack) {
            auto t = s.track(setId, trackId);
            if (!t) return t.status();
            if (t->empty())
                return refused(s, setId, StatusCode::NotFound, "there is no " + trackText(trackId));
            existing = std::move(*t);
        } else {
            auto maxTrack = s.maxTrackId(setId);
            if (!maxTrack) return maxTrack.status();
            trackId = *maxTrack + 1;
            made = true;
            if (start.objectId > 0) {
                auto lone = s.object(setId, start.objectId);
                if (!lone) return lone.status();
                if (lone->trackId != kNoTrack)
                    return refused(s, setId, StatusCode::InvalidArgument,
                                   "object " + std::to_string(start.objectId) + " is in " +
                                       trackText(lone->trackId) + ", not a lone box");
                Object after = *lone;
                after.trackId = trackId;
                after.keyframe = true;
                c.objects.push_back(updated(setId, *lone, after));
                existing.push_back(after);
            } else if (start.copy) {
                Object k = *start.copy;
                k.id = next++;
                k.trackId = trackId;
                k.keyframe = true;
                k.outside = false;
                k.area = -1;
                k.revision = 0;
                k.origin = {};
                c.objects.push_back(ObjectChange{setId, std::nullopt, k});
                existing.push_back(k);
            } else {
                return refused(s, setId, StatusCode::InvalidArgument,
                               "propagation needs a track, a lone box or a box to copy");
            }
        }
        c.label = "propagate " + trackText(trackId) + ": " + std::to_string(keyframes.size()) +
                  " keyframes, " + frameText(keyframes.front().frame) + ".." +
                  std::to_string(keyframes.back().frame);
        const int64_t lastProposed = keyframes.back().frame;
        for (const Object& k : keyframes) {
            const Object* stored = nullptr;
            for (const Object& o : existing)
                if (o.frame == k.frame && (!stored || (o.keyframe && !stored->keyframe)))
                    stored = &o;
            if (stored) {
                Object after = *stored;
                after.box = k.box;
                after.source = k.source;
                after.score = k.score;
                after.keyframe = true;
                after.outside = false;
                after.area = -1;
                c.objects.push_back(updated(setId, *stored, after));
                continue;
            }
            Object o;
            o.id = next++;
            o.trackId = trackId;
            // The track's label at that frame (the object it follows), not the proposal's.
            o.label = existing.front().label;
            for (const Object& e : existing)
                if (e.frame <= k.frame && e.keyframe) o.label = e.label;
            o.box = k.box;
            o.frame = k.frame;
            o.source = k.source;
            o.score = k.score;
            o.keyframe = true;
            c.objects.push_back(ObjectChange{setId, std::nullopt, std::move(o)});
        }
        if (made) {
            auto last = lastFrameOf(s, setId);
            if (!last) return last.status();
            if (lastProposed + 1 <= *last) {
                Object closer = *c.objects.back().after;
                closer.id = next++;
                closer.frame = lastProposed + 1;
                closer.outside = true;
                closer.pts = annotate::kNoPts;
                closer.revision = 0;
                c.objects.push_back(ObjectChange{setId, std::nullopt, std::move(closer)});
            }
        }
        return c;
    });
}

Expected<HistoryEntry> acceptPredictions(ProjectStore& p, int64_t predictionSetId,
                                         int64_t reviewedSetId, const PredictionPick& pick) {
    if (predictionSetId == reviewedSetId)
        return refused(p, predictionSetId, StatusCode::InvalidArgument,
                       "predictions are accepted into another set (the reviewed one)");
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        if (auto set = s.set(reviewedSetId); !set) return set.status();
        auto predictions = picked(s, predictionSetId, pick);
        if (!predictions) return predictions.status();
        auto reviewed = s.objects(reviewedSetId);
        if (!reviewed) return reviewed.status();
        // Prediction track -> reviewed track: earlier accepts first, then the rule above.
        std::map<int64_t, int64_t> trackOf;
        std::set<int64_t> used;
        int64_t maxTrack = kNoTrack, maxId = 0;
        for (const Object& o : *reviewed) {
            if (o.trackId != kNoTrack) used.insert(o.trackId);
            maxTrack = std::max(maxTrack, o.trackId);
            maxId = std::max(maxId, o.id);
            if (o.origin.setId == predictionSetId && o.origin.trackId != kNoTrack)
                trackOf.emplace(o.origin.trackId, o.trackId);
        }
        ChangeSet c;
        c.label = "accept " + std::to_string(predictions->size()) + " predictions of set " +
                  std::to_string(predictionSetId) + " (" + pick.describe() + ")";
        for (const Object& pred : *predictions) {
            Object o = pred;
            o.id = ++maxId;
            o.revision = 0;
            o.origin = {predictionSetId, pred.id, pred.trackId};
            if (pred.trackId != kNoTrack) {
                auto it = trackOf.find(pred.trackId);
                if (it == trackOf.end()) {
                    const int64_t t = used.count(pred.trackId) ? ++maxTrack : pred.trackId;
                    maxTrack = std::max(maxTrack, t);
                    used.insert(t);
                    it = trackOf.emplace(pred.trackId, t).first;
                }
                o.trackId = it->second;
            }
            c.objects.push_back(removed(predictionSetId, pred));
            c.objects.push_back(ObjectChange{reviewedSetId, std::nullopt, std::move(o)});
        }
        return c;
    });
}

Expected<HistoryEntry> rejectPredictions(ProjectStore& p, int64_t predictionSetId,
                                         const PredictionPick& pick) {
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        auto predictions = picked(s, predictionSetId, pick);
        if (!predictions) return predictions.status();
        ChangeSet c;
        c.label = "reject " + std::to_string(predictions->size()) + " predictions of set " +
                  std::to_string(predictionSetId) + " (" + pick.describe() + ")";
        for (const Object& pred : *predictions) c.objects.push_back(removed(predictionSetId, pred));
        return c;
    });
}

// ---- Frames ----

Expected<HistoryEntry> setFrameReview(ProjectStore& p, int64_t setId, int64_t first, int64_t last,
                                      FrameReview state) {
    if (first < 0 || last < first)
        return refused(p, setId, StatusCode::InvalidArgument,
                       "frames " + std::to_string(first) + ".." + std::to_string(last) +
                           " are not a range of frames");
    return p.commit([&](ProjectStore& s) -> Expected<ChangeSet> {
        if (auto set = s.set(setId); !set) return set.status();
        auto end = lastFrameOf(s, setId);
        if (!end) return end.status();
        if (last > *end)
            return refused(s, setId, StatusCode::InvalidArgument,
                           frameText(last) + " is past the media's last frame (" +
                               std::to_string(*end) + ")");
        ChangeSet c;
        const std::string frames =
            first == last ? frameText(first)
                          : "frames " + std::to_string(first) + ".." + std::to_string(last);
        c.label = "mark " + frames + " " + frameReviewName(state);
        for (int64_t f = first; f <= last; ++f) {
            auto now = s.frameReview(setId, f);
            if (!now) return now.status();
            if (*now != state) c.frames.push_back(FrameChange{setId, f, *now, state});
        }
        return c;
    });
}

Expected<int64_t> nextUnreviewedFrame(ProjectStore& p, int64_t setId, int64_t after) {
    auto end = lastFrameOf(p, setId);
    if (!end) return end.status();
    return p.nextUnreviewedFrame(setId, after, *end);
}

}  // namespace sl::store::review
