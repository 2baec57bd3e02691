#include "nn/ops/conv.h"

#include <algorithm>

namespace sl::nn {

Status readWindow(const NodeDesc& node, int spatialRank, const Shape& kernelFallback,
                  Window2d& w) {
    const auto& a = node.attributes;
    auto ks = a.get<std::vector<int64_t>>("kernel_shape", kernelFallback);
    auto st = a.get<std::vector<int64_t>>("strides", std::vector<int64_t>(spatialRank, 1));
    auto di = a.get<std::vector<int64_t>>("dilations", std::vector<int64_t>(spatialRank, 1));
    auto pa = a.get<std::vector<int64_t>>("pads", std::vector<int64_t>(2 * spatialRank, 0));
    if (int(ks.size()) != spatialRank || int(st.size()) != spatialRank ||
        int(di.size()) != spatialRank || int(pa.size()) != 2 * spatialRank)
        return nodeError(node, "kernel_shape/strides/dilations/pads do not match " +
                                   std::to_string(spatialRank) + " spatial dims");
    for (int i = 0; i < spatialRank; ++i)
        if (ks[i] < 1 || st[i] < 1 || di[i] < 1 || pa[i] < 0 || pa[i + spatialRank] < 0)
            return nodeError(node, "kernel_shape/strides/dilations must be >= 1, pads >= 0");
    if (spatialRank == 1) {
        w.kw = ks[0], w.sw = st[0], w.dw = di[0], w.padLeft = pa[0], w.padRight = pa[1];
    } else {
        w.kh = ks[0], w.kw = ks[1], w.sh = st[0], w.sw = st[1], w.dh = di[0], w.dw = di[1];
        w.padTop = pa[0], w.padLeft = pa[1], w.padBottom = pa[2], w.padRight = pa[3];
    }
    return Status::ok();
}

Expected<ConvAttributes> readConvAttributes(const NodeDesc& node) {
    ConvAttributes c;
    c.autoPad = node.attributes.get<std::string>("auto_pad", "NOTSET");
    if (c.autoPad != "NOTSET" && c.autoPad != "VALID" && c.autoPad != "SAME_UPPER" &&
        c.autoPad != "SAME_LOWER")
        return nodeError(node, "auto_pad '" + c.autoPad + "' is not supported",
                         StatusCode::Unsupported);
    c.group = node.attributes.get<int64_t>("group", 1);
    if (c.group < 1) return nodeError(node, "group must be >= 1");
    auto act = fusedActivation(node);
    if (!act) return act.status();
    c.act = *act;
    return c;
}

Expected<std::unique_ptr<Op>> Conv::create(const NodeDesc& node) {
    auto a = readConvAttributes(node);
    if (!a) return a.status();
    std::unique_ptr<Conv> op(new Conv(node));
    op->desc_ = node;
    op->autoPad_ = a->autoPad;
    op->group_ = a->group;
    op->act_ = a->act;
    return std::unique_ptr<Op>(std::move(op));
}

Status Conv::inferOutputs(std::span<const TensorInfo* const> inputs,
                          std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 2));
    const TensorInfo& x = *inputs[0];
    const TensorInfo& wt = *inputs[1];
    const int rank = int(x.shape.size());
    if (rank != 3 && rank != 4)
        return unsupported("only 1-D and 2-D convolutions are supported (input " +
                           shapeString(x.shape) + ")");
    if (int(wt.shape.size()) != rank) return fail("weight rank differs from input rank");
    if (x.dtype != DType::Float32 || wt.dtype != DType::Float32)
        return unsupported("only float32 is supported");
    dtypeOk_ = true;
    const int sr = rank - 2;
    Shape kfallback(wt.shape.begin() + 2, wt.shape.end());
    win_ = {};
    SL_TRY(readWindow(desc_, sr, kfallback, win_));
    n_ = x.shape[0], c_ = x.shape[1];
    h_ = sr == 2 ? x.shape[2] : 1;
    w_ = x.shape[rank - 1];
    m_ = wt.shape[0];
    const int64_t wkh = sr == 2 ? wt.shape[2] : 1, wkw = wt.shape[rank - 1];
    if (wkh != win_.kh || wkw != win_.kw) return fail("kernel_shape differs from the weight");
    if (c_ % group_ != 0 || m_ % group_ != 0 || wt.shape[1] * group_ != c_)
        return fail("channels " + std::to_string(c_) + " / weight " + shapeString(wt.shape) +
                    " do not match group " + std::to_string(group_));
    hasBias_ = inputs.size() > 2 && inputs[2];
    if (hasBias_ && elementCount(inputs[2]->shape) != m_) return fail("bias must have M elements");
    oh_ = windowOutput(autoPad_, h_, (win_.kh - 1) * win_.dh + 1, win_.sh, false, win_.padTop,
                       win_.padBottom);
    ow_ = windowOutput(autoPad_, w_, (win_.kw - 1) * win_.dw + 1, win_.sw, false, win_.padLeft,
                       win_.padRight);
    if (oh_ < 1 || ow_ < 1) return fail("kernel larger than the padded input " +
                                        shapeString(x.shape));
    Shape out = sr == 2 ? Shape{n_, m_, oh_, ow_} : Shape{n_, m_, ow_};
    outputs = {TensorInfo{DType::Float32, out}};
    return Status::ok();
}

Status Conv::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const float* x = inputs[0]->data<float>();
    const float* wt = inputs[1]->data<float>();
    const float* b = hasBias_ ? inputs[2]->data<float>() : nullptr;
    float* y = outputs[0].data<float>();
    const int64_t cg = c_ / group_, mg = m_ / group_;
    for (int64_t n = 0; n < n_; ++n)
        for (int64_t m = 0; m < m_; ++m) {
            const int64_t g = m / mg;
            for (int64_t oy = 0; oy < oh_; ++oy)
                for (int64_t ox = 0; ox < ow_; ++ox) {
                    float acc = 0;
                    for (int64_t ci = 0; ci < cg; ++ci)
                        for (int64_t ky = 0; ky < win_.kh; ++ky) {
                            const int64_t iy = oy * win_.sh - win_.padTop + ky * win_.dh;
                            if (iy < 0 || iy >= h_) continue;
                            for (int64_t kx = 0; kx < win_.kw; ++kx) {
                                const int64_t ix = ox * win_.sw - win_.padLeft + kx * win_.dw;
                                if (ix < 0 || ix >= w_) continue;
                                acc += x[((n * c_ + g * cg + ci) * h_ + iy) * w_ + ix] *
                                       wt[((m * cg + ci) * win_.kh + ky) * win_.kw + kx];
                            }
                        }
                    if (b) acc += b[m];
                    y[((n * m_ + m) * oh_ + oy) * ow_ + ox] = applyActivation(act_, acc);
                }
        }
    return Status::ok();
}

double Conv::flops() const {
    return 2.0 * double(n_) * double(m_) * double(oh_) * double(ow_) * double(c_ / group_) *
           double(win_.kh) * double(win_.kw);
}

}  // namespace sl::nn
