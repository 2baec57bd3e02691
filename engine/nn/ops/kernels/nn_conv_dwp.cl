// Depthwise convolution with the plane geometry compile-time (host side: nn/ops/conv_cl.cpp,
// Conv::Kernel::DepthwisePlane; reference: conv.cpp). In a file of its own because every layer
// shape is a separate program build: the build then compiles this kernel only, not the whole
// of nn_conv.cl. Storage through nn_common.cl's SL_* macros (float, or half with -DSL_FP16=1),
// fp32 arithmetic, the fused activation in the epilogue.

#ifndef VW
#define VW 16
#endif
#if VW == 16
#define VFLOAT float16
#define SL_VLD SL_LD16
#define SL_VST SL_ST16
#define VIOTA ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#else
#define VFLOAT float8
#define SL_VLD SL_LD8
#define SL_VST SL_ST8
#define VIOTA ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#endif
#ifndef ROWS
#define ROWS 1
#endif
#define SL_BIAS(m) (hasBias ? SL_LD(bias, bOff + (m)) : 0.0f)

// Depthwise with the plane geometry compile-time (Conv::Kernel::DepthwisePlane; the host passes
// DWP_IH, DWP_IW, DWP_OH, DWP_OW, DWP_PT, DWP_PL, KH, KW and SH == SW, 1 or 2; no dilation): one
// work-item = ROWS output rows x the whole row of one channel (gid0 = n * C + c, gid1 = band).
// The band's input rows are first staged in a private tile, as float, with the zero padding
// written in: every tap of every output vector is then one plain (unaligned) vector load, with
// no edge branches, lane shuffles or masks, and half storage converts each input once instead
// of once per tap. Stride 2 stages each padded row as its even and odd columns (E, O): tap kx
// of output ox is E (kx even) or O at ox + kx / 2, again one load. With the geometry constant
// the chunk and vector loops unroll and the row ends (partial loads, the moved-back last
// vector, a row narrower than VW stored in pieces) resolve at compile time.
// Measured on PoCL (2-core Zen 5, bench_ops --dw-sweep): YOLOX-Nano's depthwise layers 3-17
// GFLOP/s with conv_dw_rows, 8-47 with this kernel. PoCL gives every work-item of a group its
// own copy of the tile (objdump), hence the host's 32 KiB cap per tile.
// Sums per output: ky-major, kx-minor, then the bias (as conv_dw_rows: identical bits).
#ifdef DWP_IW
#define DWP_S SH
#define DWP_MAX(a, b) ((a) > (b) ? (a) : (b))
#define DWP_RUP(a) (((a) + VW - 1) / VW * VW)
#define DWP_NV ((DWP_OW + VW - 1) / VW)              // vectors per output row
#define DWP_LASTX (DWP_OW >= VW ? DWP_OW - VW : 0)   // first output of a row's last vector
#define DWP_OX(j) ((j) == DWP_NV - 1 ? DWP_LASTX : (j) * VW)
#define DWP_IR ((ROWS - 1) * DWP_S + KH)             // input rows of a band
#if VW == 16
#define DWP_REP4(q) ((float16)(q, q, q, q))
#define DWP_REP2(q) ((float16)(q, q, q, q, q, q, q, q))
#else
#define DWP_REP4(q) ((float8)(q, q))
#define DWP_REP2(q) ((float8)(q, q, q, q))
#endif
#if DWP_S == 1
// Tile row: input column ix at ix + PL; the last tap of the last vector reads column MAXC.
// NCH chunks of VW inputs are copied (those past IW as zeros) so that MAXC is written.
#define DWP_MAXC (DWP_LASTX + KW + VW - 2)
#define DWP_NCH DWP_MAX((DWP_IW + VW - 1) / VW, (DWP_MAXC - DWP_PL) / VW + 1)
#define DWP_TP DWP_RUP(DWP_MAX(VW, DWP_PL + DWP_NCH * VW))
#else
// E[i] = padded column 2i = input 2i - PL, O[i] = input 2i + 1 - PL; reads up to index MAXI.
// A chunk of 2 VW inputs fills VW entries of each; the first entry a chunk writes is
// VW * q + PL / 2 or (PL + 1) / 2.
#define DWP_MAXI (DWP_LASTX + VW - 1 + (KW - 1) / 2)
#define DWP_NCH DWP_MAX((DWP_IW + 2 * VW - 1) / (2 * VW), (DWP_MAXI - DWP_PL / 2) / VW + 1)
#define DWP_TP DWP_RUP(DWP_MAX(VW, (DWP_PL + 1) / 2 + DWP_NCH * VW))
#endif

// Whole-vector accesses through element-aligned vector types: one (unaligned) instruction each,
// where PoCL's vload16 / vstore16 split 16 lanes into 4 + 4 + 8 (objdump of the built kernel).
typedef VFLOAT __attribute__((aligned(4))) dwp_vf;
#define DWP_TLD(p) (*(const dwp_vf*)(p))
#define DWP_TST(p, v) (*(dwp_vf*)(p) = (v))
#if SL_FP16 && SL_FP16_SOFT
#if VW == 16
typedef ushort16 __attribute__((aligned(2))) dwp_vh;
#define DWP_H2F sl_h2f16
#define DWP_F2H sl_f2h16
#else
typedef ushort8 __attribute__((aligned(2))) dwp_vh;
#define DWP_H2F sl_h2f8
#define DWP_F2H sl_f2h8
#endif
#define DWP_VLD(p) DWP_H2F(*(__global const dwp_vh*)(p))
#define DWP_VST(p, v) (*(__global dwp_vh*)(p) = DWP_F2H(v))
#elif SL_FP16
#define DWP_VLD SL_VLD
#define DWP_VST SL_VST
#else
#define DWP_VLD(p) (*(__global const dwp_vf*)(p))
#define DWP_VST(p, v) (*(__global dwp_vf*)(p) = (v))
#endif

// n (a compile-time constant once inlined and unrolled) inputs from p, zeros after them; in
// power-of-two pieces, each placed by a constant-mask select (a blend).
SL_INLINE VFLOAT dwp_load(__global const sl_store* p, int n) {
    if (n >= VW) return DWP_VLD(p);
    VFLOAT r = (VFLOAT)(0.0f);
    if (n <= 0) return r;
    int o = 0;
#if VW == 16
    if (n & 8) {
        const float8 q = SL_LD8(p);
        r = (float16)(q, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f);
        o = 8;
    }
#endif
    if (n & 4) {
        const float4 q = SL_LD4(p + o);
        r = select(r, DWP_REP4(q), (VIOTA >= o) & (VIOTA < o + 4));
        o += 4;
    }
    if (n & 2) {
        const float2 q = (float2)(SL_LD(p, o), SL_LD(p, o + 1));
        r = select(r, DWP_REP2(q), (VIOTA >= o) & (VIOTA < o + 2));
        o += 2;
    }
    if (n & 1) r = select(r, (VFLOAT)(SL_LD(p, o)), VIOTA == o);
    return r;
}

// Stores the first n (constant, < VW) lanes of v at p, in power-of-two pieces.
SL_INLINE void dwp_store(__global sl_store* p, VFLOAT v, int n) {
    int o = 0;
#if VW == 16
    const float8 h8 = (n & 8) ? v.hi : v.lo;
    if (n & 8) {
        SL_ST8(p, v.lo);
        o = 8;
    }
#else
    const float8 h8 = v;
#endif
    const float4 h4 = (n & 4) ? h8.hi : h8.lo;
    if (n & 4) {
        SL_ST4(p + o, h8.lo);
        o += 4;
    }
    const float2 h2 = (n & 2) ? h4.hi : h4.lo;
    if (n & 2) {
        SL_ST(p, o, h4.s0);
        SL_ST(p, o + 1, h4.s1);
        o += 2;
    }
    if (n & 1) SL_ST(p, o, h2.s0);
}

__kernel void conv_dw_plane(__global const sl_store* x, int xOff, __global const sl_store* w,
                            int wOff, __global const sl_store* bias, int bOff, int hasBias,
                            __global sl_store* y, int yOff, int C, int H, int W, int OH, int OW,
                            int sh, int sw, int dh, int dw, int pt, int pl, float alpha,
                            float beta) {
    const int nc = get_global_id(0);
    const int oy0 = get_global_id(1) * ROWS;
    if (oy0 >= DWP_OH) return;
    const int c = nc % C;
    __global const sl_store* xc = x + xOff + nc * (DWP_IH * DWP_IW);
    __global const sl_store* wc = w + wOff + c * KH * KW;
    float wk[KH * KW];
    for (int i = 0; i < KH * KW; ++i) wk[i] = SL_LD(wc, i);

    float tile[DWP_IR * DWP_S * DWP_TP];
    const int iy0 = oy0 * DWP_S - DWP_PT;
    for (int i = 0; i < DWP_IR; ++i) {
        const int iy = iy0 + i;
        float* t = tile + i * DWP_S * DWP_TP;
        if (iy < 0 || iy >= DWP_IH) {
#pragma unroll
            for (int q = 0; q < DWP_S * DWP_TP / VW; ++q) DWP_TST(t + q * VW, (VFLOAT)(0.0f));
            continue;
        }
        __global const sl_store* row = xc + iy * DWP_IW;
#if DWP_S == 1
        DWP_TST(t, (VFLOAT)(0.0f));   // the left padding; inputs overwrite lanes PL on
#pragma unroll
        for (int q = 0; q < DWP_NCH; ++q)
            DWP_TST(t + DWP_PL + q * VW, dwp_load(row + q * VW, DWP_IW - q * VW));
#else
        DWP_TST(t, (VFLOAT)(0.0f));
        DWP_TST(t + DWP_TP, (VFLOAT)(0.0f));
#pragma unroll
        for (int q = 0; q < DWP_NCH; ++q) {
            const VFLOAT a = dwp_load(row + 2 * q * VW, DWP_IW - 2 * q * VW);
            const VFLOAT b = dwp_load(row + 2 * q * VW + VW, DWP_IW - 2 * q * VW - VW);
            const VFLOAT ev = (VFLOAT)(a.even, b.even), od = (VFLOAT)(a.odd, b.odd);
#if DWP_PL % 2 == 0
            DWP_TST(t + DWP_PL / 2 + q * VW, ev);
            DWP_TST(t + DWP_TP + DWP_PL / 2 + q * VW, od);
#else
            DWP_TST(t + DWP_TP + (DWP_PL - 1) / 2 + q * VW, ev);
            DWP_TST(t + (DWP_PL + 1) / 2 + q * VW, od);
#endif
        }
#endif
    }

    const float b = SL_BIAS(c);
    for (int r = 0; r < ROWS; ++r) {
        if (oy0 + r >= DWP_OH) break;
        VFLOAT acc[DWP_NV];
#pragma unroll
        for (int j = 0; j < DWP_NV; ++j) acc[j] = (VFLOAT)(0.0f);
#pragma unroll
        for (int ky = 0; ky < KH; ++ky)
#pragma unroll
            for (int kx = 0; kx < KW; ++kx) {
                const VFLOAT wv = (VFLOAT)(wk[ky * KW + kx]);
#if DWP_S == 1
                const float* t = tile + (r + ky) * DWP_TP;
                const int c0 = kx;
#else
                const float* t = tile + ((2 * r + ky) * 2 + (kx & 1)) * DWP_TP;
                const int c0 = kx / 2;
#endif
#pragma unroll
                for (int j = 0; j < DWP_NV; ++j)
                    acc[j] = fma(wv, DWP_TLD(t + c0 + DWP_OX(j)), acc[j]);
            }
        __global sl_store* yr = y + yOff + (nc * DWP_OH + oy0 + r) * DWP_OW;
#pragma unroll
        for (int j = 0; j < DWP_NV; ++j) {
            const VFLOAT v = acc[j] + b;
#if DWP_OW < VW
            dwp_store(yr, FAST_ACTIVATE(v, alpha, beta, VW), DWP_OW);
#else
            DWP_VST(yr + DWP_OX(j), FAST_ACTIVATE(v, alpha, beta, VW));
#endif
        }
    }
}
#endif  // DWP_IW
