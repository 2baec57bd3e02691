// ConvTranspose: OpenCL path (kernels/nn_conv.cl conv_transpose).
#include "nn/ops/conv_transpose.h"

namespace sl::nn {

bool ConvTranspose::hasDevicePath(const compute::DeviceInfo&) const { return true; }

Status ConvTranspose::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    const std::string opts = activationDefine(act_) + " -DKH=" + std::to_string(win_.kh) +
                             " -DKW=" + std::to_string(win_.kw);
    auto k = buildKernel(ctx, "nn_conv.cl", "conv_transpose", opts);
    if (!k) return k.status().withContext("nn/ConvTranspose '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status ConvTranspose::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                                std::span<const DeviceTensor> outputs) {
    auto xo = elementOffset(inputs[0]);
    auto wo = elementOffset(inputs[1]);
    auto yo = elementOffset(outputs[0]);
    if (!xo || !wo || !yo) return fail("device tensor offset not element-aligned");
    cl_mem bias = hasBias_ ? inputs[2].mem : nullptr;
    cl_int bo = 0;
    if (hasBias_) {
        auto b = elementOffset(inputs[2]);
        if (!b) return b.status();
        bo = *b;
    }
    SL_TRY(setArgs(kernel_.get(), inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo,
                   cl_int(hasBias_ ? 1 : 0), outputs[0].mem, *yo, cl_int(c_), cl_int(h_),
                   cl_int(w_), cl_int(m_), cl_int(oh_), cl_int(ow_), cl_int(c_ / group_),
                   cl_int(m_ / group_), cl_int(win_.sh), cl_int(win_.sw), cl_int(win_.dh),
                   cl_int(win_.dw), cl_int(win_.padTop), cl_int(win_.padLeft), act_.alpha,
                   act_.beta));
    const size_t g[3] = {size_t(oh_ * ow_), size_t(m_), size_t(n_)};
    const size_t l[3] = {16, 1, 1};
    return launch(ctx, kernel_.get(), g, l);
}

}  // namespace sl::nn
