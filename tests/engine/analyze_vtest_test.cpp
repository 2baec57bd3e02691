// `sightline analyze` on the demo video (OpenCV's vtest.avi: pedestrians on a square, fetched by
// packaging/fetch-demo.sh; FAILS when missing) and on bad input. To keep the suite fast on CI's
// two cores it analyses every 5th of the first 200 frames (40 inferences); the bench covers the
// whole video.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "pipeline/analyze_runner.h"
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
