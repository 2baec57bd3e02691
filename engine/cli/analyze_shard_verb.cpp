// `sightline analyze --manifest videos.txt [--shard K/N] --out DIR ...`: this process's share of
// an archive (pipeline/shard_plan.h has the rule), one unit file per (video, segment) in DIR,
// merged by `sightline merge DIR`. Shards share nothing but DIR. Units already in DIR are
// skipped, so a restarted shard (a Kubernetes pod retried, a requeued Slurm task) resumes.
// Tracking is deferred to the merge: tracks cross segment cuts, so they are computed once over
// the joined detections, and the merge then equals one process.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "core/atomic_file.h"
#include "cli/detector_args.h"
#include "cli/tracker_args.h"
#include "pipeline/analyze_runner.h"
#include "pipeline/shard_plan.h"

namespace sl::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "sightline analyze --manifest videos.txt [--shard K/N] --out DIR [--segment-frames F]\n"
    "                  [--every N] [--model NAME|FILE.onnx] [--threshold T] [--nms T]\n"
    "                  [--classes a,b] [--device opencl|cpu-ref] [--streams N] [--track]\n"
    "                  [--zones zones.json] [--preset P] [--track-thresh T] ...\n"
    "                  (shard K of N, K from 0, default 0/1; videos longer than F frames,\n"
    "                  default 9000, are cut at keyframes into segments; DIR is shared by the\n"
    "                  shards; `sightline merge DIR` joins their units)";

// Defaults: 9000 frames is 5 minutes at 30 fps, long enough that a cut's seek is noise.
constexpr int64_t kDefaultSegmentFrames = 9000;

void drawUnitProgress(const std::string& what, const pipeline::AnalyzeProgress& p) {
    const double fps = p.elapsedSeconds > 0 ? double(p.analysed) / p.elapsedSeconds : 0;
    if (p.total > 0) {
        const int width = 30;
        const int filled = int(width * std::min<int64_t>(p.decoded, p.total) / p.total);
        std::fprintf(stderr, "\r%s [%s%s] %lld/%lld frames  %.1f fps ", what.c_str(),
                     std::string(size_t(filled), '#').c_str(),
                     std::string(size_t(width - filled), '.').c_str(), (long long)p.decoded,
                     (long long)p.total, fps);
    } else {
        std::fprintf(stderr, "\r%s %lld frames  %.1f fps ", what.c_str(), (long long)p.decoded,
                     fps);
    }
    std::fflush(stderr);
}

}  // namespace

int runAnalyzeManifest(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    DetectorArgs d;
    TrackerArgs tracker;
    std::string manifest, outDir, shardText = "0/1";
    std::vector<std::string> detectorArgs, trackerArgs;   // verbatim, for the plan
    int every = 1, streams = 2;
    int64_t segmentFrames = kDefaultSegmentFrames;
    bool tracking = false;
    const auto usage = [&](const std::string& problem) {
        err << "sightline analyze: " << problem << "\nusage: " << kUsage << "\n";
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        std::string problem;
        const size_t at = i;
        const int r = parseDetectorArg(args, i, d, problem);
        if (r < 0) return usage(problem);
        if (r > 0) {
            detectorArgs.insert(detectorArgs.end(), args.begin() + long(at), args.begin() + long(i) + 1);
            continue;
        }
        const int t = parseTrackerArg(args, i, tracker, problem);
        if (t < 0) return usage(problem);
        if (t > 0) {
            tracking = true;
            trackerArgs.insert(trackerArgs.end(), args.begin() + long(at), args.begin() + long(i) + 1);
            continue;
        }
        if (a == "--track") {
            tracking = true;
        } else if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n";
            return kExitOk;
        } else if (a == "--manifest" && hasValue) {
            manifest = args[++i];
        } else if (a == "--shard" && hasValue) {
            shardText = args[++i];
        } else if (a == "--out" && hasValue) {
            outDir = args[++i];
        } else if (a == "--every" && hasValue) {
            every = std::atoi(args[++i].c_str());
            if (every < 1) return usage("--every needs a positive count");
        } else if (a == "--streams" && hasValue) {
            streams = std::atoi(args[++i].c_str());
            if (streams < 1 || streams > 8) return usage("--streams needs a count from 1 to 8");
        } else if (a == "--segment-frames" && hasValue) {
            segmentFrames = std::atoll(args[++i].c_str());
            if (segmentFrames < 1) return usage("--segment-frames needs a positive count");
        } else if (a == "--burn-in" || a == "--frames" || a == "--project") {
            return usage(a + " is not available with --manifest (`sightline merge DIR "
                             "--project P` stores the merged runs)");
        } else {
            return usage("unknown or incomplete option '" + a + "'");
        }
    }
    if (manifest.empty()) return usage("no --manifest given");
    if (outDir.empty()) return usage("no --out DIR given (the folder the shards share)");
    if (!tracker.eventsPath.empty())
        return usage("--events is not available with --manifest (events come from the merge)");
    auto shard = pipeline::parseShardSpec(shardText);
    if (!shard) return usage(shard.status().message());
    const auto fail = [&](const Status& st) {
        err << "sightline analyze: " << st.message() << "\n";
        return kExitFailure;
    };
    if (tracking) {   // a bad zones file fails here, not hours later in the merge
        if (auto sc = loadTrackerScene(tracker); !sc) return fail(sc.status());
        if (d.options.settings.confidence < 0) d.options.settings.confidence = 0.1f;
    }
    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec || !fs::is_directory(outDir))
        return fail(Status(StatusCode::Io, "cannot create the output folder '" + outDir + "'" +
                                               (ec ? ": " + ec.message() : std::string())));
    auto videos = pipeline::readManifest(manifest);
    if (!videos) return fail(videos.status());
    const nlohmann::json options = {{"every", every},
                                    {"confidence", d.options.settings.confidence},
                                    {"detector_args", detectorArgs},
                                    {"tracking", tracking},
                                    {"tracker_args", trackerArgs}};
    auto plan = pipeline::makePlan(manifest, *videos, segmentFrames, options.dump());
    if (!plan) return fail(plan.status());
    for (const fs::directory_entry& e : fs::directory_iterator(outDir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.starts_with("plan-") && name.ends_with(".json") &&
            e.path() != pipeline::planFile(outDir, *plan))
            return fail(Status(StatusCode::InvalidArgument,
                               "'" + outDir + "' holds another run's " + name +
                                   " (another manifest or other options): use an empty folder"));
    }
    // The first shard writes the plan; the others find the same one (fewer writes to a shared
    // volume; concurrent writers are still safe, their temporary names differ per host).
    if (!fs::exists(pipeline::planFile(outDir, *plan)))
        if (Status st =
                writeFileAtomic(pipeline::planFile(outDir, *plan), plan->toJson(), "shard");
            !st)
            return fail(st);

    const std::vector<pipeline::ShardPlan::Unit> mine = plan->unitsOf(*shard);
    const std::string me = "shard " + shardText;
    std::vector<pipeline::ShardPlan::Unit> todo;
    for (const auto& u : mine)
        if (!fs::exists(pipeline::unitFile(outDir, *plan, u))) todo.push_back(u);
    out << me << ": " << mine.size() << " of " << plan->units().size() << " units ("
        << plan->videos.size() << " videos, plan " << plan->id << ")";
    if (todo.size() < mine.size()) out << ", " << mine.size() - todo.size() << " already done";
    out << "\n";
    if (todo.empty()) return kExitOk;

    auto det = loadDetectorStreams(d, streams);
    if (!det) return fail(det.status());
    const bool tty = ::isatty(2) == 1;
    int n = 0;
    for (const auto& u : todo) {
        ++n;
        const pipeline::PlannedVideo& v = plan->videos[size_t(u.video)];
        auto range = pipeline::segmentRange(v.path, plan->segmentFrames, u.segment, v.segments);
        if (!range) return fail(range.status());
        pipeline::UnitResult unit;
        unit.planId = plan->id;
        unit.shard = *shard;
        unit.video = u.video;
        unit.segment = u.segment;
        unit.segments = v.segments;
        unit.source = v.path;
        unit.range = *range;
        unit.model = det->first->model().name;
        unit.fps = range->nominalFps;
        unit.labels = det->first->manifest().labels;
        const std::string what = "[" + std::to_string(n) + "/" + std::to_string(todo.size()) +
                                 "] " + fs::path(v.path).filename().string() + " " +
                                 std::to_string(u.segment + 1) + "/" +
                                 std::to_string(v.segments);
        if (range->last >= range->first) {
            pipeline::AnalyzeOptions o;
            o.input = v.path;
            o.every = every;
            o.firstFrame = range->first;
            o.lastFrame = range->last;
            o.everyOrigin = 0;
            pipeline::ResultsStore store;
            auto summary = pipeline::runAnalyze(
                o, det->all, store,
                tty ? std::function([&](const pipeline::AnalyzeProgress& p) {
                    drawUnitProgress(what, p);
                })
                    : nullptr);
            if (tty) std::fprintf(stderr, "\n");
            if (!summary) return fail(summary.status());
            unit.summary = *summary;
            unit.frames = store.snapshot();
        }
        const fs::path file = pipeline::unitFile(outDir, *plan, u);
        if (Status st = pipeline::writeUnit(file, unit); !st) return fail(st);
        out << what << ": frames " << range->first << ".." << range->last << ", "
            << unit.summary.framesAnalysed << " analysed -> " << file.filename().string() << "\n";
    }
    out << me << ": done, " << todo.size() << " units written to " << outDir << "\n";
    return kExitOk;
}

}  // namespace sl::cli
