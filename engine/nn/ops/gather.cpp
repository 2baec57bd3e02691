#include "nn/ops/gather.h"

#include <cstring>

namespace sl::nn {

Expected<std::unique_ptr<Op>> Gather::create(const NodeDesc& node) {
    std::unique_ptr<Gather> op(new Gather(node));
    op->axis_ = node.attributes.get<int64_t>("axis", 0);
    return std::unique_ptr<Op>(std::move(op));
}

Status Gather::inferOutputs(std::span<const TensorInfo* const> inputs,
                            std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 2));
    const Shape& d = inputs[0]->shape;
    const Shape& idx = inputs[1]->shape;
    dtype_ = inputs[0]->dtype;
    indexType_ = inputs[1]->dtype;
    if (indexType_ != DType::Int64 && indexType_ != DType::Int32)
        return fail("indices must be int64 or int32");
    const int64_t axis = normalizeAxis(axis_, int64_t(d.size()));
    if (axis < 0) return fail("axis " + std::to_string(axis_) + " out of range");
    axis_ = axis;
    outer_ = product(d, 0, size_t(axis));
    axisLen_ = d[axis];
    inner_ = product(d, size_t(axis) + 1, d.size());
    nIdx_ = elementCount(idx);
    out_.assign(d.begin(), d.begin() + axis);
    out_.insert(out_.end(), idx.begin(), idx.end());
    out_.insert(out_.end(), d.begin() + axis + 1, d.end());
    outputs = {TensorInfo{dtype_, out_}};
    return Status::ok();
}

Status Gather::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const auto* src = static_cast<const uint8_t*>(inputs[0]->raw());
    auto* dst = static_cast<uint8_t*>(outputs[0].raw());
    const size_t row = size_t(inner_) * dtypeSize(dtype_);
    for (int64_t j = 0; j < nIdx_; ++j) {
        int64_t k = indexType_ == DType::Int64 ? inputs[1]->data<int64_t>()[j]
                                               : inputs[1]->data<int32_t>()[j];
        if (k < 0) k += axisLen_;
        if (k < 0 || k >= axisLen_) return fail("index " + std::to_string(k) + " out of range");
        for (int64_t o = 0; o < outer_; ++o)
            std::memcpy(dst + size_t(o * nIdx_ + j) * row, src + size_t(o * axisLen_ + k) * row,
                        row);
    }
    return Status::ok();
}

bool Gather::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Gather::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    const std::string opts = std::string(" -DT=") + clByteType(dtypeSize(dtype_)) +
                             " -DIDX=" + (indexType_ == DType::Int64 ? "long" : "int");
    auto k = buildKernel(ctx, "nn_data.cl", "gather", opts);
    if (!k) return k.status().withContext("nn/Gather '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Gather::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                         std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto io = elementOffset(inputs[1]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !io || !yo) return fail("device tensor offset not element-aligned");
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, inputs[1].mem, *io, outputs[0].mem, *yo,
                   cl_int(outer_), cl_int(axisLen_), cl_int(nIdx_), cl_int(inner_)));
    const size_t g[1] = {size_t(outer_ * nIdx_ * inner_)};
    const size_t l[1] = {64};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
