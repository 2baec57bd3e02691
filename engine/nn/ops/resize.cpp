#include "nn/ops/resize.h"

#include <cmath>

namespace sl::nn {

Expected<std::unique_ptr<Op>> Resize::create(const NodeDesc& node) {
    std::unique_ptr<Resize> op(new Resize(node));
    const auto& a = node.attributes;
    const std::string mode = a.get<std::string>("mode", "nearest");
    if (mode != "nearest" && mode != "linear" && mode != "bilinear")
        return nodeError(node, "mode '" + mode + "' is not supported", StatusCode::Unsupported);
    op->linear_ = mode != "nearest";
    const bool legacy = node.opType == "Upsample" || node.opset < 11;
    op->coord_ = legacy ? "asymmetric"
                        : a.get<std::string>("coordinate_transformation_mode", "half_pixel");
    op->nearest_ = legacy ? "floor" : a.get<std::string>("nearest_mode", "round_prefer_floor");
    op->extrapolation_ = a.get<float>("extrapolation_value", 0.0f);
    static const char* coords[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                   "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"};
    bool known = false;
    for (const char* c : coords) known = known || op->coord_ == c;
    if (!known)
        return nodeError(node, "coordinate_transformation_mode '" + op->coord_ +
                                   "' is not supported", StatusCode::Unsupported);
    if (op->nearest_ != "round_prefer_floor" && op->nearest_ != "round_prefer_ceil" &&
        op->nearest_ != "floor" && op->nearest_ != "ceil")
        return nodeError(node, "nearest_mode '" + op->nearest_ + "' is not supported",
                         StatusCode::Unsupported);
    if (node.opType == "Upsample" && node.opset < 9) {
        op->scalesAttr_ = a.get<std::vector<float>>("scales");
        if (op->scalesAttr_.empty()) return nodeError(node, "attribute 'scales' is required");
    }
    return std::unique_ptr<Op>(std::move(op));
}

void Resize::buildAxis(int64_t in, int64_t out, double scale, double roiStart, double roiEnd,
                       std::vector<int32_t>& i0, std::vector<int32_t>& i1, std::vector<float>& w) {
    i0.assign(out, 0);
    i1.assign(out, 0);
    w.assign(out, 0.0f);
    for (int64_t o = 0; o < out; ++o) {
        const double x = double(o);
        double src = 0;
        if (coord_ == "half_pixel") src = (x + 0.5) / scale - 0.5;
        else if (coord_ == "pytorch_half_pixel") src = out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
        else if (coord_ == "align_corners")
            src = out == 1 ? 0.0 : x * double(in - 1) / double(out - 1);
        else if (coord_ == "asymmetric") src = x / scale;
        else if (coord_ == "tf_half_pixel_for_nn") src = (x + 0.5) / scale;
        else if (coord_ == "tf_crop_and_resize")
            src = out > 1 ? roiStart * double(in - 1) +
                                x * (roiEnd - roiStart) * double(in - 1) / double(out - 1)
                          : 0.5 * (roiStart + roiEnd) * double(in - 1);
        if (coord_ == "tf_crop_and_resize" && (src < 0 || src > double(in - 1))) {
            i0[o] = -1;   // extrapolated
            continue;
        }
        if (!linear_) {
            double r;
            const double fl = std::floor(src);
            if (nearest_ == "floor") r = fl;
            else if (nearest_ == "ceil") r = std::ceil(src);
            else if (src == fl + 0.5) r = nearest_ == "round_prefer_floor" ? fl : fl + 1;
            else r = std::round(src);
            const int64_t idx = std::min<int64_t>(std::max<int64_t>(int64_t(r), 0), in - 1);
            i0[o] = i1[o] = int32_t(idx);
            continue;
        }
        const double c = std::min(std::max(src, 0.0), double(in - 1));
        const int64_t a = std::min<int64_t>(int64_t(c), in - 1);
        i0[o] = int32_t(a);
        i1[o] = int32_t(std::min<int64_t>(a + 1, in - 1));
        w[o] = float(c - double(a));
    }
}

Status Resize::inferOutputs(std::span<const TensorInfo* const> inputs,
                            std::span<const Tensor* const> constants,
                            std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    if (inputs[0]->dtype != DType::Float32) return unsupported("only float32 is supported");
    in_ = inputs[0]->shape;
    const size_t r = in_.size();
    if (r < 2) return unsupported("rank < 2");
    auto constAt = [&](size_t i) -> const Tensor* {
        if (i >= inputs.size() || !inputs[i]) return nullptr;
        return i < constants.size() ? constants[i] : nullptr;
    };
    auto presentAt = [&](size_t i) {
        return i < inputs.size() && inputs[i] && elementCount(inputs[i]->shape) > 0;
    };
    // Where scales / sizes / roi live for this op version.
    const bool upsample = opType_ == "Upsample";
    const size_t scalesIdx = (upsample || opset_ < 11) ? 1 : 2;
    std::vector<double> scales;
    std::vector<int64_t> sizes;
    std::vector<double> roi;
    if (!scalesAttr_.empty()) {
        scales.assign(scalesAttr_.begin(), scalesAttr_.end());
    } else if (presentAt(scalesIdx)) {
        const Tensor* s = constAt(scalesIdx);
        if (!s || s->dtype() != DType::Float32)
            return unsupported("input 'scales' must be a constant float32 tensor");
        scales.assign(s->data<float>(), s->data<float>() + s->elements());
    }
    if (!upsample && opset_ >= 11 && presentAt(3)) {
        const Tensor* s = constAt(3);
        if (!s || !readInts(*s, sizes)) return unsupported("input 'sizes' must be constant int64");
    }
    if (!upsample && opset_ >= 11 && presentAt(1) && coord_ == "tf_crop_and_resize") {
        const Tensor* t = constAt(1);
        if (!t || t->dtype() != DType::Float32)
            return unsupported("input 'roi' must be a constant float32 tensor");
        roi.assign(t->data<float>(), t->data<float>() + t->elements());
    }
    if (scales.empty() == sizes.empty()) return fail("exactly one of scales and sizes is needed");
    if ((!scales.empty() && scales.size() != r) || (!sizes.empty() && sizes.size() != r))
        return fail("scales/sizes length differs from the rank");
    if (!roi.empty() && roi.size() != 2 * r) return fail("roi must have 2 x rank values");
    if (roi.empty()) {
        roi.assign(r, 0.0);
        roi.resize(2 * r, 1.0);
    }
    out_ = in_;
    std::vector<double> sc(r, 1.0);
    for (size_t d = 0; d < r; ++d) {
        if (!sizes.empty()) {
            out_[d] = sizes[d];
            sc[d] = in_[d] ? double(sizes[d]) / double(in_[d]) : 1.0;
        } else {
            if (scales[d] <= 0) return fail("scales must be > 0");
            sc[d] = scales[d];
            out_[d] = int64_t(std::floor(double(in_[d]) * scales[d]));
        }
    }
    for (size_t d = 0; d + 2 < r; ++d)
        if (out_[d] != in_[d] || sc[d] != 1.0 || roi[d] != 0.0 || roi[d + r] != 1.0)
            return unsupported("resizing dims other than the last two is not supported");
    planes_ = product(in_, 0, r - 2);
    ih_ = in_[r - 2], iw_ = in_[r - 1], oh_ = out_[r - 2], ow_ = out_[r - 1];
    buildAxis(ih_, oh_, sc[r - 2], roi[r - 2], roi[2 * r - 2], y0_, y1_, wy_);
    buildAxis(iw_, ow_, sc[r - 1], roi[r - 1], roi[2 * r - 1], x0_, x1_, wx_);
    outputs = {TensorInfo{DType::Float32, out_}};
    return Status::ok();
}

Status Resize::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const float* x = inputs[0]->data<float>();
    float* y = outputs[0].data<float>();
    for (int64_t p = 0; p < planes_; ++p)
        for (int64_t oy = 0; oy < oh_; ++oy)
            for (int64_t ox = 0; ox < ow_; ++ox) {
                float& o = y[(p * oh_ + oy) * ow_ + ox];
                if (y0_[oy] < 0 || x0_[ox] < 0) {
                    o = extrapolation_;
                    continue;
                }
                const float* plane = x + p * ih_ * iw_;
                const float a = plane[y0_[oy] * iw_ + x0_[ox]];
                if (!linear_) {
                    o = a;
                    continue;
                }
                const float b = plane[y0_[oy] * iw_ + x1_[ox]];
                const float c = plane[y1_[oy] * iw_ + x0_[ox]];
                const float d = plane[y1_[oy] * iw_ + x1_[ox]];
                const float lx = wx_[ox], ly = wy_[oy];
                const float top = a + (b - a) * lx;
                const float bottom = c + (d - c) * lx;
                o = top + (bottom - top) * ly;
            }
    return Status::ok();
}

}  // namespace sl::nn
