// `sightline merge DIR [--out results.json] [--project P.slproj]`: joins the units the shards of
// `analyze --manifest` wrote to DIR into one result per video (pipeline/shard_plan.h checks that
// every unit is there once and that each video's segments tile its frames), recomputes tracks
// over each whole video when the run asked for tracking (the tracker's state crosses segment
// cuts), and writes what one `analyze VIDEO` per video would have written:
//   --out FILE.json   {"plan", "manifest", "videos": [<analyze's results JSON>, ...]} in plan
//                     (sorted path) order
//   --project P       one model run per video, as `analyze VIDEO --project P`

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/annotation_args.h"
#include "cli/cli.h"
#include "cli/tracker_args.h"
#include "core/atomic_file.h"
#include "pipeline/shard_plan.h"
#include "pipeline/track_analysis.h"

namespace sl::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage =
    "sightline merge DIR [--out results.json] [--project P.slproj]\n"
    "                  (DIR: the --out of `sightline analyze --manifest ... --shard K/N`;\n"
    "                  at least one of --out and --project)";

}  // namespace

int runMerge(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    std::string dir, outPath, projectPath;
    const auto usage = [&](const std::string& problem) {
        err << "sightline merge: " << problem << "\nusage: " << kUsage << "\n";
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n";
            return kExitOk;
        } else if (a == "--out" && hasValue) {
            outPath = args[++i];
            if (fs::path(outPath).extension() != ".json")
                return usage("--out needs a .json file, not '" + outPath + "'");
        } else if (a == "--project" && hasValue) {
            projectPath = args[++i];
            if (fs::path(projectPath).extension() != ".slproj")
                return usage("--project needs a .slproj file, not '" + projectPath + "'");
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown or incomplete option '" + a + "'");
        } else if (dir.empty()) {
            dir = a;
        } else {
            return usage("more than one folder ('" + dir + "', '" + a + "')");
        }
    }
    if (dir.empty()) return usage("no result folder given");
    if (outPath.empty() && projectPath.empty()) return usage("no --out or --project given");
    const auto fail = [&](const Status& st) {
        err << "sightline merge: " << st.message() << "\n";
        return kExitFailure;
    };
    pipeline::ShardPlan plan;
    auto videos = pipeline::mergeUnits(dir, &plan);
    if (!videos) return fail(videos.status());

    // The analysis options the shards ran with (the plan's, the same for every shard).
    const nlohmann::json options = nlohmann::json::parse(plan.optionsJson);
    const bool tracking = options.value("tracking", false);
    TrackerArgs tracker;
    const std::vector<std::string> trackerArgs =
        options.value("tracker_args", std::vector<std::string>{});
    for (size_t i = 0; i < trackerArgs.size(); ++i) {
        std::string problem;
        if (parseTrackerArg(trackerArgs, i, tracker, problem) <= 0)
            return fail(Status(StatusCode::InvalidData,
                               "the plan's tracker option '" + trackerArgs[i] + "': " + problem));
    }
    analytics::Scene scene;
    if (tracking) {
        auto sc = loadTrackerScene(tracker);
        if (!sc) return fail(sc.status());
        scene = std::move(*sc);
    }
    // Stored as double; analyze records the float it used (model runs keep it verbatim).
    const float confidence = float(options.value("confidence", -1.0));

    nlohmann::ordered_json all = {{"plan", plan.id}, {"manifest", plan.manifest}};
    all["videos"] = nlohmann::ordered_json::array();
    int64_t frames = 0;
    for (pipeline::MergedVideo& v : *videos) {
        pipeline::ResultsStore store(v.labels);
        for (pipeline::FrameDetections& f : v.frames) store.put(std::move(f));
        if (tracking) {   // as `analyze --track` does after its run, over the whole video
            track::TrackerParams params = tracker.params;
            if (!tracker.fpsGiven && v.fps > 0) params.fps = v.fps;
            if (Status st = params.validate(); !st) return fail(st);
            pipeline::TrackAnalysis analysis(params, scene);
            v.summary.tracking = pipeline::trackResults(store, analysis);
        }
        frames += v.summary.framesDecoded;
        if (!outPath.empty())
            all["videos"].push_back(nlohmann::ordered_json::parse(
                store.toJson(pipeline::ExportHeader{v.source, v.model, v.summary})));
        if (!projectPath.empty()) {
            nlohmann::json params = {{"input", v.source},
                                     {"every", options.value("every", 1)},
                                     {"confidence", confidence},
                                     {"tracking", tracking}};
            if (tracking) params["tracker"] = track::presetName(tracker.params.preset);
            auto id = saveModelRun(projectPath, v.source, store, v.model, params.dump(), out);
            if (!id) return fail(id.status());
            out << "wrote set " << *id << " (model run of " << v.source << ") to "
                << projectPath << "\n";
        }
    }
    if (!outPath.empty()) {
        if (Status st = writeFileAtomic(outPath, all.dump(1) + "\n", "merge"); !st)
            return fail(st);
        out << "wrote " << outPath << "\n";
    }
    out << "merged " << plan.units().size() << " units of " << videos->size() << " videos ("
        << frames << " frames, plan " << plan.id << ")\n";
    return kExitOk;
}

int runMerge(std::span<const std::string> args) { return runMerge(args, std::cout, std::cerr); }

}  // namespace sl::cli
