// Resize: OpenCL path (kernels/nn_resize.cl) reading the host-built tables.
#include "nn/ops/resize.h"

#include "compute/cl_context.h"

namespace sl::nn {

bool Resize::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Resize::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_resize.cl", "resize2d",
                         std::string(" -DLINEAR=") + (linear_ ? "1" : "0"));
    if (!k) return k.status().withContext("nn/" + opType_ + " '" + name_ + "'");
    kernel_ = std::move(*k);
    // [y0 | y1 | x0 | x1] and [wy | wx]
    std::vector<int32_t> idx;
    for (const auto* v : {&y0_, &y1_, &x0_, &x1_}) idx.insert(idx.end(), v->begin(), v->end());
    std::vector<float> w(wy_);
    w.insert(w.end(), wx_.begin(), wx_.end());
    idx.push_back(0);
    w.push_back(0);
    auto ib = ctx.compute->createBuffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                        idx.size() * sizeof(int32_t), idx.data());
    if (!ib) return ib.status();
    auto wb = ctx.compute->createBuffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                        w.size() * sizeof(float), w.data());
    if (!wb) return wb.status();
    indices_ = std::move(*ib);
    weights_ = std::move(*wb);
    return Status::ok();
}

Status Resize::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                         std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    cl_kernel k = kernel_.get();
    SL_TRY(setArgs(k, inputs[0].mem, *xo, outputs[0].mem, *yo, indices_.get(), weights_.get(),
                   cl_int(ih_), cl_int(iw_), cl_int(oh_), cl_int(ow_), extrapolation_));
    const size_t g[3] = {size_t(ow_), size_t(oh_), size_t(planes_)};
    return launch(ctx, k, g, planeGroup(ctx, k, g[1], g[2]));
}

}  // namespace sl::nn
