// Concat: OpenCL path (one strided copy per input, nn_data.cl copy_nd).
#include "nn/ops/concat.h"

namespace sl::nn {

bool Concat::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Concat::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = copyKernel(ctx, storageSize(ctx, dtype_));
    if (!k) return k.status();
    copy_ = std::move(*k);
    return Status::ok();
}

Status Concat::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                         std::span<const DeviceTensor> outputs) {
    const auto outStride = contiguousStrides(out_);
    auto yo = elementOffset(outputs[0]);
    if (!yo) return yo.status();
    int64_t at = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
        auto xo = elementOffset(inputs[i]);
        if (!xo) return xo.status();
        SL_TRY(enqueueCopyNd(ctx, copy_.get(), inputs[i].mem, *xo, contiguousStrides(ins_[i]),
                             outputs[0].mem, *yo + at * outStride[axis_], outStride, ins_[i],
                             storageSize(ctx, dtype_)));
        at += ins_[i][axis_];
    }
    return Status::ok();
}

}  // namespace sl::nn
