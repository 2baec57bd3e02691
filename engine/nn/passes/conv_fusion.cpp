// BatchNormalization folding and activation fusion into Conv (see passes.h).
#include <cfloat>
#include <cmath>

#include "nn/passes/passes.h"

namespace sl::nn {

namespace {

// The single live consumer of `id`, or -1 (none, several, or a graph output).
int soleConsumer(const Graph& g, ValueId id, const std::vector<int>& counts) {
    if (id == kNoValue || counts[size_t(id)] != 1) return -1;
    for (ValueId o : g.outputs())
        if (o == id) return -1;
    for (size_t i = 0; i < g.nodes().size(); ++i) {
        const Node& n = g.nodes()[i];
        if (n.dead) continue;
        for (ValueId in : n.inputs)
            if (in == id) return int(i);
    }
    return -1;
}

bool isFloatConstant(const Graph& g, ValueId id) {
    return g.isConstant(id) && g.value(id).constant->dtype() == DType::Float32;
}

// A Conv whose weights (and bias, if any) are float32 constants.
bool isConstConv(const Graph& g, const Node& n) {
    return !n.dead && n.desc.opType == "Conv" && n.inputs.size() >= 2 && n.outputs.size() == 1 &&
           isFloatConstant(g, n.inputs[1]) &&
           (n.inputs.size() < 3 || n.inputs[2] == kNoValue || isFloatConstant(g, n.inputs[2]));
}

bool isOutputOf(const Graph& g, ValueId id) {
    for (ValueId o : g.outputs())
        if (o == id) return true;
    return false;
}

}  // namespace

Status foldBatchNorm(Graph& g, PassReport& report) {
    for (size_t bi = 0; bi < g.nodes().size(); ++bi) {
        Node& bn = g.nodes()[bi];
        if (bn.dead || bn.desc.opType != "BatchNormalization" || bn.inputs.size() != 5 ||
            bn.desc.attributes.get<int64_t>("training_mode", 0) != 0)
            continue;
        bool consts = true;
        for (size_t i = 1; i < 5; ++i) consts = consts && isFloatConstant(g, bn.inputs[i]);
        if (!consts) continue;
        const std::vector<int> counts = g.consumerCounts();
        const int ci = g.producer(bn.inputs[0]);
        if (ci < 0 || !isConstConv(g, g.nodes()[size_t(ci)])) continue;
        if (soleConsumer(g, bn.inputs[0], counts) != int(bi) || isOutputOf(g, bn.inputs[0]))
            continue;
        Node& conv = g.nodes()[size_t(ci)];
        const Tensor& w = *g.value(conv.inputs[1]).constant;
        const int64_t oc = w.shape().empty() ? 0 : w.shape()[0];
        const Tensor& scale = *g.value(bn.inputs[1]).constant;
        const Tensor& shift = *g.value(bn.inputs[2]).constant;
        const Tensor& mean = *g.value(bn.inputs[3]).constant;
        const Tensor& var = *g.value(bn.inputs[4]).constant;
        if (oc <= 0 || scale.elements() != oc || shift.elements() != oc ||
            mean.elements() != oc || var.elements() != oc)
            continue;
        const float eps = bn.desc.attributes.get<float>("epsilon", 1e-5f);
        Tensor nw(DType::Float32, w.shape(), w.raw());
        Tensor nb(DType::Float32, {oc});
        const bool hasBias = conv.inputs.size() >= 3 && conv.inputs[2] != kNoValue;
        const int64_t per = w.elements() / oc;
        for (int64_t c = 0; c < oc; ++c) {
            const float s = scale.data<float>()[c] / std::sqrt(var.data<float>()[c] + eps);
            for (int64_t k = 0; k < per; ++k) nw.data<float>()[c * per + k] *= s;
            const float b = hasBias ? g.value(conv.inputs[2]).constant->data<float>()[c] : 0.f;
            nb.data<float>()[c] = (b - mean.data<float>()[c]) * s + shift.data<float>()[c];
        }
        // New constants: the originals may be shared with other nodes.
        const std::string base = conv.desc.name;
        const ValueId wid = g.addConstant(base + ":bn_weight", std::move(nw));
        const ValueId bid = g.addConstant(base + ":bn_bias", std::move(nb));
        Node& conv2 = g.nodes()[size_t(ci)];   // addConstant does not move nodes; re-fetch anyway
        Node& bn2 = g.nodes()[bi];
        conv2.inputs.resize(3);
        conv2.inputs[1] = wid;
        conv2.inputs[2] = bid;
        conv2.desc.inputCount = 3;
        conv2.outputs[0] = bn2.outputs[0];
        bn2.dead = true;
        ++report.foldedBatchNorms;
    }
    return Status::ok();
}

Status fuseActivations(Graph& g, PassReport& report) {
    for (size_t ci = 0; ci < g.nodes().size(); ++ci) {
        if (!isConstConv(g, g.nodes()[ci]) ||
            g.nodes()[ci].desc.attributes.has(kFusedActivationAttr))
            continue;
        const ValueId y = g.nodes()[ci].outputs[0];
        const std::vector<int> counts = g.consumerCounts();
        if (isOutputOf(g, y)) continue;

        std::string act;
        float alpha = 0, beta = 0;
        std::vector<int> absorbed;
        ValueId result = kNoValue;
        if (counts[size_t(y)] == 1) {
            const int ai = soleConsumer(g, y, counts);
            if (ai < 0) continue;
            const Node& a = g.nodes()[size_t(ai)];
            const Attributes& at = a.desc.attributes;
            const std::string& t = a.desc.opType;
            if (a.inputs.empty() || a.inputs[0] != y || a.outputs.size() != 1) continue;
            if (t == "Relu") {
                act = "relu";
            } else if (t == "LeakyRelu") {
                act = "leaky_relu";
                alpha = at.get<float>("alpha", 0.01f);
            } else if (t == "Sigmoid") {
                act = "sigmoid";
            } else if (t == "HardSwish") {
                act = "hard_swish";
            } else if (t == "HardSigmoid") {
                act = "hard_sigmoid";
                alpha = at.get<float>("alpha", 0.2f);
                beta = at.get<float>("beta", 0.5f);
            } else if (t == "Clip") {
                alpha = -FLT_MAX;
                beta = FLT_MAX;
                if (a.desc.opset < 11) {
                    alpha = at.get<float>("min", -FLT_MAX);
                    beta = at.get<float>("max", FLT_MAX);
                } else {
                    bool ok = true;
                    for (size_t i = 1; i < a.inputs.size(); ++i) {
                        if (a.inputs[i] == kNoValue) continue;
                        if (!isFloatConstant(g, a.inputs[i]) ||
                            g.value(a.inputs[i]).constant->elements() != 1) {
                            ok = false;
                            break;
                        }
                        (i == 1 ? alpha : beta) = g.value(a.inputs[i]).constant->data<float>()[0];
                    }
                    if (!ok) continue;
                }
                act = "clip";
            } else {
                continue;
            }
            absorbed = {ai};
            result = a.outputs[0];
        } else if (counts[size_t(y)] == 2) {
            // SiLU exported as y * Sigmoid(y).
            int si = -1, mi = -1;
            for (size_t i = 0; i < g.nodes().size(); ++i) {
                const Node& n = g.nodes()[i];
                if (n.dead) continue;
                if (n.desc.opType == "Sigmoid" && n.inputs.size() == 1 && n.inputs[0] == y)
                    si = int(i);
            }
            if (si < 0) continue;
            const ValueId s = g.nodes()[size_t(si)].outputs[0];
            mi = soleConsumer(g, s, counts);
            if (mi < 0) continue;
            const Node& m = g.nodes()[size_t(mi)];
            if (m.desc.opType != "Mul" || m.inputs.size() != 2 ||
                !((m.inputs[0] == y && m.inputs[1] == s) || (m.inputs[0] == s && m.inputs[1] == y)))
                continue;
            act = "silu";
            absorbed = {si, mi};
            result = m.outputs[0];
        } else {
            continue;
        }
        Node& conv = g.nodes()[ci];
        conv.desc.attributes.set(kFusedActivationAttr, act);
        conv.desc.attributes.set(kFusedAlphaAttr, alpha);
        conv.desc.attributes.set(kFusedBetaAttr, beta);
        conv.outputs[0] = result;
        for (int a : absorbed) g.nodes()[size_t(a)].dead = true;
        ++report.fusedActivations;
    }
    return Status::ok();
}

}  // namespace sl::nn
