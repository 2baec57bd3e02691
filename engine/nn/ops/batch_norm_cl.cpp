// BatchNorm: OpenCL path.
#include "nn/ops/batch_norm.h"

namespace sl::nn {

bool BatchNorm::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status BatchNorm::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_norm.cl", "batch_norm");
    if (!k) return k.status().withContext("nn/BatchNormalization '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status BatchNorm::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                            std::span<const DeviceTensor> outputs) {
    cl_int off[6];
    for (int i = 0; i < 5; ++i) {
        auto o = elementOffset(inputs[i]);
        if (!o) return o.status();
        off[i] = *o;
    }
    auto yo = elementOffset(outputs[0]);
    if (!yo) return yo.status();
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, off[0], inputs[1].mem, off[1], inputs[2].mem,
                   off[2], inputs[3].mem, off[3], inputs[4].mem, off[4], outputs[0].mem, *yo,
                   cl_int(count_), cl_int(inner_), cl_int(channels_), epsilon_));
    const size_t g[1] = {size_t(count_)};
    const size_t l[1] = {64};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
