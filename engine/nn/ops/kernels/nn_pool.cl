// Pooling kernels (host: nn/ops/pool_cl.cpp; reference: pool.cpp, same loop order).

#ifndef POOL_MAX
#define POOL_MAX 1
#endif
#ifndef INCLUDE_PAD
#define INCLUDE_PAD 0
#endif

// One output per work-item (gid0 = ox, gid1 = oy, gid2 = n * C + c).
__kernel void pool2d(__global const sl_store* x, int xOff, __global sl_store* y, int yOff, int H, int W,
                     int OH, int OW, int KH, int KW, int sh, int sw, int dh, int dw, int pt,
                     int pl, int pb, int pr) {
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const int nc = get_global_id(2);
    if (ox >= OW || oy >= OH) return;
    __global const sl_store* xc = x + xOff + nc * H * W;
    float acc = POOL_MAX ? -INFINITY : 0.0f;
    int valid = 0, padded = 0;
    for (int ky = 0; ky < KH; ++ky) {
        const int iy = oy * sh - pt + ky * dh;
        const bool yInPad = iy >= -pt && iy < H + pb;
        const bool yIn = iy >= 0 && iy < H;
        for (int kx = 0; kx < KW; ++kx) {
            const int ix = ox * sw - pl + kx * dw;
            padded += (yInPad && ix >= -pl && ix < W + pr) ? 1 : 0;
            const bool in = yIn && ix >= 0 && ix < W;
            const float v = SL_LD(xc, in ? iy * W + ix : 0);
#if POOL_MAX
            acc = in ? fmax(acc, v) : acc;
#else
            acc += in ? v : 0.0f;
#endif
            valid += in ? 1 : 0;
        }
    }
#if !POOL_MAX
    acc /= (float)(INCLUDE_PAD ? padded : max(valid, 1));
#endif
    SL_ST(y, yOff + (nc * OH + oy) * OW + ox, acc);
}

// Global pool: one (n, c) plane of `len` elements per work-item.
__kernel void global_pool(__global const sl_store* x, int xOff, __global sl_store* y, int yOff, int nc,
                          int len) {
    const int i = get_global_id(0);
    if (i >= nc) return;
    __global const sl_store* p = x + xOff + i * len;
    float acc = POOL_MAX ? -INFINITY : 0.0f;
    for (int j = 0; j < len; ++j) acc = POOL_MAX ? fmax(acc, SL_LD(p, j)) : acc + SL_LD(p, j);
    SL_ST(y, yOff + i, POOL_MAX ? acc : acc / (float)len);
}

// Separable max pool (max is exact in any order): pool_rows takes the horizontal window maxima
// of every input row into tmp (N*C x H x OW), pool_cols the vertical maxima of those. k5/9/13
// (YOLOX's SPP) cost KH + KW reads per output instead of KH * KW. A window with no input
// element gives -INFINITY, as in the one-pass kernel.
__kernel void pool_rows(__global const sl_store* x, int xOff, __global float* tmp, int H, int W,
                        int OW, int KW, int sw, int dw, int pl) {
    const int ox = get_global_id(0);
    const int iy = get_global_id(1);
    const int nc = get_global_id(2);
    if (ox >= OW || iy >= H) return;
    __global const sl_store* row = x + xOff + (nc * H + iy) * W;
    float acc = -INFINITY;
    for (int kx = 0; kx < KW; ++kx) {
        const int ix = ox * sw - pl + kx * dw;
        const bool in = ix >= 0 && ix < W;
        const float v = SL_LD(row, in ? ix : 0);
        acc = in ? fmax(acc, v) : acc;
    }
    tmp[(nc * H + iy) * OW + ox] = acc;
}

__kernel void pool_cols(__global const float* tmp, __global sl_store* y, int yOff, int H, int OH,
                        int OW, int KH, int sh, int dh, int pt) {
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const int nc = get_global_id(2);
    if (ox >= OW || oy >= OH) return;
    __global const float* col = tmp + nc * H * OW + ox;
    float acc = -INFINITY;
    for (int ky = 0; ky < KH; ++ky) {
        const int iy = oy * sh - pt + ky * dh;
        const bool in = iy >= 0 && iy < H;
        const float v = col[(in ? iy : 0) * OW];
        acc = in ? fmax(acc, v) : acc;
    }
    SL_ST(y, yOff + (nc * OH + oy) * OW + ox, acc);
}
