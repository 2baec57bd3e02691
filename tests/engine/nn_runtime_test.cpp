// Session: cpu-ref vs OpenCL on small models, planned memory, profiles, the run-model verb.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>
#include <vector>

#include "cli/cli.h"
#include "compute/cl_context.h"
#include "compute/cl_handles.h"
#include "core/log.h"
#include "nn/npy.h"
#include "nn/onnx/onnx_importer.h"
#include "nn/ops/op_registry.h"
#include "nn/runtime/profile.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"
#include "nn_model_builder.h"

namespace sl::nn {
namespace {

using test::ModelBuilder;
using test::TempDir;
using cli::findVerb;
using cli::kExitFailure;
using cli::kExitOk;
using cli::kExitUsage;
using cli::Verb;

std::vector<float> randomFloats(size_t n, uint64_t seed) {
    Tensor t = randomTensor({DType::Float32, {int64_t(n)}}, seed);
    return std::vector<float>(t.data<float>(), t.data<float>() + n);
}

// x(1x3x9x11) -> Conv 3x3 pad 1 (4 ch) -> Conv 1x1 (5 ch) -> Conv 3x3 stride 2 (6 ch) -> y
ModelBuilder convChain() {
    ModelBuilder b;
    b.input("x", {1, 3, 9, 11});
    b.output("y", {1, 6, 5, 6});
    b.initializer("w1", {4, 3, 3, 3}, randomFloats(108, 1));
    b.initializer("b1", {4}, randomFloats(4, 2));
    b.initializer("w2", {5, 4, 1, 1}, randomFloats(20, 3));
    b.initializer("w3", {6, 5, 3, 3}, randomFloats(270, 4));
    b.initializer("b3", {6}, randomFloats(6, 5));
    auto* c1 = b.node("Conv", {"x", "w1", "b1"}, {"a"}, "conv1");
    ModelBuilder::intsAttr(c1, "pads", {1, 1, 1, 1});
    b.node("Conv", {"a", "w2"}, {"c"}, "conv2");
    auto* c3 = b.node("Conv", {"c", "w3", "b3"}, {"y"}, "conv3");
    ModelBuilder::intsAttr(c3, "pads", {1, 1, 1, 1});
    ModelBuilder::intsAttr(c3, "strides", {2, 2});
    return b;
}

Expected<std::vector<Tensor>> runOn(const Graph& g, Device d, const std::vector<Tensor>& in,
                                    SessionOptions o = {}) {
    o.device = d;
    auto s = Session::create(g, o);
    if (!s) return s.status();
    return (*s)->run(in);
}

TEST(NnRuntime, ConvChainOpenClMatchesReference) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    auto g = importOnnx(dir / "chain.onnx");
    ASSERT_TRUE(g) << g.status().message();
    const std::vector<Tensor> in = {randomTensor({DType::Float32, {1, 3, 9, 11}}, 9)};
    auto ref = runOn(*g, Device::CpuReference, in);
    ASSERT_TRUE(ref) << ref.status().message();
    ASSERT_EQ(ref->size(), 1u);
    EXPECT_EQ((*ref)[0].shape(), (Shape{1, 6, 5, 6}));
    auto cl = runOn(*g, Device::OpenCL, in);
    ASSERT_TRUE(cl) << cl.status().message();
    const CompareResult r = compareTensors((*cl)[0], (*ref)[0], 1e-3, 1e-5);
    EXPECT_TRUE(r.ok) << r.message;
}

TEST(NnRuntime, PlannedArenaReusesMemoryAndProfiles) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    SessionOptions o;
    o.device = Device::OpenCL;
    o.profile = true;
    auto s = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(s) << s.status().message();
    const MemoryStats m = (*s)->memory();
    EXPECT_GT(m.arenaBytes, 0u);
    EXPECT_LT(m.arenaBytes, m.naiveBytes);   // x's bytes are reused once conv1 has read them
    EXPECT_GE(m.weightsBytes, (108 + 4 + 20 + 270 + 6) * 4u);
    const Tensor in = randomTensor({DType::Float32, {1, 3, 9, 11}}, 3);
    for (int i = 0; i < 2; ++i) {   // a second run reuses everything
        auto out = (*s)->run(std::vector<Tensor>{in});
        ASSERT_TRUE(out) << out.status().message();
    }
    const Profile& p = (*s)->lastProfile();
    ASSERT_EQ(p.nodes.size(), 3u);
    EXPECT_EQ(p.nodes[0].name, "conv1");
    EXPECT_TRUE(p.nodes[0].onDevice);
    const std::string text = p.format(2);
    EXPECT_NE(text.find("Conv"), std::string::npos) << text;
    EXPECT_NE(text.find("slowest nodes"), std::string::npos) << text;
}

TEST(NnRuntime, InputValidationAndByName) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    SessionOptions o;
    o.device = Device::CpuReference;
    auto s = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(s) << s.status().message();
    ASSERT_EQ((*s)->inputs().size(), 1u);
    EXPECT_EQ((*s)->inputs()[0].name, "x");
    auto wrong = (*s)->run(std::vector<Tensor>{Tensor(DType::Float32, {1, 3, 9, 10})});
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.status().message().find("input 'x' must be float32 1x3x9x11"),
              std::string::npos)
        << wrong.status().message();
    auto missing = (*s)->run(std::map<std::string, Tensor>{});
    EXPECT_FALSE(missing);
    auto byName = (*s)->run(std::map<std::string, Tensor>{
        {"x", randomTensor({DType::Float32, {1, 3, 9, 11}}, 1)}});
    EXPECT_TRUE(byName) << byName.status().message();
}

TEST(NnRuntime, DynamicBatchResolvedByInputShapes) {
    TempDir dir;
    ModelBuilder b = convChain();
    auto* dim = b.graph().mutable_input(0)->mutable_type()->mutable_tensor_type()
                    ->mutable_shape()->mutable_dim(0);
    dim->set_dim_param("batch");
    b.graph().mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()
        ->mutable_dim(0)->set_dim_param("batch");
    b.save(dir / "dyn.onnx");
    SessionOptions o;
    o.device = Device::CpuReference;
    o.inputShapes["x"] = {2, 3, 9, 11};
    auto s = Session::load(dir / "dyn.onnx", o);
    ASSERT_TRUE(s) << s.status().message();
    EXPECT_EQ((*s)->outputs()[0].info.shape, (Shape{2, 6, 5, 6}));
    o.inputShapes["x"] = {2, 3, 9, 12};
    auto bad = Session::load(dir / "dyn.onnx", o);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.status().message().find("does not match"), std::string::npos);
}

TEST(NnRuntime, RunModelVerbWritesNpy) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    const Tensor in = randomTensor({DType::Float32, {1, 3, 9, 11}}, 5);
    ASSERT_TRUE(writeNpy(dir / "x.npy", in));
    const Verb* v = findVerb("run-model");
    ASSERT_NE(v, nullptr);
    for (const char* device : {"cpu-ref", "opencl"}) {
        const std::string outDir = (dir / device).string();
        const std::vector<std::string> args = {(dir / "chain.onnx").string(), "--input",
                                               "x=" + (dir / "x.npy").string(), "--output-dir",
                                               outDir, "--device", device, "--profile",
                                               "--storage", "fp32"};
        ASSERT_EQ(v->run(args), kExitOk) << device;
        auto y = readNpy(outDir + "/y.npy");
        ASSERT_TRUE(y) << y.status().message();
        EXPECT_EQ(y->shape(), (Shape{1, 6, 5, 6}));
    }
    auto a = readNpy((dir / "cpu-ref/y.npy").string());
    auto b = readNpy((dir / "opencl/y.npy").string());
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(compareTensors(*b, *a, 1e-3, 1e-5).ok);
    // Random inputs, and the usage errors.
    EXPECT_EQ(v->run(std::vector<std::string>{(dir / "chain.onnx").string(), "--random-inputs",
                                              "3", "--output-dir", (dir / "r").string(),
                                              "--device", "cpu-ref"}),
              kExitOk);
    EXPECT_EQ(v->run(std::vector<std::string>{(dir / "chain.onnx").string(), "--device",
                                              "cpu-ref"}),
              kExitFailure);   // no input given
    EXPECT_EQ(v->run(std::vector<std::string>{"--bogus"}), kExitUsage);
    EXPECT_EQ(v->run(std::vector<std::string>{(dir / "absent.onnx").string()}), kExitFailure);
    EXPECT_EQ(v->run(std::vector<std::string>{(dir / "chain.onnx").string(), "--profile",
                                              "--profile-runs", "0"}),
              kExitUsage);
}

// run-model --profile prints per-node medians over several runs.
TEST(NnRuntime, MedianProfileIsPerNode) {
    const auto profile = [](std::vector<double> ms, double total) {
        Profile p;
        for (size_t i = 0; i < ms.size(); ++i)
            p.nodes.push_back({"n" + std::to_string(i), "Conv", ms[i], true});
        p.totalMs = total;
        return p;
    };
    const Profile m = medianProfile({profile({1, 5, 3}, 10), profile({2, 4, 9}, 30),
                                     profile({3, 6, 0}, 20)});
    ASSERT_EQ(m.nodes.size(), 3u);
    EXPECT_EQ(m.nodes[0].ms, 2);
    EXPECT_EQ(m.nodes[1].ms, 5);
    EXPECT_EQ(m.nodes[2].ms, 3);
    EXPECT_EQ(m.nodes[1].name, "n1");
    EXPECT_EQ(m.totalMs, 20);
    EXPECT_EQ(medianProfile({profile({1, 2}, 1), profile({4, 6}, 3)}).nodes[1].ms, 4);
    EXPECT_TRUE(medianProfile({profile({1}, 1), profile({1, 2}, 1)}).nodes.empty());
    EXPECT_TRUE(medianProfile({}).nodes.empty());
}

TEST(NnRuntime, BenchModelVerb) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    const Verb* v = findVerb("bench-model");
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->run(std::vector<std::string>{(dir / "chain.onnx").string(), "--iterations", "3",
                                              "--warmup", "1"}),
              kExitOk);
    EXPECT_EQ(v->run(std::vector<std::string>{(dir / "chain.onnx").string(), "--iterations",
                                              "0"}),
              kExitUsage);
}

// A node whose op has no OpenCL path: the session refuses it naming op and node, or runs it on
// the reference when allowed, and says so. Which ops lack a device path changes as kernels are
// added, so the test takes the first candidate the OpenCL session refuses.
struct FallbackCase {
    ModelBuilder model;
    std::string op, node;
    std::vector<Tensor> inputs;
};

std::vector<FallbackCase> fallbackCandidates() {
    std::vector<FallbackCase> cases;
    {   // int64 arithmetic (shape math that was not folded away)
        FallbackCase c{ModelBuilder(13), "Add", "add_int64", {}};
        c.model.input("a", {2, 5}, onnx::TensorProto::INT64);
        c.model.input("b", {2, 5}, onnx::TensorProto::INT64);
        c.model.output("y", {2, 5}, onnx::TensorProto::INT64);
        c.model.node("Add", {"a", "b"}, {"y"}, c.node);
        c.inputs = {randomTensor({DType::Int64, {2, 5}}, 1),
                    randomTensor({DType::Int64, {2, 5}}, 2)};
        cases.push_back(std::move(c));
    }
    {   // Clip with bounds fed as inputs
        FallbackCase c{ModelBuilder(13), "Clip", "clip_dynamic", {}};
        c.model.input("x", {2, 5});
        c.model.input("lo", {});
        c.model.input("hi", {});
        c.model.output("y", {2, 5});
        c.model.node("Clip", {"x", "lo", "hi"}, {"y"}, c.node);
        const float lo = 0.1f, hi = 0.6f;
        c.inputs = {randomTensor({DType::Float32, {2, 5}}, 4), Tensor(DType::Float32, {}, &lo),
                    Tensor(DType::Float32, {}, &hi)};
        cases.push_back(std::move(c));
    }
    return cases;
}

TEST(NnRuntime, NodeWithoutOpenClPathIsRefusedOrFallsBackVisibly) {
    TempDir dir;
    for (FallbackCase& c : fallbackCandidates()) {
        if (!isOpSupported(c.op)) continue;
        c.model.save(dir / "fallback.onnx");
        auto g = importOnnx(dir / "fallback.onnx");
        ASSERT_TRUE(g) << g.status().message();
        SessionOptions o;
        o.device = Device::OpenCL;
        auto refused = Session::create(*g, o);
        if (refused) continue;   // this op has an OpenCL path by now
        EXPECT_EQ(refused.status().code(), StatusCode::Unsupported);
        const std::string m = refused.status().message();
        EXPECT_NE(m.find("'fallback.onnx'"), std::string::npos) << m;
        EXPECT_NE(m.find("op '" + c.op + "' (node '" + c.node + "') has no OpenCL path"),
                  std::string::npos)
            << m;

        std::vector<std::string> warnings;
        setLogSink([&](LogLevel level, std::string_view, std::string_view msg) {
            if (level == LogLevel::Warning) warnings.emplace_back(msg);
        });
        o.allowCpuFallback = true;
        auto s = Session::create(*g, o);
        setLogSink(nullptr);
        ASSERT_TRUE(s) << s.status().message();
        EXPECT_EQ((*s)->cpuFallbackNodes(), 1);
        ASSERT_EQ(warnings.size(), 1u);
        EXPECT_NE(warnings[0].find(c.node), std::string::npos) << warnings[0];
        auto cl = (*s)->run(c.inputs);
        ASSERT_TRUE(cl) << cl.status().message();
        auto ref = runOn(*g, Device::CpuReference, c.inputs);
        ASSERT_TRUE(ref) << ref.status().message();
        EXPECT_TRUE(compareTensors((*cl)[0], (*ref)[0], 0, 0).ok);
        return;
    }
    // Without a candidate the fallback path would go untested: that must fail, not skip.
    FAIL() << "every candidate op has an OpenCL path now; add a candidate without one";
}

TEST(NnRuntime, DeviceInputsSkipTheHost) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    SessionOptions o;
    o.device = Device::OpenCL;
    o.compute = &*ctx;
    auto s = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(s) << s.status().message();
    const Tensor x = randomTensor({DType::Float32, {1, 3, 9, 11}}, 21);
    // The input sits at an offset inside a bigger buffer, as a preprocess output slot would.
    const size_t offset = 4096;
    auto buf = ctx->createBuffer(CL_MEM_READ_WRITE, offset + x.bytes());
    ASSERT_TRUE(buf) << buf.status().message();
    ASSERT_TRUE(ctx->write(buf->get(), offset, x.bytes(), x.raw()));
    const DeviceTensor d{buf->get(), offset, x.info()};
    auto fromDevice = (*s)->runDevice(std::span<const DeviceTensor>(&d, 1));
    ASSERT_TRUE(fromDevice) << fromDevice.status().message();
    auto fromHost = (*s)->run(std::vector<Tensor>{x});
    ASSERT_TRUE(fromHost) << fromHost.status().message();
    EXPECT_TRUE(compareTensors((*fromDevice)[0], (*fromHost)[0], 0, 0).ok);
    const DeviceTensor wrong{buf->get(), 0, {DType::Float32, {1, 3, 9, 12}}};
    EXPECT_FALSE((*s)->runDevice(std::span<const DeviceTensor>(&wrong, 1)));
    // A float16 device input (the preprocessor's half output) into this fp32-storage session is
    // widened on the device: the same as running the half-rounded values from the host.
    const Tensor h = convertFloat(x, DType::Float16);
    ASSERT_TRUE(ctx->write(buf->get(), offset, h.bytes(), h.raw()));
    const DeviceTensor dh{buf->get(), offset, h.info()};
    auto fromHalf = (*s)->runDevice(std::span<const DeviceTensor>(&dh, 1));
    ASSERT_TRUE(fromHalf) << fromHalf.status().message();
    auto rounded = (*s)->run(std::vector<Tensor>{convertFloat(h, DType::Float32)});
    ASSERT_TRUE(rounded) << rounded.status().message();
    EXPECT_TRUE(compareTensors((*fromHalf)[0], (*rounded)[0], 0, 0).ok);
    EXPECT_FALSE(compareTensors((*fromHalf)[0], (*fromHost)[0], 0, 0).ok);   // it was rounded
    const DeviceTensor ints{buf->get(), offset, {DType::Int32, {1, 3, 9, 11}}};
    EXPECT_FALSE((*s)->runDevice(std::span<const DeviceTensor>(&ints, 1)));
}

// fp16 storage on a small model: float32 in and out, the reference within the half rounding of
// the inputs, weights and the two intermediates (each <= 2^-11 relative; three convs of at most
// 54 taps keep the relative L2 well under 1e-2; measured ~1e-3).
TEST(NnRuntime, Fp16StorageMatchesReference) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    auto g = importOnnx(dir / "chain.onnx");
    ASSERT_TRUE(g) << g.status().message();
    const std::vector<Tensor> in = {randomTensor({DType::Float32, {1, 3, 9, 11}}, 9)};
    auto ref = runOn(*g, Device::CpuReference, in);
    ASSERT_TRUE(ref) << ref.status().message();
    SessionOptions o;
    o.storage = Storage::Fp16;
    auto cl = runOn(*g, Device::OpenCL, in, o);
    ASSERT_TRUE(cl) << cl.status().message();
    ASSERT_EQ((*cl)[0].dtype(), DType::Float32);
    const double err = relativeL2Error((*cl)[0], (*ref)[0]);
    std::printf("conv chain fp16 storage: relative L2 %.3g\n", err);
    EXPECT_LT(err, 1e-2);
    EXPECT_GT(err, 0.0);   // it did store half: fp32 storage gives ~1e-7
}

// A node on the CPU reference inside an fp16 session: its float32 inputs come out of the half
// arena widened, its float32 outputs go back narrowed. Cast to/from float64 has no OpenCL path,
// so x -> Relu (device) -> Cast f64 (cpu) -> Cast f32 (cpu) -> Relu (device) crosses the boundary
// both ways. Only the half rounding of x and of the two stored intermediates separates it from
// the reference: max |error| <= 2^-11 relative per rounding (inputs in [-1, 1)).
TEST(NnRuntime, Fp16StorageCpuFallbackConvertsAtTheBoundary) {
    ModelBuilder b;
    b.input("x", {2, 37});
    b.output("y", {2, 37});
    b.node("Relu", {"x"}, {"r"}, "relu1");
    ModelBuilder::intAttr(b.node("Cast", {"r"}, {"d"}, "to_f64"), "to",
                          onnx::TensorProto::DOUBLE);
    ModelBuilder::intAttr(b.node("Cast", {"d"}, {"f"}, "to_f32"), "to",
                          onnx::TensorProto::FLOAT);
    b.node("Relu", {"f"}, {"y"}, "relu2");
    TempDir dir;
    b.save(dir / "boundary.onnx");
    auto g = importOnnx(dir / "boundary.onnx");
    ASSERT_TRUE(g) << g.status().message();
    const std::vector<Tensor> in = {randomTensor({DType::Float32, {2, 37}}, 17)};
    auto ref = runOn(*g, Device::CpuReference, in);
    ASSERT_TRUE(ref) << ref.status().message();
    SessionOptions o;
    o.device = Device::OpenCL;
    o.storage = Storage::Fp16;
    o.allowCpuFallback = true;
    o.optimize = false;   // keep the casts
    auto s = Session::create(*g, o);
    ASSERT_TRUE(s) << s.status().message();
    ASSERT_EQ((*s)->cpuFallbackNodes(), 2);
    auto got = (*s)->run(in);
    ASSERT_TRUE(got) << got.status().message();
    // Exactly the half-rounded reference: Relu and the casts are exact on half values.
    const Tensor want = convertFloat(convertFloat((*ref)[0], DType::Float16), DType::Float32);
    EXPECT_TRUE(compareTensors((*got)[0], want, 0, 0).ok);
    EXPECT_TRUE(compareTensors((*got)[0], (*ref)[0], 1.0 / 2048, 0).ok);
}

// Restores an environment variable at scope exit.
struct EnvVar {
    std::string name;
    std::optional<std::string> old;
    EnvVar(std::string n, const std::string& value) : name(std::move(n)) {
        if (const char* v = std::getenv(name.c_str())) old = v;
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~EnvVar() {
        if (old) ::setenv(name.c_str(), old->c_str(), 1);
        else ::unsetenv(name.c_str());
    }
};

// storage = auto: measured once (both timings known, the faster kept), cached per device and
// model in the kernel cache directory, read back by the next session; a damaged cache file is
// measured again; $SIGHTLINE_NN_STORAGE overrides the decision.
TEST(NnRuntime, AutoStorageIsMeasuredOnceAndCached) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    EnvVar cacheDir("SIGHTLINE_KERNEL_CACHE", (dir / "cache").string());
    ::unsetenv("SIGHTLINE_NN_STORAGE");
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    SessionOptions o;
    o.compute = &*ctx;
    o.storage = Storage::Auto;
    auto first = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(first) << first.status().message();
    const StorageChoice c1 = (*first)->storageChoice();
    EXPECT_TRUE(c1.automatic && c1.measured && !c1.fromCache);
    EXPECT_GT(c1.fp32Ms, 0.0);
    EXPECT_GT(c1.fp16Ms, 0.0);
    EXPECT_EQ((*first)->storage(), c1.fp16Ms < 0.98 * c1.fp32Ms ? Storage::Fp16 : Storage::Fp32);
    std::printf("auto storage on the conv chain: %s (fp32 %.3f ms, fp16 %.3f ms)\n",
                storageName((*first)->storage()), c1.fp32Ms, c1.fp16Ms);
    const Tensor x = randomTensor({DType::Float32, {1, 3, 9, 11}}, 3);
    EXPECT_TRUE((*first)->run(std::vector<Tensor>{x}));

    std::filesystem::path file;
    for (const auto& e : std::filesystem::directory_iterator(dir / "cache"))
        if (e.path().filename().string().rfind("storage-choice-", 0) == 0) file = e.path();
    ASSERT_FALSE(file.empty()) << "no storage-choice file in " << (dir / "cache");

    auto second = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(second) << second.status().message();
    EXPECT_TRUE((*second)->storageChoice().fromCache);
    EXPECT_FALSE((*second)->storageChoice().measured);
    EXPECT_EQ((*second)->storage(), (*first)->storage());
    EXPECT_DOUBLE_EQ((*second)->storageChoice().fp32Ms, std::round(c1.fp32Ms * 1000) / 1000);

    {   // a flipped byte fails the checksum: measured again
        std::string text;
        {
            std::ifstream f(file);
            text.assign(std::istreambuf_iterator<char>(f), {});
        }
        ASSERT_GT(text.size(), 40u);
        text[30] = text[30] == 'a' ? 'b' : 'a';
        std::ofstream(file) << text;
    }
    auto third = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(third) << third.status().message();
    EXPECT_TRUE((*third)->storageChoice().measured);

    EnvVar force("SIGHTLINE_NN_STORAGE", "fp16");
    auto forced = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(forced) << forced.status().message();
    EXPECT_EQ((*forced)->storage(), Storage::Fp16);
    EXPECT_TRUE((*forced)->storageChoice().fromEnvironment);
    o.storage = Storage::Fp32;   // an explicit choice is not overridden
    auto explicit32 = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(explicit32);
    EXPECT_EQ((*explicit32)->storage(), Storage::Fp32);
}

TEST(NnRuntime, StorageNames) {
    EXPECT_EQ(*parseStorage("fp16"), Storage::Fp16);
    EXPECT_EQ(*parseStorage("fp32"), Storage::Fp32);
    EXPECT_EQ(*parseStorage("auto"), Storage::Auto);
    auto bad = parseStorage("fp8");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.status().message().find("'fp8'"), std::string::npos);
}

// SessionOptions::ownQueue: runs go on a queue of the session's own (not the context's), and a
// producer on the context's queue is ordered by its event alone. The producer's write is held
// back by a user event released from another thread while runDevice already waits, so a run
// that ignored the wait list would read the stale (zeroed) input.
TEST(NnRuntime, OwnQueueRunsOrderedByProducerEvents) {
    TempDir dir;
    convChain().save(dir / "chain.onnx");
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    SessionOptions o;
    o.device = Device::OpenCL;
    o.compute = &*ctx;
    o.ownQueue = true;
    auto s = Session::load(dir / "chain.onnx", o);
    ASSERT_TRUE(s) << s.status().message();
    ASSERT_NE((*s)->queue(), nullptr);
    EXPECT_NE((*s)->queue(), ctx->queue());
    const Tensor x = randomTensor({DType::Float32, {1, 3, 9, 11}}, 33);
    auto buf = ctx->createBuffer(CL_MEM_READ_WRITE, x.bytes());
    ASSERT_TRUE(buf) << buf.status().message();
    const std::vector<uint8_t> zeros(x.bytes(), 0);
    ASSERT_TRUE(ctx->write(buf->get(), 0, zeros.size(), zeros.data()));
    cl_int err = CL_SUCCESS;
    compute::ClEvent gate(clCreateUserEvent(ctx->context(), &err));
    ASSERT_EQ(err, CL_SUCCESS);
    compute::ClEvent written;
    ASSERT_EQ(clEnqueueWriteBuffer(ctx->queue(), buf->get(), CL_FALSE, 0, x.bytes(), x.raw(), 1,
                                   gate.ptr(), written.out()),
              CL_SUCCESS);
    clFlush(ctx->queue());
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        clSetUserEventStatus(gate.get(), CL_COMPLETE);
    });
    const DeviceTensor d{buf->get(), 0, x.info()};
    const cl_event wait = written.get();
    auto fromDevice = (*s)->runDevice(std::span<const DeviceTensor>(&d, 1),
                                      std::span<const cl_event>(&wait, 1));
    release.join();
    ASSERT_TRUE(fromDevice) << fromDevice.status().message();
    auto fromHost = (*s)->run(std::vector<Tensor>{x});
    ASSERT_TRUE(fromHost) << fromHost.status().message();
    EXPECT_TRUE(compareTensors((*fromDevice)[0], (*fromHost)[0], 0, 0).ok);
}

}  // namespace
}  // namespace sl::nn
