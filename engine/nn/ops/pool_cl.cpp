// Pools: OpenCL path (kernels/nn_pool.cl).
#include "nn/ops/pool.h"

namespace sl::nn {

bool Pool::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Pool::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    std::string opts = std::string(" -DPOOL_MAX=") + (max_ ? "1" : "0") +
                       " -DINCLUDE_PAD=" + (includePad_ ? "1" : "0");
    auto k = buildKernel(ctx, "nn_pool.cl", global_ ? "global_pool" : "pool2d", opts);
    if (!k) return k.status().withContext("nn/" + opType_ + " '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Pool::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                       std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    cl_kernel k = kernel_.get();
    if (global_) {
        SL_TRY(setArgs(k, inputs[0].mem, *xo, outputs[0].mem, *yo, cl_int(n_ * c_), cl_int(w_)));
        const size_t g[1] = {size_t(n_ * c_)};
        const size_t l[1] = {16};
        return launch(ctx, k, g, l);
    }
    SL_TRY(setArgs(k, inputs[0].mem, *xo, outputs[0].mem, *yo, cl_int(h_), cl_int(w_),
                   cl_int(oh_), cl_int(ow_), cl_int(win_.kh), cl_int(win_.kw), cl_int(win_.sh),
                   cl_int(win_.sw), cl_int(win_.dh), cl_int(win_.dw), cl_int(win_.padTop),
                   cl_int(win_.padLeft), cl_int(win_.padBottom), cl_int(win_.padRight)));
    const size_t g[3] = {size_t(ow_), size_t(oh_), size_t(n_ * c_)};
    const size_t l[3] = {16, 1, 1};
    return launch(ctx, k, g, l);
}

}  // namespace sl::nn
