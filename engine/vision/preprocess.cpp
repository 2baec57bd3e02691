#include "vision/preprocess.h"

#include "compute/cl_error.h"
#include "compute/program_cache.h"
#include "vision/preprocess_reference.h"

#include <string>
#include <utility>

namespace sl::vision {
namespace {

constexpr const char* kFile = "preprocess.cl";

Status invalid(const std::string& what) {
    return Status(StatusCode::InvalidArgument, "vision/preprocess: " + what);
}

Expected<size_t> memSize(cl_mem m) {
    size_t size = 0;
    SL_CL_TRY(clGetMemObjectInfo(m, CL_MEM_SIZE, sizeof size, &size, nullptr));
    return size;
}

// A plane of at least w x h samples of `step` bytes that fits its buffer.
Status checkPlane(const interop::PlaneView& p, const char* name, int w, int h, int step) {
    if (!p.mem) return invalid(std::string(name) + " plane has no buffer");
    if (p.width < w || p.height < h)
        return invalid(std::string(name) + " plane is " + std::to_string(p.width) + "x" +
                       std::to_string(p.height) + ", needs " + std::to_string(w) + "x" +
                       std::to_string(h));
    if (p.stride < w * step)
        return invalid(std::string(name) + " plane stride " + std::to_string(p.stride) +
                       " < row bytes " + std::to_string(w * step));
    auto size = memSize(p.mem);
    if (!size) return size.status();
    const size_t need = p.offset + size_t(p.stride) * size_t(h - 1) + size_t(w) * size_t(step);
    if (need > *size)
        return invalid(std::string(name) + " plane needs " + std::to_string(need) +
                       " bytes, its buffer has " + std::to_string(*size));
    if (p.offset > size_t(INT32_MAX) || need > size_t(INT32_MAX))
        return invalid(std::string(name) + " plane lies beyond 2 GiB of its buffer");
    return Status::ok();
}

cl_float4 f4(float a, float b, float c, float d) {
    cl_float4 v;
    v.s[0] = a;
    v.s[1] = b;
    v.s[2] = c;
    v.s[3] = d;
    return v;
}

}  // namespace

Expected<Preprocessor> Preprocessor::create(const compute::ComputeContext& ctx) {
    Preprocessor p;
    p.ctx_ = &ctx;
    // Half output is stored with vstore_half_rte: core OpenCL, no cl_khr_fp16 needed.
    const std::pair<compute::ClKernel*, const char*> kernels[] = {
        {&p.u8f32_, "preprocess_uchar_f32"},
        {&p.u8f16_, "preprocess_uchar_f16"},
        {&p.u16f32_, "preprocess_ushort_f32"},
        {&p.u16f16_, "preprocess_ushort_f16"},
    };
    for (const auto& [slot, name] : kernels) {
        auto k = ctx.programs().kernel(ctx, kFile, name);
        if (!k) return k.status().withContext("vision/preprocess");
        *slot = std::move(*k);
    }
    return p;
}

Status Preprocessor::run(const DeviceYuvFrame& src, const PreprocessParams& params, cl_mem output,
                         size_t outputOffsetBytes, const std::vector<cl_event>& waitList,
                         compute::ClEvent* done, cl_command_queue queue) {
    if (src.width <= 0 || src.height <= 0)
        return invalid("source size " + std::to_string(src.width) + "x" +
                       std::to_string(src.height));
    if (params.dstWidth <= 0 || params.dstHeight <= 0)
        return invalid("tensor size " + std::to_string(params.dstWidth) + "x" +
                       std::to_string(params.dstHeight));
    for (float s : params.std)
        if (s == 0.0f) return invalid("std of 0");
    if (!output) return invalid("no output buffer");

    const media::PixelFormatDesc& desc = media::describe(src.format);
    const SampleGrids g = sampleGrids(src.format, src.width, src.height);
    const char* const yuvNames[3] = {"Y", desc.semiPlanar ? "UV" : "U", "V"};
    for (int i = 0; i < desc.planeCount; ++i)
        SL_TRY(checkPlane(src.planes[size_t(i)],
                          desc.family == media::FormatFamily::Rgb ? "RGB" : yuvNames[i],
                          media::planeWidth(src.format, i, src.width),
                          media::planeHeight(src.format, i, src.height),
                          media::planeSampleBytes(src.format, i)));
    const size_t outBytes = preprocessOutputBytes(params);
    auto outSize = memSize(output);
    if (!outSize) return outSize.status();
    if (outputOffsetBytes + outBytes > *outSize)
        return invalid("output needs " + std::to_string(outputOffsetBytes + outBytes) +
                       " bytes, its buffer has " + std::to_string(*outSize));
    const size_t elem = params.type == TensorType::Float16 ? 2 : 4;
    if (outputOffsetBytes % elem != 0)
        return invalid("output offset not a multiple of the element");
    if ((outputOffsetBytes + outBytes) / elem > size_t(INT32_MAX))
        return invalid("output lies beyond 2^31 elements of its buffer");

    const PreprocessConstants c = preprocessConstants(src.width, src.height, src.format,
                                                      src.matrix, src.range, src.chroma, params);
    // Offsets, strides and steps go to the kernel in elements of its sample type.
    const size_t eb = size_t(g.elementBytes);
    cl_mem mem[3];
    cl_int off[3], stride[3];
    for (int i = 0; i < 3; ++i) {
        const interop::PlaneView& pv = src.planes[size_t(g.plane[i])];
        if (pv.offset % eb != 0 || size_t(pv.stride) % eb != 0)
            return invalid("16-bit plane at an odd offset or stride");
        mem[i] = pv.mem;
        off[i] = cl_int(pv.offset / eb) + g.first[i];
        stride[i] = cl_int(size_t(pv.stride) / eb);
    }
    if (stride[1] != stride[2])
        return invalid("U and V planes have different strides (" +
                       std::to_string(src.planes[size_t(g.plane[1])].stride) + ", " +
                       std::to_string(src.planes[size_t(g.plane[2])].stride) + ")");
    const cl_int yStep = g.step[0], cStep = g.step[1], shift = g.shift;
    const cl_int srcW = src.width, srcH = src.height;
    const cl_int chromaW = g.chromaWidth, chromaH = g.chromaHeight;
    const cl_float cSx = g.chromaScaleX, cSy = g.chromaScaleY, cOff = c.chromaOffset;
    const cl_float cPx = c.chromaPosX, cPy = c.chromaPosY;
    const cl_int dstW = params.dstWidth, dstH = params.dstHeight;
    const cl_int ox = c.box.offsetX, oy = c.box.offsetY, rw = c.box.width, rh = c.box.height;
    const cl_float invSx = c.invScaleX, invSy = c.invScaleY, scale = c.scale;
    cl_float4 rows[3];
    for (int i = 0; i < 3; ++i)
        rows[i] = f4(c.rows[i][0], c.rows[i][1], c.rows[i][2], c.rows[i][3]);
    const cl_float4 mean = f4(c.mean[0], c.mean[1], c.mean[2], 0.0f);
    const cl_float4 invStd = f4(c.invStd[0], c.invStd[1], c.invStd[2], 0.0f);
    const cl_float4 pad = f4(c.pad[0], c.pad[1], c.pad[2], 0.0f);
    const cl_int outOff = cl_int(outputOffsetBytes / elem);

    const bool wide = g.elementBytes == 2;
    cl_kernel k = params.type == TensorType::Float16 ? (wide ? u16f16_ : u8f16_).get()
                                                     : (wide ? u16f32_ : u8f32_).get();
    cl_uint i = 0;
    auto arg = [&](size_t size, const void* value) {
        return clSetKernelArg(k, i++, size, value);
    };
    // Argument order is PREPROCESS_ARGS in kernels/preprocess.cl, then the output.
    SL_CL_TRY(arg(sizeof(cl_mem), &mem[0]));
    SL_CL_TRY(arg(sizeof(cl_int), &off[0]));
    SL_CL_TRY(arg(sizeof(cl_int), &stride[0]));
    SL_CL_TRY(arg(sizeof yStep, &yStep));
    SL_CL_TRY(arg(sizeof(cl_mem), &mem[1]));
    SL_CL_TRY(arg(sizeof(cl_int), &off[1]));
    SL_CL_TRY(arg(sizeof(cl_mem), &mem[2]));
    SL_CL_TRY(arg(sizeof(cl_int), &off[2]));
    SL_CL_TRY(arg(sizeof(cl_int), &stride[1]));
    SL_CL_TRY(arg(sizeof cStep, &cStep));
    SL_CL_TRY(arg(sizeof shift, &shift));
    SL_CL_TRY(arg(sizeof srcW, &srcW));
    SL_CL_TRY(arg(sizeof srcH, &srcH));
    SL_CL_TRY(arg(sizeof chromaW, &chromaW));
    SL_CL_TRY(arg(sizeof chromaH, &chromaH));
    SL_CL_TRY(arg(sizeof cSx, &cSx));
    SL_CL_TRY(arg(sizeof cSy, &cSy));
    SL_CL_TRY(arg(sizeof cPx, &cPx));
    SL_CL_TRY(arg(sizeof cPy, &cPy));
    SL_CL_TRY(arg(sizeof dstW, &dstW));
    SL_CL_TRY(arg(sizeof dstH, &dstH));
    SL_CL_TRY(arg(sizeof ox, &ox));
    SL_CL_TRY(arg(sizeof oy, &oy));
    SL_CL_TRY(arg(sizeof rw, &rw));
    SL_CL_TRY(arg(sizeof rh, &rh));
    SL_CL_TRY(arg(sizeof invSx, &invSx));
    SL_CL_TRY(arg(sizeof invSy, &invSy));
    for (const cl_float4& r : rows) SL_CL_TRY(arg(sizeof r, &r));
    SL_CL_TRY(arg(sizeof cOff, &cOff));
    SL_CL_TRY(arg(sizeof scale, &scale));
    SL_CL_TRY(arg(sizeof mean, &mean));
    SL_CL_TRY(arg(sizeof invStd, &invStd));
    SL_CL_TRY(arg(sizeof pad, &pad));
    SL_CL_TRY(arg(sizeof outOff, &outOff));
    SL_CL_TRY(arg(sizeof(cl_mem), &output));

    const size_t global[2] = {size_t(dstW), size_t(dstH)};
    // Rows of 32 work items (16 or 8 when the width needs it): PoCL's own pick for a 416-wide
    // tensor vectorised the gathers worse, 1.18 ms vs 0.62 ms per 720p -> 416 frame
    // (bench_preprocess, 2 cores). 32 is also a whole warp / wavefront half on GPUs.
    size_t local[2] = {0, 1};
    for (size_t l : {32, 16, 8})
        if (local[0] == 0 && global[0] % l == 0) local[0] = l;
    SL_CL_TRY(clEnqueueNDRangeKernel(queue ? queue : ctx_->queue(), k, 2, nullptr, global,
                                     local[0] ? local : nullptr,
                                     cl_uint(waitList.size()),
                                     waitList.empty() ? nullptr : waitList.data(),
                                     done ? done->out() : nullptr));
    return Status::ok();
}

}  // namespace sl::vision
