#pragma once
// MatMul with numpy semantics: batched over broadcast leading dims, 1-D operands promoted
// (and the added dim removed). float32. OpenCL: kernels/nn_gemm.cl (the Gemm kernel per batch,
// batch offsets from a table uploaded at prepare).

#include "nn/ops/op_util.h"

namespace sl::nn {

class MatMul : public NodeOp {
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
    double flops() const override {
        return 2.0 * double(batches_) * double(m_) * double(n_) * double(k_);
    }

private:
    explicit MatMul(const NodeDesc& node) : NodeOp(node) {}

    Shape out_;
    int64_t m_ = 0, n_ = 0, k_ = 0, batches_ = 0;
    std::vector<int64_t> aOffsets_, bOffsets_;   // per output batch, in elements
    compute::ClKernel kernel_;
    compute::ClMem offsets_;
};

}  // namespace sl::nn
