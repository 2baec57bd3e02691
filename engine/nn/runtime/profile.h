#pragma once
// Per-node timings of one Session::run, and the per-op-type table `run-model --profile` prints.

#include <string>
#include <vector>

namespace sl::nn {

struct NodeTiming {
    std::string name;
    std::string opType;
    double ms = 0;
    bool onDevice = false;   // OpenCL (time from profiling events) vs CPU reference (host clock)
};

struct Profile {
    std::vector<NodeTiming> nodes;   // execution order
    double uploadMs = 0;             // inputs host -> device
    double downloadMs = 0;           // outputs device -> host
    double totalMs = 0;              // wall clock of run()

    // Per op type: count, total ms, % of the node total; then the `slowest` slowest nodes.
    std::string format(int slowest = 10) const;
};

// Per-node medians of several runs' profiles of one session (same nodes in the same order):
// one run is noisy and the first also pays one-time costs (PoCL compiles each kernel's
// work-group function at its first launch). Empty when `runs` is empty or the runs differ.
Profile medianProfile(const std::vector<Profile>& runs);

}  // namespace sl::nn
