// Softmax: OpenCL path.
#include "nn/ops/softmax.h"

namespace sl::nn {

bool Softmax::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Softmax::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_norm.cl", "softmax");
    if (!k) return k.status().withContext("nn/Softmax '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Softmax::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                          std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, outputs[0].mem, *yo, cl_int(outer_),
                   cl_int(len_), cl_int(inner_)));
    const size_t g[1] = {size_t(outer_ * inner_)};
    const size_t l[1] = {16};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
