// Pools: OpenCL path (kernels/nn_pool.cl).
#include "nn/ops/pool.h"

#include "compute/cl_context.h"

namespace sl::nn {

bool Pool::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Pool::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    std::string opts = std::string(" -DPOOL_MAX=") + (max_ ? "1" : "0") +
                       " -DINCLUDE_PAD=" + (includePad_ ? "1" : "0");
    separable_ = max_ && !global_ && win_.kh * win_.kw >= 9;
    if (separable_) {
        auto rows = buildKernel(ctx, "nn_pool.cl", "pool_rows", opts);
        auto cols = buildKernel(ctx, "nn_pool.cl", "pool_cols", opts);
        if (!rows) return rows.status().withContext("nn/MaxPool '" + name_ + "'");
        if (!cols) return cols.status().withContext("nn/MaxPool '" + name_ + "'");
        auto tmp = ctx.compute->createBuffer(CL_MEM_READ_WRITE,
                                             size_t(n_ * c_ * h_ * ow_) * sizeof(float));
        if (!tmp) return tmp.status().withContext("nn/MaxPool '" + name_ + "'");
        rows_ = std::move(*rows);
        kernel_ = std::move(*cols);
        tmp_ = std::move(*tmp);
        return Status::ok();
    }
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
    if (separable_) {
        SL_TRY(setArgs(rows_.get(), inputs[0].mem, *xo, tmp_.get(), cl_int(h_), cl_int(w_),
                       cl_int(ow_), cl_int(win_.kw), cl_int(win_.sw), cl_int(win_.dw),
                       cl_int(win_.padLeft)));
        const size_t gr[3] = {size_t(ow_), size_t(h_), size_t(n_ * c_)};
        SL_TRY(launch(ctx, rows_.get(), gr, planeGroup(ctx, rows_.get(), gr[1], gr[2])));
        SL_TRY(setArgs(k, tmp_.get(), outputs[0].mem, *yo, cl_int(h_), cl_int(oh_), cl_int(ow_),
                       cl_int(win_.kh), cl_int(win_.sh), cl_int(win_.dh), cl_int(win_.padTop)));
        const size_t gc[3] = {size_t(ow_), size_t(oh_), size_t(n_ * c_)};
        return launch(ctx, k, gc, planeGroup(ctx, k, gc[1], gc[2]));
    }
    SL_TRY(setArgs(k, inputs[0].mem, *xo, outputs[0].mem, *yo, cl_int(h_), cl_int(w_),
                   cl_int(oh_), cl_int(ow_), cl_int(win_.kh), cl_int(win_.kw), cl_int(win_.sh),
                   cl_int(win_.sw), cl_int(win_.dh), cl_int(win_.dw), cl_int(win_.padTop),
                   cl_int(win_.padLeft), cl_int(win_.padBottom), cl_int(win_.padRight)));
    const size_t g[3] = {size_t(ow_), size_t(oh_), size_t(n_ * c_)};
    return launch(ctx, k, g, planeGroup(ctx, k, g[1], g[2]));
}

}  // namespace sl::nn
