// 1x1 convolution (pointwise GEMM) with a two-vector pixel block (host side: nn/ops/conv_cl.cpp,
// Conv::Kernel::Gemm1x1Wide; reference: conv.cpp). Same contract as conv1x1_vec in nn_conv.cl
// (element offsets, optional bias, fused activation ACT), but one work-item computes 2 x VW
// pixels x COB channels: every broadcast weight feeds two vector FMAs, so a step of k issues
// 2 vector loads + COB broadcasts for 2 x COB FMAs instead of 1 + COB for COB. On PoCL/x86 the
// 1x1 layers were load-bound (the 13x13 and 26x26 ones at 45-75 GFLOP/s with conv1x1_vec).
// The host uses it only when P >= 2 x VW: a partial last block moves back to end at P and
// recomputes a few of its neighbour's pixels (the same sums in the same order: identical bits).

#ifndef COB
#define COB 8
#endif
#ifndef VW
#define VW 16
#endif
#if VW == 16
#define PW_VFLOAT float16
#define PW_VLD SL_LD16
#define PW_VST SL_ST16
#else
#define PW_VFLOAT float8
#define PW_VLD SL_LD8
#define PW_VST SL_ST8
#endif

// Storage through nn_common.cl's SL_* macros (float, or half with -DSL_FP16=1); fp32 arithmetic.
#define PW_BIAS(m) (hasBias ? SL_LD(bias, bOff + (m)) : 0.0f)

__kernel void conv1x1_wide(__global const sl_store* x, int xOff, __global const sl_store* w, int wOff,
                           __global const sl_store* bias, int bOff, int hasBias, __global sl_store* y,
                           int yOff, int K, int P, int M, float alpha, float beta) {
    int p = get_global_id(0) * (2 * VW);
    const int m0 = get_global_id(1) * COB;
    const int n = get_global_id(2);
    if (p >= P || m0 >= M) return;   // the range is rounded up to whole work-groups
    if (p + 2 * VW > P) p = P - 2 * VW;
    __global const sl_store* xp = x + xOff + n * K * P + p;
    __global const sl_store* wp = w + wOff + m0 * K;
    __global sl_store* yp = y + yOff + (n * M + m0) * P + p;
    PW_VFLOAT a0[COB], a1[COB];
#pragma unroll
    for (int j = 0; j < COB; ++j) a0[j] = a1[j] = (PW_VFLOAT)(0.0f);
    int k = 0;
    // Four k steps per iteration, each channel's four weights as one vector (conv1x1_vec).
    for (; k + 4 <= K; k += 4) {
        PW_VFLOAT x0[4], x1[4];
#pragma unroll
        for (int q = 0; q < 4; ++q) {
            x0[q] = PW_VLD(xp + (k + q) * P);
            x1[q] = PW_VLD(xp + (k + q) * P + VW);
        }
#pragma unroll
        for (int j = 0; j < COB; ++j) {
            const float4 w4 = SL_LD4(wp + j * K + k);
            const float ws[4] = {w4.s0, w4.s1, w4.s2, w4.s3};
#pragma unroll
            for (int q = 0; q < 4; ++q) {
                a0[j] = fma((PW_VFLOAT)(ws[q]), x0[q], a0[j]);
                a1[j] = fma((PW_VFLOAT)(ws[q]), x1[q], a1[j]);
            }
        }
    }
    for (; k < K; ++k) {
        const PW_VFLOAT x0 = PW_VLD(xp + k * P);
        const PW_VFLOAT x1 = PW_VLD(xp + k * P + VW);
#pragma unroll
        for (int j = 0; j < COB; ++j) {
            const PW_VFLOAT wv = (PW_VFLOAT)(SL_LD(wp, j * K + k));
            a0[j] = fma(wv, x0, a0[j]);
            a1[j] = fma(wv, x1, a1[j]);
        }
    }
#pragma unroll
    for (int j = 0; j < COB; ++j) {
        const float b = PW_BIAS(m0 + j);
        PW_VST(yp + j * P, ACTIVATE(a0[j] + b, alpha, beta));
        PW_VST(yp + j * P + VW, ACTIVATE(a1[j] + b, alpha, beta));
    }
}

// 1x1 convolution as a register-blocked GEMM micro-kernel (host side: Conv::Kernel::Gemm1x1Blk;
// reference: conv.cpp). One work-item computes NV vectors of VW pixels x COB output channels:
// the host's blocks have 16-24 accumulators, so that they, the NV input vectors and a broadcast
// weight fit the 32 vector registers of AVX-512 (objdump of PoCL's build: no spills). The weights come packed by the host (Conv::packWeights):
// float32 whatever the storage, transposed to [K][M] so that the COB weights of one k are
// adjacent (each a broadcast from memory at a constant displacement: a load uop, no shuffle and
// no index arithmetic), then the M biases (zeros when the node has none).
// Before it, the 1x1 layers ran at 60-150 GFLOP/s on PoCL: conv1x1_vec's COB x VW accumulators
// lived in a stack array (its channel loop was not unrolled), and weights at stride K cost a
// sign-extended index per load. Every loop over the block is unrolled here by pragma.
// A partial last pixel block moves back to end at P and a partial last channel block moves back
// to end at M (the host only uses the kernel when P >= NV x VW and M >= COB): they recompute
// some of their neighbour's outputs with the same sums in the same order (identical bits).
#ifndef NV
#define NV 2
#endif

// SiLU and sigmoid epilogues through nn_common.cl's fast e^-v (SiLU layers 10-20% faster,
// same-run A/B on one core).
#define BLK_ACTIVATE(v, a, b) FAST_ACTIVATE(v, a, b, VW)

// fp32 stores through a vector type whose alignment the typedef lowers to a float's: one
// unaligned vector store. PoCL's vstore16/vstore8 came out as three (16 + 16 + 32 bytes), and
// the single store made the YOLOX 1x1 shapes 3-10% faster (same-run A/B, one core). Clang reads
// aligned() on a typedef as GCC does (it may lower the alignment); other compilers keep vstore.
#if !SL_FP16 && defined(__clang__)
typedef PW_VFLOAT __attribute__((aligned(4))) blk_vfloat_u;
#define BLK_VST(p, v) (*(__global blk_vfloat_u*)(p) = (v))
#else
#define BLK_VST PW_VST
#endif

__kernel void conv1x1_blk(__global const sl_store* x, int xOff, __global const float* wt,
                          __global sl_store* y, int yOff, int K, int P, int M, float alpha,
                          float beta) {
    int p = get_global_id(0) * (NV * VW);
    int m0 = get_global_id(1) * COB;
    const int n = get_global_id(2);
    if (p >= P || m0 >= M) return;   // the range is rounded up to whole work-groups
    if (p + NV * VW > P) p = P - NV * VW;
    if (m0 + COB > M) m0 = M - COB;
    __global const sl_store* xp = x + xOff + n * K * P + p;
    __global const float* wk = wt + m0;
    PW_VFLOAT acc[COB][NV];
#pragma unroll
    for (int j = 0; j < COB; ++j)
#pragma unroll
        for (int v = 0; v < NV; ++v) acc[j][v] = (PW_VFLOAT)(0.0f);
    for (int k = 0; k < K; ++k) {
        PW_VFLOAT xv[NV];
#pragma unroll
        for (int v = 0; v < NV; ++v) xv[v] = PW_VLD(xp + v * VW);
#pragma unroll
        for (int j = 0; j < COB; ++j) {
            const PW_VFLOAT wj = (PW_VFLOAT)(wk[j]);
#pragma unroll
            for (int v = 0; v < NV; ++v) acc[j][v] = fma(wj, xv[v], acc[j][v]);
        }
        xp += P;
        wk += M;
    }
    __global sl_store* yp = y + yOff + (n * M + m0) * P + p;
#pragma unroll
    for (int j = 0; j < COB; ++j) {
        const float b = wk[j];   // wk is at the biases now
#pragma unroll
        for (int v = 0; v < NV; ++v)
            BLK_VST(yp + j * P + v * VW, BLK_ACTIVATE(acc[j][v] + b, alpha, beta));
    }
}
