#include "nn/ops/gemm.h"

namespace sl::nn {

Expected<std::unique_ptr<Op>> Gemm::create(const NodeDesc& node) {
    std::unique_ptr<Gemm> op(new Gemm(node));
    const auto& a = node.attributes;
    op->alpha_ = a.get<float>("alpha", 1.0f);
    op->beta_ = a.get<float>("beta", 1.0f);
    op->transA_ = a.get<int64_t>("transA", 0) != 0;
    op->transB_ = a.get<int64_t>("transB", 0) != 0;
    if (node.opset < 7 && a.get<int64_t>("broadcast", 0) == 0 && a.has("broadcast"))
        return nodeError(node, "legacy broadcast=0 is not supported", StatusCode::Unsupported);
    return std::unique_ptr<Op>(std::move(op));
}

Status Gemm::inferOutputs(std::span<const TensorInfo* const> inputs,
                          std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 2));
    const Shape& a = inputs[0]->shape;
    const Shape& b = inputs[1]->shape;
    if (inputs[0]->dtype != DType::Float32 || inputs[1]->dtype != DType::Float32)
        return unsupported("only float32 is supported");
    if (a.size() != 2 || b.size() != 2) return fail("A and B must be 2-D");
    m_ = transA_ ? a[1] : a[0];
    k_ = transA_ ? a[0] : a[1];
    n_ = transB_ ? b[0] : b[1];
    if ((transB_ ? b[1] : b[0]) != k_)
        return fail("inner dims differ: " + shapeString(a) + " x " + shapeString(b));
    hasC_ = inputs.size() > 2 && inputs[2];
    if (hasC_) {
        Shape out;
        const Shape mn{m_, n_};
        if (!broadcastShapes(inputs[2]->shape, mn, out) || out != mn)
            return fail("C " + shapeString(inputs[2]->shape) + " does not broadcast to " +
                        shapeString(mn));
        const auto st = broadcastStrides(inputs[2]->shape, mn);
        cStrideM_ = st[0];
        cStrideN_ = st[1];
    }
    outputs = {TensorInfo{DType::Float32, {m_, n_}}};
    return Status::ok();
}

Status Gemm::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const float* a = inputs[0]->data<float>();
    const float* b = inputs[1]->data<float>();
    const float* c = hasC_ ? inputs[2]->data<float>() : nullptr;
    float* y = outputs[0].data<float>();
    for (int64_t m = 0; m < m_; ++m)
        for (int64_t n = 0; n < n_; ++n) {
            float acc = 0;
            for (int64_t k = 0; k < k_; ++k)
                acc += (transA_ ? a[k * m_ + m] : a[m * k_ + k]) *
                       (transB_ ? b[n * k_ + k] : b[k * n_ + n]);
            float v = alpha_ * acc;
            if (c) v += beta_ * c[m * cStrideM_ + n * cStrideN_];
            y[m * n_ + n] = v;
        }
    return Status::ok();
}

}  // namespace sl::nn
