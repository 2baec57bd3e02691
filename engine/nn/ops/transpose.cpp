#include "nn/ops/transpose.h"

namespace sl::nn {

Expected<std::unique_ptr<Op>> Transpose::create(const NodeDesc& node) {
    std::unique_ptr<Transpose> op(new Transpose(node));
    op->perm_ = node.attributes.get<std::vector<int64_t>>("perm");
    return std::unique_ptr<Op>(std::move(op));
}

Status Transpose::inferOutputs(std::span<const TensorInfo* const> inputs,
                               std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    in_ = inputs[0]->shape;
    dtype_ = inputs[0]->dtype;
    const int64_t rank = int64_t(in_.size());
    std::vector<int64_t> perm = perm_;
    if (perm.empty())
        for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
    if (int64_t(perm.size()) != rank) return fail("perm length differs from rank");
    std::vector<bool> seen(rank, false);
    const auto inStride = contiguousStrides(in_);
    out_.assign(rank, 0);
    srcStride_.assign(rank, 0);
    for (int64_t i = 0; i < rank; ++i) {
        const int64_t p = normalizeAxis(perm[i], rank);
        if (p < 0 || seen[p]) return fail("perm is not a permutation");
        seen[p] = true;
        out_[i] = in_[p];
        srcStride_[i] = inStride[p];
    }
    outputs = {TensorInfo{dtype_, out_}};
    return Status::ok();
}

Status Transpose::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    copyNdHost(inputs[0]->raw(), 0, srcStride_, outputs[0].raw(), 0, contiguousStrides(out_), out_,
               dtypeSize(dtype_));
    return Status::ok();
}

}  // namespace sl::nn
