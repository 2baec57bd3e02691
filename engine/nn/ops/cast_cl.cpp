// Cast: OpenCL path.
#include "nn/ops/cast.h"

namespace sl::nn {

namespace {

const char* clType(DType t) {
    switch (t) {
    case DType::Float32: return "float";
    case DType::Float16: return "half";
    case DType::Int64: return "long";
    case DType::Int32: return "int";
    case DType::Int8: return "char";
    case DType::UInt8: return "uchar";
    case DType::Bool: return "uchar";
    default: return nullptr;
    }
}

}  // namespace

bool Cast::hasDevicePath(const compute::DeviceInfo&) const {
    return clType(from_) && clType(to_);
}

Status Cast::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    const DType from = storageDType(ctx, from_), to = storageDType(ctx, to_);
    std::string opts = std::string(" -DSRC=") + clType(from) + " -DDST=" + clType(to);
    if (from == DType::Float16) opts += " -DSRC_HALF=1";
    if (to == DType::Float16 && to_ != DType::Bool) opts += " -DDST_HALF=1";
    if (to_ == DType::Bool) opts += " -DTO_BOOL=1";
    auto k = buildKernel(ctx, "nn_data.cl", "cast", opts);
    if (!k) return k.status().withContext("nn/Cast '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Cast::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                       std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !yo) return fail("device tensor offset not element-aligned");
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, outputs[0].mem, *yo, cl_int(count_)));
    const size_t g[1] = {size_t(count_)};
    const size_t l[1] = {64};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
