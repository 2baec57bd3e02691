// Normalisation kernels: batch norm (inference) and softmax (host: batch_norm.cpp, softmax.cpp;
// same formulas and loop order as their references).

__kernel void batch_norm(__global const sl_store* x, int xOff, __global const sl_store* scale, int sOff,
                         __global const sl_store* b, int bOff, __global const sl_store* mean, int mOff,
                         __global const sl_store* var, int vOff, __global sl_store* y, int yOff, int n,
                         int inner, int C, float eps) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const int c = (i / inner) % C;
    SL_ST(y, yOff + i,
          (SL_LD(x, xOff + i) - SL_LD(mean, mOff + c)) / sqrt(SL_LD(var, vOff + c) + eps) *
                  SL_LD(scale, sOff + c) +
              SL_LD(b, bOff + c));
}

// One work-item per normalised vector of `len` elements `inner` apart (gid = o * inner + i).
__kernel void softmax(__global const sl_store* x, int xOff, __global sl_store* y, int yOff, int outer,
                      int len, int inner) {
    const int g = get_global_id(0);
    if (g >= outer * inner) return;
    const int o = g / inner;
    const int i = g - o * inner;
    const int base = o * len * inner + i;
    __global const sl_store* xp = x + xOff + base;
    __global sl_store* yp = y + yOff + base;
    float m = -INFINITY;
    for (int j = 0; j < len; ++j) m = fmax(m, SL_LD(xp, j * inner));
    float sum = 0.0f;
    for (int j = 0; j < len; ++j) sum += exp(SL_LD(xp, j * inner) - m);
    for (int j = 0; j < len; ++j) SL_ST(yp, j * inner, exp(SL_LD(xp, j * inner) - m) / sum);
}

// One output per work-item: mean over the reduced dims, same order as the reference.
__kernel void reduce_mean(__global const sl_store* x, int xOff, __global sl_store* y, int yOff,
                          int nOut, int nRed, int8 keptShape, int8 keptStride, int8 redShape,
                          int8 redStride) {
    const int o = get_global_id(0);
    if (o >= nOut) return;
    const int base = xOff + nd_offset(o, keptShape, keptStride);
    float acc = 0.0f;
    for (int j = 0; j < nRed; ++j) acc += SL_LD(x, base + nd_offset(j, redShape, redStride));
    SL_ST(y, yOff + o, acc / (float)nRed);
}
