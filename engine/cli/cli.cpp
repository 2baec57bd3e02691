#include "cli/cli.h"

#include <array>

namespace sl::cli {

int runInfo(std::span<const std::string> args);     // cli/info_verb.cpp
int runProbe(std::span<const std::string> args);    // cli/probe_verb.cpp
int runRunModel(std::span<const std::string> args);     // cli/run_model_verb.cpp
int runBenchModel(std::span<const std::string> args);   // cli/bench_model_verb.cpp
int runModels(std::span<const std::string> args);       // cli/models_verb.cpp
int runDetect(std::span<const std::string> args);       // cli/detect_verb.cpp
int runAnalyze(std::span<const std::string> args);      // cli/analyze_verb.cpp
int runTrack(std::span<const std::string> args);        // cli/track_verb.cpp
int runProject(std::span<const std::string> args);      // cli/project_verb.cpp
int runConvert(std::span<const std::string> args);      // cli/convert_verb.cpp
int runEval(std::span<const std::string> args);         // cli/eval_verb.cpp
int runPrepare(std::span<const std::string> args);      // cli/prepare_verb.cpp
int runMerge(std::span<const std::string> args);        // cli/merge_verb.cpp
int runBuildKernels(std::span<const std::string> args);  // cli/build_kernels_verb.cpp
int runMonitor(std::span<const std::string> args);       // cli/monitor_verb.cpp

namespace {

const std::array kVerbs = {
    Verb{"info", "describe a video file, URL or camera",
         "sightline info FILE|URL [--json] [--no-index]", &runInfo},
    Verb{"probe", "list OpenCL devices, the one the engine would use, and the frame bridges",
         "sightline probe [--json] [--cl-device N|P:D|NAME]", &runProbe},
    Verb{"run-model", "run a neural network (ONNX) once and write its outputs as .npy",
         "sightline run-model MODEL [--input NAME=FILE.npy ...] [--random-inputs SEED] "
         "[--output-dir DIR] [--device opencl|cpu-ref] [--allow-cpu-fallback] [--profile]",
         &runRunModel},
    Verb{"bench-model", "measure a model's inference latency and device memory",
         "sightline bench-model MODEL [--iterations N] [--warmup N] [--device opencl|cpu-ref] "
         "[--allow-cpu-fallback]",
         &runBenchModel},
    Verb{"models", "list, install, remove and describe detection models",
         "sightline models list|install|remove|info [NAME] [--from FILE.onnx] [--json]",
         &runModels},
    Verb{"prepare", "measure each model's kernel choices on this device once (setup runs it)",
         "sightline prepare [MODEL ...] [--cl-device N|P:D|NAME] [--json]", &runPrepare},
    Verb{"detect", "detect objects in an image or a video and print them",
         "sightline detect IMAGE|VIDEO [--json] [--model M] [--threshold T] [--nms T] "
         "[--classes person,car]",
         &runDetect},
    Verb{"analyze", "run detection over a whole video and write results (JSON, CSV, burned-in MP4)",
         "sightline analyze VIDEO --out results.json|results.csv [--burn-in boxes.mp4] "
         "[--every N] [--model M] [--threshold T] [--streams N] [--track] [--zones Z.json] "
         "[--events E.jsonl] [--project P.slproj]\n"
         "  sightline analyze --manifest videos.txt --shard K/N --out DIR [--segment-frames F] "
         "[analyze's detection and tracking options]",
         &runAnalyze},
    Verb{"monitor", "watch live sources: detection, tracking, zones and lines, status table",
         "sightline monitor SRC... [--config monitor.json] [--events events.jsonl] "
         "[--record DIR] [--duration S] [--json] [--target-fps F] [--streams N] [--batch N]",
         &runMonitor},
    Verb{"merge", "join the shards' results of `analyze --manifest`: one result per video",
         "sightline merge DIR [--out results.json] [--project P.slproj]", &runMerge},
    Verb{"track", "ByteTrack identities over a video, detections JSON or a MOT det.txt",
         "sightline track INPUT --out tracks.txt|tracks.json [--preset reference|ncnn] "
         "[--track-thresh T] [--match-thresh M] [--track-buffer B] [--fps F] "
         "[--class-agnostic] [--zones Z.json] [--events E.jsonl]",
         &runTrack},
    Verb{"project", "a project store: media, ground truth, model runs and reviewed sets",
         "sightline project create|add|import|export|list|info|edit|undo|redo|history "
         "PROJECT.slproj ...",
         &runProject},
    Verb{"convert", "annotations from one format to another (COCO, MOT, CVAT, YOLO, VOC, JSON)",
         "sightline convert IN OUT [--from F] [--to F] [--video V] [--clip|--skip-bad]",
         &runConvert},
    Verb{"eval", "detection (COCO) and tracking (CLEAR MOT, IDF1, HOTA) metrics of PRED vs GT",
         "sightline eval GT PRED [--iou 0.5] [--json] [--per-frame FILE] [--from F]",
         &runEval},
};

// Verbs the program runs on itself, not listed in the usage.
const std::array kHiddenVerbs = {
    Verb{"__build-kernels", "a kernel build helper (nn/runtime/build_helpers.h)",
         "sightline __build-kernels MODEL --cl-device N --storage S --from K/N --parent PID",
         &runBuildKernels},
};

}  // namespace

const Verb* findVerb(std::string_view name) {
    for (const Verb& v : kVerbs)
        if (name == v.name) return &v;
    for (const Verb& v : kHiddenVerbs)
        if (name == v.name) return &v;
    return nullptr;
}

std::span<const Verb> allVerbs() { return kVerbs; }

std::string usageText() {
    std::string s = "usage: sightline [FILE|URL ...]        open the workstation\n"
                    "       sightline <verb> [args]         run headless\n\nverbs:\n";
    for (const Verb& v : kVerbs) s += std::string("  ") + v.usage + "\n      " + v.summary + "\n";
    return s;
}

}  // namespace sl::cli
