// `sightline prepare [MODEL ...] [--cl-device SEL] [--json]`: measures, once per device, what the
// detectors leave on defaults so that nothing interactive waits for it (nn/runtime/preparation.h):
// every conv layer class's kernel choice and, for storage auto, fp32 against fp16. With no MODEL,
// every installed model. A progress bar on a terminal; one summary line per model. Another
// process preparing the same device is waited for (said first), not repeated: its choices are
// cached by the time the lock comes, so this one then measures only what is left.

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "compute/cl_context.h"
#include "compute/platform.h"
#include "models/model_store.h"
#include "nn/runtime/preparation.h"

namespace sl::cli {
namespace {

constexpr const char* kUsage =
    "sightline prepare [MODEL ...] [--cl-device N|P:D|NAME] [--json]\n"
    "                  (MODEL: an installed name or an .onnx path; none: every installed model)";

void drawBar(const std::string& model, const nn::PrepareProgress& p) {
    const int width = 24;
    const int total = std::max(p.layersTotal, 1);
    const int filled = width * std::min(p.layers, total) / total;
    std::fprintf(stderr, "\r%s %s (%d/%d) [%s%s] layer %d/%d  kernels %d  classes measured %d ",
                 model.c_str(), p.stage, p.pass, p.passes,
                 std::string(size_t(filled), '#').c_str(),
                 std::string(size_t(width - filled), '.').c_str(), p.layers, p.layersTotal,
                 p.kernelsBuilt, p.classesMeasured);
    std::fflush(stderr);
}

}  // namespace

int runPrepare(std::span<const std::string> args) {
    std::vector<std::string> names;
    std::string selector;
    bool json = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--json") json = true;
        else if (a == "--cl-device" && i + 1 < args.size()) selector = args[++i];
        else if (a == "-h" || a == "--help") return std::cout << "usage: " << kUsage << "\n", 0;
        else if (!a.empty() && a[0] == '-') {
            std::cerr << "prepare: unknown option '" << a << "'\nusage: " << kUsage << "\n";
            return 2;
        } else names.push_back(a);
    }
    const models::ModelStore store;
    if (names.empty()) {
        for (const auto& m : store.list()) names.push_back(m.name);
        if (names.empty()) {
            std::cerr << "prepare: no models installed (sightline models install "
                      << models::kDefaultModel << ")\n";
            return 1;
        }
    }
    std::vector<models::InstalledModel> resolved;
    for (const std::string& n : names) {
        auto m = store.resolve(n);
        if (!m) {
            std::cerr << "prepare: " << m.status().message() << "\n";
            return 1;
        }
        resolved.push_back(*m);
    }
    auto ctx = compute::ComputeContext::create(selector);
    if (!ctx) {
        std::cerr << "prepare: " << ctx.status().message() << "\n";
        return 1;
    }
    const std::string device = ctx->info().name;
    const bool tty = ::isatty(2) == 1;
    nlohmann::json rows = nlohmann::json::array();
    for (size_t k = 0; k < resolved.size(); ++k) {
        const std::string& name = names[k];
        nn::PrepareModelOptions o;
        o.session.compute = &*ctx;
        o.waitForLock = true;
        o.onBusy = [&] {
            std::cerr << "prepare: another process is preparing " << device
                      << "; waiting for it (its measurements are kept, not repeated)\n";
        };
        if (tty) o.session.onProgress = [&](const nn::PrepareProgress& p) { drawBar(name, p); };
        else std::cerr << "prepare: " << name << " on " << device << "...\n";
        auto r = nn::prepareModel(resolved[k].weights, o);
        if (tty) std::fprintf(stderr, "\r\033[K");
        if (!r) {
            std::cerr << "prepare: " << r.status().message() << "\n";
            return 1;
        }
        if (r->cacheDisabled) {
            std::cerr << "prepare: the kernel cache is off ($SIGHTLINE_KERNEL_CACHE): nothing "
                         "measured could be kept\n";
            return 1;
        }
        const nn::StorageChoice& s = r->storage;
        std::string storage = nn::storageName(s.storage);
        if (s.measured || s.fromCache) {
            char line[96];
            std::snprintf(line, sizeof line, " (fp32 %.2f ms, fp16 %.2f ms%s)", s.fp32Ms,
                          s.fp16Ms, s.measured ? "" : ", cached");
            storage += line;
        } else if (s.fromEnvironment) {
            storage += " ($SIGHTLINE_NN_STORAGE)";
        }
        if (json) {
            rows.push_back({{"model", name},
                            {"device", device},
                            {"classes_measured", r->classesMeasured},
                            {"layers_cached", r->classesCached},
                            {"storage", nn::storageName(s.storage)},
                            {"storage_measured", s.measured},
                            {"fp32_ms", s.fp32Ms},
                            {"fp16_ms", s.fp16Ms},
                            {"seconds", r->ms / 1000}});
        } else {
            char secs[32];
            std::snprintf(secs, sizeof secs, "%.1f s", r->ms / 1000);
            std::cout << name << " on " << device << ": " << r->classesMeasured
                      << " conv classes measured, " << r->classesCached
                      << " layers from the cache; storage " << storage << "; " << secs << "\n";
        }
    }
    if (json) std::cout << rows.dump(2) << "\n";
    return 0;
}

}  // namespace sl::cli
