// Convolution kernels (host side: nn/ops/conv_cl.cpp; reference: conv.cpp). All take element
// offsets into their buffers, a bias that may be absent (hasBias = 0) and apply the fused
// activation ACT (nn_common.cl) in the epilogue. COB = output channels per work-item (register
// block); KH/KW are compile-time so the tap loops unroll.

#ifndef COB
#define COB 4
#endif
#ifndef KH
#define KH 1
#endif
#ifndef KW
#define KW 1
#endif

#define SL_BIAS(m) (hasBias ? bias[bOff + (m)] : 0.0f)

// 1x1, stride 1, no padding, group 1: Y[n][m][p] = sum_k W[m][k] * X[n][k][p] (a GEMM with
// M = out channels, N = pixels, K = in channels). One work-item: one pixel x COB channels;
// neighbouring work-items take neighbouring pixels, so a work-group vectoriser (PoCL) turns the
// X loads into contiguous vector loads and W into broadcasts. Out-of-range pixels compute on a
// clamped pixel and do not store (no divergent early exit).
__kernel void conv1x1(__global const float* x, int xOff, __global const float* w, int wOff,
                      __global const float* bias, int bOff, int hasBias, __global float* y,
                      int yOff, int K, int P, int M, float alpha, float beta) {
    const int p = get_global_id(0);
    const int m0 = get_global_id(1) * COB;
    const int n = get_global_id(2);
    const int pc = min(p, P - 1);
    __global const float* xp = x + xOff + n * K * P + pc;
    __global const float* wp = w + wOff + m0 * K;
    float acc[COB];
    for (int j = 0; j < COB; ++j) acc[j] = 0.0f;
    for (int k = 0; k < K; ++k) {
        const float xv = xp[k * P];
        for (int j = 0; j < COB; ++j) acc[j] = fma(wp[j * K + k], xv, acc[j]);
    }
    if (p < P) {
        __global float* yp = y + yOff + (n * M + m0) * P + p;
        for (int j = 0; j < COB; ++j) {
            const float v = acc[j] + SL_BIAS(m0 + j);
            yp[j * P] = ACTIVATE(v, alpha, beta);
        }
    }
}

// The same GEMM with explicit float8 vectors: one work-item = 8 pixels x COB channels (COB x 8
// register block), for devices where explicit SIMD beats work-group vectorisation. The last
// partial block of a row takes a scalar path.
__kernel void conv1x1_v8(__global const float* x, int xOff, __global const float* w, int wOff,
                         __global const float* bias, int bOff, int hasBias, __global float* y,
                         int yOff, int K, int P, int M, float alpha, float beta) {
    const int p = get_global_id(0) * 8;
    const int m0 = get_global_id(1) * COB;
    const int n = get_global_id(2);
    if (p >= P) return;
    __global const float* xp = x + xOff + n * K * P + p;
    __global const float* wp = w + wOff + m0 * K;
    __global float* yp = y + yOff + (n * M + m0) * P + p;
    if (p + 8 <= P) {
        float8 acc[COB];
        for (int j = 0; j < COB; ++j) acc[j] = (float8)(0.0f);
        for (int k = 0; k < K; ++k) {
            const float8 xv = vload8(0, xp + k * P);
            for (int j = 0; j < COB; ++j) acc[j] = fma((float8)(wp[j * K + k]), xv, acc[j]);
        }
        for (int j = 0; j < COB; ++j) {
            const float8 v = acc[j] + SL_BIAS(m0 + j);
            vstore8(ACTIVATE(v, alpha, beta), 0, yp + j * P);
        }
    } else {
        for (int q = 0; q < P - p; ++q)
            for (int j = 0; j < COB; ++j) {
                float a = 0.0f;
                for (int k = 0; k < K; ++k) a = fma(wp[j * K + k], xp[k * P + q], a);
                const float v = a + SL_BIAS(m0 + j);
                yp[j * P + q] = ACTIVATE(v, alpha, beta);
            }
    }
}

// Depthwise (group == C == M): one work-item per output pixel of one channel (gid2 = n * C + c).
__kernel void conv_dw(__global const float* x, int xOff, __global const float* w, int wOff,
                      __global const float* bias, int bOff, int hasBias, __global float* y,
                      int yOff, int C, int H, int W, int OH, int OW, int sh, int sw, int dh, int dw,
                      int pt, int pl, float alpha, float beta) {
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const int nc = get_global_id(2);
    if (ox >= OW || oy >= OH) return;
    const int c = nc % C;
    __global const float* xc = x + xOff + nc * H * W;
    __global const float* wc = w + wOff + c * KH * KW;
    float acc = 0.0f;
    for (int ky = 0; ky < KH; ++ky) {
        const int iy = oy * sh - pt + ky * dh;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < KW; ++kx) {
            const int ix = ox * sw - pl + kx * dw;
            const bool in = ix >= 0 && ix < W;
            const float xv = xc[iy * W + (in ? ix : 0)];
            acc = fma(wc[ky * KW + kx], in ? xv : 0.0f, acc);
        }
    }
    const float v = acc + SL_BIAS(c);
    y[yOff + (nc * OH + oy) * OW + ox] = ACTIVATE(v, alpha, beta);
}

// General conv as a direct implicit GEMM: one work-item = one output pixel x COB output channels
// of one group (COB divides the channels per group), looping over Cg input channels x KH x KW.
__kernel void conv_direct(__global const float* x, int xOff, __global const float* w, int wOff,
                          __global const float* bias, int bOff, int hasBias, __global float* y,
                          int yOff, int C, int H, int W, int M, int OH, int OW, int Cg, int Mg,
                          int sh, int sw, int dh, int dw, int pt, int pl, float alpha,
                          float beta) {
    const int p = get_global_id(0);
    const int m0 = get_global_id(1) * COB;
    const int n = get_global_id(2);
    const int P = OH * OW;
    const int pc = min(p, P - 1);
    const int oy = pc / OW;
    const int ox = pc - oy * OW;
    const int g = m0 / Mg;
    __global const float* xg = x + xOff + (n * C + g * Cg) * H * W;
    __global const float* wg = w + wOff + m0 * Cg * KH * KW;
    const int wStride = Cg * KH * KW;
    const int iy0 = oy * sh - pt;
    const int ix0 = ox * sw - pl;
    float acc[COB];
    for (int j = 0; j < COB; ++j) acc[j] = 0.0f;
    for (int ci = 0; ci < Cg; ++ci) {
        __global const float* xc = xg + ci * H * W;
        __global const float* wc = wg + ci * KH * KW;
        for (int ky = 0; ky < KH; ++ky) {
            const int iy = iy0 + ky * dh;
            const bool iny = iy >= 0 && iy < H;
            for (int kx = 0; kx < KW; ++kx) {
                const int ix = ix0 + kx * dw;
                const bool in = iny && ix >= 0 && ix < W;
                const float xv = xc[in ? iy * W + ix : 0];
                const float xs = in ? xv : 0.0f;
                for (int j = 0; j < COB; ++j)
                    acc[j] = fma(wc[j * wStride + ky * KW + kx], xs, acc[j]);
            }
        }
    }
    if (p < P) {
        __global float* yp = y + yOff + (n * M + m0) * P + p;
        for (int j = 0; j < COB; ++j) {
            const float v = acc[j] + SL_BIAS(m0 + j);
            yp[j * P] = ACTIVATE(v, alpha, beta);
        }
    }
}

// Transposed conv in gather form: output (n, m, oy, ox) sums x(c, iy, ix) * W[c][m % Mg][ky][kx]
// over the group's input channels and the taps with oy = iy * sh - pt + ky * dh (likewise x).
__kernel void conv_transpose(__global const float* x, int xOff, __global const float* w, int wOff,
                             __global const float* bias, int bOff, int hasBias,
                             __global float* y, int yOff, int C, int H, int W, int M, int OH,
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
        __global const float* xc = x + xOff + (n * C + c) * H * W;
        __global const float* wc = w + wOff + (c * Mg + mg) * KH * KW;
        for (int ky = 0; ky < KH; ++ky) {
            const int ty = oy + pt - ky * dh;
            if (ty < 0 || ty % sh != 0 || ty / sh >= H) continue;
            const int iy = ty / sh;
            for (int kx = 0; kx < KW; ++kx) {
                const int tx = ox + pl - kx * dw;
                if (tx < 0 || tx % sw != 0 || tx / sw >= W) continue;
                acc = fma(xc[iy * W + tx / sw], wc[ky * KW + kx], acc);
            }
        }
    }
    const float v = acc + SL_BIAS(m);
    y[yOff + (n * M + m) * OH * OW + p] = ACTIVATE(v, alpha, beta);
}
