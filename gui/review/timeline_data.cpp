#include "review/timeline_data.h"

#include <algorithm>
#include <map>

#include "annotate/interpolation.h"
#include "store/project_store.h"

namespace sl::gui {

const char* markerKindText(eval::FrameError::Kind k) {
    switch (k) {
        case eval::FrameError::Kind::FalsePositive: return "false positive";
        case eval::FrameError::Kind::Miss: return "miss";
        case eval::FrameError::Kind::IdSwitch: return "ID switch";
        case eval::FrameError::Kind::Fragmentation: return "fragmentation";
    }
    return "?";
}

std::vector<int64_t> TimelineData::tracksAt(int64_t frame) const {
    // Sorted by track first: a scan (a click, not a paint), bounded by the set's size.
    std::vector<int64_t> out;
    for (const auto& [track, f] : trackFrames)
        if (f == frame) out.push_back(track);
    return out;
}

std::vector<std::pair<int64_t, int64_t>> TimelineData::spansOf(int64_t track) const {
    std::vector<std::pair<int64_t, int64_t>> spans;
    auto it = std::lower_bound(trackFrames.begin(), trackFrames.end(),
                               std::pair<int64_t, int64_t>(track, INT64_MIN));
    for (; it != trackFrames.end() && it->first == track; ++it) {
        if (!spans.empty() && it->second <= spans.back().second + 1)
            spans.back().second = std::max(spans.back().second, it->second);
        else
            spans.emplace_back(it->second, it->second);
    }
    return spans;
}

std::vector<int64_t> TimelineData::keyframesOf(int64_t track) const {
    std::vector<int64_t> out;
    auto it = std::lower_bound(keyframes.begin(), keyframes.end(),
                               std::pair<int64_t, int64_t>(track, INT64_MIN));
    for (; it != keyframes.end() && it->first == track; ++it) out.push_back(it->second);
    return out;
}

int TimelineData::classOf(int64_t track) const {
    auto it = std::lower_bound(trackClasses.begin(), trackClasses.end(), track,
                               [](const std::pair<int64_t, int>& c, int64_t t) { return c.first < t; });
    return it != trackClasses.end() && it->first == track ? it->second : -1;
}

namespace {

// Per track of SET: the class of its first keyframe (by frame), else of its first box.
std::vector<std::pair<int64_t, int>> classesOf(const annotate::AnnotationSet& set) {
    struct First {
        int64_t frame = 0;
        bool keyframe = false;
        const std::string* label = nullptr;
    };
    std::map<int64_t, First> first;
    for (const annotate::Object& o : set.objects) {
        if (o.trackId == annotate::kNoTrack) continue;
        auto [it, added] = first.try_emplace(o.trackId, First{o.frame, o.keyframe, &o.label});
        First& f = it->second;
        if (added) continue;
        const bool better = (o.keyframe && !f.keyframe) ||
                            (o.keyframe == f.keyframe && o.frame < f.frame);
        if (better) f = {o.frame, o.keyframe, &o.label};
    }
    std::vector<std::pair<int64_t, int>> out;
    out.reserve(first.size());
    for (const auto& [track, f] : first) {
        auto at = std::find(set.labels.begin(), set.labels.end(), *f.label);
        out.emplace_back(track, at == set.labels.end() ? -1 : int(at - set.labels.begin()));
    }
    return out;
}

Expected<annotate::AnnotationSet> loadSet(store::ProjectStore& p, int64_t setId) {
    auto set = p.set(setId);
    if (!set) return set.status();
    auto objects = p.objects(setId);
    if (!objects) return objects.status();
    set->objects = std::move(*objects);
    return set;
}

int64_t extentOf(const annotate::AnnotationSet& set) {
    int64_t last = -1;
    for (const annotate::Object& o : set.objects) last = std::max(last, o.frame);
    return last + 1;
}

// What SET shows, as visibleObjects() has it, by index: COUNTS per frame (when given) and the
// (track, frame) pairs of its tracks. Only keyframed tracks are copied (their keyframes, to
// expand them); the million boxes of a model run are read in place.
void scan(const annotate::AnnotationSet& set, int64_t frames, std::vector<int32_t>* counts,
          std::vector<std::pair<int64_t, int64_t>>& trackFrames) {
    const auto count = [&](int64_t f) {
        if (counts && f >= 0 && f < frames) ++(*counts)[size_t(f)];
    };
    std::vector<uint32_t> tracked;
    for (size_t i = 0; i < set.objects.size(); ++i) {
        const annotate::Object& o = set.objects[i];
        if (o.trackId != annotate::kNoTrack)
            tracked.push_back(uint32_t(i));
        else if (!o.outside)
            count(o.frame);
    }
    std::stable_sort(tracked.begin(), tracked.end(), [&](uint32_t a, uint32_t b) {
        return set.objects[a].trackId < set.objects[b].trackId;
    });
    const int64_t last = std::max<int64_t>(0, frames - 1);
    for (size_t a = 0; a < tracked.size();) {
        const int64_t track = set.objects[tracked[a]].trackId;
        size_t b = a;
        bool keyframed = false;
        for (; b < tracked.size() && set.objects[tracked[b]].trackId == track; ++b)
            keyframed = keyframed || set.objects[tracked[b]].keyframe;
        if (keyframed) {
            std::vector<annotate::Object> keys;
            for (size_t i = a; i < b; ++i)
                if (set.objects[tracked[i]].keyframe) keys.push_back(set.objects[tracked[i]]);
            for (const annotate::Object& o : annotate::expandTrack(keys, last)) {
                count(o.frame);
                trackFrames.emplace_back(track, o.frame);
            }
        } else {
            for (size_t i = a; i < b; ++i) {
                const annotate::Object& o = set.objects[tracked[i]];
                if (o.outside) continue;
                count(o.frame);
                trackFrames.emplace_back(track, o.frame);
            }
        }
        a = b;
    }
}

}  // namespace

Expected<TimelineSets> readTimelineSets(store::ProjectStore& p, const TimelineRequest& request) {
    TimelineSets s;
    s.request = request;
    if (s.request.trackSet == 0) s.request.trackSet = request.layerSet;
    if (request.layerSet != 0) {
        auto set = loadSet(p, request.layerSet);
        if (!set) return set.status();
        s.layer = std::move(*set);
    }
    if (s.request.trackSet != 0 && s.request.trackSet != request.layerSet) {
        auto set = loadSet(p, s.request.trackSet);
        if (!set) return set.status();
        s.tracks = std::move(*set);
    }
    if (request.reviewSet != 0) {
        auto states = p.frameReviews(request.reviewSet);
        if (!states) return states.status();
        s.review = std::move(*states);
    }
    return s;
}

TimelineData computeTimelineData(const TimelineSets& s) {
    TimelineData d;
    d.request = s.request;
    d.frames =
        s.request.frames > 0 ? s.request.frames : std::max(extentOf(s.layer), extentOf(s.tracks));
    d.detections.assign(size_t(d.frames), 0);
    // The selected tracks' set: the layer itself unless another one was named.
    const bool ownTracks = s.request.trackSet != s.request.layerSet;
    std::vector<std::pair<int64_t, int64_t>> unused;
    scan(s.layer, d.frames, &d.detections, ownTracks ? unused : d.trackFrames);
    if (ownTracks) scan(s.tracks, d.frames, nullptr, d.trackFrames);
    for (int32_t n : d.detections) d.maxDetections = std::max(d.maxDetections, n);
    for (const annotate::Object& o : (ownTracks ? s.tracks : s.layer).objects)
        if (o.trackId != annotate::kNoTrack && o.keyframe)
            d.keyframes.emplace_back(o.trackId, o.frame);
    std::sort(d.trackFrames.begin(), d.trackFrames.end());
    d.trackFrames.erase(std::unique(d.trackFrames.begin(), d.trackFrames.end()),
                        d.trackFrames.end());
    std::sort(d.keyframes.begin(), d.keyframes.end());
    d.trackClasses = classesOf(ownTracks ? s.tracks : s.layer);
    d.review.assign(size_t(d.frames), uint8_t(store::FrameReview::Unreviewed));
    for (const auto& [frame, state] : s.review)
        if (frame >= 0 && frame < d.frames) d.review[size_t(frame)] = uint8_t(state);
    return d;
}

}  // namespace sl::gui
