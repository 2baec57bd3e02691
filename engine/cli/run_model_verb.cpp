// `sightline run-model MODEL [--input NAME=FILE.npy ...] [--random-inputs SEED]
//  [--output-dir DIR] [--device opencl|cpu-ref] [--allow-cpu-fallback]
//  [--profile [--profile-runs N]] [--storage fp32|fp16|auto]`: runs a model once and writes every output as
// DIR/<output name>.npy. Storage (OpenCL) defaults to auto, the measured per-device choice.

#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "cli/cli.h"
#include "core/log.h"
#include "nn/npy.h"
#include "nn/onnx/onnx_importer.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"

namespace sl::cli {

namespace {

constexpr const char* kUsage =
    "sightline run-model MODEL [--input NAME=FILE.npy ...] [--random-inputs SEED]\n"
    "                   [--output-dir DIR] [--device opencl|cpu-ref] [--allow-cpu-fallback]\n"
    "                   [--profile [--profile-runs N]] [--no-optimize] [--storage fp32|fp16|auto]";

// Output names may contain '/' or ':'; a file name may not.
std::string fileNameFor(const std::string& name) {
    std::string s;
    for (char c : name)
        s += (std::isalnum(uint8_t(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
    return s.empty() ? "output" : s;
}

}  // namespace

int runRunModel(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    std::string model, outputDir = ".";
    std::map<std::string, std::string> inputFiles;
    bool random = false;
    int profileRuns = 5;
    uint64_t seed = 0;
    nn::SessionOptions options;
    options.storage = nn::Storage::Auto;   // the product default
    const auto usage = [&](const std::string& problem) {
        err << "sightline run-model: " << problem << "\nusage: " << kUsage << "\n";
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n";
            return kExitOk;
        } else if (a == "--input") {
            if (!hasValue) return usage("--input needs NAME=FILE.npy");
            const std::string& v = args[++i];
            const size_t eq = v.find('=');
            if (eq == std::string::npos || eq == 0) return usage("--input needs NAME=FILE.npy");
            inputFiles[v.substr(0, eq)] = v.substr(eq + 1);
        } else if (a == "--random-inputs") {
            if (!hasValue) return usage("--random-inputs needs a seed");
            try {
                seed = std::stoull(args[++i]);
            } catch (const std::exception&) {
                return usage("--random-inputs needs a number");
            }
            random = true;
        } else if (a == "--output-dir") {
            if (!hasValue) return usage("--output-dir needs a directory");
            outputDir = args[++i];
        } else if (a == "--device") {
            if (!hasValue) return usage("--device needs opencl or cpu-ref");
            auto d = nn::parseDevice(args[++i]);
            if (!d) return usage(d.status().message());
            options.device = *d;
        } else if (a == "--allow-cpu-fallback") {
            options.allowCpuFallback = true;
        } else if (a == "--profile") {
            options.profile = true;
        } else if (a == "--profile-runs") {
            if (!hasValue) return usage("--profile-runs needs a number");
            try {
                profileRuns = std::stoi(args[++i]);
            } catch (const std::exception&) {
                return usage("--profile-runs needs a number");
            }
            if (profileRuns < 1) return usage("--profile-runs must be at least 1");
        } else if (a == "--no-optimize") {
            options.optimize = false;
        } else if (a == "--storage") {
            if (!hasValue) return usage("--storage needs fp32, fp16 or auto");
            auto st = nn::parseStorage(args[++i]);
            if (!st) return usage(st.status().message());
            options.storage = *st;
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown option '" + a + "'");
        } else if (model.empty()) {
            model = a;
        } else {
            return usage("more than one model ('" + model + "', '" + a + "')");
        }
    }
    if (model.empty()) return usage("no model given");

    auto graph = nn::importOnnx(model);
    if (!graph) {
        err << "sightline run-model: " << graph.status().message() << "\n";
        return kExitFailure;
    }
    std::map<std::string, nn::Tensor> given;
    for (const auto& [name, file] : inputFiles) {
        auto t = nn::readNpy(file);
        if (!t) {
            err << "sightline run-model: " << t.status().message() << "\n";
            return kExitFailure;
        }
        // A file fixes the input's shape, resolving its dynamic dims.
        options.inputShapes[name] = t->shape();
        given[name] = std::move(*t);
    }
    auto session = nn::Session::create(std::move(*graph), options);
    if (!session) {
        err << "sightline run-model: " << session.status().message() << "\n";
        return kExitFailure;
    }
    nn::Session& s = **session;
    for (size_t i = 0; i < s.inputs().size(); ++i) {
        const nn::SessionIo& io = s.inputs()[i];
        auto it = given.find(io.name);
        if (it == given.end()) {
            if (!random) {
                err << "sightline run-model: input '" << io.name << "' ("
                    << nn::dtypeName(io.info.dtype) << " " << nn::shapeString(io.info.shape)
                    << ") not given; use --input " << io.name << "=FILE.npy or --random-inputs\n";
                return kExitFailure;
            }
            given[io.name] = nn::randomTensor(io.info, seed + i);
        } else if (it->second.dtype() != io.info.dtype) {
            err << "sightline run-model: input '" << io.name << "' must be "
                << nn::dtypeName(io.info.dtype) << ", '" << inputFiles[io.name] << "' holds "
                << nn::dtypeName(it->second.dtype()) << "\n";
            return kExitFailure;
        }
    }
    auto outputs = s.run(given);
    if (!outputs) {
        err << "sightline run-model: " << outputs.status().message() << "\n";
        return kExitFailure;
    }
    // The written outputs come from the first run; the profile is the per-node median of
    // --profile-runs runs after it (the first run pays one-time costs).
    std::vector<nn::Profile> profiles;
    for (int r = 0; options.profile && r < profileRuns; ++r) {
        auto again = s.run(given);
        if (!again) {
            err << "sightline run-model: " << again.status().message() << "\n";
            return kExitFailure;
        }
        profiles.push_back(s.lastProfile());
    }
    std::error_code ec;
    std::filesystem::create_directories(outputDir, ec);
    for (size_t i = 0; i < outputs->size(); ++i) {
        const auto path =
            std::filesystem::path(outputDir) / (fileNameFor(s.outputs()[i].name) + ".npy");
        if (Status st = nn::writeNpy(path, (*outputs)[i]); !st) {
            err << "sightline run-model: " << st.message() << "\n";
            return kExitFailure;
        }
        out << s.outputs()[i].name << ": " << nn::dtypeName((*outputs)[i].dtype()) << " "
            << nn::shapeString((*outputs)[i].shape()) << " -> " << path.string() << "\n";
    }
    if (s.device() == nn::Device::OpenCL)
        out << "storage: " << nn::storageName(s.storage()) << "\n";
    if (options.profile) {
        out << "profile (" << nn::deviceName(s.device()) << ", " << s.passReport().text()
            << "; per-node median of " << profileRuns << " runs after the first):\n"
            << nn::medianProfile(profiles).format();
        if (s.device() == nn::Device::OpenCL)
            out << "device memory: activations " << s.memory().arenaBytes
                << " bytes (without reuse " << s.memory().naiveBytes << "), constants "
                << s.memory().weightsBytes << "; concats in place "
                << s.memory().inPlaceConcats << "\n";
    }
    return kExitOk;
}

int runRunModel(std::span<const std::string> args) {
    return runRunModel(args, std::cout, std::cerr);
}

}  // namespace sl::cli
