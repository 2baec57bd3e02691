#pragma once
// The ops that only change the shape: Reshape (0 copies a dim unless allowzero, -1 is inferred),
// Flatten, Squeeze, Unsqueeze (axes as attributes before opset 13, as a constant input after) and
// Identity. Any dtype. The bytes do not change; the device path copies them (nothing when the
// runtime aliased output and input).

#include "nn/ops/op_util.h"

namespace sl::nn {

class Reshape : public NodeOp {
public:
    static Expected<std::unique_ptr<Op>> create(const NodeDesc& node);

    Status inferOutputs(std::span<const TensorInfo* const> inputs,
                        std::span<const Tensor* const> constants,
                        std::vector<TensorInfo>& outputs) override;
    Status runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) override;
    bool hasDevicePath(const compute::DeviceInfo&) const override { return true; }
    Status prepareDevice(const ClOpContext&, std::span<const Tensor* const>) override {
        return Status::ok();
    }
    Status runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                     std::span<const DeviceTensor> outputs) override {
        return copyDevice(ctx, inputs[0], outputs[0]);
    }

private:
    explicit Reshape(const NodeDesc& node) : NodeOp(node) {}
    // The shape-carrying values: Reshape's shape, Squeeze/Unsqueeze axes (attribute or input 1).
    Status readValues(std::span<const TensorInfo* const> inputs,
                      std::span<const Tensor* const> constants, std::vector<int64_t>& v,
                      bool& present) const;

    enum class Kind { Reshape, Flatten, Squeeze, Unsqueeze, Identity } kind_ = Kind::Reshape;
    std::vector<int64_t> attrValues_;
    bool haveAttr_ = false;
    bool allowZero_ = false;
    int64_t axis_ = 1;
};

}  // namespace sl::nn
