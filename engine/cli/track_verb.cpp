// `sightline track INPUT --out tracks.txt|tracks.json [--preset reference|ncnn] [--fps F]
//  [--track-thresh T] [--match-thresh M] [--track-buffer B] [--class-agnostic]
//  [--zones zones.json] [--events FILE]`: ByteTrack over per-frame detections. INPUT is a video
// (detected first, as `analyze` does, with a progress bar), Sightline's detections JSON
// (detect / analyze output) or a MOTChallenge det.txt (frames 1-based), read by
// pipeline/detections_file.h. tracks.txt is MOTChallenge `frame,id,x,y,w,h,score,-1,-1,-1`
// (1-based frames), the box being the tracker's state as both official implementations report.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/detector_args.h"
#include "cli/tracker_args.h"
#include "media/media_source.h"
#include "pipeline/analyze_runner.h"
#include "pipeline/detections_file.h"
#include "pipeline/detector.h"
#include "pipeline/track_analysis.h"
#include "pipeline/track_export.h"

namespace sl::cli {

namespace {

constexpr const char* kUsage =
    "sightline track INPUT --out tracks.txt|tracks.json [--preset reference|ncnn]\n"
    "                [--track-thresh T] [--match-thresh M] [--track-buffer B] [--fps F]\n"
    "                [--class-agnostic] [--zones zones.json] [--events FILE.jsonl]\n"
    "                [--model M] [--threshold T] [--streams N]\n"
    "  INPUT: a video (detected first), Sightline detections JSON (detect / analyze --out)\n"
    "  or a MOTChallenge det.txt (frame,id,x,y,w,h,score,...; frames 1-based)";

bool isDetectionsFile(const std::filesystem::path& p) {
    const std::string ext = p.extension().string();
    return ext == ".json" || ext == ".txt" || ext == ".csv";
}

}  // namespace

int runTrack(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    DetectorArgs d;
    TrackerArgs tracker;
    std::string input, output;
    int streams = 2;
    const auto usage = [&](const std::string& problem) {
        err << "sightline track: " << problem << "\nusage: " << kUsage << "\n";
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string problem;
        if (const int r = parseTrackerArg(args, i, tracker, problem); r < 0) return usage(problem);
        else if (r > 0) continue;
        if (const int r = parseDetectorArg(args, i, d, problem); r < 0) return usage(problem);
        else if (r > 0) continue;
        if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n";
            return kExitOk;
        } else if (a == "--out" && i + 1 < args.size()) {
            output = args[++i];
            const std::string ext = std::filesystem::path(output).extension().string();
            if (ext != ".txt" && ext != ".json")
                return usage("--out needs a .txt (MOTChallenge) or .json file, not '" + output +
                             "'");
        } else if (a == "--streams" && i + 1 < args.size()) {
            streams = std::atoi(args[++i].c_str());
            if (streams < 1 || streams > 8) return usage("--streams needs a count from 1 to 8");
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown or incomplete option '" + a + "'");
        } else if (input.empty()) {
            input = a;
        } else {
            return usage("more than one input ('" + input + "', '" + a + "')");
        }
    }
    if (input.empty()) return usage("no input given");
    if (output.empty()) return usage("no --out file given");
    const auto fail = [&](const Status& st) {
        err << "sightline track: " << st.message() << "\n";
        return kExitFailure;
    };
    auto scene = loadTrackerScene(tracker);
    if (!scene) return fail(scene.status());
    if (Status st = tracker.params.validate(); !st) return fail(st);

    pipeline::ResultsStore store;
    std::string mapping;
    double mediaFps = 0;
    const bool tty = ::isatty(2) == 1;
    if (isDetectionsFile(input)) {
        auto file = pipeline::readDetectionsFile(input, tracker.params.fps);
        if (!file) return fail(file.status());
        mapping = file->frameMapping;
        store.setLabels(file->labels);
        for (auto& f : file->frames) store.put(std::move(f));
    } else {
        media::OpenOptions probe;
        probe.url = input;
        probe.buildIndex = false;
        auto info = media::probeMedia(probe);
        if (!info) return fail(info.status());
        if (const media::StreamInfo* v = info->video()) mediaFps = v->nominalFps;
        // The tracker's second stage needs the low-score boxes (ByteTrack runs YOLOX at 0.1).
        if (d.options.settings.confidence < 0) d.options.settings.confidence = 0.1f;
        auto det = loadDetectorStreams(d, streams);
        if (!det) return fail(det.status());
        const std::vector<pipeline::Detector*>& detectors = det->all;
        pipeline::AnalyzeOptions options;
        options.input = input;
        const auto progress = [](const pipeline::AnalyzeProgress& p) {
            std::fprintf(stderr, "\rdetecting %lld/%lld frames ", (long long)p.decoded,
                         (long long)p.total);
            std::fflush(stderr);
        };
        auto summary = pipeline::runAnalyze(
            options, detectors, store,
            tty ? std::function<void(const pipeline::AnalyzeProgress&)>(progress) : nullptr);
        if (tty) std::fprintf(stderr, "\n");
        if (!summary) return fail(summary.status());
    }
    if (!tracker.fpsGiven && mediaFps > 0) tracker.params.fps = mediaFps;
    pipeline::TrackAnalysis analysis(tracker.params, *scene, store.labels());
    const pipeline::TrackingSummary s = pipeline::trackResults(store, analysis);
    if (Status st = pipeline::saveTracks(output, analysis, store.labels()); !st) return fail(st);
    if (!tracker.eventsPath.empty())
        if (Status st = pipeline::saveEvents(tracker.eventsPath, analysis.events()); !st)
            return fail(st);
    if (!mapping.empty()) out << input << ": " << mapping << "\n";
    out << input << ": " << store.size() << " frames, " << s.tracks << " tracks (ByteTrack "
        << track::presetName(tracker.params.preset) << ", " << tracker.params.fps << " fps, buffer "
        << tracker.params.trackBuffer << "), " << s.events << " events\n";
    out << "wrote " << output << "\n";
    if (!tracker.eventsPath.empty()) out << "wrote " << tracker.eventsPath << "\n";
    return kExitOk;
}

int runTrack(std::span<const std::string> args) { return runTrack(args, std::cout, std::cerr); }

}  // namespace sl::cli
