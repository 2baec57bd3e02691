// monitor.json parsing (errors name the file and the JSON pointer) and `sightline monitor` run
// as a user would: the executable on a simulated camera with the default detector, stopped by
// SIGTERM; the recorded results must hold every frame once, in order, and agree with the
// summary it writes.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/monitor_config.h"
#include "support/child_process.h"
#include "support/video_generator.h"

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

TEST(MonitorConfig, ParsesEveryKey) {
    const std::string text = R"({
      "version": 1, "model": "yolox-nano", "threshold": 0.4, "classes": ["person", "car"],
      "streams": 2, "batch": 4, "adaptive": false, "open_timeout_s": 3, "read_timeout_s": 2,
      "reconnect": {"initial_s": 0.25, "max_s": 8, "attempts": 5},
      "sources": [
        {"name": "door", "url": "rtsp://10.0.0.5/stream1", "transport": "udp", "target_fps": 5,
         "priority": 2,
         "scene": {"lines": [{"name": "gate", "a": [0, 100], "b": [640, 100]}],
                   "rules": [{"name": "in", "kind": "line-cross", "target": "gate",
                              "direction": 1}]}},
        {"url": "lobby.mp4", "loop": false},
        {"url": "rtsp://user:pw@cam.local:8554/live/main?x=1"}]})";
    auto c = parseMonitorConfig(text, "cams.json");
    ASSERT_TRUE(c) << c.status().message();
    EXPECT_EQ(c->model, "yolox-nano");
    EXPECT_DOUBLE_EQ(c->threshold, 0.4);
    EXPECT_EQ(c->classes, (std::vector<std::string>{"person", "car"}));
    EXPECT_EQ(c->streams, 2);
    EXPECT_EQ(c->batch, 4);
    EXPECT_FALSE(c->adaptive);
    EXPECT_EQ(c->reconnect.initialDelay, 250ms);
    EXPECT_EQ(c->reconnect.maxDelay, 8000ms);
    EXPECT_EQ(c->reconnect.maxAttempts, 5);
    ASSERT_EQ(c->sources.size(), 3u);
    const auto& door = c->sources[0];
    EXPECT_EQ(door.name, "door");
    EXPECT_EQ(door.transport, "udp");
    EXPECT_DOUBLE_EQ(door.targetFps, 5);
    EXPECT_DOUBLE_EQ(door.priority, 2);
    ASSERT_TRUE(door.scene);
    ASSERT_EQ(door.scene->lines.size(), 1u);
    EXPECT_EQ(door.scene->rules[0].direction, 1);
    EXPECT_EQ(c->sources[1].name, "lobby");
    EXPECT_FALSE(c->sources[1].loop);
    EXPECT_EQ(c->sources[2].name, "cam.local-main");   // credentials and query left out

    const auto live = liveOptions(*c, door);
    EXPECT_EQ(live.open.avOptions.at("rtsp_transport"), "udp");
    EXPECT_EQ(live.openTimeout, 3000ms);
    EXPECT_EQ(live.readTimeout, 2000ms);
    EXPECT_FALSE(live.paceToRealTime);
    const auto file = liveOptions(*c, c->sources[1]);
    EXPECT_TRUE(file.paceToRealTime);
    EXPECT_FALSE(file.loop);
    EXPECT_EQ(file.reconnect.maxAttempts, 0);   // a file that ends has ended
}

TEST(MonitorConfig, ErrorsNameTheFileAndThePointer) {
    struct Case {
        const char* json;
        const char* message;
    };
    const Case cases[] = {
        {R"({"sources": [{"url": "a.mp4"}]})", "monitor: m.json: /version: missing"},
        {R"({"version": 2, "sources": [{"url": "a.mp4"}]})",
         "monitor: m.json: /version: version 2 is not supported"},
        {R"({"version": 1})", "monitor: m.json: /sources: missing"},
        {R"({"version": 1, "sources": []})", "monitor: m.json: /sources: expected a non-empty"},
        {R"({"version": 1, "sources": [{"name": "x"}]})", "monitor: m.json: /sources/0/url: missing"},
        {R"({"version": 1, "sources": [{"url": "a.mp4"}, {"url": "b.mp4", "target_fps": -1}]})",
         "monitor: m.json: /sources/1/target_fps: expected frames per second >= 0"},
        {R"({"version": 1, "sources": [{"url": "a.mp4", "name": "x"}, {"url": "b.mp4", "name": "x"}]})",
         "monitor: m.json: /sources/1/name: 'x' is already the name of another source"},
        {R"({"version": 1, "sources": [{"url": "a.mp4", "fps": 3}]})",
         "monitor: m.json: /sources/0/fps: unknown key"},
        {R"({"version": 1, "sources": [{"url": "a.mp4", "transport": "udp"}]})",
         "monitor: m.json: /sources/0/transport: only RTSP sources have a transport"},
        {R"({"version": 1, "streams": 0, "sources": [{"url": "a.mp4"}]})",
         "monitor: m.json: /streams: expected an integer in [1, 8]"},
        {R"({"version": 1, "reconnect": {"initial_s": 2, "max_s": 1}, "sources": [{"url": "a"}]})",
         "monitor: m.json: /reconnect/max_s: expected seconds >= initial_s"},
        {R"({"version": 1, "sources": [{"url": "a.mp4", "scene": {"zones": [{"name": "z",
            "polygon": [[0, 0], [1, 1]]}]}}]})",
         "analytics: m.json: /sources/0/scene/zones/0/polygon"},
        {"{\"version\": 1,\n \"sources\": [}", "monitor: m.json: line 2, column 14: not valid JSON"},
    };
    for (const Case& c : cases) {
        auto r = parseMonitorConfig(c.json, "m.json");
        ASSERT_FALSE(r) << c.json;
        EXPECT_EQ(r.status().code(), StatusCode::InvalidData) << c.json;
        EXPECT_EQ(r.status().message().rfind(c.message, 0), 0u)
            << "got: " << r.status().message() << "\nwant: " << c.message;
    }
}

// "clips": the folder relative to the config's own, the seconds and the quota as given; every
// bad value named by its pointer, unknown keys refused.
TEST(MonitorConfig, ClipsKeysAndTheirErrors) {
    auto c = parseMonitorConfig(
        R"({"version": 1, "clips": {"dir": "ev", "pre_s": 3, "post_s": 7.5, "quota_mb": 200},
            "sources": [{"url": "a.mp4"}]})",
        "m.json", "/cfg");
    ASSERT_TRUE(c) << c.status().message();
    EXPECT_EQ(c->clips.dir, std::filesystem::path("/cfg/ev"));
    EXPECT_DOUBLE_EQ(c->clips.preSeconds, 3);
    EXPECT_DOUBLE_EQ(c->clips.postSeconds, 7.5);
    EXPECT_DOUBLE_EQ(c->clips.quotaMb, 200);
    auto none = parseMonitorConfig(R"({"version": 1, "sources": [{"url": "a.mp4"}]})", "m.json");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->clips.dir.empty());
    const std::pair<const char*, const char*> bad[] = {
        {R"({"version": 1, "clips": 3, "sources": [{"url": "a"}]})",
         "monitor: m.json: /clips: expected an object"},
        {R"({"version": 1, "clips": {"dir": "c", "pre_s": -1}, "sources": [{"url": "a"}]})",
         "monitor: m.json: /clips/pre_s: expected seconds in [0, 600]"},
        {R"({"version": 1, "clips": {"dir": "c", "post_s": 601}, "sources": [{"url": "a"}]})",
         "monitor: m.json: /clips/post_s: expected seconds in [0, 600]"},
        {R"({"version": 1, "clips": {"dir": "c", "quota_mb": -5}, "sources": [{"url": "a"}]})",
         "monitor: m.json: /clips/quota_mb: expected megabytes >= 0"},
        {R"({"version": 1, "clips": {"dir": "c", "pre": 1}, "sources": [{"url": "a"}]})",
         "monitor: m.json: /clips/pre: unknown key"},
    };
    for (const auto& [json, message] : bad) {
        auto r = parseMonitorConfig(json, "m.json");
        ASSERT_FALSE(r) << json;
        EXPECT_EQ(r.status().message().rfind(message, 0), 0u)
            << "got: " << r.status().message() << "\nwant: " << message;
    }
}

TEST(MonitorConfig, SceneFileIsReadBesideTheConfig) {
    sl::testing::TempDir dir("monitor-config");
    {
        std::ofstream(dir.file("scene.json"))
            << R"({"version": 1, "zones": [{"name": "z", "polygon": [[0,0],[10,0],[10,10]]}]})";
        std::ofstream(dir.file("m.json"))
            << R"({"version": 1, "sources": [{"url": "a.mp4", "scene": "scene.json"},
                                             {"url": "b.mp4", "scene": "missing.json"}]})";
    }
    auto r = loadMonitorConfig(dir.file("m.json"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.status().message().find("/sources/1/scene: analytics: cannot read"),
              std::string::npos)
        << r.status().message();
    EXPECT_EQ(r.status().message().rfind("monitor: m.json: ", 0), 0u) << r.status().message();
}

#ifdef SL_SIGHTLINE_EXE

std::vector<nlohmann::json> readJsonLines(const fs::path& p) {
    std::vector<nlohmann::json> out;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
}

// Two simulated cameras (the same generated 25 fps video, looping) through the default
// detector. After three status lines the monitor gets SIGTERM: it must exit 0 within a few
// seconds, say it was stopped by the signal, and have recorded for each source one line per
// frame 0..n-1 (n = the summary's frame count), with detected + carried = n.
TEST(MonitorCli, RecordsEveryFrameAndStopsCleanlyOnSigterm) {
    sl::testing::TempDir dir("monitor-cli");
    sl::testing::VideoSpec spec;
    spec.path = dir.file("cam.mp4");
    spec.frames = 50;
    spec.fps = 25;
    spec.width = 320;
    spec.height = 240;
    ASSERT_TRUE(sl::testing::generateVideo(spec));
    const fs::path rec = dir.file("rec"), events = dir.file("events.jsonl");
    const std::string model = std::string(SL_SHARED_DIR) + "/models/yolox_nano.onnx";
    ASSERT_TRUE(fs::exists(model)) << "missing " << model;
    sl::testing::ChildProcess mon({SL_SIGHTLINE_EXE, "monitor", spec.path.string(),
                                   spec.path.string(), "--model", model, "--json", "--record",
                                   rec.string(), "--events", events.string()});
    ASSERT_TRUE(mon.started());
    int statuses = 0;
    while (statuses < 3) {
        auto line = mon.readLine(120s);   // the first one waits for the model to load
        ASSERT_TRUE(line) << mon.stderrText();
        auto j = nlohmann::json::parse(*line);
        if (j["type"] == "status") ++statuses;
    }
    EXPECT_EQ(mon.terminate(20s), 0) << mon.stderrText();
    std::ifstream in(rec / "summary.json");
    ASSERT_TRUE(in) << "no summary.json";
    nlohmann::json summary = nlohmann::json::parse(in);
    EXPECT_EQ(summary["stopped_by"], "signal");
    ASSERT_EQ(summary["sources"].size(), 2u);
    for (const auto& s : summary["sources"]) {
        const std::string name = s["source"];
        const int64_t n = s["frames"];
        EXPECT_GT(n, 10) << name;
        EXPECT_EQ(s["detected"].get<int64_t>() + s["skipped"].get<int64_t>() +
                      s["rate_limited"].get<int64_t>() + s["dropped"].get<int64_t>() +
                      s["failed"].get<int64_t>(),
                  n)
            << name;
        const auto lines = readJsonLines(rec / (name + ".results.jsonl"));
        ASSERT_EQ(int64_t(lines.size()), n) << name;
        int64_t detected = 0;
        for (size_t i = 0; i < lines.size(); ++i) {
            ASSERT_EQ(lines[i]["frame"].get<int64_t>(), int64_t(i)) << name;
            detected += lines[i]["detected"].get<bool>();
        }
        EXPECT_EQ(detected, s["detected"].get<int64_t>()) << name;
    }
    // The events file saw each source connect, go live and stop.
    int live = 0, stopped = 0;
    for (const auto& e : readJsonLines(events)) {
        if (e["type"] != "state") continue;
        live += e["state"] == "live";
        stopped += e["state"] == "stopped";
    }
    EXPECT_EQ(live, 2);
    EXPECT_EQ(stopped, 2);
}

// A bad config is refused before anything loads: exit 2, the message names file and pointer.
TEST(MonitorCli, BadConfigIsRefusedWithItsPointer) {
    sl::testing::TempDir dir("monitor-cli");
    std::ofstream(dir.file("bad.json"))
        << R"({"version": 1, "sources": [{"url": "a.mp4", "priority": 0}]})";
    sl::testing::ChildProcess mon(
        {SL_SIGHTLINE_EXE, "monitor", "--config", dir.file("bad.json").string()});
    ASSERT_TRUE(mon.started());
    EXPECT_FALSE(mon.readLine(20s));   // nothing on stdout; it exits
    EXPECT_EQ(mon.terminate(5s), 2);
    EXPECT_NE(mon.stderrText().find("monitor: bad.json: /sources/0/priority: expected a weight"),
              std::string::npos)
        << mon.stderrText();
}

#endif

}  // namespace
}  // namespace sl::pipeline
