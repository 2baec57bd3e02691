#include "nn/ops/split.h"

namespace sl::nn {

Expected<std::unique_ptr<Op>> Split::create(const NodeDesc& node) {
    std::unique_ptr<Split> op(new Split(node));
    op->axis_ = node.attributes.get<int64_t>("axis", 0);
    if (node.opset < 13 && node.attributes.has("split")) {
        op->split_ = node.attributes.get<std::vector<int64_t>>("split");
        op->splitAttr_ = true;
    }
    if (node.outputCount < 1) return nodeError(node, "needs at least one output");
    return std::unique_ptr<Op>(std::move(op));
}

Status Split::inferOutputs(std::span<const TensorInfo* const> inputs,
                           std::span<const Tensor* const> constants,
                           std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    in_ = inputs[0]->shape;
    dtype_ = inputs[0]->dtype;
    const int64_t axis = normalizeAxis(axis_, int64_t(in_.size()));
    if (axis < 0) return fail("axis " + std::to_string(axis_) + " out of range");
    axis_ = axis;
    if (!splitAttr_) {
        split_.clear();
        if (inputs.size() > 1 && inputs[1]) {
            if (constants.size() < 2 || !constants[1] || !readInts(*constants[1], split_))
                return unsupported("input 'split' must be a constant int64 tensor");
        }
    }
    const int64_t dim = in_[axis];
    if (split_.empty()) {
        if (dim % outputCount_ != 0)
            return fail("dim " + std::to_string(dim) + " does not split into " +
                        std::to_string(outputCount_) + " equal parts");
        split_.assign(outputCount_, dim / outputCount_);
    }
    if (int(split_.size()) != outputCount_) return fail("'split' size differs from outputs");
    int64_t sum = 0;
    for (int64_t s : split_) {
        if (s < 0) return fail("negative split");
        sum += s;
    }
    if (sum != dim) return fail("split sizes do not add up to " + std::to_string(dim));
    outputs.clear();
    for (int64_t s : split_) {
        Shape o = in_;
        o[axis] = s;
        outputs.push_back({dtype_, o});
    }
    return Status::ok();
}

Status Split::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const auto inStride = contiguousStrides(in_);
    int64_t at = 0;
    for (size_t i = 0; i < outputs.size(); ++i) {
        copyNdHost(inputs[0]->raw(), at * inStride[axis_], inStride, outputs[i].raw(), 0,
                   contiguousStrides(outputs[i].shape()), outputs[i].shape(), dtypeSize(dtype_));
        at += split_[i];
    }
    return Status::ok();
}

}  // namespace sl::nn
