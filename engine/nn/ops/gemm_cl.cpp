// Gemm: OpenCL path.
#include "nn/ops/gemm.h"

namespace sl::nn {

bool Gemm::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status Gemm::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_gemm.cl", "gemm");
    if (!k) return k.status().withContext("nn/Gemm '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Gemm::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                       std::span<const DeviceTensor> outputs) {
    auto ao = elementOffset(inputs[0]);
    auto bo = elementOffset(inputs[1]);
    auto yo = elementOffset(outputs[0]);
    if (!ao || !bo || !yo) return fail("device tensor offset not element-aligned");
    cl_int co = 0;
    cl_mem c = nullptr;
    if (hasC_) {
        auto o = elementOffset(inputs[2]);
        if (!o) return o.status();
        co = *o;
        c = inputs[2].mem;
    }
    const cl_int asm_ = transA_ ? 1 : cl_int(k_), ask = transA_ ? cl_int(m_) : 1;
    const cl_int bsk = transB_ ? 1 : cl_int(n_), bsn = transB_ ? cl_int(k_) : 1;
    cl_mem noBatch = nullptr;
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *ao, asm_, ask, inputs[1].mem, *bo, bsk, bsn, c,
                   co, cl_int(cStrideM_), cl_int(cStrideN_), cl_int(hasC_ ? 1 : 0),
                   outputs[0].mem, *yo, cl_int(m_), cl_int(n_), cl_int(k_), alpha_, beta_,
                   noBatch));
    const size_t g[3] = {(size_t(n_) + 3) / 4, (size_t(m_) + 3) / 4, 1};
    const size_t l[3] = {8, 1, 1};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
