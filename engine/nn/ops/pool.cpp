#include "nn/ops/pool.h"

#include <algorithm>
#include <limits>

namespace sl::nn {

Expected<std::unique_ptr<Op>> Pool::create(const NodeDesc& node) {
    std::unique_ptr<Pool> op(new Pool(node));
    const auto& a = node.attributes;
    const std::string& t = node.opType;
    op->desc_ = node;
    op->max_ = t == "MaxPool" || t == "GlobalMaxPool";
    op->global_ = t == "GlobalAveragePool" || t == "GlobalMaxPool";
    if (!op->global_) {
        if (!a.has("kernel_shape")) return nodeError(node, "attribute 'kernel_shape' is required");
        if (node.outputCount > 1)
            return nodeError(node, "the Indices output is not supported", StatusCode::Unsupported);
        if (a.get<int64_t>("storage_order", 0) != 0)
            return nodeError(node, "storage_order 1 is not supported", StatusCode::Unsupported);
        op->ceil_ = a.get<int64_t>("ceil_mode", 0) != 0;
        op->includePad_ = a.get<int64_t>("count_include_pad", 0) != 0;
        op->autoPad_ = a.get<std::string>("auto_pad", "NOTSET");
        if (op->autoPad_ != "NOTSET" && op->autoPad_ != "VALID" && op->autoPad_ != "SAME_UPPER" &&
            op->autoPad_ != "SAME_LOWER")
            return nodeError(node, "auto_pad '" + op->autoPad_ + "' is not supported",
                             StatusCode::Unsupported);
        if (!op->max_ && a.has("dilations"))
            return nodeError(node, "AveragePool dilations are not supported",
                             StatusCode::Unsupported);
    }
    return std::unique_ptr<Op>(std::move(op));
}

Status Pool::inferOutputs(std::span<const TensorInfo* const> inputs,
                          std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 1));
    const TensorInfo& x = *inputs[0];
    if (x.dtype != DType::Float32) return unsupported("only float32 is supported");
    const int rank = int(x.shape.size());
    n_ = x.shape.size() > 0 ? x.shape[0] : 0;
    c_ = x.shape.size() > 1 ? x.shape[1] : 0;
    if (global_) {
        if (rank < 2) return fail("input must be N x C x ...");
        h_ = 1;
        w_ = product(x.shape, 2, x.shape.size());
        oh_ = ow_ = 1;
        Shape out = x.shape;
        for (int d = 2; d < rank; ++d) out[d] = 1;
        outputs = {TensorInfo{DType::Float32, out}};
        return Status::ok();
    }
    if (rank != 3 && rank != 4)
        return unsupported("only 1-D and 2-D pooling is supported (input " +
                           shapeString(x.shape) + ")");
    const int sr = rank - 2;
    win_ = {};
    SL_TRY(readWindow(desc_, sr, {}, win_));
    h_ = sr == 2 ? x.shape[2] : 1;
    w_ = x.shape[rank - 1];
    oh_ = windowOutput(autoPad_, h_, (win_.kh - 1) * win_.dh + 1, win_.sh, ceil_, win_.padTop,
                       win_.padBottom);
    ow_ = windowOutput(autoPad_, w_, (win_.kw - 1) * win_.dw + 1, win_.sw, ceil_, win_.padLeft,
                       win_.padRight);
    if (oh_ < 1 || ow_ < 1) return fail("window larger than the padded input");
    Shape out = sr == 2 ? Shape{n_, c_, oh_, ow_} : Shape{n_, c_, ow_};
    outputs = {TensorInfo{DType::Float32, out}};
    return Status::ok();
}

Status Pool::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const float* x = inputs[0]->data<float>();
    float* y = outputs[0].data<float>();
    if (global_) {
        for (int64_t i = 0; i < n_ * c_; ++i) {
            float acc = max_ ? -std::numeric_limits<float>::infinity() : 0.0f;
            for (int64_t j = 0; j < w_; ++j)
                acc = max_ ? std::max(acc, x[i * w_ + j]) : acc + x[i * w_ + j];
            y[i] = max_ ? acc : acc / float(w_);
        }
        return Status::ok();
    }
    for (int64_t nc = 0; nc < n_ * c_; ++nc)
        for (int64_t oy = 0; oy < oh_; ++oy)
            for (int64_t ox = 0; ox < ow_; ++ox) {
                float acc = max_ ? -std::numeric_limits<float>::infinity() : 0.0f;
                int64_t valid = 0, padded = 0;
                for (int64_t ky = 0; ky < win_.kh; ++ky) {
                    const int64_t iy = oy * win_.sh - win_.padTop + ky * win_.dh;
                    const bool yInPad = iy >= -win_.padTop && iy < h_ + win_.padBottom;
                    for (int64_t kx = 0; kx < win_.kw; ++kx) {
                        const int64_t ix = ox * win_.sw - win_.padLeft + kx * win_.dw;
                        if (yInPad && ix >= -win_.padLeft && ix < w_ + win_.padRight) ++padded;
                        if (iy < 0 || iy >= h_ || ix < 0 || ix >= w_) continue;
                        const float v = x[(nc * h_ + iy) * w_ + ix];
                        acc = max_ ? std::max(acc, v) : acc + v;
                        ++valid;
                    }
                }
                if (!max_) acc /= float(includePad_ ? padded : std::max<int64_t>(valid, 1));
                y[(nc * oh_ + oy) * ow_ + ox] = acc;
            }
    return Status::ok();
}

}  // namespace sl::nn
