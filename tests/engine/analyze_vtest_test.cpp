// `sightline analyze` on the demo video (OpenCV's vtest.avi: pedestrians on a square, fetched by
// packaging/fetch-demo.sh; FAILS when missing) and on bad input. To keep the suite fast on CI's
// two cores it analyses every 5th of the first 200 frames (40 inferences); the bench covers the
// whole video.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "media/media_source.h"
#include "pipeline/analyze_runner.h"
#include "pipeline/burn_in_exporter.h"
#include "support/video_generator.h"

namespace sl::cli {
int runAnalyze(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

fs::path demoVideo() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "vtest.avi";
}

int analyze(std::vector<std::string> args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    const int rc = sl::cli::runAnalyze(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
}

std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> f(1);
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        else if (c == ',' && !quoted) f.emplace_back();
        else f.back() += c;
    }
    return f;
}

TEST(AnalyzeVtest, FindsPersonsOnMostFramesAndWritesJsonAndCsv) {
    ASSERT_TRUE(fs::exists(demoVideo())) << "missing " << demoVideo()
                                         << ": run packaging/fetch-demo.sh";
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    sl::testing::TempDir dir("analyze");
    const fs::path json = dir.file("results.json"), csv = dir.file("results.csv");
    std::string out, err;
    ASSERT_EQ(analyze({demoVideo().string(), "--out", json.string(), "--out", csv.string(),
                       "--model", modelPath().string(), "--frames", "200", "--every", "5"},
                      out, err),
              0)
        << err;
    std::cout << out;
    EXPECT_NE(out.find("200 frames decoded, 40 analysed"), std::string::npos) << out;
    EXPECT_NE(out.find("person: "), std::string::npos) << out;

    std::ifstream jf(json);
    const auto j = nlohmann::json::parse(jf, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "malformed JSON in " << json;
    EXPECT_EQ(j["source"], demoVideo().string());
    EXPECT_EQ(j["summary"]["frames_decoded"], 200);
    EXPECT_EQ(j["summary"]["frames_analysed"], 40);
    ASSERT_EQ(j["frames"].size(), 40u);
    int withPerson = 0;
    size_t total = 0;
    int64_t lastPts = -1;
    for (size_t i = 0; i < j["frames"].size(); ++i) {
        const auto& f = j["frames"][i];
        EXPECT_EQ(f["frame"].get<int64_t>(), int64_t(i) * 5);
        EXPECT_GT(f["pts"].get<int64_t>(), lastPts);
        lastPts = f["pts"].get<int64_t>();
        EXPECT_EQ(f["width"], 768);
        EXPECT_EQ(f["height"], 576);
        bool person = false;
        for (const auto& d : f["detections"]) {
            person |= d["label"] == "person";
            const auto& b = d["box"];
            EXPECT_LE(b[0].get<double>(), b[2].get<double>());
            EXPECT_LE(b[1].get<double>(), b[3].get<double>());
            EXPECT_LE(b[2].get<double>(), 768.0);
            EXPECT_LE(b[3].get<double>(), 576.0);
        }
        withPerson += person;
        total += f["detections"].size();
    }
    EXPECT_GE(withPerson, 36) << "persons on only " << withPerson << " of 40 frames";
    EXPECT_GT(j["summary"]["counts"]["person"].get<int>(), 80);

    std::ifstream cf(csv);
    std::string line;
    ASSERT_TRUE(std::getline(cf, line));
    EXPECT_EQ(line, "frame,pts,time,class_id,label,score,x1,y1,x2,y2");
    size_t rows = 0;
    while (std::getline(cf, line)) {
        const auto f = splitCsv(line);
        ASSERT_EQ(f.size(), 10u) << line;
        EXPECT_EQ(std::stoll(f[0]) % 5, 0) << line;
        const double score = std::stod(f[5]);
        EXPECT_GT(score, 0.3) << line;
        EXPECT_LE(score, 1.0) << line;
        ++rows;
    }
    EXPECT_EQ(rows, total);
    for (const auto& e : fs::directory_iterator(dir.path()))
        EXPECT_NE(e.path().filename().string()[0], '.') << "temporary left: " << e.path();
}

std::vector<media::VideoFrame> decodeFrames(const std::string& path, size_t limit) {
    media::MediaSource source;
    media::OpenOptions open;
    open.url = path;
    EXPECT_TRUE(source.open(open).isOk()) << path;
    std::vector<media::VideoFrame> frames;
    while (frames.size() < limit) {
        auto f = source.readFrame();
        if (!f) break;
        frames.push_back(*f);
    }
    return frames;
}

// `--burn-in`: the same export as the GUI's, headless. The MP4 must decode to exactly the
// analysed frames (--frames), and the boxes of the JSON results must show in the class colour on
// the analysed frames and not on the frames --every skipped.
TEST(AnalyzeVtest, BurnInWritesTheAnalysedFramesWithBoxes) {
    ASSERT_TRUE(fs::exists(demoVideo())) << "missing " << demoVideo()
                                         << ": run packaging/fetch-demo.sh";
    sl::testing::TempDir dir("analyze-burn-in");
    const fs::path json = dir.file("r.json"), video = dir.file("boxes.mp4");
    std::string out, err;
    ASSERT_EQ(analyze({demoVideo().string(), "--out", json.string(), "--burn-in", video.string(),
                       "--model", modelPath().string(), "--frames", "20", "--every", "5"},
                      out, err),
              0)
        << err;
    EXPECT_NE(out.find("wrote " + video.string() + " (20 frames, "), std::string::npos) << out;
    const auto burned = decodeFrames(video.string(), 100);
    const auto source = decodeFrames(demoVideo().string(), 20);
    ASSERT_EQ(burned.size(), 20u);
    ASSERT_EQ(source.size(), 20u);
    EXPECT_EQ(burned[0].width(), 768);
    EXPECT_EQ(burned[0].height(), 576);

    std::ifstream jf(json);
    const auto j = nlohmann::json::parse(jf, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    const bool bt709 = burned[0].colorMatrix() == media::ColorMatrix::Bt709;
    const bool full = burned[0].colorRange() == media::ColorRange::Full;
    // Left-edge and bottom-edge midpoints of every box (the outline is 2 pixels wide starting
    // at the box snapped outwards to even coordinates; H.264 at crf 18 blurs it a little).
    // A point may lie under the label tag of a box drawn later, so any class colour of the
    // frame's detections counts.
    const auto matches = [&](const media::VideoFrame& f, int x, int y,
                             const std::vector<Yuv>& colours) {
        const int luma = f.plane(0)[y * f.stride(0) + x];
        const int cu = f.plane(1)[(y / 2) * f.stride(1) + x / 2];
        const int cv = f.plane(2)[(y / 2) * f.stride(2) + x / 2];
        for (const Yuv& want : colours)
            if (std::abs(luma - want.y) <= 32 && std::abs(cu - want.u) <= 32 &&
                std::abs(cv - want.v) <= 32)
                return true;
        return false;
    };
    int points = 0, onAnalysed = 0, onSkipped = 0;
    for (const auto& f : j["frames"]) {
        const int64_t index = f["frame"].get<int64_t>();
        ASSERT_LT(index + 1, 20);
        std::vector<Yuv> want;
        for (const auto& d : f["detections"])
            want.push_back(rgbToYuv(classColor(d["class_id"].get<int>()), bt709, full));
        for (const auto& d : f["detections"]) {
            const auto& b = d["box"];
            const int x0 = int(std::floor(b[0].get<double>() / 2)) * 2;
            const int y1 = std::min(575, int(std::ceil(b[3].get<double>() / 2)) * 2 - 1);
            const int midX = int((b[0].get<double>() + b[2].get<double>()) / 2);
            const int midY = int((b[1].get<double>() + b[3].get<double>()) / 2);
            for (const auto& [x, y] : {std::pair{x0, midY}, std::pair{midX, y1}}) {
                ++points;
                onAnalysed += matches(burned[size_t(index)], x, y, want);
                onSkipped += matches(burned[size_t(index) + 1], x, y, want);
            }
        }
    }
    std::cout << "burn-in edge points in the class colour: " << onAnalysed << " / " << points
              << " on analysed frames, " << onSkipped << " on the next (skipped) frames\n";
    ASSERT_GT(points, 20);
    EXPECT_GE(onAnalysed, points * 9 / 10);
    EXPECT_LE(onSkipped, points / 10);
    // A wrong extension is a usage error before any work.
    EXPECT_EQ(analyze({demoVideo().string(), "--burn-in", dir.file("x.avi").string()}, out, err),
              2);
    EXPECT_NE(err.find("x.avi"), std::string::npos) << err;
}

TEST(AnalyzeVtest, RunnerReportsProgressAndCancels) {
    ASSERT_TRUE(fs::exists(demoVideo())) << "missing " << demoVideo()
                                         << ": run packaging/fetch-demo.sh";
    auto det = Detector::load(modelPath().string());
    ASSERT_TRUE(det) << det.status().message();
    ResultsStore store;
    std::atomic<bool> cancel{false};
    AnalyzeOptions o;
    o.input = demoVideo().string();
    o.every = 10;
    int calls = 0;
    int64_t total = 0;
    auto r = runAnalyze(o, **det, store,
                        [&](const AnalyzeProgress& p) {
                            ++calls;
                            total = p.total;
                            if (p.analysed >= 3) cancel = true;
                        },
                        &cancel);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), StatusCode::Cancelled) << r.status().message();
    EXPECT_GE(calls, 1);
    EXPECT_EQ(total, 795);
    EXPECT_GE(store.size(), 3u);
    EXPECT_LT(store.size(), 80u);
    EXPECT_EQ(store.labels().size(), 80u);
}

// Two streams (a sibling detector on the same context, its own queue) analyse every frame once,
// with the results one stream gives; a cancel stops both.
TEST(AnalyzeVtest, TwoStreamsGiveTheResultsOfOne) {
    ASSERT_TRUE(fs::exists(demoVideo())) << "missing " << demoVideo()
                                         << ": run packaging/fetch-demo.sh";
    auto det = Detector::load(modelPath().string());
    ASSERT_TRUE(det) << det.status().message();
    auto sibling = (*det)->createSibling();
    ASSERT_TRUE(sibling) << sibling.status().message();
    EXPECT_EQ((*sibling)->compute(), (*det)->compute());
    EXPECT_EQ((*sibling)->storage(), (*det)->storage());
    AnalyzeOptions o;
    o.input = demoVideo().string();
    o.maxFrames = 40;
    ResultsStore one, two;
    ASSERT_TRUE(runAnalyze(o, **det, one));
    Detector* const both[] = {det->get(), sibling->get()};
    auto r = runAnalyze(o, both, two);
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->framesAnalysed, 40);
    EXPECT_GT((*sibling)->lastTimings().inferenceMs, 0) << "the second stream ran no frame";
    ASSERT_EQ(two.size(), 40u);
    int boxes = 0;
    for (int64_t i = 0; i < 40; ++i) {
        const auto a = one.at(i), b = two.at(i);
        ASSERT_TRUE(a && b) << "frame " << i;
        EXPECT_EQ(a->pts, b->pts);
        ASSERT_EQ(a->detections.size(), b->detections.size()) << "frame " << i;
        for (size_t k = 0; k < a->detections.size(); ++k, ++boxes) {
            const vision::Detection &x = a->detections[k], &y = b->detections[k];
            EXPECT_EQ(x.classId, y.classId);
            // Equal up to kernel choice (a sibling may tune a layer class the first did not).
            EXPECT_NEAR(x.score, y.score, 1e-4);
            EXPECT_NEAR(x.box.x1, y.box.x1, 0.05);
            EXPECT_NEAR(x.box.y1, y.box.y1, 0.05);
            EXPECT_NEAR(x.box.x2, y.box.x2, 0.05);
            EXPECT_NEAR(x.box.y2, y.box.y2, 0.05);
        }
    }
    EXPECT_GT(boxes, 40);

    std::atomic<bool> cancel{false};
    ResultsStore cancelled;
    o.maxFrames = -1;
    auto c = runAnalyze(o, both, cancelled,
                        [&](const AnalyzeProgress& p) {
                            if (p.analysed >= 4) cancel = true;
                        },
                        &cancel);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.status().code(), StatusCode::Cancelled) << c.status().message();
    EXPECT_LT(cancelled.size(), 60u);

    std::string out, err;
    EXPECT_EQ(analyze({demoVideo().string(), "--out", "x.json", "--streams", "0"}, out, err), 2);
    EXPECT_NE(err.find("--streams"), std::string::npos) << err;
}

TEST(AnalyzeBadInput, CorruptVideoMissingModelMalformedManifest) {
    sl::testing::TempDir dir("analyze-bad");
    std::string out, err;
    // Corrupt video: random bytes with a video extension.
    const fs::path corrupt = dir.file("corrupt.avi");
    {
        std::ofstream f(corrupt, std::ios::binary);
        std::mt19937 rng(7);
        for (int i = 0; i < 200000; ++i) f.put(char(rng()));
    }
    EXPECT_EQ(analyze({corrupt.string(), "--out", dir.file("r.json").string(), "--model",
                       modelPath().string()},
                      out, err),
              1);
    EXPECT_NE(err.find(corrupt.string()), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(dir.file("r.json")));

    // Missing model file, and a model name that is not installed.
    const std::string video = demoVideo().string();
    EXPECT_EQ(analyze({video, "--out", dir.file("r.json").string(), "--model",
                       dir.file("nope.onnx").string()},
                      out, err),
              1);
    EXPECT_NE(err.find("nope.onnx"), std::string::npos) << err;
    const char* oldXdg = std::getenv("XDG_DATA_HOME");
    const std::string saved = oldXdg ? oldXdg : "";
    ::setenv("XDG_DATA_HOME", dir.path().c_str(), 1);
    EXPECT_EQ(analyze({video, "--out", dir.file("r.json").string()}, out, err), 1);
    EXPECT_NE(err.find("'yolox-nano' is not installed"), std::string::npos) << err;
    if (oldXdg) ::setenv("XDG_DATA_HOME", saved.c_str(), 1);
    else ::unsetenv("XDG_DATA_HOME");

    // Malformed manifest beside the model.
    const fs::path model = dir.file("mine.onnx");
    fs::copy_file(modelPath(), model);
    std::ofstream(dir.file("mine.json")) << R"({"decoder": {"type": "yolox"}, "labels": [})";
    EXPECT_EQ(analyze({video, "--out", dir.file("r.json").string(), "--model", model.string()},
                      out, err),
              1);
    EXPECT_NE(err.find(dir.file("mine.json").string()), std::string::npos) << err;
    EXPECT_NE(err.find("not valid JSON"), std::string::npos) << err;

    // Usage errors.
    EXPECT_EQ(analyze({video}, out, err), 2);
    EXPECT_NE(err.find("no --out"), std::string::npos) << err;
    EXPECT_EQ(analyze({video, "--out", dir.file("r.txt").string()}, out, err), 2);
    EXPECT_EQ(analyze({video, "--out", dir.file("r.csv").string(), "--every", "0"}, out, err), 2);
}

}  // namespace
}  // namespace sl::pipeline
