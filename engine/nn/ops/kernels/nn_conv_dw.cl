// Depthwise convolution without partial blocks (host side: nn/ops/conv_cl.cpp,
// Conv::Kernel::DepthwiseFull; reference: conv.cpp). conv_dw_rows of nn_conv.cl, except that a
// row's last block, when it would run past OW, moves back to end at OW: it recomputes a few of
// its neighbour's outputs (the same sums in the same order: identical bits) and stores whole
// vectors, instead of staging a partial vector through private memory and storing it lane by
// lane (PoCL keeps that array on the stack). YOLOX's 13, 26, 52 and 104 wide rows all end in a
// partial 8- or 16-wide block. The host uses it only when OW >= VW.

#ifndef COB
#define COB 1
#endif
#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif
#ifndef SW
#define SW 1
#endif
#ifndef SH
#define SH 1
#endif
#ifndef DH
#define DH 1
#endif
#ifndef ROWS
#define ROWS 1
#endif
#ifndef VW
#define VW 16
#endif
#if VW == 16
#define VFLOAT float16
#define VLOAD vload16
#define SL_VLD SL_LD16
#define SL_VST SL_ST16
#define VINT int16
#define VUINT uint16
#define AS_VUINT as_uint16
#define VIOTA ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#else
#define VFLOAT float8
#define VLOAD vload8
#define SL_VLD SL_LD8
#define SL_VST SL_ST8
#define VINT int8
#define VUINT uint8
#define AS_VUINT as_uint8
#define VIOTA ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#endif

// Storage through nn_common.cl's SL_* macros (float, or half with -DSL_FP16=1); fp32 arithmetic.
#define SL_BIAS(m) (hasBias ? SL_LD(bias, bOff + (m)) : 0.0f)

// load_row of nn_conv.cl: VW samples of one row at ix0, ix0 + SW, ..., zero outside [0, W).
SL_INLINE VFLOAT dwf_load_row(__global const sl_store* row, int ix0, int W) {
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


__kernel void conv_dw_full(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                           __global const sl_store* bias, int bOff, int hasBias,
                           __global sl_store* y, int yOff, int C, int H, int W, int OH, int OW,
                           int sh, int sw, int dh, int dw, int pt, int pl, float alpha,
                           float beta) {
    int ox0 = get_global_id(0) * VW;
    const int oy0 = get_global_id(1) * ROWS;
    const int nc = get_global_id(2);
    if (ox0 >= OW || oy0 >= OH) return;
    if (ox0 + VW > OW) ox0 = OW - VW;   // the host guarantees OW >= VW
    const int c = nc % C;
    __global const sl_store* xc = x + xOff + nc * H * W;
    __global const sl_store* wc = w + wOff + c * KH * KW;
    const int ix0 = ox0 * SW - pl;
    float wk[KH * KW];
    for (int i = 0; i < KH * KW; ++i) wk[i] = SL_LD(wc, i);
    VFLOAT acc[ROWS];
    for (int r = 0; r < ROWS; ++r) acc[r] = (VFLOAT)(0.0f);
    const int iy0 = oy0 * SH - pt;
    for (int i = 0; i < (ROWS - 1) * SH + (KH - 1) * DH + 1; ++i) {
        const int iy = iy0 + i;
        if (iy < 0 || iy >= H) continue;
        __global const sl_store* row = xc + iy * W;
        VFLOAT xv[KW];
        for (int kx = 0; kx < KW; ++kx) xv[kx] = dwf_load_row(row, ix0 + kx * dw, W);
        for (int r = 0; r < ROWS; ++r) {
            const int t = i - r * SH;   // ky * DH for the output row r this input row feeds
            if (t < 0 || t % DH != 0 || t / DH >= KH) continue;
            const int ky = t / DH;
            for (int kx = 0; kx < KW; ++kx)
                acc[r] = fma((VFLOAT)(wk[ky * KW + kx]), xv[kx], acc[r]);
        }
    }
    const float b = SL_BIAS(c);
    for (int r = 0; r < ROWS; ++r) {
        if (oy0 + r >= OH) break;
        const VFLOAT v = acc[r] + b;
        SL_VST(y + yOff + (nc * OH + oy0 + r) * OW + ox0, ACTIVATE(v, alpha, beta));
    }
}
