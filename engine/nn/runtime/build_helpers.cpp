#include "nn/runtime/build_helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/log.h"

extern char** environ;

namespace sl::nn {

namespace fs = std::filesystem;

BuildHelpers::~BuildHelpers() { stop(); }

BuildHelpers::BuildHelpers(BuildHelpers&& o) noexcept : pids_(std::move(o.pids_)) {
    o.pids_.clear();
}

BuildHelpers& BuildHelpers::operator=(BuildHelpers&& o) noexcept {
    if (this != &o) {
        stop();
        pids_ = std::move(o.pids_);
        o.pids_.clear();
    }
    return *this;
}

int BuildHelpers::defaultCount() {
    if (const char* env = std::getenv("SIGHTLINE_BUILD_HELPERS"); env && *env) {
        char* end = nullptr;
        const long n = std::strtol(env, &end, 10);
        if (end && *end == '\0' && n >= 0) return int(std::min(n, 16L));
        logWarning("nn", std::string("$SIGHTLINE_BUILD_HELPERS='") + env +
                             "' is not a count; using the default");
    }
    const unsigned cores = std::thread::hardware_concurrency();
    return cores > 1 ? int(std::min(cores - 1, 3u)) : 0;
}

fs::path BuildHelpers::executable() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && self.filename() == "sightline") return self;
    if (const char* env = std::getenv("SIGHTLINE_EXE"); env && *env) return env;
    return {};
}

int BuildHelpers::start(const fs::path& model, int deviceIndex, Storage storage, int count,
                        int batch) {
    const fs::path exe = executable();
    if (exe.empty()) {
        logDebug("nn", "no sightline executable for kernel build helpers (not running as "
                       "sightline, $SIGHTLINE_EXE unset): building in this process only");
        return 0;
    }
    // The helpers' diagnostics (the OpenCL compiler's warnings) are not the user's business:
    // the parent builds the same programs and reports any failure itself.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const std::string parent = std::to_string(getpid());
    int started = 0;
    for (int k = 1; k <= count; ++k) {
        std::vector<std::string> args = {exe.string(),
                                          "__build-kernels",
                                          model.string(),
                                          "--cl-device",
                                          std::to_string(deviceIndex),
                                          "--storage",
                                          storage == Storage::Fp16 ? "fp16" : "fp32",
                                          "--from",
                                          std::to_string(k) + "/" + std::to_string(count + 1),
                                          "--parent",
                                          parent};
        if (batch > 0) {
            args.push_back("--batch");
            args.push_back(std::to_string(batch));
        }
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid = 0;
        const int err = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
        if (err != 0) {
            logWarning("nn", "cannot start a kernel build helper (" + exe.string() +
                                 "): " + std::strerror(err) + "; building in this process only");
            break;
        }
        pids_.push_back(pid);
        ++started;
    }
    posix_spawn_file_actions_destroy(&actions);
    if (started)
        logDebug("nn", "'" + model.string() + "': " + std::to_string(started) +
                           " kernel build helper(s) started");
    return started;
}

void BuildHelpers::stop() {
    for (pid_t pid : pids_) kill(pid, SIGTERM);
    for (pid_t pid : pids_) {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    pids_.clear();
}

}  // namespace sl::nn
