// Dense matrix products (host: gemm.cpp, matmul.cpp). One work-item computes a 4 x 4 block of
// Y (rows m0..m0+3, columns n0..n0+3) with edge guards; A and B are addressed through strides,
// so transposed operands need no copy: A(m, k) = a[m * asm_ + k * ask],
// B(k, n) = b[k * bsk + n * bsn].
// Batches (gid2) add per-batch offsets from `batchOff` (pairs: A offset, B offset) when given.

__kernel void gemm(__global const sl_store* a, int aOff, int asm_, int ask, __global const sl_store* b,
                   int bOff, int bsk, int bsn, __global const sl_store* c, int cOff, int csm, int csn,
                   int hasC, __global sl_store* y, int yOff, int M, int N, int K, float alpha,
                   float beta, __global const int* batchOff) {
    const int n0 = get_global_id(0) * 4;
    const int m0 = get_global_id(1) * 4;
    const int batch = get_global_id(2);
    if (n0 >= N || m0 >= M) return;
    if (batchOff) {
        aOff += batchOff[2 * batch];
        bOff += batchOff[2 * batch + 1];
        yOff += batch * M * N;
    }
    float acc[4][4];
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j) acc[i][j] = 0.0f;
    int mi[4], nj[4];
    for (int i = 0; i < 4; ++i) {
        mi[i] = min(m0 + i, M - 1);
        nj[i] = min(n0 + i, N - 1);
    }
    for (int k = 0; k < K; ++k) {
        float av[4], bv[4];
        for (int i = 0; i < 4; ++i) av[i] = SL_LD(a, aOff + mi[i] * asm_ + k * ask);
        for (int j = 0; j < 4; ++j) bv[j] = SL_LD(b, bOff + k * bsk + nj[j] * bsn);
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j) acc[i][j] = fma(av[i], bv[j], acc[i][j]);
    }
    for (int i = 0; i < 4; ++i) {
        if (m0 + i >= M) break;
        for (int j = 0; j < 4; ++j) {
            if (n0 + j >= N) break;
            float v = alpha * acc[i][j];
            if (hasC) v += beta * SL_LD(c, cOff + (m0 + i) * csm + (n0 + j) * csn);
            SL_ST(y, yOff + (m0 + i) * N + n0 + j, v);
        }
    }
}
