// Unary activations: OpenCL path (kernels/nn_eltwise.cl "unary").
#include "nn/ops/unary.h"

namespace sl::nn {

bool Unary::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Unary::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = boundsConstant_ ? buildKernel(ctx, "nn_eltwise.cl", "unary", activationDefine(act_))
                             : buildKernel(ctx, "nn_eltwise.cl", "clip_dynamic");
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
    if (!boundsConstant_) {
        cl_mem bound[2] = {nullptr, nullptr};
        cl_int boundOff[2] = {0, 0};
        for (size_t i = 1; i < 3 && i < inputs.size(); ++i) {
            if (!inputs[i].mem) continue;
            auto o = elementOffset(inputs[i]);
            if (!o) return o.status();
            bound[i - 1] = inputs[i].mem;
            boundOff[i - 1] = *o;
        }
        SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, outputs[0].mem, *yo, n, bound[0],
                       boundOff[0], bound[1], boundOff[1]));
        const size_t g[1] = {size_t(count_)};
        const size_t l[1] = {64};
        return launch(ctx, kernel_.get(), g, l);
    }
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, outputs[0].mem, *yo, n, act_.alpha,
                   act_.beta));
    const size_t g[1] = {(size_t(count_) + 3) / 4};
    const size_t l[1] = {64};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
