// Slice: OpenCL path (one strided copy, nn_data.cl copy_nd).
#include "nn/ops/slice.h"

namespace sl::nn {

bool Slice::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Slice::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = copyKernel(ctx, storageSize(ctx, dtype_));
    if (!k) return k.status();
    copy_ = std::move(*k);
    return Status::ok();
}

Status Slice::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                        std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    return enqueueCopyNd(ctx, copy_.get(), inputs[0].mem, *xo + offset_, srcStride_,
                         outputs[0].mem, *yo, contiguousStrides(out_), out_, storageSize(ctx, dtype_));
}

}  // namespace sl::nn
