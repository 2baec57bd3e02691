// Conv: OpenCL path (kernels/nn_conv.cl). Weights and bias are read in their ONNX layout straight
// from the device inputs, so constant and computed weights take the same path.
#include "nn/ops/conv.h"

#include "compute/cl_error.h"

namespace sl::nn {
namespace {

// Largest register block from {max, max/2, ..., 1} that divides `channels`.
int blockFor(int64_t channels, int maxBlock) {
    for (int b = maxBlock; b > 1; b /= 2)
        if (channels % b == 0) return b;
    return 1;
}

}  // namespace

ConvTuning& convTuning() {
    static ConvTuning t;
    return t;
}

bool Conv::hasDevicePath(const compute::DeviceInfo&) const { return dtypeOk_; }

Status Conv::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const>) {
    const ConvTuning& t = convTuning();
    std::string opts = activationDefine(act_);
    const char* name = "conv_direct";
    if (group_ == 1 && win_.kh == 1 && win_.kw == 1 && win_.sh == 1 && win_.sw == 1 &&
        win_.padTop == 0 && win_.padLeft == 0 && win_.padBottom == 0 && win_.padRight == 0) {
        kernelKind_ = Kernel::Gemm1x1;
        cob_ = blockFor(m_, t.gemmCob);
        name = t.gemmVector ? "conv1x1_v8" : "conv1x1";
    } else if (group_ == c_ && m_ == c_) {
        kernelKind_ = Kernel::Depthwise;
        cob_ = 1;
        name = "conv_dw";
    } else {
        kernelKind_ = Kernel::Direct;
        cob_ = blockFor(m_ / group_, t.directCob);
    }
    opts += " -DCOB=" + std::to_string(cob_) + " -DKH=" + std::to_string(win_.kh) +
            " -DKW=" + std::to_string(win_.kw) + " -DSW=" + std::to_string(win_.sw);
    auto k = buildKernel(ctx, "nn_conv.cl", name, opts);
    if (!k) return k.status().withContext("nn/Conv '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Conv::runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                       std::span<const DeviceTensor> outputs) {
    const ConvTuning& t = convTuning();
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
    const cl_int hb = hasBias_ ? 1 : 0;
    const float alpha = act_.alpha, beta = act_.beta;
    cl_kernel k = kernel_.get();
    const cl_int C = cl_int(c_), H = cl_int(h_), W = cl_int(w_), M = cl_int(m_);
    const cl_int OH = cl_int(oh_), OW = cl_int(ow_);
    const cl_int sh = cl_int(win_.sh), sw = cl_int(win_.sw), dh = cl_int(win_.dh),
                 dw = cl_int(win_.dw), pt = cl_int(win_.padTop), pl = cl_int(win_.padLeft);
    switch (kernelKind_) {
    case Kernel::Gemm1x1: {
        const cl_int P = H * W;
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, P, M, alpha, beta));
        const size_t px = t.gemmVector ? (size_t(P) + 7) / 8 : size_t(P);
        const size_t g[3] = {px, size_t(m_ / cob_), size_t(n_)};
        const size_t l[3] = {t.gemmLocal, 1, 1};
        return launch(ctx, k, g, l);
    }
    case Kernel::Depthwise: {
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, H, W, OH, OW, sh, sw, dh, dw, pt, pl, alpha, beta));
        const size_t g[3] = {(size_t(ow_) + 7) / 8, size_t(oh_), size_t(n_ * c_)};
        const size_t l[3] = {t.dwLocal, 1, 1};
        return launch(ctx, k, g, l);
    }
    case Kernel::Direct: {
        const cl_int Cg = cl_int(c_ / group_), Mg = cl_int(m_ / group_);
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, H, W, M, OH, OW, Cg, Mg, sh, sw, dh, dw, pt, pl, alpha, beta));
        const size_t g[3] = {(size_t(ow_) + 7) / 8, size_t(oh_), size_t(n_ * (m_ / cob_))};
        const size_t l[3] = {t.directLocal, 1, 1};
        return launch(ctx, k, g, l);
    }
    }
    return Status::ok();
}

}  // namespace sl::nn
