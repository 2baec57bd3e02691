// ConstantOp: OpenCL path.
#include "nn/ops/constant_op.h"

#include "compute/cl_error.h"
#include "nn/tensor_util.h"

namespace sl::nn {

bool ConstantOp::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status ConstantOp::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    deviceValue_ = convertFloat(value_, storageDType(ctx, value_.dtype()));
    return Status::ok();
}

Status ConstantOp::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor>,
                             std::span<const DeviceTensor> outputs) {
    if (deviceValue_.bytes() == 0) return Status::ok();
    SL_CL_TRY(clEnqueueWriteBuffer(ctx.queue, outputs[0].mem, CL_FALSE, outputs[0].offset,
                                   deviceValue_.bytes(), deviceValue_.raw(), 0, nullptr,
                                   nullptr));
    return Status::ok();
}

}  // namespace sl::nn
