#pragma once
// Pad: constant (value), reflect and edge modes; pads as an attribute (< 11) or a constant
// input (>= 11, with an optional constant_value input, constant or computed); negative pads
// crop. Any dtype for
// constant/edge/reflect (bytes move; the fill value is converted to the dtype on the host).
// OpenCL: kernels/nn_data.cl pad_nd, one output element per work-item.

#include "nn/ops/op_util.h"

namespace sl::nn {

class Pad : public NodeOp {
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
    explicit Pad(const NodeDesc& node) : NodeOp(node) {}

    enum class Mode { Constant, Reflect, Edge } mode_ = Mode::Constant;
    std::vector<int64_t> padsAttr_;
    float valueAttr_ = 0;
    DType dtype_ = DType::Float32;
    Shape in_, out_;
    std::vector<int64_t> begin_;
    std::vector<uint8_t> fill_;   // one element of the fill value in dtype_
    std::vector<uint8_t> deviceFill_;   // the same in the device's storage dtype
    bool fillInput_ = false;      // constant_value is computed: read from input 2 at run time
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
