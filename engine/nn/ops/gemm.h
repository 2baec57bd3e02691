#pragma once
// Gemm: Y = alpha * A' * B' + beta * C with A' = transA ? A^T : A (likewise B), C optional and
// unidirectionally broadcast to M x N. float32. OpenCL: kernels/nn_gemm.cl, 4 x 4 outputs per
// work-item (Gemm is the classifier head of small models, not a hot spot here).

#include "nn/ops/op_util.h"

namespace sl::nn {

class Gemm : public NodeOp {
public:
    static Expected<std::unique_ptr<Op>> create(const NodeDesc& node);

    Status inferOutputs(std::span<const TensorInfo* const> inputs,
                        std::span<const Tensor* const> constants,
                        std::vector<TensorInfo>& outputs) override;
    Status runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) override;
    bool hasDevicePath(const compute::DeviceInfo& device) const override;
    Status prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const> constants) override;
    Status runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                     std::span<const DeviceTensor> outputs) override;
    double flops() const override { return 2.0 * double(m_) * double(n_) * double(k_); }

private:
    explicit Gemm(const NodeDesc& node) : NodeOp(node) {}

    float alpha_ = 1, beta_ = 1;
    bool transA_ = false, transB_ = false;
    int64_t m_ = 0, n_ = 0, k_ = 0;
    bool hasC_ = false;
    int64_t cStrideM_ = 0, cStrideN_ = 0;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
