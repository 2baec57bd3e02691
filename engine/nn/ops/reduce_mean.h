#pragma once
// ReduceMean with axes as an attribute (default: all) and keepdims. float32. OpenCL: one
// output per work-item looping over the reduced elements (kernels/nn_norm.cl reduce_mean).

#include "nn/ops/op_util.h"

namespace sl::nn {

class ReduceMean : public NodeOp {
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
    explicit ReduceMean(const NodeDesc& node) : NodeOp(node) {}

    std::vector<int64_t> axesAttr_;
    bool keepDims_ = true;
    Shape in_, out_;
    Shape keptShape_, redShape_;
    std::vector<int64_t> keptStride_, redStride_;   // input strides of kept / reduced dims
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
