// Reading stored detections back (pipeline/detections_file.h): values, mapping, and bad input
// (including the inputs the fuzzers found) named by file, line or JSON pointer, and field.

#include <gtest/gtest.h>

#include "analytics/scene.h"
#include "pipeline/detections_file.h"
#include "pipeline/results_store.h"

namespace sl::pipeline {
namespace {

TEST(PipelineDetectionsFile, ResultsJsonRoundTrip) {
    ResultsStore store({"person", "car"});
    FrameDetections f;
    f.frameIndex = 4;
    f.pts = 14400;
    f.seconds = 0.16;
    f.width = 640;
    f.height = 480;
    vision::Detection d;
    d.classId = 1;
    d.score = 0.75f;
    d.box = {1.5f, 2.25f, 30, 60};
    f.detections = {d};
    store.put(f);
    f.frameIndex = 2;
    f.detections.clear();
    store.put(f);
    auto back = parseSightlineResultsJson(store.toJson({"v.mp4", "m", std::nullopt}), "r.json");
    ASSERT_TRUE(back) << back.status().message();
    EXPECT_EQ(back->labels, (std::vector<std::string>{"person", "car"}));
    EXPECT_EQ(back->source, "v.mp4");
    ASSERT_EQ(back->frames.size(), 2u);
    EXPECT_EQ(back->frames[0].frameIndex, 2);
    EXPECT_TRUE(back->frames[0].detections.empty());
    EXPECT_EQ(back->frames[1].pts, 14400);
    ASSERT_EQ(back->frames[1].detections.size(), 1u);
    EXPECT_EQ(back->frames[1].detections[0].classId, 1);
    EXPECT_FLOAT_EQ(back->frames[1].detections[0].score, 0.75f);
    EXPECT_EQ(back->frames[1].detections[0].box, d.box);
}

TEST(PipelineDetectionsFile, MotRowsInAnyOrderFillEveryFrame) {
    auto m = parseMotDetections("3,-1,10,20,30,40,0.5,-1,-1,-1\n1,-1,1,2,3,4,0.25\n"
                                "3,-1,0,0,5,5,0.9,-1,-1,-1\n\n",
                                "det.txt", 10);
    ASSERT_TRUE(m) << m.status().message();
    EXPECT_EQ(m->frameMapping, "MOTChallenge frame 1 = frame index 0");
    ASSERT_EQ(m->frames.size(), 3u);   // indices 0, 1 (empty), 2
    EXPECT_EQ(m->frames[0].detections.size(), 1u);
    EXPECT_TRUE(m->frames[1].detections.empty());
    ASSERT_EQ(m->frames[2].detections.size(), 2u);
    EXPECT_FLOAT_EQ(m->frames[2].detections[0].score, 0.9f);   // highest score first
    EXPECT_EQ(m->frames[2].detections[1].box, (vision::Box{10, 20, 40, 60}));
    EXPECT_DOUBLE_EQ(m->frames[2].seconds, 0.2);
}

TEST(BadInputDetectionsFile, NamesFileLineAndField) {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case mot[] = {
        {"1,-1,1,2,3,4,0.5\n1,-1,1,2,-3,4,0.5\n", "det.txt:2: field 'width': negative (-3)"},
        {"1,-1,1,2,3\n", "det.txt:1: expected at least 7 fields"},
        {"0,-1,1,2,3,4,0.5\n", "det.txt:1: field 'frame': not a frame number from 1"},
        {"1,-1,1,nan,3,4,0.5\n", "det.txt:1: field 'y': not a number"},
        // Found by fuzz_mot_det: a frame number beyond int64 (undefined conversion before).
        {"1736666666666666666666663,-1,10,10,20,40,0.5\n", "det.txt:1: field 'frame'"},
        {"1,-1,1e300,2,3,4,0.5\n", "det.txt:1: field 'x': beyond 1e6 pixels"},
    };
    for (const Case& c : mot) {
        auto r = parseMotDetections(c.text, "det.txt");
        ASSERT_FALSE(r) << c.text;
        EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
            << r.status().message();
    }
    const Case json[] = {
        {R"({"frames": [{"frame": 0, "detections": [{"score": 0.5, "box": [5, 5, 1, 1]}]}]})",
         "r.json: /frames/0/detections/0/box: x2 < x1"},
        {R"({"frames": [{"frame": 0, "detections": []}, {"frame": 0, "detections": []}]})",
         "r.json: /frames/1/frame: frame 0 appears twice"},
        {R"({"frames": [{"frame": -2, "detections": []}]})", "/frames/0/frame: expected"},
        {R"({"frames": [{"frame": 1, "detections": [{"score": 7, "box": [0,0,1,1]}]}]})",
         "/frames/0/detections/0/score"},
        {R"({"frames": [{"frame": 1)", "r.json: not valid JSON"},
        {R"({"labels": [3], "frames": []})", "/labels/0: expected a label"},
    };
    for (const Case& c : json) {
        auto r = parseSightlineResultsJson(c.text, "r.json");
        ASSERT_FALSE(r) << c.text;
        EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
            << r.status().message();
    }
}

TEST(BadInputScene, NumberBeyondDouble) {
    // Found by fuzz_scene: nlohmann throws out_of_range (not parse_error) for 1e999, which
    // escaped the parser and terminated the process.
    auto s = analytics::parseSceneJson(R"({"version": 1, "zones": [{"name": "z", )"
                                       R"("polygon": [[0, 0], [1e999, 0], [1, 1]]}]})",
                                       "zones.json");
    ASSERT_FALSE(s);
    EXPECT_NE(s.status().message().find("zones.json"), std::string::npos);
}

}  // namespace
}  // namespace sl::pipeline
