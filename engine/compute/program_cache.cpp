#include "compute/program_cache.h"

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/embedded_kernels.h"
#include "core/atomic_file.h"
#include "core/log.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace sl::compute {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[8] = {'S', 'L', 'C', 'L', 'B', 'I', 'N', '1'};
constexpr size_t kHeaderSize = 8 + 3 * sizeof(uint64_t);   // magic, key, payload size, checksum

uint64_t contentKey(const DeviceInfo& d, std::string_view source, std::string_view options) {
    uint64_t h = fnv1a64(d.name);
    // Separators keep ("ab","c") and ("a","bc") apart.
    for (std::string_view part : {std::string_view(d.driverVersion),
                                  std::string_view(d.platformVersion), options, source}) {
        h = fnv1a64("\x1f", h);
        h = fnv1a64(part, h);
    }
    return h;
}

// Held while one program is built from source, across processes (a session's build helpers,
// two sightline processes starting together): an open-file-description byte lock on
// <dir>/builds.lock at an offset taken from the program's key, so one lock file serves every
// program and a killed holder releases it with its descriptors. Two keys on one offset only
// wait for each other. Where the lock cannot be had (read-only directory) the build goes ahead
// unlocked: a duplicate build, never a wrong one, as files are replaced atomically.
class BuildLock {
public:
    BuildLock(const fs::path& dir, uint64_t key) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        fd_ = ::open((dir / "builds.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) return;
        struct flock fl {};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        fl.l_start = off_t(key % (1u << 30));
        fl.l_len = 1;
        int rc;
        while ((rc = ::fcntl(fd_, F_OFD_SETLKW, &fl)) != 0 && errno == EINTR) {
        }
        if (rc != 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }
    ~BuildLock() {
        if (fd_ >= 0) ::close(fd_);   // releases the lock
    }
    BuildLock(const BuildLock&) = delete;
    BuildLock& operator=(const BuildLock&) = delete;

private:
    int fd_ = -1;
};

std::string buildLog(cl_program program, cl_device_id device) {
    size_t size = 0;
    if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) !=
            CL_SUCCESS || size == 0)
        return "(no build log)";
    std::string log(size, '\0');
    clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
    while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
    return log.empty() ? "(empty build log)" : log;
}

// Status for a failed clBuildProgram, with the build log.
Status buildFailure(cl_int err, cl_program program, cl_device_id device, std::string_view name) {
    return Status(clStatusCode(err) == StatusCode::Internal ? StatusCode::InvalidData
                                                            : clStatusCode(err),
                  std::string("compute: clBuildProgram failed: ") + clErrorName(err) + " (" +
                      std::string(name) + "): " + buildLog(program, device));
}

void putU64(std::string& s, uint64_t v) { s.append(reinterpret_cast<const char*>(&v), 8); }
uint64_t getU64(const std::string& s, size_t at) {
    uint64_t v = 0;
    std::memcpy(&v, s.data() + at, 8);
    return v;
}

}  // namespace

std::string hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

uint64_t fnv1a64(std::string_view data, uint64_t seed) {
    uint64_t h = seed;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

const char* programOriginName(ProgramOrigin o) {
    switch (o) {
    case ProgramOrigin::Memory: return "memory";
    case ProgramOrigin::Disk: return "disk";
    case ProgramOrigin::Source: return "source";
    }
    return "?";
}

ProgramCacheOptions ProgramCacheOptions::fromEnvironment() {
    ProgramCacheOptions o;
    if (const char* env = std::getenv("SIGHTLINE_KERNEL_CACHE"); env && *env) {
        const std::string v = env;
        if (v == "off" || v == "0" || v == "false") o.diskEnabled = false;
        else if (v != "on") o.directory = v;
    }
    if (o.directory.empty()) {
        if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
            o.directory = fs::path(xdg) / "sightline" / "kernels";
        else if (const char* home = std::getenv("HOME"); home && *home)
            o.directory = fs::path(home) / ".cache" / "sightline" / "kernels";
        else
            o.diskEnabled = false;   // nowhere sensible to write
    }
    return o;
}

ProgramCache::ProgramCache(ProgramCacheOptions options) : options_(std::move(options)) {
    if (options_.diskEnabled && options_.pruneOnStartup && !options_.directory.empty())
        pruneCacheDirectoryOnce(options_.directory, options_.prune);
}
ProgramCache::~ProgramCache() = default;

fs::path ProgramCache::diskPath(const DeviceInfo& device, std::string_view name,
                                std::string_view source, std::string_view buildOptions) const {
    return options_.directory /
           (std::string(name) + "-" + hex64(contentKey(device, source, buildOptions)) + ".bin");
}

ProgramCacheStats ProgramCache::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void ProgramCache::clearMemory() {
    std::lock_guard lock(mutex_);
    programs_.clear();
}

Expected<cl_program> ProgramCache::get(const ComputeContext& ctx, std::string_view name,
                                       std::string_view source, std::string_view buildOptions,
                                       ProgramOrigin* origin) {
    const DeviceInfo& dev = ctx.info();
    const uint64_t key = contentKey(dev, source, buildOptions);
    // The context pointer cannot be reused while the cached program holds a reference to it.
    char ctxText[32];
    std::snprintf(ctxText, sizeof ctxText, "%p/", static_cast<void*>(ctx.context()));
    const std::string memKey = ctxText + hex64(key) + "/" + std::string(name);

    std::lock_guard lock(mutex_);
    if (auto it = programs_.find(memKey); it != programs_.end()) {
        ++stats_.memoryHits;
        if (origin) *origin = ProgramOrigin::Memory;
        return it->second.get();
    }

    const fs::path path = diskPath(dev, name, source, buildOptions);
    std::optional<BuildLock> buildLock;
    if (options_.diskEnabled && !fs::exists(path)) {
        // Another process may be building it right now: wait for it, then read its file.
        buildLock.emplace(options_.directory, key);
    }
    if (options_.diskEnabled && fs::exists(path)) {
        auto loaded = loadFromDisk(ctx, path, key, name, buildOptions);
        if (loaded) {
            ++stats_.diskHits;
            markCacheFileUsed(path);
            if (origin) *origin = ProgramOrigin::Disk;
            cl_program p = loaded->get();
            programs_[memKey] = std::move(*loaded);
            return p;
        }
        ++stats_.diskRejected;
        logDebug("compute", "kernel cache file " + path.string() + " rejected (" +
                                loaded.status().message() + "); rebuilding from source");
        std::error_code ec;
        fs::remove(path, ec);
    }

    cl_int err = CL_SUCCESS;
    const char* src = source.data();
    const size_t len = source.size();
    ClProgram program(clCreateProgramWithSource(ctx.context(), 1, &src, &len, &err));
    SL_CL_TRY_ERR(err, "clCreateProgramWithSource(" + std::string(name) + ")");
    const std::string opts(buildOptions);
    cl_device_id device = ctx.device();
    err = clBuildProgram(program.get(), 1, &device, opts.c_str(), nullptr, nullptr);
    if (err != CL_SUCCESS) return buildFailure(err, program.get(), device, name);
    ++stats_.sourceBuilds;
    if (origin) *origin = ProgramOrigin::Source;
    logDebug("compute", "built " + std::string(name) + " from source for " + dev.name);
    if (options_.diskEnabled) saveToDisk(program.get(), path, key, name);
    cl_program p = program.get();
    programs_[memKey] = std::move(program);
    return p;
}

Expected<cl_program> ProgramCache::getEmbedded(const ComputeContext& ctx, std::string_view file,
                                               std::string_view buildOptions,
                                               ProgramOrigin* origin) {
    const std::string_view source = embeddedKernelSource(file);
    if (source.empty())
        return Status(StatusCode::NotFound,
                      "compute: no embedded kernel file '" + std::string(file) + "'");
    return get(ctx, file, source, buildOptions, origin);
}

Expected<ClKernel> ProgramCache::kernel(const ComputeContext& ctx, std::string_view file,
                                        std::string_view kernelName,
                                        std::string_view buildOptions) {
    auto program = getEmbedded(ctx, file, buildOptions);
    if (!program) return program.status();
    cl_int err = CL_SUCCESS;
    const std::string kname(kernelName);
    ClKernel k(clCreateKernel(*program, kname.c_str(), &err));
    SL_CL_TRY_ERR(err, "clCreateKernel(" + kname + ", " + std::string(file) + ")");
    return k;
}

Expected<ClProgram> ProgramCache::loadFromDisk(const ComputeContext& ctx, const fs::path& path,
                                               uint64_t key, std::string_view name,
                                               std::string_view buildOptions) {
    std::ifstream in(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.size() < kHeaderSize || std::memcmp(data.data(), kMagic, 8) != 0)
        return Status(StatusCode::InvalidData, "bad header");
    const uint64_t size = getU64(data, 16);
    if (getU64(data, 8) != key) return Status(StatusCode::InvalidData, "key mismatch");
    if (size != data.size() - kHeaderSize) return Status(StatusCode::InvalidData, "truncated");
    const std::string_view payload(data.data() + kHeaderSize, size);
    if (getU64(data, 24) != fnv1a64(payload)) return Status(StatusCode::InvalidData, "checksum");

    cl_device_id device = ctx.device();
    const auto* bytes = reinterpret_cast<const unsigned char*>(payload.data());
    const size_t len = payload.size();
    cl_int binStatus = CL_SUCCESS;
    cl_int err = CL_SUCCESS;
    ClProgram program(
        clCreateProgramWithBinary(ctx.context(), 1, &device, &len, &bytes, &binStatus, &err));
    SL_CL_TRY_ERR(err, "clCreateProgramWithBinary");
    SL_CL_TRY_ERR(binStatus, "clCreateProgramWithBinary (binary status)");
    const std::string opts(buildOptions);
    err = clBuildProgram(program.get(), 1, &device, opts.c_str(), nullptr, nullptr);
    if (err != CL_SUCCESS) return buildFailure(err, program.get(), device, name);
    return program;
}

void ProgramCache::saveToDisk(cl_program program, const fs::path& path, uint64_t key,
                              std::string_view name) {
    size_t size = 0;
    if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr) !=
            CL_SUCCESS || size == 0) {
        logDebug("compute", "no program binary for " + std::string(name) + "; not cached on disk");
        return;
    }
    std::vector<unsigned char> binary(size);
    unsigned char* ptr = binary.data();
    if (clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof ptr, &ptr, nullptr) != CL_SUCCESS)
        return;
    const std::string_view payload(reinterpret_cast<const char*>(binary.data()), size);
    std::string file(kMagic, 8);
    putU64(file, key);
    putU64(file, size);
    putU64(file, fnv1a64(payload));
    file.append(payload);

    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (Status st = writeFileAtomic(path, file, "compute"); !st) {
        // A read-only or full cache directory costs a rebuild next run, nothing more.
        logDebug("compute", "kernel cache not written: " + st.message());
        return;
    }
    ++stats_.diskWrites;
}

}  // namespace sl::compute
