#include "nn/ops/concat.h"

namespace sl::nn {

Expected<std::unique_ptr<Op>> Concat::create(const NodeDesc& node) {
    std::unique_ptr<Concat> op(new Concat(node));
    if (!node.attributes.has("axis")) return nodeError(node, "attribute 'axis' is required");
    op->axis_ = node.attributes.get<int64_t>("axis", 0);
    return std::unique_ptr<Op>(std::move(op));
}

Status Concat::inferOutputs(std::span<const TensorInfo* const> inputs,
                            std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    SL_TRY(requireInputs(inputs, inputs.size()));
    const TensorInfo& first = *inputs[0];
    const int64_t rank = int64_t(first.shape.size());
    const int64_t axis = normalizeAxis(axis_, rank);
    if (axis < 0) return fail("axis " + std::to_string(axis_) + " out of range");
    axis_ = axis;
    dtype_ = first.dtype;
    out_ = first.shape;
    out_[axis] = 0;
    ins_.clear();
    for (const TensorInfo* t : inputs) {
        if (t->dtype != dtype_) return fail("input dtypes differ");
        if (int64_t(t->shape.size()) != rank) return fail("input ranks differ");
        for (int64_t d = 0; d < rank; ++d)
            if (d != axis && t->shape[d] != first.shape[d])
                return fail("shapes " + shapeString(first.shape) + " and " +
                            shapeString(t->shape) + " differ off the axis");
        out_[axis] += t->shape[axis];
        ins_.push_back(t->shape);
    }
    outputs = {TensorInfo{dtype_, out_}};
    return Status::ok();
}

Status Concat::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const auto outStride = contiguousStrides(out_);
    int64_t at = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
        copyNdHost(inputs[i]->raw(), 0, contiguousStrides(ins_[i]), outputs[0].raw(),
                   at * outStride[axis_], outStride, ins_[i], dtypeSize(dtype_));
        at += ins_[i][axis_];
    }
    return Status::ok();
}

}  // namespace sl::nn
