#pragma once
// Add, Sub, Mul, Div with multidirectional (numpy) broadcasting, and PRelu (slope broadcast to X).
// Reference: float32, float64, int64, int32, int8, uint8 (shape arithmetic folds on the host);
// OpenCL: float32, three kernels (kernels/nn_eltwise.cl): same shape (float4), per-channel
// operand, general N-d.

#include "nn/ops/op_util.h"

namespace sl::nn {

class Binary : public NodeOp {
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
    double flops() const override { return double(elementCount(out_)); }

    enum class Kind { Add = 0, Sub = 1, Mul = 2, Div = 3, PRelu = 4 };

private:
    explicit Binary(const NodeDesc& node) : NodeOp(node) {}

    Kind kind_ = Kind::Add;
    DType dtype_ = DType::Float32;
    Shape out_;
    std::vector<int64_t> aStride_, bStride_;   // broadcast strides over out_

    enum class Launch { Same, Channel, General } launch_ = Launch::General;
    Shape cShape_;                             // collapsed for the general kernel
    std::vector<int64_t> caStride_, cbStride_;
    int64_t inner_ = 1, bn_ = 1;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
