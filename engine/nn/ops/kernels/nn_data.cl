// Data movement by element size (T = uchar/ushort/uint/ulong, set by the host): any dtype moves
// as its bytes. Host: copyNd in nn/ops/op_util.cpp (Concat, Split, Slice, Transpose), gather_cl.cpp,
// pad_cl.cpp.

#ifndef T
#define T uint
#endif

// dst[dOff + nd(i, dStride)] = src[sOff + nd(i, sStride)] for i < n over `shape`.
__kernel void copy_nd(__global const T* src, int sOff, __global T* dst, int dOff, int n,
                      int8 shape, int8 sStride, int8 dStride) {
    const int i = get_global_id(0);
    if (i >= n) return;
    dst[dOff + nd_offset(i, shape, dStride)] = src[sOff + nd_offset(i, shape, sStride)];
}
