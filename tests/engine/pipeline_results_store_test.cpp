// ResultsStore: keyed by frame index with pts beside it, ranges and gaps for the GUI, concurrent
// writers and readers, JSON/CSV export parsed back, atomic save.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "pipeline/results_store.h"
#include "support/video_generator.h"

namespace sl::pipeline {
namespace {

FrameDetections frame(int64_t index, int64_t pts, std::vector<vision::Detection> d = {}) {
    FrameDetections f;
    f.frameIndex = index;
    f.pts = pts;
    f.seconds = double(pts) / 1000.0;
    f.width = 640;
    f.height = 480;
    f.detections = std::move(d);
    return f;
}

TEST(ResultsStore, KeyedByIndexAndPts) {
    ResultsStore s({"person", "bicycle"});
    EXPECT_EQ(s.version(), 0u);
    s.put(frame(0, 0, {{0, 0.9f, {1, 2, 3, 4}}}));
    s.put(frame(5, 200));
    s.put(frame(2, 80, {{1, 0.5f, {10, 20, 30, 40}}}));
    EXPECT_EQ(s.size(), 3u);
    EXPECT_EQ(s.version(), 3u);
    ASSERT_TRUE(s.at(2));
    EXPECT_EQ(s.at(2)->pts, 80);
    EXPECT_FALSE(s.at(1));
    ASSERT_TRUE(s.atPts(200));
    EXPECT_EQ(s.atPts(200)->frameIndex, 5);
    EXPECT_FALSE(s.atPts(199));
    // Replacing a frame re-keys its pts.
    s.put(frame(5, 210));
    EXPECT_FALSE(s.atPts(200));
    EXPECT_TRUE(s.atPts(210));
    const auto r = s.range(1, 5);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].frameIndex, 2);
    EXPECT_EQ(r[1].frameIndex, 5);
    using Gap = std::pair<int64_t, int64_t>;
    EXPECT_EQ(s.missingRanges(0, 8), (std::vector<Gap>{{1, 1}, {3, 4}, {6, 8}}));
    EXPECT_EQ(s.missingRanges(2, 2), (std::vector<Gap>{}));
    EXPECT_EQ(s.countsPerClass(), (std::map<std::string, int64_t>{{"bicycle", 1}, {"person", 1}}));
    EXPECT_EQ(s.label(7), "class 7");
    s.clear();
    EXPECT_EQ(s.size(), 0u);
}

TEST(ResultsStore, ConcurrentWritersAndReaders) {
    ResultsStore s({"person"});
    std::atomic<bool> done{false};
    std::thread reader([&] {
        while (!done) {
            (void)s.range(0, 1000);
            (void)s.missingRanges(0, 1000);
            (void)s.toCsv();
        }
    });
    std::thread w1([&] {
        for (int i = 0; i < 500; i += 2) s.put(frame(i, i * 40, {{0, 0.5f, {0, 0, 1, 1}}}));
    });
    std::thread w2([&] {
        for (int i = 1; i < 500; i += 2) s.put(frame(i, i * 40));
    });
    w1.join();
    w2.join();
    done = true;
    reader.join();
    EXPECT_EQ(s.size(), 500u);
    EXPECT_TRUE(s.missingRanges(0, 499).empty());
}

TEST(ResultsStore, ExportParsesBack) {
    ResultsStore s({"person", "a, \"quoted\" label"});
    s.put(frame(0, 0, {{0, 0.91234f, {1.234f, 2.0f, 30.5f, 40.25f}}, {1, 0.5f, {5, 6, 7, 8}}}));
    s.put(frame(1, 40));
    RunSummary sum;
    sum.framesDecoded = 2;
    sum.framesAnalysed = 2;
    sum.framesWithDetections = 1;
    sum.countsPerClass = {{"person", 1}};
    const std::string j = s.toJson({"in.mp4", "yolox-nano", sum});
    const auto root = nlohmann::json::parse(j);
    EXPECT_EQ(root["source"], "in.mp4");
    EXPECT_EQ(root["summary"]["frames_analysed"], 2);
    EXPECT_EQ(root["summary"]["counts"]["person"], 1);
    ASSERT_EQ(root["frames"].size(), 2u);
    EXPECT_EQ(root["frames"][1]["detections"].size(), 0u);   // analysed, nothing found
    const auto& d = root["frames"][0]["detections"][0];
    EXPECT_EQ(d["class_id"], 0);
    EXPECT_EQ(d["label"], "person");
    EXPECT_NEAR(d["score"].get<double>(), 0.9123, 1e-9);
    EXPECT_NEAR(d["box"][0].get<double>(), 1.23, 1e-9);
    EXPECT_NEAR(d["box"][3].get<double>(), 40.25, 1e-9);

    const std::string csv = s.toCsv();
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "frame,pts,time,class_id,label,score,x1,y1,x2,y2");
    std::getline(in, line);
    EXPECT_EQ(line, "0,0,0.0000,0,person,0.9123,1.23,2.00,30.50,40.25");
    std::getline(in, line);
    EXPECT_EQ(line, "0,0,0.0000,1,\"a, \"\"quoted\"\" label\",0.5000,5.00,6.00,7.00,8.00");
    EXPECT_FALSE(std::getline(in, line));

    sl::testing::TempDir dir("results");
    ASSERT_TRUE(s.save(dir.file("r.json"), {"in.mp4", "m", std::nullopt}));
    ASSERT_TRUE(s.save(dir.file("r.csv"), {}));
    std::ifstream jf(dir.file("r.json"));
    EXPECT_EQ(nlohmann::json::parse(jf)["frames"].size(), 2u);
    auto bad = s.save(dir.file("r.txt"), {});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.message().find("r.txt"), std::string::npos);
    auto nowhere = s.save("/nonexistent-dir/r.json", {});
    ASSERT_FALSE(nowhere);
    EXPECT_NE(nowhere.message().find("/nonexistent-dir/r.json"), std::string::npos)
        << nowhere.message();
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        EXPECT_NE(e.path().filename().string()[0], '.') << "temporary left: " << e.path();
}

}  // namespace
}  // namespace sl::pipeline
