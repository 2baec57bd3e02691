#include "nn/ops/conv_transpose.h"

#include <algorithm>

namespace sl::nn {

Expected<std::unique_ptr<Op>> ConvTranspose::create(const NodeDesc& node) {
    auto a = readConvAttributes(node);
    if (!a) return a.status();
    std::unique_ptr<ConvTranspose> op(new ConvTranspose(node));
    op->desc_ = node;
    op->autoPad_ = a->autoPad;
    op->group_ = a->group;
    op->act_ = a->act;
    return std::unique_ptr<Op>(std::move(op));
}

Status ConvTranspose::inferOutputs(std::span<const TensorInfo* const> inputs,
                                   std::span<const Tensor* const>,
                                   std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 2));
    const TensorInfo& x = *inputs[0];
    const TensorInfo& wt = *inputs[1];
    const int rank = int(x.shape.size());
    if (rank != 3 && rank != 4)
        return unsupported("only 1-D and 2-D transposed convolutions are supported (input " +
                           shapeString(x.shape) + ")");
    if (int(wt.shape.size()) != rank) return fail("weight rank differs from input rank");
    if (x.dtype != DType::Float32 || wt.dtype != DType::Float32)
        return unsupported("only float32 is supported");
    const int sr = rank - 2;
    win_ = {};
    SL_TRY(readWindow(desc_, sr, Shape(wt.shape.begin() + 2, wt.shape.end()), win_));
    n_ = x.shape[0], c_ = x.shape[1];
    h_ = sr == 2 ? x.shape[2] : 1;
    w_ = x.shape[rank - 1];
    if (wt.shape[0] != c_ || c_ % group_ != 0)
        return fail("weight " + shapeString(wt.shape) + " does not match " +
                    std::to_string(c_) + " channels in " + std::to_string(group_) + " groups");
    m_ = wt.shape[1] * group_;
    hasBias_ = inputs.size() > 2 && inputs[2];
    if (hasBias_ && elementCount(inputs[2]->shape) != m_) return fail("bias must have M elements");
    const auto& a = desc_.attributes;
    auto outPad = a.get<std::vector<int64_t>>("output_padding", std::vector<int64_t>(sr, 0));
    auto outShape = a.get<std::vector<int64_t>>("output_shape");
    if (int(outPad.size()) != sr) return fail("output_padding length differs from spatial rank");
    if (!outShape.empty() && int(outShape.size()) < sr) return fail("output_shape too short");
    // Per axis: in, k, s, d, output padding, pads (in/out), output length.
    auto axis = [&](int i, int64_t in, int64_t k, int64_t s, int64_t d, int64_t& pb, int64_t& pe,
                    int64_t& out) {
        const int64_t ke = (k - 1) * d + 1;
        const int64_t full = s * (in - 1) + outPad[i] + ke;
        int64_t target = -1;
        if (!outShape.empty()) target = outShape[outShape.size() - sr + i];
        else if (autoPad_ == "SAME_UPPER" || autoPad_ == "SAME_LOWER") target = in * s;
        if (autoPad_ == "VALID") pb = pe = 0;
        if (target >= 0) {
            // Floor division as in ONNX's (numpy) definition: a negative total (output_shape
            // larger than the natural size) extends the end, like output_padding.
            const int64_t total = full - target;
            const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
            if (autoPad_ == "SAME_UPPER") pb = half, pe = total - half;
            else pb = total - half, pe = half;
            out = target;
        } else {
            out = full - pb - pe;
        }
    };
    if (sr == 2)
        axis(0, h_, win_.kh, win_.sh, win_.dh, win_.padTop, win_.padBottom, oh_);
    else
        oh_ = 1;
    axis(sr - 1, w_, win_.kw, win_.sw, win_.dw, win_.padLeft, win_.padRight, ow_);
    if (oh_ < 1 || ow_ < 1) return fail("empty output");
    Shape out = sr == 2 ? Shape{n_, m_, oh_, ow_} : Shape{n_, m_, ow_};
    outputs = {TensorInfo{DType::Float32, out}};
    return Status::ok();
}

Status ConvTranspose::runReference(std::span<const Tensor* const> inputs,
                                   std::span<Tensor> outputs) {
    const float* x = inputs[0]->data<float>();
    const float* wt = inputs[1]->data<float>();
    const float* b = hasBias_ ? inputs[2]->data<float>() : nullptr;
    float* y = outputs[0].data<float>();
    const int64_t cg = c_ / group_, mg = m_ / group_;
    std::fill(y, y + outputs[0].elements(), 0.0f);
    for (int64_t n = 0; n < n_; ++n)
        for (int64_t c = 0; c < c_; ++c) {
            const int64_t g = c / cg;
            for (int64_t iy = 0; iy < h_; ++iy)
                for (int64_t ix = 0; ix < w_; ++ix) {
                    const float v = x[((n * c_ + c) * h_ + iy) * w_ + ix];
                    for (int64_t j = 0; j < mg; ++j)
                        for (int64_t ky = 0; ky < win_.kh; ++ky) {
                            const int64_t oy = iy * win_.sh - win_.padTop + ky * win_.dh;
                            if (oy < 0 || oy >= oh_) continue;
                            for (int64_t kx = 0; kx < win_.kw; ++kx) {
                                const int64_t ox = ix * win_.sw - win_.padLeft + kx * win_.dw;
                                if (ox < 0 || ox >= ow_) continue;
                                y[((n * m_ + g * mg + j) * oh_ + oy) * ow_ + ox] +=
                                    v * wt[((c * mg + j) * win_.kh + ky) * win_.kw + kx];
                            }
                        }
                }
        }
    for (int64_t n = 0; n < n_; ++n)
        for (int64_t m = 0; m < m_; ++m)
            for (int64_t p = 0; p < oh_ * ow_; ++p) {
                float& o = y[(n * m_ + m) * oh_ * ow_ + p];
                o = applyActivation(act_, o + (b ? b[m] : 0.0f));
            }
    return Status::ok();
}

double ConvTranspose::flops() const {
    return 2.0 * double(n_) * double(c_) * double(h_) * double(w_) * double(m_ / group_) *
           double(win_.kh) * double(win_.kw);
}

}  // namespace sl::nn
