#pragma once
// MaxPool, AveragePool (count_include_pad, ceil_mode), GlobalAveragePool, GlobalMaxPool over 1-D
// and 2-D spatial dims (N x C x [H x] W), float32. MaxPool's optional Indices output is not
// supported. pool.cpp: reference; pool_cl.cpp: OpenCL path (kernels/nn_pool.cl, one output per
// work-item; MaxPool windows of 9+ elements run separably: rows then columns, as YOLOX's SPP
// k5/9/13).

#include "nn/ops/conv.h"

namespace sl::nn {

class Pool : public NodeOp {
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
    explicit Pool(const NodeDesc& node) : NodeOp(node) {}

    NodeDesc desc_;
    bool max_ = true;
    bool global_ = false;
    bool ceil_ = false;
    bool includePad_ = false;
    std::string autoPad_;
    int64_t n_ = 0, c_ = 0, h_ = 0, w_ = 0, oh_ = 0, ow_ = 0;
    Window2d win_;
    compute::ClKernel kernel_;
    // Separable MaxPool (large windows): rows pass into tmp_, then the columns pass.
    bool separable_ = false;
    compute::ClKernel rows_;
    compute::ClMem tmp_;
};

}  // namespace sl::nn
