#pragma once
// Split along an axis into outputCount parts: 'split' sizes as an attribute (< 13) or input 1
// (>= 13, must be constant), else equal parts. Any dtype; OpenCL: one strided copy per output.

#include "nn/ops/op_util.h"

namespace sl::nn {

class Split : public NodeOp {
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
    explicit Split(const NodeDesc& node) : NodeOp(node) {}

    int64_t axis_ = 0;
    std::vector<int64_t> split_;
    bool splitAttr_ = false;
    DType dtype_ = DType::Float32;
    Shape in_;
    compute::ClKernel copy_;
};

}  // namespace sl::nn
