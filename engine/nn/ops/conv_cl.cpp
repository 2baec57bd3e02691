// Conv: OpenCL path (kernels/nn_conv.cl). Weights and bias are read in their ONNX layout straight
// from the device inputs, so constant and computed weights take the same path.
#include "nn/ops/conv.h"

#include "compute/cl_context.h"
#include "compute/cl_error.h"

#include <algorithm>
#include <array>

namespace sl::nn {
namespace {

// Largest register block from {max, max/2, ..., 1} that divides `channels`.
int blockFor(int64_t channels, int maxBlock) {
    for (int b = maxBlock; b > 1; b /= 2)
        if (channels % b == 0) return b;
    return 1;
}

// Work-group shape for a (g0, g1, g2) range: up to `lx` items along gid0, then gid1 up to
// `items` per group in all.
std::array<size_t, 3> groupShape(const size_t (&g)[3], size_t lx, size_t items) {
    const size_t x = std::max<size_t>(1, std::min(lx, g[0]));
    const size_t y = std::max<size_t>(1, std::min(items / x, g[1]));
    return {x, y, 1};
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
    // 16-pixel rows when the input row holds a whole vector window (so edge blocks take the
    // shuffle path rather than a per-lane gather), else 8.
    auto width = [&](int w) { return w > 8 && w_ >= 16 * win_.sw ? 16 : 8; };
    if (group_ == 1 && win_.kh == 1 && win_.kw == 1 && win_.sh == 1 && win_.sw == 1 &&
        win_.padTop == 0 && win_.padLeft == 0 && win_.padBottom == 0 && win_.padRight == 0) {
        kernelKind_ = Kernel::Gemm1x1;
        cob_ = blockFor(m_, t.gemmCob);
        const bool gpu = ctx.compute->info().type == compute::DeviceType::Gpu;
        if (t.gemm == ConvTuning::Gemm::Tiled || (t.gemm == ConvTuning::Gemm::Auto && gpu))
            kernelKind_ = Kernel::Gemm1x1Tiled;
        width_ = t.gemmWidth > 1 ? width(t.gemmWidth) : 1;
        name = kernelKind_ == Kernel::Gemm1x1Tiled ? "conv1x1_tiled"
               : width_ > 1                        ? "conv1x1_vec"
                                                   : "conv1x1";
    } else if (group_ == c_ && m_ == c_) {
        kernelKind_ = Kernel::Depthwise;
        cob_ = 1;
        width_ = width(t.dwWidth);
        rows_ = std::max(1, t.dwRows);
        name = "conv_dw";
        opts += " -DSH=" + std::to_string(win_.sh) + " -DDH=" + std::to_string(win_.dh) +
                " -DROWS=" + std::to_string(rows_);
    } else {
        kernelKind_ = Kernel::Direct;
        const bool smallK = (c_ / group_) * win_.kh * win_.kw < 256;
        cob_ = blockFor(m_ / group_, smallK ? t.directCobSmallK : t.directCob);
        width_ = width(t.directWidth);
    }
    opts += " -DCOB=" + std::to_string(cob_) + " -DKH=" + std::to_string(win_.kh) +
            " -DKW=" + std::to_string(win_.kw) + " -DSW=" + std::to_string(win_.sw) +
            " -DVW=" + std::to_string(width_ > 1 ? width_ : 8);
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
        const size_t px = (size_t(P) + width_ - 1) / width_;
        const size_t g[3] = {px, size_t(m_ / cob_), size_t(n_)};
        const auto l = groupShape(g, t.gemmLocal, t.groupItems);
        return launch(ctx, k, g, l);
    }
    case Kernel::Gemm1x1Tiled: {
        const cl_int P = H * W;
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, P, M, alpha, beta));
        const size_t g[3] = {(size_t(P) + 63) / 64 * 16, (size_t(m_) + 63) / 64 * 16,
                             size_t(n_)};
        const size_t l[3] = {16, 16, 1};
        return launch(ctx, k, g, l);
    }
    case Kernel::Depthwise: {
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, H, W, OH, OW, sh, sw, dh, dw, pt, pl, alpha, beta));
        const size_t g[3] = {(size_t(ow_) + width_ - 1) / width_,
                             (size_t(oh_) + rows_ - 1) / rows_, size_t(n_ * c_)};
        const auto l = groupShape(g, t.dwLocal, t.groupItems);
        return launch(ctx, k, g, l);
    }
    case Kernel::Direct: {
        const cl_int Cg = cl_int(c_ / group_), Mg = cl_int(m_ / group_);
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, H, W, M, OH, OW, Cg, Mg, sh, sw, dh, dw, pt, pl, alpha, beta));
        const size_t g[3] = {(size_t(ow_) + width_ - 1) / width_, size_t(oh_),
                             size_t(n_ * (m_ / cob_))};
        const auto l = groupShape(g, t.directLocal, t.groupItems);
        return launch(ctx, k, g, l);
    }
    }
    return Status::ok();
}

}  // namespace sl::nn
