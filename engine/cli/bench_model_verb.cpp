// `sightline bench-model MODEL [--iterations N] [--warmup N] [--device opencl|cpu-ref]
//  [--allow-cpu-fallback] [--storage fp32|fp16|auto]`: latency of one inference on random inputs
// (warm-up runs first, then N timed runs: median and min), the storage that ran (auto: which one
// and how it was chosen) and the planned peak device memory.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"

namespace sl::cli {

namespace {
constexpr const char* kUsage =
    "sightline bench-model MODEL [--iterations N] [--warmup N] [--device opencl|cpu-ref]\n"
    "                     [--allow-cpu-fallback] [--storage fp32|fp16|auto]";
}

int runBenchModel(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    std::string model;
    int iterations = 20, warmup = 3;
    nn::SessionOptions options;
    options.storage = nn::Storage::Auto;   // the product default
    const auto usage = [&](const std::string& problem) {
        err << "sightline bench-model: " << problem << "\nusage: " << kUsage << "\n";
        return kExitUsage;
    };
    const auto number = [&](size_t& i, int& dst, int min) {
        if (i + 1 >= args.size()) return false;
        try {
            dst = std::stoi(args[++i]);
        } catch (const std::exception&) {
            return false;
        }
        return dst >= min;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n";
            return kExitOk;
        } else if (a == "--iterations") {
            if (!number(i, iterations, 1)) return usage("--iterations needs a number >= 1");
        } else if (a == "--warmup") {
            if (!number(i, warmup, 0)) return usage("--warmup needs a number >= 0");
        } else if (a == "--device") {
            if (i + 1 >= args.size()) return usage("--device needs opencl or cpu-ref");
            auto d = nn::parseDevice(args[++i]);
            if (!d) return usage(d.status().message());
            options.device = *d;
        } else if (a == "--allow-cpu-fallback") {
            options.allowCpuFallback = true;
        } else if (a == "--storage") {
            if (i + 1 >= args.size()) return usage("--storage needs fp32, fp16 or auto");
            auto st = nn::parseStorage(args[++i]);
            if (!st) return usage(st.status().message());
            options.storage = *st;
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown option '" + a + "'");
        } else if (model.empty()) {
            model = a;
        } else {
            return usage("more than one model");
        }
    }
    if (model.empty()) return usage("no model given");
    auto session = nn::Session::load(model, options);
    if (!session) {
        err << "sightline bench-model: " << session.status().message() << "\n";
        return kExitFailure;
    }
    nn::Session& s = **session;
    std::vector<nn::Tensor> inputs;
    for (size_t i = 0; i < s.inputs().size(); ++i)
        inputs.push_back(nn::randomTensor(s.inputs()[i].info, 1 + i));
    std::vector<double> ms;
    for (int i = 0; i < warmup + iterations; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = s.run(inputs);
        const double t = std::chrono::duration<double, std::milli>(
                             std::chrono::steady_clock::now() - t0).count();
        if (!r) {
            err << "sightline bench-model: " << r.status().message() << "\n";
            return kExitFailure;
        }
        if (i >= warmup) ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms.size() % 2 ? ms[ms.size() / 2]
                                        : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
    char line[256];
    std::snprintf(line, sizeof line,
                  "%s on %s: %d iterations after %d warm-up: median %.3f ms, min %.3f ms\n",
                  model.c_str(), nn::deviceName(s.device()), iterations, warmup, median,
                  ms.front());
    out << line;
    if (s.device() == nn::Device::OpenCL) {
        const nn::StorageChoice& c = s.storageChoice();
        out << "storage: " << nn::storageName(s.storage());
        if (c.fromEnvironment) out << " (auto: $SIGHTLINE_NN_STORAGE)";
        else if (c.measured || c.fromCache) {
            std::snprintf(line, sizeof line, " (auto, %s: fp32 %.3f ms, fp16 %.3f ms)",
                          c.measured ? "measured" : "cached", c.fp32Ms, c.fp16Ms);
            out << line;
        }
        out << "\n";
    }
    if (s.device() == nn::Device::OpenCL)
        out << "peak device memory: " << s.memory().peakDeviceBytes() << " bytes (activations "
            << s.memory().arenaBytes << ", without reuse " << s.memory().naiveBytes
            << "; constants " << s.memory().weightsBytes << ")\n";
    if (s.cpuFallbackNodes())
        out << s.cpuFallbackNodes() << " nodes ran on the CPU reference\n";
    return kExitOk;
}

int runBenchModel(std::span<const std::string> args) {
    return runBenchModel(args, std::cout, std::cerr);
}

}  // namespace sl::cli
