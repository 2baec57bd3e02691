// YOLOX-Nano, the default detector, end to end: OpenCL against the CPU reference on random inputs
// and on a real decoded frame run through the pipeline's own letterbox preprocess. Fails when the
// model is missing (it is part of the shared test assets).

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "media/media_source.h"
#include "media/open_options.h"
#include "nn/runtime/session.h"
#include "nn/tensor_util.h"
#include "support/video_generator.h"
#include "vision/preprocess_reference.h"

namespace sl::nn {
namespace {

namespace fs = std::filesystem;

constexpr double kMaxRelativeL2 = 1e-4;

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

struct Sessions {
    std::unique_ptr<Session> ref, cl;
};

void loadBoth(Sessions& s) {
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    SessionOptions o;
    o.device = Device::CpuReference;
    auto ref = Session::load(modelPath(), o);
    ASSERT_TRUE(ref) << ref.status().message();
    o.device = Device::OpenCL;
    o.profile = true;
    auto cl = Session::load(modelPath(), o);
    ASSERT_TRUE(cl) << cl.status().message();
    EXPECT_EQ((*cl)->cpuFallbackNodes(), 0);
    s.ref = std::move(*ref);
    s.cl = std::move(*cl);
    ASSERT_EQ(s.cl->inputs().size(), 1u);
    EXPECT_EQ(s.cl->inputs()[0].info.shape, (Shape{1, 3, 416, 416}));
    EXPECT_EQ(s.cl->outputs()[0].info.shape, (Shape{1, 3549, 85}));
}

double runAndCompare(Sessions& s, const Tensor& input, const char* what) {
    // Warm-up: PoCL compiles kernels at their first enqueue; time and profile the second run.
    EXPECT_TRUE(s.cl->run(std::vector<Tensor>{input}));
    const auto t0 = std::chrono::steady_clock::now();
    auto ref = s.ref->run(std::vector<Tensor>{input});
    const auto t1 = std::chrono::steady_clock::now();
    auto cl = s.cl->run(std::vector<Tensor>{input});
    const auto t2 = std::chrono::steady_clock::now();
    EXPECT_TRUE(ref) << ref.status().message();
    EXPECT_TRUE(cl) << cl.status().message();
    if (!ref || !cl) return 1e9;
    const double err = relativeL2Error((*cl)[0], (*ref)[0]);
    const auto ms = [](auto a, auto b) {
        return std::chrono::duration<double, std::milli>(b - a).count();
    };
    std::printf(
        "yolox_nano %s: relative L2 %.3g; cpu-ref %.1f ms, opencl %.1f ms (after warm-up)\n", what,
        err, ms(t0, t1), ms(t1, t2));
    // The output is probabilities after sigmoid for obj and classes: a quick semantic check.
    const Tensor& out = (*cl)[0];
    for (int64_t r = 0; r < 3549; r += 97)
        for (int64_t c = 4; c < 85; ++c) {
            const float v = out.data<float>()[r * 85 + c];
            EXPECT_TRUE(v >= 0.f && v <= 1.f) << "row " << r << " col " << c << ": " << v;
        }
    return err;
}

TEST(NnYolox, OpenClMatchesReferenceOnRandomInput) {
    Sessions s;
    ASSERT_NO_FATAL_FAILURE(loadBoth(s));
    const Tensor input = randomTensor(s.cl->inputs()[0].info, 42, 0.f, 255.f);
    EXPECT_LT(runAndCompare(s, input, "random input"), kMaxRelativeL2);
    std::cout << s.cl->lastProfile().format(5);
    std::printf("planned device memory: activations %zu bytes (without reuse %zu), constants %zu\n",
                s.cl->memory().arenaBytes, s.cl->memory().naiveBytes, s.cl->memory().weightsBytes);
    EXPECT_LT(s.cl->memory().arenaBytes, s.cl->memory().naiveBytes / 2);
}

// The structural rewrites on the real model: Focus folded, the SPP pools cascaded, the channel
// concats in place; the optimized graph on OpenCL against the unoptimized graph on the CPU
// reference (the other tests compare two optimized graphs, which a wrong pass would pass).
TEST(NnYolox, OptimizedOpenClMatchesUnoptimizedReference) {
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    SessionOptions o;
    o.device = Device::CpuReference;
    o.optimize = false;
    auto plain = Session::load(modelPath(), o);
    ASSERT_TRUE(plain) << plain.status().message();
    o.device = Device::OpenCL;
    o.optimize = true;
    auto cl = Session::load(modelPath(), o);
    ASSERT_TRUE(cl) << cl.status().message();
    EXPECT_EQ((*cl)->passReport().foldedFocus, 1);
    EXPECT_EQ((*cl)->passReport().cascadedPools, 2);
    // The head's Concat [1,85,2704|676|169] -> Transpose [1,3549,85] becomes three Transposes
    // into a Concat along the box axis: one slab per input.
    EXPECT_EQ((*cl)->passReport().movedTransposes, 1);
    // 17 concats after the Focus fold, all in place.
    EXPECT_EQ((*cl)->memory().inPlaceConcats, 17);
    const Tensor input = randomTensor((*cl)->inputs()[0].info, 7, 0.f, 255.f);
    auto ref = (*plain)->run(std::vector<Tensor>{input});
    auto out = (*cl)->run(std::vector<Tensor>{input});
    ASSERT_TRUE(ref) << ref.status().message();
    ASSERT_TRUE(out) << out.status().message();
    const double err = relativeL2Error((*out)[0], (*ref)[0]);
    std::printf("yolox_nano optimized opencl vs unoptimized cpu-ref: relative L2 %.3g\n", err);
    EXPECT_LT(err, kMaxRelativeL2);
}

// A real picture: ffmpeg's testsrc2 (colour gradients, shapes, text) encoded to H.264, decoded by
// the media module and letterboxed by the pipeline's preprocess reference. Falls back to the
// engine's generated test video when the ffmpeg CLI is not there.
TEST(NnYolox, OpenClMatchesReferenceOnDecodedFrame) {
    Sessions s;
    ASSERT_NO_FATAL_FAILURE(loadBoth(s));
    testing::TempDir dir("nn-yolox");
    const fs::path video = dir.file("frame.mp4");
    const std::string cmd = "ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=1 "
                            "-frames:v 1 -pix_fmt yuv420p '" + video.string() + "' 2>/dev/null";
    if (std::system(cmd.c_str()) != 0 || !fs::exists(video)) {
        testing::VideoSpec spec;
        spec.path = video;
        spec.width = 640;
        spec.height = 360;
        spec.frames = 1;
        auto gen = testing::generateVideo(spec);
        ASSERT_TRUE(gen) << gen.status().message();
    }
    media::MediaSource source;
    media::OpenOptions open;
    open.url = video.string();
    ASSERT_TRUE(source.open(open));
    auto frame = source.readFrame();
    ASSERT_TRUE(frame) << frame.status().message();
    vision::HostYuvFrame host;
    host.format = frame->format();
    host.width = frame->width();
    host.height = frame->height();
    host.matrix = frame->colorMatrix();
    host.range = frame->colorRange();
    host.chroma = frame->chromaLocation();
    for (int i = 0; i < frame->planeCount(); ++i)
        host.planes[size_t(i)] = {frame->plane(i), frame->stride(i), frame->planeWidth(i),
                                  frame->planeHeight(i)};
    vision::PreprocessParams params;   // YOLOX: 416x416 BGR 0..255, top-left, pad 114
    Tensor input(DType::Float32, {1, 3, 416, 416});
    vision::preprocessReference(host, params, input.data<float>());
    EXPECT_LT(runAndCompare(s, input, "decoded frame"), kMaxRelativeL2);
}

// fp16 storage (SessionOptions::storage): every float32 activation and weight stored as half,
// float32 arithmetic. Against the float32 reference the error is the half rounding of the ~90
// layers' outputs and weights propagated through the net (each rounding is <= 2^-11 relative;
// exp() in the box decode amplifies it): measured relative L2 5.3e-3 on the output (boxes up to
// ~416 and sigmoid probabilities); bound 1e-2, which a wrong kernel or a
// missed conversion (errors of order 1) cannot meet. The activation arena halves.
constexpr double kMaxRelativeL2Fp16 = 1e-2;

TEST(NnYolox, Fp16StorageMatchesReference) {
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    SessionOptions o;
    o.device = Device::CpuReference;
    auto ref = Session::load(modelPath(), o);
    ASSERT_TRUE(ref) << ref.status().message();
    o.device = Device::OpenCL;
    auto f32 = Session::load(modelPath(), o);
    ASSERT_TRUE(f32) << f32.status().message();
    o.storage = Storage::Fp16;
    auto f16 = Session::load(modelPath(), o);
    ASSERT_TRUE(f16) << f16.status().message();
    EXPECT_EQ((*f16)->storage(), Storage::Fp16);
    EXPECT_EQ((*f16)->cpuFallbackNodes(), 0);
    // The public dtypes do not change.
    EXPECT_EQ((*f16)->inputs()[0].info.dtype, DType::Float32);
    EXPECT_EQ((*f16)->outputs()[0].info.dtype, DType::Float32);

    const MemoryStats m32 = (*f32)->memory(), m16 = (*f16)->memory();
    std::printf("device memory fp32: activations %zu + constants %zu = %zu bytes; fp16: %zu + %zu "
                "= %zu bytes\n",
                m32.arenaBytes, m32.weightsBytes, m32.peakDeviceBytes(), m16.arenaBytes,
                m16.weightsBytes, m16.peakDeviceBytes());
    // Halved up to the planner's 256-byte alignment per buffer.
    EXPECT_LE(m16.arenaBytes, m32.arenaBytes / 2 + 256 * 100);
    EXPECT_LE(m16.weightsBytes, m32.weightsBytes / 2 + 256 * 200);
    EXPECT_LT(m16.peakDeviceBytes(), m32.peakDeviceBytes() * 0.55);
    // The concats run in place under half storage too (slab offsets in half bytes).
    EXPECT_EQ(m16.inPlaceConcats, 17);

    const Tensor input = randomTensor((*f16)->inputs()[0].info, 7, 0.f, 255.f);
    auto want = (*ref)->run(std::vector<Tensor>{input});
    ASSERT_TRUE(want) << want.status().message();
    auto got = (*f16)->run(std::vector<Tensor>{input});
    ASSERT_TRUE(got) << got.status().message();
    ASSERT_EQ((*got)[0].dtype(), DType::Float32);
    const double err = relativeL2Error((*got)[0], (*want)[0]);
    auto got32 = (*f32)->run(std::vector<Tensor>{input});
    ASSERT_TRUE(got32);
    std::printf("yolox_nano fp16 storage: relative L2 %.3g vs the fp32 reference (fp32 storage: "
                "%.3g)\n",
                err, relativeL2Error((*got32)[0], (*want)[0]));
    EXPECT_LT(err, kMaxRelativeL2Fp16);
    for (int64_t r = 0; r < 3549; r += 97)
        for (int64_t c = 4; c < 85; ++c) {
            const float v = (*got)[0].data<float>()[r * 85 + c];
            EXPECT_TRUE(v >= 0.f && v <= 1.f) << "row " << r << " col " << c << ": " << v;
        }

    // Device inputs (the detector's path): a float16 buffer (the preprocessor's half output) is
    // copied as is, a float32 one narrowed on the device; both round like the host upload, so
    // the outputs are bit-identical to run()'s.
    cl_command_queue q = (*f16)->queue();
    cl_context clctx = nullptr;
    ASSERT_EQ(clGetCommandQueueInfo(q, CL_QUEUE_CONTEXT, sizeof clctx, &clctx, nullptr),
              CL_SUCCESS);
    const Tensor half = convertFloat(input, DType::Float16);
    for (const Tensor* t : {&half, &input}) {
        cl_int err2 = CL_SUCCESS;
        cl_mem buf = clCreateBuffer(clctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, t->bytes(),
                                    const_cast<void*>(t->raw()), &err2);
        ASSERT_EQ(err2, CL_SUCCESS);
        const DeviceTensor d{buf, 0, t->info()};
        auto dev = (*f16)->runDevice(std::span<const DeviceTensor>(&d, 1));
        clReleaseMemObject(buf);
        ASSERT_TRUE(dev) << dev.status().message();
        EXPECT_EQ(std::memcmp((*dev)[0].raw(), (*got)[0].raw(), (*got)[0].bytes()), 0)
            << dtypeName(t->dtype()) << " device input";
    }
}

}  // namespace
}  // namespace sl::nn
