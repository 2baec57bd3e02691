#pragma once
// Softmax. Before opset 13 the input is coerced to 2-D at 'axis' (default 1) and each row of
// prod(dims[axis:]) is normalised; from 13 on it normalises along 'axis' alone (default -1).
// Max-subtracted, float32. OpenCL: one work-item per normalised vector (kernels/nn_norm.cl).

#include "nn/ops/op_util.h"

namespace sl::nn {

class Softmax : public NodeOp {
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
    explicit Softmax(const NodeDesc& node) : NodeOp(node) {}

    int64_t axis_ = 0;
    int64_t outer_ = 1, len_ = 1, inner_ = 1;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
