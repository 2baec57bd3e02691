// Conv: OpenCL path (kernels/nn_conv.cl). Weights and bias are read in their ONNX layout straight
// from the device inputs, so constant and computed weights take the same path.
#include "nn/ops/conv.h"

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "core/log.h"
#include "nn/ops/kernel_tuner.h"
#include "nn/tensor_util.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <utility>
#include <vector>

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

namespace {

// Layers below this many FLOPs run on defaults: their time is launch overhead whatever the
// split, and tuning them would only slow preparation (and the tests' small graphs) down. Not
// higher: YOLOX's 13x13 and 26x26 depthwise layers (0.2-0.8 MFLOP) do gain from fewer, larger
// work-items.
constexpr double kMinTuneFlops = 1e5;
// Each candidate runs once untimed (the driver's first-launch JIT) and then kTuneRuns times, in
// rounds across the candidates; the fastest run counts (the machine may be shared: the minimum
// is the least disturbed figure).
constexpr int kTuneRuns = 3;

const char* kindName(Conv::Kernel k) {
    switch (k) {
    case Conv::Kernel::Gemm1x1: return "gemm";
    case Conv::Kernel::Gemm1x1Tiled: return "tiled";
    case Conv::Kernel::Depthwise: return "dw";
    case Conv::Kernel::DepthwiseRows: return "dwrows";
    case Conv::Kernel::Direct: return "direct";
    case Conv::Kernel::Gemm1x1Wide: return "wide";
    case Conv::Kernel::DepthwiseFull: return "dwfull";
    case Conv::Kernel::DirectS2: return "directs2";
    case Conv::Kernel::Gemm1x1Blk: return "blk";
    case Conv::Kernel::DepthwisePlane: return "dwplane";
    }
    return "?";
}

}  // namespace

bool Conv::s2WindowApplies() const {
    return group_ == 1 && win_.sh == 2 && win_.sw == 2 && win_.dh == 1 && win_.dw == 1 &&
           win_.kw <= 8 && ow_ >= 16 && w_ >= 16;
}

bool Conv::is1x1Gemm() const {
    return group_ == 1 && win_.kh == 1 && win_.kw == 1 && win_.sh == 1 && win_.sw == 1 &&
           win_.padTop == 0 && win_.padLeft == 0 && win_.padBottom == 0 && win_.padRight == 0;
}

namespace {

// Floats of conv_dw_plane's private tile (nn_conv.cl DWP_TP and DWP_IR, same formulas).
int64_t dwPlaneTileFloats(int64_t iw, int64_t ow, int64_t pl, int64_t kh, int64_t kw, int64_t s,
                          int64_t vw, int64_t rows) {
    const auto rup = [&](int64_t a) { return (a + vw - 1) / vw * vw; };
    const int64_t lastx = ow >= vw ? ow - vw : 0;
    int64_t tp = 0;
    if (s == 1) {
        const int64_t maxc = lastx + kw + vw - 2;
        const int64_t nch = std::max((iw + vw - 1) / vw, (maxc - pl) / vw + 1);
        tp = rup(std::max(vw, pl + nch * vw));
    } else {
        const int64_t maxi = lastx + vw - 1 + (kw - 1) / 2;
        const int64_t nch = std::max((iw + 2 * vw - 1) / (2 * vw), (maxi - pl / 2) / vw + 1);
        tp = rup(std::max(vw, (pl + 1) / 2 + nch * vw));
    }
    return ((rows - 1) * s + kh) * s * tp;
}

}  // namespace

bool Conv::dwPlaneApplies(int width, int rows) const {
    // 32 KiB: the tile stays in L1 beside the streamed output (48 KiB L1d on the CPUs measured).
    constexpr int64_t kMaxTileFloats = 8192;
    return group_ == c_ && m_ == c_ && win_.dh == 1 && win_.dw == 1 && win_.sh == win_.sw &&
           (win_.sh == 1 || win_.sh == 2) && win_.kh <= 7 && win_.kw <= 7 &&
           win_.padTop <= 7 && win_.padLeft <= 7 && rows >= 1 &&
           dwPlaneTileFloats(w_, ow_, win_.padLeft, win_.kh, win_.kw, win_.sh, width, rows) <=
               kMaxTileFloats;
}

Conv::Choice Conv::defaultChoice(bool gpu) const {
    const ConvTuning& t = convTuning();
    Choice c;
    if (is1x1Gemm()) {
        c.kind = t.gemm == ConvTuning::Gemm::Tiled || (t.gemm == ConvTuning::Gemm::Auto && gpu)
                     ? Kernel::Gemm1x1Tiled
                     : Kernel::Gemm1x1;
        if (t.gemm == ConvTuning::Gemm::Wide && h_ * w_ >= 16) c.kind = Kernel::Gemm1x1Wide;
        c.cob = t.gemmCob;
        c.width = t.gemmWidth;
        c.local = t.gemmLocal;
        if (t.gemm == ConvTuning::Gemm::Auto && !gpu && packed_ && h_ * w_ >= 8) {
            c.kind = Kernel::Gemm1x1Blk;
            c.width = 16;
            c.cob = t.blkCob;
            c.rows = t.blkVectors;
        }
    } else if (group_ == c_ && m_ == c_) {
        c.kind = t.dwReuseRows ? Kernel::DepthwiseRows : Kernel::Depthwise;
        if (t.dwFull && ow_ >= 16) c.kind = Kernel::DepthwiseFull;
        c.cob = 1;
        c.width = t.dwWidth;
        c.rows = std::max(1, t.dwRows);
        c.local = t.dwLocal;
        if (t.dwPlane && !gpu) {
            // Bands of up to dwPlaneRows rows, fewer where the tile would not fit.
            const int width = t.dwWidth == 8 ? 8 : 16;
            int rows = int(std::clamp<int64_t>(t.dwPlaneRows, 1, oh_));
            while (rows > 1 && !dwPlaneApplies(width, rows)) rows /= 2;
            if (dwPlaneApplies(width, rows)) {
                c.kind = Kernel::DepthwisePlane;
                c.width = width;
                c.rows = rows;
                c.local = t.dwPlaneLocal;
                if (c.local == 0) {
                    // The group's tiles (one per work-item on PoCL) within 32 KiB: L1 resident.
                    const int64_t tile = 4 * dwPlaneTileFloats(w_, ow_, win_.padLeft, win_.kh,
                                                               win_.kw, win_.sh, width, rows);
                    c.local = 1;
                    while (c.local < 16 && int64_t(c.local) * 2 * tile <= (int64_t(32) << 10))
                        c.local *= 2;
                }
            }
        }
    } else {
        c.kind = Kernel::Direct;
        const bool smallK = (c_ / group_) * win_.kh * win_.kw < 256;
        c.cob = smallK ? t.directCobSmallK : t.directCob;
        c.width = t.directWidth;
        c.local = t.directLocal;
        if (t.directS2 && s2WindowApplies()) c.kind = Kernel::DirectS2;
    }
    return c;
}

namespace {
// conv1x1_blk register blocks offered to the tuner: {channels, pixel vectors}, 16 to 24
// accumulators (bench_ops --pw-sweep).
constexpr std::pair<int, int> kBlkShapes[] = {{8, 3}, {6, 4}, {4, 4}, {8, 2}, {12, 2}};
}  // namespace

std::vector<Conv::Choice> Conv::candidates(const Choice& def, bool gpu) const {
    std::vector<Choice> out{def};
    auto add = [&](Kernel kind, int width, int cob, int rows) {
        Choice c = def;
        c.kind = kind;
        c.width = width;
        c.cob = cob;
        c.rows = rows;
        out.push_back(c);
    };
    switch (def.kind) {
    case Kernel::Gemm1x1:
    case Kernel::Gemm1x1Tiled:
    case Kernel::Gemm1x1Wide:
    case Kernel::Gemm1x1Blk:
        if (gpu) add(def.kind == Kernel::Gemm1x1 ? Kernel::Gemm1x1Tiled : Kernel::Gemm1x1, 16,
                     16, 1);
        for (int w : {16, 8})
            for (int cob : {16, 8, 4}) add(Kernel::Gemm1x1, w, cob, 1);
        // Two pixel vectors per item (it needs at least two of them).
        for (int w : {16, 8})
            if (h_ * w_ >= 2 * w)
                for (int cob : {16, 8, 4}) add(Kernel::Gemm1x1Wide, w, cob, 1);
        if (packed_ && h_ * w_ >= 8)
            for (const auto& [cob, vectors] : kBlkShapes)
                add(Kernel::Gemm1x1Blk, 16, cob, vectors);
        break;
    case Kernel::Depthwise:
    case Kernel::DepthwiseRows:
    case Kernel::DepthwiseFull:
    case Kernel::DepthwisePlane: {
        // `local` means items along x for the row kernels, channels for the plane kernel.
        auto addDw = [&](Kernel kind, int width, int rows, size_t local) {
            add(kind, width, 1, rows);
            out.back().local = local;
        };
        const size_t rowsLocal = convTuning().dwLocal;
        const bool plane = def.kind == Kernel::DepthwisePlane;
        if (plane) {
            // The plane kernel won every YOLOX depthwise shape on PoCL (bench_ops --dw-sweep),
            // and each of its candidates is a build for this shape alone: the row kernels are
            // offered once each for comparison instead of their whole range (~25 more builds,
            // which made a depthwise class ~35 s of tuning with cold driver caches).
            addDw(Kernel::DepthwiseRows, 16, 8, rowsLocal);
            if (ow_ >= 16) addDw(Kernel::DepthwiseFull, 16, 8, rowsLocal);
        }
        for (int w : {16, 8}) {
            if (plane) break;
            addDw(Kernel::Depthwise, w, 2, rowsLocal);
            for (int rows : {1, 2, 4, 8, 16}) addDw(Kernel::DepthwiseRows, w, rows, rowsLocal);
            if (ow_ >= w)
                for (int rows : {2, 4, 8, 16})
                    addDw(Kernel::DepthwiseFull, w, rows, rowsLocal);
        }
        // Not on GPUs: a work-item's tile is private memory (registers, else spilled). Each
        // (width, rows) pair is one more kernel build; 8-wide vectors never won on YOLOX's
        // shapes (bench_ops --dw-sweep), so they are not offered.
        if (!gpu && convTuning().dwPlane)
            for (int rows : {4, 8, 16})
                if (dwPlaneApplies(16, std::min<int>(rows, int(oh_))))
                    for (size_t local : {size_t(1), size_t(4), size_t(16)})
                        addDw(Kernel::DepthwisePlane, 16, rows, local);
        break;
    }
    case Kernel::Direct:
    case Kernel::DirectS2:
        for (int w : {16, 8})
            for (int cob : {16, 8, 4}) add(Kernel::Direct, w, cob, 1);
        if (s2WindowApplies())
            for (int cob : {16, 8, 4}) add(Kernel::DirectS2, 16, cob, 1);
        break;
    }
    return out;
}

std::string Conv::layerClass() const {
    // Exact shapes: a model has few distinct ones, and a neighbouring bucket may want another
    // split (the edge blocks of a row depend on its width).
    std::string s = std::string(kindName(defaultChoice(false).kind)) + " n" +
                    std::to_string(n_) + " c" + std::to_string(c_) + " " + std::to_string(h_) +
                    "x" + std::to_string(w_) + " m" + std::to_string(m_) + " k" +
                    std::to_string(win_.kh) + "x" + std::to_string(win_.kw) + " s" +
                    std::to_string(win_.sh) + "x" + std::to_string(win_.sw) + " g" +
                    std::to_string(group_);
    return s;
}

namespace {

std::string formatChoice(Conv::Kernel kind, int width, int cob, int rows, size_t local) {
    return std::string(kindName(kind)) + " w" + std::to_string(width) + " c" +
           std::to_string(cob) + " r" + std::to_string(rows) + " l" + std::to_string(local);
}

bool parseChoice(const std::string& text, Conv::Kernel& kind, int& width, int& cob, int& rows,
                 size_t& local) {
    char k[16] = {};
    unsigned long l = 0;
    if (std::sscanf(text.c_str(), "%15s w%d c%d r%d l%lu", k, &width, &cob, &rows, &l) != 5)
        return false;
    const std::string ks = k;
    if (ks == "gemm") kind = Conv::Kernel::Gemm1x1;
    else if (ks == "tiled") kind = Conv::Kernel::Gemm1x1Tiled;
    else if (ks == "dw") kind = Conv::Kernel::Depthwise;
    else if (ks == "dwrows") kind = Conv::Kernel::DepthwiseRows;
    else if (ks == "direct") kind = Conv::Kernel::Direct;
    else if (ks == "wide") kind = Conv::Kernel::Gemm1x1Wide;
    else if (ks == "dwfull") kind = Conv::Kernel::DepthwiseFull;
    else if (ks == "directs2") kind = Conv::Kernel::DirectS2;
    else if (ks == "blk") kind = Conv::Kernel::Gemm1x1Blk;
    else if (ks == "dwplane") kind = Conv::Kernel::DepthwisePlane;
    else return false;
    local = l;
    // Values a kernel accepts; anything else is a damaged entry (then: defaults, retune).
    return (width == 1 || width == 8 || width == 16) && cob >= 1 && cob <= 64 && rows >= 1 &&
           rows <= 16 && local >= 1 && local <= 256;
}

}  // namespace

Status Conv::configure(const ClOpContext& ctx, const Choice& c) {
    std::string opts = activationDefine(act_);
    const char* name = "conv_direct";
    const char* file = "nn_conv.cl";
    // 16-pixel rows when the input row holds a whole vector window (so edge blocks take the
    // shuffle path rather than a per-lane gather), else 8.
    auto width = [&](int w) { return w > 8 && w_ >= 16 * win_.sw ? 16 : 8; };
    kernelKind_ = c.kind;
    local_ = c.local;
    rows_ = 1;
    switch (c.kind) {
    case Kernel::Gemm1x1:
    case Kernel::Gemm1x1Tiled:
        cob_ = blockFor(m_, c.cob);
        width_ = c.width > 1 ? width(c.width) : 1;
        name = kernelKind_ == Kernel::Gemm1x1Tiled ? "conv1x1_tiled"
               : width_ > 1                        ? "conv1x1_vec"
                                                   : "conv1x1";
        break;
    case Kernel::Gemm1x1Wide:
        // The pixel range is the flattened H x W, so the row width does not limit the vector;
        // a cached choice for a layer too small for two vectors cannot come from candidates().
        if (h_ * w_ < 16)
            return fail("the wide 1x1 kernel needs at least 16 pixels, the layer has " +
                        std::to_string(h_ * w_));
        cob_ = blockFor(m_, c.cob);
        width_ = c.width == 16 && h_ * w_ >= 32 ? 16 : 8;
        name = "conv1x1_wide";
        file = "nn_conv_pw.cl";
        break;
    case Kernel::Gemm1x1Blk: {
        // A cached choice for a layer without constant weights cannot come from candidates().
        if (!packed_) return fail("the blocked 1x1 kernel needs constant weights and bias");
        // Blocks that do not fit move back (kernel comment), so the layer needs one whole block
        // of pixels and of channels: fewer vectors and channels on small layers.
        const int64_t pixels = h_ * w_;
        if (pixels < 8)
            return fail("the blocked 1x1 kernel needs at least 8 pixels, the layer has " +
                        std::to_string(pixels));
        width_ = c.width == 16 && pixels >= 16 ? 16 : 8;
        rows_ = int(std::clamp<int64_t>(c.rows, 1, pixels / width_));
        cob_ = int(std::clamp<int64_t>(c.cob, 1, m_));
        name = "conv1x1_blk";
        file = "nn_conv_pw.cl";
        opts += " -DNV=" + std::to_string(rows_);
        break;
    }
    case Kernel::Depthwise:
    case Kernel::DepthwiseRows:
    case Kernel::DepthwiseFull:
        cob_ = 1;
        width_ = width(c.width);
        rows_ = std::max(1, c.rows);
        name = c.kind == Kernel::Depthwise ? "conv_dw" : "conv_dw_rows";
        if (c.kind == Kernel::DepthwiseFull) {
            // A cached choice for a row narrower than the vector cannot come from candidates().
            if (ow_ < width_)
                return fail("the full-block depthwise kernel needs rows of at least " +
                            std::to_string(width_) + " outputs, the layer has " +
                            std::to_string(ow_));
            opts += " -DFULL_BLOCKS=1";   // conv_dw_rows without partial blocks
        }
        opts += " -DSH=" + std::to_string(win_.sh) + " -DDH=" + std::to_string(win_.dh) +
                " -DROWS=" + std::to_string(rows_);
        break;
    case Kernel::DepthwisePlane:
        cob_ = 1;
        width_ = c.width == 8 ? 8 : 16;
        rows_ = int(std::clamp<int64_t>(c.rows, 1, oh_));   // a band past OH folds to OH
        // A cached choice that does not fit the layer cannot come from candidates().
        if (!dwPlaneApplies(width_, rows_))
            return fail("the plane depthwise kernel needs no dilation, equal strides 1 or 2, "
                        "kernel and top/left pads of at most 7 and a tile of at most 32 KiB "
                        "(" + std::to_string(rows_) + " rows of " + std::to_string(width_) +
                        "-wide vectors)");
        name = "conv_dw_plane";
        file = "nn_conv_dwp.cl";
        opts += " -DSH=" + std::to_string(win_.sh) + " -DROWS=" + std::to_string(rows_) +
                " -DDWP_IH=" + std::to_string(h_) + " -DDWP_IW=" + std::to_string(w_) +
                " -DDWP_OH=" + std::to_string(oh_) + " -DDWP_OW=" + std::to_string(ow_) +
                " -DDWP_PT=" + std::to_string(win_.padTop) +
                " -DDWP_PL=" + std::to_string(win_.padLeft);
        break;
    case Kernel::Direct:
        cob_ = blockFor(m_ / group_, c.cob);
        width_ = width(c.width);
        break;
    case Kernel::DirectS2:
        // A cached choice for a layer it does not fit cannot come from candidates().
        if (!s2WindowApplies())
            return fail("the stride-2 window kernel needs group 1, strides 2x2, no dilation, "
                        "a kernel at most 8 wide and rows of at least 16 inputs and outputs");
        cob_ = blockFor(m_, c.cob);
        width_ = 16;
        name = "conv_s2_win";
        file = "nn_conv_s2.cl";
        break;
    }
    opts += " -DCOB=" + std::to_string(cob_) + " -DKH=" + std::to_string(win_.kh) +
            " -DKW=" + std::to_string(win_.kw) + " -DSW=" + std::to_string(win_.sw) +
            " -DVW=" + std::to_string(width_ > 1 ? width_ : 8);
    auto k = buildKernel(ctx, file, name, opts);
    if (!k) return k.status().withContext("nn/Conv '" + name_ + "'");
    kernel_ = std::move(*k);
    return Status::ok();
}

Status Conv::tune(const ClOpContext& ctx, const Choice& def, bool gpu, Choice& best,
                  bool& complete) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    complete = false;
    const compute::ComputeContext& cl = *ctx.compute;
    // Scratch tensors of the layer's shape, zero-filled (garbage could hold NaNs or denormals
    // and slow some candidates down for reasons the real data does not have).
    const size_t sizes[4] = {size_t(n_ * c_ * h_ * w_), size_t(m_ * (c_ / group_) * win_.kh *
                                                                win_.kw),
                             size_t(std::max<int64_t>(m_, 1)), size_t(n_ * m_ * oh_ * ow_)};
    std::vector<compute::ClMem> mems;
    std::vector<DeviceTensor> t;
    for (size_t s : sizes) {
        auto m = cl.createBuffer(CL_MEM_READ_WRITE, std::max<size_t>(s, 1) * sizeof(float));
        if (!m) return m.status().withContext("nn/Conv '" + name_ + "': tuning buffer");
        const float zero = 0;
        SL_CL_TRY(clEnqueueFillBuffer(ctx.queue, m->get(), &zero, sizeof zero, 0,
                                      std::max<size_t>(s, 1) * sizeof(float), 0, nullptr,
                                      nullptr));
        t.push_back({m->get(), 0, {}});
        mems.push_back(std::move(*m));
    }
    const std::vector<DeviceTensor> ins{t[0], t[1], t[2]}, outs{t[3]};
    const auto overBudget = [&] {
        const double spent =
            std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        return ctx.tuner->shouldStop(spent);
    };
    // Build and warm every distinct candidate first (kernel builds are the slow part)...
    struct Measured {
        Choice choice;
        double ms = 1e30;
    };
    std::vector<Measured> measured;
    std::vector<std::string> seen;
    for (const Choice& c : candidates(def, gpu)) {
        if (overBudget()) return Status::ok();
        SL_TRY(configure(ctx, c));
        // Candidates the layer's shape folds into the same kernel (a 16-wide row on a narrow
        // layer is 8 wide) are measured once.
        std::string key = formatChoice(kernelKind_, width_, cob_, rows_, local_);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        seen.push_back(std::move(key));
        SL_TRY(runDevice(ctx, ins, outs));
        SL_CL_TRY(clFinish(ctx.queue));
        Choice resolved = c;
        resolved.kind = kernelKind_;
        resolved.width = width_;
        resolved.cob = cob_;
        resolved.rows = rows_;
        measured.push_back({resolved});
    }
    // ...then time them in interleaved rounds: a burst of load on a shared machine hits every
    // candidate alike, instead of whichever one was being measured (choices made that way
    // persist in the cache: YOLOX tuned during parallel builds ran 15.4 ms against 11 ms).
    for (int r = 0; r < kTuneRuns; ++r)
        for (Measured& m : measured) {
            if (overBudget()) return Status::ok();
            SL_TRY(configure(ctx, m.choice));
            const auto t0 = Clock::now();
            SL_TRY(runDevice(ctx, ins, outs));
            SL_CL_TRY(clFinish(ctx.queue));
            m.ms = std::min(m.ms, std::chrono::duration<double, std::milli>(Clock::now() - t0)
                                      .count());
        }
    double bestMs = 1e30;
    for (const Measured& m : measured)
        if (m.ms < bestMs) {
            bestMs = m.ms;
            best = m.choice;
        }
    complete = true;
    return Status::ok();
}

Status Conv::packWeights(const ClOpContext& ctx, std::span<const Tensor* const> constants) {
    packed_ = {};
    // GPUs keep conv1x1_tiled (local-memory tiles): no copy of the weights there.
    if (!is1x1Gemm() || ctx.compute->info().type == compute::DeviceType::Gpu ||
        !convTuning().blk)
        return Status::ok();
    const Tensor* w = constants.size() > 1 ? constants[1] : nullptr;
    const Tensor* b = hasBias_ && constants.size() > 2 ? constants[2] : nullptr;
    if (!w || w->dtype() != DType::Float32 || (hasBias_ && !b) ||
        (b && b->dtype() != DType::Float32)) {
        logDebug("nn", "conv '" + name_ + "': weights or bias not constant float32, so no "
                       "packed-weight 1x1 kernel (conv1x1_vec by default, the tuner's "
                       "other candidates)");
        return Status::ok();
    }
    const int64_t K = c_, M = m_;
    // Under fp16 storage the other kernels read the weights as half: the same rounded values
    // here (the storage's results do not depend on the kernel the tuner picks).
    const auto stored = [&](float v) {
        return ctx.halfStorage ? halfToFloat(floatToHalf(v)) : v;
    };
    std::vector<float> packed(size_t((K + 1) * M), 0.0f);
    const float* wd = w->data<float>();
    for (int64_t m = 0; m < M; ++m)
        for (int64_t k = 0; k < K; ++k) packed[size_t(k * M + m)] = stored(wd[m * K + k]);
    if (b)
        for (int64_t m = 0; m < M; ++m) packed[size_t(K * M + m)] = stored(b->data<float>()[m]);
    auto buf = ctx.compute->createBuffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                         packed.size() * sizeof(float), packed.data());
    if (!buf) return buf.status().withContext("nn/Conv '" + name_ + "': packed weights");
    packed_ = std::move(*buf);
    return Status::ok();
}

Status Conv::prepareDevice(const ClOpContext& ctx, std::span<const Tensor* const> constants) {
    const bool gpu = ctx.compute->info().type == compute::DeviceType::Gpu;
    SL_TRY(packWeights(ctx, constants));
    Choice def = defaultChoice(gpu);
    // Half storage has its own classes (the best split may differ with half the bytes per
    // load); until one is measured, the float32 class's measured choice is a better start than
    // the fixed defaults (same shape, same arithmetic).
    if (ctx.tuner && ctx.halfStorage && flops() >= kMinTuneFlops)
        if (auto v = ctx.tuner->peek(layerClass())) {
            Choice f32 = def;
            if (parseChoice(*v, f32.kind, f32.width, f32.cob, f32.rows, f32.local)) def = f32;
        }
    Choice c = def;
    if (ctx.tuner && flops() >= kMinTuneFlops) {
        const std::string cls = layerClass() + (ctx.halfStorage ? " f16" : "");
        Choice cached = def;
        if (auto v = ctx.tuner->lookup(cls);
            v && parseChoice(*v, cached.kind, cached.width, cached.cob, cached.rows,
                             cached.local)) {
            c = cached;
            logDebug("nn", "conv tuning '" + cls + "' -> " + *v + " (cached)");
        } else if (ctx.tuner->hasBudget()) {
            const auto t0 = std::chrono::steady_clock::now();
            bool complete = false;
            SL_TRY(tune(ctx, def, gpu, c, complete));
            const double ms = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count();
            if (complete) {
                const std::string text = formatChoice(c.kind, c.width, c.cob, c.rows, c.local);
                ctx.tuner->record(cls, text, ms);
                logDebug("nn", "conv tuning '" + cls + "' -> " + text + " (" +
                                   std::to_string(int(ms)) + " ms to measure)");
            } else {
                // A partial comparison is not a measured choice: defaults until a later session.
                c = def;
                ctx.tuner->abandon(ms);
                logDebug("nn", "conv tuning '" + cls + "': budget spent, defaults");
            }
        } else {
            ctx.tuner->skipped();
        }
    }
    return configure(ctx, c);
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
        const auto l = groupShape(g, local_, t.groupItems);
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
    case Kernel::Gemm1x1Wide: {
        const cl_int P = H * W;
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, P, M, alpha, beta));
        const size_t g[3] = {(size_t(P) + 2 * width_ - 1) / (2 * width_), size_t(m_ / cob_),
                             size_t(n_)};
        const auto l = groupShape(g, local_, t.groupItems);
        return launch(ctx, k, g, l);
    }
    case Kernel::Gemm1x1Blk: {
        const cl_int P = H * W;
        SL_TRY(setArgs(k, inputs[0].mem, *xo, packed_.get(), outputs[0].mem, *yo, C, P, M, alpha,
                       beta));
        const size_t block = size_t(rows_) * size_t(width_);
        const size_t g[3] = {(size_t(P) + block - 1) / block, (size_t(m_) + cob_ - 1) / cob_,
                             size_t(n_)};
        const auto l = groupShape(g, local_, t.groupItems);
        return launch(ctx, k, g, l);
    }
    case Kernel::Depthwise:
    case Kernel::DepthwiseRows:
    case Kernel::DepthwiseFull: {
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, H, W, OH, OW, sh, sw, dh, dw, pt, pl, alpha, beta));
        const size_t g[3] = {(size_t(ow_) + width_ - 1) / width_,
                             (size_t(oh_) + rows_ - 1) / rows_, size_t(n_ * c_)};
        const auto l = groupShape(g, local_, t.groupItems);
        return launch(ctx, k, g, l);
    }
    case Kernel::DepthwisePlane: {
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, H, W, OH, OW, sh, sw, dh, dw, pt, pl, alpha, beta));
        // Work-groups of whole channels: `local` dividing N * C (no rounded-up range). PoCL
        // keeps one tile per work-item of a group on its worker thread's stack: at most 256 KiB
        // of them per group.
        const int64_t tileBytes = 4 * dwPlaneTileFloats(w_, ow_, win_.padLeft, win_.kh, win_.kw,
                                                        win_.sh, width_, rows_);
        const int64_t maxLocal = std::max<int64_t>(1, (int64_t(256) << 10) / tileBytes);
        const int local = int(std::min<int64_t>(std::max<size_t>(1, local_), maxLocal));
        const size_t g[3] = {size_t(n_ * c_), (size_t(oh_) + rows_ - 1) / rows_, 1};
        const size_t l[3] = {size_t(blockFor(n_ * c_, local)), 1, 1};
        return launch(ctx, k, g, l);
    }
    case Kernel::Direct:
    case Kernel::DirectS2: {
        const cl_int Cg = cl_int(c_ / group_), Mg = cl_int(m_ / group_);
        SL_TRY(setArgs(k, inputs[0].mem, *xo, inputs[1].mem, *wo, bias, bo, hb, outputs[0].mem,
                       *yo, C, H, W, M, OH, OW, Cg, Mg, sh, sw, dh, dw, pt, pl, alpha, beta));
        const size_t g[3] = {(size_t(ow_) + width_ - 1) / width_, size_t(oh_),
                             size_t(n_ * (m_ / cob_))};
        const auto l = groupShape(g, local_, t.groupItems);
        return launch(ctx, k, g, l);
    }
    }
    return Status::ok();
}

}  // namespace sl::nn
