#include "nn/ops/slice.h"

#include <algorithm>

namespace sl::nn {

Expected<std::unique_ptr<Op>> Slice::create(const NodeDesc& node) {
    std::unique_ptr<Slice> op(new Slice(node));
    if (node.opset < 10) {
        const auto& a = node.attributes;
        if (!a.has("starts") || !a.has("ends"))
            return nodeError(node, "attributes 'starts' and 'ends' are required");
        op->starts_ = a.get<std::vector<int64_t>>("starts");
        op->ends_ = a.get<std::vector<int64_t>>("ends");
        op->axes_ = a.get<std::vector<int64_t>>("axes");
    }
    return std::unique_ptr<Op>(std::move(op));
}

Status Slice::inferOutputs(std::span<const TensorInfo* const> inputs,
                           std::span<const Tensor* const> constants,
                           std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    in_ = inputs[0]->shape;
    dtype_ = inputs[0]->dtype;
    const int64_t rank = int64_t(in_.size());
    std::vector<int64_t> starts = starts_, ends = ends_, axes = axes_, steps;
    if (opset_ >= 10) {
        SL_TRY(requireInputs(inputs, 3));
        std::vector<int64_t>* dst[4] = {&starts, &ends, &axes, &steps};
        const char* names[4] = {"starts", "ends", "axes", "steps"};
        for (size_t i = 1; i < 5 && i < inputs.size(); ++i) {
            if (!inputs[i]) continue;
            if (i >= constants.size() || !constants[i] || !readInts(*constants[i], *dst[i - 1]))
                return unsupported(std::string("input '") + names[i - 1] +
                                   "' must be a constant int64/int32 tensor");
        }
    }
    if (axes.empty())
        for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    if (ends.size() != starts.size() || axes.size() != starts.size() ||
        steps.size() != starts.size())
        return fail("starts/ends/axes/steps lengths differ");
    std::vector<int64_t> st(rank, 0), step(rank, 1);
    out_ = in_;
    std::vector<bool> seen(rank, false);
    for (size_t i = 0; i < starts.size(); ++i) {
        const int64_t a = normalizeAxis(axes[i], rank);
        if (a < 0 || seen[a]) return fail("bad or repeated axis " + std::to_string(axes[i]));
        seen[a] = true;
        const int64_t dim = in_[a];
        const int64_t s = steps[i];
        if (s == 0) return fail("step 0");
        int64_t b = starts[i], e = ends[i];
        if (b < 0) b += dim;
        if (e < 0) e += dim;
        int64_t len;
        if (s > 0) {
            b = std::clamp<int64_t>(b, 0, dim);
            e = std::clamp<int64_t>(e, 0, dim);
            len = e > b ? (e - b + s - 1) / s : 0;
        } else {
            b = std::clamp<int64_t>(b, 0, std::max<int64_t>(dim - 1, 0));
            e = std::clamp<int64_t>(e, -1, dim - 1);
            len = b > e ? (b - e + (-s) - 1) / (-s) : 0;
        }
        if (dim == 0) len = 0, b = 0;
        st[a] = b;
        step[a] = s;
        out_[a] = len;
    }
    const auto inStride = contiguousStrides(in_);
    offset_ = 0;
    srcStride_.assign(rank, 0);
    for (int64_t d = 0; d < rank; ++d) {
        offset_ += st[d] * inStride[d];
        srcStride_[d] = step[d] * inStride[d];
    }
    if (elementCount(out_) == 0) offset_ = 0;
    outputs = {TensorInfo{dtype_, out_}};
    return Status::ok();
}

Status Slice::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    copyNdHost(inputs[0]->raw(), offset_, srcStride_, outputs[0].raw(), 0,
               contiguousStrides(out_), out_, dtypeSize(dtype_));
    return Status::ok();
}

}  // namespace sl::nn
