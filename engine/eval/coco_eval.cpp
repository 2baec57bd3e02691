#include "eval/coco_eval.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <unordered_map>

namespace sl::eval {

namespace {

constexpr int kThresholds = 10, kRecalls = 101, kAreas = 4, kMaxDets = 3;
constexpr int kMaxDet[kMaxDets] = {1, 10, 100};
constexpr double kAreaRange[kAreas][2] = {
    {0, 1e10}, {0, 32.0 * 32}, {32.0 * 32, 96.0 * 96}, {96.0 * 96, 1e10}};
constexpr double kSpacing = 2.220446049250313e-16;   // np.spacing(1)

// np.linspace(.5, .95, 10) and np.linspace(0, 1, 101), element for element.
std::array<double, kThresholds> thresholds() {
    std::array<double, kThresholds> t{};
    const double step = (0.95 - 0.5) / 9;
    for (int i = 0; i < kThresholds; ++i) t[size_t(i)] = 0.5 + i * step;
    t[kThresholds - 1] = 0.95;
    return t;
}

std::array<double, kRecalls> recallPoints() {
    std::array<double, kRecalls> r{};
    for (int i = 0; i < kRecalls; ++i) r[size_t(i)] = i * (1.0 / 100);
    r[kRecalls - 1] = 1.0;
    return r;
}

struct Box {
    double x, y, w, h;
};

Box xywh(const vision::Box& b) {
    return {double(b.x1), double(b.y1), double(b.x2) - double(b.x1), double(b.y2) - double(b.y1)};
}

// maskUtils.iou for boxes: crowd ground truth divides by the detection's area alone.
double iou(const Box& d, const Box& g, bool crowd) {
    const double w = std::min(d.x + d.w, g.x + g.w) - std::max(d.x, g.x);
    const double h = std::min(d.y + d.h, g.y + g.h) - std::max(d.y, g.y);
    if (w <= 0 || h <= 0) return 0;
    const double inter = w * h;
    const double uni = crowd ? d.w * d.h : d.w * d.h + g.w * g.h - inter;
    return inter / uni;
}

struct Gt {
    Box box;
    double area;
    bool crowd;
};
struct Dt {
    Box box;
    double area;
    double score;
    int64_t order;   // input order, for stable ties
};

// One image and category, for one area range: what accumulate() needs (evaluateImg's output).
struct ImageEval {
    std::vector<double> scores;                           // detections by score, <= 100
    std::array<std::vector<char>, kThresholds> matched;   // per threshold, per detection
    std::array<std::vector<char>, kThresholds> ignored;
    int64_t counted = 0;                                  // ground truth not ignored
};

ImageEval evaluateImage(const std::vector<Gt>& gtIn, const std::vector<const Dt*>& dt,
                        const std::vector<double>& ious,   // dt x gtIn (dt sorted)
                        int area, const std::array<double, kThresholds>& thr) {
    const double lo = kAreaRange[area][0], hi = kAreaRange[area][1];
    // Ground truth: counted first, then ignored (crowd or outside the range), stable.
    std::vector<size_t> order(gtIn.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<char> ig(gtIn.size());
    for (size_t g = 0; g < gtIn.size(); ++g)
        ig[g] = gtIn[g].crowd || gtIn[g].area < lo || gtIn[g].area > hi;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ig[a] < ig[b]; });
    ImageEval e;
    const size_t G = gtIn.size(), D = dt.size();
    for (size_t g = 0; g < G; ++g) e.counted += !ig[g];
    e.scores.resize(D);
    for (size_t d = 0; d < D; ++d) e.scores[d] = dt[d]->score;
    for (int t = 0; t < kThresholds; ++t) {
        std::vector<char> gtTaken(G, 0);
        std::vector<char>& dm = e.matched[size_t(t)];
        std::vector<char>& di = e.ignored[size_t(t)];
        dm.assign(D, 0);
        di.assign(D, 0);
        for (size_t d = 0; d < D; ++d) {
            double best = std::min(thr[size_t(t)], 1 - 1e-10);
            int m = -1;
            for (size_t k = 0; k < G; ++k) {
                const size_t g = order[k];
                if (gtTaken[k] && !gtIn[g].crowd) continue;
                // Counted ground truth come first: once one matched, ignored ones cannot win.
                if (m > -1 && !ig[order[size_t(m)]] && ig[g]) break;
                const double v = ious[d * G + g];
                if (v < best) continue;
                best = v;
                m = int(k);
            }
            if (m == -1) continue;
            di[d] = ig[order[size_t(m)]];
            dm[d] = 1;
            gtTaken[size_t(m)] = 1;
        }
        // Unmatched detections outside the area range are not counted either.
        for (size_t d = 0; d < D; ++d)
            if (!dm[d] && (dt[d]->area < lo || dt[d]->area > hi)) di[d] = 1;
    }
    return e;
}

}  // namespace

const char* cocoStatName(int i) {
    static const char* const names[12] = {"AP",   "AP50", "AP75", "APs", "APm", "APl",
                                           "AR1",  "AR10", "AR100", "ARs", "ARm", "ARl"};
    return i >= 0 && i < 12 ? names[i] : "?";
}

CocoResult cocoEvaluate(const annotate::AnnotationSet& gtSet, const annotate::AnnotationSet& dtSet,
                        const CocoOptions& options) {
    const auto thr = thresholds();
    const auto recThr = recallPoints();
    CocoResult result;
    // Categories: the ground truth's labels, then any label only its objects carry.
    std::vector<std::string> labels = gtSet.labels;
    std::unordered_map<std::string, int> cat;
    for (size_t i = 0; i < labels.size(); ++i) cat.emplace(labels[i], int(i));
    for (const annotate::Object& o : gtSet.objects)
        if (cat.emplace(o.label, int(labels.size())).second) labels.push_back(o.label);
    const int K = int(labels.size());
    // Images.
    std::vector<int64_t> frames = options.frames;
    if (frames.empty()) {
        for (const annotate::Object& o : gtSet.objects) frames.push_back(o.frame);
        for (const annotate::Object& o : dtSet.objects) frames.push_back(o.frame);
    }
    std::sort(frames.begin(), frames.end());
    frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
    std::unordered_map<int64_t, int> imageOf;
    for (size_t i = 0; i < frames.size(); ++i) imageOf[frames[i]] = int(i);
    const int I = int(frames.size());
    result.images = I;
    // Group by (category, image).
    std::vector<std::vector<Gt>> gts(size_t(K) * size_t(I));
    std::vector<std::vector<Dt>> dts(size_t(K) * size_t(I));
    for (const annotate::Object& o : gtSet.objects) {
        auto im = imageOf.find(o.frame);
        if (im == imageOf.end() || o.outside) continue;   // outside: a track's end, no box
        const Box b = xywh(o.box);
        gts[size_t(cat.at(o.label)) * size_t(I) + size_t(im->second)].push_back(
            {b, o.area >= 0 ? o.area : b.w * b.h, o.crowd});
        ++result.groundTruth;
    }
    int64_t order = 0;
    for (const annotate::Object& o : dtSet.objects) {
        auto im = imageOf.find(o.frame);
        auto c = cat.find(o.label);
        ++order;
        if (im == imageOf.end() || c == cat.end() || o.outside) continue;
        const Box b = xywh(o.box);
        dts[size_t(c->second) * size_t(I) + size_t(im->second)].push_back(
            {b, b.w * b.h, double(o.score), order});
        ++result.detections;
    }

    // precision[t][r][k][a][m] and recall[t][k][a][m], -1 where undefined.
    auto pIdx = [&](int t, int r, int k, int a, int m) {
        return (((size_t(t) * kRecalls + size_t(r)) * size_t(K) + size_t(k)) * kAreas +
                size_t(a)) * kMaxDets + size_t(m);
    };
    auto rIdx = [&](int t, int k, int a, int m) {
        return ((size_t(t) * size_t(K) + size_t(k)) * kAreas + size_t(a)) * kMaxDets + size_t(m);
    };
    std::vector<double> precision(size_t(kThresholds) * kRecalls * size_t(K) * kAreas * kMaxDets,
                                  -1.0);
    std::vector<double> recall(size_t(kThresholds) * size_t(K) * kAreas * kMaxDets, -1.0);

    std::vector<ImageEval> evals;
    std::vector<double> ious;
    for (int k = 0; k < K; ++k) {
        // evaluateImg for every image and area range, detections sorted and cut at 100.
        std::array<std::vector<ImageEval>, kAreas> perArea;
        for (int i = 0; i < I; ++i) {
            const std::vector<Gt>& g = gts[size_t(k) * size_t(I) + size_t(i)];
            std::vector<Dt>& dRaw = dts[size_t(k) * size_t(I) + size_t(i)];
            if (g.empty() && dRaw.empty()) continue;
            std::stable_sort(dRaw.begin(), dRaw.end(),
                             [](const Dt& a, const Dt& b) { return a.score > b.score; });
            std::vector<const Dt*> d;
            for (size_t j = 0; j < dRaw.size() && j < size_t(kMaxDet[kMaxDets - 1]); ++j)
                d.push_back(&dRaw[j]);
            ious.assign(d.size() * g.size(), 0.0);
            for (size_t a = 0; a < d.size(); ++a)
                for (size_t b = 0; b < g.size(); ++b)
                    ious[a * g.size() + b] = iou(d[a]->box, g[b].box, g[b].crowd);
            for (int a = 0; a < kAreas; ++a)
                perArea[size_t(a)].push_back(evaluateImage(g, d, ious, a, thr));
        }
        // accumulate.
        for (int a = 0; a < kAreas; ++a) {
            const std::vector<ImageEval>& E = perArea[size_t(a)];
            if (E.empty()) continue;
            int64_t counted = 0;
            for (const ImageEval& e : E) counted += e.counted;
            if (counted == 0) continue;
            for (int m = 0; m < kMaxDets; ++m) {
                const size_t maxDet = size_t(kMaxDet[m]);
                // All images' first maxDet detections, merged by score (stable: image order,
                // then rank, for ties, as np.argsort(-scores, kind='mergesort') gives).
                struct Ref {
                    double score;
                    uint32_t image, rank;
                };
                std::vector<Ref> refs;
                for (size_t e = 0; e < E.size(); ++e)
                    for (size_t j = 0; j < E[e].scores.size() && j < maxDet; ++j)
                        refs.push_back({E[e].scores[j], uint32_t(e), uint32_t(j)});
                std::stable_sort(refs.begin(), refs.end(),
                                 [](const Ref& x, const Ref& y) { return x.score > y.score; });
                const size_t nd = refs.size();
                for (int t = 0; t < kThresholds; ++t) {
                    std::vector<double> rc(nd), pr(nd);
                    double tp = 0, fp = 0;
                    size_t n = 0;
                    // COCOeval keeps the ignored detections in the arrays: the cumulative sums
                    // just do not grow there.
                    for (const Ref& r : refs) {
                        const ImageEval& e = E[r.image];
                        const bool ign = e.ignored[size_t(t)][r.rank];
                        const bool mat = e.matched[size_t(t)][r.rank];
                        if (!ign) (mat ? tp : fp) += 1;
                        rc[n] = tp / double(counted);
                        pr[n] = tp / (fp + tp + kSpacing);
                        ++n;
                    }
                    recall[rIdx(t, k, a, m)] = nd ? rc[nd - 1] : 0;
                    for (size_t j = nd; j-- > 1;)
                        if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
                    // np.searchsorted(rc, recThrs, side='left'); points past the last recall
                    // keep precision 0.
                    size_t pi = 0;
                    for (int ri = 0; ri < kRecalls; ++ri) {
                        while (pi < nd && rc[pi] < recThr[size_t(ri)]) ++pi;
                        precision[pIdx(t, ri, k, a, m)] = pi < nd ? pr[pi] : 0.0;
                    }
                }
            }
        }
    }

    // summarize().
    auto meanPrecision = [&](int tOnly, int k0, int k1, int a, int m) {
        double s = 0;
        int64_t n = 0;
        for (int t = 0; t < kThresholds; ++t) {
            if (tOnly >= 0 && t != tOnly) continue;
            for (int r = 0; r < kRecalls; ++r)
                for (int k = k0; k < k1; ++k) {
                    const double v = precision[pIdx(t, r, k, a, m)];
                    if (v > -1) s += v, ++n;
                }
        }
        return n ? s / double(n) : -1.0;
    };
    auto meanRecall = [&](int a, int m) {
        double s = 0;
        int64_t n = 0;
        for (int t = 0; t < kThresholds; ++t)
            for (int k = 0; k < K; ++k) {
                const double v = recall[rIdx(t, k, a, m)];
                if (v > -1) s += v, ++n;
            }
        return n ? s / double(n) : -1.0;
    };
    const int m100 = kMaxDets - 1;
    const int t50 = 0, t75 = 5;
    result.stats = {meanPrecision(-1, 0, K, 0, m100), meanPrecision(t50, 0, K, 0, m100),
                    meanPrecision(t75, 0, K, 0, m100), meanPrecision(-1, 0, K, 1, m100),
                    meanPrecision(-1, 0, K, 2, m100), meanPrecision(-1, 0, K, 3, m100),
                    meanRecall(0, 0),                 meanRecall(0, 1),
                    meanRecall(0, m100),              meanRecall(1, m100),
                    meanRecall(2, m100),              meanRecall(3, m100)};
    for (int k = 0; k < K; ++k) {
        CocoClassResult c;
        c.label = labels[size_t(k)];
        for (int i = 0; i < I; ++i)
            for (const Gt& g : gts[size_t(k) * size_t(I) + size_t(i)]) c.groundTruth += !g.crowd;
        c.ap = meanPrecision(-1, k, k + 1, 0, m100);
        c.ap50 = meanPrecision(t50, k, k + 1, 0, m100);
        c.ap75 = meanPrecision(t75, k, k + 1, 0, m100);
        for (int r = 0; r < kRecalls; ++r) {
            c.precision50[size_t(r)] = precision[pIdx(t50, r, k, 0, m100)];
            c.precision75[size_t(r)] = precision[pIdx(t75, r, k, 0, m100)];
        }
        result.classes.push_back(std::move(c));
    }
    return result;
}

}  // namespace sl::eval
