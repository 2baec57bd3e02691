#pragma once
// Gather along any axis with int64 or int32 indices (negative ones count from the end; an
// out-of-range index is an error on the reference and clamped on the device). Any data dtype:
// bytes move. OpenCL: kernels/nn_data.cl gather.

#include "nn/ops/op_util.h"

namespace sl::nn {

class Gather : public NodeOp {
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
    explicit Gather(const NodeDesc& node) : NodeOp(node) {}

    int64_t axis_ = 0;
    DType dtype_ = DType::Float32;
    DType indexType_ = DType::Int64;
    int64_t outer_ = 1, axisLen_ = 1, nIdx_ = 1, inner_ = 1;
    Shape out_;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
