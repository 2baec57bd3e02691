#include "track/byte_tracker.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "track/linear_assignment.h"
#include "track/strack.h"

namespace sl::track {

const char* presetName(Preset p) { return p == Preset::Ncnn ? "ncnn" : "reference"; }

std::optional<Preset> parsePreset(const std::string& name) {
    if (name == "reference") return Preset::Reference;
    if (name == "ncnn") return Preset::Ncnn;
    return std::nullopt;
}

TrackerParams TrackerParams::forPreset(Preset p) {
    TrackerParams params;
    params.preset = p;
    return params;
}

Status TrackerParams::validate() const {
    auto bad = [](const char* field, const std::string& why) {
        return Status(StatusCode::InvalidArgument, std::string("track: ") + field + ": " + why);
    };
    auto unit = [](float v) { return std::isfinite(v) && v >= 0.0f && v <= 1.0f; };
    if (!unit(trackThresh)) return bad("track_thresh", "must be in [0, 1]");
    if (!unit(highThresh)) return bad("high_thresh", "must be in [0, 1]");
    if (!unit(matchThresh)) return bad("match_thresh", "must be in [0, 1]");
    if (trackBuffer < 0) return bad("track_buffer", "must be >= 0");
    if (!std::isfinite(fps) || fps <= 0) return bad("fps", "must be > 0");
    return {};
}

namespace {

// The official implementations' IoU (cython_bbox / BYTETracker::ious): pixel-inclusive areas,
// (x2 - x1 + 1) * (y2 - y1 + 1).
template <class S>
S iouPlusOne(S ax1, S ay1, S ax2, S ay2, S bx1, S by1, S bx2, S by2) {
    const S iw = std::min(ax2, bx2) - std::max(ax1, bx1) + 1;
    if (iw <= 0) return 0;
    const S ih = std::min(ay2, by2) - std::max(ay1, by1) + 1;
    if (ih <= 0) return 0;
    const S ua = (ax2 - ax1 + 1) * (ay2 - ay1 + 1) + (bx2 - bx1 + 1) * (by2 - by1 + 1) - iw * ih;
    return iw * ih / ua;
}

// One tracker at scalar S; the whole algorithm, with the two presets' differences marked.
template <class S>
class Tracker {
public:
    explicit Tracker(const TrackerParams& p)
        : p_(p),
          ncnn_(p.preset == Preset::Ncnn),
          maxTimeLost_(static_cast<int>(p.fps / 30.0 * p.trackBuffer)) {}

    std::vector<TrackedObject> update(const std::vector<vision::Detection>& dets);
    std::vector<TrackedObject> coast();
    void reset() {
        slots_.clear();
        free_.clear();
        tracked_.clear();
        lost_.clear();
        removedLastFrame_.clear();
        frame_ = 0;
        nextId_ = 1;
    }
    int64_t frameCount() const { return frame_; }

private:
    struct Det {
        S x1, y1, x2, y2;
        float score;
        int classId;
        int index;
    };
    using Track = STrack<S>;

    int allocate() {
        if (!free_.empty()) {
            const int s = free_.back();
            free_.pop_back();
            slots_[s] = Track{};
            return s;
        }
        slots_.emplace_back();
        return static_cast<int>(slots_.size()) - 1;
    }
    // The box a track is associated by (see STrack::x1).
    void assocBox(const Track& t, S& x1, S& y1, S& x2, S& y2) const {
        if (ncnn_) {
            x1 = t.x1, y1 = t.y1, x2 = t.x2, y2 = t.y2;
        } else {
            t.meanBox(x1, y1, x2, y2);
        }
    }
    // cost_[i * dets + j] = 1 - IoU (times the score in the reference preset where fuse).
    void iouCost(const std::vector<int>& tracks, const std::vector<Det>& dets, bool fuse) {
        cost_.assign(tracks.size() * dets.size(), 1.0);
        for (size_t i = 0; i < tracks.size(); ++i) {
            const Track& t = slots_[tracks[i]];
            S tx1, ty1, tx2, ty2;
            assocBox(t, tx1, ty1, tx2, ty2);
            for (size_t j = 0; j < dets.size(); ++j) {
                const Det& d = dets[j];
                if (!p_.classAgnostic && d.classId != t.classId) {
                    cost_[i * dets.size() + j] = kForbidden;
                    continue;
                }
                S iou = iouPlusOne(tx1, ty1, tx2, ty2, d.x1, d.y1, d.x2, d.y2);
                // ncnn keeps 1 - IoU in float; Python fuses IoU x score in float64.
                if (fuse) iou = static_cast<S>(iou * static_cast<S>(d.score));
                cost_[i * dets.size() + j] = static_cast<double>(S(1) - iou);
            }
        }
    }
    void updateWith(Track& t, const Det& d) {
        t.frameId = frame_;
        ++t.trackletLength;
        KalmanFilter<S>::update(t.mean, t.cov, Track::xyah(d.x1, d.y1, d.x2, d.y2));
        t.refreshBox();
        t.state = TrackState::Tracked;
        t.activated = true;
        t.score = d.score;
        t.detectionIndex = d.index;
    }
    void reactivate(Track& t, const Det& d) {
        KalmanFilter<S>::update(t.mean, t.cov, Track::xyah(d.x1, d.y1, d.x2, d.y2));
        t.refreshBox();
        t.trackletLength = 0;
        t.state = TrackState::Tracked;
        t.activated = true;
        t.frameId = frame_;
        t.score = d.score;
        t.detectionIndex = d.index;
    }
    // Matched pairs of one association: tracked ones are updated, lost ones re-activated.
    void applyMatches(const Assignment& a, const std::vector<int>& tracks,
                      const std::vector<Det>& dets) {
        for (auto [i, j] : a.matches) {
            Track& t = slots_[tracks[i]];
            if (t.state == TrackState::Tracked) {
                updateWith(t, dets[j]);
                activated_.push_back(tracks[i]);
            } else {
                reactivate(t, dets[j]);
                refind_.push_back(tracks[i]);
            }
        }
    }

    TrackerParams p_;
    bool ncnn_;
    int maxTimeLost_;
    int frame_ = 0;
    int64_t nextId_ = 1;
    std::vector<Track> slots_;
    std::vector<int> free_;
    std::vector<int> tracked_, lost_;            // slot indices, in the official list orders
    std::vector<int64_t> removedLastFrame_;      // ncnn preset: the previous frame's removals
    // Per-frame scratch, kept to avoid allocations.
    std::vector<Det> high_, low_, remain_;
    std::vector<int> unconfirmed_, pool_, rTracked_, activated_, refind_, newLost_, removed_;
    std::vector<int> merged_, keep_;
    std::vector<char> alive_;
    std::vector<double> cost_;
    LinearAssignment solver_;
};

template <class S>
std::vector<TrackedObject> Tracker<S>::update(const std::vector<vision::Detection>& dets) {
    ++frame_;
    high_.clear();
    low_.clear();
    activated_.clear();
    refind_.clear();
    newLost_.clear();
    removed_.clear();
    for (auto& t : slots_) t.detectionIndex = -1;

    // Step 1: split by score. reference: high > track_thresh, low in (0.1, track_thresh);
    // ncnn: high >= track_thresh, low everything below.
    for (size_t i = 0; i < dets.size(); ++i) {
        const vision::Detection& d = dets[i];
        const Det det{static_cast<S>(d.box.x1), static_cast<S>(d.box.y1),
                      static_cast<S>(d.box.x2), static_cast<S>(d.box.y2),
                      d.score, d.classId, static_cast<int>(i)};
        if (!(std::isfinite(d.score) && std::isfinite(d.box.x1) && std::isfinite(d.box.y1) &&
              std::isfinite(d.box.x2) && std::isfinite(d.box.y2)) ||
            !(d.box.y2 > d.box.y1) || !(d.box.x2 > d.box.x1))
            continue;   // a degenerate box has no aspect ratio: the filter cannot take it
        if (ncnn_) {
            (d.score >= p_.trackThresh ? high_ : low_).push_back(det);
        } else if (d.score > p_.trackThresh) {
            high_.push_back(det);
        } else if (d.score > 0.1f && d.score < p_.trackThresh) {
            low_.push_back(det);
        }
    }
    unconfirmed_.clear();
    pool_.clear();
    for (int s : tracked_) (slots_[s].activated ? pool_ : unconfirmed_).push_back(s);
    // joint_stracks(tracked, lost): the lists never share an id (lost = lost - tracked below).
    pool_.insert(pool_.end(), lost_.begin(), lost_.end());

    // Step 2: first association, high-score boxes against every confirmed or lost track.
    for (int s : pool_) {
        Track& t = slots_[s];
        if (t.state != TrackState::Tracked) t.mean(7) = 0;
        KalmanFilter<S>::predict(t.mean, t.cov);
    }
    iouCost(pool_, high_, !ncnn_);
    const Assignment& a1 = solver_.solve(cost_, static_cast<int>(pool_.size()),
                                         static_cast<int>(high_.size()), p_.matchThresh);
    applyMatches(a1, pool_, high_);
    remain_.clear();
    for (int j : a1.unmatchedCols) remain_.push_back(high_[j]);
    rTracked_.clear();
    for (int i : a1.unmatchedRows)
        if (slots_[pool_[i]].state == TrackState::Tracked) rTracked_.push_back(pool_[i]);

    // Step 3: second association, low-score boxes against the still unmatched tracked ones.
    iouCost(rTracked_, low_, false);
    const Assignment& a2 = solver_.solve(cost_, static_cast<int>(rTracked_.size()),
                                         static_cast<int>(low_.size()), 0.5);
    applyMatches(a2, rTracked_, low_);
    for (int i : a2.unmatchedRows) {
        Track& t = slots_[rTracked_[i]];
        if (t.state != TrackState::Lost) {
            t.state = TrackState::Lost;
            newLost_.push_back(rTracked_[i]);
        }
    }

    // Unconfirmed tracks (one frame old) against the high-score boxes left over.
    iouCost(unconfirmed_, remain_, !ncnn_);
    const Assignment& a3 = solver_.solve(cost_, static_cast<int>(unconfirmed_.size()),
                                         static_cast<int>(remain_.size()), 0.7);
    for (auto [i, j] : a3.matches) {
        updateWith(slots_[unconfirmed_[i]], remain_[j]);
        activated_.push_back(unconfirmed_[i]);
    }
    for (int i : a3.unmatchedRows) {
        slots_[unconfirmed_[i]].state = TrackState::Removed;
        removed_.push_back(unconfirmed_[i]);
    }

    // Step 4: new tracks from the high-score boxes nobody took. reference: score >=
    // track_thresh + 0.1 (det_thresh); ncnn: score >= high_thresh.
    const float newThresh = ncnn_ ? p_.highThresh : p_.trackThresh + 0.1f;
    for (int j : a3.unmatchedCols) {
        const Det& d = remain_[j];
        if (d.score < newThresh) continue;
        const int s = allocate();
        Track& t = slots_[s];
        t.id = nextId_++;
        t.classId = d.classId;
        t.score = d.score;
        t.detectionIndex = d.index;
        KalmanFilter<S>::initiate(Track::xyah(d.x1, d.y1, d.x2, d.y2), t.mean, t.cov);
        t.refreshBox();
        t.trackletLength = 0;
        t.state = TrackState::Tracked;
        t.activated = frame_ == 1;
        t.frameId = frame_;
        t.startFrame = frame_;
        activated_.push_back(s);
    }

    // Step 5: lost tracks past the buffer are removed.
    for (int s : lost_) {
        Track& t = slots_[s];
        if (frame_ - t.frameId > maxTimeLost_) {
            t.state = TrackState::Removed;
            removed_.push_back(s);
        }
    }
    // tracked = [tracked that are Tracked] + activated + refind, each id once.
    merged_.clear();
    for (int s : tracked_)
        if (slots_[s].state == TrackState::Tracked) merged_.push_back(s);
    auto joinUnique = [&](const std::vector<int>& add) {
        for (int s : add)
            if (std::find(merged_.begin(), merged_.end(), s) == merged_.end()) merged_.push_back(s);
    };
    joinUnique(activated_);
    joinUnique(refind_);
    tracked_.swap(merged_);
    // lost = (lost - tracked) + newly lost - the removed list (the official code subtracts the
    // removed list before adding this frame's removals to it: a track removed now stays in the
    // lost list for one more frame, and may still be found again in it).
    keep_.clear();
    for (int s : lost_)
        if (slots_[s].state != TrackState::Tracked) keep_.push_back(s);
    keep_.insert(keep_.end(), newLost_.begin(), newLost_.end());
    lost_.clear();
    for (int s : keep_) {
        const Track& t = slots_[s];
        const bool inRemoved =
            ncnn_ ? std::find(removedLastFrame_.begin(), removedLastFrame_.end(), t.id) !=
                        removedLastFrame_.end()
                  : t.removedBefore;
        if (!inRemoved) lost_.push_back(s);
    }
    // ncnn's sub_stracks goes through a std::map: the lost list comes out sorted by id.
    if (ncnn_)
        std::sort(lost_.begin(), lost_.end(),
                  [&](int a, int b) { return slots_[a].id < slots_[b].id; });
    removedLastFrame_.clear();
    for (int s : removed_) {
        slots_[s].removedBefore = true;
        removedLastFrame_.push_back(slots_[s].id);
    }

    // Duplicates between tracked and lost (IoU > 0.85): the younger of each pair goes.
    if (!tracked_.empty() && !lost_.empty()) {
        std::vector<char> dropA(tracked_.size(), 0), dropB(lost_.size(), 0);
        for (size_t i = 0; i < tracked_.size(); ++i) {
            const Track& a = slots_[tracked_[i]];
            S ax1, ay1, ax2, ay2;
            assocBox(a, ax1, ay1, ax2, ay2);
            for (size_t j = 0; j < lost_.size(); ++j) {
                const Track& b = slots_[lost_[j]];
                if (!p_.classAgnostic && a.classId != b.classId) continue;
                S bx1, by1, bx2, by2;
                assocBox(b, bx1, by1, bx2, by2);
                const S dist = S(1) - iouPlusOne(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2);
                if (!(dist < S(0.15))) continue;
                if (a.frameId - a.startFrame > b.frameId - b.startFrame) dropB[j] = 1;
                else dropA[i] = 1;
            }
        }
        size_t k = 0;
        for (size_t i = 0; i < tracked_.size(); ++i)
            if (!dropA[i]) tracked_[k++] = tracked_[i];
        tracked_.resize(k);
        k = 0;
        for (size_t j = 0; j < lost_.size(); ++j)
            if (!dropB[j]) lost_[k++] = lost_[j];
        lost_.resize(k);
    }

    // Free every slot no list holds any more.
    alive_.assign(slots_.size(), 0);
    for (int s : tracked_) alive_[s] = 1;
    for (int s : lost_) alive_[s] = 1;
    free_.clear();
    for (size_t s = 0; s < slots_.size(); ++s)
        if (!alive_[s]) free_.push_back(static_cast<int>(s));

    std::vector<TrackedObject> out;
    out.reserve(tracked_.size());
    for (int s : tracked_) {
        const Track& t = slots_[s];
        if (!t.activated) continue;
        TrackedObject o;
        o.trackId = t.id;
        o.classId = t.classId;
        o.score = t.score;
        o.box = {static_cast<float>(t.x1), static_cast<float>(t.y1), static_cast<float>(t.x2),
                 static_cast<float>(t.y2)};
        o.detectionIndex = t.detectionIndex;
        out.push_back(o);
    }
    return out;
}

// A frame without detections that is not evidence of absence: every track the next update()
// would predict (confirmed tracked ones and lost ones) is predicted one frame on, exactly as
// step 2 does, so k-1 coasts and one update advance the filter k frames. No association, no
// state change, except that lost tracks past the buffer are removed as update() would.
template <class S>
std::vector<TrackedObject> Tracker<S>::coast() {
    ++frame_;
    std::vector<TrackedObject> out;
    out.reserve(tracked_.size());
    auto predict = [](Track& t) {
        if (t.state != TrackState::Tracked) t.mean(7) = 0;
        KalmanFilter<S>::predict(t.mean, t.cov);
    };
    for (int s : tracked_) {
        Track& t = slots_[s];
        if (!t.activated) continue;
        predict(t);
        S x1, y1, x2, y2;
        t.meanBox(x1, y1, x2, y2);
        TrackedObject o;
        o.trackId = t.id;
        o.classId = t.classId;
        o.score = t.score;
        o.box = {static_cast<float>(x1), static_cast<float>(y1), static_cast<float>(x2),
                 static_cast<float>(y2)};
        o.detectionIndex = -1;
        out.push_back(o);
    }
    // Step 5 of update(): a lost track past the buffer goes now, not at the next detection
    // (which would otherwise find it again in the lost list).
    keep_.clear();
    for (int s : lost_) {
        Track& t = slots_[s];
        if (frame_ - t.frameId > maxTimeLost_) {
            t.state = TrackState::Removed;
            t.removedBefore = true;
            free_.push_back(s);
        } else {
            predict(t);
            keep_.push_back(s);
        }
    }
    lost_.swap(keep_);
    return out;
}

}  // namespace

struct ByteTracker::Impl {
    TrackerParams params;
    std::variant<Tracker<float>, Tracker<double>> tracker;
    explicit Impl(const TrackerParams& p)
        : params(p),
          tracker(p.preset == Preset::Ncnn
                      ? std::variant<Tracker<float>, Tracker<double>>(
                            std::in_place_index<0>, p)
                      : std::variant<Tracker<float>, Tracker<double>>(
                            std::in_place_index<1>, p)) {}
};

ByteTracker::ByteTracker(const TrackerParams& params) : impl_(std::make_unique<Impl>(params)) {}
ByteTracker::~ByteTracker() = default;
ByteTracker::ByteTracker(ByteTracker&&) noexcept = default;
ByteTracker& ByteTracker::operator=(ByteTracker&&) noexcept = default;

std::vector<TrackedObject> ByteTracker::update(const std::vector<vision::Detection>& detections) {
    return std::visit([&](auto& t) { return t.update(detections); }, impl_->tracker);
}

std::vector<TrackedObject> ByteTracker::coast() {
    return std::visit([](auto& t) { return t.coast(); }, impl_->tracker);
}

void ByteTracker::reset() {
    std::visit([](auto& t) { t.reset(); }, impl_->tracker);
}

const TrackerParams& ByteTracker::params() const { return impl_->params; }

int64_t ByteTracker::frameCount() const {
    return std::visit([](const auto& t) { return t.frameCount(); }, impl_->tracker);
}

}  // namespace sl::track
