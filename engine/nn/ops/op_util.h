#pragma once
// Helpers shared by the ops: the node identity every op reports errors with, shape and
// broadcasting arithmetic, reading shape-carrying constant inputs, the fused activations (host
// side; kernels/nn_common.cl mirrors them) and OpenCL launch plumbing.

#include <CL/cl.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compute/cl_handles.h"
#include "core/status.h"
#include "nn/ops/op.h"
#include "nn/tensor.h"

namespace sl::nn {

// Base of every op: keeps the node's identity for messages ("nn/Conv 'conv_3': ...").
class NodeOp : public Op {
public:
    explicit NodeOp(const NodeDesc& node) : opType_(node.opType), name_(node.name),
        opset_(node.opset), outputCount_(node.outputCount) {}

protected:
    Status fail(const std::string& what, StatusCode code = StatusCode::InvalidArgument) const;
    Status unsupported(const std::string& what) const {
        return fail(what, StatusCode::Unsupported);
    }
    // Ok when the first `count` inputs are present.
    Status requireInputs(std::span<const TensorInfo* const> inputs, size_t count) const;

    std::string opType_;
    std::string name_;
    int opset_ = 13;
    int outputCount_ = 1;
};

// "nn/<op> '<node>': <what>" for code outside an op (factories).
Status nodeError(const NodeDesc& node, const std::string& what,
                 StatusCode code = StatusCode::InvalidArgument);

// ---- shapes ----
std::vector<int64_t> contiguousStrides(const Shape& s);   // in elements, row-major
// Axis in [-rank, rank) -> [0, rank); -1 when out of range.
int64_t normalizeAxis(int64_t axis, int64_t rank);
// Multidirectional (numpy) broadcasting; false when incompatible.
bool broadcastShapes(const Shape& a, const Shape& b, Shape& out);
// Strides of `in` read as `out` (right-aligned; 0 on broadcast dims), in elements.
std::vector<int64_t> broadcastStrides(const Shape& in, const Shape& out);
int64_t product(const Shape& s, size_t begin, size_t end);
// Merges adjacent dims that every operand walks contiguously (stride[i] == stride[i+1] * dim[i+1])
// and drops size-1 dims, so N-d index kernels do fewer divisions. Rank 0 becomes [1].
void collapseDims(Shape& shape, std::vector<std::vector<int64_t>*> strides);

// One spatial axis of a sliding window (Conv, pools); ke = (k - 1) * dilation + 1. Resolves
// auto_pad ("NOTSET"/"": padBegin/padEnd as given; "VALID": none; "SAME_UPPER"/"SAME_LOWER":
// output ceil(in / stride), the odd pad at the end / at the beginning) and returns the output
// length (ceil_mode: a last window may start in the end padding, not beyond it), or -1.
int64_t windowOutput(const std::string& autoPad, int64_t in, int64_t ke, int64_t stride,
                     bool ceilMode, int64_t& padBegin, int64_t& padEnd);

// Integer values of a shape-carrying tensor (int64 or int32); false for other dtypes.
bool readInts(const Tensor& t, std::vector<int64_t>& out);
// Scalar float value of a (float32/float64/int) tensor with one element; false otherwise.
bool readScalar(const Tensor& t, double& out);

// ---- fused and standalone activations ----
enum class Act : int {
    None = 0, Relu = 1, LeakyRelu = 2, Clip = 3, Sigmoid = 4, Silu = 5, HardSwish = 6,
    HardSigmoid = 7, Tanh = 8, Exp = 9
};
struct Activation {
    Act kind = Act::None;
    float alpha = 0;   // LeakyRelu slope, Clip min, HardSigmoid alpha
    float beta = 0;    // Clip max, HardSigmoid beta
};
// Reads "sl_activation"/"sl_alpha"/"sl_beta"; an unknown name is an error naming the node.
Expected<Activation> fusedActivation(const NodeDesc& node);
float applyActivation(const Activation& a, float v);
// "-DACT=n" for kernels that include nn_common.cl.
std::string activationDefine(const Activation& a);

// ---- OpenCL ----
// A kernel from nn_common.cl + `file` (both embedded), built once per context and options.
Expected<compute::ClKernel> buildKernel(const ClOpContext& ctx, std::string_view file,
                                        std::string_view kernelName,
                                        const std::string& options = {});

Status clArgStatus(cl_int err, cl_uint index);   // "compute: clSetKernelArg(#index) failed: ..."

template <class... A>
Status setArgs(cl_kernel k, const A&... args) {
    cl_uint i = 0;
    cl_int err = CL_SUCCESS;
    cl_uint failed = 0;
    auto one = [&](size_t size, const void* p) {
        if (err != CL_SUCCESS) return;
        err = clSetKernelArg(k, i, size, p);
        if (err != CL_SUCCESS) failed = i;
        ++i;
    };
    (one(sizeof(A), &args), ...);
    if (err != CL_SUCCESS) return clArgStatus(err, failed);
    return Status::ok();
}

// Work-group for a one-item-per-output (x, y, plane) range whose kernel skips x and y past the
// end (not planes): 16 x up to 16 rows x a power of two of planes dividing `planes`, up to 1024
// items (and the kernel's limit) while leaving at least 8 groups. PoCL runs each group as one
// loop over its items, so 16 x 1 x 1 groups (one per row of each plane) cost more to schedule
// than to run on YOLOX's 13 x 13 and 26 x 26 layers (SPP max pools 0.52 -> 0.33 ms, 2 cores).
std::array<size_t, 3> planeGroup(const ClOpContext& ctx, cl_kernel k, size_t h, size_t planes);

// Enqueues `k` with `global` rounded up to multiples of `local` (local may be all zeros: driver's
// choice). A zero-sized range enqueues nothing.
Status launch(const ClOpContext& ctx, cl_kernel k, std::span<const size_t> global,
              std::span<const size_t> local = {});

// Strided N-d copy by element size (any dtype): for every index i of `shape`,
// dst[dstOff + sum i_d * dstStride_d] = src[srcOff + sum i_d * srcStride_d] (element units;
// strides may be negative). The host version is the reference of the data-movement ops.
void copyNdHost(const void* src, int64_t srcOff, std::vector<int64_t> srcStride, void* dst,
                int64_t dstOff, std::vector<int64_t> dstStride, Shape shape, size_t elemSize);
// The device version: kernel "copy_nd" of nn_data.cl built for `elemSize` (copyKernel), or a
// clEnqueueCopyBuffer when both sides collapse to one contiguous run. Offsets are in elements and
// include the tensors' own offsets.
Expected<compute::ClKernel> copyKernel(const ClOpContext& ctx, size_t elemSize);
Status enqueueCopyNd(const ClOpContext& ctx, cl_kernel copyNd, cl_mem src, int64_t srcOff,
                     std::vector<int64_t> srcStride, cl_mem dst, int64_t dstOff,
                     std::vector<int64_t> dstStride, Shape shape, size_t elemSize);

// Bytes per element of a `dtype` tensor on the device (2 for float32 under fp16 storage).
size_t storageSize(const ClOpContext& ctx, DType dtype);
DType storageDType(const ClOpContext& ctx, DType dtype);

size_t roundUp(size_t v, size_t m);
// Element offset of a device tensor (its byte offset must be a multiple of the element size).
Expected<cl_int> elementOffset(const DeviceTensor& t);
// Copies the bytes of `src` into `dst` (same size); nothing when they are the same range.
Status copyDevice(const ClOpContext& ctx, const DeviceTensor& src, const DeviceTensor& dst);
// The OpenCL C unsigned type of an element of `bytes` size ("uchar", "ushort", "uint", "ulong").
const char* clByteType(size_t bytes);

// Up to 8 dims for N-d index kernels (shapes padded with leading 1s, strides with 0s).
constexpr int kMaxDims = 8;
cl_int8 toInt8(const std::vector<int64_t>& v, int64_t pad);

}  // namespace sl::nn
