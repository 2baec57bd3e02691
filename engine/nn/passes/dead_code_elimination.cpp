// Dead code elimination (passes.h): after folding, the Shape/Gather/Concat chains and any branch
// no graph output depends on are dropped.
#include <algorithm>

#include "nn/passes/passes.h"

namespace sl::nn {

Status eliminateDeadCode(Graph& g, PassReport& report) {
    auto order = g.topologicalOrder();
    if (!order) return order.status();
    std::vector<bool> needed(g.values().size(), false);
    for (ValueId id : g.outputs()) needed[size_t(id)] = true;
    for (auto it = order->rbegin(); it != order->rend(); ++it) {
        Node& n = g.nodes()[size_t(*it)];
        const bool live = std::any_of(n.outputs.begin(), n.outputs.end(), [&](ValueId id) {
            return id != kNoValue && needed[size_t(id)];
        });
        if (!live) {
            n.dead = true;
            ++report.removedNodes;
            continue;
        }
        for (ValueId id : n.inputs)
            if (id != kNoValue) needed[size_t(id)] = true;
    }
    return Status::ok();
}

}  // namespace sl::nn
