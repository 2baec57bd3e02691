// Binary arithmetic: OpenCL path (kernels/nn_eltwise.cl), float32.
#include "nn/ops/binary.h"

namespace sl::nn {

bool Binary::hasDevicePath(const compute::DeviceInfo&) const {
    if (dtype_ != DType::Float32) return false;
    Shape s = out_;
    auto as = aStride_, bs = bStride_;
    collapseDims(s, {&as, &bs});
    return s.size() <= size_t(kMaxDims);
}

Status Binary::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    cShape_ = out_;
    caStride_ = aStride_;
    cbStride_ = bStride_;
    collapseDims(cShape_, {&caStride_, &cbStride_});
    const size_t r = cShape_.size();
    const bool aFull = caStride_ == contiguousStrides(cShape_);
    const char* name = "binary_bcast";
    launch_ = Launch::General;
    if (aFull && cbStride_ == caStride_) {
        launch_ = Launch::Same;
        name = "binary_same";
    } else if (aFull) {
        // b walks one dim contiguously and is broadcast on the dims after it (and before it).
        for (size_t d = 0; d < r; ++d) {
            if (cbStride_[d] != 1) continue;
            bool ok = true;
            for (size_t e = 0; e < r; ++e)
                if (e != d && cbStride_[e] != 0) ok = false;
            if (ok) {
                launch_ = Launch::Channel;
                name = "binary_channel";
                bn_ = cShape_[d];
                inner_ = product(cShape_, d + 1, r);
            }
        }
    }
    auto k = buildKernel(ctx, "nn_eltwise.cl", name, " -DOP=" + std::to_string(int(kind_)));
    if (!k) return k.status().withContext("nn/" + opType_ + " '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Binary::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                         std::span<const DeviceTensor> outputs) {
    auto ao = elementOffset(inputs[0]);
    auto bo = elementOffset(inputs[1]);
    auto yo = elementOffset(outputs[0]);
    if (!ao || !bo || !yo) return fail("device tensor offset not element-aligned");
    const cl_int n = cl_int(elementCount(out_));
    cl_kernel k = kernel_.get();
    SL_TRY(setArgs(k, inputs[0].mem, *ao, inputs[1].mem, *bo, outputs[0].mem, *yo, n));
    size_t g[1] = {size_t(n)};
    const size_t l[1] = {64};
    switch (launch_) {
    case Launch::Same: g[0] = (size_t(n) + 3) / 4; break;
    case Launch::Channel:
        SL_TRY(setArgs(k, inputs[0].mem, *ao, inputs[1].mem, *bo, outputs[0].mem, *yo, n,
                       cl_int(inner_), cl_int(bn_)));
        break;
    case Launch::General:
        SL_TRY(setArgs(k, inputs[0].mem, *ao, inputs[1].mem, *bo, outputs[0].mem, *yo, n,
                       toInt8(cShape_, 1), toInt8(caStride_, 0), toInt8(cbStride_, 0)));
        break;
    }
    return launch(ctx, k, g, l);
}

}  // namespace sl::nn
