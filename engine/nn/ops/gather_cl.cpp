// Gather: OpenCL path.
#include "nn/ops/gather.h"

namespace sl::nn {

bool Gather::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Gather::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    const std::string opts = std::string(" -DT=") + clByteType(storageSize(ctx, dtype_)) +
                             " -DIDX=" + (indexType_ == DType::Int64 ? "long" : "int");
    auto k = buildKernel(ctx, "nn_data.cl", "gather", opts);
    if (!k) return k.status().withContext("nn/Gather '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Gather::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                         std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto io = elementOffset(inputs[1]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !io || !yo) return fail("device tensor offset not element-aligned");
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, inputs[1].mem, *io, outputs[0].mem, *yo,
                   cl_int(outer_), cl_int(axisLen_), cl_int(nIdx_), cl_int(inner_)));
    const size_t g[1] = {size_t(outer_ * nIdx_ * inner_)};
    const size_t l[1] = {64};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
