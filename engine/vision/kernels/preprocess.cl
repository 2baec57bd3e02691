// Any native pixel format (media/pixel_format.h) -> letterboxed, normalised NCHW tensor in one
// pass. One work item per output pixel. The maths is mirrored line for line by
// engine/vision/preprocess_reference.cpp (the test oracle, equal bit for bit); change both
// together. Conventions are documented in engine/vision/preprocess.h.
//
// One kernel body serves every layout: three sample grids (Y, U, V) given as buffer + offset +
// stride + step in samples, the chroma grids scaled by (cSx, cSy) = 2^-shift. Semi-planar UV is
// two grids of step 2 one sample apart; packed RGB is three grids of step 3 or 4 in one plane
// with an identity "matrix"; gray points U and V at Y with zero chroma coefficients. Two sample
// types: 8-bit (uchar) and 16-bit little-endian words (ushort, `shift` drops P010's low bits).

// Contraction into fma would make the device differ from the reference by an ulp here and there.
#pragma OPENCL FP_CONTRACT OFF

// Force inlining: PoCL's work-group vectoriser gives up on loops that contain calls (a helper just
// over LLVM's inline threshold made the kernel 2-4x slower on CPU devices).
#define SL_INLINE inline __attribute__((always_inline))

// Bilinear sample at (sx, sy) of a w x h grid with samples `step` elements apart: pixel centres at
// integers, clamp to edge. Scalars only (no struct or vector returns): PoCL's vectoriser cannot
// widen aggregate return values. SL_BILINEAR(T) defines bilinear_T for one sample type.
#define SL_BILINEAR(T)                                                                         \
    SL_INLINE float bilinear_##T(__global const T* p, int stride, int step, int shift,         \
                                 float sx, float sy, int w, int h) {                           \
        sx = fmin(fmax(sx, 0.0f), (float)(w - 1));                                             \
        sy = fmin(fmax(sy, 0.0f), (float)(h - 1));                                             \
        const int x0 = (int)sx; /* sx >= 0: truncation is floor */                             \
        const int y0 = (int)sy;                                                                \
        const int x1 = min(x0 + 1, w - 1);                                                     \
        const int y1 = min(y0 + 1, h - 1);                                                     \
        const float fx = sx - (float)x0;                                                       \
        const float fy = sy - (float)y0;                                                       \
        __global const T* r0 = p + y0 * stride;                                                \
        __global const T* r1 = p + y1 * stride;                                                \
        const float a = (float)(r0[x0 * step] >> shift);                                       \
        const float b = (float)(r0[x1 * step] >> shift);                                       \
        const float c = (float)(r1[x0 * step] >> shift);                                       \
        const float d = (float)(r1[x1 * step] >> shift);                                       \
        const float top = a + (b - a) * fx;                                                    \
        const float bot = c + (d - c) * fx;                                                    \
        return top + (bot - top) * fy;                                                         \
    }
SL_BILINEAR(uchar)
SL_BILINEAR(ushort)

// m = {cy, cu, cv, yOffset}; cOff is the chroma centre (0 for RGB, whose "matrix" is identity).
SL_INLINE float rowDot(float4 m, float cOff, float y, float u, float v) {
    const float r = m.x * (y - m.w) + m.y * (u - cOff) + m.z * (v - cOff);
    return fmin(fmax(r, 0.0f), 255.0f);
}

#define PREPROCESS_ARGS(T)                                                                     \
    __global const T* yBuf, int yOff, int yStride, int yStep,                                  \
    __global const T* uBuf, int uOff, __global const T* vBuf, int vOff,                        \
    int cStride, int cStep, int shift, int srcW, int srcH, int cW, int cH, float cSx,          \
    float cSy, int dstW, int dstH, int ox, int oy, int rw, int rh, float invSx, float invSy,   \
    float4 m0, float4 m1, float4 m2, float cOff, float scale, float4 mean, float4 invStd,      \
    float4 pad, int outOff

// The host launches exactly dstW x dstH work items, so there is no bounds guard (a branch).
#define PREPROCESS_PIXEL(T)                                                                    \
    const int dx = get_global_id(0);                                                           \
    const int dy = get_global_id(1);                                                           \
    const float sx = ((float)(dx - ox) + 0.5f) * invSx - 0.5f;                                 \
    const float sy = ((float)(dy - oy) + 0.5f) * invSy - 0.5f;                                 \
    const float yv = bilinear_##T(yBuf + yOff, yStride, yStep, shift, sx, sy, srcW, srcH);     \
    /* Chroma: the same centre convention on its own (possibly subsampled) grid. */            \
    const float csx = (sx + 0.5f) * cSx - 0.5f;                                                \
    const float csy = (sy + 0.5f) * cSy - 0.5f;                                                \
    const float uv = bilinear_##T(uBuf + uOff, cStride, cStep, shift, csx, csy, cW, cH);       \
    const float vv = bilinear_##T(vBuf + vOff, cStride, cStep, shift, csx, csy, cW, cH);       \
    /* Outside the picture: pad. Computed for every pixel and selected without a branch, so */ \
    /* CPU devices vectorise across work items (the clamps keep reads in bounds). */           \
    const bool inside = dx >= ox && dy >= oy && dx < ox + rw && dy < oy + rh;                  \
    const float o0 = inside ? (rowDot(m0, cOff, yv, uv, vv) * scale - mean.x) * invStd.x       \
                            : pad.x;                                                           \
    const float o1 = inside ? (rowDot(m1, cOff, yv, uv, vv) * scale - mean.y) * invStd.y       \
                            : pad.y;                                                           \
    const float o2 = inside ? (rowDot(m2, cOff, yv, uv, vv) * scale - mean.z) * invStd.z       \
                            : pad.z;                                                           \
    const int plane = dstW * dstH;                                                             \
    const int at = outOff + dy * dstW + dx;

#define PREPROCESS_KERNEL_F32(T)                                                               \
    __kernel void preprocess_##T##_f32(PREPROCESS_ARGS(T), __global float* out) {              \
        PREPROCESS_PIXEL(T)                                                                    \
        out[at] = o0;                                                                          \
        out[at + plane] = o1;                                                                  \
        out[at + 2 * plane] = o2;                                                              \
    }

// Half output through vstore_half_rte (round to nearest even, as the reference's floatToHalf).
#define PREPROCESS_KERNEL_F16(T)                                                               \
    __kernel void preprocess_##T##_f16(PREPROCESS_ARGS(T), __global half* out) {               \
        PREPROCESS_PIXEL(T)                                                                    \
        vstore_half_rte(o0, at, out);                                                          \
        vstore_half_rte(o1, at + plane, out);                                                  \
        vstore_half_rte(o2, at + 2 * plane, out);                                              \
    }

PREPROCESS_KERNEL_F32(uchar)
PREPROCESS_KERNEL_F16(uchar)
PREPROCESS_KERNEL_F32(ushort)
PREPROCESS_KERNEL_F16(ushort)
