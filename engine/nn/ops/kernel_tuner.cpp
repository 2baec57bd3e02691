#include "nn/ops/kernel_tuner.h"

#include "compute/cache_file.h"
#include "compute/platform.h"
#include "compute/program_cache.h"
#include "core/log.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <unistd.h>

namespace sl::nn {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kHeader = "sightline-kernel-tuning 1\n";

}  // namespace

KernelTuner::KernelTuner(const compute::DeviceInfo& device, std::string_view source,
                         fs::path directory, double budgetMs, bool measure)
    : budgetMs_(budgetMs), measure_(measure) {
    if (!directory.empty()) {
        std::string id = device.name + '\n' + device.driverVersion + '\n' +
                         device.platformVersion + '\n';
        id.append(source);
        stats_.path = directory / ("conv-tuning-" + compute::hex64(compute::fnv1a64(id)) + ".txt");
        load();
    }
}

bool KernelTuner::enabledByEnvironment() {
    const char* env = std::getenv("SIGHTLINE_KERNEL_TUNING");
    if (!env) return true;
    const std::string v = env;
    return !(v == "off" || v == "0" || v == "false");
}

void KernelTuner::load() {
    bool corrupt = false;
    const auto text = compute::readCacheFile(stats_.path, kHeader, &corrupt);
    if (corrupt) {
        logDebug("nn", "kernel tuning file " + stats_.path.string() +
                           " is corrupt; ignored, will be rewritten");
        dirty_ = true;
    }
    if (!text) return;   // first run on this device, or corrupt
    std::istringstream body(*text);
    std::string line;
    while (std::getline(body, line)) {
        const size_t tab = line.find('\t');
        if (tab != std::string::npos) choices_[line.substr(0, tab)] = line.substr(tab + 1);
    }
    stats_.fileLoaded = true;
    compute::markCacheFileUsed(stats_.path);   // kept by the kernel cache pruning
}

std::optional<std::string> KernelTuner::lookup(const std::string& layerClass) {
    auto it = choices_.find(layerClass);
    if (it == choices_.end()) return std::nullopt;
    ++stats_.fromCache;
    return it->second;
}

std::optional<std::string> KernelTuner::peek(const std::string& layerClass) const {
    auto it = choices_.find(layerClass);
    if (it == choices_.end()) return std::nullopt;
    return it->second;
}

void KernelTuner::record(const std::string& layerClass, const std::string& choice, double ms) {
    choices_[layerClass] = choice;
    stats_.tuneMs += ms;
    ++stats_.tuned;
    dirty_ = true;
}

Status KernelTuner::save() {
    if (!dirty_ || stats_.path.empty()) return Status::ok();
    std::string body;
    for (const auto& [k, v] : choices_) body += k + '\t' + v + '\n';
    if (Status st = compute::writeCacheFile(stats_.path, kHeader, body, "nn"); !st) {
        // Not fatal: the choices still apply to this session, the next one measures again.
        logDebug("nn", "kernel tuning file not written: " + st.message());
        return Status::ok();
    }
    dirty_ = false;
    return Status::ok();
}

}  // namespace sl::nn
