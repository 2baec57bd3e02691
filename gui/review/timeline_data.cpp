#include "review/timeline_data.h"

#include <algorithm>

#include "review/visible_objects.h"
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

namespace {

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

}  // namespace

Expected<TimelineData> loadTimelineData(store::ProjectStore& p, const TimelineRequest& request) {
    TimelineData d;
    d.request = request;
    if (d.request.trackSet == 0) d.request.trackSet = request.layerSet;
    annotate::AnnotationSet layer, tracks;
    if (request.layerSet != 0) {
        auto s = loadSet(p, request.layerSet);
        if (!s) return s.status();
        layer = std::move(*s);
    }
    if (d.request.trackSet != 0 && d.request.trackSet != request.layerSet) {
        auto s = loadSet(p, d.request.trackSet);
        if (!s) return s.status();
        tracks = std::move(*s);
    }
    d.frames = request.frames > 0 ? request.frames : std::max(extentOf(layer), extentOf(tracks));
    const int64_t last = std::max<int64_t>(0, d.frames - 1);

    d.detections.assign(size_t(d.frames), 0);
    const std::vector<annotate::Object> shown = visibleObjects(layer, last);
    for (const annotate::Object& o : shown) {
        if (o.frame < 0 || o.frame >= d.frames) continue;
        d.maxDetections = std::max(d.maxDetections, ++d.detections[size_t(o.frame)]);
    }

    // The selected tracks' set: the layer itself unless another one was named.
    const bool ownTracks = d.request.trackSet != request.layerSet;
    const annotate::AnnotationSet& trackSet = ownTracks ? tracks : layer;
    const std::vector<annotate::Object> trackShown =
        ownTracks ? visibleObjects(tracks, last) : std::vector<annotate::Object>{};
    for (const annotate::Object& o : ownTracks ? trackShown : shown)
        if (o.trackId != annotate::kNoTrack) d.trackFrames.emplace_back(o.trackId, o.frame);
    for (const annotate::Object& o : trackSet.objects)
        if (o.trackId != annotate::kNoTrack && o.keyframe)
            d.keyframes.emplace_back(o.trackId, o.frame);
    std::sort(d.trackFrames.begin(), d.trackFrames.end());
    d.trackFrames.erase(std::unique(d.trackFrames.begin(), d.trackFrames.end()),
                        d.trackFrames.end());
    std::sort(d.keyframes.begin(), d.keyframes.end());

    d.review.assign(size_t(d.frames), uint8_t(store::FrameReview::Unreviewed));
    if (request.reviewSet != 0) {
        auto states = p.frameReviews(request.reviewSet);
        if (!states) return states.status();
        for (const auto& [frame, state] : *states)
            if (frame >= 0 && frame < d.frames) d.review[size_t(frame)] = uint8_t(state);
    }
    return d;
}

}  // namespace sl::gui
