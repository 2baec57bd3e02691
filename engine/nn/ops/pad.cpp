#include "nn/ops/pad.h"

#include <cstring>

namespace sl::nn {
namespace {

// The source coordinate of output coordinate o (-1: outside, write the fill). Reflect is
// periodic with period 2 (len - 1), which equals ONNX's mirror for pads up to len - 1.
int64_t source(int mode, int64_t o, int64_t begin, int64_t len) {
    int64_t s = o - begin;
    if (mode == 0) return s < 0 || s >= len ? -1 : s;
    if (mode == 2) return s < 0 ? 0 : (s >= len ? len - 1 : s);
    if (len == 1) return 0;
    const int64_t p = 2 * (len - 1);
    s %= p;
    if (s < 0) s += p;
    return s >= len ? p - s : s;
}

bool fillBytes(DType t, double v, std::vector<uint8_t>& out) {
    out.assign(dtypeSize(t), 0);
    auto put = [&](auto x) { std::memcpy(out.data(), &x, sizeof x); };
    switch (t) {
    case DType::Float32: put(float(v)); return true;
    case DType::Float64: put(v); return true;
    case DType::Int64: put(int64_t(v)); return true;
    case DType::Int32: put(int32_t(v)); return true;
    case DType::Int8: put(int8_t(v)); return true;
    case DType::UInt8: put(uint8_t(v)); return true;
    case DType::Bool: put(uint8_t(v != 0)); return true;
    default: return false;
    }
}

}  // namespace

Expected<std::unique_ptr<Op>> Pad::create(const NodeDesc& node) {
    std::unique_ptr<Pad> op(new Pad(node));
    const auto& a = node.attributes;
    const std::string mode = a.get<std::string>("mode", "constant");
    if (mode == "constant") op->mode_ = Mode::Constant;
    else if (mode == "reflect") op->mode_ = Mode::Reflect;
    else if (mode == "edge") op->mode_ = Mode::Edge;
    else return nodeError(node, "mode '" + mode + "' is not supported", StatusCode::Unsupported);
    if (node.opset < 11) {
        op->padsAttr_ = a.get<std::vector<int64_t>>(node.opset < 2 ? "paddings" : "pads");
        op->valueAttr_ = a.get<float>("value", 0.0f);
    }
    return std::unique_ptr<Op>(std::move(op));
}

Status Pad::inferOutputs(std::span<const TensorInfo* const> inputs,
                         std::span<const Tensor* const> constants,
                         std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    in_ = inputs[0]->shape;
    dtype_ = inputs[0]->dtype;
    const size_t r = in_.size();
    std::vector<int64_t> pads = padsAttr_;
    double value = valueAttr_;
    fill_.clear();
    fillInput_ = false;
    if (opset_ >= 11) {
        SL_TRY(requireInputs(inputs, 2));
        if (constants.size() < 2 || !constants[1] || !readInts(*constants[1], pads))
            return unsupported("input 'pads' must be a constant int64 tensor");
        if (inputs.size() > 2 && inputs[2] && elementCount(inputs[2]->shape) > 0) {
            if (inputs[2]->dtype != dtype_) return fail("constant_value dtype differs");
            if (constants.size() > 2 && constants[2]) {
                const auto* p = static_cast<const uint8_t*>(constants[2]->raw());
                fill_.assign(p, p + dtypeSize(dtype_));
            } else {
                fillInput_ = true;   // computed: read at run time
            }
        }
    }
    if (fill_.empty() && !fillBytes(dtype_, value, fill_))
        return unsupported(std::string("dtype ") + dtypeName(dtype_));
    if (pads.size() != 2 * r) return fail("pads must have 2 x rank values");
    out_ = in_;
    begin_.assign(r, 0);
    for (size_t d = 0; d < r; ++d) {
        begin_[d] = pads[d];
        out_[d] = in_[d] + pads[d] + pads[d + r];
        if (out_[d] < 0) return fail("negative pads crop more than the input");
        if (mode_ != Mode::Constant && in_[d] == 0 && out_[d] > 0)
            return fail("cannot reflect/edge-pad an empty dim");
    }
    outputs = {TensorInfo{dtype_, out_}};
    return Status::ok();
}

Status Pad::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const size_t es = dtypeSize(dtype_);
    const auto* src = static_cast<const uint8_t*>(inputs[0]->raw());
    auto* dst = static_cast<uint8_t*>(outputs[0].raw());
    std::vector<uint8_t> fill = fill_;
    if (fillInput_ && inputs.size() > 2 && inputs[2]) {
        const auto* p = static_cast<const uint8_t*>(inputs[2]->raw());
        fill.assign(p, p + es);
    }
    const auto inStride = contiguousStrides(in_);
    const int64_t n = elementCount(out_);
    const size_t r = out_.size();
    std::vector<int64_t> idx(r, 0);
    for (int64_t i = 0; i < n; ++i) {
        int64_t off = 0;
        bool inside = true;
        for (size_t d = 0; d < r; ++d) {
            const int64_t s = source(int(mode_), idx[d], begin_[d], in_[d]);
            if (s < 0) inside = false;
            off += s * inStride[d];
        }
        std::memcpy(dst + size_t(i) * es, inside ? src + size_t(off) * es : fill.data(), es);
        for (int d = int(r) - 1; d >= 0; --d) {
            if (++idx[d] < out_[d]) break;
            idx[d] = 0;
        }
    }
    return Status::ok();
}

}  // namespace sl::nn
