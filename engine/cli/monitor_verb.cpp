// `sightline monitor SRC... [--config monitor.json] [--events events.jsonl] [--record DIR]

#include "core/utc_time.h"
//  [--duration S] [--json]`: many live sources (RTSP, HTTP, UDP/TCP MPEG-TS, V4L2, or files
// played as simulated cameras) on one device, with detection, tracking, zones and lines
// (pipeline/monitor.h). On a terminal a status table is redrawn in place twice a second (per
// source: state, fps in / analysed, carried frames, latency, the reason of a non-live state);
// --json prints JSON lines instead (status every second, every state change, event and alert,
// and a summary at the end). SIGINT / SIGTERM (or --duration) stop every source, flush the
// files and print the summary; exit 0, or 1 when every source failed for good.
//
// --events FILE: JSON lines of state changes, analytics events and rule alerts
// (analytics::alertJsonLine), flushed per line.
// --record DIR: per source DIR/<name>.results.jsonl (every frame: detected or carried, the
// tracked objects with ids and boxes in source pixels), flushed per line, and DIR/summary.json
// (written atomically at the end).
// --clips DIR [--clip-pre S] [--clip-post S] [--clip-quota MB]: on every alert, an event clip
// of the source (pre + post seconds, remuxed to MP4 without re-encoding) and its sidecar JSON
// (the alerts, the boxes of its frames) in DIR, oldest deleted first above the quota
// (pipeline/clip_recorder.h); each clip is an event line {"type": "clip", "path", ...}.
// Details in docs/monitor.md.

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/detector_args.h"
#include "core/atomic_file.h"
#include "core/log.h"
#include "analytics/rule_engine.h"
#include "pipeline/clip_recorder.h"
#include "pipeline/clip_store.h"
#include "pipeline/monitor.h"

namespace sl::cli {

namespace {

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage =
    "sightline monitor SRC... [--config monitor.json] [--events events.jsonl] [--record DIR]\n"
    "                  [--duration S] [--json] [--target-fps F] [--no-loop] [--no-adaptive]\n"
    "                  [--streams N] [--batch N] [--model M] [--threshold T] [--classes a,b]\n"
    "                  [--clips DIR] [--clip-pre S] [--clip-post S] [--clip-quota MB]\n"
    "  SRC: rtsp://, http(s)://, udp://, tcp://, /dev/videoN, or a file (a simulated camera\n"
    "  that loops). --config adds the sources, zones, lines and rules of a monitor.json\n"
    "  (docs/monitor.md).";

volatile std::sig_atomic_t gStop = 0;
extern "C" void onStopSignal(int) { gStop = 1; }

std::string wallTime() { return utcTimestamp(std::chrono::system_clock::now()); }

double round2(double v) { return std::round(v * 100) / 100; }

json statusJson(const pipeline::SourceStatus& s) {
    json j;
    j["source"] = s.name;
    j["state"] = media::liveStateName(s.live.state);
    j["reason"] = s.live.reason;
    j["frames"] = s.frames;
    j["detected"] = s.detected;
    j["skipped"] = s.skipped;
    j["rate_limited"] = s.rateLimited;
    j["dropped"] = s.dropped;
    j["failed"] = s.failed;
    j["fps_in"] = round2(s.inFps);
    j["fps_analysed"] = round2(s.analysedFps);
    j["latency_p50_ms"] = round2(s.latencyP50Ms);
    j["latency_p95_ms"] = round2(s.latencyP95Ms);
    j["stride"] = s.stride;
    j["events"] = s.events;
    j["alerts"] = s.alerts;
    j["sessions"] = s.live.stats.sessions;
    j["reconnects"] = s.live.stats.reconnects;
    if (!s.lastError.empty()) j["last_error"] = s.lastError;
    return j;
}

// One line per source: fixed columns, the reason cut to the terminal's width.
std::string tableText(const std::vector<pipeline::SourceStatus>& all,
                      const pipeline::SchedulerStats& sched, double elapsed) {
    std::string out;
    char line[512];
    std::snprintf(line, sizeof line,
                  "sightline monitor  %.0f s  device %.1f ms/frame x %d streams (%.0f fps), load "
                  "level %d\n",
                  elapsed, sched.frameMs, sched.streams, sched.capacityFps, sched.level);
    out += line;
    std::snprintf(line, sizeof line, "%-18s %-12s %7s %9s %8s %8s %9s %9s %7s  %s\n", "SOURCE",
                  "STATE", "FPS IN", "ANALYSED", "CARRIED", "DROPPED", "P50 MS", "P95 MS",
                  "ALERTS", "REASON");
    out += line;
    for (const auto& s : all) {
        std::string reason =
            s.live.state == media::LiveState::Live ? std::string() : s.live.reason;
        if (reason.size() > 40) reason = reason.substr(0, 37) + "...";
        const int64_t carried = s.skipped + s.rateLimited + s.dropped + s.failed;
        std::snprintf(line, sizeof line,
                      "%-18.18s %-12s %7.1f %9.1f %8lld %8lld %9.0f %9.0f %7lld  %s\n",
                      s.name.c_str(), media::liveStateName(s.live.state), s.inFps, s.analysedFps,
                      static_cast<long long>(carried), static_cast<long long>(s.dropped),
                      s.latencyP50Ms, s.latencyP95Ms, static_cast<long long>(s.alerts),
                      reason.c_str());
        out += line;
    }
    return out;
}

// Writes one JSON line to a FILE and flushes it (a killed monitor loses at most the line being
// written).
class LineFile {
public:
    LineFile() = default;
    ~LineFile() {
        if (f_) std::fclose(f_);
    }
    Status open(const std::filesystem::path& p) {
        f_ = std::fopen(p.c_str(), "we");
        if (!f_) return Status(StatusCode::Io, "monitor: cannot write '" + p.string() + "'");
        return {};
    }
    void write(const json& j) { writeLine(j.dump()); }
    void writeLine(const std::string& line) {
        if (!f_) return;
        const std::string s = line + "\n";
        std::lock_guard lock(m_);
        std::fwrite(s.data(), 1, s.size(), f_);
        std::fflush(f_);
    }
    explicit operator bool() const { return f_ != nullptr; }

private:
    std::FILE* f_ = nullptr;
    std::mutex m_;
};

}  // namespace

int runMonitor(std::span<const std::string> args) {
    DetectorArgs d;
    std::vector<std::string> urls;
    std::string configPath, eventsPath, recordDir, clipsDir;
    double duration = 0, targetFps = 0, clipPre = -1, clipPost = -1, clipQuota = -1;
    bool jsonOut = false, loop = true, adaptive = true;
    int streams = 0, batch = 0;
    const auto usage = [&](const std::string& problem) {
        std::fprintf(stderr, "sightline monitor: %s\nusage: %s\n", problem.c_str(), kUsage);
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string problem;
        if (const int r = parseDetectorArg(args, i, d, problem); r < 0) return usage(problem);
        else if (r > 0) continue;
        const bool hasValue = i + 1 < args.size();
        auto value = [&](const char* what) -> const std::string* {
            if (!hasValue) return nullptr;
            (void)what;
            return &args[++i];
        };
        auto number = [&](double& out, double lo) -> bool {
            const std::string* v = value("");
            if (!v) return false;
            char* end = nullptr;
            out = std::strtod(v->c_str(), &end);
            return end && *end == 0 && out >= lo && std::isfinite(out);
        };
        if (a == "-h" || a == "--help") {
            std::printf("usage: %s\n", kUsage);
            return kExitOk;
        } else if (a == "--json") {
            jsonOut = true;
        } else if (a == "--no-loop") {
            loop = false;
        } else if (a == "--no-adaptive") {
            adaptive = false;
        } else if (a == "--config" || a == "--events" || a == "--record" || a == "--clips") {
            const std::string* v = value(a.c_str());
            if (!v || v->empty()) return usage(a + " needs a path");
            (a == "--config" ? configPath
             : a == "--events" ? eventsPath
             : a == "--record" ? recordDir
                               : clipsDir) = *v;
        } else if (a == "--clip-pre" || a == "--clip-post") {
            double& out = a == "--clip-pre" ? clipPre : clipPost;
            if (!number(out, 0) || out > 600) return usage(a + " needs seconds in [0, 600]");
        } else if (a == "--clip-quota") {
            if (!number(clipQuota, 0)) return usage("--clip-quota needs megabytes >= 0 (0: none)");
        } else if (a == "--duration") {
            if (!number(duration, 0.001)) return usage("--duration needs seconds > 0");
        } else if (a == "--target-fps") {
            if (!number(targetFps, 0)) return usage("--target-fps needs frames per second >= 0");
        } else if (a == "--streams" || a == "--batch") {
            double n = 0;
            if (!number(n, 1) || n > 16 || n != std::floor(n))
                return usage(a + " needs an integer in [1, 16]");
            (a == "--streams" ? streams : batch) = static_cast<int>(n);
        } else if (!a.empty() && a[0] == '-' && a != "-") {
            return usage("unknown option " + a);
        } else {
            urls.push_back(a);
        }
    }

    // State changes are in the table / the JSON lines; the media layer's own info lines would
    // scroll the table away. SIGHTLINE_LOG=debug still shows everything.
    if (!std::getenv("SIGHTLINE_LOG")) setLogLevel(LogLevel::Warning);

    pipeline::MonitorConfig config;
    if (!configPath.empty()) {
        auto c = pipeline::loadMonitorConfig(configPath);
        if (!c) {
            std::fprintf(stderr, "sightline monitor: %s\n", c.status().message().c_str());
            return kExitUsage;
        }
        config = std::move(*c);
    }
    for (const std::string& u : urls) {
        pipeline::MonitorSourceConfig s;
        s.url = u;
        std::vector<std::string> taken;
        for (const auto& e : config.sources) taken.push_back(e.name);
        s.name = pipeline::defaultSourceName(u, taken);
        s.loop = loop;
        s.targetFps = targetFps;
        config.sources.push_back(std::move(s));
    }
    if (config.sources.empty()) return usage("no source (give URLs, files or --config)");
    if (!loop)
        for (auto& s : config.sources) s.loop = false;
    if (!adaptive) config.adaptive = false;
    if (batch > 0) config.batch = batch;
    if (streams > 0) config.streams = streams;
    if (!clipsDir.empty()) config.clips.dir = clipsDir;
    if (clipPre >= 0) config.clips.preSeconds = clipPre;
    if (clipPost >= 0) config.clips.postSeconds = clipPost;
    if (clipQuota >= 0) config.clips.quotaMb = clipQuota;
    if (config.clips.dir.empty() && (clipPre >= 0 || clipPost >= 0 || clipQuota >= 0))
        return usage("--clip-pre, --clip-post and --clip-quota need --clips DIR (or \"clips\" in "
                     "the config)");
    if (!config.model.empty() && d.model == models::kDefaultModel) d.model = config.model;
    if (config.threshold >= 0 && d.options.settings.confidence < 0)
        d.options.settings.confidence = static_cast<float>(config.threshold);
    if (!config.classes.empty() && d.classes.empty())
        for (const auto& c : config.classes) d.classes += (d.classes.empty() ? "" : ",") + c;

    // Files first: a typo in a path must not cost a model load (a missing file is not a camera
    // that may come back).
    for (const auto& s : config.sources)
        if (!media::looksLive(s.url) && !std::filesystem::exists(s.url)) {
            std::fprintf(stderr, "sightline monitor: %s: '%s': no such file\n", s.name.c_str(),
                         s.url.c_str());
            return kExitUsage;
        }
    LineFile events;
    if (!eventsPath.empty())
        if (Status st = events.open(eventsPath); !st) {
            std::fprintf(stderr, "sightline monitor: %s\n", st.message().c_str());
            return kExitFailure;
        }
    std::map<std::string, std::unique_ptr<LineFile>> records;
    if (!recordDir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(recordDir, ec);
        for (const auto& s : config.sources) {
            auto f = std::make_unique<LineFile>();
            if (Status st = f->open(std::filesystem::path(recordDir) / (s.name + ".results.jsonl"));
                !st) {
                std::fprintf(stderr, "sightline monitor: %s\n", st.message().c_str());
                return kExitFailure;
            }
            records.emplace(s.name, std::move(f));
        }
    }

    // The clips folder before the model: a folder that cannot be made is a bad command line.
    std::unique_ptr<pipeline::ClipStore> clipStore;
    if (!config.clips.dir.empty()) {
        clipStore = std::make_unique<pipeline::ClipStore>(
            config.clips.dir, static_cast<int64_t>(config.clips.quotaMb * 1024 * 1024));
        if (Status st = clipStore->open(); !st) {
            std::fprintf(stderr, "sightline monitor: %s\n", st.message().c_str());
            return kExitFailure;
        }
    }

    const int streamCount = config.streams > 0 ? config.streams : 2;
    // Batch N: the detector loads a batch-N session beside its batch-1 one (refused, naming the
    // node, for a model that is not batch-agnostic).
    d.options.batch = config.batch;
    auto loaded = loadDetectorStreams(d, streamCount);
    if (!loaded) {
        std::fprintf(stderr, "sightline monitor: %s\n", loaded.status().message().c_str());
        return kExitFailure;
    }
    const std::vector<std::string> labels = loaded->first->manifest().labels;
    auto label = [&](int c) {
        return c >= 0 && size_t(c) < labels.size() ? labels[size_t(c)] : std::to_string(c);
    };

    std::mutex outMutex;   // stdout lines from callbacks and the main loop
    std::string lastAlert; // under outMutex
    const bool tty = !jsonOut && ::isatty(1) == 1;

    // Declared before the monitor: its sources call into them until it is destroyed.
    std::map<std::string, std::unique_ptr<pipeline::ClipRecorder>> clipRecorders;
    int64_t clipsWritten = 0, clipErrors = 0;   // under outMutex
    const auto onClip = [&](const pipeline::ClipReport& c) {
        json j;
        j["type"] = c.status ? "clip" : "clip-error";
        j["wall_time"] = wallTime();
        j["source"] = c.source;
        j["alerts"] = c.rules;
        if (c.status) {
            j["path"] = c.video.string();
            j["sidecar"] = c.sidecar.string();
            j["frames"] = c.frames;
            j["duration_s"] = round2(c.seconds);
            j["bytes"] = c.bytes;
            j["write_ms"] = round2(c.writeMs);
            j["end"] = c.endReason;
            if (c.truncated) j["truncated"] = true;
            if (!c.deletedByQuota.empty()) {
                j["deleted"] = json::array();
                for (const auto& p : c.deletedByQuota) j["deleted"].push_back(p.string());
            }
        } else {
            j["error"] = c.status.message();
        }
        events.write(j);
        std::lock_guard lock(outMutex);
        ++(c.status ? clipsWritten : clipErrors);
        if (jsonOut) std::printf("%s\n", j.dump().c_str());
        else if (!tty && c.status)
            std::printf("%s CLIP %s: %s (%lld frames, %.1f s)\n", wallTime().c_str(),
                        c.source.c_str(), c.video.string().c_str(),
                        static_cast<long long>(c.frames), c.seconds);
        else if (!tty)
            std::printf("%s CLIP %s: %s\n", wallTime().c_str(), c.source.c_str(),
                        c.status.message().c_str());
        std::fflush(stdout);
    };
    if (clipStore)
        for (const auto& s : config.sources) {
            pipeline::ClipRecorderOptions o;
            o.source = s.name;
            o.preSeconds = config.clips.preSeconds;
            o.postSeconds = config.clips.postSeconds;
            o.labels = labels;
            clipRecorders.emplace(
                s.name, std::make_unique<pipeline::ClipRecorder>(*clipStore, o, onClip));
        }
    pipeline::SourcePipelineCallbacks cb;
    cb.onState = [&](const std::string& name, const media::LiveSnapshot& s) {
        json j;
        j["type"] = "state";
        j["wall_time"] = wallTime();
        j["source"] = name;
        j["state"] = media::liveStateName(s.state);
        j["reason"] = s.reason;
        events.write(j);
        if (jsonOut) {
            std::lock_guard lock(outMutex);
            std::printf("%s\n", j.dump().c_str());
            std::fflush(stdout);
        } else if (!tty) {
            std::lock_guard lock(outMutex);
            std::printf("%s %s: %s (%s)\n", wallTime().c_str(), name.c_str(),
                        media::liveStateName(s.state), s.reason.c_str());
            std::fflush(stdout);
        }
    };
    if (!clipRecorders.empty())
        cb.onPacket = [&](const std::string& name, const media::LivePacket& p) {
            if (auto it = clipRecorders.find(name); it != clipRecorders.end())
                it->second->onPacket(p);
        };
    cb.onResult = [&](const pipeline::SourceFrameResult& r) {
        if (auto it = records.find(r.source); it != records.end()) {
            json j;
            j["frame"] = r.frameIndex;
            j["pts"] = r.pts;
            j["seconds"] = r.seconds;
            j["session"] = r.session;
            j["detected"] = r.detected;
            json objs = json::array();
            for (const auto& o : r.objects)
                objs.push_back({{"id", o.trackId}, {"class", o.classId},
                                {"label", label(o.classId)}, {"score", round2(o.score * 100) / 100},
                                {"box", {round2(o.box.x1), round2(o.box.y1), round2(o.box.x2),
                                         round2(o.box.y2)}}});
            j["objects"] = std::move(objs);
            j["latency_ms"] = round2(r.latencyMs);
            it->second->write(j);
        }
        for (const auto& e : r.events) {
            json j;
            j["type"] = "event";
            j["wall_time"] = wallTime();
            j["source"] = r.source;
            j["kind"] = analytics::eventKindName(e.kind);
            j["target"] = e.target;
            j["track_id"] = e.trackId;
            j["label"] = e.label;
            j["frame"] = e.frameIndex;
            j["seconds"] = e.seconds;
            if (e.kind == analytics::EventKind::LineCross)
                j["direction"] = e.direction > 0 ? "A->B" : "B->A";
            if (e.dwellSeconds > 0) j["dwell_s"] = round2(e.dwellSeconds);
            events.write(j);
            if (jsonOut) {
                std::lock_guard lock(outMutex);
                std::printf("%s\n", j.dump().c_str());
            }
        }
        for (const auto& a : r.alerts) {
            // The analytics alert line ("time" is the stream's seconds), plus when it fired.
            json aj = json::parse(analytics::alertJsonLine(a, r.source));
            aj["wall_time"] = wallTime();
            const std::string line = aj.dump();
            events.writeLine(line);
            std::lock_guard lock(outMutex);
            lastAlert = r.source + ": " + a.severity + ": " + a.message;
            if (jsonOut) std::printf("%s\n", line.c_str());
            else if (!tty) std::printf("%s ALERT %s\n", wallTime().c_str(), lastAlert.c_str());
        }
        // After the alert lines: the clip's event line comes when the clip is written.
        if (auto it = clipRecorders.find(r.source); it != clipRecorders.end())
            it->second->onResult(r);
    };

    pipeline::SchedulerOptions so;
    so.maxBatch = config.batch;
    so.adaptive = config.adaptive;
    pipeline::Monitor monitor(pipeline::detectorStreams(loaded->all), so, labels, std::move(cb));
    for (const auto& s : config.sources)
        if (Status st = monitor.add(config, s); !st) {
            std::fprintf(stderr, "sightline monitor: %s\n", st.message().c_str());
            return kExitFailure;
        }

    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    struct sigaction oldInt {}, oldTerm {};
    sigaction(SIGINT, &sa, &oldInt);
    sigaction(SIGTERM, &sa, &oldTerm);
    gStop = 0;

    const auto start = Clock::now();
    auto lastDraw = start - std::chrono::seconds(10), lastJson = lastDraw;
    size_t drawnLines = 0;
    bool allFailed = false;
    while (!gStop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const auto now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - start).count();
        if (duration > 0 && elapsed >= duration) break;
        const auto st = monitor.status();
        allFailed = !st.empty() && std::all_of(st.begin(), st.end(), [](const auto& s) {
            return s.live.state == media::LiveState::Failed;
        });
        if (allFailed) break;
        if (tty && now - lastDraw >= std::chrono::milliseconds(500)) {
            lastDraw = now;
            std::lock_guard lock(outMutex);
            std::string t = tableText(st, monitor.schedulerStats(), elapsed);
            if (!lastAlert.empty()) t += "last alert: " + lastAlert.substr(0, 110) + "\n";
            if (drawnLines > 0) std::printf("\033[%zuA", drawnLines);
            size_t lines = 0;
            for (size_t p = 0; p < t.size(); ++p) lines += t[p] == '\n';
            // \033[K clears what a longer previous line left on each row.
            std::string cleared;
            for (char c : t) {
                if (c == '\n') cleared += "\033[K";
                cleared += c;
            }
            std::fputs(cleared.c_str(), stdout);
            std::fflush(stdout);
            drawnLines = lines;
        } else if (jsonOut && now - lastJson >= std::chrono::seconds(1)) {
            lastJson = now;
            json j;
            j["type"] = "status";
            j["wall_time"] = wallTime();
            j["elapsed_s"] = round2(elapsed);
            j["level"] = monitor.schedulerStats().level;
            j["sources"] = json::array();
            for (const auto& s : st) j["sources"].push_back(statusJson(s));
            std::lock_guard lock(outMutex);
            std::printf("%s\n", j.dump().c_str());
            std::fflush(stdout);
        }
    }
    const bool interrupted = gStop != 0;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const pipeline::SchedulerStats sched = monitor.schedulerStats();
    monitor.stopAll();
    // Every result is in: the clips in progress end with what they hold.
    for (auto& [name, rec] : clipRecorders) rec->stop();
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
    const auto final = monitor.finalStatus();

    json summary;
    summary["type"] = "summary";
    summary["wall_time"] = wallTime();
    summary["elapsed_s"] = round2(elapsed);
    summary["stopped_by"] = interrupted ? "signal" : allFailed ? "all sources failed" : "duration";
    summary["device_ms_per_frame"] = round2(sched.frameMs);
    summary["streams"] = sched.streams;
    summary["mean_batch"] = round2(sched.meanBatch);
    summary["sources"] = json::array();
    for (const auto& s : final) summary["sources"].push_back(statusJson(s));
    if (clipStore) {
        std::lock_guard lock(outMutex);
        summary["clips"] = clipsWritten;
        summary["clip_errors"] = clipErrors;
    }
    if (!recordDir.empty()) {
        records.clear();   // closed (flushed) before the summary says they are complete
        const auto p = std::filesystem::path(recordDir) / "summary.json";
        if (Status st = writeFileAtomic(p, summary.dump(2) + "\n", "monitor"); !st)
            std::fprintf(stderr, "sightline monitor: %s\n", st.message().c_str());
    }
    if (jsonOut) {
        std::printf("%s\n", summary.dump().c_str());
    } else {
        if (tty && drawnLines > 0) std::printf("\033[%zuA\033[J", drawnLines);
        std::fputs(tableText(final, sched, elapsed).c_str(), stdout);
        std::printf("stopped after %.1f s (%s)\n", elapsed,
                    summary["stopped_by"].get<std::string>().c_str());
    }
    std::fflush(stdout);
    if (allFailed) {
        for (const auto& s : final)
            std::fprintf(stderr, "sightline monitor: %s failed: %s\n", s.name.c_str(),
                         s.live.reason.c_str());
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace sl::cli
