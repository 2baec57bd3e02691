// Any native pixel format (media/pixel_format.h) -> letterboxed, normalised NCHW tensor in one
// pass. One work item per output pixel. The maths is mirrored line for line by
// engine/vision/preprocess_reference.cpp (the test oracle, equal bit for bit); change both
// together. Conventions are documented in engine/vision/preprocess.h.
//
// One kernel body serves every layout: three sample grids (Y, U, V) given as buffer + offset +
// stride + step in samples, the chroma grids scaled by (cSx, cSy) = 2^-shift and sited by
// (cPx, cPy) (media::chromaSiteOffset times the scale; 0 on an axis not subsampled). Semi-planar UV is
// two grids of step 2 one sample apart; packed RGB is three grids of step 3 or 4 in one plane
// with an identity "matrix"; gray points U and V at Y with zero chroma coefficients. Two sample
// types: 8-bit (uchar) and 16-bit little-endian words (ushort, `shift` drops P010's low bits).

// Contraction into fma would make the device differ from the reference by an ulp here and there.
#pragma OPENCL FP_CONTRACT OFF

// Force inlining: PoCL's work-group vectoriser gives up on loops that contain calls (a helper just
// over LLVM's inline threshold made the kernel 2-4x slower on CPU devices).
#define SL_INLINE inline __attribute__((always_inline))

// One sample at integer (x, y) of a grid with samples `step` elements apart.
#define SL_SAMPLE(T)                                                                           \
    SL_INLINE float sample_##T(__global const T* p, int stride, int step, int shift, int x,    \
                               int y) {                                                        \
        return (float)(p[y * stride + x * step] >> shift);                                     \
    }
SL_SAMPLE(uchar)
SL_SAMPLE(ushort)

// Bilinear sample at (sx, sy) of a w x h grid: pixel centres at integers, clamp to edge.
// Scalars only (no struct or vector returns): PoCL's vectoriser cannot widen aggregate return
// values. SL_BILINEAR(T) defines bilinear_T for one sample type.
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
        const float a = sample_##T(p, stride, step, shift, x0, y0);                            \
        const float b = sample_##T(p, stride, step, shift, x1, y0);                            \
        const float c = sample_##T(p, stride, step, shift, x0, y1);                            \
        const float d = sample_##T(p, stride, step, shift, x1, y1);                            \
        const float top = a + (b - a) * fx;                                                    \
        const float bot = c + (d - c) * fx;                                                    \
        return top + (bot - top) * fy;                                                         \
    }
SL_BILINEAR(uchar)
SL_BILINEAR(ushort)

// One channel of one RGB pixel, rounded to an 8-bit code value as swscale's rgb24 output is
// (round half up after the clamp; truncation is floor for the clamped value, and PoCL ran the
// kernel 1.7x slower with floor(): 3.9 vs 2.3 ms for 720p -> 416, bench_preprocess, 2 cores). m = {cy, cu, cv, yOffset}; cOff is the chroma centre (0 for
// RGB, whose "matrix" is identity, so RGB samples pass unchanged).
SL_INLINE float rgb8(float4 m, float cOff, float y, float u, float v) {
    const float r = m.x * (y - m.w) + m.y * (u - cOff) + m.z * (v - cOff);
    return (float)(int)(fmin(fmax(r, 0.0f), 255.0f) + 0.5f);
}

SL_INLINE float lerp2(float a, float b, float c, float d, float fx, float fy) {
    const float top = a + (b - a) * fx;
    const float bot = c + (d - c) * fx;
    return top + (bot - top) * fy;
}

#define PREPROCESS_ARGS(T)                                                                     \
    __global const T* yBuf, int yOff, int yStride, int yStep,                                  \
    __global const T* uBuf, int uOff, __global const T* vBuf, int vOff,                        \
    int cStride, int cStep, int shift, int srcW, int srcH, int cW, int cH, float cSx,          \
    float cSy, float cPx, float cPy, int dstW, int dstH, int ox, int oy, int rw, int rh,       \
    float invSx, float invSy, float4 m0, float4 m1, float4 m2, float cOff, float scale,        \
    float4 mean, float4 invStd, float4 pad, int outOff

// The luma position (x, y)'s chroma, sited: c = x * cSx - cPx (cPx = site offset * cSx).
#define SL_CHROMA(T, name, buf, off, x, y)                                                     \
    const float name = bilinear_##T(buf + off, cStride, cStep, shift, (float)(x) * cSx - cPx,  \
                                    (float)(y) * cSy - cPy, cW, cH)

// The picture is resampled in RGB: each of the four luma taps becomes an 8-bit RGB pixel (its
// chroma interpolated at that luma sample, then converted and rounded), and those pixels are
// interpolated. This is the order of "convert to RGB, then resize" (FFmpeg's rgb24 followed by
// the RGB path of this kernel), so a frame detects as its RGB conversion does; resizing Y, U
// and V first and converting after moved boxes by up to IoU 0.89 (giraffe.jpg as yuv422p).
// The host launches exactly dstW x dstH work items, so there is no bounds guard (a branch).
#define PREPROCESS_PIXEL(T)                                                                    \
    const int dx = get_global_id(0);                                                           \
    const int dy = get_global_id(1);                                                           \
    const float sx = fmin(fmax(((float)(dx - ox) + 0.5f) * invSx - 0.5f, 0.0f),                \
                          (float)(srcW - 1));                                                  \
    const float sy = fmin(fmax(((float)(dy - oy) + 0.5f) * invSy - 0.5f, 0.0f),                \
                          (float)(srcH - 1));                                                  \
    const int x0 = (int)sx; /* sx >= 0: truncation is floor */                                 \
    const int y0 = (int)sy;                                                                    \
    const int x1 = min(x0 + 1, srcW - 1);                                                      \
    const int y1 = min(y0 + 1, srcH - 1);                                                      \
    const float fx = sx - (float)x0;                                                           \
    const float fy = sy - (float)y0;                                                           \
    __global const T* yp = yBuf + yOff;                                                        \
    const float ya = sample_##T(yp, yStride, yStep, shift, x0, y0);                            \
    const float yb = sample_##T(yp, yStride, yStep, shift, x1, y0);                            \
    const float yc = sample_##T(yp, yStride, yStep, shift, x0, y1);                            \
    const float yd = sample_##T(yp, yStride, yStep, shift, x1, y1);                            \
    SL_CHROMA(T, ua, uBuf, uOff, x0, y0);                                                      \
    SL_CHROMA(T, ub, uBuf, uOff, x1, y0);                                                      \
    SL_CHROMA(T, uc, uBuf, uOff, x0, y1);                                                      \
    SL_CHROMA(T, ud, uBuf, uOff, x1, y1);                                                      \
    SL_CHROMA(T, va, vBuf, vOff, x0, y0);                                                      \
    SL_CHROMA(T, vb, vBuf, vOff, x1, y0);                                                      \
    SL_CHROMA(T, vc, vBuf, vOff, x0, y1);                                                      \
    SL_CHROMA(T, vd, vBuf, vOff, x1, y1);                                                      \
    /* Outside the picture: pad. Computed for every pixel and selected without a branch, so */ \
    /* CPU devices vectorise across work items (the clamps keep reads in bounds). */           \
    const bool inside = dx >= ox && dy >= oy && dx < ox + rw && dy < oy + rh;                  \
    const float o0 = inside ? (lerp2(rgb8(m0, cOff, ya, ua, va), rgb8(m0, cOff, yb, ub, vb),   \
                                     rgb8(m0, cOff, yc, uc, vc), rgb8(m0, cOff, yd, ud, vd),   \
                                     fx, fy) * scale - mean.x) * invStd.x                      \
                            : pad.x;                                                           \
    const float o1 = inside ? (lerp2(rgb8(m1, cOff, ya, ua, va), rgb8(m1, cOff, yb, ub, vb),   \
                                     rgb8(m1, cOff, yc, uc, vc), rgb8(m1, cOff, yd, ud, vd),   \
                                     fx, fy) * scale - mean.y) * invStd.y                      \
                            : pad.y;                                                           \
    const float o2 = inside ? (lerp2(rgb8(m2, cOff, ya, ua, va), rgb8(m2, cOff, yb, ub, vb),   \
                                     rgb8(m2, cOff, yc, uc, vc), rgb8(m2, cOff, yd, ud, vd),   \
                                     fx, fy) * scale - mean.z) * invStd.z                      \
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
