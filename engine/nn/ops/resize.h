#pragma once
// Resize (opset 10, 11, 13) and Upsample (7, 9): nearest (round_prefer_floor, round_prefer_ceil,
// floor, ceil) and linear over the last two dims; coordinate_transformation_mode half_pixel,
// pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize (with
// extrapolation_value); scales or sizes (constant inputs); up and down. Leading dims must keep
// their size. cubic is not supported. float32.
//
// Both paths use the same per-axis tables (source index pair + weight, or -1 for an extrapolated
// coordinate) computed once on the host in double precision, so device and reference agree
// exactly on which pixels are read.

#include "nn/ops/op_util.h"

namespace sl::nn {

class Resize : public NodeOp {
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
    explicit Resize(const NodeDesc& node) : NodeOp(node) {}

    // Tables for one axis of `in` -> `out` samples.
    void buildAxis(int64_t in, int64_t out, double scale, double roiStart, double roiEnd,
                   std::vector<int32_t>& i0, std::vector<int32_t>& i1, std::vector<float>& w);

    bool linear_ = false;
    std::string coord_;
    std::string nearest_;
    float extrapolation_ = 0;
    std::vector<float> scalesAttr_;   // Upsample-7
    Shape in_, out_;
    int64_t planes_ = 1, ih_ = 1, iw_ = 1, oh_ = 1, ow_ = 1;
    std::vector<int32_t> y0_, y1_, x0_, x1_;
    std::vector<float> wy_, wx_;
    compute::ClKernel kernel_;
    compute::ClMem indices_, weights_;
};

}  // namespace sl::nn
