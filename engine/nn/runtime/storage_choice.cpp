#include "nn/runtime/storage_choice.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "compute/cache_file.h"
#include "compute/platform.h"
#include "compute/program_cache.h"
#include "core/log.h"
#include "nn/graph.h"

namespace sl::nn {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kHeader = "sightline-storage-choice 1\n";

}  // namespace

const char* storageName(Storage s) {
    switch (s) {
    case Storage::Fp32: return "fp32";
    case Storage::Fp16: return "fp16";
    case Storage::Auto: return "auto";
    }
    return "?";
}

Expected<Storage> parseStorage(const std::string& s) {
    if (s == "fp32" || s == "float32") return Storage::Fp32;
    if (s == "fp16" || s == "float16" || s == "half") return Storage::Fp16;
    if (s == "auto") return Storage::Auto;
    return Status(StatusCode::InvalidArgument,
                  "nn: unknown storage '" + s + "' (expected fp32, fp16 or auto)");
}

std::optional<Storage> storageFromEnvironment() {
    const char* env = std::getenv("SIGHTLINE_NN_STORAGE");
    if (!env || !*env) return std::nullopt;
    auto s = parseStorage(env);
    if (!s) {
        logWarning("nn", "$SIGHTLINE_NN_STORAGE ignored: " + s.status().message());
        return std::nullopt;
    }
    if (*s == Storage::Auto) return std::nullopt;
    return *s;
}

uint64_t modelChecksum(const Graph& graph) {
    std::string id;
    for (const Node& n : graph.nodes()) {
        id += n.desc.opType + '\n';
        for (const auto& [name, v] : n.desc.attributes.all()) id += name + ',';
        id += '\n';
    }
    uint64_t h = compute::fnv1a64(id);
    for (const Value& v : graph.values()) {
        std::string s = v.name + ':' + dtypeName(v.info.dtype) + ':' + shapeString(v.info.shape);
        h = compute::fnv1a64(s, h);
        if (v.constant && v.constant->bytes())
            h = compute::fnv1a64(std::string_view(static_cast<const char*>(v.constant->raw()),
                                                  v.constant->bytes()),
                                 h);
    }
    return h;
}

StorageChoiceCache::StorageChoiceCache(const compute::DeviceInfo& device, fs::path directory) {
    if (directory.empty()) return;
    const std::string id =
        device.name + '\n' + device.driverVersion + '\n' + device.platformVersion + '\n';
    path_ = directory / ("storage-choice-" + compute::hex64(compute::fnv1a64(id)) + ".txt");
    bool corrupt = false;
    if (auto body = compute::readCacheFile(path_, kHeader, &corrupt)) text_ = std::move(*body);
    else if (corrupt)
        logDebug("nn", "storage choice file " + path_.string() + " is corrupt; ignored");
}

std::optional<StorageChoice> StorageChoiceCache::lookup(uint64_t model) const {
    std::istringstream body(text_);
    std::string line;
    const std::string key = compute::hex64(model) + '\t';
    while (std::getline(body, line)) {
        if (line.rfind(key, 0) != 0) continue;
        std::istringstream fields(line.substr(key.size()));
        std::string name;
        StorageChoice c;
        if (!(fields >> name >> c.fp32Ms >> c.fp16Ms)) return std::nullopt;
        auto s = parseStorage(name);
        if (!s || *s == Storage::Auto) return std::nullopt;
        c.storage = *s;
        c.automatic = true;
        c.fromCache = true;
        return c;
    }
    return std::nullopt;
}

void StorageChoiceCache::record(uint64_t model, const StorageChoice& c) {
    if (path_.empty()) return;
    const std::string key = compute::hex64(model) + '\t';
    std::string body;
    std::istringstream old(text_);
    std::string line;
    while (std::getline(old, line))
        if (!line.empty() && line.rfind(key, 0) != 0) body += line + '\n';
    char times[64];
    std::snprintf(times, sizeof times, "\t%.3f\t%.3f", c.fp32Ms, c.fp16Ms);
    body += key + storageName(c.storage) + times + '\n';
    text_ = body;
    if (Status st = compute::writeCacheFile(path_, kHeader, body, "nn"); !st)
        logWarning("nn", "storage choice not cached: " + st.message());
}

}  // namespace sl::nn
