#pragma once
// Constant: the 'value' tensor attribute, or value_float(s)/value_int(s). The device path
// uploads it (the runtime usually treats it as an initializer instead).

#include "nn/ops/op_util.h"

namespace sl::nn {

class ConstantOp : public NodeOp {
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
    explicit ConstantOp(const NodeDesc& node) : NodeOp(node) {}

    Tensor value_;
    Tensor deviceValue_;   // value_ in the device's storage dtype (prepareDevice)
};

}  // namespace sl::nn
