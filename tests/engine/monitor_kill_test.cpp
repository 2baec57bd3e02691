// `sightline monitor --clips` killed with SIGKILL while a clip is being written (issue 15: "a
// clip write interrupted by kill -9 leaves no broken file"). The real executable watches a
// generated simulated camera in which a person crosses a line once per loop (4 s), with pre 1 s
// and post 1 s, so a clip is in its temporary for about a second of every loop. Once at least one
// clip is finished and the next one's temporary exists, the monitor is killed; then: no video
// under a final name is partial (each decodes completely, its frame count from FFmpeg equal to
// its sidecar's and to the "clip" line the monitor printed), the killed clip's final name does not
// exist, and the next `monitor` start on the same folder removes the dead process's temporary.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "media/media_source.h"
#include "support/child_process.h"
#include "support/crossing_video.h"

#ifdef SL_SIGHTLINE_EXE

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using json = nlohmann::json;

bool isTemporary(const fs::path& p) {
    const std::string n = p.filename().string();
    return !n.empty() && n[0] == '.' && n.find(".mp4.tmp-") != std::string::npos;
}

std::vector<fs::path> files(const fs::path& dir, bool temporaries) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (isTemporary(e.path()) == temporaries &&
            (temporaries || e.path().extension() == ".mp4"))
            out.push_back(e.path());
    return out;
}

// The final name a temporary ".<name>.tmp-<host>-<pid>-<n>" stands for.
fs::path targetOf(const fs::path& temp) {
    const std::string n = temp.filename().string();
    return temp.parent_path() / n.substr(1, n.find(".tmp-") - 1);
}

int64_t decodedFrames(const fs::path& video, std::string& error) {
    media::MediaSource src;
    media::OpenOptions o;
    o.url = video.string();
    if (Status st = src.open(o); !st) {
        error = st.message();
        return -1;
    }
    int64_t n = 0;
    while (src.readFrame()) ++n;
    return n;
}

TEST(MonitorKill, KilledMidClipLeavesNoBrokenClipAndTheNextStartCleansUp) {
    const std::string model = std::string(SL_SHARED_DIR) + "/models/yolox_nano.onnx";
    ASSERT_TRUE(fs::exists(model)) << "missing " << model;
    sl::testing::TempDir dir("monitor-kill");
    auto video = sl::testing::makeCrossingVideo(dir);
    ASSERT_TRUE(video) << video.status().message();
    const fs::path clips = dir.file("clips");
    {
        std::ofstream cfg(dir.file("monitor.json"));
        cfg << R"({"version": 1, "sources": [{"name": "cam", "url": ")" << video->string()
            << R"(", "loop": true, "scene": {
              "lines": [{"name": "gate", "a": [320, 400], "b": [320, 0], "classes": ["person"]}],
              "rules": [{"name": "in", "kind": "line-cross", "target": "gate",
                         "classes": ["person"], "direction": 1, "cooldown_seconds": 0}]}}]})";
    }
    const std::vector<std::string> argv = {
        SL_SIGHTLINE_EXE, "monitor", "--config", dir.file("monitor.json").string(), "--model",
        model, "--json", "--clips", clips.string(), "--clip-pre", "1", "--clip-post", "1"};

    std::map<std::string, int64_t> printedFrames;   // clip path -> frames, from the "clip" lines
    fs::path killedTemp;
    {
        sl::testing::ChildProcess mon(argv);
        ASSERT_TRUE(mon.started());
        const auto deadline = std::chrono::steady_clock::now() + 240s;   // the model loads first
        while (std::chrono::steady_clock::now() < deadline) {
            // Its stdout ("clip" lines say which clips are finished); the wait for a line is the
            // polling period (a clip is in its temporary for about a second).
            while (auto line = mon.readLine(10ms)) {
                const json j = json::parse(*line, nullptr, false);
                if (j.is_object() && j.value("type", "") == "clip")
                    printedFrames[j["path"].get<std::string>()] = j["frames"].get<int64_t>();
            }
            ASSERT_TRUE(mon.running()) << mon.stderrText();
            const auto temps = files(clips, true);
            if (!printedFrames.empty() && !temps.empty()) {
                mon.kill();   // SIGKILL: no handler, no flush, no rename
                killedTemp = temps.front();
                break;
            }
        }
        ASSERT_FALSE(killedTemp.empty())
            << "no clip was in progress after a finished one; clips printed: "
            << printedFrames.size() << "\n" << mon.stderrText();
    }

    // The temporary is left, its final name is not there.
    ASSERT_TRUE(fs::exists(killedTemp)) << killedTemp;
    EXPECT_FALSE(fs::exists(targetOf(killedTemp))) << targetOf(killedTemp);
    // Every video under a final name is complete: it decodes to the end, with the frame count of
    // its sidecar (and of the monitor's "clip" line, for those whose line was read).
    const auto finished = files(clips, false);
    ASSERT_FALSE(finished.empty());
    for (const fs::path& v : finished) {
        std::string error;
        const int64_t n = decodedFrames(v, error);
        ASSERT_GT(n, 0) << v << ": " << error;
        fs::path side = v;
        side.replace_extension(".json");
        std::ifstream in(side);
        ASSERT_TRUE(in) << "no sidecar for " << v;
        const json s = json::parse(in);
        EXPECT_EQ(s["frame_count"].get<int64_t>(), n) << v;
        EXPECT_EQ(int64_t(s["frames"].size()), n) << v;
        if (auto it = printedFrames.find(v.string()); it != printedFrames.end()) {
            EXPECT_EQ(it->second, n) << v;
        }
        // pre 1 s back to a keyframe (10 frames at 25 fps) + post 1 s: 50 to 60 frames.
        EXPECT_GE(n, 50) << v;
        EXPECT_LE(n, 60) << v;
    }
    for (const auto& [path, frames] : printedFrames) EXPECT_TRUE(fs::exists(path)) << path;

    // The next start opens the same folder: the dead writer's temporary goes, the clips stay.
    {
        sl::testing::ChildProcess mon(argv);
        ASSERT_TRUE(mon.started());
        bool gone = false;
        for (int i = 0; i < 2000 && !gone; ++i) {
            gone = !fs::exists(killedTemp);
            if (!gone) std::this_thread::sleep_for(10ms);
        }
        EXPECT_TRUE(gone) << killedTemp << " is still there\n" << mon.stderrText();
        // It runs on: its first line comes once the model is up (SIGTERM then stops it
        // cleanly; before, it has no handler yet).
        EXPECT_TRUE(mon.readLine(120s)) << mon.stderrText();
        EXPECT_EQ(mon.terminate(20s), 0) << mon.stderrText();
    }
    for (const fs::path& v : finished) EXPECT_TRUE(fs::exists(v)) << v;
}

}  // namespace
}  // namespace sl::pipeline

#endif
