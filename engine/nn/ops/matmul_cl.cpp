// MatMul: OpenCL path.
#include "nn/ops/matmul.h"

#include "compute/cl_context.h"

namespace sl::nn {

bool MatMul::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status MatMul::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    auto k = buildKernel(ctx, "nn_gemm.cl", "gemm");
    if (!k) return k.status().withContext("nn/MatMul '" + name_ + "'");
    kernel_ = std::move(*k);
    std::vector<cl_int> off;
    for (int64_t i = 0; i < batches_; ++i) {
        off.push_back(cl_int(aOffsets_[i]));
        off.push_back(cl_int(bOffsets_[i]));
    }
    off.resize(std::max<size_t>(off.size(), 2));
    auto buf = ctx.compute->createBuffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                         off.size() * sizeof(cl_int), off.data());
    if (!buf) return buf.status();
    offsets_ = std::move(*buf);
    return Status::ok();
}

Status MatMul::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                         std::span<const DeviceTensor> outputs) {
    auto ao = elementOffset(inputs[0]);
    auto bo = elementOffset(inputs[1]);
    auto yo = elementOffset(outputs[0]);
    if (!ao || !bo || !yo) return fail("device tensor offset not element-aligned");
    cl_mem noC = nullptr;
    const cl_int zero = 0;
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *ao, cl_int(k_), cl_int(1), inputs[1].mem, *bo,
                   cl_int(n_), cl_int(1), noC, zero, zero, zero, zero, outputs[0].mem, *yo,
                   cl_int(m_), cl_int(n_), cl_int(k_), 1.0f, 0.0f, offsets_.get()));
    const size_t g[3] = {(size_t(n_) + 3) / 4, (size_t(m_) + 3) / 4, size_t(batches_)};
    const size_t l[3] = {8, 1, 1};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
