#include "nn/runtime/preparation.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

#include "compute/cl_context.h"
#include "compute/platform.h"
#include "compute/program_cache.h"
#include "core/log.h"

namespace sl::nn {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;

// An flock(2) held for the object's life; closing the descriptor (or the process dying) drops it.
class FileLock {
public:
    FileLock() = default;
    explicit FileLock(int fd) : fd_(fd) {}
    FileLock(FileLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    FileLock& operator=(FileLock&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~FileLock() {
        if (fd_ >= 0) ::close(fd_);   // releases the lock
    }

private:
    int fd_ = -1;
};

enum class LockResult { Acquired, Busy };

// The device's preparation lock. blocking: wait for it. Busy only when !blocking.
Expected<std::pair<LockResult, FileLock>> lockDevice(const compute::ComputeContext& cl,
                                                     bool blocking) {
    const fs::path path = preparationLockPath(cl);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return Status(StatusCode::Io, "nn: cannot open the preparation lock " + path.string() +
                                          ": " + std::strerror(errno));
    FileLock lock(fd);
    for (;;) {
        if (::flock(fd, LOCK_EX | (blocking ? 0 : LOCK_NB)) == 0)
            return std::make_pair(LockResult::Acquired, std::move(lock));
        if (errno == EINTR) continue;
        if (errno == EWOULDBLOCK && !blocking)
            return std::make_pair(LockResult::Busy, FileLock());
        return Status(StatusCode::Io, "nn: cannot lock " + path.string() + ": " +
                                          std::strerror(errno));
    }
}

}  // namespace

fs::path preparationLockPath(const compute::ComputeContext& cl) {
    const compute::DeviceInfo& d = cl.info();
    const std::string id = d.name + '\n' + d.driverVersion + '\n' + d.platformVersion;
    return cl.programs().options().directory /
           ("prepare-" + compute::hex64(compute::fnv1a64(id)) + ".lock");
}

Expected<PreparationReport> prepareModel(const fs::path& model,
                                         const PrepareModelOptions& options) {
    const auto t0 = Clock::now();
    PreparationReport report;
    SessionOptions so = options.session;
    so.device = Device::OpenCL;
    so.measure = true;
    so.tuneKernels = true;
    so.tuningBudgetMs = std::numeric_limits<double>::infinity();   // every class, no cut-off
    so.storage = Storage::Auto;
    so.ownQueue = true;   // never in front of a shared context's other users
    std::optional<compute::ComputeContext> own;
    if (!so.compute) {
        auto ctx = compute::ComputeContext::create(so.clDeviceSelector);
        if (!ctx) return ctx.status();
        own.emplace(std::move(*ctx));
        so.compute = &*own;
    }
    if (!so.compute->programs().options().diskEnabled) {
        // Measured choices would die with this process: nothing worth measuring.
        report.cacheDisabled = true;
        return report;
    }
    auto locked = lockDevice(*so.compute, false);
    if (!locked) return locked.status();
    if (locked->first == LockResult::Busy) {
        if (!options.waitForLock) {
            report.busy = true;
            return report;
        }
        if (options.onBusy) options.onBusy();
        locked = lockDevice(*so.compute, true);
        if (!locked) return locked.status();
    }
    if (!KernelTuner::enabledByEnvironment())
        logInfo("nn", "kernel tuning is off ($SIGHTLINE_KERNEL_TUNING): only the storage is "
                      "measured");
    auto session = Session::load(model, so);
    if (!session) return session.status();
    report.classesMeasured = (*session)->tuning().tuned;
    report.classesCached = (*session)->tuning().fromCache;
    report.storage = (*session)->storageChoice();
    report.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    return report;
}

BackgroundPreparation::BackgroundPreparation(Options options) : options_(std::move(options)) {
    thread_ = std::thread([this] { run(); });
}

BackgroundPreparation::~BackgroundPreparation() {
    {
        std::lock_guard lock(mutex_);
        cancel_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void BackgroundPreparation::run() {
    // Linux applies setpriority(PRIO_PROCESS, tid) to the one thread: this thread's kernel
    // builds and host work yield to every other thread of the process.
    ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 19);
    PrepareModelOptions o;
    o.session.compute = options_.compute;
    o.session.clDeviceSelector = options_.clDeviceSelector;
    o.session.inputShapes = options_.inputShapes;
    o.session.onProgress = options_.onProgress;
    o.session.cancel = &cancel_;
    for (;;) {
        auto r = prepareModel(options_.model, o);
        if (cancel_) return;
        if (r && r->busy) {
            waiting_ = true;
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, options_.retry, [this] { return cancel_.load(); });
            if (cancel_) return;
            continue;
        }
        waiting_ = false;
        if (options_.onDone) options_.onDone(r);
        return;
    }
}

}  // namespace sl::nn
