// bench_model: YOLOX-Nano 416x416 inference latency on the engine's OpenCL path (and its CPU
// reference for scale) versus OpenCV's DNN module on the same model in the same run. OpenCV runs
// in a child Python process (bench/opencv_dnn_bench.py, Debian python3-opencv), so the build
// never links OpenCV. Warm-up runs first, then N timed runs; medians are compared.
// The engine's OpenCL path runs twice, fp32 and fp16 storage (SessionOptions::storage), side by
// side; with --opencv-opencl the peer also runs OpenCV's OpenCL and OpenCL-FP16 targets.
//
// usage: bench_model [MODEL.onnx] [--runs N] [--warmup N] [--no-reference] [--no-opencv]
//                    [--opencv-opencl] [--tune-budget MS] [--no-blk] [--dw-ab]
//                    [--batch-sweep [--fp16] [--profile]]
//   --tune-budget: the sessions' kernel tuning budget (SessionOptions::tuningBudgetMs), so a
//   benchmark after a kernel edit can measure every layer in one session on a loaded machine.
//   --no-blk: without the packed-weight 1x1 kernel conv1x1_blk (ConvTuning::blk), to compare.
//   --dw-ab: instead, the OpenCL sessions with and without conv_dw_plane (ConvTuning::dwPlane)
//   side by side, runs alternating between them (both storages), medians and ratios.
//   --batch-sweep: instead, OpenCL sessions at batch 1, 2 and 4 (SessionOptions::batch, fp32
//   storage; --fp16 for half) side by side, runs alternating between them: per-frame medians,
//   their ratios to batch 1, the device memory of each, and what a partial batch costs;
//   --profile adds per-op-type device time per frame at each batch.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "bench_util.h"
#include "nn/ops/conv.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"

namespace fs = std::filesystem;
using namespace sl;

namespace {

struct Peer {
    bool ok = false;
    double medianMs = 0, minMs = 0;
    std::string line;
};

// Runs the OpenCV peer script and parses its one-line report.
Peer runOpenCv(const fs::path& script, const fs::path& model, int warmup, int runs,
               const std::string& target) {
    Peer p;
    // Debian's python3-opencv is installed for the system interpreter, which a user's PATH may
    // shadow (pyenv, venv): prefer /usr/bin/python3.
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const std::string cmd = python + " '" + script.string() + "' '" + model.string() +
                            "' 416 416 " + std::to_string(warmup) + " " + std::to_string(runs) +
                            " " + target + " 2>&1";
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) return p;
    char buf[1024];
    while (std::fgets(buf, sizeof buf, f)) p.line += buf;
    const int rc = pclose(f);
    const size_t m = p.line.find("median_ms="), n = p.line.find("min_ms=");
    if (rc == 0 && m != std::string::npos && n != std::string::npos) {
        p.medianMs = std::atof(p.line.c_str() + m + 10);
        p.minMs = std::atof(p.line.c_str() + n + 7);
        p.ok = true;
    }
    while (!p.line.empty() && p.line.back() == '\n') p.line.pop_back();
    return p;
}

// The sessions with and without conv_dw_plane, prepared one after the other (the kernel choice
// is made at preparation), then run alternately so that both see the same machine load.
int dwAb(const fs::path& model, int warmup, int runs, double tuneBudgetMs) {
    for (nn::Storage storage : {nn::Storage::Fp32, nn::Storage::Fp16}) {
        std::unique_ptr<nn::Session> s[2];
        for (int i = 0; i < 2; ++i) {
            nn::convTuning().dwPlane = i == 1;
            nn::SessionOptions o;
            o.storage = storage;
            if (tuneBudgetMs >= 0) o.tuningBudgetMs = tuneBudgetMs;
            auto loaded = nn::Session::load(model, o);
            if (!loaded) {
                std::cerr << "bench_model: " << loaded.status().message() << "\n";
                return 1;
            }
            s[i] = std::move(*loaded);
        }
        nn::convTuning() = nn::ConvTuning{};
        const nn::Tensor input = nn::randomTensor(s[0]->inputs()[0].info, 42, 0.f, 255.f);
        const std::vector<nn::Tensor> in = {input};
        std::vector<double> ms[2];
        bool failed = false;
        for (int r = 0; r < warmup + runs; ++r)
            for (int i = 0; i < 2; ++i) {
                const auto t = bench::timeRuns(0, 1, [&] {
                    if (!s[i]->run(in)) failed = true;
                });
                if (r >= warmup) ms[i].push_back(t[0]);
            }
        if (failed) {
            std::cerr << "bench_model: a run failed\n";
            return 1;
        }
        const bench::Stats a = bench::summarize(ms[0]), b = bench::summarize(ms[1]);
        const std::string st = nn::storageName(storage);
        bench::printRow({"opencl " + st + ", row dw kernels", bench::fixed(a.median),
                         bench::fixed(a.min), bench::fixed(a.max)},
                        {34, 12, 12, 12});
        bench::printRow({"opencl " + st + ", conv_dw_plane", bench::fixed(b.median),
                         bench::fixed(b.min), bench::fixed(b.max)},
                        {34, 12, 12, 12});
        std::printf("  ratio plane / rows (median): %.3f\n", b.median / a.median);
    }
    return 0;
}

// Sessions at batch 1, 2, 4 prepared one after the other, then run in rounds (one run of each per
// round) so that all see the same machine load; per-frame time = run time / batch.
int batchSweep(const fs::path& model, int warmup, int runs, double tuneBudgetMs,
               nn::Storage storage, bool profile) {
    const int batches[] = {1, 2, 4};
    std::unique_ptr<nn::Session> s[3];
    std::vector<nn::Tensor> in[3];
    for (int i = 0; i < 3; ++i) {
        nn::SessionOptions o;
        o.storage = storage;
        o.batch = batches[i];
        o.profile = profile;
        if (tuneBudgetMs >= 0) o.tuningBudgetMs = tuneBudgetMs;
        auto loaded = nn::Session::load(model, o);
        if (!loaded) {
            std::cerr << "bench_model: " << loaded.status().message() << "\n";
            return 1;
        }
        s[i] = std::move(*loaded);
        in[i] = {nn::randomTensor(s[i]->inputs()[0].info, 42, 0.f, 255.f)};
    }
    std::vector<double> ms[3];
    std::vector<nn::Profile> profiles[3];
    bool failed = false;
    for (int r = 0; r < warmup + runs; ++r)
        for (int i = 0; i < 3; ++i) {
            const auto t = bench::timeRuns(0, 1, [&] {
                if (!s[i]->run(in[i])) failed = true;
            });
            if (r >= warmup) ms[i].push_back(t[0]);
            if (r >= warmup && profile) profiles[i].push_back(s[i]->lastProfile());
        }
    if (failed) {
        std::cerr << "bench_model: a run failed\n";
        return 1;
    }
    std::printf("batch sweep, opencl %s storage (medians of %d runs each, interleaved)\n",
                nn::storageName(storage), runs);
    bench::printRow({"batch", "run ms", "per-frame ms", "min/frame", "ratio/frame", "arena MiB",
                     "weights MiB"},
                    {8, 12, 14, 12, 13, 12, 12});
    bench::Stats st[3];
    for (int i = 0; i < 3; ++i) st[i] = bench::summarize(ms[i]);
    for (int i = 0; i < 3; ++i) {
        const double n = batches[i];
        const nn::MemoryStats m = s[i]->memory();
        bench::printRow({std::to_string(batches[i]), bench::fixed(st[i].median),
                         bench::fixed(st[i].median / n), bench::fixed(st[i].min / n),
                         bench::fixed((st[i].median / n) / st[0].median, 3),
                         bench::fixed(m.arenaBytes / 1048576.0),
                         bench::fixed(m.weightsBytes / 1048576.0)},
                        {8, 12, 14, 12, 13, 12, 12});
    }
    if (profile) {
        // Per op type, device ms per frame (medians per node), batch N against batch 1.
        std::map<std::string, double> perType[3];
        for (int i = 0; i < 3; ++i)
            for (const nn::NodeTiming& t : nn::medianProfile(profiles[i]).nodes)
                perType[i][t.opType] += t.ms / batches[i];
        std::printf("  per op type, ms per frame (profiled runs: markers after every node)\n");
        for (const auto& [type, ms1] : perType[0])
            std::printf("  %-14s %8.2f %8.2f %8.2f\n", type.c_str(), ms1, perType[1][type],
                        perType[2][type]);
        for (const auto& [type, ms4] : perType[2])
            if (!perType[0].count(type))
                std::printf("  %-14s %8s %8.2f %8.2f\n", type.c_str(), "-", perType[1][type],
                            ms4);
    }
    // A partial batch of k frames: one padded batch-4 run, or k batch-1 runs.
    for (int k = 1; k < 4; ++k)
        std::printf("  partial batch of %d: padded batch-4 run %.2f ms, %d batch-1 runs %.2f ms "
                    "(%s)\n",
                    k, st[2].median, k, k * st[0].median,
                    st[2].median <= k * st[0].median ? "pad" : "singles");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    fs::path model = fs::path(SL_BENCH_SHARED_DIR) / "models" / "yolox_nano.onnx";
    int runs = 20, warmup = 3;
    bool reference = true, opencv = true, opencvOpenCl = false, dwAbMode = false;
    bool sweepMode = false, sweepProfile = false;
    nn::Storage sweepStorage = nn::Storage::Fp32;
    double tuneBudgetMs = -1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
        else if (a == "--warmup" && i + 1 < argc) warmup = std::max(0, std::atoi(argv[++i]));
        else if (a == "--no-reference") reference = false;
        else if (a == "--no-opencv") opencv = false;
        else if (a == "--opencv-opencl") opencvOpenCl = true;
        else if (a == "--dw-ab") dwAbMode = true;
        else if (a == "--batch-sweep") sweepMode = true;
        else if (a == "--fp16") sweepStorage = nn::Storage::Fp16;
        else if (a == "--profile") sweepProfile = true;
        else if (a == "--tune-budget" && i + 1 < argc) tuneBudgetMs = std::atof(argv[++i]);
        else if (a == "--no-blk") nn::convTuning().blk = false;
        else if (a[0] != '-') model = a;
        else {
            std::cerr << "usage: bench_model [MODEL.onnx] [--runs N] [--warmup N] "
                         "[--no-reference] [--no-opencv] [--opencv-opencl] "
                         "[--tune-budget MS] [--no-blk] [--dw-ab] [--batch-sweep [--fp16] [--profile]]\n";
            return 2;
        }
    }
    std::printf("model %s, input 1x3x416x416, %d warm-up + %d timed runs\n",
                model.filename().string().c_str(), warmup, runs);
    if (sweepMode) return batchSweep(model, warmup, runs, tuneBudgetMs, sweepStorage, sweepProfile);
    const std::vector<int> widths = {34, 12, 12, 12};
    bench::printRow({"path", "median ms", "min ms", "max ms"}, widths);
    if (dwAbMode) return dwAb(model, warmup, runs, tuneBudgetMs);

    double oursMs = 0, fp32Ms = 0, fp16Ms = 0;
    struct Config {
        nn::Device device;
        nn::Storage storage;
    };
    for (const Config& c : {Config{nn::Device::OpenCL, nn::Storage::Fp32},
                            Config{nn::Device::OpenCL, nn::Storage::Fp16},
                            Config{nn::Device::CpuReference, nn::Storage::Fp32}}) {
        const nn::Device d = c.device;
        if (d == nn::Device::CpuReference && !reference) continue;
        nn::SessionOptions o;
        o.device = d;
        o.storage = c.storage;
        if (tuneBudgetMs >= 0) o.tuningBudgetMs = tuneBudgetMs;
        auto s = nn::Session::load(model, o);
        if (!s) {
            std::cerr << "bench_model: " << s.status().message() << "\n";
            return 1;
        }
        const nn::Tensor input = nn::randomTensor((*s)->inputs()[0].info, 42, 0.f, 255.f);
        const std::vector<nn::Tensor> in = {input};
        bool failed = false;
        // The reference is slow and only gives scale: fewer runs.
        const int n = d == nn::Device::OpenCL ? runs : std::min(runs, 3);
        const auto times = bench::timeRuns(d == nn::Device::OpenCL ? warmup : 1, n, [&] {
            if (!(*s)->run(in)) failed = true;
        });
        if (failed) {
            std::cerr << "bench_model: a run failed on " << nn::deviceName(d) << "\n";
            return 1;
        }
        const bench::Stats st = bench::summarize(times);
        const std::string name = std::string("sightline ") + nn::deviceName(d) +
                                 (d == nn::Device::OpenCL
                                      ? std::string(" ") + nn::storageName(c.storage) + " storage"
                                      : std::string());
        bench::printRow({name, bench::fixed(st.median),
                         bench::fixed(st.min), bench::fixed(st.max)},
                        widths);
        if (d == nn::Device::OpenCL) {
            (c.storage == nn::Storage::Fp16 ? fp16Ms : fp32Ms) = st.median;
            oursMs = std::min(fp32Ms, fp16Ms > 0 ? fp16Ms : fp32Ms);
            const nn::MemoryStats m = (*s)->memory();
            const nn::TuningStats& tu = (*s)->tuning();
            if (tu.path.empty() && !tu.fromCache && !tu.tuned && !tu.untuned)
                std::printf("  kernel tuning: off (fixed defaults)\n");
            else
                std::printf("  kernel tuning: %d conv layers from the cache%s, %d measured now "
                        "(%.0f ms), %d on defaults; file %s\n",
                        tu.fromCache, tu.fileLoaded ? "" : " (no cache file yet)", tu.tuned,
                        tu.tuneMs, tu.untuned, tu.path.empty() ? "-" : tu.path.c_str());
            std::printf("  peak device memory %.2f MiB (activations %.2f MiB, %.2f MiB without "
                        "reuse; constants %.2f MiB)\n",
                        m.peakDeviceBytes() / 1048576.0, m.arenaBytes / 1048576.0,
                        m.naiveBytes / 1048576.0, m.weightsBytes / 1048576.0);
        }
    }
    std::printf("ratio sightline opencl fp16 / fp32 storage (median): %.2fx (%s)\n",
                fp16Ms / fp32Ms, fp16Ms < fp32Ms ? "fp16 faster" : "fp32 faster");
    if (opencv && opencvOpenCl) {
        const fs::path script = fs::path(SL_BENCH_SOURCE_DIR) / "opencv_dnn_bench.py";
        double cvMs[2] = {0, 0};
        const char* targets[2] = {"opencl", "opencl_fp16"};
        for (int t = 0; t < 2; ++t) {
            const Peer p = runOpenCv(script, model, warmup, runs, targets[t]);
            if (!p.ok) {
                std::printf("OpenCV DNN %s peer failed: %s\n", targets[t], p.line.c_str());
                continue;
            }
            cvMs[t] = p.medianMs;
            bench::printRow({std::string("opencv dnn ") + targets[t], bench::fixed(p.medianMs),
                             bench::fixed(p.minMs), "-"},
                            widths);
            std::printf("  %s\n", p.line.c_str());
            // OpenCV 4.6 runs its OpenCL targets on GPUs only and silently uses its CPU path
            // elsewhere (a warning on stderr): say so next to the number.
            if (p.line.find("switching to CPU") != std::string::npos)
                std::printf("  (OpenCV ran this on its CPU path: no GPU OpenCL device)\n");
        }
        if (cvMs[0] > 0 && cvMs[1] > 0)
            std::printf("ratio opencv opencl fp16 / fp32 (median): %.2fx\n", cvMs[1] / cvMs[0]);
        if (cvMs[0] > 0)
            std::printf("ratio sightline / opencv, opencl fp32 (median): %.2fx\n",
                        fp32Ms / cvMs[0]);
        if (cvMs[1] > 0)
            std::printf("ratio sightline / opencv, opencl fp16 (median): %.2fx\n",
                        fp16Ms / cvMs[1]);
    }
    if (opencv) {
        const fs::path script = fs::path(SL_BENCH_SOURCE_DIR) / "opencv_dnn_bench.py";
        const Peer p = runOpenCv(script, model, warmup, runs, "cpu");
        if (!p.ok) {
            std::printf("OpenCV DNN peer unavailable (install python3-opencv): %s\n",
                        p.line.c_str());
        } else {
            bench::printRow({"opencv dnn (cpu, python3-opencv)", bench::fixed(p.medianMs),
                             bench::fixed(p.minMs), "-"},
                            widths);
            std::printf("  %s\n", p.line.c_str());
            std::printf("ratio sightline opencl (faster storage) / opencv dnn cpu (median): "
                        "%.2fx (%s)\n",
                        oursMs / p.medianMs, oursMs <= p.medianMs ? "sightline faster"
                                                                   : "opencv faster");
        }
    }
    return 0;
}
