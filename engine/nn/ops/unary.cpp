#include "nn/ops/unary.h"

#include <cmath>
#include <limits>

namespace sl::nn {

Expected<std::unique_ptr<Op>> Unary::create(const NodeDesc& node) {
    std::unique_ptr<Unary> op(new Unary(node));
    const auto& a = node.attributes;
    const std::string& t = node.opType;
    Activation& act = op->act_;
    if (t == "Relu") act.kind = Act::Relu;
    else if (t == "LeakyRelu") act = {Act::LeakyRelu, a.get<float>("alpha", 0.01f), 0};
    else if (t == "Sigmoid") act.kind = Act::Sigmoid;
    else if (t == "HardSigmoid")
        act = {Act::HardSigmoid, a.get<float>("alpha", 0.2f), a.get<float>("beta", 0.5f)};
    else if (t == "HardSwish") act.kind = Act::HardSwish;
    else if (t == "Tanh") act.kind = Act::Tanh;
    else if (t == "Exp") act.kind = Act::Exp;
    else if (t == "Clip") {
        const float lowest = std::numeric_limits<float>::lowest();
        const float highest = std::numeric_limits<float>::max();
        if (node.opset < 11) {
            act = {Act::Clip, a.get<float>("min", lowest), a.get<float>("max", highest)};
        } else {
            act = {Act::Clip, -std::numeric_limits<float>::infinity(),
                   std::numeric_limits<float>::infinity()};
            op->clipInputs_ = true;
        }
    } else {
        return nodeError(node, "not an activation op", StatusCode::Internal);
    }
    return std::unique_ptr<Op>(std::move(op));
}

Status Unary::inferOutputs(std::span<const TensorInfo* const> inputs,
                           std::span<const Tensor* const> constants,
                           std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    if (inputs[0]->dtype != DType::Float32)
        return unsupported(std::string("dtype ") + dtypeName(inputs[0]->dtype) +
                           " is not supported (float32 only)");
    if (clipInputs_) {
        for (size_t i = 1; i < 3 && i < inputs.size(); ++i) {
            if (!inputs[i]) continue;
            if (inputs[i]->dtype != DType::Float32 || elementCount(inputs[i]->shape) != 1)
                return fail("min/max must be float32 scalars");
            if (i < constants.size() && constants[i]) {
                const float v = constants[i]->data<float>()[0];
                (i == 1 ? act_.alpha : act_.beta) = v;
            } else {
                boundsConstant_ = false;
            }
        }
    }
    count_ = elementCount(inputs[0]->shape);
    outputs = {*inputs[0]};
    return Status::ok();
}

Status Unary::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    Activation act = act_;
    if (clipInputs_) {
        if (inputs.size() > 1 && inputs[1]) act.alpha = inputs[1]->data<float>()[0];
        if (inputs.size() > 2 && inputs[2]) act.beta = inputs[2]->data<float>()[0];
    }
    const float* x = inputs[0]->data<float>();
    float* y = outputs[0].data<float>();
    for (int64_t i = 0; i < count_; ++i) y[i] = applyActivation(act, x[i]);
    return Status::ok();
}

}  // namespace sl::nn
