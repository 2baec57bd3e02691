#pragma once
// ConvTranspose (1-D and 2-D): groups, strides, dilations, pads, output_padding, output_shape,
// auto_pad SAME_UPPER/SAME_LOWER/VALID, optional bias, fused activation. float32.
// conv_transpose.cpp: reference (scatter form, the definition); conv_transpose_cl.cpp: OpenCL
// path in gather form (kernels/nn_conv.cl conv_transpose: one output per work-item, taps whose
// source position is not on the stride grid skipped).

#include "nn/ops/conv.h"

namespace sl::nn {

class ConvTranspose : public NodeOp {
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
    double flops() const override;

private:
    explicit ConvTranspose(const NodeDesc& node) : NodeOp(node) {}

    NodeDesc desc_;
    std::string autoPad_;
    int64_t group_ = 1;
    Activation act_;
    int64_t n_ = 0, c_ = 0, h_ = 0, w_ = 0, m_ = 0, oh_ = 0, ow_ = 0;
    Window2d win_;
    bool hasBias_ = false;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
