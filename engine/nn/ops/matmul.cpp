#include "nn/ops/matmul.h"

namespace sl::nn {

Expected<std::unique_ptr<Op>> MatMul::create(const NodeDesc& node) {
    return std::unique_ptr<Op>(new MatMul(node));
}

Status MatMul::inferOutputs(std::span<const TensorInfo* const> inputs,
                            std::span<const Tensor* const>, std::vector<TensorInfo>& outputs) {
    SL_TRY(requireInputs(inputs, 2));
    if (inputs[0]->dtype != DType::Float32 || inputs[1]->dtype != DType::Float32)
        return unsupported("only float32 is supported");
    Shape a = inputs[0]->shape, b = inputs[1]->shape;
    if (a.empty() || b.empty()) return fail("scalar operands");
    const bool aVec = a.size() == 1, bVec = b.size() == 1;
    if (aVec) a.insert(a.begin(), 1);
    if (bVec) b.push_back(1);
    m_ = a[a.size() - 2];
    k_ = a.back();
    n_ = b.back();
    if (b[b.size() - 2] != k_)
        return fail("inner dims differ: " + shapeString(inputs[0]->shape) + " x " +
                    shapeString(inputs[1]->shape));
    const Shape ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
    Shape batch;
    if (!broadcastShapes(ab, bb, batch)) return fail("batch dims do not broadcast");
    batches_ = elementCount(batch);
    const auto as = broadcastStrides(ab, batch), bs = broadcastStrides(bb, batch);
    aOffsets_.assign(batches_, 0);
    bOffsets_.assign(batches_, 0);
    for (int64_t i = 0; i < batches_; ++i) {
        int64_t rem = i;
        for (int d = int(batch.size()) - 1; d >= 0; --d) {
            const int64_t idx = rem % batch[d];
            rem /= batch[d];
            aOffsets_[i] += idx * as[d] * m_ * k_;
            bOffsets_[i] += idx * bs[d] * k_ * n_;
        }
    }
    out_ = batch;
    if (!aVec) out_.push_back(m_);
    if (!bVec) out_.push_back(n_);
    outputs = {TensorInfo{DType::Float32, out_}};
    return Status::ok();
}

Status MatMul::runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) {
    const float* a = inputs[0]->data<float>();
    const float* b = inputs[1]->data<float>();
    float* y = outputs[0].data<float>();
    for (int64_t t = 0; t < batches_; ++t)
        for (int64_t m = 0; m < m_; ++m)
            for (int64_t n = 0; n < n_; ++n) {
                float acc = 0;
                for (int64_t k = 0; k < k_; ++k)
                    acc += a[aOffsets_[t] + m * k_ + k] * b[bOffsets_[t] + k * n_ + n];
                y[(t * m_ + m) * n_ + n] = acc;
            }
    return Status::ok();
}

}  // namespace sl::nn
