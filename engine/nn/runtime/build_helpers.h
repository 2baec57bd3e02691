#pragma once
// BuildHelpers: processes that compile a model's OpenCL programs into the disk kernel cache while
// the session that started them compiles too, so a cold start uses every core.
//
// Why processes: PoCL 3.1 compiles every program of a process under one lock, so threads would
// take turns. Each helper is `sightline __build-kernels MODEL ...` (cli/build_kernels_verb.cpp):
// it loads the same model with the same device, storage and cached kernel choices, so its
// programs have the parent's cache keys, and prepares the nodes from another starting point
// (SessionOptions::prepareFromK/N). A program is built once across processes: ProgramCache holds
// a per-program lock while it builds and looks at the disk again once it has it. The session
// stops its helpers (SIGTERM, then waits for them) when its own preparation ends; a helper also
// ends when its parent dies (PR_SET_PDEATHSIG).
//
// The executable is /proc/self/exe when that is `sightline` (the CLI and the workstation are one
// program), else $SIGHTLINE_EXE (tests, benches); without one no helper starts (logged).

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "nn/runtime/storage_choice.h"

namespace sl::nn {

class BuildHelpers {
public:
    BuildHelpers() = default;
    ~BuildHelpers();   // stop()
    BuildHelpers(BuildHelpers&& o) noexcept;
    BuildHelpers& operator=(BuildHelpers&& o) noexcept;
    BuildHelpers(const BuildHelpers&) = delete;
    BuildHelpers& operator=(const BuildHelpers&) = delete;

    // Starts `count` helpers for `model` on the device with global index `deviceIndex`
    // (platform.h) and the given storage (fp32 or fp16, already resolved). Helper k of count
    // starts at k+1 of count+1 of the node list; batch > 0: the model runs at that batch
    // (SessionOptions::batch). Returns how many started; failures are logged.
    int start(const std::filesystem::path& model, int deviceIndex, Storage storage, int count,
              int batch = 0);
    // SIGTERM to each helper still running, then waits for all of them.
    void stop();
    int started() const { return int(pids_.size()); }

    // How many helpers a session starts by default: $SIGHTLINE_BUILD_HELPERS when set (0 off),
    // else one per core beyond the first, at most 3.
    static int defaultCount();
    // The sightline executable helpers run (see above); empty when there is none.
    static std::filesystem::path executable();

private:
    std::vector<pid_t> pids_;
};

}  // namespace sl::nn
