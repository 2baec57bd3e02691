#pragma once
// Where float tensors live on the device (SessionOptions::storage) and the per-device "auto"
// decision: fp32 or fp16 storage, whichever ran the model faster, measured once and cached.
//
// The file is "<cache dir>/storage-choice-<key>.txt" next to the kernel tuning cache (the program
// cache's directory), key = FNV-1a 64 of device name, driver version and platform version. Lines
// "<model checksum>\t<fp32|fp16>\t<fp32 ms>\t<fp16 ms>" ended by a checksum line, written
// atomically (core/atomic_file.h); a torn or edited file is ignored (debug log) and rewritten.
// $SIGHTLINE_NN_STORAGE=fp32|fp16 overrides the "auto" decision (explicit options win over it).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/status.h"

namespace sl::compute {
struct DeviceInfo;
}

namespace sl::nn {

class Graph;

enum class Storage { Fp32, Fp16, Auto };
const char* storageName(Storage s);                    // "fp32", "fp16", "auto"
Expected<Storage> parseStorage(const std::string& s);   // the CLI's --storage values

// How a session's storage was chosen (Session::storageChoice()).
struct StorageChoice {
    Storage storage = Storage::Fp32;   // what runs (never Auto)
    bool automatic = false;            // options said auto
    bool measured = false;             // auto: measured in this session's creation
    bool fromCache = false;            // auto: read from the cache file
    bool fromEnvironment = false;      // auto: $SIGHTLINE_NN_STORAGE
    bool deferred = false;             // auto, measure = false, nothing cached: fp32 for now
    double fp32Ms = 0, fp16Ms = 0;     // the measured (or cached) medians, when known
};

// $SIGHTLINE_NN_STORAGE as fp32/fp16, nullopt when unset or "auto"; an unknown value is logged
// (warning) and ignored.
std::optional<Storage> storageFromEnvironment();

// A checksum of what decides the speed of a model: op types, attributes' names, value shapes and
// dtypes, and the constants' bytes.
uint64_t modelChecksum(const Graph& graph);

class StorageChoiceCache {
public:
    // Empty directory: nothing read or written.
    StorageChoiceCache(const compute::DeviceInfo& device, std::filesystem::path directory);
    std::optional<StorageChoice> lookup(uint64_t model) const;
    // Records and writes the file (a write failure is logged, not fatal).
    void record(uint64_t model, const StorageChoice& c);
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    std::string text_;   // the file's body lines, as read
};

}  // namespace sl::nn
