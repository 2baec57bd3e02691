#include "nn/ops/batch_norm.h"

#include <cmath>

namespace sl::nn {

Expected<std::unique_ptr<Op>> BatchNorm::create(const NodeDesc& node) {
    std::unique_ptr<BatchNorm> op(new BatchNorm(node));
    op->epsilon_ = node.attributes.get<float>("epsilon", 1e-5f);
    if (node.attributes.get<int64_t>("training_mode", 0) != 0 || node.outputCount > 1)
        return nodeError(node, "training mode is not supported", StatusCode::Unsupported);
    if (node.opset < 9 && node.attributes.get<int64_t>("spatial", 1) != 1)
        return nodeError(node, "spatial=0 is not supported", StatusCode::Unsupported);
    return std::unique_ptr<Op>(std::move(op));
}

Status BatchNorm::inferOutputs(std::span<const TensorInfo* const> inputs,
                               std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 5));
    const Shape& x = inputs[0]->shape;
    for (size_t i = 0; i < 5; ++i)
        if (inputs[i]->dtype != DType::Float32) return unsupported("only float32 is supported");
    if (x.size() < 2) return fail("input must be N x C x ...");
    channels_ = x[1];
    for (size_t i = 1; i < 5; ++i)
        if (elementCount(inputs[i]->shape) != channels_)
            return fail("scale/B/mean/var must have C elements");
    count_ = elementCount(x);
    inner_ = product(x, 2, x.size());
    outputs = {*inputs[0]};
    return Status::ok();
}

Status BatchNorm::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const float* x = inputs[0]->data<float>();
    const float* scale = inputs[1]->data<float>();
    const float* b = inputs[2]->data<float>();
    const float* mean = inputs[3]->data<float>();
    const float* var = inputs[4]->data<float>();
    float* y = outputs[0].data<float>();
    for (int64_t i = 0; i < count_; ++i) {
        const int64_t c = (i / inner_) % channels_;
        y[i] = (x[i] - mean[c]) / std::sqrt(var[c] + epsilon_) * scale[c] + b[c];
    }
    return Status::ok();
}

}  // namespace sl::nn
