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

}  // namespace sl::nn
