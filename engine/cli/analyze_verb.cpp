// `sightline analyze VIDEO --out results.json|results.csv [--out ...] [--burn-in OUT.mp4]
//  [--every N] [--frames N] [--model M] [--threshold T] [--nms T] [--classes a,b]
//  [--device opencl|cpu-ref] [--streams N]`: the detection pipeline headless at full speed (a
// decode thread + N inference streams, each a Detector on the same device, default 2: frames in
// flight fill the device's idle time, pipeline/analyze_runner.h), a progress bar on a terminal, results written
// atomically, a summary at the end. --burn-in then writes the video with the boxes and labels
// drawn in (pipeline/burn_in_exporter.h, the GUI's export), over the same frames (--frames), with
// its own progress bar; frames skipped by --every are written without boxes. A live input that is
// lost fails the run with its reason (exit 1), unless --reconnect lets a media::LiveSource
// reconnect it.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/annotation_args.h"
#include "cli/cli.h"
#include "cli/detector_args.h"
#include "cli/tracker_args.h"
#include "media/live_source.h"
#include "media/media_source.h"
#include "pipeline/analyze_runner.h"
#include "pipeline/burn_in_exporter.h"
#include "pipeline/detector.h"
#include "pipeline/track_analysis.h"
#include "pipeline/track_export.h"

namespace sl::cli {

namespace {

constexpr const char* kUsage =
    "sightline analyze VIDEO --out FILE.json|FILE.csv [--out ...] [--burn-in OUT.mp4]\n"
    "                  [--every N] [--frames N] [--model NAME|FILE.onnx] [--threshold T]\n"
    "                  [--nms T] [--classes a,b] [--device opencl|cpu-ref] [--streams N]\n"
    "                  [--track] [--zones zones.json] [--events events.jsonl] [--preset P]\n"
    "                  [--project P.slproj] (a model run into the project, created if new)\n"
    "                  [--track-thresh T] [--match-thresh M] [--track-buffer B] [--fps F]\n"
    "                  [--class-agnostic] [--reconnect N|forever] [--live-timeout S]\n"
    "                  (at least one --out or --burn-in; --streams: frames in flight, 1-8,\n"
    "                  default 2; --reconnect: a live input (rtsp://, http://, udp://,\n"
    "                  /dev/video0) lost or down at start-up is tried again N times (or\n"
    "                  forever) with backoff; without it losing one is an error; --live-timeout:\n"
    "                  seconds without a frame before a live input counts as lost, default 5;\n"
    "                  --track: ByteTrack ids on the detections, --zones / --events\n"
    "                  imply it and count zone entries and line crossings; with --track the\n"
    "                  detection threshold defaults to 0.1, the tracker's low-score stage)\n"
    "       sightline analyze --manifest videos.txt --shard K/N --out DIR ... (an archive over\n"
    "                  N machines; `sightline analyze --manifest` prints its options)";

void drawBar(const char* what, int64_t done, int64_t total, double fps) {
    if (total > 0) {
        const int width = 30;
        const int filled = int(width * std::min<int64_t>(done, total) / total);
        std::fprintf(stderr, "\r%s[%s%s] %lld/%lld frames  %.1f fps ", what,
                     std::string(size_t(filled), '#').c_str(),
                     std::string(size_t(width - filled), '.').c_str(), (long long)done,
                     (long long)total, fps);
    } else {
        std::fprintf(stderr, "\r%s%lld frames  %.1f fps ", what, (long long)done, fps);
    }
    std::fflush(stderr);
}

void drawProgress(const pipeline::AnalyzeProgress& p) {
    drawBar("", p.decoded, p.total,
            p.elapsedSeconds > 0 ? double(p.analysed) / p.elapsedSeconds : 0);
}

void drawBurnInProgress(const pipeline::BurnInProgress& p) {
    drawBar("burn-in ", p.frames, p.total,
            p.elapsedSeconds > 0 ? double(p.frames) / p.elapsedSeconds : 0);
}

}  // namespace

// cli/analyze_shard_verb.cpp: `analyze --manifest` (an archive, or one shard of it).
int runAnalyzeManifest(std::span<const std::string> args, std::ostream& out, std::ostream& err);

int runAnalyze(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    if (std::find(args.begin(), args.end(), "--manifest") != args.end())
        return runAnalyzeManifest(args, out, err);
    DetectorArgs d;
    pipeline::AnalyzeOptions options;
    std::vector<std::string> outputs;
    std::string burnInPath;
    std::string projectPath;
    int streams = 2;
    bool tracking = false;
    TrackerArgs tracker;
    const auto usage = [&](const std::string& problem) {
        err << "sightline analyze: " << problem << "\nusage: " << kUsage << "\n";
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        std::string problem;
        const int r = parseDetectorArg(args, i, d, problem);
        if (r < 0) return usage(problem);
        if (r > 0) continue;
        const int t = parseTrackerArg(args, i, tracker, problem);
        if (t < 0) return usage(problem);
        if (t > 0) {
            tracking = true;
            continue;
        }
        if (a == "--track") {
            tracking = true;
        } else if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n";
            return kExitOk;
        } else if (a == "--out" && hasValue) {
            outputs.push_back(args[++i]);
            const std::string ext = std::filesystem::path(outputs.back()).extension().string();
            if (ext != ".json" && ext != ".csv")
                return usage("--out needs a .json or .csv file, not '" + outputs.back() + "'");
        } else if (a == "--project" && hasValue) {
            projectPath = args[++i];
            if (std::filesystem::path(projectPath).extension() != ".slproj")
                return usage("--project needs a .slproj file, not '" + projectPath + "'");
        } else if (a == "--burn-in" && hasValue) {
            burnInPath = args[++i];
            if (std::filesystem::path(burnInPath).extension() != ".mp4")
                return usage("--burn-in writes MP4: it needs a .mp4 file, not '" + burnInPath +
                             "'");
        } else if (a == "--every" && hasValue) {
            options.every = std::atoi(args[++i].c_str());
            if (options.every < 1) return usage("--every needs a positive count");
        } else if (a == "--streams" && hasValue) {
            streams = std::atoi(args[++i].c_str());
            if (streams < 1 || streams > 8) return usage("--streams needs a count from 1 to 8");
        } else if (a == "--reconnect" && hasValue) {
            const std::string& v = args[++i];
            media::ReconnectPolicy policy;
            if (v == "forever") {
                policy.maxAttempts = -1;
            } else {
                char* end = nullptr;
                const long n = std::strtol(v.c_str(), &end, 10);
                if (v.empty() || *end || n < 0)
                    return usage("--reconnect needs a count of attempts or 'forever'");
                policy.maxAttempts = int(n);
            }
            options.reconnect = policy;
        } else if (a == "--live-timeout" && hasValue) {
            const double sec = std::atof(args[++i].c_str());
            if (!(sec > 0)) return usage("--live-timeout needs a positive number of seconds");
            options.liveReadTimeout = std::chrono::milliseconds(int64_t(sec * 1000));
        } else if (a == "--frames" && hasValue) {
            options.maxFrames = std::atoll(args[++i].c_str());
            if (options.maxFrames < 1) return usage("--frames needs a positive count");
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown or incomplete option '" + a + "'");
        } else if (options.input.empty()) {
            options.input = a;
        } else {
            return usage("more than one input ('" + options.input + "', '" + a + "')");
        }
    }
    if (options.input.empty()) return usage("no video given");
    if (outputs.empty() && burnInPath.empty() && projectPath.empty())
        return usage("no --out, --burn-in or --project given");
    const auto fail = [&](const Status& st) {
        err << "sightline analyze: " << st.message() << "\n";
        return kExitFailure;
    };
    double mediaFps = 0;
    {   // A bad input fails before the model loads (seconds on a CPU device): probe it first.
        media::OpenOptions probe;
        probe.url = options.input;
        probe.buildIndex = false;
        probe.networkTimeoutMs = int(options.liveOpenTimeout.count());
        auto info = media::probeMedia(probe);
        // With --reconnect, a camera that is down now is the supervisor's business, not an error.
        const bool waitForIt = options.reconnect && media::looksLive(options.input) && !info &&
                               info.status().code() == StatusCode::Io;
        if (!info && !waitForIt) return fail(info.status());
        if (waitForIt)
            err << "sightline analyze: " << info.status().message() << "; reconnecting\n";
        else if (const media::StreamInfo* v = info->video())
            mediaFps = v->nominalFps;
    }
    analytics::Scene scene;
    if (tracking) {   // a bad zones file fails before the run, too
        auto sc = loadTrackerScene(tracker);
        if (!sc) return fail(sc.status());
        scene = std::move(*sc);
        if (!tracker.fpsGiven && mediaFps > 0) tracker.params.fps = mediaFps;
        if (Status st = tracker.params.validate(); !st) return fail(st);
        if (d.options.settings.confidence < 0) d.options.settings.confidence = 0.1f;
    }
    auto det = loadDetectorStreams(d, streams);
    if (!det) return fail(det.status());
    const std::vector<pipeline::Detector*>& detectors = det->all;
    pipeline::ResultsStore store;
    const bool tty = ::isatty(2) == 1;
    pipeline::AnalyzeProgress last;   // the runner reports once more at the end, even failing
    auto summary = pipeline::runAnalyze(options, detectors, store,
                                        [&](const pipeline::AnalyzeProgress& p) {
                                            last = p;
                                            if (tty) drawProgress(p);
                                        });
    if (tty) std::fprintf(stderr, "\n");
    if (!summary && media::looksLive(options.input) &&
        summary.status().code() == StatusCode::Io && store.size() > 0 && !outputs.empty()) {
        // A live input lost mid-run: the frames analysed so far are the user's, and a camera
        // cannot be replayed. Write them (the header counts what was done), then fail anyway.
        pipeline::RunSummary partial;
        partial.framesDecoded = last.decoded;
        partial.framesAnalysed = int64_t(store.size());
        partial.seconds = last.elapsedSeconds;
        partial.fps = partial.seconds > 0 ? double(partial.framesAnalysed) / partial.seconds : 0;
        partial.countsPerClass = store.countsPerClass();
        for (const pipeline::FrameDetections& f : store.snapshot())
            partial.framesWithDetections += f.detections.empty() ? 0 : 1;
        pipeline::ExportHeader header{options.input, det->first->model().name, partial};
        for (const std::string& file : outputs)
            if (Status st = store.save(file, header); !st) return fail(st);
        err << "sightline analyze: " << summary.status().message() << "\n";
        for (const std::string& file : outputs)
            err << "sightline analyze: wrote the " << partial.framesAnalysed
                << " frames analysed before that to " << file << "\n";
        return kExitFailure;
    }
    if (!summary) return fail(summary.status());
    std::optional<pipeline::TrackAnalysis> analysis;
    if (tracking) {
        // After the run, over the stored frames in order: the inference streams finish frames
        // out of order, the tracker needs them in order (milliseconds for a whole video).
        analysis.emplace(tracker.params, scene);
        summary->tracking = pipeline::trackResults(store, *analysis);
        if (!tracker.eventsPath.empty())
            if (Status st = pipeline::saveEvents(tracker.eventsPath, analysis->events()); !st)
                return fail(st);
    }
    pipeline::ExportHeader header{options.input, det->first->model().name, *summary};
    for (const std::string& file : outputs)
        if (Status st = store.save(file, header); !st) return fail(st);
    std::optional<int64_t> projectSet;
    if (!projectPath.empty()) {
        nlohmann::json params = {{"input", options.input},
                                 {"every", options.every},
                                 {"confidence", d.options.settings.confidence},
                                 {"tracking", tracking}};
        if (tracking) params["tracker"] = track::presetName(tracker.params.preset);
        auto id = saveModelRun(projectPath, options.input, store, det->first->model().name,
                               params.dump(), out);
        if (!id) return fail(id.status());
        projectSet = *id;
    }
    std::optional<pipeline::BurnInSummary> burned;
    if (!burnInPath.empty()) {
        pipeline::BurnInOptions bo;
        bo.input = options.input;
        bo.output = burnInPath;
        bo.maxFrames = options.maxFrames;
        auto b = pipeline::burnIn(bo, store, tty ? std::function(drawBurnInProgress) : nullptr);
        if (tty) std::fprintf(stderr, "\n");
        if (!b) return fail(b.status());
        burned = *b;
    }
    const pipeline::RunSummary& s = *summary;
    char line[160];
    std::snprintf(line, sizeof line, "%lld frames decoded, %lld analysed in %.2f s (%.1f fps), "
                  "%lld with detections\n", (long long)s.framesDecoded,
                  (long long)s.framesAnalysed, s.seconds, s.fps,
                  (long long)s.framesWithDetections);
    out << options.input << ": " << line;
    for (const auto& [label, n] : s.countsPerClass) out << "  " << label << ": " << n << "\n";
    if (s.tracking) {
        const pipeline::TrackingSummary& ts = *s.tracking;
        out << ts.tracks << " tracks (ByteTrack " << track::presetName(tracker.params.preset)
            << "), " << ts.events << " events\n";
        const auto perLabel = [](const std::map<std::string, int64_t>& m) {
            std::string text;
            for (const auto& [label, n] : m)
                text += (text.empty() ? "" : ", ") + label + " " + std::to_string(n);
            return text.empty() ? std::string("none") : text;
        };
        for (const auto& zone : scene.zones) {
            const auto it = ts.zoneEntries.find(zone.name);
            out << "  zone '" << zone.name << "': entered by "
                << (it == ts.zoneEntries.end() ? "none" : perLabel(it->second)) << "\n";
        }
        for (const auto& l : scene.lines) {
            const auto ab = ts.lineAB.find(l.name), ba = ts.lineBA.find(l.name);
            out << "  line '" << l.name << "': A->B "
                << (ab == ts.lineAB.end() ? "none" : perLabel(ab->second)) << "; B->A "
                << (ba == ts.lineBA.end() ? "none" : perLabel(ba->second)) << "\n";
        }
        if (!tracker.eventsPath.empty()) out << "wrote " << tracker.eventsPath << "\n";
    }
    for (const std::string& file : outputs) out << "wrote " << file << "\n";
    if (projectSet) out << "wrote set " << *projectSet << " (model run) to " << projectPath << "\n";
    if (burned)
        out << "wrote " << burnInPath << " (" << burned->frames << " frames, "
            << burned->framesWithBoxes << " with boxes, " << std::fixed << std::setprecision(2)
            << burned->seconds << " s)\n";
    return kExitOk;
}

int runAnalyze(std::span<const std::string> args) {
    return runAnalyze(args, std::cout, std::cerr);
}

}  // namespace sl::cli
