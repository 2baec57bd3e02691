#pragma once
// Conv (ONNX Conv-1/11): 1-D and 2-D, groups (depthwise included), strides, dilations, pads,
// auto_pad, optional bias, plus the fused activation set by the Conv+activation pass (op.h).
// conv.cpp: reference; conv_cl.cpp: OpenCL path, three kernels (kernels/nn_conv.cl):
//   1x1 stride-1 unpadded, group 1  -> GEMM [M x K] * [K x H*W]: register-blocked vectors
//                                      (CPUs), local-memory 64 x 64 tiles (GPUs)
//   depthwise (group == C == M)     -> direct, ROWS x 8/16 outputs per work-item (GPUs); on
//                                      CPUs conv_dw_plane where it applies: compile-time
//                                      geometry, a band of whole rows per item from a private
//                                      zero-padded tile
//   anything else                   -> direct implicit GEMM, COB channels x 8 pixels per item
//                                      (dense stride 2, KW <= 8: also conv_s2_win, nn_conv_s2.cl,
//                                      one input window per row; a tuner candidate)

#include "nn/ops/op_util.h"

namespace sl::nn {

// 2-D sliding-window geometry shared by Conv, ConvTranspose and the pools (1-D is H = 1).
struct Window2d {
    int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
    int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
};

// Reads kernel_shape/strides/dilations/pads for `spatialRank` (1 or 2) spatial dims; kernel_shape
// falls back to `kernelFallback` (the weight's spatial dims) when absent.
Status readWindow(const NodeDesc& node, int spatialRank, const Shape& kernelFallback,
                  Window2d& w);

// The attributes Conv and ConvTranspose read at creation: auto_pad (NOTSET, VALID, SAME_UPPER,
// SAME_LOWER), group (>= 1) and the activation a fusion pass attached.
struct ConvAttributes {
    std::string autoPad;
    int64_t group = 1;
    Activation act;
};
Expected<ConvAttributes> readConvAttributes(const NodeDesc& node);

// Per-device kernel choices. Fixed defaults for now (tuned on PoCL / x86); kept in one place so a
// tuner or bench_ops can override them before ops are prepared.
struct ConvTuning {
    // 1x1 GEMM kernel: Auto = local-memory tiles (conv1x1_tiled) on GPUs; elsewhere the
    // packed-weight micro-kernel (conv1x1_blk) when the weights are constants and the layer has
    // at least 8 pixels, else register-blocked vectors (conv1x1_vec). Vector = conv1x1_vec;
    // Wide = two pixel vectors per item (conv1x1_wide, when the layer has at least 16 pixels).
    // The tuner measures the others as candidates either way.
    enum class Gemm { Auto, Vector, Tiled, Wide } gemm = Gemm::Auto;
    int gemmWidth = 16;       // pixels per work-item: 8/16 (conv1x1_vec), 1 (conv1x1, scalar)
    int gemmCob = 16;         // output channels per work-item in the 1x1 GEMM
    // conv1x1_blk: blkVectors vectors of 16 pixels x blkCob channels per item (bench_ops
    // --pw-sweep: 8 x 2 is at or near the best on every YOLOX-Nano 1x1 shape).
    int blkCob = 8, blkVectors = 2;
    bool blk = true;   // false: no conv1x1_blk at all (no packing, not a candidate): the 1x1
                       // kernels before it, for bench comparisons
    int directWidth = 16;     // pixels per work-item in conv_direct (8 or 16)
    int directCob = 16;       // output channels per work-item in conv_direct ...
    int directCobSmallK = 8;  // ... and when Cg * KH * KW < 256 (the stem: 12 x 3 x 3)
    int dwWidth = 16;         // pixels per work-item in conv_dw (8 or 16) ...
    int dwRows = 8;           // ... times rows per work-item (bench_ops --sweep: 8 beats 2 by
                              // 15-30% on YOLOX's depthwise layers with conv_dw_rows)
    bool dwReuseRows = true;  // conv_dw_rows (each input row loaded once) rather than conv_dw
    bool dwFull = false;      // conv_dw_rows, full blocks where OW >= the vector width;
                              // the tuner measures it as a candidate either way
    // conv_dw_plane (Conv::dwPlaneApplies) on CPU devices: whole rows of a band per work-item
    // from a private, padded tile; the default there and a tuner candidate (not on GPUs: the
    // tile is per work-item private memory). false: neither (the row kernels only).
    bool dwPlane = true;
    // conv_s2_win for dense stride-2 layers it applies to (the stem; Conv::s2WindowApplies),
    // the default: on PoCL 0.54 vs 2.8 ms for conv_direct on the YOLOX stem, which an untuned
    // session (tuning off, or its budget spent) ran. The tuner measures conv_direct either way.
    bool directS2 = true;
    // Work-group shape: `local` items along gid0, then rows/channel blocks along gid1 up to
    // `groupItems` in all. PoCL schedules work-groups, so small layers want few, large groups.
    size_t gemmLocal = 4, directLocal = 4, dwLocal = 4;
    int dwPlaneRows = 16;      // conv_dw_plane: output rows per work-item (fewer when the tile
                               // would not fit), width dwWidth ...
    size_t dwPlaneLocal = 0;   // ... and channels per work-group (0: as many as keep the
                               // group's tiles within 32 KiB, at most 16)
    size_t groupItems = 16;
};
ConvTuning& convTuning();

class Conv : public NodeOp {
public:
    static Expected<std::unique_ptr<Op>> create(const NodeDesc& node);

    Status inferOutputs(std::span<const TensorInfo* const> inputs,
                        std::span<const Tensor* const> constants,
                        std::vector<TensorInfo>& outputs) override;
    Status runReference(std::span<const Tensor* const> inputs, std::span<Tensor> outputs) override;
    bool hasDevicePath(const compute::DeviceInfo& device) const override;
    Status prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const> constants) override;
    Status runDevice(const ClOpContext& ctx, std::span<const DeviceTensor> inputs,
                     std::span<const DeviceTensor> outputs) override;
    double flops() const override;

    // Gemm1x1Wide: conv1x1_wide (nn_conv_pw.cl), two pixel vectors per work-item.
    // Gemm1x1Blk: conv1x1_blk (nn_conv_pw.cl), `rows` pixel vectors x cob channels per item.
    // DepthwiseFull: conv_dw_rows built with FULL_BLOCKS (no partial blocks).
    // DirectS2: conv_s2_win (nn_conv_s2.cl), stride-2 dense conv loading each row window once.
    // DepthwisePlane: conv_dw_plane, compile-time geometry, input band staged in private memory.
    enum class Kernel {
        Gemm1x1, Gemm1x1Tiled, Depthwise, DepthwiseRows, Direct, Gemm1x1Wide, DepthwiseFull,
        DirectS2, Gemm1x1Blk, DepthwisePlane
    };
    Kernel deviceKernel() const { return kernelKind_; }

private:
    explicit Conv(const NodeDesc& node) : NodeOp(node) {}

    NodeDesc desc_;
    std::string autoPad_;
    int64_t group_ = 1;
    Activation act_;
    bool dtypeOk_ = false;
    // Resolved by inferOutputs (1-D as H = 1).
    int64_t n_ = 0, c_ = 0, h_ = 0, w_ = 0, m_ = 0, oh_ = 0, ow_ = 0;
    Window2d win_;
    bool hasBias_ = false;

    // One kernel configuration: what the tuner (nn/ops/kernel_tuner.h) measures and caches,
    // as text "<kind> w<width> c<cob> r<rows> l<local>".
    struct Choice {
        Kernel kind = Kernel::Direct;
        int width = 1, cob = 1, rows = 1;
        size_t local = 4;
    };
    Choice defaultChoice(bool gpu) const;
    // conv_s2_win's conditions: group 1, strides 2x2, no dilation, KW <= 8, rows of at least
    // 16 outputs and 16 inputs.
    bool s2WindowApplies() const;
    // conv_dw_plane's conditions: depthwise, no dilation, equal strides 1 or 2, a kernel and
    // pads of at most 7, and a band of `rows` output rows whose tile fits in 32 KiB.
    bool dwPlaneApplies(int width, int rows) const;
    std::vector<Choice> candidates(const Choice& def, bool gpu) const;
    std::string layerClass() const;
    Status configure(const ClOpContext& ctx, const Choice& c);
    // Times the candidates on scratch buffers of this layer's shape; the fastest in `best`.
    // `complete` is false when the tuner's budget ran out before every candidate was measured.
    Status tune(const ClOpContext& ctx, const Choice& def, bool gpu, Choice& best,
                bool& complete);

    // conv1x1_blk's weights: float32 [K][M] then the M biases, packed from constant weights
    // (and bias) by prepareDevice; empty when they are not constants (no Gemm1x1Blk then).
    Status packWeights(const ClOpContext& ctx, std::span<const Tensor* const> constants);
    bool is1x1Gemm() const;
    compute::ClMem packed_;

    Kernel kernelKind_ = Kernel::Direct;
    int cob_ = 1;
    int width_ = 1;   // pixels per work-item of the chosen kernel
    int rows_ = 1;    // rows per work-item (depthwise), pixel vectors per item (Gemm1x1Blk)
    size_t local_ = 4;
    compute::ClKernel kernel_;
};

}  // namespace sl::nn
