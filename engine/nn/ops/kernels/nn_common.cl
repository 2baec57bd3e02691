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

// Token pasting after macro expansion (SL_CAT(f, VW) -> f16 when VW is 16).
#define SL_CAT_(a, b) a##b
#define SL_CAT(a, b) SL_CAT_(a, b)

// e^-v on float8 / float16 for the conv epilogues' SiLU and sigmoid. On PoCL exp() costs ~25
// vector ops (two-step scaling, overflow masks), as much as 25 k steps of a 1x1 conv's FMAs and
// ~40% of a depthwise layer's time. Here e^-v = 2^t: t clamped to [-126, 126] (beyond it the
// sigmoid is 0 or 1 in float anyway), Cephes exp2f's degree-6 polynomial on the fraction
// (relative error ~2e-7), the integer part added to the exponent bits: 15 ops. The activation
// ops (nn_eltwise.cl) keep exp().
#define SL_FEXP_NEG(N)                                                                     \
    SL_INLINE float##N sl_fexp_neg##N(float##N v) {                                        \
        float##N t = v * -1.44269504088896341f;                                            \
        t = select(t, (float##N)(-126.0f), t < -126.0f);                                   \
        t = select(t, (float##N)(126.0f), t > 126.0f);                                     \
        /* round to nearest by the 1.5 x 2^23 trick (PoCL's rint() is a dozen ops); the */ \
        /* integer comes from the same sum's low mantissa bits */                          \
        const float##N r = t + 12582912.0f;                                                \
        const float##N f = t - (r - 12582912.0f);                                          \
        float##N p = fma(f, 1.535336188319500e-4f, 1.339887440266574e-3f);                \
        p = fma(p, f, 9.618437357674640e-3f);                                              \
        p = fma(p, f, 5.550332471162809e-2f);                                              \
        p = fma(p, f, 2.402264791363012e-1f);                                              \
        p = fma(p, f, 6.931472028550421e-1f);                                              \
        p = fma(p, f, 1.0f);                                                               \
        return as_float##N(as_uint##N(p) + ((as_uint##N(r) - 0x4b400000u) << 23));        \
    }
SL_FEXP_NEG(8)
SL_FEXP_NEG(16)

// ACTIVATE for a floatN vector v (N = 8 or 16) in a conv epilogue: SiLU and sigmoid through
// sl_fexp_negN, the others as ACTIVATE.
#if ACT == 5
#define FAST_ACTIVATE(v, a, b, N) ((v) / (1.0f + SL_CAT(sl_fexp_neg, N)(v)))
#elif ACT == 4
#define FAST_ACTIVATE(v, a, b, N) (1.0f / (1.0f + SL_CAT(sl_fexp_neg, N)(v)))
#else
#define FAST_ACTIVATE(v, a, b, N) ACTIVATE(v, a, b)
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
#if SL_FP16 && SL_FP16_SOFT
// Devices without cl_khr_fp16 (PoCL on x86) implement vload_half/vstore_half element by element
// in software, which also stops their vectorisers. Here the half bits move as ushort vectors and
// convert with branch-free integer/float arithmetic the compiler vectorises; the results are
// bit-identical to vload_half / vstore_half_rte (round to nearest even, subnormals, inf, NaN).
#define sl_store ushort
#define SL_H2F(N)                                                                              \
    SL_INLINE float##N sl_h2f##N(ushort##N h) {                                                \
        const uint##N u = convert_uint##N(h);                                                  \
        const uint##N m = (u & 0x7fffu) << 13;                                                 \
        const uint##N e = m & 0x0f800000u;                                                     \
        const uint##N normal = m + (112u << 23);                                               \
        const uint##N special = m + (224u << 23);          /* inf / NaN: exponent 255 */      \
        const float##N sub = as_float##N(m + (113u << 23)) - as_float##N((uint##N)(113u << 23)); \
        uint##N o = select(normal, special, e == (uint##N)0x0f800000u);                         \
        o = select(o, as_uint##N(sub), e == (uint##N)0u);                                      \
        return as_float##N(o | ((u & 0x8000u) << 16));                                         \
    }                                                                                          \
    SL_INLINE ushort##N sl_f2h##N(float##N f) {                                                \
        const uint##N x = as_uint##N(f);                                                       \
        const uint##N sign = (x >> 16) & 0x8000u;                                              \
        const uint##N a = x & 0x7fffffffu;                                                     \
        /* subnormal or zero: the float addition rounds to nearest even at 2^-24 */           \
        const uint##N sub = as_uint##N(as_float##N(a) + as_float##N((uint##N)(126u << 23))) -  \
                            (126u << 23);                                                      \
        const uint##N odd = (a >> 13) & 1u;                                                    \
        const uint##N norm = (a + 0xc8000fffu + odd) >> 13;  /* rebias 127 -> 15, round */    \
        uint##N o = select(norm, sub, a < (uint##N)(113u << 23));                             \
        o = select(o, (uint##N)0x7c00u, a >= (uint##N)(143u << 23));                           \
        o = select(o, (uint##N)0x7e00u, a > (uint##N)0x7f800000u);                             \
        return convert_ushort##N(o | sign);                                                    \
    }
SL_H2F()
SL_H2F(4)
SL_H2F(8)
SL_H2F(16)
#define SL_LD(p, i) sl_h2f((p)[i])
#define SL_ST(p, i, v) ((p)[i] = sl_f2h(v))
#define SL_LD4(p) sl_h2f4(vload4(0, (p)))
#define SL_ST4(p, v) vstore4(sl_f2h4(v), 0, (p))
#define SL_LD8(p) sl_h2f8(vload8(0, (p)))
#define SL_ST8(p, v) vstore8(sl_f2h8(v), 0, (p))
#define SL_LD16(p) sl_h2f16(vload16(0, (p)))
#define SL_ST16(p, v) vstore16(sl_f2h16(v), 0, (p))
#elif SL_FP16
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
