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
    bool foldFocus = true;
    bool cascadePools = true;
    bool transposeBeforeConcat = true;
    bool operator==(const PassOptions&) const = default;
};

struct PassReport {
    int foldedNodes = 0;       // nodes replaced by constants (run on the CPU reference)
    int removedNodes = 0;      // dead nodes dropped (results nobody reads)
    int foldedBatchNorms = 0;  // BatchNormalization merged into the preceding Conv
    int fusedActivations = 0;  // activations merged into Conv as "sl_activation"
    int foldedFocus = 0;       // Focus space-to-depth (Slices + Concat) folded into its Conv
    int cascadedPools = 0;     // SPP max pools rewritten as a cascade of 5x5 pools (SPPF)
    int movedTransposes = 0;   // Transposes of a Concat moved onto its inputs
    std::string text() const;  // "folded 12, removed 3, batchnorm 0, fused activations 57, ..."
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

// Focus (YOLOv5 <= v5, YOLOX): four Slices of one NCHW tensor X (H, W even) sampling rows/columns
// (0,0), (1,0), (0,1), (1,1) with step 2, concatenated on channels in that order and read only by
// a Conv (stride 1, dilation 1, group 1, explicit pads p, constant k x k weights) become that
// Conv on X with a 2k x 2k kernel, stride 2 and pads 2p (weights permuted; exact: the same
// products, summed in another order). Anything else - other phases or order, odd sizes, another
// reader of a slice or the concat - is left alone.
Status foldFocus(Graph& g, PassReport& report);
// SPP: MaxPools with windows 9 and 13 (stride 1, pads k/2, floor mode) on the input of a 5x5 one
// become 5x5 pools on the 5x5 (then 9x9) result: the same maxima with 2 x 25 instead of 81 + 169
// reads per output.
Status cascadePools(Graph& g, PassReport& report);

// Transpose(Concat(x1..xn, axis a), perm) becomes Concat(Transpose(x1, perm), ...,
// Transpose(xn, perm), axis a') with perm[a'] = a, when the concat output is read only by the
// Transpose and every dim before a' is 1: the new concat is then one contiguous slab per input,
// so the session lets each Transpose write straight into it (in-place concat) and the data moves
// once instead of twice. YOLOX's head: Concat [1,85,2704|676|169] -> Transpose [1,3549,85].
// Exact (pure data movement).
Status transposeBeforeConcat(Graph& g, PassReport& report);

// Batch rewrite (nn/passes/batch_rewrite.cpp; SessionOptions::batch runs it before the others):
// a model whose inputs all have the static leading dim B runs at batch `batch` instead. Every
// node that reads a batched value must be batch-agnostic (a rule per op: no Concat, Split,
// Gather, Slice, Softmax or Reduce along dim 0, no Transpose moving it, no Flatten at axis 0,
// no Reshape whose target shape folds the batch into another dim, no batched weights, no
// training-mode BatchNorm; an op without a rule is refused); the constants that spell the batch
// out (a Reshape's target shape led by B, a Resize's sizes) are replaced with N-led copies;
// then the shapes are inferred again at batch N and each batched value must have its batch-B
// shape with dim 0 = N (every other value its batch-B shape). Anything else is Unsupported
// naming the model, the node and the reason, and leaves `g` unchanged. The intermediates'
// shapes become the batch-N ones. B == batch: nothing to do. Precondition: the inputs' shapes
// are resolved. Shape/Size of a batched value are fine: the folding that follows recomputes
// the subgraphs they feed at batch N.
struct BatchRewrite {
    int64_t from = 0, to = 0;   // the model's batch and the new one
    int constants = 0;          // batch-carrying constants replaced
};
Status setBatch(Graph& g, int64_t batch, BatchRewrite* report = nullptr);

// All of the above per `options`, then Graph::compact().
Status optimizeGraph(Graph& g, const PassOptions& options, PassReport* report = nullptr);

}  // namespace sl::nn
