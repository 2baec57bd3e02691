// Beyond one machine: N `sightline analyze --manifest --shard K/N` processes over a manifest of
// three videos cut from the demo video (one long enough to be split into three segments at
// keyframes, with B-frames), run at once as separate processes on one result folder, then
// `sightline merge`: each video's merged result equals a plain single-process `analyze VIDEO`
// field by field (detections, track ids, counts; only the wall-clock seconds and fps differ).
// The shards run the command line of packaging/cluster/sightline-job.yaml, read with a real YAML
// parser (python3-yaml), with Kubernetes' $(VAR) expansion done here. FAILS when the demo video
// (packaging/fetch-demo.sh), the model, ffmpeg or python3-yaml is missing.
// Sized for the suite (43 analysed frames and 7 model loads in all): the clips are short, and the
// single-process references run first, one at a time, so that with cold kernel caches only the
// first process compiles and the shards, started together, find the kernels built.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/video_generator.h"

#ifdef SL_SIGHTLINE_EXE

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

fs::path demoVideo() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "vtest.avi";
}

std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string commandLine(const std::vector<std::string>& args) {
    std::string cmd = shellQuote(SL_SIGHTLINE_EXE);
    for (const std::string& a : args) cmd += " " + shellQuote(a);
    return cmd;
}

int exitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

// Runs to completion; stdout and stderr together in `out`.
int run(const std::vector<std::string>& args, std::string& out) {
    out.clear();
    FILE* p = ::popen((commandLine(args) + " 2>&1").c_str(), "r");
    if (!p) return -1;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    return exitCode(::pclose(p));
}

json readJson(const fs::path& p) {
    std::ifstream in(p);
    return json::parse(in, nullptr, false);
}

// The part of a results object that does not depend on the wall clock.
json withoutTimes(json j) {
    j["summary"].erase("seconds");
    j["summary"].erase("fps");
    return j;
}

// `analyze ... --shard $(JOB_COMPLETION_INDEX)/N ...` from the Job manifest, expanded as the
// kubelet would with `env` (the container's variables plus the index), the /data volume at
// `data`.
std::vector<std::string> jobArgs(const std::string& index, const std::string& segmentFrames,
                                 const fs::path& data, std::string& problem) {
    const fs::path yaml = fs::path(SL_SOURCE_DIR) / "packaging" / "cluster" / "sightline-job.yaml";
    const std::string py =
        "import sys, yaml\n"
        "job = yaml.safe_load(open(sys.argv[1]))\n"
        "assert job['kind'] == 'Job' and job['spec']['completionMode'] == 'Indexed'\n"
        "c = job['spec']['template']['spec']['containers'][0]\n"
        "env = {e['name']: e['value'] for e in c.get('env', [])}\n"
        "assert 'SEGMENT_FRAMES' in env\n"
        "print(job['spec']['completions'])\n"
        "for a in c['args']: print(a)\n";
    FILE* p = ::popen(("python3 -c " + shellQuote(py) + " " + shellQuote(yaml.string()) +
                       " 2>&1").c_str(), "r");
    std::string text;
    char buf[4096];
    size_t n;
    while (p && (n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    if (!p || exitCode(::pclose(p)) != 0) {
        problem = "python3-yaml could not read " + yaml.string() + ": " + text;
        return {};
    }
    std::istringstream lines(text);
    std::string line;
    std::getline(lines, line);   // completions
    const std::string completions = line;
    std::vector<std::string> args;
    const auto replace = [](std::string s, const std::string& from, const std::string& to) {
        for (size_t at; (at = s.find(from)) != std::string::npos;) s.replace(at, from.size(), to);
        return s;
    };
    while (std::getline(lines, line)) {
        line = replace(line, "$(JOB_COMPLETION_INDEX)", index);
        line = replace(line, "$(SEGMENT_FRAMES)", segmentFrames);
        if (line.starts_with("/data/")) line = (data / line.substr(6)).string();
        args.push_back(line);
    }
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--shard" && !args[i + 1].ends_with("/" + completions))
            problem = "--shard's N differs from the Job's completions (" + completions + ")";
    return args;
}

TEST(ClusterShard, ShardsMergedEqualOneProcessAndTheJobRunsThatCommand) {
    ASSERT_TRUE(fs::exists(demoVideo())) << "missing " << demoVideo()
                                         << ": run packaging/fetch-demo.sh";
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    sl::testing::TempDir dir("cluster");
    const fs::path data = dir.path() / "data";
    fs::create_directories(data / "models");
    fs::create_symlink(modelPath(), data / "models" / "yolox_nano.onnx");
    // Cut from the demo video (people walking: detections and tracks), 320x240. long.mp4 has a
    // keyframe every 11 frames and B-frames: 26 frames in segments of 9 start at the keyframes
    // 0, 11 and 22 (11 is odd: --every 2 must keep counting from frame 0 across the cut).
    struct Cut { const char* name; const char* args; };
    const Cut cuts[] = {
        {"long.mp4", "-frames:v 26 -c:v libx264 -g 11 -keyint_min 11 -sc_threshold 0 -bf 2"},
        {"short.mp4", "-ss 8 -frames:v 6 -c:v libx264 -g 3"},
        {"other.avi", "-ss 16 -frames:v 6 -c:v mpeg4 -g 3"},
    };
    std::ofstream manifest(data / "videos.txt");
    manifest << "# test archive\n";
    for (const Cut& c : cuts) {
        const std::string cmd = "ffmpeg -v error -y -i " + shellQuote(demoVideo().string()) +
                                " -an -vf scale=320:240 " + c.args + " " +
                                shellQuote((data / c.name).string());
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        manifest << c.name << "\n";   // relative to the manifest's folder, unsorted
    }
    manifest.close();

    // One plain process per video, first and one at a time: the reference, and with cold kernel
    // caches the first of them builds the kernels that every later process loads. Sorted order,
    // the merge's: long, other, short.
    const char* order[] = {"long.mp4", "other.avi", "short.mp4"};
    std::string out;
    std::vector<json> reference;
    for (const char* name : order) {
        const fs::path ref = dir.file(std::string(name) + ".json");
        ASSERT_EQ(run({"analyze", (data / name).string(), "--out", ref.string(), "--model",
                       modelPath().string(), "--every", "2", "--track"}, out), 0) << out;
        reference.push_back(withoutTimes(readJson(ref)));
    }

    constexpr int kShards = 3;
    std::vector<std::vector<std::string>> shardArgs;
    for (int k = 0; k < kShards; ++k) {
        std::string problem;
        shardArgs.push_back(jobArgs(std::to_string(k), "9", data, problem));
        ASSERT_TRUE(problem.empty()) << problem;
    }
    // The command line the shards run, spelled out: what the Job manifest must say.
    const std::vector<std::string> expected = {
        "analyze", "--manifest", (data / "videos.txt").string(), "--shard", "1/3",
        "--out", (data / "units").string(), "--model", (data / "models/yolox_nano.onnx").string(),
        "--segment-frames", "9", "--every", "2", "--track"};
    ASSERT_EQ(shardArgs[1], expected);

    // All shards at once, as separate processes on one folder.
    std::vector<FILE*> procs;
    for (const auto& args : shardArgs)
        procs.push_back(::popen((commandLine(args) + " 2>&1").c_str(), "r"));
    for (int k = 0; k < kShards; ++k) {
        ASSERT_NE(procs[size_t(k)], nullptr);
        std::string shardOut;
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, procs[size_t(k)])) > 0) shardOut.append(buf, n);
        EXPECT_EQ(exitCode(::pclose(procs[size_t(k)])), 0) << "shard " << k << ":\n" << shardOut;
        std::cout << shardOut;
    }
    int units = 0;
    for (const auto& e : fs::directory_iterator(data / "units"))
        units += e.path().filename().string().starts_with("unit-");
    EXPECT_EQ(units, 5);   // long.mp4 in 3 segments, the others whole

    const fs::path merged = dir.file("results.json");
    ASSERT_EQ(run({"merge", (data / "units").string(), "--out", merged.string()}, out), 0) << out;
    const json m = readJson(merged);
    ASSERT_FALSE(m.is_discarded());
    ASSERT_EQ(m["videos"].size(), 3u);

    for (size_t v = 0; v < 3; ++v) {
        const json& one = reference[v];
        const json got = withoutTimes(m["videos"][v]);
        EXPECT_EQ(got["source"], one["source"]);
        EXPECT_EQ(got["summary"], one["summary"]) << order[v];
        ASSERT_EQ(got["frames"].size(), one["frames"].size()) << order[v];
        for (size_t f = 0; f < one["frames"].size(); ++f)
            ASSERT_EQ(got["frames"][f], one["frames"][f]) << order[v] << " row " << f;
        EXPECT_EQ(got, one) << order[v];
        if (v == 0) {   // the split video: tracks and detections are really there
            EXPECT_GT(one["summary"]["tracking"]["tracks"].get<int>(), 0);
            EXPECT_EQ(one["summary"]["frames_analysed"], 13);
            // Every second frame once, across both cuts (11 is skipped, 22 analysed).
            for (size_t f = 0; f < got["frames"].size(); ++f)
                EXPECT_EQ(got["frames"][f]["frame"], 2 * f) << "row " << f;
        }
    }

    // A missing unit: the merge names the video, the segment and the shard that owed it.
    fs::path victim;
    for (const auto& e : fs::directory_iterator(data / "units"))
        if (e.path().filename().string().ends_with("-v00000-s0001.json")) victim = e.path();
    ASSERT_FALSE(victim.empty());
    fs::rename(victim, dir.file("kept.json"));
    EXPECT_EQ(run({"merge", (data / "units").string(), "--out", merged.string()}, out), 1);
    EXPECT_NE(out.find("long.mp4' segment 2/3"), std::string::npos) << out;
    EXPECT_NE(out.find("shard 1/3"), std::string::npos) << out;
    // Rerunning that shard redoes only its missing unit.
    ASSERT_EQ(run(shardArgs[1], out), 0) << out;
    EXPECT_NE(out.find("already done"), std::string::npos) << out;
    EXPECT_EQ(run({"merge", (data / "units").string(), "--out", merged.string()}, out), 0) << out;
}

TEST(ClusterShard, BadInputNamesIt) {
    sl::testing::TempDir dir("cluster-bad");
    std::ofstream(dir.file("videos.txt")) << "missing.mp4\n";
    std::string out;
    EXPECT_EQ(run({"analyze", "--manifest", dir.file("videos.txt").string(), "--shard", "3/3",
                   "--out", dir.file("units").string()}, out), 2);
    EXPECT_NE(out.find("'3/3'"), std::string::npos) << out;
    EXPECT_EQ(run({"analyze", "--manifest", dir.file("videos.txt").string(), "--shard", "0/2",
                   "--out", dir.file("units").string()}, out), 1);
    EXPECT_NE(out.find("videos.txt:1"), std::string::npos) << out;
    EXPECT_NE(out.find("missing.mp4"), std::string::npos) << out;
    EXPECT_EQ(run({"merge", dir.file("nowhere").string(), "--out", dir.file("r.json").string()},
                  out), 1);
    EXPECT_NE(out.find("nowhere"), std::string::npos) << out;
}

}  // namespace

#endif  // SL_SIGHTLINE_EXE
