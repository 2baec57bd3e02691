// Split: OpenCL path (one strided copy per output, nn_data.cl copy_nd).
#include "nn/ops/split.h"

namespace sl::nn {

bool Split::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Split::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = copyKernel(ctx, storageSize(ctx, dtype_));
    if (!k) return k.status();
    copy_ = std::move(*k);
    return Status::ok();
}

Status Split::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                        std::span<const DeviceTensor> outputs) {
    const auto inStride = contiguousStrides(in_);
    auto xo = elementOffset(inputs[0]);
    if (!xo) return xo.status();
    int64_t at = 0;
    for (size_t i = 0; i < outputs.size(); ++i) {
        auto yo = elementOffset(outputs[i]);
        if (!yo) return yo.status();
        const Shape& os = outputs[i].info.shape;
        SL_TRY(enqueueCopyNd(ctx, copy_.get(), inputs[0].mem, *xo + at * inStride[axis_],
                             inStride, outputs[i].mem, *yo, contiguousStrides(os), os,
                             storageSize(ctx, dtype_)));
        at += split_[i];
    }
    return Status::ok();
}

}  // namespace sl::nn
