#include "nn/ops/reduce_mean.h"

#include <cmath>

namespace sl::nn {

Expected<std::unique_ptr<Op>> ReduceMean::create(const NodeDesc& node) {
    std::unique_ptr<ReduceMean> op(new ReduceMean(node));
    op->axesAttr_ = node.attributes.get<std::vector<int64_t>>("axes");
    op->keepDims_ = node.attributes.get<int64_t>("keepdims", 1) != 0;
    if (node.opset >= 18)
        return nodeError(node, "opset 18 (axes as an input) is not supported",
                         StatusCode::Unsupported);
    return std::unique_ptr<Op>(std::move(op));
}

Status ReduceMean::inferOutputs(std::span<const TensorInfo* const> inputs,
                                std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    if (inputs[0]->dtype != DType::Float32) return unsupported("only float32 is supported");
    in_ = inputs[0]->shape;
    const int64_t r = int64_t(in_.size());
    std::vector<bool> reduced(r, axesAttr_.empty());
    for (int64_t a : axesAttr_) {
        const int64_t d = normalizeAxis(a, r);
        if (d < 0) return fail("axis " + std::to_string(a) + " out of range");
        reduced[d] = true;
    }
    const auto st = contiguousStrides(in_);
    out_.clear();
    keptShape_.clear(), redShape_.clear(), keptStride_.clear(), redStride_.clear();
    for (int64_t d = 0; d < r; ++d) {
        if (reduced[d]) {
            redShape_.push_back(in_[d]);
            redStride_.push_back(st[d]);
            if (keepDims_) out_.push_back(1);
        } else {
            keptShape_.push_back(in_[d]);
            keptStride_.push_back(st[d]);
            out_.push_back(in_[d]);
        }
    }
    outputs = {TensorInfo{DType::Float32, out_}};
    return Status::ok();
}

Status ReduceMean::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const float* x = inputs[0]->data<float>();
    float* y = outputs[0].data<float>();
    const int64_t nOut = elementCount(keptShape_), nRed = elementCount(redShape_);
    // Offset of linear index i of `shape` under `stride`.
    auto offset = [](int64_t i, const Shape& shape, const std::vector<int64_t>& stride) {
        int64_t off = 0;
        for (int d = int(shape.size()) - 1; d >= 0; --d) {
            off += (i % shape[d]) * stride[d];
            i /= shape[d];
        }
        return off;
    };
    for (int64_t o = 0; o < nOut; ++o) {
        const int64_t base = offset(o, keptShape_, keptStride_);
        float acc = 0;
        for (int64_t j = 0; j < nRed; ++j) acc += x[base + offset(j, redShape_, redStride_)];
        y[o] = nRed ? acc / float(nRed) : NAN;
    }
    return Status::ok();
}

}  // namespace sl::nn
