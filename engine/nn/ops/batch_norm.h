#pragma once
// BatchNormalization in inference mode (training_mode and the running-stat outputs are not
// supported): y = (x - mean) / sqrt(var + epsilon) * scale + B per channel (dim 1), float32.
// The BN-folding pass removes most of them; this covers the rest. OpenCL: kernels/nn_norm.cl.

#include "nn/ops/op_util.h"

namespace sl::nn {

class BatchNorm : public NodeOp {
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

private:
    explicit BatchNorm(const NodeDesc& node) : NodeOp(node) {}

    float epsilon_ = 1e-5f;
    int64_t count_ = 0, channels_ = 0, inner_ = 1;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
