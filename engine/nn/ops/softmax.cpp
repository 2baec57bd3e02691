#include "nn/ops/softmax.h"

#include <algorithm>
#include <cmath>

namespace sl::nn {

Expected<std::unique_ptr<Op>> Softmax::create(const NodeDesc& node) {
    std::unique_ptr<Softmax> op(new Softmax(node));
    op->axis_ = node.attributes.get<int64_t>("axis", node.opset < 13 ? 1 : -1);
    return std::unique_ptr<Op>(std::move(op));
}

Status Softmax::inferOutputs(std::span<const TensorInfo* const> inputs,
                             std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    if (inputs[0]->dtype != DType::Float32) return unsupported("only float32 is supported");
    const Shape& s = inputs[0]->shape;
    const int64_t rank = int64_t(s.size());
    const int64_t axis = normalizeAxis(axis_, std::max<int64_t>(rank, 1));
    if (axis < 0) return fail("axis " + std::to_string(axis_) + " out of range");
    outer_ = product(s, 0, size_t(axis));
    if (opset_ < 13) {
        len_ = product(s, size_t(axis), s.size());
        inner_ = 1;
    } else {
        len_ = rank ? s[axis] : 1;
        inner_ = product(s, size_t(axis) + 1, s.size());
    }
    outputs = {*inputs[0]};
    return Status::ok();
}

Status Softmax::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const float* x = inputs[0]->data<float>();
    float* y = outputs[0].data<float>();
    for (int64_t o = 0; o < outer_; ++o)
        for (int64_t i = 0; i < inner_; ++i) {
            const int64_t base = o * len_ * inner_ + i;
            float m = -INFINITY;
            for (int64_t j = 0; j < len_; ++j) m = std::max(m, x[base + j * inner_]);
            float sum = 0;
            for (int64_t j = 0; j < len_; ++j) sum += std::exp(x[base + j * inner_] - m);
            for (int64_t j = 0; j < len_; ++j)
                y[base + j * inner_] = std::exp(x[base + j * inner_] - m) / sum;
        }
    return Status::ok();
}

}  // namespace sl::nn
