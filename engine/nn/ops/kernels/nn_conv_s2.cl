// Dense stride-2 convolution with one input window per row (host side: nn/ops/conv_cl.cpp,
// Conv::Kernel::DirectS2; reference: conv.cpp). Same contract as conv_direct in nn_conv.cl
// (element offsets, optional bias, fused activation ACT, COB output channels x 16 outputs of
// one row per work-item), for group-1 layers with strides 2x2, no dilation and KW <= 8: the
// YOLOX stem after the Focus fold (6x6, 3 -> 16 channels at 208x208).
// conv_direct loads each tap's 16 stride-2 samples as two unaligned 16-wide vectors (12 loads
// per 6-tap row, most splitting cache lines with float storage); here a row's 48-sample window
// is loaded once (3 vectors), split into even and odd samples, and tap kx is the even (kx even)
// or odd run shifted by kx / 2 lanes: register shuffles instead of loads (bench_ops, stem layer,
// PoCL 2 cores: 1.82 -> 1.18 ms with 16 channels per work-item; float taps broadcast from the
// weights instead of a private copy: another 10%, A/B interleaved in one process). Each output sums its
// taps in conv_direct's order (input channel, ky, kx). The host uses it only when OW >= 16 and
// W >= 16: a row's last block moves back to end at OW (identical sums, whole-vector stores).

#ifndef COB
#define COB 8
#endif
#ifndef KH
#define KH 6
#endif
#ifndef KW
#define KW 6
#endif

#define S2_IOTA ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#define S2_BIAS(m) (hasBias ? SL_LD(bias, bOff + (m)) : 0.0f)

// Samples s .. s + 15 of a row, zero outside [0, W) (W >= 16): interior blocks are one vector
// load; edge blocks load the nearest in-row window and move lanes with a shuffle.
SL_INLINE float16 s2_load16(__global const sl_store* row, int s, int W) {
    if (s >= 0 && s + 16 <= W) return SL_LD16(row + s);
    const int b = clamp(s, 0, W - 16);
    const int16 j = S2_IOTA + (s - b);
    const float16 v = shuffle(SL_LD16(row + b), as_uint16(clamp(j, 0, 15)));
    return select((float16)(0.0f), v, (j >= 0) & (j < 16));
}

// Lanes t .. t + 15 of (lo, hi), t <= 3: component swizzles (plain vector shuffles to the
// compiler; the shuffle2 builtin with computed masks was slower on PoCL).
SL_INLINE float16 s2_shift(float16 lo, float8 hi, int t) {
    if (t == 1) return (float16)(lo.s1234, lo.s5678, lo.s9abc, lo.sdef, hi.s0);
    if (t == 2) return (float16)(lo.s2345, lo.s6789, lo.sabcd, lo.sef, hi.s01);
    if (t == 3) return (float16)(lo.s3456, lo.s789a, lo.sbcde, lo.sf, hi.s012);
    return lo;
}

__kernel void conv_s2_win(__global const sl_store* x, int xOff, __global const sl_store* w,
                          int wOff, __global const sl_store* bias, int bOff, int hasBias,
                          __global sl_store* y, int yOff, int C, int H, int W, int M, int OH,
                          int OW, int Cg, int Mg, int sh, int sw, int dh, int dw, int pt, int pl,
                          float alpha, float beta) {
    int ox0 = get_global_id(0) * 16;
    const int oy = get_global_id(1);
    const int blocks = M / COB;
    const int n = get_global_id(2) / blocks;
    const int m0 = (get_global_id(2) - n * blocks) * COB;
    if (ox0 >= OW || oy >= OH) return;
    if (ox0 + 16 > OW) ox0 = OW - 16;   // the host guarantees OW >= 16
    const int g = m0 / Mg;
    __global const sl_store* xg = x + xOff + (n * C + g * Cg) * H * W;
    const int wStride = Cg * KH * KW;
    __global const sl_store* wg = w + wOff + m0 * wStride;
    const int ix0 = ox0 * 2 - pl;
    float16 acc[COB];
#pragma unroll
    for (int j = 0; j < COB; ++j) acc[j] = (float16)(0.0f);
    for (int ci = 0; ci < Cg; ++ci) {
        __global const sl_store* xc = xg + ci * H * W;
        __global const sl_store* wc = wg + ci * KH * KW;
#if SL_FP16
        // Half storage: each tap converted once per work-item into private memory, 4 at a time.
        float wl[COB * KH * KW];
        for (int j = 0; j < COB; ++j) {
            int t = 0;
            for (; t + 4 <= KH * KW; t += 4)
                vstore4(SL_LD4(wc + j * wStride + t), 0, wl + j * KH * KW + t);
            for (; t < KH * KW; ++t) wl[j * KH * KW + t] = SL_LD(wc, j * wStride + t);
        }
#define S2_TAP(j, t) wl[(j) * KH * KW + (t)]
#else
        // Float storage: taps broadcast straight from the (cached) weights; a private copy cost
        // a load and a store per tap per work-item, as many memory operations as FMAs.
#define S2_TAP(j, t) wc[(j) * wStride + (t)]
#endif
        for (int ky = 0; ky < KH; ++ky) {
            const int iy = oy * 2 - pt + ky;
            if (iy < 0 || iy >= H) continue;
            __global const sl_store* row = xc + iy * W;
            const float16 v0 = s2_load16(row, ix0, W);
            const float16 v1 = s2_load16(row, ix0 + 16, W);
            // Samples 32..47: only taps past the first two reach them.
            const float16 v2 = KW > 2 ? s2_load16(row, ix0 + 32, W) : (float16)(0.0f);
            // Even samples ix0 + 2i (i = 0..23) and odd ones ix0 + 2i + 1: lanes 0..15 in lo,
            // 16..23 in the first half of hi.
            const float16 eLo = (float16)(v0.even, v1.even), oLo = (float16)(v0.odd, v1.odd);
            const float8 eHi = v2.even, oHi = v2.odd;
#pragma unroll
            for (int kx = 0; kx < KW; ++kx) {
                const float16 xv = kx % 2 ? s2_shift(oLo, oHi, kx / 2) : s2_shift(eLo, eHi, kx / 2);
#pragma unroll
                for (int j = 0; j < COB; ++j)
                    acc[j] = fma((float16)(S2_TAP(j, ky * KW + kx)), xv, acc[j]);
            }
        }
    }
    __global sl_store* yp = y + yOff + ((n * M + m0) * OH + oy) * OW + ox0;
#pragma unroll
    for (int j = 0; j < COB; ++j) {
        const float16 v = acc[j] + S2_BIAS(m0 + j);
        SL_ST16(yp + j * OH * OW, FAST_ACTIVATE(v, alpha, beta, 16));
    }
}
