#include "nn/ops/op_util.h"

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/embedded_kernels.h"
#include "compute/program_cache.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>

namespace sl::nn {

Status NodeOp::fail(const std::string& what, StatusCode code) const {
    return Status(code, "nn/" + opType_ + " '" + name_ + "': " + what);
}

Status NodeOp::requireInputs(std::span<const TensorInfo* const> inputs, size_t count) const {
    if (inputs.size() < count) return fail("needs " + std::to_string(count) + " inputs");
    for (size_t i = 0; i < count; ++i)
        if (!inputs[i]) return fail("input " + std::to_string(i) + " is missing");
    return Status::ok();
}

Status nodeError(const NodeDesc& node, const std::string& what, StatusCode code) {
    return Status(code, "nn/" + node.opType + " '" + node.name + "': " + what);
}

std::vector<int64_t> contiguousStrides(const Shape& s) {
    std::vector<int64_t> st(s.size(), 1);
    for (int i = int(s.size()) - 2; i >= 0; --i) st[i] = st[i + 1] * s[i + 1];
    return st;
}

int64_t normalizeAxis(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank) return -1;
    return axis < 0 ? axis + rank : axis;
}

bool broadcastShapes(const Shape& a, const Shape& b, Shape& out) {
    const size_t r = std::max(a.size(), b.size());
    out.assign(r, 1);
    for (size_t i = 0; i < r; ++i) {
        const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
        const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
        if (da != db && da != 1 && db != 1) return false;
        out[i] = da == 1 ? db : da;
    }
    return true;
}

std::vector<int64_t> broadcastStrides(const Shape& in, const Shape& out) {
    std::vector<int64_t> st(out.size(), 0);
    const auto cs = contiguousStrides(in);
    const size_t lead = out.size() - in.size();
    for (size_t i = 0; i < in.size(); ++i) st[lead + i] = in[i] == 1 ? 0 : cs[i];
    return st;
}

int64_t product(const Shape& s, size_t begin, size_t end) {
    int64_t p = 1;
    for (size_t i = begin; i < end && i < s.size(); ++i) p *= s[i];
    return p;
}

int64_t windowOutput(const std::string& autoPad, int64_t in, int64_t ke, int64_t stride,
                     bool ceilMode, int64_t& padBegin, int64_t& padEnd) {
    if (stride <= 0 || ke <= 0) return -1;
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        const int64_t out = (in + stride - 1) / stride;
        const int64_t total = std::max<int64_t>(0, (out - 1) * stride + ke - in);
        padBegin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
        padEnd = total - padBegin;
        return out;
    }
    if (autoPad == "VALID") padBegin = padEnd = 0;
    const int64_t span = in + padBegin + padEnd - ke;
    if (span < 0) return -1;
    int64_t out = span / stride + 1;
    if (ceilMode) {
        out = (span + stride - 1) / stride + 1;
        if ((out - 1) * stride >= in + padBegin) --out;
    }
    return out;
}

void collapseDims(Shape& shape, std::vector<std::vector<int64_t>*> strides) {
    Shape outShape;
    std::vector<std::vector<int64_t>> outStrides(strides.size());
    for (size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == 1) continue;
        bool merge = !outShape.empty();
        for (size_t k = 0; merge && k < strides.size(); ++k)
            merge = outStrides[k].back() == (*strides[k])[d] * shape[d];
        if (merge) {
            outShape.back() *= shape[d];
            for (size_t k = 0; k < strides.size(); ++k) outStrides[k].back() = (*strides[k])[d];
        } else {
            outShape.push_back(shape[d]);
            for (size_t k = 0; k < strides.size(); ++k) outStrides[k].push_back((*strides[k])[d]);
        }
    }
    if (outShape.empty()) {
        outShape.push_back(1);
        for (auto& s : outStrides) s.push_back(1);
    }
    shape = outShape;
    for (size_t k = 0; k < strides.size(); ++k) *strides[k] = outStrides[k];
}

bool readInts(const Tensor& t, std::vector<int64_t>& out) {
    out.clear();
    const int64_t n = t.elements();
    if (t.dtype() == DType::Int64) {
        out.assign(t.data<int64_t>(), t.data<int64_t>() + n);
    } else if (t.dtype() == DType::Int32) {
        for (int64_t i = 0; i < n; ++i) out.push_back(t.data<int32_t>()[i]);
    } else {
        return false;
    }
    return true;
}

bool readScalar(const Tensor& t, double& out) {
    if (t.elements() != 1) return false;
    switch (t.dtype()) {
    case DType::Float32: out = t.data<float>()[0]; return true;
    case DType::Float64: out = t.data<double>()[0]; return true;
    case DType::Int64: out = double(t.data<int64_t>()[0]); return true;
    case DType::Int32: out = t.data<int32_t>()[0]; return true;
    case DType::Int8: out = t.data<int8_t>()[0]; return true;
    case DType::UInt8: out = t.data<uint8_t>()[0]; return true;
    default: return false;
    }
}

Expected<Activation> fusedActivation(const NodeDesc& node) {
    Activation a;
    const std::string name = node.attributes.get<std::string>(kFusedActivationAttr, "");
    const float alpha = node.attributes.get<float>(kFusedAlphaAttr, NAN);
    const float beta = node.attributes.get<float>(kFusedBetaAttr, NAN);
    auto pick = [](float v, float d) { return std::isnan(v) ? d : v; };
    const float inf = std::numeric_limits<float>::infinity();
    if (name.empty()) return a;
    if (name == "relu") a.kind = Act::Relu;
    else if (name == "leaky_relu") a = {Act::LeakyRelu, pick(alpha, 0.01f), 0};
    else if (name == "clip") a = {Act::Clip, pick(alpha, -inf), pick(beta, inf)};
    else if (name == "sigmoid") a.kind = Act::Sigmoid;
    else if (name == "silu") a.kind = Act::Silu;
    else if (name == "hard_swish") a.kind = Act::HardSwish;
    else if (name == "hard_sigmoid") a = {Act::HardSigmoid, pick(alpha, 0.2f), pick(beta, 0.5f)};
    else return nodeError(node, "fused activation '" + name + "' is not supported",
                          StatusCode::Unsupported);
    return a;
}

float applyActivation(const Activation& a, float v) {
    switch (a.kind) {
    case Act::None: return v;
    case Act::Relu: return v > 0 ? v : 0.0f;
    case Act::LeakyRelu: return v < 0 ? v * a.alpha : v;
    case Act::Clip: return std::min(std::max(v, a.alpha), a.beta);
    case Act::Sigmoid: return 1.0f / (1.0f + std::exp(-v));
    case Act::Silu: return v / (1.0f + std::exp(-v));
    case Act::HardSwish: return v * std::min(1.0f, std::max(0.0f, v / 6.0f + 0.5f));
    case Act::HardSigmoid: return std::min(1.0f, std::max(0.0f, a.alpha * v + a.beta));
    case Act::Tanh: return std::tanh(v);
    case Act::Exp: return std::exp(v);
    }
    return v;
}

std::string activationDefine(const Activation& a) {
    return " -DACT=" + std::to_string(int(a.kind));
}

Expected<compute::ClKernel> buildKernel(const ClOpContext& ctx, std::string_view file,
                                        std::string_view kernelName, const std::string& options) {
    if (!ctx.compute || !ctx.programs) return Status(StatusCode::InvalidArgument,
                                                     "nn: no OpenCL context for the op");
    const std::string_view common = compute::embeddedKernelSource("nn_common.cl");
    const std::string_view body = compute::embeddedKernelSource(file);
    if (common.empty() || body.empty())
        return Status(StatusCode::NotFound, "nn: kernel file '" + std::string(file) +
                                                "' is not embedded");
    std::string source(common);
    source += "\n";
    source += body;
    // The storage variant is part of the options, hence of the program cache key.
    // Without cl_khr_fp16 the half conversions are done in the kernel (nn_common.cl SL_FP16_SOFT).
    std::string opts = options;
    if (ctx.halfStorage)
        opts += ctx.compute->info().fp16 ? " -DSL_FP16=1" : " -DSL_FP16=1 -DSL_FP16_SOFT=1";
    auto program = ctx.programs->get(*ctx.compute, file, source, opts);
    if (!program) return program.status();
    cl_int err = CL_SUCCESS;
    compute::ClKernel k(clCreateKernel(*program, std::string(kernelName).c_str(), &err));
    SL_CL_TRY_ERR(err, "clCreateKernel(" + std::string(kernelName) + ")");
    return k;
}

Status clArgStatus(cl_int err, cl_uint index) {
    return compute::clStatus(err, "clSetKernelArg(#" + std::to_string(index) + ")", __FILE__,
                             __LINE__);
}

void copyNdHost(const void* src, int64_t srcOff, std::vector<int64_t> srcStride, void* dst,
                int64_t dstOff, std::vector<int64_t> dstStride, Shape shape, size_t elemSize) {
    const int64_t n = elementCount(shape);
    if (n == 0) return;
    collapseDims(shape, {&srcStride, &dstStride});
    const auto* s = static_cast<const uint8_t*>(src);
    auto* d = static_cast<uint8_t*>(dst);
    const int r = int(shape.size());
    std::vector<int64_t> idx(r, 0);
    int64_t so = srcOff, dof = dstOff;
    for (int64_t i = 0; i < n; ++i) {
        std::memcpy(d + dof * int64_t(elemSize), s + so * int64_t(elemSize), elemSize);
        for (int k = r - 1; k >= 0; --k) {
            so += srcStride[k], dof += dstStride[k];
            if (++idx[k] < shape[k]) break;
            so -= srcStride[k] * shape[k], dof -= dstStride[k] * shape[k];
            idx[k] = 0;
        }
    }
}

Expected<compute::ClKernel> copyKernel(const ClOpContext& ctx, size_t elemSize) {
    return buildKernel(ctx, "nn_data.cl", "copy_nd", std::string(" -DT=") + clByteType(elemSize));
}

Status enqueueCopyNd(const ClOpContext& ctx, cl_kernel copyNd, cl_mem src, int64_t srcOff,
                     std::vector<int64_t> srcStride, cl_mem dst, int64_t dstOff,
                     std::vector<int64_t> dstStride, Shape shape, size_t elemSize) {
    const int64_t n = elementCount(shape);
    if (n == 0) return Status::ok();
    collapseDims(shape, {&srcStride, &dstStride});
    if (shape.size() == 1 && srcStride[0] == 1 && dstStride[0] == 1) {
        SL_CL_TRY(clEnqueueCopyBuffer(ctx.queue, src, dst, size_t(srcOff) * elemSize,
                                      size_t(dstOff) * elemSize, size_t(n) * elemSize, 0,
                                      nullptr, nullptr));
        return Status::ok();
    }
    const size_t r = shape.size();
    // Up to 3 dims with contiguous rows: a rectangular buffer copy (the driver's memcpy loop;
    // Concat's slabs, most Split/Transpose-free layouts).
    if (r <= 3 && srcStride[r - 1] == 1 && dstStride[r - 1] == 1 && srcOff >= 0 && dstOff >= 0) {
        // The pitches must describe non-overlapping rows/slices (OpenCL's rules for rect copies).
        bool ok = src != dst;
        for (size_t d = 0; d < r; ++d) ok = ok && srcStride[d] > 0 && dstStride[d] > 0;
        for (size_t d = 0; ok && d + 1 < r; ++d)
            for (const auto* st : {&srcStride, &dstStride}) {
                const int64_t inner = (*st)[d + 1] * shape[d + 1];
                ok = ok && (*st)[d] >= inner && (*st)[d] % (*st)[d + 1] == 0;
            }
        if (ok) {
            const size_t es = elemSize;
            size_t region[3] = {size_t(shape[r - 1]) * es, 1, 1};
            size_t srcPitch[2] = {0, 0}, dstPitch[2] = {0, 0};
            for (size_t d = 0; d + 1 < r; ++d) {
                region[r - 1 - d] = size_t(shape[d]);
                srcPitch[r - 2 - d] = size_t(srcStride[d]) * es;
                dstPitch[r - 2 - d] = size_t(dstStride[d]) * es;
            }
            const size_t srcOrigin[3] = {size_t(srcOff) * es, 0, 0};
            const size_t dstOrigin[3] = {size_t(dstOff) * es, 0, 0};
            SL_CL_TRY(clEnqueueCopyBufferRect(ctx.queue, src, dst, srcOrigin, dstOrigin, region,
                                              srcPitch[0], srcPitch[1], dstPitch[0],
                                              dstPitch[1], 0, nullptr, nullptr));
            return Status::ok();
        }
    }
    if (r > size_t(kMaxDims))
        return Status(StatusCode::Unsupported, "nn: copy of more than 8 dims");
    const size_t inner = size_t(shape[r - 1]);
    const size_t mid = r >= 2 ? size_t(shape[r - 2]) : 1;
    constexpr size_t kRun = 16;   // COPY_RUN in nn_data.cl
    // A transpose of the last two dims (destination rows contiguous, source columns contiguous)
    // moves 16 x 16 tiles when both dims hold at least one.
    const bool tile = r >= 2 && dstStride[r - 1] == 1 && srcStride[r - 2] == 1 &&
                      srcStride[r - 1] != 1 && inner >= kRun && mid >= kRun;
    SL_TRY(setArgs(copyNd, src, cl_int(srcOff), dst, cl_int(dstOff), toInt8(shape, 1),
                   toInt8(srcStride, 0), toInt8(dstStride, 0), cl_int(tile ? 1 : 0)));
    const size_t rows = tile ? (mid + kRun - 1) / kRun : mid;
    const size_t g[3] = {(inner + kRun - 1) / kRun, rows, size_t(n) / (inner * mid)};
    // Work-groups of up to 64 rows (the kernel skips rows past the end of a rounded-up range):
    // one item per group made PoCL schedule 21k groups for YOLOX's final [85 x 3549] transpose
    // (Transpose 0.47 -> 0.35 ms, its Concat 0.28 -> 0.21 ms, 2 loaded cores).
    const size_t l[3] = {1, std::min<size_t>(64, rows), 1};
    return launch(ctx, copyNd, g, l);
}

DType storageDType(const ClOpContext& ctx, DType dtype) {
    return ctx.halfStorage && dtype == DType::Float32 ? DType::Float16 : dtype;
}

size_t storageSize(const ClOpContext& ctx, DType dtype) {
    return dtypeSize(storageDType(ctx, dtype));
}

size_t roundUp(size_t v, size_t m) { return m == 0 ? v : (v + m - 1) / m * m; }

std::array<size_t, 3> planeGroup(const ClOpContext& ctx, cl_kernel k, size_t h, size_t planes) {
    // The kernel's own limit (GPUs may allow fewer items for a kernel than for the device).
    size_t kernelMax = 0;
    if (clGetKernelWorkGroupInfo(k, ctx.compute->device(), CL_KERNEL_WORK_GROUP_SIZE,
                                 sizeof kernelMax, &kernelMax, nullptr) != CL_SUCCESS)
        kernelMax = 0;
    const size_t maxItems = std::min<size_t>(1024, kernelMax >= 16 ? kernelMax : 16);
    size_t rows = std::max<size_t>(1, std::min<size_t>(16, h));
    while (rows > 1 && 16 * rows > maxItems) rows /= 2;
    size_t z = 1;
    while (planes % (z * 2) == 0 && 16 * rows * z * 2 <= maxItems && planes / (z * 2) >= 8)
        z *= 2;
    return {16, rows, z};
}

Status launch(const ClOpContext& ctx, cl_kernel k, std::span<const size_t> global,
              std::span<const size_t> local) {
    size_t g[3] = {1, 1, 1}, l[3] = {1, 1, 1};
    bool haveLocal = !local.empty();
    for (size_t i = 0; i < global.size(); ++i) {
        if (global[i] == 0) return Status::ok();
        l[i] = haveLocal ? std::max<size_t>(1, local[i]) : 1;
        g[i] = roundUp(global[i], l[i]);
    }
    SL_CL_TRY(clEnqueueNDRangeKernel(ctx.queue, k, cl_uint(global.size()), nullptr, g,
                                     haveLocal ? l : nullptr, 0, nullptr, nullptr));
    return Status::ok();
}

Expected<cl_int> elementOffset(const DeviceTensor& t) {
    const size_t es = dtypeSize(t.info.dtype);
    if (t.offset % es != 0)
        return Status(StatusCode::InvalidArgument,
                      "nn: device tensor offset " + std::to_string(t.offset) +
                          " is not a multiple of its element size");
    return cl_int(t.offset / es);
}

Status copyDevice(const ClOpContext& ctx, const DeviceTensor& src, const DeviceTensor& dst) {
    const size_t bytes = size_t(elementCount(src.info.shape)) * dtypeSize(src.info.dtype);
    if (bytes == 0 || (src.mem == dst.mem && src.offset == dst.offset)) return Status::ok();
    SL_CL_TRY(clEnqueueCopyBuffer(ctx.queue, src.mem, dst.mem, src.offset, dst.offset, bytes, 0,
                                  nullptr, nullptr));
    return Status::ok();
}

const char* clByteType(size_t bytes) {
    switch (bytes) {
    case 1: return "uchar";
    case 2: return "ushort";
    case 4: return "uint";
    default: return "ulong";
    }
}

cl_int8 toInt8(const std::vector<int64_t>& v, int64_t pad) {
    cl_int8 r;
    const size_t lead = kMaxDims - v.size();
    for (size_t i = 0; i < size_t(kMaxDims); ++i)
        r.s[i] = cl_int(i < lead ? pad : v[i - lead]);
    return r;
}

}  // namespace sl::nn
