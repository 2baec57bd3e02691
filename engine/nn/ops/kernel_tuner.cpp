#include "nn/ops/kernel_tuner.h"

#include "compute/platform.h"
#include "compute/program_cache.h"
#include "core/atomic_file.h"
#include "core/log.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace sl::nn {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kHeader = "sightline-kernel-tuning 1\n";

}  // namespace

KernelTuner::KernelTuner(const compute::DeviceInfo& device, std::string_view source,
                         fs::path directory, double budgetMs)
    : budgetMs_(budgetMs) {
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
    std::ifstream f(stats_.path, std::ios::binary);
    if (!f) return;   // first run on this device
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    // Body, then "checksum <hex>\n" over the body: a torn or edited file fails the check.
    const size_t cut = text.rfind("checksum ");
    const bool ok =
        cut != std::string::npos && text.compare(0, kHeader.size(), kHeader) == 0 &&
        text.substr(cut) ==
            "checksum " + compute::hex64(compute::fnv1a64(text.substr(0, cut))) + "\n";
    if (!ok) {
        logDebug("nn", "kernel tuning file " + stats_.path.string() +
                           " is corrupt; ignored, will be rewritten");
        dirty_ = true;
        return;
    }
    std::istringstream body(text.substr(kHeader.size(), cut - kHeader.size()));
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
    std::string body(kHeader);
    for (const auto& [k, v] : choices_) body += k + '\t' + v + '\n';
    body += "checksum " + compute::hex64(compute::fnv1a64(body)) + "\n";
    std::error_code ec;
    fs::create_directories(stats_.path.parent_path(), ec);
    // A concurrent reader sees the old file or the new one, never half.
    if (Status st = writeFileAtomic(stats_.path, body, "nn"); !st) {
        // Not fatal: the choices still apply to this session, the next one measures again.
        logDebug("nn", "kernel tuning file not written: " + st.message());
        return Status::ok();
    }
    dirty_ = false;
    return Status::ok();
}

}  // namespace sl::nn
