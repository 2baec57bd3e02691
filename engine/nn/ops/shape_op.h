#pragma once
// Shape (with opset-15 start/end): the input's dims as an int64 vector. Known at inferOutputs;
// the device path writes it from the host (the constant-folding pass removes most of them).

#include "nn/ops/op_util.h"

namespace sl::nn {

class ShapeOp : public NodeOp {
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
    explicit ShapeOp(const NodeDesc& node) : NodeOp(node) {}

    int64_t start_ = 0, end_ = INT64_MAX;
    Tensor value_;
};

}  // namespace sl::nn
