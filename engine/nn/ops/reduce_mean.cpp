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

bool ReduceMean::hasDevicePath(const compute::DeviceInfo&) const {
    return keptShape_.size() <= kMaxDims && redShape_.size() <= kMaxDims &&
           elementCount(redShape_) > 0;
}

Status ReduceMean::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_norm.cl", "reduce_mean");
    if (!k) return k.status().withContext("nn/ReduceMean '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status ReduceMean::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                             std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    const cl_int nOut = cl_int(elementCount(keptShape_)), nRed = cl_int(elementCount(redShape_));
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, outputs[0].mem, *yo, nOut, nRed,
                   toInt8(keptShape_, 1), toInt8(keptStride_, 0), toInt8(redShape_, 1),
                   toInt8(redStride_, 0)));
    const size_t g[1] = {size_t(nOut)};
    const size_t l[1] = {16};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
