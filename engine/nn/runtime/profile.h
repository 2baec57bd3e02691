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

}  // namespace sl::nn
