#pragma once
// ProgramCache: OpenCL programs built once per context in this process (memory) and once per
// device across runs (disk, as CL_PROGRAM_BINARIES).
//
// Disk files live in $XDG_CACHE_HOME/sightline/kernels (else ~/.cache/sightline/kernels), one per
// program, named "<name>-<key>.bin" where key = FNV-1a 64 of device name, driver version, platform
// version, build options and source: a new driver or an edited kernel gets a new file. Files are
// written atomically (temporary + fsync + rename) and carry a checksum; a file that is truncated,
// corrupt, or that the driver rejects (clBuildProgram on the binary fails) is deleted and the
// program is rebuilt from source, with a debug log. SIGHTLINE_KERNEL_CACHE=off disables the disk
// cache; SIGHTLINE_KERNEL_CACHE=<dir> moves it. A disk hit marks the file used; the first cache of
// a directory in the process prunes it (compute/cache_pruner.h: unused 30 days, size cap).
//
// A program missing on disk is built under a lock shared across processes (an OFD byte lock in
// <dir>/builds.lock): a second process that needs it at the same time (a kernel build helper,
// nn/runtime/build_helpers.h, or another sightline) waits, then reads the first one's file.
//
// Thread-safe. Every ComputeContext owns one (ComputeContext::programs()); tests build their own
// with a temporary directory.

#include "compute/cache_pruner.h"
#include "compute/cl_handles.h"
#include "core/status.h"

#include <CL/cl.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace sl::compute {

class ComputeContext;
struct DeviceInfo;

struct ProgramCacheOptions {
    bool diskEnabled = true;
    std::filesystem::path directory;   // empty: the XDG default above
    bool pruneOnStartup = true;        // prune `directory` once per process (cache_pruner.h)
    CachePruneOptions prune;

    // Defaults adjusted by $SIGHTLINE_KERNEL_CACHE ("off"/"0" disables; anything else is a dir).
    static ProgramCacheOptions fromEnvironment();
};

enum class ProgramOrigin { Memory, Disk, Source };
const char* programOriginName(ProgramOrigin o);   // "memory", "disk", "source"

struct ProgramCacheStats {
    int memoryHits = 0;
    int diskHits = 0;
    int sourceBuilds = 0;
    int diskWrites = 0;
    int diskRejected = 0;   // corrupt, stale or driver-rejected files (then rebuilt from source)
};

class ProgramCache {
public:
    explicit ProgramCache(ProgramCacheOptions options = ProgramCacheOptions::fromEnvironment());
    ~ProgramCache();
    ProgramCache(const ProgramCache&) = delete;
    ProgramCache& operator=(const ProgramCache&) = delete;

    // The built program for `source` with `buildOptions` on ctx's device. `name` labels logs,
    // errors and the disk file ("preprocess.cl"). The cache keeps the program; the returned
    // handle is borrowed and stays valid while this cache lives. A build failure returns
    // "compute: clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (name): <build log>".
    Expected<cl_program> get(const ComputeContext& ctx, std::string_view name,
                             std::string_view source, std::string_view buildOptions = {},
                             ProgramOrigin* origin = nullptr);

    // get() for a file embedded at build time (compute/embedded_kernels.h).
    Expected<cl_program> getEmbedded(const ComputeContext& ctx, std::string_view file,
                                     std::string_view buildOptions = {},
                                     ProgramOrigin* origin = nullptr);

    // A new kernel object (kernels are not shareable across threads: clSetKernelArg) from an
    // embedded file.
    Expected<ClKernel> kernel(const ComputeContext& ctx, std::string_view file,
                              std::string_view kernelName, std::string_view buildOptions = {});

    // Where the disk copy of this program lives (whether or not it exists yet).
    std::filesystem::path diskPath(const DeviceInfo& device, std::string_view name,
                                   std::string_view source, std::string_view buildOptions) const;

    ProgramCacheStats stats() const;
    const ProgramCacheOptions& options() const { return options_; }
    void clearMemory();   // drops in-memory programs (the next get() goes to disk)

private:
    Expected<ClProgram> loadFromDisk(const ComputeContext& ctx, const std::filesystem::path& path,
                                     uint64_t key, std::string_view name,
                                     std::string_view buildOptions);
    void saveToDisk(cl_program program, const std::filesystem::path& path, uint64_t key,
                    std::string_view name);

    ProgramCacheOptions options_;
    mutable std::mutex mutex_;
    std::map<std::string, ClProgram> programs_;   // key: context pointer + content key
    ProgramCacheStats stats_;
};

// FNV-1a 64, exposed for tests and other caches.
uint64_t fnv1a64(std::string_view data, uint64_t seed = 0xcbf29ce484222325ull);
// 16 lower-case hex digits: how the caches put a key in a file name.
std::string hex64(uint64_t v);

}  // namespace sl::compute
