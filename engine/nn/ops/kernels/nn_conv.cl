// Convolution kernels (host side: nn/ops/conv_cl.cpp; reference: conv.cpp). All take element
// offsets into their buffers, a bias that may be absent (hasBias = 0) and apply the fused
// activation ACT (nn_common.cl) in the epilogue. COB = output channels per work-item (register
// block); KH/KW (and SW, the horizontal stride) are compile-time so the tap loops unroll and the
// row loads specialise.

#ifndef COB
#define COB 4
#endif
#ifndef KH
#define KH 1
#endif
#ifndef KW
#define KW 1
#endif

#define SL_BIAS(m) (hasBias ? SL_LD(bias, bOff + (m)) : 0.0f)

// 1x1, stride 1, no padding, group 1: Y[n][m][p] = sum_k W[m][k] * X[n][k][p] (a GEMM with
// M = out channels, N = pixels, K = in channels). One work-item: one pixel x COB channels;
// neighbouring work-items take neighbouring pixels, so a work-group vectoriser (PoCL) turns the
// X loads into contiguous vector loads and W into broadcasts. Out-of-range pixels compute on a
// clamped pixel and do not store (no divergent early exit).
__kernel void conv1x1(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                      __global const sl_store* bias, int bOff, int hasBias, __global sl_store* y,
                      int yOff, int K, int P, int M, float alpha, float beta) {
    const int p = get_global_id(0);
    const int m0 = get_global_id(1) * COB;
    const int n = get_global_id(2);
    if (m0 >= M) return;   // the range is rounded up to whole work-groups
    const int pc = min(p, P - 1);
    __global const sl_store* xp = x + xOff + n * K * P + pc;
    __global const sl_store* wp = w + wOff + m0 * K;
    float acc[COB];
#pragma unroll
    for (int j = 0; j < COB; ++j) acc[j] = 0.0f;
    for (int k = 0; k < K; ++k) {
        const float xv = SL_LD(xp, k * P);
#pragma unroll
        for (int j = 0; j < COB; ++j) acc[j] = fma(SL_LD(wp, j * K + k), xv, acc[j]);
    }
    if (p < P) {
        __global sl_store* yp = y + yOff + (n * M + m0) * P + p;
#pragma unroll
        for (int j = 0; j < COB; ++j) {
            const float v = acc[j] + SL_BIAS(m0 + j);
            SL_ST(yp, j * P, ACTIVATE(v, alpha, beta));
        }
    }
}

// The same GEMM with explicit vectors of VW (8 or 16) pixels: one work-item = VW pixels x COB
// channels (a COB x VW register block), for devices where explicit SIMD beats work-group
// vectorisation (PoCL on x86: 2-3 GFLOP/s scalar vs 60-100 here with VW 16). Only a range
// shorter than VW takes the scalar path.
#ifndef VW
#define VW 8
#endif
#if VW == 16
#define VFLOAT float16
#define VLOAD vload16
#define VSTORE vstore16
#define SL_VLD SL_LD16
#define SL_VST SL_ST16
#else
#define VFLOAT float8
#define VLOAD vload8
#define VSTORE vstore8
#define SL_VLD SL_LD8
#define SL_VST SL_ST8
#endif
__kernel void conv1x1_vec(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                          __global const sl_store* bias, int bOff, int hasBias, __global sl_store* y,
                          int yOff, int K, int P, int M, float alpha, float beta) {
    int p = get_global_id(0) * VW;
    const int m0 = get_global_id(1) * COB;
    const int n = get_global_id(2);
    if (p >= P || m0 >= M) return;   // the range is rounded up to whole work-groups
    // A partial last block moves back to end at P: it recomputes a few pixels of its neighbour
    // and stores bit-identical values, instead of a slow scalar tail.
    if (p + VW > P && P >= VW) p = P - VW;
    __global const sl_store* xp = x + xOff + n * K * P + p;
    __global const sl_store* wp = w + wOff + m0 * K;
    __global sl_store* yp = y + yOff + (n * M + m0) * P + p;
    if (p + VW <= P) {
        VFLOAT acc[COB];
#pragma unroll
        for (int j = 0; j < COB; ++j) acc[j] = (VFLOAT)(0.0f);
        // Four k steps per iteration: each channel's four weights come as one vector load and
        // four lane broadcasts instead of four scalar loads (with half storage: four scalar
        // vload_half, which PoCL converts one by one and which cost more than the FMAs). YOLOX
        // untuned on PoCL: fp16 storage 60 -> 31 ms, fp32 27 -> 21 ms. Sums stay k-ascending.
        int k = 0;
        for (; k + 4 <= K; k += 4) {
            const VFLOAT x0 = SL_VLD(xp + k * P), x1 = SL_VLD(xp + (k + 1) * P);
            const VFLOAT x2 = SL_VLD(xp + (k + 2) * P), x3 = SL_VLD(xp + (k + 3) * P);
#pragma unroll
            for (int j = 0; j < COB; ++j) {
                const float4 wv = SL_LD4(wp + j * K + k);
                acc[j] = fma((VFLOAT)(wv.s0), x0, acc[j]);
                acc[j] = fma((VFLOAT)(wv.s1), x1, acc[j]);
                acc[j] = fma((VFLOAT)(wv.s2), x2, acc[j]);
                acc[j] = fma((VFLOAT)(wv.s3), x3, acc[j]);
            }
        }
        for (; k < K; ++k) {
            const VFLOAT xv = SL_VLD(xp + k * P);
#pragma unroll
            for (int j = 0; j < COB; ++j) acc[j] = fma((VFLOAT)(SL_LD(wp, j * K + k)), xv, acc[j]);
        }
#pragma unroll
        for (int j = 0; j < COB; ++j) {
            const VFLOAT v = acc[j] + SL_BIAS(m0 + j);
            SL_VST(yp + j * P, ACTIVATE(v, alpha, beta));
        }
    } else {
        for (int q = 0; q < P - p; ++q)
#pragma unroll
            for (int j = 0; j < COB; ++j) {
                float a = 0.0f;
                for (int k = 0; k < K; ++k) a = fma(SL_LD(wp, j * K + k), SL_LD(xp, k * P + q), a);
                const float v = a + SL_BIAS(m0 + j);
                SL_ST(yp, j * P + q, ACTIVATE(v, alpha, beta));
            }
    }
}

// The 1x1 GEMM for GPUs: classic local-memory tiling. A 16 x 16 work-group computes a 64 x 64
// tile of Y (channels x pixels), each work-item a 4 x 4 register block (channels ty + 16 i,
// pixels tx + 16 j: neighbouring work-items read neighbouring local words, no bank conflicts);
// K advances in slabs of 16 staged through local memory. CPU devices (PoCL) use conv1x1_vec:
// there the caches do the staging and barriers split the work-group loop.
#define TILE 64
#define TILE_K 16
__kernel __attribute__((reqd_work_group_size(16, 16, 1)))
void conv1x1_tiled(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                   __global const sl_store* bias, int bOff, int hasBias, __global sl_store* y, int yOff,
                   int K, int P, int M, float alpha, float beta) {
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int p0 = get_group_id(0) * TILE;
    const int m0 = get_group_id(1) * TILE;
    const int n = get_global_id(2);
    __local float ws[TILE_K][TILE];
    __local float xs[TILE_K][TILE];
    __global const sl_store* xn = x + xOff + n * K * P;
    float acc[4][4];
    for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = 0.0f;
    const int lid = ty * 16 + tx;
    for (int k0 = 0; k0 < K; k0 += TILE_K) {
#pragma unroll
        for (int r = 0; r < 4; ++r) {
            const int idx = lid + r * 256;
            const int wm = idx / TILE_K, wk = idx % TILE_K;   // W row-major [M][K]: along k
            const bool win = m0 + wm < M && k0 + wk < K;
            ws[wk][wm] = win ? SL_LD(w, wOff + (m0 + wm) * K + k0 + wk) : 0.0f;
            const int xk = idx / TILE, xq = idx % TILE;        // X [K][P]: along pixels
            const bool xin = k0 + xk < K && p0 + xq < P;
            xs[xk][xq] = xin ? SL_LD(xn, (k0 + xk) * P + p0 + xq) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TILE_K; ++kk) {
            float a[4], b[4];
            for (int i = 0; i < 4; ++i) a[i] = ws[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; ++j) b[j] = xs[kk][tx + 16 * j];
            for (int i = 0; i < 4; ++i)
#pragma unroll
                for (int j = 0; j < 4; ++j) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < 4; ++i) {
        const int m = m0 + ty + 16 * i;
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            const int p = p0 + tx + 16 * j;
            if (p >= P) continue;
            const float v = acc[i][j] + SL_BIAS(m);
            SL_ST(y, yOff + (n * M + m) * P + p, ACTIVATE(v, alpha, beta));
        }
    }
}

#ifndef SW
#define SW 1
#endif

#if VW == 16
#define VINT int16
#define VUINT uint16
#define AS_VUINT as_uint16
#define VIOTA ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#else
#define VINT int8
#define VUINT uint8
#define AS_VUINT as_uint8
#define VIOTA ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#endif

// VW input samples of one row at ix0, ix0 + SW, ..., zero outside [0, W). Interior blocks take
// vector loads (stride 1: one; stride 2: the even lanes of two). Blocks touching an edge load the
// nearest in-row window and move lanes with a shuffle (a permute instruction), zeroing the
// lanes outside the row; only rows narrower than the window gather element by element.
// Explicit vectors because PoCL does not vectorise these loop nests across work-items
// (measured: 1-3 GFLOP/s scalar vs 20-100 vector).
SL_INLINE VFLOAT load_row(__global const sl_store* row, int ix0, int W) {
#if SW == 1
    if (ix0 >= 0 && ix0 + VW <= W) return SL_VLD(row + ix0);
    if (W >= VW) {
        const int b = clamp(ix0, 0, W - VW);
        const VINT j = VIOTA + (ix0 - b);   // lane of the loaded window for each output lane
        const VFLOAT v = shuffle(SL_VLD(row + b), AS_VUINT(clamp(j, 0, VW - 1)));
        return select((VFLOAT)(0.0f), v, (j >= 0) & (j < VW));
    }
#elif SW == 2
#if VW == 8
    if (ix0 >= 0 && ix0 + 16 <= W) return SL_LD16(row + ix0).even;
#else
    if (ix0 >= 0 && ix0 + 32 <= W)
        return (float16)(SL_LD16(row + ix0).even, SL_LD16(row + ix0 + 16).even);
#endif
    if (W >= 2 * VW) {
        const int b = clamp(ix0, 0, W - 2 * VW);
        const VINT j = 2 * VIOTA + (ix0 - b);
        const VFLOAT v = shuffle2(SL_VLD(row + b), SL_VLD(row + b + VW),
                                  AS_VUINT(clamp(j, 0, 2 * VW - 1)));
        return select((VFLOAT)(0.0f), v, (j >= 0) & (j < 2 * VW));
    }
#endif
    float v[VW];
    for (int i = 0; i < VW; ++i) {
        const int ix = ix0 + i * SW;
        const bool in = ix >= 0 && ix < W;
        const float t = SL_LD(row, in ? ix : 0);
        v[i] = in ? t : 0.0f;
    }
    return VLOAD(0, v);
}

// Stores the first min(VW, OW - ox0) lanes of v at out.
SL_INLINE void store_row(__global sl_store* out, VFLOAT v, int ox0, int OW) {
    if (ox0 + VW <= OW) {
        SL_VST(out, v);
    } else {
        float t[VW];
        VSTORE(v, 0, t);
        for (int i = 0; i < OW - ox0; ++i) SL_ST(out, i, t[i]);
    }
}

#ifndef SH
#define SH 1
#endif
#ifndef DH
#define DH 1
#endif
#ifndef ROWS
#define ROWS 1
#endif

// Depthwise (group == C == M): one work-item = ROWS x VW outputs (ROWS consecutive rows, VW
// consecutive columns) of one channel (gid0 = x block, gid1 = row block, gid2 = n * C + c).
// Strides, dilation and the kernel size are compile-time, so with several rows per item the
// compiler sees that neighbouring output rows read the same input rows and loads them once.
__kernel void conv_dw(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                      __global const sl_store* bias, int bOff, int hasBias, __global sl_store* y,
                      int yOff, int C, int H, int W, int OH, int OW, int sh, int sw, int dh, int dw,
                      int pt, int pl, float alpha, float beta) {
    const int ox0 = get_global_id(0) * VW;
    const int oy0 = get_global_id(1) * ROWS;
    const int nc = get_global_id(2);
    if (ox0 >= OW || oy0 >= OH) return;
    const int c = nc % C;
    __global const sl_store* xc = x + xOff + nc * H * W;
    __global const sl_store* wc = w + wOff + c * KH * KW;
    const int ix0 = ox0 * SW - pl;
    float wk[KH * KW];
    for (int i = 0; i < KH * KW; ++i) wk[i] = SL_LD(wc, i);
    VFLOAT acc[ROWS];
#pragma unroll
    for (int r = 0; r < ROWS; ++r) acc[r] = (VFLOAT)(0.0f);
#pragma unroll
    for (int r = 0; r < ROWS; ++r) {
#pragma unroll
        for (int ky = 0; ky < KH; ++ky) {
            const int iy = (oy0 + r) * SH - pt + ky * DH;
            if (iy < 0 || iy >= H) continue;
            __global const sl_store* row = xc + iy * W;
#pragma unroll
            for (int kx = 0; kx < KW; ++kx)
                acc[r] = fma((VFLOAT)(wk[ky * KW + kx]), load_row(row, ix0 + kx * dw, W), acc[r]);
        }
    }
    const float b = SL_BIAS(c);
#pragma unroll
    for (int r = 0; r < ROWS; ++r) {
        if (oy0 + r >= OH) break;
        const VFLOAT v = acc[r] + b;
        store_row(y + yOff + (nc * OH + oy0 + r) * OW + ox0, ACTIVATE(v, alpha, beta), ox0, OW);
    }
}

// conv_dw with explicit input-row reuse (the default; conv_dw stays as a tuning candidate). The
// ROWS outputs read (ROWS - 1) * SH + (KH - 1) * DH + 1 input rows; each is loaded once (KW
// vectors, edge handling included) and added into every output row it feeds. Loading per
// (output row, tap) instead re-ran load_row's edge branches and the compiler could not merge
// the loads across them. Each output still sums its taps ky-major, kx-minor (as the reference).
//
// FULL_BLOCKS (Conv::Kernel::DepthwiseFull, only where OW >= VW): a row's last block, when it
// would run past OW, moves back to end at OW: it recomputes a few of its neighbour's outputs
// (the same sums in the same order: identical bits) and stores whole vectors, instead of
// staging a partial vector through private memory and storing it lane by lane (PoCL keeps that
// array on the stack). YOLOX's 13, 26, 52 and 104 wide rows all end in a partial block.
#ifndef FULL_BLOCKS
#define FULL_BLOCKS 0
#endif
__kernel void conv_dw_rows(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                           __global const sl_store* bias, int bOff, int hasBias,
                           __global sl_store* y, int yOff, int C, int H, int W, int OH, int OW,
                           int sh, int sw, int dh, int dw, int pt, int pl, float alpha,
                           float beta) {
    int ox0 = get_global_id(0) * VW;
    const int oy0 = get_global_id(1) * ROWS;
    const int nc = get_global_id(2);
    if (ox0 >= OW || oy0 >= OH) return;
#if FULL_BLOCKS
    if (ox0 + VW > OW) ox0 = OW - VW;
#endif
    const int c = nc % C;
    __global const sl_store* xc = x + xOff + nc * H * W;
    __global const sl_store* wc = w + wOff + c * KH * KW;
    const int ix0 = ox0 * SW - pl;
    float wk[KH * KW];
    for (int i = 0; i < KH * KW; ++i) wk[i] = SL_LD(wc, i);
    VFLOAT acc[ROWS];
#pragma unroll
    for (int r = 0; r < ROWS; ++r) acc[r] = (VFLOAT)(0.0f);
    const int iy0 = oy0 * SH - pt;
    for (int i = 0; i < (ROWS - 1) * SH + (KH - 1) * DH + 1; ++i) {
        const int iy = iy0 + i;
        if (iy < 0 || iy >= H) continue;
        __global const sl_store* row = xc + iy * W;
        VFLOAT xv[KW];
#pragma unroll
        for (int kx = 0; kx < KW; ++kx) xv[kx] = load_row(row, ix0 + kx * dw, W);
#pragma unroll
        for (int r = 0; r < ROWS; ++r) {
            const int t = i - r * SH;   // ky * DH for the output row r this input row feeds
            if (t < 0 || t % DH != 0 || t / DH >= KH) continue;
            const int ky = t / DH;
#pragma unroll
            for (int kx = 0; kx < KW; ++kx)
                acc[r] = fma((VFLOAT)(wk[ky * KW + kx]), xv[kx], acc[r]);
        }
    }
    const float b = SL_BIAS(c);
#pragma unroll
    for (int r = 0; r < ROWS; ++r) {
        if (oy0 + r >= OH) break;
        const VFLOAT v = acc[r] + b;
#if FULL_BLOCKS
        SL_VST(y + yOff + (nc * OH + oy0 + r) * OW + ox0, ACTIVATE(v, alpha, beta));
#else
        store_row(y + yOff + (nc * OH + oy0 + r) * OW + ox0, ACTIVATE(v, alpha, beta), ox0, OW);
#endif
    }
}

// General conv as a direct implicit GEMM: one work-item = VW consecutive outputs of one row x COB
// output channels of one group (COB divides the channels per group; a COB x VW register block),
// looping over the group's Cg input channels x KH x KW taps (gid0 = x block, gid1 = oy,
// gid2 = n * (M / COB) + channel block).
__kernel void conv_direct(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                          __global const sl_store* bias, int bOff, int hasBias, __global sl_store* y,
                          int yOff, int C, int H, int W, int M, int OH, int OW, int Cg, int Mg,
                          int sh, int sw, int dh, int dw, int pt, int pl, float alpha,
                          float beta) {
    const int ox0 = get_global_id(0) * VW;
    const int oy = get_global_id(1);
    const int blocks = M / COB;
    const int n = get_global_id(2) / blocks;
    const int m0 = (get_global_id(2) - n * blocks) * COB;
    if (ox0 >= OW || oy >= OH) return;
    const int g = m0 / Mg;
    __global const sl_store* xg = x + xOff + (n * C + g * Cg) * H * W;
    const int wStride = Cg * KH * KW;
    __global const sl_store* wg = w + wOff + m0 * wStride;
    const int ix0 = ox0 * SW - pl;
    VFLOAT acc[COB];
#pragma unroll
    for (int j = 0; j < COB; ++j) acc[j] = (VFLOAT)(0.0f);
    for (int ci = 0; ci < Cg; ++ci) {
        __global const sl_store* xc = xg + ci * H * W;
        __global const sl_store* wc = wg + ci * KH * KW;
        // This input channel's taps of the COB channels copied to private memory first, four
        // at a time: with half storage a scalar vload_half per broadcast weight cost more than
        // its FMA on PoCL (the YOLOX stem, untuned: 8.1 -> 2.7 ms); with float storage the
        // copy measured the same (4.7 ms), so one code path serves both.
        float wl[COB * KH * KW];
#pragma unroll
        for (int j = 0; j < COB; ++j) {
            int t = 0;
            for (; t + 4 <= KH * KW; t += 4)
                vstore4(SL_LD4(wc + j * wStride + t), 0, wl + j * KH * KW + t);
            for (; t < KH * KW; ++t) wl[j * KH * KW + t] = SL_LD(wc, j * wStride + t);
        }
#pragma unroll
        for (int ky = 0; ky < KH; ++ky) {
            const int iy = oy * sh - pt + ky * dh;
            if (iy < 0 || iy >= H) continue;
            __global const sl_store* row = xc + iy * W;
#pragma unroll
            for (int kx = 0; kx < KW; ++kx) {
                const VFLOAT xv = load_row(row, ix0 + kx * dw, W);
#pragma unroll
                for (int j = 0; j < COB; ++j)
                    acc[j] = fma((VFLOAT)(wl[j * KH * KW + ky * KW + kx]), xv, acc[j]);
            }
        }
    }
    __global sl_store* yp = y + yOff + ((n * M + m0) * OH + oy) * OW + ox0;
#pragma unroll
    for (int j = 0; j < COB; ++j) {
        const VFLOAT v = acc[j] + SL_BIAS(m0 + j);
        store_row(yp + j * OH * OW, ACTIVATE(v, alpha, beta), ox0, OW);
    }
}

// Transposed conv in gather form: output (n, m, oy, ox) sums x(c, iy, ix) * W[c][m % Mg][ky][kx]
// over the group's input channels and the taps with oy = iy * sh - pt + ky * dh (likewise x).
__kernel void conv_transpose(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                             __global const sl_store* bias, int bOff, int hasBias,
                             __global sl_store* y, int yOff, int C, int H, int W, int M, int OH,
                             int OW, int Cg, int Mg, int sh, int sw, int dh, int dw, int pt,
                             int pl, float alpha, float beta) {
    const int p = get_global_id(0);
    const int m = get_global_id(1);
    const int n = get_global_id(2);
    if (p >= OH * OW) return;
    const int oy = p / OW;
    const int ox = p - oy * OW;
    const int g = m / Mg;
    const int mg = m - g * Mg;
    float acc = 0.0f;
    for (int ci = 0; ci < Cg; ++ci) {
        const int c = g * Cg + ci;
        __global const sl_store* xc = x + xOff + (n * C + c) * H * W;
        __global const sl_store* wc = w + wOff + (c * Mg + mg) * KH * KW;
#pragma unroll
        for (int ky = 0; ky < KH; ++ky) {
            const int ty = oy + pt - ky * dh;
            if (ty < 0 || ty % sh != 0 || ty / sh >= H) continue;
            const int iy = ty / sh;
#pragma unroll
            for (int kx = 0; kx < KW; ++kx) {
                const int tx = ox + pl - kx * dw;
                if (tx < 0 || tx % sw != 0 || tx / sw >= W) continue;
                acc = fma(SL_LD(xc, iy * W + tx / sw), SL_LD(wc, ky * KW + kx), acc);
            }
        }
    }
    const float v = acc + SL_BIAS(m);
    SL_ST(y, yOff + (n * M + m) * OH * OW + p, ACTIVATE(v, alpha, beta));
}
