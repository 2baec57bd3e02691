#pragma once
// Transpose with perm (default: reversed dims), up to 8-D, any dtype; OpenCL: one strided copy.

#include "nn/ops/op_util.h"

namespace sl::nn {

class Transpose : public NodeOp {
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
    explicit Transpose(const NodeDesc& node) : NodeOp(node) {}

    std::vector<int64_t> perm_;
    DType dtype_ = DType::Float32;
    Shape in_, out_;
    std::vector<int64_t> srcStride_;
    compute::ClKernel copy_;
};

}  // namespace sl::nn
