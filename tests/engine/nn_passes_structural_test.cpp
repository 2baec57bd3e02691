// The structural passes (Focus fold, SPP pool cascade) and in-place concatenation: each is
// checked on a graph built here where it applies (it fires, and the optimized graph's output on
// both devices equals the unoptimized graph's CPU reference output) and on near misses where it
// must not fire (and the output still matches).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

#include "nn/onnx/onnx_importer.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"
#include "nn_model_builder.h"

namespace sl::nn {
namespace {

using test::ModelBuilder;
using test::TempDir;

std::vector<float> randomFloats(size_t n, uint64_t seed) {
    Tensor t = randomTensor({DType::Float32, {int64_t(n)}}, seed, -1, 1);
    return std::vector<float>(t.data<float>(), t.data<float>() + n);
}

struct Result {
    PassReport report;
    MemoryStats memory;
    int liveNodes = 0;
};

// Runs `b` unoptimized on the CPU reference and optimized on `device`; the outputs must agree
// within `tol` (relative and absolute). With fp16 storage (OpenCL only) every stored value is
// rounded to half, so the outputs are compared by relative L2 error instead, which must stay
// under `tol`: each rounding is <= 2^-11 relative, a few layers give ~1e-3, while a misplaced
// slab or an unconverted constant gives errors of order 1.
Result expectSameAsReference(const ModelBuilder& b, Device device, double tol = 1e-5,
                             Storage storage = Storage::Fp32) {
    TempDir dir;
    b.save(dir / "m.onnx");
    auto g = importOnnx(dir / "m.onnx");
    EXPECT_TRUE(g) << g.status().message();
    Result r;
    if (!g) return r;
    const Tensor x = randomTensor(g->value(g->inputs()[0]).info, 17);
    std::vector<Tensor> outs[2];
    for (bool optimize : {false, true}) {
        SessionOptions o;
        o.device = optimize ? device : Device::CpuReference;
        o.optimize = optimize;
        if (optimize) o.storage = storage;
        auto s = Session::create(*g, o);
        EXPECT_TRUE(s) << s.status().message();
        if (!s) return r;
        auto out = (*s)->run(std::vector<Tensor>{x});
        EXPECT_TRUE(out) << out.status().message();
        if (!out) return r;
        outs[optimize] = *out;
        if (optimize) {
            EXPECT_EQ((*s)->storage(), storage);
            r.report = (*s)->passReport();
            r.memory = (*s)->memory();
            r.liveNodes = (*s)->graph().liveNodeCount();
        }
    }
    EXPECT_EQ(outs[0].size(), outs[1].size());
    for (size_t i = 0; i < outs[0].size() && i < outs[1].size(); ++i) {
        if (storage == Storage::Fp16) {
            const double err = relativeL2Error(outs[1][i], outs[0][i]);
            EXPECT_LT(err, tol) << "fp16 storage output " << i;
            EXPECT_GT(err, 0.0) << "fp16 storage output " << i << ": nothing was rounded";
            continue;
        }
        const CompareResult c = compareTensors(outs[1][i], outs[0][i], tol, tol);
        EXPECT_TRUE(c.ok) << deviceName(device) << " output " << i << ": " << c.message;
    }
    return r;
}

// ---- Focus -------------------------------------------------------------------------------------

struct FocusSpec {
    // Phases (dy, dx) of the four concat inputs, in concat order.
    int phase[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
    bool oneSlicePerPatch = false;   // Slice(axes [-2, -1]) instead of Slice(H) -> Slice(W)
    int64_t end = INT64_MAX;         // the slices' ends
    int64_t step = 2;
    int64_t convStride = 1, dilation = 1, group = 1;
    std::vector<int64_t> pads = {1, 1, 1, 1};
    bool sliceAlsoOutput = false;    // the first patch is a graph output too
    bool concatAlsoRead = false;     // the concat output also feeds a Relu graph output
    int64_t h = 8, w = 10, k = 3;
};

// x(1x3xHxW) -> Focus -> Conv k x k, 6 channels -> "y".
ModelBuilder focusModel(const FocusSpec& s) {
    ModelBuilder b;
    b.input("x", {1, 3, s.h, s.w});
    b.initializerInt64("zero", {1}, {0});
    b.initializerInt64("one", {1}, {1});
    b.initializerInt64("end", {1}, {s.end});
    b.initializerInt64("end2", {2}, {s.end, s.end});
    b.initializerInt64("ax_h", {1}, {2});
    b.initializerInt64("ax_w", {1}, {3});
    b.initializerInt64("ax_hw", {2}, {-2, -1});
    b.initializerInt64("step", {1}, {s.step});
    b.initializerInt64("step2", {2}, {s.step, s.step});
    for (int q = 0; q < 4; ++q) {
        const int dy = s.phase[q][0], dx = s.phase[q][1];
        const std::string p = "p" + std::to_string(q);
        if (s.oneSlicePerPatch) {
            b.initializerInt64(p + "_starts", {2}, {dy, dx});
            b.node("Slice", {"x", p + "_starts", "end2", "ax_hw", "step2"}, {p});
        } else {
            b.node("Slice", {"x", dy ? "one" : "zero", "end", "ax_h", "step"}, {p + "h"});
            b.node("Slice", {p + "h", dx ? "one" : "zero", "end", "ax_w", "step"}, {p});
        }
    }
    ModelBuilder::intAttr(b.node("Concat", {"p0", "p1", "p2", "p3"}, {"z"}), "axis", 1);
    const int64_t cin = 12 / s.group;
    b.initializer("w", {6, cin, s.k, s.k}, randomFloats(size_t(6 * cin * s.k * s.k), 5));
    b.initializer("b", {6}, randomFloats(6, 6));
    auto* c = b.node("Conv", {"z", "w", "b"}, {"y"}, "conv");
    ModelBuilder::intsAttr(c, "pads", s.pads);
    ModelBuilder::intsAttr(c, "strides", {s.convStride, s.convStride});
    ModelBuilder::intsAttr(c, "dilations", {s.dilation, s.dilation});
    ModelBuilder::intAttr(c, "group", s.group);
    const auto sliced = [&](int64_t dim) { return (std::min(s.end, dim) + s.step - 1) / s.step; };
    const int64_t zh = sliced(s.h), zw = sliced(s.w);
    const auto outDim = [&](int64_t in, int64_t pa, int64_t pb) {
        return (in + pa + pb - s.dilation * (s.k - 1) - 1) / s.convStride + 1;
    };
    b.output("y", {1, 6, outDim(zh, s.pads[0], s.pads[2]), outDim(zw, s.pads[1], s.pads[3])});
    if (s.sliceAlsoOutput) b.output("p0", {1, 3, zh, zw});
    if (s.concatAlsoRead) {
        b.node("Relu", {"z"}, {"r"});
        b.output("r", {1, 12, zh, zw});
    }
    return b;
}

TEST(NnStructuralPasses, FocusFoldsIntoConv) {
    for (Device d : {Device::CpuReference, Device::OpenCL}) {
        for (bool one : {false, true}) {
            FocusSpec s;
            s.oneSlicePerPatch = one;
            const Result r = expectSameAsReference(focusModel(s), d);
            EXPECT_EQ(r.report.foldedFocus, 1) << deviceName(d) << " one slice " << one;
            EXPECT_EQ(r.liveNodes, 1) << "only the Conv is left";
        }
        // Asymmetric pads, a 1x1 and a 5x5 kernel (YOLOv5 v6 is the 3x3 -> 6x6 case).
        FocusSpec s;
        s.pads = {0, 1, 1, 0};
        EXPECT_EQ(expectSameAsReference(focusModel(s), d).report.foldedFocus, 1);
        s.k = 1;
        s.pads = {0, 0, 0, 0};
        EXPECT_EQ(expectSameAsReference(focusModel(s), d).report.foldedFocus, 1);
        s.k = 5;
        s.pads = {2, 2, 2, 2};
        EXPECT_EQ(expectSameAsReference(focusModel(s), d).report.foldedFocus, 1);
    }
}

// fp16 storage: the folded conv's permuted weights are a constant the pass adds; the session
// narrows it to half at upload like every other float constant (a float32 upload read as half
// would give garbage).
TEST(NnStructuralPasses, FocusFoldsIntoConvWithHalfStorage) {
    for (bool one : {false, true}) {
        FocusSpec s;
        s.oneSlicePerPatch = one;
        s.h = 16, s.w = 40;   // rows of 20 after the fold: the conv's vector paths
        const Result r = expectSameAsReference(focusModel(s), Device::OpenCL, 1e-2, Storage::Fp16);
        EXPECT_EQ(r.report.foldedFocus, 1) << "one slice " << one;
        EXPECT_EQ(r.liveNodes, 1) << "only the Conv is left";
    }
}

TEST(NnStructuralPasses, FocusNearMissesAreLeftAlone) {
    std::vector<std::pair<std::string, FocusSpec>> cases;
    auto add = [&](const std::string& what, auto edit) {
        FocusSpec s;
        edit(s);
        cases.emplace_back(what, s);
    };
    add("concat order tl, tr, bl, br", [](FocusSpec& s) {
        s.phase[1][0] = 0, s.phase[1][1] = 1, s.phase[2][0] = 1, s.phase[2][1] = 0;
    });
    add("a patch repeated", [](FocusSpec& s) { s.phase[3][0] = 0, s.phase[3][1] = 0; });
    add("ends short of the width", [](FocusSpec& s) { s.end = 8; });
    add("step 3", [](FocusSpec& s) {
        s.step = 3;
        s.h = 9, s.w = 9;
    });
    add("odd height", [](FocusSpec& s) {
        s.h = 9;
        s.phase[1][0] = 0, s.phase[3][0] = 0;   // only even rows: a valid graph, H odd
    });
    add("conv stride 2", [](FocusSpec& s) { s.convStride = 2; });
    add("conv dilation 2", [](FocusSpec& s) {
        s.dilation = 2;
        s.pads = {2, 2, 2, 2};
    });
    add("grouped conv", [](FocusSpec& s) { s.group = 2; });
    add("a slice is also a graph output", [](FocusSpec& s) { s.sliceAlsoOutput = true; });
    add("the concat is read twice", [](FocusSpec& s) { s.concatAlsoRead = true; });
    for (const auto& [what, s] : cases) {
        const Result r = expectSameAsReference(focusModel(s), Device::OpenCL);
        EXPECT_EQ(r.report.foldedFocus, 0) << what;
    }
}

// ---- SPP pools ---------------------------------------------------------------------------------

struct PoolSpec {
    int64_t k = 0, pad = -1, stride = 1, ceil = 0;
    std::string input = "x";
};

// x(1x4x9x11) -> MaxPools, each a graph output
ModelBuilder poolModel(const std::vector<PoolSpec>& pools, int64_t h = 9, int64_t w = 11) {
    ModelBuilder b;
    b.input("x", {1, 4, h, w});
    for (size_t i = 0; i < pools.size(); ++i) {
        const PoolSpec& p = pools[i];
        const std::string o = "pool" + std::to_string(i);
        auto* n = b.node("MaxPool", {p.input}, {o});
        const int64_t pad = p.pad < 0 ? p.k / 2 : p.pad;
        ModelBuilder::intsAttr(n, "kernel_shape", {p.k, p.k});
        ModelBuilder::intsAttr(n, "pads", {pad, pad, pad, pad});
        ModelBuilder::intsAttr(n, "strides", {p.stride, p.stride});
        if (p.ceil) ModelBuilder::intAttr(n, "ceil_mode", 1);
        // Input sizes: a pool reading another pool's output (same size: stride 1, k/2 pads).
        const int64_t oh = (h + 2 * pad - p.k + (p.ceil ? p.stride - 1 : 0)) / p.stride + 1;
        const int64_t ow = (w + 2 * pad - p.k + (p.ceil ? p.stride - 1 : 0)) / p.stride + 1;
        b.output(o, {1, 4, oh, ow});
    }
    return b;
}

// SPP: s -> MaxPool 5, 9, 13 -> Concat(s, p5, p9, p13) -> Conv 1x1, where s is the input x or
// (fromConv) a 1x1 Conv of it.
ModelBuilder sppModel(int64_t h, int64_t w, bool fromConv = false) {
    ModelBuilder b;
    b.input("x", {1, 4, h, w});
    const std::string src = fromConv ? "s" : "x";
    if (fromConv) {
        b.initializer("ws", {4, 4, 1, 1}, randomFloats(16, 9));
        b.node("Conv", {"x", "ws"}, {"s"});
    }
    std::vector<std::string> cat{src};
    for (int64_t k : {5, 9, 13}) {
        const std::string o = "p" + std::to_string(k);
        auto* n = b.node("MaxPool", {src}, {o});
        ModelBuilder::intsAttr(n, "kernel_shape", {k, k});
        ModelBuilder::intsAttr(n, "pads", {k / 2, k / 2, k / 2, k / 2});
        ModelBuilder::intsAttr(n, "strides", {1, 1});
        cat.push_back(o);
    }
    auto* c = b.node("Concat", cat, {"z"});
    ModelBuilder::intAttr(c, "axis", 1);
    b.initializer("w", {3, 16, 1, 1}, randomFloats(48, 8));
    b.node("Conv", {"z", "w"}, {"y"});
    b.output("y", {1, 3, h, w});
    return b;
}

TEST(NnStructuralPasses, SppPoolsCascade) {
    for (Device d : {Device::CpuReference, Device::OpenCL}) {
        // Sizes below, at and above the largest window.
        for (auto [h, w] : {std::pair<int64_t, int64_t>{13, 13}, {5, 7}, {20, 17}}) {
            const Result r = expectSameAsReference(sppModel(h, w), d);
            EXPECT_EQ(r.report.cascadedPools, 2) << deviceName(d) << " " << h << "x" << w;
        }
        // The pools alone, as graph outputs: max is exact, so are the cascaded ones.
        const Result r = expectSameAsReference(poolModel({{5}, {9}, {13}}), d, 0);
        EXPECT_EQ(r.report.cascadedPools, 2);
    }
}

TEST(NnStructuralPasses, PoolNearMissesAreLeftAlone) {
    struct Case {
        std::string what;
        std::vector<PoolSpec> pools;
        int cascaded;
    };
    const std::vector<Case> cases = {
        {"no 5x5 pool", {{9}, {13}}, 0},
        {"9x9 without padding", {{5}, {9, 0}}, 0},
        {"13x13 after a 9x9 without padding", {{5}, {9, 0}, {13}}, 0},
        {"9x9 stride 2", {{5}, {9, -1, 2}}, 0},
        {"9x9 ceil mode", {{5}, {9, -1, 1, 1}}, 0},
        {"9x9 on another input", {{5}, {3}, {9, -1, 1, 0, "pool1"}}, 0},
        {"5x5 padded by 1", {{5, 1}, {9}}, 0},
        {"only 5 and 9", {{5}, {9}}, 1},
        {"5 and 13 (no 9 to chain)", {{5}, {13}}, 0},
    };
    for (const Case& c : cases) {
        const Result r = expectSameAsReference(poolModel(c.pools), Device::OpenCL, 0);
        EXPECT_EQ(r.report.cascadedPools, c.cascaded) << c.what;
    }
}

}  // namespace
}  // namespace sl::nn

// ---- Concat in place ---------------------------------------------------------------------------

namespace sl::nn {
namespace {

// Adds Conv(in) k x k (pad k/2) with `m` output channels named `out`; `c` input channels.
void conv(ModelBuilder& b, const std::string& in, const std::string& out, int64_t c, int64_t m,
          int64_t k, uint64_t seed) {
    b.initializer(out + "_w", {m, c, k, k}, randomFloats(size_t(m * c * k * k), seed));
    auto* n = b.node("Conv", {in, out + "_w"}, {out});
    ModelBuilder::intsAttr(n, "pads", {k / 2, k / 2, k / 2, k / 2});
}

void concat(ModelBuilder& b, std::vector<std::string> ins, const std::string& out, int64_t axis) {
    ModelBuilder::intAttr(b.node("Concat", std::move(ins), {out}), "axis", axis);
}

TEST(NnConcatInPlace, ProducersWriteIntoTheConcat) {
    ModelBuilder b;
    b.input("x", {1, 4, 6, 7});
    // `a` is made first and must survive the temporaries made before `b` (same size as `a`:
    // the planner would reuse its bytes if the concat's lifetime did not start at `a`).
    conv(b, "x", "a", 4, 4, 1, 1);
    conv(b, "x", "t1", 4, 4, 3, 2);
    b.node("Relu", {"t1"}, {"t2"});
    conv(b, "t2", "t3", 4, 4, 3, 3);
    conv(b, "t3", "bb", 4, 5, 1, 4);
    b.node("Sigmoid", {"t3"}, {"c"});
    concat(b, {"a", "bb", "c"}, "z", 1);   // in place
    conv(b, "z", "y1", 13, 3, 3, 5);
    // `a` read again after the concat (its bytes are the concat's), and concatenated a second
    // time: already placed, so that concat copies.
    concat(b, {"a", "y1"}, "z2", -3);
    conv(b, "z2", "y", 7, 2, 1, 6);
    b.output("y", {1, 2, 6, 7});
    const Result r = expectSameAsReference(b, Device::OpenCL);
    EXPECT_EQ(r.memory.inPlaceConcats, 1);
}

// fp16 storage: each input's place inside the concat output is its byte offset in the arena,
// so it must count 2 bytes per stored float32 element (4 would put the second slab past the
// end of the first's half-sized bytes and leave the concat reading stale memory).
TEST(NnConcatInPlace, ProducersWriteIntoTheConcatWithHalfStorage) {
    ModelBuilder b;
    b.input("x", {1, 4, 6, 7});
    conv(b, "x", "a", 4, 4, 1, 1);
    conv(b, "x", "t1", 4, 4, 3, 2);
    b.node("Relu", {"t1"}, {"t2"});
    conv(b, "t2", "t3", 4, 4, 3, 3);
    conv(b, "t3", "bb", 4, 5, 1, 4);
    b.node("Sigmoid", {"t3"}, {"c"});
    concat(b, {"a", "bb", "c"}, "z", 1);   // in place
    conv(b, "z", "y", 13, 3, 3, 5);
    b.output("y", {1, 3, 6, 7});
    const Result r = expectSameAsReference(b, Device::OpenCL, 1e-2, Storage::Fp16);
    EXPECT_EQ(r.memory.inPlaceConcats, 1);
    // The SPP block: cascaded pools read the previous pool's slab of the concat output.
    const Result spp = expectSameAsReference(sppModel(13, 13, true), Device::OpenCL, 1e-2,
                                             Storage::Fp16);
    EXPECT_EQ(spp.report.cascadedPools, 2);
    EXPECT_EQ(spp.memory.inPlaceConcats, 1);
}

TEST(NnConcatInPlace, SppConcatRunsInPlace) {
    // After the pool cascade each pool reads the previous one's slab of the concat output.
    const Result r = expectSameAsReference(sppModel(13, 13, true), Device::OpenCL);
    EXPECT_EQ(r.report.cascadedPools, 2);
    EXPECT_EQ(r.memory.inPlaceConcats, 1);
    // With the graph input x as one of the concat's inputs: x keeps its own bytes, so the concat
    // copies.
    const Result fromInput = expectSameAsReference(sppModel(13, 13), Device::OpenCL);
    EXPECT_EQ(fromInput.memory.inPlaceConcats, 0);
}

TEST(NnConcatInPlace, NearMissesCopy) {
    {
        // Axis 2 of a 1 x C x H x W output: the inputs are interleaved, not slabs.
        ModelBuilder b;
        b.input("x", {1, 4, 6, 7});
        conv(b, "x", "a", 4, 3, 1, 1);
        conv(b, "x", "c", 4, 3, 3, 2);
        concat(b, {"a", "c"}, "y", 2);
        b.output("y", {1, 3, 12, 7});
        EXPECT_EQ(expectSameAsReference(b, Device::OpenCL).memory.inPlaceConcats, 0);
    }
    {
        // Batch 2: dims before the axis are not all 1.
        ModelBuilder b;
        b.input("x", {2, 4, 6, 7});
        conv(b, "x", "a", 4, 3, 1, 1);
        conv(b, "x", "c", 4, 3, 3, 2);
        concat(b, {"a", "c"}, "y", 1);
        b.output("y", {2, 6, 6, 7});
        EXPECT_EQ(expectSameAsReference(b, Device::OpenCL).memory.inPlaceConcats, 0);
    }
    {
        // An input that is also a graph output; one that is a Reshape view; one repeated.
        for (int variant = 0; variant < 3; ++variant) {
            ModelBuilder b;
            b.input("x", {1, 4, 6, 7});
            conv(b, "x", "a", 4, 3, 1, 1);
            conv(b, "x", "c", 4, 3, 3, 2);
            std::string second = "c";
            if (variant == 1) {
                b.initializerInt64("shape", {4}, {1, 3, 7, 6});
                b.initializerInt64("back", {4}, {1, 3, 6, 7});
                b.node("Reshape", {"c", "shape"}, {"cr"});
                b.node("Reshape", {"cr", "back"}, {"cb"});
                second = "cb";
            }
            if (variant == 2) second = "a";
            concat(b, {"a", second}, "z", 1);
            conv(b, "z", "y", 6, 2, 3, 3);
            b.output("y", {1, 2, 6, 7});
            if (variant == 0) b.output("a", {1, 3, 6, 7});
            EXPECT_EQ(expectSameAsReference(b, Device::OpenCL).memory.inPlaceConcats, 0)
                << "variant " << variant;
        }
    }
}

// ---- Transpose moved before a Concat -----------------------------------------------------------

// YOLOX's output tail in small: three heads at 8x8, 4x4 and 2x2 (c channels each), reshaped to
// [1, c, HW], concatenated along the box axis and transposed to [1, boxes, c].
ModelBuilder headsModel(int64_t c, bool concatAlsoOutput = false,
                        std::vector<int64_t> perm = {0, 2, 1}) {
    ModelBuilder b;
    b.input("x", {1, 4, 8, 8});
    conv(b, "x", "h0", 4, c, 1, 11);
    auto* p1 = b.node("MaxPool", {"x"}, {"p1"});
    ModelBuilder::intsAttr(p1, "kernel_shape", {2, 2});
    ModelBuilder::intsAttr(p1, "strides", {2, 2});
    conv(b, "p1", "h1", 4, c, 3, 12);
    auto* p2 = b.node("MaxPool", {"p1"}, {"p2"});
    ModelBuilder::intsAttr(p2, "kernel_shape", {2, 2});
    ModelBuilder::intsAttr(p2, "strides", {2, 2});
    conv(b, "p2", "h2", 4, c, 1, 13);
    b.initializerInt64("flat", {3}, {1, c, -1});
    for (int i = 0; i < 3; ++i)
        b.node("Reshape", {"h" + std::to_string(i), "flat"}, {"r" + std::to_string(i)});
    concat(b, {"r0", "r1", "r2"}, "cat", 2);
    ModelBuilder::intsAttr(b.node("Transpose", {"cat"}, {"y"}), "perm", perm);
    std::vector<int64_t> ys;
    const std::vector<int64_t> cs = {1, c, 84};
    for (int64_t d : perm) ys.push_back(cs[size_t(d)]);
    b.output("y", ys);
    if (concatAlsoOutput) b.output("cat", {1, c, 84});
    return b;
}

TEST(NnStructuralPasses, TransposeMovesBeforeTheConcatWhichThenRunsInPlace) {
    for (Device d : {Device::CpuReference, Device::OpenCL}) {
        // Bit-exact on the reference (pure data movement); the OpenCL convs round differently.
        const Result r = expectSameAsReference(headsModel(5), d,
                                               d == Device::CpuReference ? 0 : 1e-5);
        EXPECT_EQ(r.report.movedTransposes, 1) << deviceName(d);
    }
    const Result r = expectSameAsReference(headsModel(5), Device::OpenCL);
    // The three Transposes write into their slabs of the output; only the concat was there to
    // place.
    EXPECT_EQ(r.memory.inPlaceConcats, 1);
    const Result half = expectSameAsReference(headsModel(5), Device::OpenCL, 1e-2, Storage::Fp16);
    EXPECT_EQ(half.report.movedTransposes, 1);
    EXPECT_EQ(half.memory.inPlaceConcats, 1);
    // perm (2, 0, 1): the concat axis moves to the front, still one slab per input.
    const Result front = expectSameAsReference(headsModel(3, false, {2, 0, 1}), Device::OpenCL);
    EXPECT_EQ(front.report.movedTransposes, 1);
    EXPECT_EQ(front.memory.inPlaceConcats, 1);
}

TEST(NnStructuralPasses, TransposeNearMissesAreLeftAlone) {
    // The concat output is also a graph output: it must keep its own bytes and layout.
    const Result both = expectSameAsReference(headsModel(5, true), Device::OpenCL);
    EXPECT_EQ(both.report.movedTransposes, 0);
    // perm (1, 0, 2) keeps the box axis last: dims before it (c) are not 1, so the moved concat
    // would interleave its inputs and nothing would be gained.
    const Result interleaved =
        expectSameAsReference(headsModel(5, false, {1, 0, 2}), Device::OpenCL);
    EXPECT_EQ(interleaved.report.movedTransposes, 0);
    // A Transpose of something else than a Concat.
    ModelBuilder b;
    b.input("x", {1, 4, 6, 7});
    conv(b, "x", "a", 4, 3, 1, 1);
    ModelBuilder::intsAttr(b.node("Transpose", {"a"}, {"y"}), "perm", {0, 2, 3, 1});
    b.output("y", {1, 6, 7, 3});
    EXPECT_EQ(expectSameAsReference(b, Device::OpenCL).report.movedTransposes, 0);
}

}  // namespace
}  // namespace sl::nn
