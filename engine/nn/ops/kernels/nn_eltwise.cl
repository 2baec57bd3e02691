// Element-wise kernels: activations (ACT, nn_common.cl) and the binary arithmetic ops (OP).
// Host: nn/ops/unary_cl.cpp, binary_cl.cpp. Four elements per work-item where the layout allows.

// y = ACTIVATE(x) over n elements; vload4/vstore4 need only element alignment, so offsets are free.
__kernel void unary(__global const sl_store* x, int xOff, __global sl_store* y, int yOff, int n,
                    float alpha, float beta) {
    const int i = get_global_id(0) * 4;
    if (i + 4 <= n) {
        const float4 v = SL_LD4(x + xOff + i);
        SL_ST4(y + yOff + i, ACTIVATE(v, alpha, beta));
    } else {
        for (int j = i; j < n; ++j) {
            const float v = SL_LD(x, xOff + j);
            SL_ST(y, yOff + j, ACTIVATE(v, alpha, beta));
        }
    }
}

// Clip with bounds computed on the device (Clip >= 11 with non-constant min/max inputs); a
// missing bound is a null buffer.
__kernel void clip_dynamic(__global const sl_store* x, int xOff, __global sl_store* y, int yOff, int n,
                           __global const sl_store* lo, int loOff, __global const sl_store* hi,
                           int hiOff) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float a = lo ? SL_LD(lo, loOff) : -INFINITY;
    const float b = hi ? SL_LD(hi, hiOff) : INFINITY;
    SL_ST(y, yOff + i, fmin(fmax(SL_LD(x, xOff + i), a), b));
}

#ifndef OP
#define OP 0
#endif
#if OP == 0
#define BINOP(a, b) ((a) + (b))
#elif OP == 1
#define BINOP(a, b) ((a) - (b))
#elif OP == 2
#define BINOP(a, b) ((a) * (b))
#elif OP == 3
#define BINOP(a, b) ((a) / (b))
#elif OP == 4
#define BINOP(a, b) ((a) < 0.0f ? (a) * (b) : (a))
#endif

// Same shapes: y = a OP b, element by element.
__kernel void binary_same(__global const sl_store* a, int aOff, __global const sl_store* b, int bOff,
                          __global sl_store* y, int yOff, int n) {
    const int i = get_global_id(0) * 4;
    if (i + 4 <= n) {
        const float4 va = SL_LD4(a + aOff + i);
        const float4 vb = SL_LD4(b + bOff + i);
        SL_ST4(y + yOff + i, BINOP(va, vb));
    } else {
        for (int j = i; j < n; ++j) {
            const float va = SL_LD(a, aOff + j);
            const float vb = SL_LD(b, bOff + j);
            SL_ST(y, yOff + j, BINOP(va, vb));
        }
    }
}

// Broadcast: y[i] = a[offset of i under aStride] OP b[... bStride] (strides 0 on broadcast dims).
__kernel void binary_bcast(__global const sl_store* a, int aOff, __global const sl_store* b, int bOff,
                           __global sl_store* y, int yOff, int n, int8 shape, int8 aStride,
                           int8 bStride) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float va = SL_LD(a, aOff + nd_offset(i, shape, aStride));
    const float vb = SL_LD(b, bOff + nd_offset(i, shape, bStride));
    SL_ST(y, yOff + i, BINOP(va, vb));
}

// b broadcast along the innermost `inner` run: y[i] = a[i] OP b[(i / inner) % bn] (per-channel
// bias/scale, [1,C,1,1] against [N,C,H,W]).
__kernel void binary_channel(__global const sl_store* a, int aOff, __global const sl_store* b, int bOff,
                             __global sl_store* y, int yOff, int n, int inner, int bn) {
    const int i = get_global_id(0);
    if (i >= n) return;
    const float va = SL_LD(a, aOff + i);
    const float vb = SL_LD(b, bOff + (i / inner) % bn);
    SL_ST(y, yOff + i, BINOP(va, vb));
}
