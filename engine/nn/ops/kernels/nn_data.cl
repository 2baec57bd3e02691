// Data movement by element size (T = uchar/ushort/uint/ulong, set by the host): any dtype moves
// as its bytes. Host: enqueueCopyNd in nn/ops/op_util.cpp (Concat, Split, Slice, Transpose),
// gather_cl.cpp, pad_cl.cpp, cast_cl.cpp.

#ifndef T
#define T uint
#endif
// SL_CAT (nn_common.cl, prepended) pastes after expansion: uint16 when T is uint.
#define SL_T16 SL_CAT(T, 16)

// dst[dOff + nd(i, dStride)] = src[sOff + nd(i, sStride)] over `shape` (8 dims, leading 1s).
// gid0 takes a run of COPY_RUN elements of the innermost dim, gid1 the next dim; gid2 enumerates
// the outer dims (one index decomposition per work-item, none per element). A flat version with
// a full decomposition per element ran at ~50 ns/element on PoCL, one element per work-item ~6.
// tile = 1 (the host's choice for transposes: destination rows contiguous, source columns
// contiguous, sStride.s6 == 1): gid1 takes 16 rows too, and a work-item moves a 16 x 16 tile
// with 16 vector loads and 16 vector stores instead of 16 rows of 16 gathered elements, each
// from another cache line (YOLOX's final [85 x 3549] -> [3549 x 85]).
#define COPY_RUN 16
__kernel void copy_nd(__global const T* src, int sOff, __global T* dst, int dOff, int8 shape,
                      int8 sStride, int8 dStride, int tile) {
    const int i0 = get_global_id(0) * COPY_RUN;
    const int i1 = get_global_id(1) * (tile ? COPY_RUN : 1);
    const int i2 = get_global_id(2);
    if (i0 >= shape.s7 || i1 >= shape.s6) return;
    int8 outer = shape;
    outer.s6 = 1;
    outer.s7 = 1;
    if (tile) {
        __global const T* s = src + sOff + nd_offset(i2, outer, sStride) + i1;
        __global T* d = dst + dOff + nd_offset(i2, outer, dStride) + i0;
        const int ss = sStride.s7, ds = dStride.s6;
        if (i0 + COPY_RUN <= shape.s7 && i1 + COPY_RUN <= shape.s6) {
            T t[COPY_RUN][COPY_RUN];   // t[b][a] = source column i0 + a, element i1 + b
            for (int a = 0; a < COPY_RUN; ++a) {
                const SL_T16 v = vload16(0, s + (i0 + a) * ss);
                T u[COPY_RUN];
                vstore16(v, 0, u);
                for (int b = 0; b < COPY_RUN; ++b) t[b][a] = u[b];
            }
            for (int b = 0; b < COPY_RUN; ++b) vstore16(vload16(0, t[b]), 0, d + (i1 + b) * ds);
            return;
        }
        const int na = min(COPY_RUN, shape.s7 - i0), nb = min(COPY_RUN, shape.s6 - i1);
        for (int b = 0; b < nb; ++b)
            for (int a = 0; a < na; ++a) d[(i1 + b) * ds + a] = s[(i0 + a) * ss + b];
        return;
    }
    __global const T* s = src + sOff + nd_offset(i2, outer, sStride) + i1 * sStride.s6;
    __global T* d = dst + dOff + nd_offset(i2, outer, dStride) + i1 * dStride.s6;
    const int end = min(i0 + COPY_RUN, shape.s7);
    const int ss = sStride.s7, ds = dStride.s7;
    if (ds == 1 && end - i0 == COPY_RUN) {
        // Full runs into contiguous rows: vector loads for source strides 1 and 2 (YOLOX's Focus
        // slices). Stride 2 reads elements 0..30 of the run as [0..15].even and [15..30].odd, so
        // nothing past the run's last element is touched.
        if (ss == 1) {
            vstore16(vload16(0, s + i0), 0, d + i0);
            return;
        }
        if (ss == 2) {
            __global const T* p = s + 2 * i0;
            vstore16((SL_T16)(vload16(0, p).even, vload16(0, p + 15).odd), 0, d + i0);
            return;
        }
    }
    for (int i = i0; i < end; ++i) d[i * ds] = s[i * ss];
}

#ifndef IDX
#define IDX long
#endif

// y[o][j][i] = x[o][idx[j]][i] (negative indices from the end, out-of-range clamped).
__kernel void gather(__global const T* x, int xOff, __global const IDX* idx, int iOff,
                     __global T* y, int yOff, int outer, int axisLen, int nIdx, int inner) {
    const int g = get_global_id(0);
    if (g >= outer * nIdx * inner) return;
    const int i = g % inner;
    const int j = (g / inner) % nIdx;
    const int o = g / (inner * nIdx);
    int k = (int)idx[iOff + j];
    k = k < 0 ? k + axisLen : k;
    k = clamp(k, 0, axisLen - 1);
    y[yOff + g] = x[xOff + (o * axisLen + k) * inner + i];
}

#if defined(SRC) && defined(DST)
// Element-wise conversion; float -> integer truncates toward zero (C semantics, as the
// reference's static_cast), -> bool is (x != 0). SRC_HALF / DST_HALF: that side is half in
// memory (SRC/DST = half), read as float / written rounding to nearest even.
#ifdef SRC_HALF
#define SL_CAST_LD(p, i) vload_half((i), (p))
#define SL_CAST_SRC float
#else
#define SL_CAST_LD(p, i) ((p)[i])
#define SL_CAST_SRC SRC
#endif
__kernel void cast(__global const SRC* x, int xOff, __global DST* y, int yOff, int n) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const SL_CAST_SRC v = SL_CAST_LD(x, xOff + i);
#if defined(TO_BOOL)
    y[yOff + i] = v != (SL_CAST_SRC)0 ? 1 : 0;
#elif defined(DST_HALF)
    vstore_half_rte((float)v, yOff + i, y);
#else
    y[yOff + i] = (DST)v;
#endif
}
#endif

#ifndef PAD_MODE
#define PAD_MODE 0
#endif
// Source coordinate along one dim (component c), as source() in nn/ops/pad.cpp:
// 0 constant (outside -> fill), 1 reflect (period 2 (len - 1)), 2 edge (clamp).
#if PAD_MODE == 0
#define SL_PAD_SRC(s, len) inside = inside && s >= 0 && s < len
#elif PAD_MODE == 1
#define SL_PAD_SRC(s, len)                      \
    if (len == 1) {                             \
        s = 0;                                  \
    } else {                                    \
        const int p_ = 2 * (len - 1);           \
        s %= p_;                                \
        s += s < 0 ? p_ : 0;                    \
        s = s >= len ? p_ - s : s;              \
    }
#else
#define SL_PAD_SRC(s, len) s = clamp(s, 0, len - 1)
#endif
#define SL_PAD_STEP(c)                            \
    {                                             \
        const int q_ = i / outShape.c;            \
        int s_ = i - q_ * outShape.c - begin.c;   \
        i = q_;                                   \
        SL_PAD_SRC(s_, inShape.c);                \
        off += s_ * inStride.c;                   \
    }

__kernel void pad_nd(__global const T* x, int xOff, __global T* y, int yOff, int n,
                     int8 outShape, int8 inShape, int8 begin, int8 inStride, T fill,
                     __global const T* fillBuf, int fillOff) {
    const int g = get_global_id(0);
    if (g >= n) return;
    int i = g;
    int off = 0;
    bool inside = true;
    SL_PAD_STEP(s7) SL_PAD_STEP(s6) SL_PAD_STEP(s5) SL_PAD_STEP(s4)
    SL_PAD_STEP(s3) SL_PAD_STEP(s2) SL_PAD_STEP(s1) SL_PAD_STEP(s0)
    if (inside) y[yOff + g] = x[xOff + off];
    else y[yOff + g] = fillBuf ? fillBuf[fillOff] : fill;   // computed constant_value
}
