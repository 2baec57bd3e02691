// ReduceMean: OpenCL path.
#include "nn/ops/reduce_mean.h"

namespace sl::nn {

bool ReduceMean::hasDevicePath(const compute::DeviceInfo&) const {
    return keptShape_.size() <= kMaxDims && redShape_.size() <= kMaxDims &&
           elementCount(redShape_) > 0;
}

Status ReduceMean::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_norm.cl", "reduce_mean");
    if (!k) return k.status().withContext("nn/ReduceMean '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status ReduceMean::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                             std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    const cl_int nOut = cl_int(elementCount(keptShape_)), nRed = cl_int(elementCount(redShape_));
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, outputs[0].mem, *yo, nOut, nRed,
                   toInt8(keptShape_, 1), toInt8(keptStride_, 0), toInt8(redShape_, 1),
                   toInt8(redStride_, 0)));
    const size_t g[1] = {size_t(nOut)};
    const size_t l[1] = {16};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
