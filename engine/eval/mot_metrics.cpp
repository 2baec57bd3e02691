// TrackEval's CLEAR, Identity and HOTA. Each solves its assignments with track::LinearAssignment
// (exact, cost limit 0: only pairs with a positive score match), where TrackEval calls scipy's
// linear_sum_assignment on the full matrix and then drops the zero-score pairs: the optimum over
// the positive pairs is the same.

#include "eval/mot_metrics.h"

#include <cmath>
#include <limits>

#include "track/linear_assignment.h"

namespace sl::eval {

namespace {

constexpr double kEps = 2.220446049250313e-16;   // numpy's float eps
constexpr int kNone = -1;

}  // namespace

const char* frameErrorName(FrameError::Kind k) {
    switch (k) {
        case FrameError::Kind::FalsePositive: return "false-positive";
        case FrameError::Kind::Miss: return "miss";
        case FrameError::Kind::IdSwitch: return "id-switch";
        case FrameError::Kind::Fragmentation: return "fragmentation";
    }
    return "?";
}

ClearResult clearMetrics(const MotData& data, double threshold) {
    ClearResult r;
    const size_t nGt = size_t(data.numGtIds);
    std::vector<int64_t> gtIdCount(nGt, 0), gtMatchedCount(nGt, 0), gtFragCount(nGt, 0);
    std::vector<int> prevTracker(nGt, kNone);           // last tracker id ever matched
    std::vector<int> prevTimestepTracker(nGt, kNone);   // matched in the last evaluated frame
    track::LinearAssignment lap;
    std::vector<double> cost;
    double motpSum = 0;
    auto error = [&](FrameError::Kind kind, const MotFrame& f, int g, int t) {
        FrameError e{kind, f.frame};
        if (g >= 0) {
            e.gtObjectId = f.gtObjects[size_t(g)]->id;
            e.gtTrackId = f.gtObjects[size_t(g)]->trackId;
        }
        if (t >= 0) {
            e.predObjectId = f.trackerObjects[size_t(t)]->id;
            e.predTrackId = f.trackerObjects[size_t(t)]->trackId;
        }
        r.errors.push_back(e);
    };
    for (const MotFrame& f : data.frames) {
        const size_t ng = f.gtIds.size(), nt = f.trackerIds.size();
        // As TrackEval: a frame without ground truth or without tracker boxes counts its boxes
        // and leaves the "matched in the previous frame" state as it was.
        if (ng == 0) {
            r.fp += int64_t(nt);
            for (size_t t = 0; t < nt; ++t) error(FrameError::Kind::FalsePositive, f, -1, int(t));
            continue;
        }
        if (nt == 0) {
            r.fn += int64_t(ng);
            for (size_t g = 0; g < ng; ++g) {
                ++gtIdCount[size_t(f.gtIds[g])];
                error(FrameError::Kind::Miss, f, int(g), -1);
            }
            continue;
        }
        // Continuing last frame's match outweighs any IoU (the 1000 bonus): CLEAR's rule that a
        // correspondence is kept while it stays valid.
        cost.assign(ng * nt, 0.0);
        for (size_t g = 0; g < ng; ++g)
            for (size_t t = 0; t < nt; ++t) {
                const double sim = f.sim(g, t);
                if (sim < threshold - kEps) continue;
                const bool continues = prevTimestepTracker[size_t(f.gtIds[g])] == f.trackerIds[t];
                cost[g * nt + t] = -(1000.0 * continues + sim);
            }
        const track::Assignment& a = lap.solve(cost, int(ng), int(nt), 0.0);
        std::vector<char> gtMatched(ng, 0), trMatched(nt, 0);
        std::vector<std::pair<int, int>> matches;
        for (const auto& [g, t] : a.matches)
            if (-cost[size_t(g) * nt + size_t(t)] > kEps) matches.emplace_back(g, t);
        for (const auto& [g, t] : matches) {
            const int gid = f.gtIds[size_t(g)], tid = f.trackerIds[size_t(t)];
            if (prevTracker[size_t(gid)] != kNone && prevTracker[size_t(gid)] != tid) {
                ++r.idsw;
                error(FrameError::Kind::IdSwitch, f, g, t);
            }
            gtMatched[size_t(g)] = trMatched[size_t(t)] = 1;
            motpSum += f.sim(size_t(g), size_t(t));
        }
        for (size_t g = 0; g < ng; ++g) ++gtIdCount[size_t(f.gtIds[g])];
        std::vector<char> wasTracked(nGt, 0);
        for (size_t i = 0; i < nGt; ++i) wasTracked[i] = prevTimestepTracker[i] != kNone;
        std::fill(prevTimestepTracker.begin(), prevTimestepTracker.end(), kNone);
        for (const auto& [g, t] : matches) {
            const int gid = f.gtIds[size_t(g)], tid = f.trackerIds[size_t(t)];
            ++gtMatchedCount[size_t(gid)];
            prevTracker[size_t(gid)] = tid;
            prevTimestepTracker[size_t(gid)] = tid;
            if (!wasTracked[size_t(gid)]) {
                // A track that starts being covered again after a gap is a fragmentation.
                if (++gtFragCount[size_t(gid)] > 1) error(FrameError::Kind::Fragmentation, f, g, t);
            }
        }
        const auto n = int64_t(matches.size());
        r.tp += n;
        r.fn += int64_t(ng) - n;
        r.fp += int64_t(nt) - n;
        for (size_t g = 0; g < ng; ++g)
            if (!gtMatched[g]) error(FrameError::Kind::Miss, f, int(g), -1);
        for (size_t t = 0; t < nt; ++t)
            if (!trMatched[t]) error(FrameError::Kind::FalsePositive, f, -1, int(t));
    }
    for (size_t i = 0; i < nGt; ++i) {
        if (gtIdCount[i] == 0) continue;
        ++r.gtTracks;
        const double ratio = double(gtMatchedCount[i]) / double(gtIdCount[i]);
        if (ratio > 0.8) ++r.mt;
        else if (ratio >= 0.2) ++r.pt;
        else ++r.ml;
        if (gtFragCount[i] > 0) r.frag += gtFragCount[i] - 1;
    }
    r.mota = double(r.tp - r.fp - r.idsw) / double(std::max<int64_t>(1, r.tp + r.fn));
    r.motp = motpSum / double(std::max<int64_t>(1, r.tp));
    r.recall = double(r.tp) / double(std::max<int64_t>(1, r.tp + r.fn));
    r.precision = double(r.tp) / double(std::max<int64_t>(1, r.tp + r.fp));
    return r;
}

IdentityResult identityMetrics(const MotData& data, double threshold) {
    // IDTP is the largest number of frames a one-to-one mapping of ground-truth ids to tracker
    // ids can agree on (IoU >= threshold); IDFN and IDFP are the rest of each side. TrackEval
    // finds it as a min-cost assignment over an (n+m)^2 matrix of FN + FP costs; the maximum
    // weight matching on the agreement counts is the same optimum, on an n x m matrix.
    const size_t n = size_t(data.numGtIds), m = size_t(data.numTrackerIds);
    std::vector<double> agree(n * m, 0.0);
    for (const MotFrame& f : data.frames)
        for (size_t g = 0; g < f.gtIds.size(); ++g)
            for (size_t t = 0; t < f.trackerIds.size(); ++t)
                if (f.sim(g, t) >= threshold)
                    agree[size_t(f.gtIds[g]) * m + size_t(f.trackerIds[t])] += 1;
    IdentityResult r;
    if (n > 0 && m > 0) {
        std::vector<double> cost(agree.size());
        for (size_t i = 0; i < agree.size(); ++i) cost[i] = -agree[i];
        track::LinearAssignment lap;
        const track::Assignment& a = lap.solve(cost, int(n), int(m), 0.0);
        for (const auto& [g, t] : a.matches) r.idtp += int64_t(agree[size_t(g) * m + size_t(t)]);
    }
    r.idfn = data.numGtDets - r.idtp;
    r.idfp = data.numTrackerDets - r.idtp;
    r.idr = double(r.idtp) / double(std::max<int64_t>(1, r.idtp + r.idfn));
    r.idp = double(r.idtp) / double(std::max<int64_t>(1, r.idtp + r.idfp));
    r.idf1 = double(r.idtp) / std::max(1.0, double(r.idtp) + 0.5 * double(r.idfp) +
                                                0.5 * double(r.idfn));
    return r;
}

HotaResult hotaMetrics(const MotData& data) {
    HotaResult r;
    constexpr int A = HotaResult::kAlphas;
    for (int a = 0; a < A; ++a) r.alpha[size_t(a)] = 0.05 * (a + 1);
    const size_t n = size_t(data.numGtIds), m = size_t(data.numTrackerIds);
    // Global alignment: how much each ground-truth id and tracker id overlap over the whole
    // sequence, from the per-frame similarities normalised by their row and column sums.
    std::vector<double> potential(n * m, 0.0);
    std::vector<double> gtCount(n, 0.0), trCount(m, 0.0);
    for (const MotFrame& f : data.frames) {
        const size_t ng = f.gtIds.size(), nt = f.trackerIds.size();
        std::vector<double> rowSum(ng, 0.0), colSum(nt, 0.0);
        for (size_t g = 0; g < ng; ++g)
            for (size_t t = 0; t < nt; ++t) {
                rowSum[g] += f.sim(g, t);
                colSum[t] += f.sim(g, t);
            }
        for (size_t g = 0; g < ng; ++g)
            for (size_t t = 0; t < nt; ++t) {
                const double s = f.sim(g, t);
                const double denom = colSum[t] + rowSum[g] - s;
                if (denom > kEps)
                    potential[size_t(f.gtIds[g]) * m + size_t(f.trackerIds[t])] += s / denom;
            }
        for (int id : f.gtIds) gtCount[size_t(id)] += 1;
        for (int id : f.trackerIds) trCount[size_t(id)] += 1;
    }
    std::vector<double> alignment(n * m, 0.0);
    for (size_t g = 0; g < n; ++g)
        for (size_t t = 0; t < m; ++t) {
            const double p = potential[g * m + t];
            alignment[g * m + t] = p / (gtCount[g] + trCount[t] - p);
        }
    std::vector<std::vector<double>> matchesCount(A, std::vector<double>(n * m, 0.0));
    std::array<double, A> locSum{};
    track::LinearAssignment lap;
    std::vector<double> cost;
    for (const MotFrame& f : data.frames) {
        const size_t ng = f.gtIds.size(), nt = f.trackerIds.size();
        if (ng == 0 || nt == 0) {
            for (int a = 0; a < A; ++a) {
                r.fp[size_t(a)] += int64_t(nt);
                r.fn[size_t(a)] += int64_t(ng);
            }
            continue;
        }
        cost.assign(ng * nt, 0.0);
        for (size_t g = 0; g < ng; ++g)
            for (size_t t = 0; t < nt; ++t)
                cost[g * nt + t] =
                    -alignment[size_t(f.gtIds[g]) * m + size_t(f.trackerIds[t])] * f.sim(g, t);
        const track::Assignment& as = lap.solve(cost, int(ng), int(nt), 0.0);
        for (int a = 0; a < A; ++a) {
            int64_t matched = 0;
            for (const auto& [g, t] : as.matches) {
                const double s = f.sim(size_t(g), size_t(t));
                if (s < r.alpha[size_t(a)] - kEps) continue;
                ++matched;
                locSum[size_t(a)] += s;
                matchesCount[size_t(a)][size_t(f.gtIds[size_t(g)]) * m +
                                        size_t(f.trackerIds[size_t(t)])] += 1;
            }
            r.tp[size_t(a)] += matched;
            r.fn[size_t(a)] += int64_t(ng) - matched;
            r.fp[size_t(a)] += int64_t(nt) - matched;
        }
    }
    for (int a = 0; a < A; ++a) {
        const auto i = size_t(a);
        const double tp = double(r.tp[i]), fn = double(r.fn[i]), fp = double(r.fp[i]);
        double assA = 0, assRe = 0, assPr = 0;
        const std::vector<double>& mc = matchesCount[i];
        for (size_t g = 0; g < n; ++g)
            for (size_t t = 0; t < m; ++t) {
                const double c = mc[g * m + t];
                if (c == 0) continue;
                assA += c * c / std::max(1.0, gtCount[g] + trCount[t] - c);
                assRe += c * c / std::max(1.0, gtCount[g]);
                assPr += c * c / std::max(1.0, trCount[t]);
            }
        r.assA[i] = assA / std::max(1.0, tp);
        r.assRe[i] = assRe / std::max(1.0, tp);
        r.assPr[i] = assPr / std::max(1.0, tp);
        r.locA[i] = std::max(1e-10, locSum[i]) / std::max(1e-10, tp);
        r.detRe[i] = tp / std::max(1.0, tp + fn);
        r.detPr[i] = tp / std::max(1.0, tp + fp);
        r.detA[i] = tp / std::max(1.0, tp + fn + fp);
        r.hota[i] = std::sqrt(r.detA[i] * r.assA[i]);
    }
    auto mean = [](const std::array<double, A>& v) {
        double s = 0;
        for (double x : v) s += x;
        return s / A;
    };
    r.meanHota = mean(r.hota);
    r.meanDetA = mean(r.detA);
    r.meanAssA = mean(r.assA);
    r.meanLocA = mean(r.locA);
    r.meanDetRe = mean(r.detRe);
    r.meanDetPr = mean(r.detPr);
    r.meanAssRe = mean(r.assRe);
    r.meanAssPr = mean(r.assPr);
    return r;
}

}  // namespace sl::eval
