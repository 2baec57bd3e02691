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

bool Gemm::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Gemm::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_gemm.cl", "gemm");
    if (!k) return k.status().withContext("nn/Gemm '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Gemm::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                       std::span<const DeviceTensor> outputs) {
    auto ao = elementOffset(inputs[0]);
    auto bo = elementOffset(inputs[1]);
    auto yo = elementOffset(outputs[0]);
    if (!ao || !bo || !yo) return fail("device tensor offset not element-aligned");
    cl_int co = 0;
    cl_mem c = nullptr;
    if (hasC_) {
        auto o = elementOffset(inputs[2]);
        if (!o) return o.status();
        co = *o;
        c = inputs[2].mem;
    }
    const cl_int asm_ = transA_ ? 1 : cl_int(k_), ask = transA_ ? cl_int(m_) : 1;
    const cl_int bsk = transB_ ? 1 : cl_int(n_), bsn = transB_ ? cl_int(k_) : 1;
    cl_mem noBatch = nullptr;
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *ao, asm_, ask, inputs[1].mem, *bo, bsk, bsn, c,
                   co, cl_int(cStrideM_), cl_int(cStrideN_), cl_int(hasC_ ? 1 : 0),
                   outputs[0].mem, *yo, cl_int(m_), cl_int(n_), cl_int(k_), alpha_, beta_,
                   noBatch));
    const size_t g[3] = {(size_t(n_) + 3) / 4, (size_t(m_) + 3) / 4, 1};
    const size_t l[3] = {8, 1, 1};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
