#include "pipeline/track_analysis.h"

#include <algorithm>

namespace sl::pipeline {

TrackAnalysis::TrackAnalysis(track::TrackerParams params, analytics::Scene scene,
                             std::vector<std::string> labels)
    : params_(params), scene_(std::move(scene)), labels_(std::move(labels)), tracker_(params) {}

void TrackAnalysis::setParams(const track::TrackerParams& params) { params_ = params; }

void TrackAnalysis::setLabels(std::vector<std::string> labels) {
    labels_ = std::move(labels);
    runAnalytics();
}

void TrackAnalysis::setScene(analytics::Scene scene) {
    scene_ = std::move(scene);
    runAnalytics();
}

const analytics::Scene& TrackAnalysis::scene() const { return scene_; }
const track::TrackerParams& TrackAnalysis::params() const { return params_; }

void TrackAnalysis::recordFrame(const FrameDetections& frame) {
    analytics::TrackedFrame tf;
    tf.frameIndex = frame.frameIndex;
    tf.pts = frame.pts;
    tf.seconds = frame.seconds;
    tf.objects = tracker_.update(frame.detections);
    for (const auto& o : tf.objects) history_[o.trackId].emplace_back(frame.frameIndex, o);
    frames_.emplace(frame.frameIndex, std::move(tf));
}

void TrackAnalysis::recompute(const std::vector<FrameDetections>& frames) {
    tracker_ = track::ByteTracker(params_);
    frames_.clear();
    history_.clear();
    for (const auto& f : frames) recordFrame(f);
    runAnalytics();
}

const std::vector<track::TrackedObject>& TrackAnalysis::append(const FrameDetections& frame) {
    // A frame at or before the last one starts a new sequence (a seek back in live tracking).
    if (!frames_.empty() && frame.frameIndex <= frames_.rbegin()->first) clear();
    if (!liveAnalytics_) liveAnalytics_.emplace(scene_, labels_);
    recordFrame(frame);
    const analytics::TrackedFrame& tf = frames_.rbegin()->second;
    for (auto& e : liveAnalytics_->update(tf)) result_.events.push_back(std::move(e));
    result_.counts.push_back(liveAnalytics_->counts());
    result_.visits = liveAnalytics_->visits();
    ++version_;
    return tf.objects;
}

void TrackAnalysis::clear() {
    tracker_ = track::ByteTracker(params_);
    frames_.clear();
    history_.clear();
    liveAnalytics_.reset();
    result_ = {};
    ++version_;
}

// The analytics over every tracked frame, through one engine that live appends then continue.
void TrackAnalysis::runAnalytics() {
    liveAnalytics_.emplace(scene_, labels_);
    result_ = {};
    result_.counts.reserve(frames_.size());
    for (const auto& [index, tf] : frames_) {
        for (auto& e : liveAnalytics_->update(tf)) result_.events.push_back(std::move(e));
        result_.counts.push_back(liveAnalytics_->counts());
    }
    result_.visits = liveAnalytics_->visits();
    ++version_;
}

const std::vector<track::TrackedObject>* TrackAnalysis::at(int64_t frameIndex) const {
    const auto it = frames_.find(frameIndex);
    return it == frames_.end() ? nullptr : &it->second.objects;
}

std::vector<analytics::Point> TrackAnalysis::trail(int64_t trackId, int64_t frameIndex, int n,
                                                   analytics::Anchor anchor) const {
    std::vector<analytics::Point> points;
    const auto it = history_.find(trackId);
    if (it == history_.end() || n <= 0) return points;
    const auto& h = it->second;
    // The track's observations are in frame order: the last n at or before frameIndex.
    const auto end = std::upper_bound(h.begin(), h.end(), frameIndex,
                                      [](int64_t f, const auto& e) { return f < e.first; });
    const auto begin = end - std::min<std::ptrdiff_t>(n, end - h.begin());
    for (auto e = begin; e != end; ++e) points.push_back(analytics::anchorPoint(e->second.box, anchor));
    return points;
}

std::vector<std::pair<int64_t, vision::Box>> TrackAnalysis::trackBoxes(int64_t trackId) const {
    std::vector<std::pair<int64_t, vision::Box>> boxes;
    if (const auto it = history_.find(trackId); it != history_.end())
        for (const auto& [f, o] : it->second) boxes.emplace_back(f, o.box);
    return boxes;
}

std::vector<TrackSummary> TrackAnalysis::tracks() const {
    std::vector<TrackSummary> out;
    out.reserve(history_.size());
    for (const auto& [id, h] : history_) {
        TrackSummary s;
        s.trackId = id;
        s.classId = h.front().second.classId;
        s.firstFrame = h.front().first;
        s.lastFrame = h.back().first;
        s.firstSeconds = frames_.at(s.firstFrame).seconds;
        s.lastSeconds = frames_.at(s.lastFrame).seconds;
        s.frames = static_cast<int64_t>(h.size());
        out.push_back(std::move(s));
    }
    // Zones in order of first entry (visits are recorded in frame order).
    for (const auto& v : result_.visits) {
        auto s = std::lower_bound(out.begin(), out.end(), v.trackId,
                                  [](const TrackSummary& t, int64_t id) { return t.trackId < id; });
        if (s == out.end() || s->trackId != v.trackId) continue;
        if (std::find(s->zonesVisited.begin(), s->zonesVisited.end(), v.zone) ==
            s->zonesVisited.end())
            s->zonesVisited.push_back(v.zone);
    }
    return out;
}

const std::vector<analytics::Event>& TrackAnalysis::events() const { return result_.events; }
const std::vector<analytics::CountsSample>& TrackAnalysis::counts() const {
    return result_.counts;
}
const std::vector<analytics::Visit>& TrackAnalysis::visits() const { return result_.visits; }

analytics::Heatmap TrackAnalysis::heatmap(int64_t first, int64_t last, int frameWidth,
                                          int frameHeight, int cellSize, double sigma) const {
    analytics::Heatmap map(frameWidth, frameHeight, cellSize, sigma);
    for (auto it = frames_.lower_bound(first); it != frames_.end() && it->first <= last; ++it)
        for (const auto& o : it->second.objects)
            map.add(analytics::anchorPoint(o.box, analytics::Anchor::BottomCentre));
    return map;
}

std::vector<analytics::TrackedFrame> TrackAnalysis::trackedFrames() const {
    std::vector<analytics::TrackedFrame> out;
    out.reserve(frames_.size());
    for (const auto& [index, tf] : frames_) out.push_back(tf);
    return out;
}

uint64_t TrackAnalysis::version() const { return version_; }

}  // namespace sl::pipeline

namespace sl::pipeline {

TrackingSummary trackResults(ResultsStore& store, TrackAnalysis& analysis) {
    std::vector<FrameDetections> frames = store.snapshot();
    analysis.setLabels(store.labels());
    analysis.recompute(frames);
    for (FrameDetections& f : frames) {
        const auto* objects = analysis.at(f.frameIndex);
        f.trackIds.assign(f.detections.size(), 0);
        if (objects)
            for (const auto& o : *objects)
                if (o.detectionIndex >= 0 &&
                    o.detectionIndex < static_cast<int>(f.detections.size()))
                    f.trackIds[static_cast<size_t>(o.detectionIndex)] = o.trackId;
        store.put(std::move(f));
    }
    TrackingSummary s;
    s.tracks = static_cast<int64_t>(analysis.tracks().size());
    s.events = static_cast<int64_t>(analysis.events().size());
    if (!analysis.counts().empty()) {
        const analytics::CountsSample& last = analysis.counts().back();
        s.zoneEntries = last.entered;
        s.lineAB = last.crossedAB;
        s.lineBA = last.crossedBA;
    }
    return s;
}

}  // namespace sl::pipeline
