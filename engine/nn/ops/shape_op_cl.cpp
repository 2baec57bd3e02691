// ShapeOp: OpenCL path.
#include "nn/ops/shape_op.h"

#include "compute/cl_error.h"

namespace sl::nn {

bool ShapeOp::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status ShapeOp::prepareDevice(const ClOpContext&, std::span<const Tensor* const>) {
    return Status::ok();
}

Status ShapeOp::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor>,
                          std::span<const DeviceTensor> outputs) {
    if (value_.bytes() == 0) return Status::ok();
    // Non-blocking: value_ lives as long as the op.
    SL_CL_TRY(clEnqueueWriteBuffer(ctx.queue, outputs[0].mem, CL_FALSE, outputs[0].offset,
                                   value_.bytes(), value_.raw(), 0, nullptr, nullptr));
    return Status::ok();
}

}  // namespace sl::nn
