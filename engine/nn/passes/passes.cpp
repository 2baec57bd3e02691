// The pass pipeline (passes.h): folding first, so that the fusions see constant weights and
// bounds that exporters compute with small subgraphs.
#include "nn/passes/passes.h"

namespace sl::nn {

std::string PassReport::text() const {
    return "folded " + std::to_string(foldedNodes) + ", removed " + std::to_string(removedNodes) +
           ", batchnorm " + std::to_string(foldedBatchNorms) + ", fused activations " +
           std::to_string(fusedActivations) + ", focus " + std::to_string(foldedFocus) +
           ", cascaded pools " + std::to_string(cascadedPools) + ", transposes before concat " +
           std::to_string(movedTransposes);
}

Status optimizeGraph(Graph& g, const PassOptions& options, PassReport* report) {
    PassReport local;
    PassReport& r = report ? *report : local;
    if (options.foldConstants) SL_TRY(foldConstants(g, r));
    if (options.eliminateDeadCode) SL_TRY(eliminateDeadCode(g, r));
    if (options.foldBatchNorm) SL_TRY(foldBatchNorm(g, r));
    if (options.fuseActivations) SL_TRY(fuseActivations(g, r));
    if (options.foldFocus) SL_TRY(foldFocus(g, r));
    if (options.cascadePools) SL_TRY(cascadePools(g, r));
    if (options.transposeBeforeConcat) SL_TRY(transposeBeforeConcat(g, r));
    g.compact();
    return g.validate();
}

}  // namespace sl::nn
