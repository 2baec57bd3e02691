// Shape propagation + constant folding (see passes.h). Folding runs the ops' CPU reference: the
// same code the tests check, so a folded result is exactly what the reference would compute.
#include <algorithm>

#include "nn/ops/op_registry.h"
#include "nn/passes/passes.h"

namespace sl::nn {

namespace {

bool resolved(const Shape& s) {
    return std::all_of(s.begin(), s.end(), [](int64_t d) { return d >= 0; });
}

// Ops whose value differs between runs: folding them once would freeze one sample.
bool isNondeterministic(const std::string& op) {
    return op.rfind("Random", 0) == 0 || op == "Multinomial" || op == "Bernoulli" ||
           op == "Dropout";
}

// Shape/Size of a value with a static shape: the answer needs no data.
bool foldShapeOf(const Node& n, const Value& in, Tensor& out) {
    if (!in.shapeKnown || !resolved(in.info.shape)) return false;
    const Shape& s = in.info.shape;
    if (n.desc.opType == "Size") {
        int64_t count = elementCount(s);
        out = Tensor(DType::Int64, {}, &count);
        return true;
    }
    // Shape-15 start/end (clamped like numpy slicing).
    const int64_t rank = int64_t(s.size());
    int64_t start = n.desc.attributes.get<int64_t>("start", 0);
    int64_t end = n.desc.attributes.get<int64_t>("end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, 0, rank);
    std::vector<int64_t> dims(s.begin() + start, s.begin() + std::max(start, end));
    out = Tensor(DType::Int64, {int64_t(dims.size())}, dims.data());
    return true;
}

}  // namespace

Status foldConstants(Graph& g, PassReport& report) {
    auto order = g.topologicalOrder();
    if (!order) return order.status();
    for (int ni : *order) {
        Node& n = g.nodes()[size_t(ni)];
        if (n.dead) continue;
        if ((n.desc.opType == "Shape" || n.desc.opType == "Size") && n.inputs.size() == 1 &&
            n.inputs[0] != kNoValue && n.outputs.size() == 1 && n.outputs[0] != kNoValue) {
            Tensor t;
            if (foldShapeOf(n, g.value(n.inputs[0]), t)) {
                Value& out = g.value(n.outputs[0]);
                out.info = t.info();
                out.shapeKnown = true;
                out.constant = std::move(t);
                n.dead = true;
                ++report.foldedNodes;
                continue;
            }
        }
        auto op = createOp(n.desc);
        if (!op) continue;   // unknown op: the runtime names it
        std::vector<const TensorInfo*> infos;
        std::vector<const Tensor*> consts;
        bool allConst = true, inputsResolved = true;
        for (ValueId id : n.inputs) {
            if (id == kNoValue) {
                infos.push_back(nullptr);
                consts.push_back(nullptr);
                continue;
            }
            const Value& v = g.value(id);
            infos.push_back(&v.info);
            consts.push_back(v.constant ? &*v.constant : nullptr);
            allConst = allConst && v.constant.has_value();
            inputsResolved = inputsResolved && v.shapeKnown && resolved(v.info.shape);
        }
        if (!inputsResolved) continue;
        std::vector<TensorInfo> outs;
        if (!(*op)->inferOutputs(infos, consts, outs) || outs.size() != n.outputs.size()) continue;
        bool outsResolved = true;
        for (size_t i = 0; i < outs.size(); ++i) {
            if (n.outputs[i] == kNoValue) continue;
            outsResolved = outsResolved && resolved(outs[i].shape);
            Value& v = g.value(n.outputs[i]);
            // Only fill in what the model did not know; the runtime cross-checks the rest.
            if (!v.shapeKnown || !resolved(v.info.shape)) {
                v.info = outs[i];
                v.shapeKnown = resolved(outs[i].shape);
            }
        }
        if (!allConst || !outsResolved || isNondeterministic(n.desc.opType) || n.outputs.empty())
            continue;
        std::vector<Tensor> results;
        for (const TensorInfo& info : outs) results.emplace_back(info.dtype, info.shape);
        if (!(*op)->runReference(consts, results)) continue;   // the runtime reports it
        for (size_t i = 0; i < results.size(); ++i) {
            if (n.outputs[i] == kNoValue) continue;
            Value& v = g.value(n.outputs[i]);
            v.info = results[i].info();
            v.shapeKnown = true;
            v.constant = std::move(results[i]);
        }
        n.dead = true;
        ++report.foldedNodes;
    }
    return Status::ok();
}

}  // namespace sl::nn
