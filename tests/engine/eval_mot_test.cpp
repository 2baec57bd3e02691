// Tracking metrics: TUD-Campus against py-motmetrics' and TrackEval's published values
// (../shared/testdata/mot, README there), and hand-derived scenarios for each rule: an id switch,
// a fragmentation (and TrackEval's rule that a frame without tracker boxes does not break a
// match), distractors and ignored ground truth under MOTChallenge's preprocessing.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "annotate/formats/mot.h"
#include "eval/mot_metrics.h"

namespace fs = std::filesystem;
using namespace sl;
using namespace sl::eval;
using annotate::AnnotationSet;
using annotate::Object;

namespace {

Object box(int64_t frame, int64_t track, float x, float y = 0, float w = 10, float h = 10,
           const std::string& label = "pedestrian") {
    Object o;
    o.frame = frame;
    o.trackId = track;
    o.box = {x, y, x + w, y + h};
    o.label = label;
    o.id = frame * 1000 + track;
    return o;
}

AnnotationSet setOf(std::vector<Object> objects) {
    AnnotationSet s;
    s.objects = std::move(objects);
    return s;
}

struct All {
    ClearResult clear;
    IdentityResult id;
    HotaResult hota;
};

All evaluate(const AnnotationSet& gt, const AnnotationSet& pred, MotOptions o = {}) {
    const MotData d = buildMotData(gt, pred, o);
    return {clearMetrics(d), identityMetrics(d), hotaMetrics(d)};
}

annotate::formats::Imported loadTud(const char* name, annotate::SetKind kind) {
    const fs::path p = fs::path(SL_SHARED_DIR) / "testdata" / "mot" / name;
    annotate::formats::ImportOptions o;
    o.kind = kind;
    return annotate::formats::importMot(p.string(), o);
}

}  // namespace

TEST(EvalMot, TudCampusMatchesPyMotmetricsAndTrackEval) {
    const auto gt = loadTud("tud_campus_gt.csv", annotate::SetKind::GroundTruth);
    const auto hyp = loadTud("tud_campus_hyp.csv", annotate::SetKind::ModelRun);
    ASSERT_EQ(gt.set.objects.size(), 359u);    // the file's rows
    ASSERT_EQ(hyp.set.objects.size(), 222u);
    const All r = evaluate(gt.set, hyp.set);
    // py-motmetrics tests/test_metrics.py, checked to 1e-3 there.
    EXPECT_NEAR(r.id.idf1, 0.557659, 1e-3);
    EXPECT_NEAR(r.id.idp, 0.729730, 1e-3);
    EXPECT_NEAR(r.id.idr, 0.451253, 1e-3);
    EXPECT_NEAR(r.clear.recall, 0.582173, 1e-3);
    EXPECT_NEAR(r.clear.precision, 0.941441, 1e-3);
    EXPECT_EQ(r.clear.gtTracks, 8);
    EXPECT_EQ(r.clear.mt, 1);
    EXPECT_EQ(r.clear.pt, 6);
    EXPECT_EQ(r.clear.ml, 1);
    EXPECT_EQ(r.clear.fp, 13);
    EXPECT_EQ(r.clear.fn, 150);
    EXPECT_EQ(r.clear.idsw, 7);
    EXPECT_EQ(r.clear.frag, 7);
    EXPECT_NEAR(r.clear.mota, 0.526462, 1e-3);
    EXPECT_NEAR(1 - r.clear.motp, 0.277201, 1e-3);   // py-motmetrics' distance form
    // TrackEval's HOTA, to 1e-4.
    EXPECT_NEAR(r.hota.meanHota, 0.3913974378, 1e-4);
    EXPECT_NEAR(r.hota.meanDetA, 0.4180470301, 1e-4);
    EXPECT_NEAR(r.hota.meanAssA, 0.3691206812, 1e-4);
    EXPECT_NEAR(r.hota.meanLocA, 0.7701, 1e-4);
    std::printf("TUD-Campus deviations: IDF1 %.2e MOTA %.2e MOTP %.2e HOTA %.2e DetA %.2e "
                "AssA %.2e\n",
                std::fabs(r.id.idf1 - 0.557659), std::fabs(r.clear.mota - 0.526462),
                std::fabs(1 - r.clear.motp - 0.277201), std::fabs(r.hota.meanHota - 0.3913974378),
                std::fabs(r.hota.meanDetA - 0.4180470301),
                std::fabs(r.hota.meanAssA - 0.3691206812));
    // Every CLEAR error is listed once.
    int64_t fp = 0, miss = 0, idsw = 0, frag = 0;
    for (const FrameError& e : r.clear.errors) {
        fp += e.kind == FrameError::Kind::FalsePositive;
        miss += e.kind == FrameError::Kind::Miss;
        idsw += e.kind == FrameError::Kind::IdSwitch;
        frag += e.kind == FrameError::Kind::Fragmentation;
    }
    EXPECT_EQ(fp, 13);
    EXPECT_EQ(miss, 150);
    EXPECT_EQ(idsw, 7);
    EXPECT_EQ(frag, 7);
}

TEST(EvalMot, PerfectTrackingScoresOne) {
    std::vector<Object> gt;
    for (int f = 0; f < 5; ++f)
        for (int t = 1; t <= 3; ++t) gt.push_back(box(f, t, float(t * 30 + f)));
    std::vector<Object> pred = gt;
    for (Object& o : pred) o.trackId += 100;   // other ids, same identities
    const All r = evaluate(setOf(gt), setOf(pred));
    EXPECT_EQ(r.clear.tp, 15);
    EXPECT_DOUBLE_EQ(r.clear.mota, 1.0);
    EXPECT_DOUBLE_EQ(r.clear.motp, 1.0);
    EXPECT_DOUBLE_EQ(r.id.idf1, 1.0);
    EXPECT_NEAR(r.hota.meanHota, 1.0, 1e-12);
    EXPECT_EQ(r.clear.mt, 3);
    EXPECT_TRUE(r.clear.errors.empty());
}

TEST(EvalMot, IdSwitchByHand) {
    // One person over 4 frames; the tracker calls it 10 then 11.
    const AnnotationSet gt = setOf({box(0, 1, 0), box(1, 1, 0), box(2, 1, 0), box(3, 1, 0)});
    const AnnotationSet pred =
        setOf({box(0, 10, 0), box(1, 10, 0), box(2, 11, 0), box(3, 11, 0)});
    const All r = evaluate(gt, pred);
    EXPECT_EQ(r.clear.tp, 4);
    EXPECT_EQ(r.clear.idsw, 1);
    EXPECT_EQ(r.clear.frag, 0);
    EXPECT_DOUBLE_EQ(r.clear.mota, 0.75);   // (4 - 0 - 1) / 4
    // Identity: the best mapping keeps 2 of the 4 frames.
    EXPECT_EQ(r.id.idtp, 2);
    EXPECT_EQ(r.id.idfn, 2);
    EXPECT_EQ(r.id.idfp, 2);
    EXPECT_DOUBLE_EQ(r.id.idf1, 0.5);
    // HOTA: DetA 1; AssA = (2 * 2/4 + 2 * 2/4) / 4 = 0.5 at every alpha.
    EXPECT_NEAR(r.hota.meanDetA, 1.0, 1e-12);
    EXPECT_NEAR(r.hota.meanAssA, 0.5, 1e-12);
    EXPECT_NEAR(r.hota.meanHota, std::sqrt(0.5), 1e-12);
    ASSERT_EQ(r.clear.errors.size(), 1u);
    EXPECT_EQ(r.clear.errors[0].kind, FrameError::Kind::IdSwitch);
    EXPECT_EQ(r.clear.errors[0].frame, 2);
    EXPECT_EQ(r.clear.errors[0].gtTrackId, 1);
    EXPECT_EQ(r.clear.errors[0].predTrackId, 11);
}

TEST(EvalMot, FragmentationByHand) {
    const AnnotationSet gt = setOf({box(0, 1, 0), box(1, 1, 0), box(2, 1, 0), box(3, 1, 0)});
    // Frame 2: the tracker misses the person and reports a box elsewhere.
    const All r = evaluate(
        gt, setOf({box(0, 10, 0), box(1, 10, 0), box(2, 99, 500), box(3, 10, 0)}));
    EXPECT_EQ(r.clear.tp, 3);
    EXPECT_EQ(r.clear.fn, 1);
    EXPECT_EQ(r.clear.fp, 1);
    EXPECT_EQ(r.clear.frag, 1);
    EXPECT_EQ(r.clear.idsw, 0);
    EXPECT_DOUBLE_EQ(r.clear.mota, 0.5);   // (3 - 1 - 0) / 4
    // Frame 2 with no tracker box at all: TrackEval skips the frame without ending the match,
    // so the same gap is no fragmentation.
    const All skipped = evaluate(gt, setOf({box(0, 10, 0), box(1, 10, 0), box(3, 10, 0)}));
    EXPECT_EQ(skipped.clear.frag, 0);
    EXPECT_EQ(skipped.clear.fn, 1);
}

TEST(EvalMot, BelowThresholdIsAMissAndAFalsePositive) {
    // IoU of two 10x10 boxes 5 px apart: 50 / 150 = 1/3 < 0.5.
    const All r = evaluate(setOf({box(0, 1, 0)}), setOf({box(0, 7, 5)}));
    EXPECT_EQ(r.clear.tp, 0);
    EXPECT_EQ(r.clear.fp, 1);
    EXPECT_EQ(r.clear.fn, 1);
    // HOTA still matches it for alphas <= 1/3 (0.05 .. 0.30: 6 of 19).
    int matchedAlphas = 0;
    for (int64_t tp : r.hota.tp) matchedAlphas += tp == 1;
    EXPECT_EQ(matchedAlphas, 6);
}

TEST(EvalMot, MotChallengeDistractorsAndIgnoredGroundTruth) {
    Object ignored = box(0, 3, 200);
    ignored.ignored = true;
    const AnnotationSet gt =
        setOf({box(0, 1, 0), box(0, 2, 100, 0, 10, 10, "distractor"), ignored});
    // The tracker finds all three.
    const AnnotationSet pred = setOf({box(0, 10, 0), box(0, 11, 100), box(0, 12, 200)});
    MotOptions mc;
    mc.motChallenge = true;
    const MotData d = buildMotData(gt, pred, mc);
    EXPECT_EQ(d.removedTrackerDets, 1);   // the box on the distractor
    EXPECT_EQ(d.removedGtDets, 2);        // the distractor and the ignored row
    const ClearResult c = clearMetrics(d);
    EXPECT_EQ(c.tp, 1);
    EXPECT_EQ(c.fp, 1);   // the box on the ignored pedestrian is not a distractor match
    EXPECT_EQ(c.fn, 0);
    // Plain rules: the distractor is a person to find, the ignored row still is not.
    const ClearResult plain = clearMetrics(buildMotData(gt, pred, {}));
    EXPECT_EQ(plain.tp, 2);
    EXPECT_EQ(plain.fp, 1);
    EXPECT_EQ(plain.fn, 0);
}

TEST(EvalMot, OutsideMarkersAreNoBoxes) {
    // A CVAT track that ends: its outside keyframe at frame 2 is where it stops, not a box.
    Object end = box(2, 1, 0);
    end.outside = true;
    const All r = evaluate(setOf({box(0, 1, 0), box(1, 1, 0), end}),
                           setOf({box(0, 5, 0), box(1, 5, 0)}));
    EXPECT_EQ(r.clear.tp, 2);
    EXPECT_EQ(r.clear.fn, 0);
    EXPECT_DOUBLE_EQ(r.clear.mota, 1.0);
}
