// YUV 4:2:0 (planar or NV12) -> letterboxed, normalised NCHW tensor in one pass. One work item per
// output pixel. The maths is mirrored line for line by engine/vision/preprocess_reference.cpp (the
// test oracle); change both together. Conventions are documented in engine/vision/preprocess.h.

// Contraction into fma would make the device differ from the reference by an ulp here and there.
#pragma OPENCL FP_CONTRACT OFF

typedef struct {
    int x0, y0, x1, y1;
    float fx, fy;
} Tap;

// Bilinear taps at (sx, sy) on a w x h grid: pixel centres at integers, clamp to edge.
inline Tap taps(float sx, float sy, int w, int h) {
    sx = fmin(fmax(sx, 0.0f), (float)(w - 1));
    sy = fmin(fmax(sy, 0.0f), (float)(h - 1));
    Tap t;
    t.x0 = (int)sx;   // sx >= 0: truncation is floor
    t.y0 = (int)sy;
    t.x1 = min(t.x0 + 1, w - 1);
    t.y1 = min(t.y0 + 1, h - 1);
    t.fx = sx - (float)t.x0;
    t.fy = sy - (float)t.y0;
    return t;
}

inline float bilinear(__global const uchar* p, int stride, int step, Tap t) {
    __global const uchar* r0 = p + t.y0 * stride;
    __global const uchar* r1 = p + t.y1 * stride;
    const float a = (float)r0[t.x0 * step];
    const float b = (float)r0[t.x1 * step];
    const float c = (float)r1[t.x0 * step];
    const float d = (float)r1[t.x1 * step];
    const float top = a + (b - a) * t.fx;
    const float bot = c + (d - c) * t.fx;
    return top + (bot - top) * t.fy;
}

inline float rowDot(float4 m, float y, float u, float v) {
    const float r = m.x * (y - m.w) + m.y * (u - 128.0f) + m.z * (v - 128.0f);
    return fmin(fmax(r, 0.0f), 255.0f);
}

// Output channel values (already normalised) for output pixel (dx, dy).
inline float3 pixel(int dx, int dy,
                    __global const uchar* yp, int yStride,
                    __global const uchar* up, __global const uchar* vp, int cStride, int cStep,
                    int srcW, int srcH, int cW, int cH,
                    int ox, int oy, int rw, int rh, float invSx, float invSy,
                    float4 m0, float4 m1, float4 m2, float scale, float4 mean, float4 invStd,
                    float4 pad) {
    if (dx < ox || dy < oy || dx >= ox + rw || dy >= oy + rh) return pad.xyz;
    const float sx = ((float)(dx - ox) + 0.5f) * invSx - 0.5f;
    const float sy = ((float)(dy - oy) + 0.5f) * invSy - 0.5f;
    const float yv = bilinear(yp, yStride, 1, taps(sx, sy, srcW, srcH));
    // Chroma: the same centre convention on the half-resolution grid.
    const Tap ct = taps((sx + 0.5f) * 0.5f - 0.5f, (sy + 0.5f) * 0.5f - 0.5f, cW, cH);
    const float uv = bilinear(up, cStride, cStep, ct);
    const float vv = bilinear(vp, cStride, cStep, ct);
    float3 o;
    o.x = (rowDot(m0, yv, uv, vv) * scale - mean.x) * invStd.x;
    o.y = (rowDot(m1, yv, uv, vv) * scale - mean.y) * invStd.y;
    o.z = (rowDot(m2, yv, uv, vv) * scale - mean.z) * invStd.z;
    return o;
}

#define PREPROCESS_ARGS                                                                        \
    __global const uchar* yBuf, int yOff, int yStride,                                         \
    __global const uchar* uBuf, int uOff, __global const uchar* vBuf, int vOff,                \
    int cStride, int cStep, int srcW, int srcH, int cW, int cH,                                \
    int dstW, int dstH, int ox, int oy, int rw, int rh, float invSx, float invSy,              \
    float4 m0, float4 m1, float4 m2, float scale, float4 mean, float4 invStd, float4 pad,    \
    int outOff

#define PREPROCESS_PIXEL                                                                       \
    const int dx = get_global_id(0);                                                           \
    const int dy = get_global_id(1);                                                           \
    if (dx >= dstW || dy >= dstH) return;                                                      \
    const float3 o = pixel(dx, dy, yBuf + yOff, yStride, uBuf + uOff, vBuf + vOff, cStride,    \
                           cStep, srcW, srcH, cW, cH, ox, oy, rw, rh, invSx, invSy, m0, m1,    \
                           m2, scale, mean, invStd, pad);                                      \
    const int plane = dstW * dstH;                                                             \
    const int at = outOff + dy * dstW + dx;

__kernel void preprocess_yuv420_f32(PREPROCESS_ARGS, __global float* out) {
    PREPROCESS_PIXEL
    out[at] = o.x;
    out[at + plane] = o.y;
    out[at + 2 * plane] = o.z;
}

// Half output through vstore_half_rte (round to nearest even, as the reference's floatToHalf).
__kernel void preprocess_yuv420_f16(PREPROCESS_ARGS, __global half* out) {
    PREPROCESS_PIXEL
    vstore_half_rte(o.x, at, out);
    vstore_half_rte(o.y, at + plane, out);
    vstore_half_rte(o.z, at + 2 * plane, out);
}
