#pragma once
// Concat along an axis (negative allowed), any dtype (bytes move). OpenCL: one strided copy per
// input into its slab of the output (copy_nd, or a buffer copy when the slab is contiguous).

#include "nn/ops/op_util.h"

namespace sl::nn {

class Concat : public NodeOp {
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
    explicit Concat(const NodeDesc& node) : NodeOp(node) {}

    int64_t axis_ = 0;
    DType dtype_ = DType::Float32;
    Shape out_;
    std::vector<Shape> ins_;
    compute::ClKernel copy_;
};

}  // namespace sl::nn
