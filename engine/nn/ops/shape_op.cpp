#include "nn/ops/shape_op.h"

#include <algorithm>

namespace sl::nn {

Expected<std::unique_ptr<Op>> ShapeOp::create(const NodeDesc& node) {
    std::unique_ptr<ShapeOp> op(new ShapeOp(node));
    op->start_ = node.attributes.get<int64_t>("start", 0);
    op->end_ = node.attributes.get<int64_t>("end", INT64_MAX);
    return std::unique_ptr<Op>(std::move(op));
}

Status ShapeOp::inferOutputs(std::span<const TensorInfo* const> inputs,
                             std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    const Shape& s = inputs[0]->shape;
    const int64_t r = int64_t(s.size());
    int64_t b = start_ < 0 ? start_ + r : start_;
    int64_t e = end_ < 0 ? end_ + r : end_;
    b = std::clamp<int64_t>(b, 0, r);
    e = std::clamp<int64_t>(e, 0, r);
    std::vector<int64_t> dims;
    for (int64_t i = b; i < e; ++i) dims.push_back(s[i]);
    value_ = Tensor(DType::Int64, {int64_t(dims.size())}, dims.data());
    outputs = {value_.info()};
    return Status::ok();
}

Status ShapeOp::runReference(std::span<const Tensor* const>, std::span<Tensor> outputs) {
    outputs[0] = value_;
    return Status::ok();
}

}  // namespace sl::nn
