// `sightline __build-kernels MODEL --cl-device N --storage fp32|fp16 --from K/N --parent PID
// [--batch B]`:
// a kernel build helper (nn/runtime/build_helpers.h), started by a session whose kernels are not
// cached yet. Not listed in the usage: nobody types it. It loads MODEL as the parent does, with
// nothing measured, preparing the nodes from K/N of the way along, which compiles their programs
// into the shared disk cache, and exits. It ends with its parent (PR_SET_PDEATHSIG) and is
// silent: its output goes to /dev/null and the parent reports any failure itself.

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/cli.h"
#include "nn/runtime/session.h"

namespace sl::cli {

int runBuildKernels(std::span<const std::string> args) {
    if (args.empty()) return kExitUsage;
    nn::SessionOptions so;
    so.device = nn::Device::OpenCL;
    so.measure = false;
    so.buildHelpers = 0;
    long parent = -1;
    for (size_t i = 1; i + 1 < args.size(); i += 2) {
        const std::string& key = args[i];
        const std::string& value = args[i + 1];
        if (key == "--cl-device") {
            so.clDeviceSelector = value;
        } else if (key == "--storage") {
            if (value != "fp32" && value != "fp16") return kExitUsage;
            so.storage = value == "fp16" ? nn::Storage::Fp16 : nn::Storage::Fp32;
        } else if (key == "--from") {
            if (std::sscanf(value.c_str(), "%d/%d", &so.prepareFromK, &so.prepareFromN) != 2 ||
                so.prepareFromN < 1 || so.prepareFromK < 0)
                return kExitUsage;
        } else if (key == "--batch") {
            if (std::sscanf(value.c_str(), "%d", &so.batch) != 1 || so.batch < 1)
                return kExitUsage;
        } else if (key == "--parent") {
            parent = std::stol(value);
        } else {
            return kExitUsage;
        }
    }
    // The parent may have died between spawning and here: the death signal would never come.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (parent > 0 && getppid() != pid_t(parent)) return kExitFailure;
    auto session = nn::Session::load(args[0], so);
    return session ? kExitOk : kExitFailure;
}

}  // namespace sl::cli
