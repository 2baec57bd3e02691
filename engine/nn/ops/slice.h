#pragma once
// Slice: starts/ends/axes as attributes (< 10) or starts/ends/axes/steps inputs (>= 10, must be
// constant); negative indices count from the end, out-of-range ends clamp (INT64_MAX = to the
// end), negative steps walk backwards. Any dtype; OpenCL: one strided copy (negative strides).

#include "nn/ops/op_util.h"

namespace sl::nn {

class Slice : public NodeOp {
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
    explicit Slice(const NodeDesc& node) : NodeOp(node) {}

    std::vector<int64_t> starts_, ends_, axes_;   // attributes (opset < 10)
    DType dtype_ = DType::Float32;
    Shape in_, out_;
    int64_t offset_ = 0;                          // first element read
    std::vector<int64_t> srcStride_;              // per output dim, in input elements
    compute::ClKernel copy_;
};

}  // namespace sl::nn
