#pragma once
// Pruning of the kernel cache directory ($XDG_CACHE_HOME/sightline/kernels): the OpenCL program
// binaries (ProgramCache, "<name>-<16 hex>.bin") and the conv tuning files (nn::KernelTuner,
// "conv-tuning-<16 hex>.txt") get a new name for every driver, device or kernel edit, so without
// pruning the directory only grows.
//
// Use is recorded in the file's modification time: the caches rewrite or touch (markCacheFileUsed)
// a file whenever they use it; access times are not used because relatime/noatime mounts do not
// keep them. At startup (the first ProgramCache of a directory in the process):
//   1. cache files not used for maxAge (30 days) are removed;
//   2. leftover temporaries of interrupted atomic writes (".<cache file>.tmp-*") older than
//      tempMaxAge are removed;
//   3. while the cache files together exceed maxBytes, the least recently used is removed.
// Only files with the caches' own name patterns are considered: a directory set with
// $SIGHTLINE_KERNEL_CACHE may hold other files, and those are never touched. Removals are logged
// (info), one line per prune; a file that cannot be removed is logged and skipped.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sl::compute {

struct CachePruneOptions {
    std::chrono::seconds maxAge = std::chrono::hours(24 * 30);
    uintmax_t maxBytes = uintmax_t(512) << 20;
    std::chrono::seconds tempMaxAge = std::chrono::hours(1);
};

struct CachePruneReport {
    int cacheFiles = 0;           // cache files found (before pruning)
    int removedUnused = 0;        // not used for maxAge
    int removedForSize = 0;       // least recently used, to get under maxBytes
    int removedTemporaries = 0;   // stale temporaries
    uintmax_t bytesBefore = 0;    // cache files only
    uintmax_t bytesAfter = 0;
    std::vector<std::filesystem::path> removed;
};

// Whether `filename` is one of the caches' files (or a temporary of one).
bool isCacheFileName(const std::string& filename);
bool isCacheTemporaryName(const std::string& filename);

// Records a use: the file's modification time becomes now. Failure (read-only cache) is logged
// at debug level; the file is then pruned by age as if unused.
void markCacheFileUsed(const std::filesystem::path& file);

// Prunes `directory` as described above; `now` is a parameter for tests. A missing directory is
// an empty cache.
CachePruneReport pruneCacheDirectory(
    const std::filesystem::path& directory, const CachePruneOptions& options,
    std::filesystem::file_time_type now = std::filesystem::file_time_type::clock::now());

// pruneCacheDirectory once per directory per process (every ComputeContext owns a ProgramCache;
// only the first prunes). Returns whether this call pruned.
bool pruneCacheDirectoryOnce(const std::filesystem::path& directory,
                             const CachePruneOptions& options);

}  // namespace sl::compute
