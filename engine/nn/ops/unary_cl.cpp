// Unary activations: OpenCL path (kernels/nn_eltwise.cl "unary").
#include "nn/ops/unary.h"

namespace sl::nn {

bool Unary::hasDevicePath(const compute::DeviceInfo&) const { return boundsConstant_; }

Status Unary::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_eltwise.cl", "unary", activationDefine(act_));
    if (!k) return k.status().withContext("nn/" + opType_ + " '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Unary::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                        std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    const cl_int n = cl_int(count_);
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, outputs[0].mem, *yo, n, act_.alpha,
                   act_.beta));
    const size_t g[1] = {(size_t(count_) + 3) / 4};
    const size_t l[1] = {64};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
