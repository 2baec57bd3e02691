// `sightline eval P#GT P#PRED` compares what the sets show, as the Evaluation panel does
// (annotate::visibleObjects, the one function both call): a keyframed ground-truth track is
// interpolated between its keyframes. Before, the CLI compared the stored rows: the two
// keyframes only, so 9 of the 11 predictions on the frames between them were false positives
// there while the panel found none.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "annotate/visible_objects.h"
#include "store/project_store.h"
#include "support/video_generator.h"

namespace sl::cli {
int runEval(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}  // namespace sl::cli

namespace {

using sl::annotate::Object;

Object at(int64_t track, int64_t frame, float x, bool keyframe) {
    Object o;
    o.trackId = track, o.frame = frame, o.label = "person", o.keyframe = keyframe;
    o.box = {x, 0, x + 10, 10};
    return o;
}

}  // namespace

TEST(EvalProjectSets, KeyframedGroundTruthIsInterpolatedAsInThePanel) {
    sl::testing::TempDir dir("eval-project-sets");
    const std::string project = dir.file("p.slproj").string();
    sl::annotate::AnnotationSet gt, pred;
    {
        auto p = sl::store::ProjectStore::create(project);
        ASSERT_TRUE(p.hasValue()) << p.status().message();
        sl::annotate::MediaInfo m;
        m.path = "/videos/walk.mp4", m.width = 320, m.height = 240, m.frameCount = 20;
        auto media = (*p)->addMedia(m);
        ASSERT_TRUE(media.hasValue());
        // Ground truth: track 1 keyframed at 0 (x 0) and 10 (x 100), hidden from 11 on.
        gt.name = "gt";
        gt.labels = {"person"};
        Object end = at(1, 11, 100, true);
        end.outside = true;
        gt.objects = {at(1, 0, 0, true), at(1, 10, 100, true), end};
        // Prediction: a tracker's dense track 7 (no keyframe), x = 10 f on frames 0..10: the
        // interpolated ground truth exactly.
        pred.name = "pred";
        pred.kind = sl::annotate::SetKind::ModelRun;
        pred.labels = {"person"};
        for (int64_t f = 0; f <= 10; ++f) {
            Object o = at(7, f, float(10 * f), false);
            o.score = 0.9f, o.source = sl::annotate::ObjectSource::Model;
            pred.objects.push_back(o);
        }
        ASSERT_TRUE((*p)->importSet(*media, gt).hasValue());
        ASSERT_TRUE((*p)->importSet(*media, pred).hasValue());
    }

    // What the ground truth shows: 11 boxes, frame 5 halfway (x 50).
    const auto shown = sl::annotate::visibleObjects(gt, 19);
    ASSERT_EQ(shown.size(), 11u);
    EXPECT_EQ(shown[5].frame, 5);
    EXPECT_FLOAT_EQ(shown[5].box.x1, 50.0f);
    EXPECT_FLOAT_EQ(shown[5].box.x2, 60.0f);
    EXPECT_EQ(shown[5].source, sl::annotate::ObjectSource::Interpolated);
    // The dense prediction track is shown as stored.
    EXPECT_EQ(sl::annotate::visibleObjects(pred, 19).size(), 11u);

    std::ostringstream out, err;
    const std::vector<std::string> args = {project + "#gt", project + "#pred", "--json",
                                           "--metrics", "all"};
    ASSERT_EQ(sl::cli::runEval(args, out, err), 0) << err.str();
    const auto j = nlohmann::json::parse(out.str());
    // Every one of the 11 predictions matches the interpolated box of its frame (IoU 1).
    EXPECT_EQ(j["detection"]["ground_truth"].get<int>(), 11);
    EXPECT_EQ(j["detection"]["detections"].get<int>(), 11);
    EXPECT_EQ(j["tracking"]["tp"].get<int>(), 11);
    EXPECT_EQ(j["tracking"]["fp"].get<int>(), 0);
    EXPECT_EQ(j["tracking"]["fn"].get<int>(), 0);
    EXPECT_EQ(j["tracking"]["idsw"].get<int>(), 0);
    EXPECT_DOUBLE_EQ(j["tracking"]["mota"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(j["tracking"]["idf1"].get<double>(), 1.0);
    EXPECT_NEAR(j["detection"]["stats"]["AP50"].get<double>(), 1.0, 1e-9);
}
