#pragma once
// monitor.json: the sources `sightline monitor` (and later the monitoring wall) watches, and how.
// A documented, versioned JSON file (docs/monitor.md has the full reference):
//
//   {"version": 1,
//    "model": "yolox-nano", "threshold": 0.3, "classes": ["person", "car"],
//    "streams": 2, "batch": 1, "adaptive": true,
//    "open_timeout_s": 10, "read_timeout_s": 5,
//    "reconnect": {"initial_s": 0.5, "max_s": 30, "attempts": -1},
//    "clips": {"dir": "clips", "pre_s": 5, "post_s": 5, "quota_mb": 1024},
//    "sources": [
//      {"name": "door", "url": "rtsp://10.0.0.5/stream1", "transport": "tcp",
//       "target_fps": 10, "priority": 2,
//       "scene": "door-scene.json"  |  {"zones": [...], "lines": [...], "rules": [...]}},
//      {"name": "lobby", "url": "lobby.mp4", "loop": true}]}
//
// Every key but "version" and "sources" (and each source's "url") is optional. A local file is a
// simulated camera (played at its real-time pace; "loop" repeats it). Errors name the file and
// the JSON pointer of the bad value: "monitor: cams.json: /sources/1/target_fps: expected a
// number > 0". Unknown keys are refused the same way (a typo must not be silently ignored).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analytics/scene.h"
#include "core/status.h"
#include "media/live_source.h"

namespace sl::pipeline {

struct MonitorSourceConfig {
    std::string name;                 // unique; default: derived from the URL
    std::string url;
    std::string transport;            // RTSP: "tcp" | "udp"; empty: FFmpeg's default (tcp here)
    double targetFps = 0;             // 0: every frame
    double priority = 1;              // scheduler weight
    bool loop = true;                 // files only
    std::optional<analytics::Scene> scene;
};

// Event clips (pipeline/clip_recorder.h): on every alert, pre + post seconds of the source's
// video, remuxed, with a sidecar of its boxes, in one folder under a quota.
struct MonitorClipsConfig {
    std::filesystem::path dir;        // empty: no clips; relative in a file: to the file's folder
    double preSeconds = 5;
    double postSeconds = 5;
    double quotaMb = 1024;            // 0: no quota
};

struct MonitorConfig {
    static constexpr int kVersion = 1;
    std::string model;                // empty: the default detector
    double threshold = -1;            // < 0: the model's default
    std::vector<std::string> classes; // empty: all
    int streams = 0;                  // inference streams; 0: automatic
    int batch = 1;
    bool adaptive = true;
    double openTimeoutSeconds = 10;
    double readTimeoutSeconds = 5;
    media::ReconnectPolicy reconnect; // default: forever, 0.5 s doubling to 30 s
    MonitorClipsConfig clips;
    std::vector<MonitorSourceConfig> sources;
};

// sourceName names the file in errors. Scene files named by a source are read relative to
// baseDir.
Expected<MonitorConfig> parseMonitorConfig(const std::string& text, const std::string& sourceName,
                                           const std::filesystem::path& baseDir = {});
Expected<MonitorConfig> loadMonitorConfig(const std::filesystem::path& path);

// A source's name from its URL when none is given: the host and last path element
// ("rtsp://10.0.0.5/cam1" -> "10.0.0.5-cam1"), or a file's stem; made unique against `taken`.
std::string defaultSourceName(const std::string& url, const std::vector<std::string>& taken);

// The LiveSource options a source runs with.
media::LiveSourceOptions liveOptions(const MonitorConfig& config, const MonitorSourceConfig& s);

}  // namespace sl::pipeline
