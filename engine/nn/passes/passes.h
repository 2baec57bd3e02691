#pragma once
// Graph rewrites run before execution (nn/runtime/session.cpp calls optimizeGraph). Each pass
// keeps the graph's results identical up to float rounding; tests compare reference outputs with
// and without them (tests/engine/nn_passes_test.cpp).
//
// Preconditions: the graph inputs' shapes are resolved (no -1 dims). foldConstants propagates
// shapes through every node whose op exists (ops' inferOutputs), so the later passes see static
// shapes.

#include <string>

#include "core/status.h"
#include "nn/graph.h"

namespace sl::nn {

struct PassOptions {
    bool foldConstants = true;
    bool eliminateDeadCode = true;
    bool foldBatchNorm = true;
    bool fuseActivations = true;
};

struct PassReport {
    int foldedNodes = 0;       // nodes replaced by constants (run on the CPU reference)
    int removedNodes = 0;      // dead nodes dropped (results nobody reads)
    int foldedBatchNorms = 0;  // BatchNormalization merged into the preceding Conv
    int fusedActivations = 0;  // activations merged into Conv as "sl_activation"
    std::string text() const;  // "folded 12, removed 3, bn 0, fused 57"
};

// Shape propagation + constant folding, in topological order. A node is folded when all its
// inputs are constants, and Shape/Size nodes whenever their input's shape is static, so the
// Shape -> Gather/Slice -> Concat -> Reshape chains of exported models collapse into constants.
// Nodes whose op is unknown are left alone (the runtime reports them).
Status foldConstants(Graph& g, PassReport& report);
// Removes nodes none of whose outputs reach a graph output.
Status eliminateDeadCode(Graph& g, PassReport& report);
// Conv -> BatchNormalization (constant params, Conv output read only by the BN) becomes one Conv
// with scaled weights and a bias.
Status foldBatchNorm(Graph& g, PassReport& report);
// Conv -> {Relu, LeakyRelu, Clip (constant bounds), Sigmoid, HardSigmoid, HardSwish} and
// Conv -> x*Sigmoid(x) (SiLU) become one Conv with the fused-activation attributes of op.h.
Status fuseActivations(Graph& g, PassReport& report);

// All of the above per `options`, then Graph::compact().
Status optimizeGraph(Graph& g, const PassOptions& options, PassReport* report = nullptr);

}  // namespace sl::nn
