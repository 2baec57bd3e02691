// bench_ops: convolution kernels on the OpenCL device, GFLOP/s per YOLOX-Nano-like layer shape and
// per kernel variant (nn/ops/conv.h ConvTuning), plus the CPU reference for scale.
// usage: bench_ops [--runs N] [--warmup N] [--sweep] [--model M.onnx]
//   --sweep tries the tuning variants; --model prints the per-op-type profile of a whole model
//   (OpenCL session, median run of the timed runs).
#include "bench_util.h"

#include "compute/cl_context.h"
#include "nn/ops/conv.h"
#include "nn/ops/op_registry.h"
#include "nn/runtime/session.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>

using namespace sl;
using namespace sl::nn;

namespace {

struct Layer {
    const char* name;
    Shape x;
    int64_t m, k, s, group;
    const char* act;
};

// Representative YOLOX-Nano 416x416 layers (after BN folding and SiLU fusion).
const Layer kLayers[] = {
    {"stem 3x3 12->16 @208", {1, 12, 208, 208}, 16, 3, 1, 1, "silu"},
    {"dw 3x3 s2 16 @208", {1, 16, 208, 208}, 16, 3, 2, 16, "silu"},
    {"1x1 16->32 @104", {1, 16, 104, 104}, 32, 1, 1, 1, "silu"},
    {"dw 3x3 32 @104", {1, 32, 104, 104}, 32, 3, 1, 32, "silu"},
    {"1x1 64->64 @52", {1, 64, 52, 52}, 64, 1, 1, 1, "silu"},
    {"1x1 128->128 @26", {1, 128, 26, 26}, 128, 1, 1, 1, "silu"},
    {"1x1 256->256 @13", {1, 256, 13, 13}, 256, 1, 1, 1, "silu"},
    {"1x1 64->80 @52 head", {1, 64, 52, 52}, 80, 1, 1, 1, "sigmoid"},
    {"dw 3x3 s2 128 @26", {1, 128, 26, 26}, 128, 3, 2, 128, "silu"},
    {"3x3 64->64 @52 (dense)", {1, 64, 52, 52}, 64, 3, 1, 1, "silu"},
};

struct Prepared {
    std::unique_ptr<Op> op;
    std::vector<compute::ClMem> mems;
    std::vector<DeviceTensor> in, out;
    std::vector<Tensor> host;
};

bool prepare(const compute::ComputeContext& ctx, const Layer& l, Prepared& p, std::mt19937& rng) {
    Attributes a;
    a.set("kernel_shape", std::vector<int64_t>{l.k, l.k});
    a.set("strides", std::vector<int64_t>{l.s, l.s});
    a.set("pads", std::vector<int64_t>{l.k / 2, l.k / 2, l.k / 2, l.k / 2});
    a.set("group", l.group);
    a.set(kFusedActivationAttr, std::string(l.act));
    NodeDesc node{"Conv", l.name, 13, a, 3, 1};
    auto op = createOp(node);
    if (!op) {
        std::cerr << op.status().message() << "\n";
        return false;
    }
    p.op = std::move(*op);
    std::uniform_real_distribution<float> d(-1, 1);
    auto rnd = [&](Shape s) {
        Tensor t(DType::Float32, s);
        for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = d(rng);
        return t;
    };
    p.host = {rnd(l.x), rnd({l.m, l.x[1] / l.group, l.k, l.k}), rnd({l.m})};
    std::vector<TensorInfo> infos{p.host[0].info(), p.host[1].info(), p.host[2].info()};
    const TensorInfo* ip[3] = {&infos[0], &infos[1], &infos[2]};
    const Tensor* cp[3] = {nullptr, &p.host[1], &p.host[2]};
    std::vector<TensorInfo> outs;
    Status st = p.op->inferOutputs(ip, cp, outs);
    if (st) st = p.op->prepareDevice({&ctx, &ctx.programs(), ctx.queue()}, cp);
    if (!st) {
        std::cerr << st.message() << "\n";
        return false;
    }
    for (const Tensor& t : p.host) {
        auto m = ctx.createBuffer(CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, t.bytes(),
                                  const_cast<void*>(t.raw()));
        if (!m) return false;
        p.in.push_back({m->get(), 0, t.info()});
        p.mems.push_back(std::move(*m));
    }
    auto m = ctx.createBuffer(CL_MEM_READ_WRITE,
                              size_t(elementCount(outs[0].shape)) * sizeof(float));
    if (!m) return false;
    p.out.push_back({m->get(), 0, outs[0]});
    p.mems.push_back(std::move(*m));
    return true;
}

const char* kernelName(const Op& op) {
    switch (static_cast<const Conv&>(op).deviceKernel()) {
    case Conv::Kernel::Gemm1x1: return convTuning().gemmVector ? "conv1x1_v8" : "conv1x1";
    case Conv::Kernel::Depthwise: return "conv_dw";
    case Conv::Kernel::Direct: return "conv_direct";
    }
    return "?";
}

// Median ms of the device path, or -1.
double timeDevice(const compute::ComputeContext& ctx, Prepared& p, int warmup, int runs) {
    const ClOpContext cl{&ctx, &ctx.programs(), ctx.queue()};
    bool ok = true;
    auto times = bench::timeRuns(warmup, runs, [&] {
        ok = ok && p.op->runDevice(cl, p.in, p.out).isOk() && ctx.finish().isOk();
    });
    return ok ? bench::summarize(times).median : -1;
}

int profileModel(const compute::ComputeContext& ctx, const std::string& path, int warmup,
                 int runs) {
    SessionOptions o;
    o.profile = true;
    o.compute = &ctx;
    auto s = Session::load(path, o);
    if (!s) {
        std::cerr << s.status().message() << "\n";
        return 1;
    }
    std::vector<Tensor> inputs;
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> d(0, 255);
    for (const SessionIo& io : (*s)->inputs()) {
        Tensor t(io.info.dtype, io.info.shape);
        for (int64_t i = 0; i < t.elements(); ++i) t.data<float>()[i] = d(rng);
        inputs.push_back(std::move(t));
    }
    std::vector<std::pair<double, Profile>> profiles;
    for (int i = 0; i < warmup + runs; ++i) {
        auto out = (*s)->run(inputs);
        if (!out) {
            std::cerr << out.status().message() << "\n";
            return 1;
        }
        if (i >= warmup) profiles.emplace_back((*s)->lastProfile().totalMs, (*s)->lastProfile());
    }
    std::sort(profiles.begin(), profiles.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::cout << profiles[profiles.size() / 2].second.format(15);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 20, warmup = 3;
    bool sweep = false;
    std::string model;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--sweep")) sweep = true;
        else if (!std::strcmp(argv[i], "--model") && i + 1 < argc) model = argv[++i];
        else {
            std::cerr << "usage: bench_ops [--runs N] [--warmup N] [--sweep] [--model M.onnx]\n";
            return 2;
        }
    }
    auto ctx = compute::ComputeContext::create();
    if (!ctx) {
        std::cerr << ctx.status().message() << "\n";
        return 1;
    }
    std::cout << "device: " << ctx->info().displayName() << ", " << ctx->info().computeUnits
              << " CU; runs " << runs << " (median)\n";
    if (!model.empty()) return profileModel(*ctx, model, warmup, runs);
    struct Variant {
        const char* label;
        ConvTuning t;
    };
    std::vector<Variant> variants{{"default", ConvTuning{}}};
    if (sweep) {
        auto v = [](bool vec, int cob, size_t gl, int dcob, size_t dl, size_t dwl) {
            ConvTuning t;
            t.gemmVector = vec, t.gemmCob = cob, t.gemmLocal = gl;
            t.directCob = dcob, t.directLocal = dl, t.dwLocal = dwl;
            return t;
        };
        variants = {{"scalar cob8 l16", v(false, 8, 16, 4, 16, 16)},
                    {"scalar cob4 l16", v(false, 4, 16, 2, 16, 16)},
                    {"scalar cob8 l64", v(false, 8, 64, 8, 64, 64)},
                    {"scalar cob16 l32", v(false, 16, 32, 8, 32, 32)},
                    {"vec8 cob4 l8", v(true, 4, 8, 4, 8, 8)},
                    {"vec8 cob8 l8", v(true, 8, 8, 4, 32, 32)},
                    {"vec8 cob8 l1", v(true, 8, 1, 4, 16, 16)}};
    }
    bench::printRow({"layer", "variant", "kernel", "MFLOP", "ms", "GFLOP/s"},
                    {28, 18, 12, 8, 8, 8});
    std::mt19937 rng(7);
    double totalFlops = 0;
    for (const Variant& var : variants) {
        convTuning() = var.t;
        double sumMs = 0;
        totalFlops = 0;
        for (const Layer& l : kLayers) {
            Prepared p;
            if (!prepare(*ctx, l, p, rng)) return 1;
            const double ms = timeDevice(*ctx, p, warmup, runs);
            if (ms < 0) return 1;
            const double flops = p.op->flops();
            totalFlops += flops;
            sumMs += ms;
            bench::printRow({l.name, var.label, kernelName(*p.op), bench::fixed(flops / 1e6, 1),
                             bench::fixed(ms, 3), bench::fixed(flops / ms / 1e6, 1)},
                            {28, 18, 12, 8, 8, 8});
        }
        bench::printRow({"all layers", var.label, "", bench::fixed(totalFlops / 1e6, 1),
                         bench::fixed(sumMs, 3), bench::fixed(totalFlops / sumMs / 1e6, 1)},
                        {28, 18, 12, 8, 8, 8});
    }
    // CPU reference on one layer, for scale.
    Prepared p;
    convTuning() = ConvTuning{};
    if (!prepare(*ctx, kLayers[4], p, rng)) return 1;
    std::vector<Tensor> out{Tensor(DType::Float32, p.out[0].info.shape)};
    const Tensor* ins[3] = {&p.host[0], &p.host[1], &p.host[2]};
    auto t = bench::timeRuns(0, 3, [&] { (void)p.op->runReference(ins, out); });
    const double ms = bench::summarize(t).median;
    bench::printRow({kLayers[4].name, "cpu reference", "", bench::fixed(p.op->flops() / 1e6, 1),
                     bench::fixed(ms, 3), bench::fixed(p.op->flops() / ms / 1e6, 1)},
                    {28, 18, 12, 8, 8, 8});
    return 0;
}
