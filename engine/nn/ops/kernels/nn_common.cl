// Prepended to every nn op kernel file (nn/ops/op_util.cpp buildKernel): activations shared by the
// conv epilogues and the activation ops, and N-d index helpers. The activation formulas mirror
// applyActivation() in op_util.cpp (the reference); ACT values are the Act enum there.

// PoCL's work-group vectoriser gives up on loops that contain calls: force inlining.
#define SL_INLINE inline __attribute__((always_inline))

#ifndef ACT
#define ACT 0
#endif

// ACTIVATE works on float and floatN (a, b are scalars).
#if ACT == 0
#define ACTIVATE(v, a, b) (v)
#elif ACT == 1
#define ACTIVATE(v, a, b) fmax((v), 0.0f)
#elif ACT == 2
#define ACTIVATE(v, a, b) ((v) < 0.0f ? (v) * (a) : (v))
#elif ACT == 3
#define ACTIVATE(v, a, b) fmin(fmax((v), (a)), (b))
#elif ACT == 4
#define ACTIVATE(v, a, b) (1.0f / (1.0f + exp(-(v))))
#elif ACT == 5
#define ACTIVATE(v, a, b) ((v) / (1.0f + exp(-(v))))
#elif ACT == 6
#define ACTIVATE(v, a, b) ((v) * fmin(fmax((v) / 6.0f + 0.5f, 0.0f), 1.0f))
#elif ACT == 7
#define ACTIVATE(v, a, b) fmin(fmax((a) * (v) + (b), 0.0f), 1.0f)
#elif ACT == 8
#define ACTIVATE(v, a, b) tanh(v)
#elif ACT == 9
#define ACTIVATE(v, a, b) exp(v)
#endif

// Element offset of linear index i of a tensor with `shape` (8 dims, leading 1s) whose elements
// lie `stride` apart per dim (0 on broadcast dims). Unrolled: no dynamic vector indexing.
#define SL_ND_STEP(c)                          \
    {                                          \
        const int q_ = i / shape.c;            \
        off += (i - q_ * shape.c) * stride.c;  \
        i = q_;                                \
    }
SL_INLINE int nd_offset(int i, int8 shape, int8 stride) {
    int off = 0;
    SL_ND_STEP(s7) SL_ND_STEP(s6) SL_ND_STEP(s5) SL_ND_STEP(s4)
    SL_ND_STEP(s3) SL_ND_STEP(s2) SL_ND_STEP(s1) SL_ND_STEP(s0)
    return off;
}

// Storage of float tensors (activations, weights, biases): float, or half with -DSL_FP16=1 (the
// session's fp16 storage). Arithmetic stays float either way: vload_half/vstore_half on
// `__global half*` are core OpenCL (no cl_khr_fp16), so the half variant builds on every device.
// Stores round to nearest even (_rte), as the host's floatToHalf. Vector forms take a pointer to
// the first element (vload_halfN(off, p) reads p + off * N, so offsets go into the pointer).
#ifndef SL_FP16
#define SL_FP16 0
#endif
#if SL_FP16
#define sl_store half
#define SL_LD(p, i) vload_half((i), (p))
#define SL_ST(p, i, v) vstore_half_rte((v), (i), (p))
#define SL_LD4(p) vload_half4(0, (p))
#define SL_ST4(p, v) vstore_half4_rte((v), 0, (p))
#define SL_LD8(p) vload_half8(0, (p))
#define SL_ST8(p, v) vstore_half8_rte((v), 0, (p))
#define SL_LD16(p) vload_half16(0, (p))
#define SL_ST16(p, v) vstore_half16_rte((v), 0, (p))
#else
#define sl_store float
#define SL_LD(p, i) ((p)[i])
#define SL_ST(p, i, v) ((p)[i] = (v))
#define SL_LD4(p) vload4(0, (p))
#define SL_ST4(p, v) vstore4((v), 0, (p))
#define SL_LD8(p) vload8(0, (p))
#define SL_ST8(p, v) vstore8((v), 0, (p))
#define SL_LD16(p) vload16(0, (p))
#define SL_ST16(p, v) vstore16((v), 0, (p))
#endif
