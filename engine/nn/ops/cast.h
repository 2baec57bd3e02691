#pragma once
// Cast between float32, float64, float16, int64, int32, int8, uint8 and bool (ONNX 'to' enum).
// float -> int truncates toward zero, -> bool is (x != 0), float16 rounds to nearest even.
// OpenCL: kernels/nn_data.cl cast for the types without float16/float64.

#include "nn/ops/op_util.h"

namespace sl::nn {

class Cast : public NodeOp {
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
    explicit Cast(const NodeDesc& node) : NodeOp(node) {}

    DType to_ = DType::Float32;
    DType from_ = DType::Float32;
    int64_t count_ = 0;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
