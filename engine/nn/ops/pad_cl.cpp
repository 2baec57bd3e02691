// Pad: OpenCL path.
#include "nn/ops/pad.h"

#include <cstring>

#include "compute/cl_error.h"
#include "nn/tensor_util.h"

namespace sl::nn {

bool Pad::hasDevicePath(const compute::DeviceInfo&) const { return in_.size() <= kMaxDims; }

Status Pad::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    const std::string opts = std::string(" -DT=") + clByteType(storageSize(ctx, dtype_)) +
                             " -DPAD_MODE=" + std::to_string(int(mode_));
    auto k = buildKernel(ctx, "nn_data.cl", "pad_nd", opts);
    if (!k) return k.status().withContext("nn/Pad '" + name_ + "'");
    kernel_ = std::move(*k);
    deviceFill_ = fill_;
    if (storageDType(ctx, dtype_) == DType::Float16 && dtype_ == DType::Float32) {
        float f = 0;
        std::memcpy(&f, fill_.data(), sizeof f);
        const uint16_t h = floatToHalf(f);
        deviceFill_.resize(sizeof h);
        std::memcpy(deviceFill_.data(), &h, sizeof h);
    }
    return Status::ok();
}

Status Pad::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                      std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    const cl_int n = cl_int(elementCount(out_));
    cl_kernel k = kernel_.get();
    SL_TRY(setArgs(k, inputs[0].mem, *xo, outputs[0].mem, *yo, n, toInt8(out_, 1),
                   toInt8(in_, 1), toInt8(begin_, 0), toInt8(contiguousStrides(in_), 0)));
    SL_CL_TRY(clSetKernelArg(k, 9, deviceFill_.size(), deviceFill_.data()));
    cl_mem fillMem = nullptr;
    cl_int fillOff = 0;
    if (fillInput_) {
        auto o = elementOffset(inputs[2]);
        if (!o) return o.status();
        fillMem = inputs[2].mem;
        fillOff = *o;
    }
    SL_CL_TRY(clSetKernelArg(k, 10, sizeof(cl_mem), &fillMem));
    SL_CL_TRY(clSetKernelArg(k, 11, sizeof(cl_int), &fillOff));
    const size_t g[1] = {size_t(n)};
    const size_t l[1] = {64};
    return launch(ctx, k, g, l);
}

}  // namespace sl::nn
