// YUV 4:2:0 (planar or NV12) -> letterboxed, normalised NCHW tensor in one pass. One work item per
// output pixel. The maths is mirrored line for line by engine/vision/preprocess_reference.cpp (the
// test oracle); change both together. Conventions are documented in engine/vision/preprocess.h.

// Contraction into fma would make the device differ from the reference by an ulp here and there.
#pragma OPENCL FP_CONTRACT OFF

// Force inlining: PoCL's work-group vectoriser gives up on loops that contain calls (a helper just
// over LLVM's inline threshold made the kernel 2-4x slower on CPU devices).
#define SL_INLINE inline __attribute__((always_inline))

// Bilinear sample at (sx, sy) of a w x h grid with samples `step` bytes apart: pixel centres at
// integers, clamp to edge. Scalars only (no struct or vector returns): PoCL's vectoriser cannot
// widen aggregate return values.
SL_INLINE float bilinear(__global const uchar* p, int stride, int step, float sx, float sy, int w,
                         int h) {
    sx = fmin(fmax(sx, 0.0f), (float)(w - 1));
    sy = fmin(fmax(sy, 0.0f), (float)(h - 1));
    const int x0 = (int)sx;   // sx >= 0: truncation is floor
    const int y0 = (int)sy;
    const int x1 = min(x0 + 1, w - 1);
    const int y1 = min(y0 + 1, h - 1);
    const float fx = sx - (float)x0;
    const float fy = sy - (float)y0;
    __global const uchar* r0 = p + y0 * stride;
    __global const uchar* r1 = p + y1 * stride;
    const float a = (float)r0[x0 * step];
    const float b = (float)r0[x1 * step];
    const float c = (float)r1[x0 * step];
    const float d = (float)r1[x1 * step];
    const float top = a + (b - a) * fx;
    const float bot = c + (d - c) * fx;
    return top + (bot - top) * fy;
}

SL_INLINE float rowDot(float4 m, float y, float u, float v) {
    const float r = m.x * (y - m.w) + m.y * (u - 128.0f) + m.z * (v - 128.0f);
    return fmin(fmax(r, 0.0f), 255.0f);
}

#define PREPROCESS_ARGS                                                                        \
    __global const uchar* yBuf, int yOff, int yStride,                                         \
    __global const uchar* uBuf, int uOff, __global const uchar* vBuf, int vOff,                \
    int cStride, int cStep, int srcW, int srcH, int cW, int cH,                                \
    int dstW, int dstH, int ox, int oy, int rw, int rh, float invSx, float invSy,              \
    float4 m0, float4 m1, float4 m2, float scale, float4 mean, float4 invStd, float4 pad,    \
    int outOff

// The host launches exactly dstW x dstH work items, so there is no bounds guard (a branch).
#define PREPROCESS_PIXEL                                                                       \
    const int dx = get_global_id(0);                                                           \
    const int dy = get_global_id(1);                                                           \
    const float sx = ((float)(dx - ox) + 0.5f) * invSx - 0.5f;                                 \
    const float sy = ((float)(dy - oy) + 0.5f) * invSy - 0.5f;                                 \
    const float yv = bilinear(yBuf + yOff, yStride, 1, sx, sy, srcW, srcH);                    \
    /* Chroma: the same centre convention on the half-resolution grid. */                     \
    const float csx = (sx + 0.5f) * 0.5f - 0.5f;                                               \
    const float csy = (sy + 0.5f) * 0.5f - 0.5f;                                               \
    const float uv = bilinear(uBuf + uOff, cStride, cStep, csx, csy, cW, cH);                  \
    const float vv = bilinear(vBuf + vOff, cStride, cStep, csx, csy, cW, cH);                  \
    /* Outside the picture: pad. Computed for every pixel and selected without a branch, so */ \
    /* CPU devices vectorise across work items (the clamps keep reads in bounds). */           \
    const bool inside = dx >= ox && dy >= oy && dx < ox + rw && dy < oy + rh;                  \
    const float o0 = inside ? (rowDot(m0, yv, uv, vv) * scale - mean.x) * invStd.x : pad.x;    \
    const float o1 = inside ? (rowDot(m1, yv, uv, vv) * scale - mean.y) * invStd.y : pad.y;    \
    const float o2 = inside ? (rowDot(m2, yv, uv, vv) * scale - mean.z) * invStd.z : pad.z;    \
    const int plane = dstW * dstH;                                                             \
    const int at = outOff + dy * dstW + dx;

__kernel void preprocess_yuv420_f32(PREPROCESS_ARGS, __global float* out) {
    PREPROCESS_PIXEL
    out[at] = o0;
    out[at + plane] = o1;
    out[at + 2 * plane] = o2;
}

// Half output through vstore_half_rte (round to nearest even, as the reference's floatToHalf).
__kernel void preprocess_yuv420_f16(PREPROCESS_ARGS, __global half* out) {
    PREPROCESS_PIXEL
    vstore_half_rte(o0, at, out);
    vstore_half_rte(o1, at + plane, out);
    vstore_half_rte(o2, at + 2 * plane, out);
}
