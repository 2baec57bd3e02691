// bench_ops: convolution kernels on the OpenCL device, GFLOP/s per YOLOX-Nano-like layer shape and
// per kernel variant (nn/ops/conv.h ConvTuning), plus the CPU reference for scale.
// usage: bench_ops [--runs N] [--warmup N] [--sweep] [--dw-sweep] [--pw-sweep] [--model M.onnx]
//                  [--no-tune] [--dw-rows N] [--dw-width 8|16] [--dw-reuse 0|1] [--dw-plane 0|1]
//                  [--gemm-cob N] [--only SUBSTRING]
//   --no-tune: the model session takes the fixed ConvTuning defaults (no measured choices).
//   --sweep tries the tuning variants; --dw-sweep the depthwise kernels side by side (with
//   --only dw); --pw-sweep the 1x1 kernels side by side (conv1x1_vec, conv1x1_wide,
//   conv1x1_blk blocks and work-group shapes); --model prints the per-op-type profile of a whole
//   model (OpenCL session, median run of the timed runs).
#include "bench_util.h"

#include "compute/cl_context.h"
#include "nn/ops/conv.h"
#include "nn/ops/op_registry.h"
#include "nn/graph.h"
#include "nn/runtime/session.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <random>

using namespace sl;
using namespace sl::nn;

namespace {

struct Layer {
    const char* name;
    Shape x;
    int64_t m, k, s, group;
    const char* act;
    int64_t pad = -1;   // -1: k / 2
};

// Representative YOLOX-Nano 416x416 layers (after BN folding and SiLU fusion).
const Layer kLayers[] = {
    {"stem 3x3 12->16 @208", {1, 12, 208, 208}, 16, 3, 1, 1, "silu"},
    {"stem 6x6 s2 3->16 (Focus fold)", {1, 3, 416, 416}, 16, 6, 2, 1, "silu", 2},
    {"dw 3x3 s2 16 @208", {1, 16, 208, 208}, 16, 3, 2, 16, "silu"},
    {"1x1 16->32 @104", {1, 16, 104, 104}, 32, 1, 1, 1, "silu"},
    {"dw 3x3 32 @104", {1, 32, 104, 104}, 32, 3, 1, 32, "silu"},
    {"1x1 64->64 @52", {1, 64, 52, 52}, 64, 1, 1, 1, "silu"},
    {"1x1 128->128 @26", {1, 128, 26, 26}, 128, 1, 1, 1, "silu"},
    {"1x1 256->256 @13", {1, 256, 13, 13}, 256, 1, 1, 1, "silu"},
    {"1x1 64->64 @52 linear", {1, 64, 52, 52}, 64, 1, 1, 1, ""},
    {"1x1 64->80 @52 head", {1, 64, 52, 52}, 80, 1, 1, 1, "sigmoid"},
    {"dw 3x3 s2 128 @26", {1, 128, 26, 26}, 128, 3, 2, 128, "silu"},
    // The other depthwise shapes of YOLOX-Nano (bench_ops --dw-sweep compares their kernels).
    {"dw 3x3 16 @104", {1, 16, 104, 104}, 16, 3, 1, 16, "silu"},
    {"dw 3x3 s2 32 @104", {1, 32, 104, 104}, 32, 3, 2, 32, "silu"},
    {"dw 3x3 32 @52", {1, 32, 52, 52}, 32, 3, 1, 32, "silu"},
    {"dw 3x3 64 @52", {1, 64, 52, 52}, 64, 3, 1, 64, "silu"},
    {"dw 3x3 s2 64 @52", {1, 64, 52, 52}, 64, 3, 2, 64, "silu"},
    {"dw 3x3 64 @26", {1, 64, 26, 26}, 64, 3, 1, 64, "silu"},
    {"dw 3x3 64 @13", {1, 64, 13, 13}, 64, 3, 1, 64, "silu"},
    {"dw 3x3 128 @13", {1, 128, 13, 13}, 128, 3, 1, 128, "silu"},
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
    const int64_t pad = l.pad >= 0 ? l.pad : l.k / 2;
    a.set("pads", std::vector<int64_t>{pad, pad, pad, pad});
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
    case Conv::Kernel::Gemm1x1: return convTuning().gemmWidth > 1 ? "conv1x1_vec" : "conv1x1";
    case Conv::Kernel::Gemm1x1Tiled: return "conv1x1_tiled";
    case Conv::Kernel::Depthwise: return "conv_dw";
    case Conv::Kernel::DepthwiseRows: return "conv_dw_rows";
    case Conv::Kernel::Direct: return "conv_direct";
    case Conv::Kernel::Gemm1x1Wide: return "conv1x1_wide";
    case Conv::Kernel::DepthwiseFull: return "conv_dw_rows full";
    case Conv::Kernel::DirectS2: return "conv_s2_win";
    case Conv::Kernel::Gemm1x1Blk: return "conv1x1_blk";
    case Conv::Kernel::DepthwisePlane: return "conv_dw_plane";
    }
    return "?";
}

bool gTune = true;

int profileModel(const compute::ComputeContext& ctx, const std::string& path, int warmup,
                 int runs) {
    SessionOptions o;
    o.profile = true;
    o.tuneKernels = gTune;
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
    const Profile& prof = profiles[profiles.size() / 2].second;
    const TuningStats& tu = (*s)->tuning();
    std::printf("kernel tuning %s: %d conv layers cached, %d measured (%.0f ms), %d defaults\n",
                gTune ? "on" : "off", tu.fromCache, tu.tuned, tu.tuneMs, tu.untuned);
    std::cout << prof.format(15);
    // Conv time and GFLOP/s per kernel family (classified like Conv::prepareDevice does).
    const Graph& g = (*s)->graph();
    std::map<std::string, const Node*> byName;
    for (const Node& n : g.nodes())
        if (!n.dead) byName[n.desc.name] = &n;
    struct Family {
        int count = 0;
        double ms = 0, flops = 0;
    };
    std::map<std::string, Family> fam;
    for (const NodeTiming& t : prof.nodes) {
        if (t.opType != "Conv" || !byName.count(t.name)) continue;
        const Node& n = *byName[t.name];
        const Shape& w = g.value(n.inputs[1]).info.shape;
        const Shape& y = g.value(n.outputs[0]).info.shape;
        const int64_t group = n.desc.attributes.get<int64_t>("group", 1);
        const auto st = n.desc.attributes.get<std::vector<int64_t>>("strides", {1, 1});
        const auto pads = n.desc.attributes.get<std::vector<int64_t>>("pads", {0, 0, 0, 0});
        const bool unpadded = std::all_of(pads.begin(), pads.end(), [](int64_t v) { return !v; });
        std::string kind = "direct";
        if (group > 1 && group == w[0]) kind = "depthwise";
        else if (group == 1 && w[2] == 1 && w[3] == 1 && st[0] == 1 && st[1] == 1 && unpadded)
            kind = "1x1 gemm";
        char key[64];
        std::snprintf(key, sizeof key, "%s @%lld s%lld", kind.c_str(), (long long)y[3],
                      (long long)st[0]);
        Family& f = fam[key];
        ++f.count;
        f.ms += t.ms;
        f.flops += 2.0 * double(elementCount(y)) * double(w[1] * w[2] * w[3]);
    }
    std::cout << "conv family (output width, stride)  count     ms   GFLOP/s\n";
    for (const auto& [k, f] : fam)
        std::printf("%-34s %6d %7.3f %8.1f\n", k.c_str(), f.count, f.ms, f.flops / f.ms / 1e6);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 20, warmup = 3;
    bool sweep = false, pwSweep = false, dwSweep = false;
    std::string model, only;   // only: layers whose name contains it
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--sweep")) sweep = true;
        else if (!std::strcmp(argv[i], "--pw-sweep")) pwSweep = true;
        else if (!std::strcmp(argv[i], "--dw-sweep")) dwSweep = true;
        else if (!std::strcmp(argv[i], "--model") && i + 1 < argc) model = argv[++i];
        else if (!std::strcmp(argv[i], "--dw-rows") && i + 1 < argc)
            convTuning().dwRows = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--dw-width") && i + 1 < argc)
            convTuning().dwWidth = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--dw-reuse") && i + 1 < argc)
            convTuning().dwReuseRows = std::atoi(argv[++i]) != 0;
        else if (!std::strcmp(argv[i], "--dw-plane") && i + 1 < argc)
            convTuning().dwPlane = std::atoi(argv[++i]) != 0;
        else if (!std::strcmp(argv[i], "--no-tune")) gTune = false;
        else if (!std::strcmp(argv[i], "--gemm-cob") && i + 1 < argc)
            convTuning().gemmCob = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else {
            std::cerr << "usage: bench_ops [--runs N] [--warmup N] [--sweep] [--dw-sweep] "
                         "[--pw-sweep] [--model M.onnx] [--no-tune] [--dw-rows N] "
                         "[--dw-width 8|16] [--dw-reuse 0|1] [--dw-plane 0|1] [--gemm-cob N] "
                         "[--only SUBSTRING]\n";
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
        auto v = [](int width, int cob, int dwRows, size_t items) {
            ConvTuning t;
            t.gemmWidth = t.directWidth = t.dwWidth = width;
            t.gemmCob = t.directCob = cob;
            t.dwRows = dwRows;
            t.groupItems = items;
            return t;
        };
        ConvTuning tiled;
        tiled.gemm = ConvTuning::Gemm::Tiled;
        ConvTuning dwOld;
        dwOld.dwReuseRows = false;
        ConvTuning s2 = v(16, 16, 1, 16), s2c8 = v(16, 8, 1, 16);
        s2.directS2 = s2c8.directS2 = true;
        s2.directCobSmallK = 16;
        variants = {{"default", ConvTuning{}},             {"v8 cob8 r1 g8", v(8, 8, 1, 8)},
                    {"v16 cob16 r1 g16", v(16, 16, 1, 16)}, {"v16 cob16 r4 g16", v(16, 16, 4, 16)},
                    {"v16 cob8 r2 g16", v(16, 8, 2, 16)},   {"gemm tiled (GPU)", tiled},
                    {"conv_dw (no reuse)", dwOld},          {"v16 cob16 r8 g16", v(16, 16, 8, 16)},
                    {"s2 window cob16", s2},                {"s2 window cob8", s2c8}};
    }
    if (pwSweep) {
        // The 1x1 kernels side by side: conv1x1_vec (default), conv1x1_wide, conv1x1_blk blocks.
        auto pw = [](ConvTuning::Gemm g, int width, int cob, int vectors) {
            ConvTuning t;
            t.gemm = g;
            t.gemmWidth = width;
            t.gemmCob = cob;
            t.blkCob = cob;
            t.blkVectors = vectors;
            return t;
        };
        static const char* labels[] = {"blk c8 v3", "blk c12 v2", "blk c16 v1",
                                       "blk c4 v4", "blk c24 v1", "blk c6 v4"};
        const int blocks[][2] = {{8, 3}, {12, 2}, {16, 1}, {4, 4}, {24, 1}, {6, 4}};
        variants = {{"vec c16 (old)", pw(ConvTuning::Gemm::Vector, 16, 16, 1)},
                    {"wide c8", pw(ConvTuning::Gemm::Wide, 16, 8, 1)},
                    {"default", ConvTuning{}}};
        for (size_t i = 0; i < std::size(blocks); ++i)
            variants.push_back(
                {labels[i], pw(ConvTuning::Gemm::Auto, 16, blocks[i][0], blocks[i][1])});
        // The default block in other work-group shapes (pixel blocks along gid0 x channel
        // blocks along gid1): which blocks PoCL runs together on a core.
        static const char* groupLabels[] = {"blk l1 g16", "blk l2 g8", "blk l8 g16",
                                            "blk l4 g32", "blk l16 g16", "blk l2 g32"};
        const size_t groups[][2] = {{1, 16}, {2, 8}, {8, 16}, {4, 32}, {16, 16}, {2, 32}};
        for (size_t i = 0; i < std::size(groups); ++i) {
            ConvTuning t;
            t.gemmLocal = groups[i][0];
            t.groupItems = groups[i][1];
            variants.push_back({groupLabels[i], t});
        }
    }
    if (dwSweep) {
        auto old = [](bool full, int width, int rows) {
            ConvTuning t;
            t.dwPlane = false;
            t.dwFull = full;
            t.dwWidth = width;
            t.dwRows = rows;
            return t;
        };
        auto plane = [](int width, int rows, size_t local) {
            ConvTuning t;
            t.dwWidth = width;
            t.dwPlaneRows = rows;
            t.dwPlaneLocal = local;
            return t;
        };
        variants = {{"rows w16 r8", old(false, 16, 8)}, {"full w16 r8", old(true, 16, 8)},
                    {"full w8 r16", old(true, 8, 16)},  {"full w16 r16", old(true, 16, 16)},
                    {"full w16 r4", old(true, 16, 4)},  {"plane default", plane(16, 16, 0)},
                    {"plane w16 r16 l4", plane(16, 16, 4)},
                    {"plane w16 r8 l4", plane(16, 8, 4)}, {"plane w16 r4 l4", plane(16, 4, 4)},
                    {"plane w16 r16 l1", plane(16, 16, 1)},
                    {"plane w16 r16 l16", plane(16, 16, 16)},
                    {"plane w8 r16 l4", plane(8, 16, 4)}};
    }
    // Variants interleaved per layer so that they see the same machine load (the CPU device is
    // shared with everything else on the host); min and median reported.
    const std::vector<int> w{28, 18, 12, 8, 8, 8, 9};
    bench::printRow({"layer", "variant", "kernel", "MFLOP", "ms", "min ms", "GFLOP/s"}, w);
    std::mt19937 rng(7);
    std::vector<double> sumMs(variants.size(), 0), sumMin(variants.size(), 0);
    double totalFlops = 0;
    for (const Layer& l : kLayers) {
        if (!only.empty() && std::string(l.name).find(only) == std::string::npos) continue;
        for (size_t vi = 0; vi < variants.size(); ++vi) {
            convTuning() = variants[vi].t;
            Prepared p;
            if (!prepare(*ctx, l, p, rng)) return 1;
            const ClOpContext cl{&*ctx, &ctx->programs(), ctx->queue()};
            bool ok = true;
            auto times = bench::timeRuns(warmup, runs, [&] {
                ok = ok && p.op->runDevice(cl, p.in, p.out).isOk() && ctx->finish().isOk();
            });
            if (!ok) return 1;
            const bench::Stats st = bench::summarize(times);
            const double flops = p.op->flops();
            if (vi == 0) totalFlops += flops;
            sumMs[vi] += st.median;
            sumMin[vi] += st.min;
            bench::printRow({l.name, variants[vi].label, kernelName(*p.op),
                             bench::fixed(flops / 1e6, 1), bench::fixed(st.median, 3),
                             bench::fixed(st.min, 3), bench::fixed(flops / st.median / 1e6, 1)},
                            w);
        }
    }
    for (size_t vi = 0; vi < variants.size(); ++vi)
        bench::printRow({"all layers", variants[vi].label, "", bench::fixed(totalFlops / 1e6, 1),
                         bench::fixed(sumMs[vi], 3), bench::fixed(sumMin[vi], 3),
                         bench::fixed(totalFlops / sumMs[vi] / 1e6, 1)},
                        w);
    // Fixed cost of a kernel launch on this device: a trivial kernel, 100 launches queued back to
    // back then one finish (how a session runs), per launch; by work-items and group size.
    {
        const ClOpContext cl{&*ctx, &ctx->programs(), ctx->queue()};
        auto k = buildKernel(cl, "nn_eltwise.cl", "unary", " -DACT=1");
        auto buf = ctx->createBuffer(CL_MEM_READ_WRITE, size_t(1) << 22);
        if (!k || !buf) return 1;
        for (size_t items : {size_t(1), size_t(256), size_t(16384)}) {
            for (size_t local : {size_t(1), size_t(16), size_t(64)}) {
                if (local > items) continue;
                const cl_int n = cl_int(items * 4);
                if (!setArgs(k->get(), buf->get(), cl_int(0), buf->get(), cl_int(1 << 19), n,
                             0.0f, 0.0f))
                    return 1;
                const size_t g[1] = {items}, l[1] = {local};
                auto t = bench::timeRuns(2, 10, [&] {
                    for (int i = 0; i < 100; ++i) (void)launch(cl, k->get(), g, l);
                    (void)ctx->finish();
                });
                std::printf("launch overhead: %6zu items, groups of %2zu: %7.1f us per launch\n",
                            items, local, bench::summarize(t).median * 10.0);
            }
        }
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
                     bench::fixed(ms, 3), "", bench::fixed(p.op->flops() / ms / 1e6, 1)},
                    {28, 18, 12, 8, 8, 8, 9});
    return 0;
}
