// Resize over the last two dims from per-axis tables (host: nn/ops/resize_cl.cpp, which also
// explains the tables; the reference resize.cpp uses the same tables and the same lerp order).
// idx = [y0 (OH) | y1 (OH) | x0 (OW) | x1 (OW)], w = [wy (OH) | wx (OW)]; y0/x0 = -1 means the
// coordinate fell outside the crop (tf_crop_and_resize): write the extrapolation value.

#ifndef LINEAR
#define LINEAR 0
#endif

__kernel void resize2d(__global const sl_store* x, int xOff, __global sl_store* y, int yOff,
                       __global const int* idx, __global const float* w, int IH, int IW, int OH,
                       int OW, float extrapolation) {
    const int ox = get_global_id(0);
    const int oy = get_global_id(1);
    const int p = get_global_id(2);
    if (ox >= OW || oy >= OH) return;
    const int y0 = idx[oy];
    const int x0 = idx[2 * OH + ox];
    __global sl_store* out = y + yOff + (p * OH + oy) * OW + ox;
    if (y0 < 0 || x0 < 0) {
        SL_ST(out, 0, extrapolation);
        return;
    }
    __global const sl_store* plane = x + xOff + p * IH * IW;
    const float a = SL_LD(plane, y0 * IW + x0);
#if LINEAR
    const int y1 = idx[OH + oy];
    const int x1 = idx[2 * OH + OW + ox];
    const float b = SL_LD(plane, y0 * IW + x1);
    const float c = SL_LD(plane, y1 * IW + x0);
    const float d = SL_LD(plane, y1 * IW + x1);
    const float lx = w[OH + ox];
    const float ly = w[oy];
    const float top = a + (b - a) * lx;
    const float bottom = c + (d - c) * lx;
    SL_ST(out, 0, top + (bottom - top) * ly);
#else
    SL_ST(out, 0, a);
#endif
}
