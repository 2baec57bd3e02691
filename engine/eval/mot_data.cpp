#include "eval/mot_data.h"

#include <algorithm>
#include <map>

#include "track/linear_assignment.h"

namespace sl::eval {

namespace {

constexpr double kEps = 2.220446049250313e-16;   // numpy's float eps, as TrackEval compares

bool isDistractor(const std::string& label, bool mot20) {
    return label == "person_on_vehicle" || label == "static_person" || label == "distractor" ||
           label == "reflection" || (mot20 && label == "non_mot_vehicle");
}

// Objects grouped by frame, each frame's in the set's order.
std::map<int64_t, std::vector<const annotate::Object*>> byFrame(const annotate::AnnotationSet& s) {
    std::map<int64_t, std::vector<const annotate::Object*>> out;
    // Outside objects mark where a track stops being visible: no box to match.
    for (const annotate::Object& o : s.objects)
        if (!o.outside) out[o.frame].push_back(&o);
    return out;
}

std::vector<double> iouMatrix(const std::vector<const annotate::Object*>& gt,
                              const std::vector<const annotate::Object*>& tr) {
    std::vector<double> m(gt.size() * tr.size());
    for (size_t g = 0; g < gt.size(); ++g)
        for (size_t t = 0; t < tr.size(); ++t) m[g * tr.size() + t] = boxIou(gt[g]->box, tr[t]->box);
    return m;
}

// Dense ids in ascending order of the set's ids (np.unique), lone boxes after them.
class DenseIds {
public:
    void add(const annotate::Object* o) {
        if (o->trackId != annotate::kNoTrack) ids_.emplace(o->trackId, 0);
        else lone_.push_back(o);
    }
    void finish(std::vector<int64_t>& denseToTrack) {
        int next = 0;
        for (auto& [track, dense] : ids_) {
            dense = next++;
            denseToTrack.push_back(track);
        }
        for (const annotate::Object* o : lone_) {
            loneIds_[o] = next++;
            denseToTrack.push_back(annotate::kNoTrack);
        }
    }
    int of(const annotate::Object* o) const {
        return o->trackId != annotate::kNoTrack ? ids_.at(o->trackId) : loneIds_.at(o);
    }
    int count() const { return int(ids_.size() + lone_.size()); }

private:
    std::map<int64_t, int> ids_;
    std::vector<const annotate::Object*> lone_;
    std::map<const annotate::Object*, int> loneIds_;
};

}  // namespace

double boxIou(const vision::Box& a, const vision::Box& b) {
    const double ix = std::min<double>(a.x2, b.x2) - std::max<double>(a.x1, b.x1);
    const double iy = std::min<double>(a.y2, b.y2) - std::max<double>(a.y1, b.y1);
    const double areaA = (double(a.x2) - a.x1) * (double(a.y2) - a.y1);
    const double areaB = (double(b.x2) - b.x1) * (double(b.y2) - b.y1);
    if (ix <= 0 || iy <= 0 || areaA <= kEps || areaB <= kEps) return 0;
    const double inter = ix * iy;
    const double uni = areaA + areaB - inter;
    return uni <= kEps ? 0 : inter / uni;
}

MotData buildMotData(const annotate::AnnotationSet& gt, const annotate::AnnotationSet& tracker,
                     const MotOptions& options) {
    MotData data;
    const auto gtFrames = byFrame(gt);
    const auto trFrames = byFrame(tracker);
    std::map<int64_t, std::pair<std::vector<const annotate::Object*>,
                                std::vector<const annotate::Object*>>>
        kept;
    track::LinearAssignment lap;
    for (const auto& [frame, trs] : trFrames) kept[frame].second = trs;
    for (const auto& [frame, gts] : gtFrames) kept[frame].first = gts;
    for (auto& [frame, pair] : kept) {
        auto& [gts, trs] = pair;
        if (options.motChallenge && !gts.empty() && !trs.empty()) {
            // Tracker boxes that the best one-to-one IoU >= 0.5 matching gives to a distractor
            // are not counted at all (neither true nor false positives).
            std::vector<double> cost = iouMatrix(gts, trs);
            for (double& c : cost) c = c < 0.5 - kEps ? 0.0 : -c;
            const track::Assignment& a = lap.solve(cost, int(gts.size()), int(trs.size()), 0.0);
            std::vector<char> drop(trs.size(), 0);
            for (const auto& [g, t] : a.matches)
                if (isDistractor(gts[size_t(g)]->label, options.mot20)) drop[size_t(t)] = 1;
            std::vector<const annotate::Object*> keep;
            for (size_t t = 0; t < trs.size(); ++t)
                if (!drop[t]) keep.push_back(trs[t]);
            data.removedTrackerDets += int64_t(trs.size() - keep.size());
            trs = std::move(keep);
        }
        std::vector<const annotate::Object*> keepGt;
        for (const annotate::Object* o : gts) {
            const bool evaluated =
                !o->ignored && (!options.motChallenge || o->label == options.evalLabel);
            if (evaluated) keepGt.push_back(o);
        }
        data.removedGtDets += int64_t(gts.size() - keepGt.size());
        gts = std::move(keepGt);
    }
    DenseIds gtIds, trIds;
    for (auto& [frame, pair] : kept) {
        for (const annotate::Object* o : pair.first) gtIds.add(o);
        for (const annotate::Object* o : pair.second) trIds.add(o);
    }
    gtIds.finish(data.gtTrackIds);
    trIds.finish(data.trackerTrackIds);
    data.numGtIds = gtIds.count();
    data.numTrackerIds = trIds.count();
    for (auto& [frame, pair] : kept) {
        auto& [gts, trs] = pair;
        if (gts.empty() && trs.empty()) continue;
        MotFrame f;
        f.frame = frame;
        f.gtObjects = gts;
        f.trackerObjects = trs;
        for (const annotate::Object* o : gts) f.gtIds.push_back(gtIds.of(o));
        for (const annotate::Object* o : trs) f.trackerIds.push_back(trIds.of(o));
        f.similarity = iouMatrix(gts, trs);
        data.numGtDets += int64_t(gts.size());
        data.numTrackerDets += int64_t(trs.size());
        data.frames.push_back(std::move(f));
    }
    return data;
}

}  // namespace sl::eval
