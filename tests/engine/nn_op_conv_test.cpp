// Conv: reference checked by hand, then OpenCL vs reference over the kernel variants (1x1 GEMM,
// depthwise, direct), strides, dilations, pads, auto_pad, groups, bias and fused activations.
#include "nn_op_test_util.h"

#include "compute/cl_context.h"
#include "nn/ops/conv.h"
#include "nn/ops/op_registry.h"

namespace sl::nn::test {
namespace {

Attributes convAttrs(std::vector<int64_t> k, std::vector<int64_t> s, std::vector<int64_t> pads,
                     std::vector<int64_t> d = {1, 1}, int64_t group = 1) {
    Attributes a;
    a.set("kernel_shape", k);
    a.set("strides", s);
    a.set("pads", pads);
    a.set("dilations", d);
    a.set("group", group);
    return a;
}

TEST(NnOpConv, ReferenceByHand) {
    // 3x3 input 0..8, 2x2 ones kernel: window sums.
    std::vector<float> x{0, 1, 2, 3, 4, 5, 6, 7, 8};
    auto out = runRef(makeNode("Conv"), {in(floats({1, 1, 3, 3}, x)),
                                         in(floats({1, 1, 2, 2}, {1, 1, 1, 1}))});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].shape(), (Shape{1, 1, 2, 2}));
    SL_EXPECT_FLOATS(out[0], {8, 12, 20, 24});
    // pad 1, stride 2, bias -10, fused relu: corners of the padded window sums.
    Attributes a = convAttrs({2, 2}, {2, 2}, {1, 1, 1, 1});
    a.set(kFusedActivationAttr, std::string("relu"));
    out = runRef(makeNode("Conv", a), {in(floats({1, 1, 3, 3}, x)),
                                       in(floats({1, 1, 2, 2}, {1, 1, 1, 1})),
                                       in(floats({1}, {-10}))});
    ASSERT_EQ(out.size(), 1u);
    SL_EXPECT_FLOATS(out[0], {0, 0, 0, 14});   // 0-10, 3-10, 9-10, 24-10
    // SAME_UPPER on 3 with k2 s1: output 3, pad end 1.
    Attributes su;
    su.set("auto_pad", std::string("SAME_UPPER"));
    out = runRef(makeNode("Conv", su), {in(floats({1, 1, 3, 3}, x)),
                                        in(floats({1, 1, 2, 2}, {1, 1, 1, 1}))});
    ASSERT_EQ(out.size(), 1u);
    SL_EXPECT_FLOATS(out[0], {8, 12, 7, 20, 24, 13, 13, 15, 8});
}

struct ConvCase {
    Shape x;
    int64_t m, k, s, p, d, group;
    bool bias;
    std::string act;
};

// constWeights: weights and bias as constants (what models have; the packed-weight 1x1 kernel
// conv1x1_blk needs them), else as runtime inputs.
void runCase(const ConvCase& c, std::mt19937& rng, bool constWeights = false) {
    Attributes a = convAttrs({c.k, c.k}, {c.s, c.s}, {c.p, c.p, c.p, c.p}, {c.d, c.d}, c.group);
    if (!c.act.empty()) {
        a.set(kFusedActivationAttr, c.act);
        a.set(kFusedAlphaAttr, c.act == "clip" ? -0.5f : 0.1f);
        a.set(kFusedBetaAttr, 0.5f);
    }
    const auto wrap = [&](Tensor t) {
        return constWeights ? constant(std::move(t)) : in(std::move(t));
    };
    std::vector<OpInput> inputs{in(randomTensor(c.x, rng)),
                                wrap(randomTensor({c.m, c.x[1] / c.group, c.k, c.k}, rng))};
    if (c.bias) inputs.push_back(wrap(randomTensor({c.m}, rng)));
    SCOPED_TRACE(shapeString(c.x) + " m" + std::to_string(c.m) + " k" + std::to_string(c.k) +
                 " s" + std::to_string(c.s) + " p" + std::to_string(c.p) + " d" +
                 std::to_string(c.d) + " g" + std::to_string(c.group) + " " + c.act);
    NodeDesc node = makeNode("Conv", a);
    EXPECT_EQ(testOp(node, inputs), OpTestResult::Passed);
}

TEST(NnOpConv, Gemm1x1) {
    std::mt19937 rng(1);
    for (const ConvCase& c : std::vector<ConvCase>{
             {{1, 13, 7, 9}, 24, 1, 1, 0, 1, 1, true, ""},
             {{1, 16, 13, 13}, 8, 1, 1, 0, 1, 1, true, "silu"},
             {{2, 12, 5, 11}, 13, 1, 1, 0, 1, 1, false, "relu"},
             {{1, 24, 1, 1}, 12, 1, 1, 0, 1, 1, true, "leaky_relu"},
             {{1, 32, 4, 31}, 80, 1, 1, 0, 1, 1, true, "sigmoid"},
             {{1, 3, 2, 127}, 4, 1, 1, 0, 1, 1, true, "clip"},
         })
        runCase(c, rng);
}

// The 1x1 kernels' SiLU and sigmoid epilogues over the whole float range that matters: the
// packed-weight kernel (the CPU default) has its own exp (clamped exponent, polynomial), so
// pre-activations from -120 to 120 (past exp's overflow at 88) and near 0 are compared with the
// reference; 16 output channels with scales 1/16 .. 1 and biases, 256 pixels.
// The fused SiLU / sigmoid of the conv epilogues use a fast e^-v (nn_common.cl sl_fexp_neg),
// through the 1x1, depthwise and stride-2 window kernels' epilogues, against the reference's
// exp(): pre-activations from -120 to 120 (its clamp at |t| = 126 and the exponent arithmetic)
// at the fp32 tolerance, then -12 to 12 at 1e-5 absolute (sigmoid outputs are at most 1), where
// a polynomial 1e-3 off in one coefficient gives errors of ~3e-5.
TEST(NnOpConv, FastActivationRange) {
    std::vector<float> ws(16), bs(16);
    for (int m = 0; m < 16; ++m) {
        ws[size_t(m)] = float(m + 1) / 16.0f;
        bs[size_t(m)] = float(m % 3) - 1.0f;
    }
    std::vector<float> taps(16 * 36);
    for (size_t i = 0; i < taps.size(); ++i) taps[i] = ws[i / 36] / 9.0f;
    for (const float range : {120.0f, 12.0f}) {
        std::vector<float> xs(4 * 64 * 4);
        for (size_t i = 0; i < xs.size(); ++i)
            xs[i] = -range + 2.0f * range * float(i % 256) / 255.0f;
        const Tolerance tol = range > 100 ? kFp32 : Tolerance{1e-5, 1e-10};
        for (const char* act : {"silu", "sigmoid"}) {
            SCOPED_TRACE(std::string(act) + " over +-" + std::to_string(int(range)));
            Attributes pw = convAttrs({1, 1}, {1, 1}, {0, 0, 0, 0});
            pw.set(kFusedActivationAttr, std::string(act));
            EXPECT_EQ(testOp(makeNode("Conv", pw),
                             {in(floats({1, 1, 4, 64}, {xs.begin(), xs.begin() + 256})),
                              constant(floats({16, 1, 1, 1}, ws)), constant(floats({16}, bs))},
                             tol),
                      OpTestResult::Passed);
            // Depthwise 3x3 over 4 channels, taps 1/9: the outputs span the inputs' range.
            Attributes dw = convAttrs({3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 4);
            dw.set(kFusedActivationAttr, std::string(act));
            EXPECT_EQ(testOp(makeNode("Conv", dw),
                             {in(floats({1, 4, 4, 64}, xs)),
                              constant(floats({4, 1, 3, 3}, std::vector<float>(36, 1.0f / 9.0f))),
                              constant(floats({4}, {0.5f, -0.5f, 1.0f, 0.0f}))},
                             tol),
                      OpTestResult::Passed);
            // 6x6 stride 2, 1 -> 16 channels (the stem's window kernel).
            Attributes s2 = convAttrs({6, 6}, {2, 2}, {2, 2, 2, 2});
            s2.set(kFusedActivationAttr, std::string(act));
            EXPECT_EQ(testOp(makeNode("Conv", s2),
                             {in(floats({1, 1, 16, 64}, xs)),
                              constant(floats({16, 1, 6, 6}, taps)), constant(floats({16}, bs))},
                             tol),
                      OpTestResult::Passed);
        }
    }
}

// Which 1x1 kernel the defaults pick: on CPU devices the packed-weight conv1x1_blk when the
// weights (and bias) are constants and the layer has at least 8 pixels, else conv1x1_vec; on
// GPUs conv1x1_tiled either way (no packing there). The value tests above would pass on any of
// them, so this pins the choice.
TEST(NnOpConv, Gemm1x1DefaultKernel) {
    compute::ComputeContext* ctx = testContext();
    ASSERT_NE(ctx, nullptr);
    const bool gpu = ctx->info().type == compute::DeviceType::Gpu;
    std::mt19937 rng(9);
    const auto kernelFor = [&](const Shape& x, bool constWeights, bool bias) {
        auto op = createOp(makeNode("Conv", convAttrs({1, 1}, {1, 1}, {0, 0, 0, 0})));
        if (!op) {
            ADD_FAILURE() << op.status().message();
            return Conv::Kernel::Direct;   // never a 1x1 choice: the EXPECT_EQs fail too
        }
        const Tensor w = randomTensor({16, x[1], 1, 1}, rng), b = randomTensor({16}, rng);
        const TensorInfo xi{DType::Float32, x}, wi = w.info(), bi = b.info();
        std::vector<const TensorInfo*> infos{&xi, &wi};
        std::vector<const Tensor*> consts{nullptr, constWeights ? &w : nullptr};
        if (bias) {
            infos.push_back(&bi);
            consts.push_back(constWeights ? &b : nullptr);
        }
        std::vector<TensorInfo> outs;
        EXPECT_TRUE((*op)->inferOutputs(infos, consts, outs).isOk());
        const Status st = (*op)->prepareDevice({ctx, &ctx->programs(), ctx->queue()}, consts);
        EXPECT_TRUE(st.isOk()) << st.message();
        return static_cast<const Conv&>(**op).deviceKernel();
    };
    const ConvTuning saved = convTuning();
    convTuning() = ConvTuning{};
    using K = Conv::Kernel;
    const K cpuBlk = gpu ? K::Gemm1x1Tiled : K::Gemm1x1Blk;
    const K cpuVec = gpu ? K::Gemm1x1Tiled : K::Gemm1x1;
    EXPECT_EQ(kernelFor({1, 24, 13, 13}, true, true), cpuBlk);
    EXPECT_EQ(kernelFor({1, 24, 13, 13}, true, false), cpuBlk);
    EXPECT_EQ(kernelFor({1, 24, 2, 4}, true, true), cpuBlk);    // 8 pixels
    EXPECT_EQ(kernelFor({1, 24, 1, 7}, true, true), cpuVec);    // 7 pixels
    EXPECT_EQ(kernelFor({1, 24, 13, 13}, false, true), cpuVec);
    convTuning().blk = false;   // bench_model --no-blk
    EXPECT_EQ(kernelFor({1, 24, 13, 13}, true, true), cpuVec);
    convTuning() = saved;
}

TEST(NnOpConv, Depthwise) {
    // Defaults (on a CPU device: conv_dw_plane where it applies), then the row kernels.
    const ConvTuning saved = convTuning();
    for (bool plane : {true, false}) {
        ConvTuning t;
        t.dwPlane = plane;
        convTuning() = t;
        SCOPED_TRACE(plane ? "plane kernel allowed" : "row kernels");
        std::mt19937 rng(2);
        for (const ConvCase& c : std::vector<ConvCase>{
                 {{1, 13, 9, 17}, 13, 3, 1, 1, 1, 13, true, "silu"},
                 {{1, 12, 16, 15}, 12, 3, 2, 1, 1, 12, true, ""},
                 {{2, 8, 7, 7}, 8, 5, 1, 2, 1, 8, false, "hard_swish"},
                 {{1, 5, 10, 9}, 5, 3, 1, 2, 2, 5, true, "relu"},
                 {{1, 3, 9, 70}, 3, 3, 2, 1, 1, 3, true, "silu"},   // stride-2 vector row loads
                 {{1, 2, 5, 40}, 2, 3, 1, 1, 1, 2, false, ""},
             })
            runCase(c, rng);
    }
    convTuning() = saved;
}

// conv_dw_plane (compile-time geometry, private padded tile). Every shape is its own kernel
// build (about a second on PoCL), so each shape runs under one variant chosen to cover the
// variants' features: vector widths 8 and 16, bands of the whole plane, 1 row and counts that
// do not divide the rows, work-groups of 1, 4 and 16 channels (16 > C: shrunk to a divisor).
// Shapes: rows narrower than the vector (stored in pieces: 13 = 8 + 4 + 1, 7 = 4 + 2 + 1, 1),
// exactly one and two vectors, rows ending in a partial vector (moved back), stride 2 with odd
// and even widths and left pads 0-3, 5x5 kernels, asymmetric pads, batch 2, YOLOX's shapes.
TEST(NnOpConv, DepthwisePlane) {
    const ConvTuning saved = convTuning();
    std::mt19937 rng(9);
    struct PlaneCase {
        Shape x;
        int64_t k, s;
        std::vector<int64_t> pads;   // top, left, bottom, right
        std::string act;
        int width, rows;
        size_t local;
    };
    for (const PlaneCase& c : std::vector<PlaneCase>{
             {{1, 6, 13, 13}, 3, 1, {1, 1, 1, 1}, "silu", 16, 16, 4},
             {{1, 4, 7, 7}, 3, 1, {1, 1, 1, 1}, "relu", 8, 3, 1},
             {{1, 3, 5, 1}, 3, 1, {1, 1, 1, 1}, "", 16, 1, 16},        // 1 wide
             {{2, 5, 9, 16}, 3, 1, {1, 1, 1, 1}, "", 16, 4, 4},        // one vector, batch 2
             {{1, 4, 6, 32}, 3, 1, {1, 1, 1, 1}, "silu", 16, 16, 1},   // two vectors
             {{1, 3, 11, 26}, 3, 1, {1, 1, 1, 1}, "silu", 16, 4, 4},   // 16 + 10 moved back
             {{1, 2, 19, 53}, 3, 1, {1, 1, 1, 1}, "", 8, 16, 4},       // 7 x 8, band 16 of 19
             {{1, 6, 26, 26}, 3, 2, {1, 1, 1, 1}, "silu", 16, 16, 4},  // -> 13
             {{1, 3, 13, 13}, 3, 2, {1, 1, 1, 1}, "", 8, 3, 1},        // odd -> 7
             {{1, 3, 10, 52}, 3, 2, {1, 1, 1, 1}, "silu", 16, 4, 16},  // -> 26
             {{2, 2, 9, 37}, 3, 2, {0, 0, 0, 0}, "", 8, 16, 4},        // no pad, -> 18
             {{1, 3, 12, 23}, 5, 1, {2, 2, 2, 2}, "hard_swish", 16, 3, 4},
             {{1, 2, 11, 35}, 5, 2, {2, 2, 2, 2}, "leaky_relu", 8, 4, 1},
             {{1, 3, 8, 21}, 3, 1, {0, 2, 1, 0}, "silu", 16, 16, 4},   // left 2, right 0
             {{1, 2, 9, 40}, 3, 2, {1, 0, 0, 2}, "", 8, 3, 4},         // left 0, right 2
             {{1, 2, 9, 41}, 3, 2, {2, 3, 1, 1}, "relu", 16, 4, 1},    // left 3 (odd)
         }) {
        ConvTuning t;
        t.dwPlane = true;
        t.dwWidth = c.width, t.dwPlaneRows = c.rows, t.dwPlaneLocal = c.local;
        convTuning() = t;
        Attributes a = convAttrs({c.k, c.k}, {c.s, c.s}, c.pads, {1, 1}, c.x[1]);
        if (!c.act.empty()) a.set(kFusedActivationAttr, c.act);
        SCOPED_TRACE(shapeString(c.x) + " k" + std::to_string(c.k) + " s" +
                     std::to_string(c.s) + " pads " + std::to_string(c.pads[0]) + "," +
                     std::to_string(c.pads[1]) + "," + std::to_string(c.pads[2]) + "," +
                     std::to_string(c.pads[3]) + " " + c.act + ": width " +
                     std::to_string(c.width) + " rows " + std::to_string(c.rows) + " local " +
                     std::to_string(c.local));
        const NodeDesc node = makeNode("Conv", a);
        EXPECT_EQ(testOp(node, {in(randomTensor(c.x, rng)),
                                in(randomTensor({c.x[1], 1, c.k, c.k}, rng)),
                                in(randomTensor({c.x[1]}, rng))}),
                  OpTestResult::Passed);
    }
    // YOLOX-Nano's widest and narrowest planes with the defaults.
    convTuning() = ConvTuning{};
    for (const ConvCase& c : std::vector<ConvCase>{
             {{1, 16, 208, 208}, 16, 3, 2, 1, 1, 16, true, "silu"},
             {{1, 128, 13, 13}, 128, 3, 1, 1, 1, 128, true, "silu"}})
        runCase(c, rng);
    convTuning() = saved;
}

TEST(NnOpConv, Direct) {
    std::mt19937 rng(3);
    for (const ConvCase& c : std::vector<ConvCase>{
             {{1, 12, 15, 17}, 16, 3, 1, 1, 1, 1, true, "silu"},
             {{1, 13, 16, 15}, 24, 3, 2, 1, 1, 1, true, ""},
             {{2, 3, 11, 13}, 5, 3, 2, 0, 1, 1, false, "hard_sigmoid"},
             {{1, 8, 9, 9}, 12, 3, 1, 1, 1, 4, true, "leaky_relu"},   // grouped
             {{1, 6, 12, 10}, 6, 3, 1, 2, 2, 3, true, ""},            // dilated, grouped
             {{1, 4, 8, 8}, 8, 1, 2, 0, 1, 1, true, ""},              // 1x1 stride 2
             {{1, 4, 8, 8}, 8, 1, 1, 1, 1, 1, true, ""},              // 1x1 padded
             {{1, 4, 3, 124}, 6, 5, 3, 2, 1, 2, true, ""},
             {{1, 4, 6, 6}, 4, 3, 1, 1, 1, 4, true, "silu"},          // depthwise-like? M == C
             {{1, 4, 6, 6}, 8, 3, 1, 1, 1, 4, true, ""},              // channel multiplier 2
             {{1, 3, 7, 67}, 8, 3, 2, 1, 1, 1, true, "silu"},         // stride-2 vector loads
             {{1, 12, 6, 41}, 16, 3, 1, 1, 1, 1, true, "silu"},       // stem-like
         })
        runCase(c, rng);
}

// The tunable kernel variants (bench_ops --sweep) must stay correct, not only the defaults.
// Restores the process-wide ConvTuning at the end of a test.
struct TuningGuard {
    ConvTuning saved = convTuning();
    ~TuningGuard() { convTuning() = saved; }
};

// Each tuning variant against the reference, in five tests (every variant is a kernel build:
// one test was over ctest's 5 minutes with cold driver caches on CI's two cores).
TEST(NnOpConv, TuningVariantsRowKernels) {
    TuningGuard guard;
    std::mt19937 rng(7);
    for (int width : {1, 8, 16}) {
        for (int cob : {4, 16}) {
            ConvTuning t;
            t.gemmWidth = width, t.gemmCob = cob;
            t.directWidth = t.dwWidth = width == 1 ? 8 : width;
            t.directCob = t.directCobSmallK = cob;
            t.gemmLocal = t.directLocal = t.dwLocal = 2;
            t.groupItems = cob == 4 ? 2 : 16;   // 16: ranges rounded up along gid1 as well
            t.dwPlane = false;                  // the row kernels (DepthwisePlane has its own)
            t.directS2 = false;                 // conv_direct at stride 2 too (s2 window below)
            convTuning() = t;
            SCOPED_TRACE("width " + std::to_string(width) + " cob " + std::to_string(cob));
            runCase({{1, 16, 5, 23}, 32, 1, 1, 0, 1, 1, true, "silu"}, rng);
            runCase({{1, 8, 3, 7}, 48, 1, 1, 0, 1, 1, true, ""}, rng);   // 3 channel blocks
            runCase({{1, 8, 5, 7}, 48, 3, 1, 1, 1, 1, true, ""}, rng);
            runCase({{1, 13, 3, 5}, 16, 1, 1, 0, 1, 1, false, ""}, rng);
            runCase({{1, 8, 9, 37}, 8, 3, 2, 1, 1, 8, true, "silu"}, rng);
            runCase({{1, 6, 7, 35}, 16, 3, 1, 1, 1, 1, true, "relu"}, rng);
        }
    }
}

TEST(NnOpConv, TuningVariantsWide1x1) {
    TuningGuard guard;
    std::mt19937 rng(8);
    // The two-vector 1x1 kernel: pixel counts that are and are not multiples of its block (a
    // moved-back last block), exactly one and two 8-wide vectors, batch 2, channel counts that
    // the register block does not divide.
    for (int width : {8, 16}) {
        for (int cob : {4, 16}) {
            ConvTuning t;
            t.gemm = ConvTuning::Gemm::Wide;
            t.gemmWidth = width, t.gemmCob = cob;
            t.gemmLocal = 2;
            t.groupItems = cob == 4 ? 2 : 16;
            convTuning() = t;
            SCOPED_TRACE("wide: width " + std::to_string(width) + " cob " + std::to_string(cob));
            runCase({{1, 16, 5, 23}, 32, 1, 1, 0, 1, 1, true, "silu"}, rng);
            runCase({{2, 13, 4, 4}, 48, 1, 1, 0, 1, 1, true, "relu"}, rng);    // P = 16
            runCase({{1, 9, 4, 8}, 24, 1, 1, 0, 1, 1, false, ""}, rng);        // P = 32
            runCase({{1, 64, 13, 13}, 20, 1, 1, 0, 1, 1, true, "silu"}, rng);  // M = 20
            runCase({{1, 8, 3, 5}, 16, 1, 1, 0, 1, 1, true, ""}, rng);         // P = 15: vec
        }
    }
}

TEST(NnOpConv, TuningVariantsPacked1x1) {
    TuningGuard guard;
    std::mt19937 rng(9);
    // The packed-weight micro-kernel (the CPU default with constant weights): pixel counts that
    // are and are not multiples of its block (moved-back last block), exactly one block, fewer
    // pixels than a block (fewer vectors, 8-wide), channel counts the block does not divide
    // (moved-back last channel block) or smaller than it, K not a multiple of 4, batch 2, no bias,
    // activations; and a layer under 8 pixels, which keeps conv1x1_vec.
    for (const auto& [cob, vectors] : std::vector<std::pair<int, int>>{{8, 2}, {4, 4}, {12, 2},
                                                                       {16, 1}, {8, 3}}) {
        ConvTuning t;
        t.blkCob = cob, t.blkVectors = vectors;
        t.gemmLocal = 2;
        t.groupItems = cob == 4 ? 2 : 16;
        convTuning() = t;
        SCOPED_TRACE("blk: cob " + std::to_string(cob) + " vectors " + std::to_string(vectors));
        runCase({{1, 16, 5, 23}, 32, 1, 1, 0, 1, 1, true, "silu"}, rng, true);    // P = 115
        runCase({{2, 13, 4, 8}, 40, 1, 1, 0, 1, 1, true, "relu"}, rng, true);     // P = 32
        runCase({{1, 9, 8, 12}, 24, 1, 1, 0, 1, 1, false, ""}, rng, true);        // P = 96
        runCase({{1, 64, 13, 13}, 20, 1, 1, 0, 1, 1, true, "silu"}, rng, true);   // M = 20
        runCase({{1, 7, 3, 4}, 6, 1, 1, 0, 1, 1, true, "sigmoid"}, rng, true);    // P 12, M 6
        runCase({{1, 33, 5, 2}, 3, 1, 1, 0, 1, 1, true, "clip"}, rng, true);      // P 10, M 3
        runCase({{1, 5, 1, 7}, 16, 1, 1, 0, 1, 1, true, ""}, rng, true);          // P 7: vec
    }
}

// The depthwise kernel without partial blocks, 8- and 16-wide, 1, 4 and 16 rows per item: one
// test per variant, because each case is a build of nn_conv.cl for its kernel size and strides
// and a cold PoCL cache makes fifteen builds in one test overrun CI's 300 s limit on a slow day.
void depthwiseFullVariant(int width, int rows) {
    TuningGuard guard;
    std::mt19937 rng(10 + width + 100 * rows);
    // Rows that end in a partial vector (moved back), exactly one vector, stride 2, dilation,
    // several rows per item and a row count the rows per item do not divide.
    ConvTuning t;
    t.dwPlane = false;
    t.dwFull = true;
    t.dwWidth = width, t.dwRows = rows;
    t.dwLocal = 2;
    convTuning() = t;
    SCOPED_TRACE("dw full: width " + std::to_string(width) + " rows " + std::to_string(rows));
    runCase({{1, 13, 9, 17}, 13, 3, 1, 1, 1, 13, true, "silu"}, rng);
    runCase({{2, 4, 6, 16}, 4, 3, 1, 1, 1, 4, false, ""}, rng);
    runCase({{1, 3, 9, 70}, 3, 3, 2, 1, 1, 3, true, "silu"}, rng);
    runCase({{1, 5, 10, 20}, 5, 3, 1, 2, 2, 5, true, "relu"}, rng);
    runCase({{1, 6, 21, 52}, 6, 5, 1, 2, 1, 6, true, "hard_swish"}, rng);
}

TEST(NnOpConv, TuningVariantsDepthwiseFull8Rows1) { depthwiseFullVariant(8, 1); }
TEST(NnOpConv, TuningVariantsDepthwiseFull8Rows4) { depthwiseFullVariant(8, 4); }
TEST(NnOpConv, TuningVariantsDepthwiseFull8Rows16) { depthwiseFullVariant(8, 16); }
TEST(NnOpConv, TuningVariantsDepthwiseFull16Rows1) { depthwiseFullVariant(16, 1); }
TEST(NnOpConv, TuningVariantsDepthwiseFull16Rows4) { depthwiseFullVariant(16, 4); }
TEST(NnOpConv, TuningVariantsDepthwiseFull16Rows16) { depthwiseFullVariant(16, 16); }

TEST(NnOpConv, TuningVariantsStride2WindowAndTiled) {
    TuningGuard guard;
    std::mt19937 rng(11);
    // The stride-2 window kernel: the stem's 6x6 (after the Focus fold) with its pads, rows
    // whose last block moves back (OW = 21), 3x3 and odd/1-wide kernels, batch 2, asymmetric
    // edges (pad 0), a channel count the block does not divide, and an input row of exactly 16.
    for (int cob : {4, 8, 16}) {
        ConvTuning t;
        t.directS2 = true;
        t.directCob = t.directCobSmallK = cob;
        t.directLocal = 2;
        t.groupItems = cob == 4 ? 2 : 16;
        convTuning() = t;
        SCOPED_TRACE("s2 window: cob " + std::to_string(cob));
        runCase({{1, 3, 14, 64}, 16, 6, 2, 2, 1, 1, true, "silu"}, rng);   // OW 32
        runCase({{1, 3, 9, 42}, 8, 6, 2, 2, 1, 1, true, ""}, rng);         // OW 21
        runCase({{2, 5, 7, 40}, 12, 3, 2, 1, 1, 1, false, "relu"}, rng);   // OW 20
        runCase({{1, 4, 6, 35}, 24, 5, 2, 0, 1, 1, true, ""}, rng);        // OW 16, no pad
        runCase({{1, 6, 5, 33}, 16, 1, 2, 0, 1, 1, true, ""}, rng);        // 1x1 s2, OW 17
        runCase({{1, 2, 4, 32}, 16, 8, 2, 3, 1, 1, true, "silu"}, rng);    // KW 8, OW 16
    }
    // The GPU kernel (local-memory tiles) on whatever device runs the tests.
    ConvTuning tiled;
    tiled.gemm = ConvTuning::Gemm::Tiled;
    convTuning() = tiled;
    for (const ConvCase& c : std::vector<ConvCase>{
             {{1, 13, 7, 9}, 24, 1, 1, 0, 1, 1, true, "silu"},
             {{2, 70, 9, 11}, 80, 1, 1, 0, 1, 1, true, "relu"},   // K, M, P not tile multiples
             {{1, 64, 8, 16}, 64, 1, 1, 0, 1, 1, false, ""}})   // exact tiles
        runCase(c, rng);
}

TEST(NnOpConv, AutoPadAndAsymmetricPads) {
    std::mt19937 rng(4);
    for (const char* mode : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
        for (int64_t s : {1, 2}) {
            Attributes a;
            a.set("auto_pad", std::string(mode));
            a.set("strides", std::vector<int64_t>{s, s});
            SCOPED_TRACE(std::string(mode) + " s" + std::to_string(s));
            EXPECT_EQ(testOp(makeNode("Conv", a),
                             {in(randomTensor({1, 3, 7, 8}, rng)),
                              in(randomTensor({5, 3, 3, 2}, rng))}),
                      OpTestResult::Passed);
        }
    }
    Attributes a;
    a.set("pads", std::vector<int64_t>{1, 0, 2, 1});
    a.set("strides", std::vector<int64_t>{2, 1});
    EXPECT_EQ(testOp(makeNode("Conv", a), {in(randomTensor({1, 3, 7, 5}, rng)),
                                           in(randomTensor({4, 3, 3, 3}, rng)),
                                           in(randomTensor({4}, rng))}),
              OpTestResult::Passed);
}

TEST(NnOpConv, OneDimensional) {
    std::mt19937 rng(5);
    Attributes a;
    a.set("pads", std::vector<int64_t>{1, 2});
    a.set("strides", std::vector<int64_t>{2});
    EXPECT_EQ(testOp(makeNode("Conv", a), {in(randomTensor({2, 3, 19}, rng)),
                                           in(randomTensor({5, 3, 3}, rng))}),
              OpTestResult::Passed);
}

TEST(NnOpConv, Errors) {
    Attributes a;
    a.set("auto_pad", std::string("FOO"));
    auto op = createOp(makeNode("Conv", a));
    ASSERT_FALSE(op);
    EXPECT_EQ(op.status().message(), "nn/Conv 'test_Conv': auto_pad 'FOO' is not supported");
    auto transposed = createOp(makeNode("ConvTranspose", a));
    ASSERT_FALSE(transposed);
    EXPECT_EQ(transposed.status().message(),
              "nn/ConvTranspose 'test_ConvTranspose': auto_pad 'FOO' is not supported");
    Attributes g;
    g.set("group", int64_t(0));
    for (const char* type : {"Conv", "ConvTranspose"}) {
        auto bad = createOp(makeNode(type, g));
        ASSERT_FALSE(bad) << type;
        EXPECT_NE(bad.status().message().find("group must be >= 1"), std::string::npos)
            << bad.status().message();
    }
    auto unknown = createOp(makeNode("NoSuchOp"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.status().message(),
              "nn: op 'NoSuchOp' (node 'test_NoSuchOp') is not supported");
}

}  // namespace
}  // namespace sl::nn::test

namespace sl::nn::test {
namespace {

TEST(NnOpConvTranspose, ReferenceByHand) {
    // 1-D: x = [1, 2], w = [1, 1, 1], stride 2 -> [1, 1, 1+2, 2, 2].
    Attributes a;
    a.set("strides", std::vector<int64_t>{2});
    auto out = runRef(makeNode("ConvTranspose", a), {in(floats({1, 1, 2}, {1, 2})),
                                                     in(floats({1, 1, 3}, {1, 1, 1}))});
    EXPECT_EQ(out[0].shape(), (Shape{1, 1, 5}));
    SL_EXPECT_FLOATS(out[0], {1, 1, 3, 2, 2});
}

TEST(NnOpConvTranspose, DeviceVsReference) {
    std::mt19937 rng(6);
    struct Case { Shape x; int64_t m, k, s, p, d, group, outPad; };
    for (const Case& c : std::vector<Case>{{{1, 13, 5, 7}, 12, 3, 2, 1, 1, 1, 1},
                                           {{2, 4, 6, 5}, 6, 2, 2, 0, 1, 2, 0},
                                           {{1, 3, 4, 4}, 5, 3, 1, 1, 2, 1, 0},
                                           {{1, 8, 3, 9}, 8, 4, 3, 1, 1, 8, 2}}) {
        Attributes a;
        a.set("strides", std::vector<int64_t>{c.s, c.s});
        a.set("pads", std::vector<int64_t>{c.p, c.p, c.p, c.p});
        a.set("dilations", std::vector<int64_t>{c.d, c.d});
        a.set("group", c.group);
        a.set("output_padding", std::vector<int64_t>{c.outPad, c.outPad});
        EXPECT_EQ(testOp(makeNode("ConvTranspose", a),
                         {in(randomTensor(c.x, rng)),
                          in(randomTensor({c.x[1], c.m / c.group, c.k, c.k}, rng)),
                          in(randomTensor({c.m}, rng))}),
                  OpTestResult::Passed) << shapeString(c.x);
    }
    for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
        Attributes a;
        a.set("strides", std::vector<int64_t>{2, 2});
        a.set("auto_pad", std::string(mode));
        EXPECT_EQ(testOp(makeNode("ConvTranspose", a), {in(randomTensor({1, 3, 5, 4}, rng)),
                                                        in(randomTensor({3, 2, 3, 3}, rng))}),
                  OpTestResult::Passed) << mode;
    }
    Attributes os;
    os.set("strides", std::vector<int64_t>{3, 2});
    os.set("output_shape", std::vector<int64_t>{10, 8});
    EXPECT_EQ(testOp(makeNode("ConvTranspose", os), {in(randomTensor({1, 2, 3, 3}, rng)),
                                                     in(randomTensor({2, 3, 3, 3}, rng))}),
              OpTestResult::Passed);
}

}  // namespace
}  // namespace sl::nn::test
