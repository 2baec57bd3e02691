#include "annotate/interpolation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace sl::annotate {

namespace {

// The keyframes of one track, sorted by frame, one per frame (the later in the input wins).
std::vector<Object> sortedKeyframes(const std::vector<Object>& objects) {
    std::vector<Object> keys;
    for (const Object& o : objects)
        if (o.keyframe) keys.push_back(o);
    std::stable_sort(keys.begin(), keys.end(),
                     [](const Object& a, const Object& b) { return a.frame < b.frame; });
    std::vector<Object> unique;
    for (size_t i = 0; i < keys.size(); ++i)
        if (i + 1 == keys.size() || keys[i + 1].frame != keys[i].frame)
            unique.push_back(std::move(keys[i]));
    return unique;
}

float lerp(float a, float b, double t) { return float(double(a) + (double(b) - double(a)) * t); }

// The derived object of frame F after keyframe A: interpolated towards B when there is one,
// A's box repeated when not.
Object derive(const Object& a, const Object* b, int64_t f) {
    Object d = a;
    d.id = 0;
    d.revision = 0;
    d.frame = f;
    d.source = ObjectSource::Interpolated;
    d.keyframe = false;
    d.outside = false;
    d.area = -1;
    d.pts = kNoPts;
    if (b != nullptr) {
        const double t = double(f - a.frame) / double(b->frame - a.frame);
        d.box.x1 = lerp(a.box.x1, b->box.x1, t);
        d.box.y1 = lerp(a.box.y1, b->box.y1, t);
        d.box.x2 = lerp(a.box.x2, b->box.x2, t);
        d.box.y2 = lerp(a.box.y2, b->box.y2, t);
        if (a.pts != kNoPts && b->pts != kNoPts)
            d.pts = a.pts + int64_t(std::llround(double(b->pts - a.pts) * t));
    }
    return d;
}

std::map<int64_t, std::vector<Object>> byTrack(const std::vector<Object>& objects,
                                               std::vector<Object>* lone) {
    std::map<int64_t, std::vector<Object>> tracks;
    for (const Object& o : objects) {
        if (o.trackId != kNoTrack) tracks[o.trackId].push_back(o);
        else if (lone != nullptr) lone->push_back(o);
    }
    return tracks;
}

void sortByFrameTrack(std::vector<Object>& objects) {
    std::stable_sort(objects.begin(), objects.end(), [](const Object& a, const Object& b) {
        if (a.frame != b.frame) return a.frame < b.frame;
        return a.trackId < b.trackId;
    });
}

// Whether D (what the expansion gives) stands for O (what the dense input has).
float boxError(const Object& d, const Object& o) {
    return std::max({std::fabs(d.box.x1 - o.box.x1), std::fabs(d.box.y1 - o.box.y1),
                     std::fabs(d.box.x2 - o.box.x2), std::fabs(d.box.y2 - o.box.y2)});
}
bool sameFields(const Object& d, const Object& o) {
    return d.label == o.label && d.occluded == o.occluded && d.crowd == o.crowd &&
           d.ignored == o.ignored && d.visibility == o.visibility && d.score == o.score &&
           d.attributes == o.attributes;
}

// keyframesOnly for one track's objects.
void reduceTrack(std::vector<Object> objs, int64_t lastFrame, std::vector<Object>& out) {
    std::stable_sort(objs.begin(), objs.end(),
                     [](const Object& a, const Object& b) { return a.frame < b.frame; });
    auto closer = [](const Object& before) {
        Object c = before;
        c.id = 0;
        c.revision = 0;
        c.frame = before.frame + 1;
        c.pts = kNoPts;
        c.outside = true;
        c.keyframe = true;
        return c;
    };
    // The sequence with gap closers; kept marks the keyframes of the result.
    std::vector<Object> seq;
    std::vector<char> kept;
    for (Object& o : objs) {
        bool keep = o.keyframe || o.outside;
        if (!seq.empty()) {
            const Object& prev = seq.back();
            if (!prev.outside && o.frame > prev.frame + 1) {
                Object c = closer(prev);
                seq.push_back(std::move(c));
                kept.push_back(1);
            }
        }
        // Nothing is visible after an outside keyframe: the next visible box starts a segment.
        if (!o.outside && (seq.empty() || seq.back().outside)) keep = true;
        seq.push_back(std::move(o));
        kept.push_back(keep ? 1 : 0);
    }
    if (!seq.empty() && !seq.back().outside && seq.back().frame < lastFrame) {
        Object c = closer(seq.back());
        seq.push_back(std::move(c));
        kept.push_back(1);
    }
    // Between two kept objects P and Q (P visible): the objects between must be P..Q's
    // interpolation; where they are not, the worst one becomes a keyframe and both halves are
    // checked again (Douglas-Peucker style, with an explicit stack: tracks can be long).
    std::vector<size_t> keptIdx;
    for (size_t i = 0; i < seq.size(); ++i)
        if (kept[i]) keptIdx.push_back(i);
    std::vector<std::pair<size_t, size_t>> stack;
    for (size_t k = 0; k + 1 < keptIdx.size(); ++k)
        if (!seq[keptIdx[k]].outside) stack.push_back({keptIdx[k], keptIdx[k + 1]});
    while (!stack.empty()) {
        const auto [p, q] = stack.back();
        stack.pop_back();
        size_t worst = 0;
        float worstError = kReproduceTolerance;
        bool found = false;
        for (size_t i = p + 1; i < q; ++i) {
            const Object d = derive(seq[p], &seq[q], seq[i].frame);
            const float e = sameFields(d, seq[i]) ? boxError(d, seq[i]) : INFINITY;
            if (e > worstError || (std::isnan(e))) {
                worst = i;
                worstError = std::isnan(e) ? INFINITY : e;
                found = true;
                if (std::isinf(worstError)) break;
            }
        }
        if (!found) continue;
        kept[worst] = 1;
        stack.push_back({p, worst});
        stack.push_back({worst, q});
    }
    // After the last kept object (visible, no closer because the input reaches LAST_FRAME): the
    // expansion repeats its box up to LAST_FRAME.
    if (!keptIdx.empty()) {
        size_t anchor = keptIdx.back();
        for (size_t i = anchor + 1; i < seq.size(); ++i) {
            const Object d = derive(seq[anchor], nullptr, seq[i].frame);
            if (seq[i].frame > lastFrame || !sameFields(d, seq[i]) ||
                !(boxError(d, seq[i]) <= kReproduceTolerance)) {
                kept[i] = 1;
                anchor = i;
            }
        }
    }
    for (size_t i = 0; i < seq.size(); ++i) {
        if (!kept[i]) continue;
        seq[i].keyframe = true;
        out.push_back(std::move(seq[i]));
    }
}

}  // namespace

std::vector<Object> expandTrack(const std::vector<Object>& keyframes, int64_t lastFrame) {
    const std::vector<Object> keys = sortedKeyframes(keyframes);
    std::vector<Object> out;
    for (size_t i = 0; i < keys.size(); ++i) {
        const Object& k = keys[i];
        if (k.outside) continue;
        out.push_back(k);
        const Object* next = i + 1 < keys.size() ? &keys[i + 1] : nullptr;
        const int64_t end = next != nullptr ? next->frame - 1 : lastFrame;
        for (int64_t f = k.frame + 1; f <= end; ++f) out.push_back(derive(k, next, f));
    }
    return out;
}

std::optional<Object> trackObjectAt(const std::vector<Object>& keys, int64_t frame,
                                    int64_t lastFrame) {
    // The last keyframe at or before FRAME decides.
    auto after = std::upper_bound(keys.begin(), keys.end(), frame,
                                  [](int64_t f, const Object& o) { return f < o.frame; });
    if (after == keys.begin()) return std::nullopt;
    const Object& k = *(after - 1);
    if (k.outside) return std::nullopt;
    if (k.frame == frame) return k;
    if (after != keys.end()) return derive(k, &*after, frame);
    if (frame <= lastFrame) return derive(k, nullptr, frame);
    return std::nullopt;
}

std::vector<Object> objectsAtFrame(const AnnotationSet& set, int64_t frame, int64_t lastFrame) {
    std::vector<Object> out;
    std::vector<Object> lone;
    for (auto& [trackId, objects] : byTrack(set.objects, &lone))
        if (auto o = trackObjectAt(sortedKeyframes(objects), frame, lastFrame))
            out.push_back(std::move(*o));
    std::vector<Object> result;
    for (Object& o : lone)
        if (o.frame == frame && !o.outside) result.push_back(std::move(o));
    for (Object& o : out) result.push_back(std::move(o));
    std::stable_sort(result.begin(), result.end(),
                     [](const Object& a, const Object& b) { return a.trackId < b.trackId; });
    return result;
}

std::vector<Object> densify(const AnnotationSet& set, int64_t lastFrame) {
    std::vector<Object> lone;
    const auto tracks = byTrack(set.objects, &lone);
    std::vector<Object> out;
    for (Object& o : lone)
        if (!o.outside) out.push_back(std::move(o));
    for (const auto& [trackId, objects] : tracks)
        for (Object& o : expandTrack(objects, lastFrame)) out.push_back(std::move(o));
    sortByFrameTrack(out);
    return out;
}

std::vector<Object> keyframesOnly(const std::vector<Object>& dense, int64_t lastFrame) {
    std::vector<Object> out;
    for (auto& [trackId, objects] : byTrack(dense, &out)) reduceTrack(objects, lastFrame, out);
    sortByFrameTrack(out);
    return out;
}

}  // namespace sl::annotate
