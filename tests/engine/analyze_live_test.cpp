// `sightline analyze` on a live source (GStreamer's RTSP server on 127.0.0.1, started and killed
// here): a stream that ends or whose server dies mid-run is an error with a message and a
// non-zero exit, never a clean end (the new user's report: "stopped after 113 frames with exit
// code 0 and no message"); with a reconnect policy the run survives the server's restart and
// stores every frame once. Every 5th frame is analysed to keep the suite fast on CI's two cores.
// FAILS when the model or the RTSP server's packages (packaging/debian-packages.txt) are missing.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/analyze_runner.h"
#include "support/live_servers.h"
#include "support/video_generator.h"

namespace sl::cli {
int runAnalyze(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

std::string clip(const sl::testing::TempDir& dir, const std::string& name, int frames) {
    sl::testing::VideoSpec spec;
    spec.path = dir.file(name);
    spec.frames = frames;
    spec.gopSize = 10;
    spec.width = 160;
    spec.height = 128;
    auto v = sl::testing::generateVideo(spec);
    EXPECT_TRUE(v) << v.status().message();
    return spec.path.string();
}

// The stream the server plays to its end (an RTCP BYE) is a live stream ending: exit 1, said so.
TEST(AnalyzeLive, RtspStreamEndIsAnErrorNotACleanEnd) {
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    sl::testing::TempDir dir("analyze-live");
    sl::testing::RtspServer server(clip(dir, "short.mp4", 40));
    ASSERT_TRUE(server.ok()) << server.error();
    const std::vector<std::string> args = {server.url(), "--out", dir.file("r.json").string(),
                                           "--model", modelPath().string(), "--every", "5",
                                           "--live-timeout", "1"};
    std::ostringstream out, err;
    const int rc = sl::cli::runAnalyze(args, out, err);
    EXPECT_EQ(rc, 1) << out.str() << err.str();
    EXPECT_NE(err.str().find("live stream '" + server.url() + "' ended after"), std::string::npos)
        << err.str();
    // What was analysed before the loss is written all the same (a camera cannot be replayed).
    EXPECT_NE(err.str().find("frames analysed before that to " + dir.file("r.json").string()),
              std::string::npos)
        << err.str();
    std::ifstream in(dir.file("r.json"));
    ASSERT_TRUE(in) << "no partial results";
    const auto j = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["source"], server.url());
    ASSERT_TRUE(j["frames"].is_array());
    // The server played its 40 frames; every 5th was analysed (frame 0, 5, ... 35).
    EXPECT_EQ(j["frames"].size(), 8u) << j.dump();
    EXPECT_EQ(j["summary"]["frames_analysed"], j["frames"].size());
    EXPECT_EQ(j["summary"]["frames_decoded"], 40);
    for (const auto& f : j["frames"]) EXPECT_EQ(f["frame"].get<int64_t>() % 5, 0) << f.dump();
}

// --reconnect N on a camera that is down: the verb does not fail at its probe, the supervisor
// tries N more times, then the run fails naming the stream and the attempts.
TEST(AnalyzeLive, CameraDownGivesUpAfterTheAttemptsAsked) {
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    sl::testing::TempDir dir("analyze-live");
    const std::string url =
        "rtsp://127.0.0.1:" + std::to_string(sl::testing::freeLoopbackPort(false)) + "/cam";
    std::ostringstream out, err, out2, err2;
    EXPECT_EQ(sl::cli::runAnalyze(std::vector<std::string>{url, "--out",
                                                           dir.file("r.json").string(),
                                                           "--reconnect", "sometimes"},
                                  out2, err2),
              2);
    EXPECT_NE(err2.str().find("--reconnect needs"), std::string::npos) << err2.str();
    const std::vector<std::string> args = {url, "--out", dir.file("r.json").string(), "--model",
                                           modelPath().string(), "--reconnect", "1"};
    EXPECT_EQ(sl::cli::runAnalyze(args, out, err), 1) << out.str() << err.str();
    EXPECT_NE(err.str().find("Connection refused; reconnecting"), std::string::npos) << err.str();
    EXPECT_NE(err.str().find("live source '" + url + "' failed"), std::string::npos) << err.str();
    EXPECT_NE(err.str().find("gave up after 1 reconnect attempt"), std::string::npos)
        << err.str();
    EXPECT_FALSE(fs::exists(dir.file("r.json")));
}

// The server killed mid-run: the runner fails with the reason, after the frames it had.
TEST(AnalyzeLive, RtspServerKilledMidRunFailsWithTheReason) {
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    sl::testing::TempDir dir("analyze-live");
    sl::testing::RtspServer server(clip(dir, "long.mp4", 500));
    ASSERT_TRUE(server.ok()) << server.error();
    auto det = Detector::load(modelPath().string());
    ASSERT_TRUE(det) << det.status().message();
    AnalyzeOptions o;
    o.input = server.url();
    o.every = 5;
    ResultsStore store;
    std::atomic<bool> killed{false};
    auto r = runAnalyze(o, **det, store, [&](const AnalyzeProgress& p) {
        if (p.decoded >= 30 && !killed.exchange(true)) server.kill();
    });
    ASSERT_TRUE(killed);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), StatusCode::Io) << r.status().message();
    EXPECT_NE(r.status().message().find("ended after"), std::string::npos)
        << r.status().message();
    EXPECT_GE(store.size(), 6u);
}

// With a reconnect policy the run goes on over the server's restart: every frame of the run is
// decoded and stored once (the supervisor numbers frames on across the reconnect).
TEST(AnalyzeLive, ReconnectsOverAServerRestartAndCountsEachFrameOnce) {
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    sl::testing::TempDir dir("analyze-live");
    sl::testing::RtspServer server(clip(dir, "long.mp4", 500));
    ASSERT_TRUE(server.ok()) << server.error();
    auto det = Detector::load(modelPath().string());
    ASSERT_TRUE(det) << det.status().message();
    AnalyzeOptions o;
    o.input = server.url();
    o.every = 5;
    o.maxFrames = 80;
    o.reconnect = media::ReconnectPolicy{};
    o.reconnect->initialDelay = 100ms;
    o.reconnect->maxDelay = 300ms;
    o.liveReadTimeout = 1s;
    ResultsStore store;
    std::atomic<bool> killed{false};
    std::thread restarter;
    auto r = runAnalyze(o, **det, store, [&](const AnalyzeProgress& p) {
        if (p.decoded >= 30 && !killed.exchange(true)) {
            server.kill();
            restarter = std::thread([&] {
                std::this_thread::sleep_for(500ms);
                server.restart();
            });
        }
    });
    if (restarter.joinable()) restarter.join();
    ASSERT_TRUE(killed);
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->framesDecoded, 80);
    // One result per analysed frame: an index given twice would have overwritten one. Live
    // frames the busy model could not take were dropped (and logged), so the indices of the
    // 80 decoded frames may reach past 80 and the analysed count is not exactly 80 / 5.
    EXPECT_EQ(int64_t(store.size()), r->framesAnalysed);
    EXPECT_GE(r->framesAnalysed, 5);
    EXPECT_LE(r->framesAnalysed, r->framesDecoded);
}

}  // namespace
}  // namespace sl::pipeline
