#pragma once
// Element-wise activations: Relu, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Clip, Tanh, Exp
// (float32). One class: they differ only in the formula (Act in op_util.h, ACTIVATE in
// kernels/nn_common.cl). Clip's min/max are attributes before opset 11 and optional inputs from
// 11 on (constant: folded into the kernel; computed: read on the device by clip_dynamic).
// unary.cpp: reference; unary_cl.cpp: OpenCL path (kernels/nn_eltwise.cl, float4 per item).

#include "nn/ops/op_util.h"

namespace sl::nn {

class Unary : public NodeOp {
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
    double flops() const override { return double(count_); }

private:
    explicit Unary(const NodeDesc& node) : NodeOp(node) {}

    Activation act_;
    bool clipInputs_ = false;     // Clip >= 11: min/max come from inputs 1 and 2
    bool boundsConstant_ = true;  // ... and were constants at inferOutputs
    int64_t count_ = 0;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
