// Preprocess throughput: YUV frame in device memory -> letterboxed NCHW float tensor, against
// moving the same number of bytes with clEnqueueCopyBuffer (device copy) and host memcpy, and the
// single-threaded CPU reference. Bytes = nominal YUV frame (w*h*3/2, all read at most once) +
// tensor written (3*dst*dst*4). Warm-up, then N runs; medians; ratios against the copies.
//
//   bench_preprocess [--runs N] [--warmup N] [--cl-device SEL]

#include "bench_util.h"

#include "compute/cl_context.h"
#include "vision/preprocess.h"
#include "vision/preprocess_reference.h"

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace sl;

namespace {

struct Source {
    const char* name;
    int w, h;
};

}  // namespace

int main(int argc, char** argv) {
    int runs = 30, warmup = 5;
    std::string selector;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--runs" && i + 1 < argc) runs = std::atoi(argv[++i]);
        else if (a == "--warmup" && i + 1 < argc) warmup = std::atoi(argv[++i]);
        else if (a == "--cl-device" && i + 1 < argc) selector = argv[++i];
        else {
            std::fprintf(stderr,
                         "usage: bench_preprocess [--runs N] [--warmup N] [--cl-device SEL]\n");
            return 2;
        }
    }
    auto ctx = compute::ComputeContext::create(selector);
    if (!ctx) {
        std::fprintf(stderr, "%s\n", ctx.status().message().c_str());
        return 1;
    }
    auto pre = vision::Preprocessor::create(*ctx);
    if (!pre) {
        std::fprintf(stderr, "%s\n", pre.status().message().c_str());
        return 1;
    }
    std::printf(
        "device: %s, driver %s; %d warm-up + %d runs, medians (wall clock incl. clFinish)\n",
        ctx->info().displayName().c_str(), ctx->info().driverVersion.c_str(), warmup, runs);
    std::printf(
        "preprocess: NV12 BT.709 limited -> BGR float32 NCHW, letterbox top-left pad 114\n\n");

    const std::vector<int> widths = {16, 8, 8, 8, 9, 10, 11, 10, 11, 10, 6};
    bench::printRow({"source -> tensor", "MB moved", "pre ms", "kern ms", "pre GB/s", "clcopy ms",
                     "clcopy GB/s", "memcpy ms", "memcpy GB/s", "pre/clcopy", "ref ms"},
                    widths);

    std::mt19937 rng(42);
    const Source sources[] = {{"720p", 1280, 720}, {"1080p", 1920, 1080}, {"4K", 3840, 2160}};
    for (const Source& s : sources) {
        const size_t ySize = size_t(s.w) * s.h;
        const int cw = (s.w + 1) / 2, ch = (s.h + 1) / 2;
        const size_t frameBytes = ySize + size_t(cw) * ch * 2;
        std::vector<uint8_t> host(frameBytes);
        for (auto& b : host) b = uint8_t(rng());
        auto frame = ctx->createBuffer(CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, frameBytes,
                                       host.data());
        if (!frame) {
            std::fprintf(stderr, "%s\n", frame.status().message().c_str());
            return 1;
        }
        vision::DeviceYuvFrame src;
        src.format = media::PixelFormat::Nv12;
        src.width = s.w;
        src.height = s.h;
        src.matrix = media::ColorMatrix::Bt709;
        src.planes[0] = {frame->get(), 0, s.w, s.w, s.h};
        src.planes[1] = {frame->get(), ySize, cw * 2, cw, ch};
        vision::HostYuvFrame hsrc;
        hsrc.format = media::PixelFormat::Nv12;
        hsrc.width = s.w;
        hsrc.height = s.h;
        hsrc.matrix = media::ColorMatrix::Bt709;
        hsrc.planes[0] = {host.data(), s.w, s.w, s.h};
        hsrc.planes[1] = {host.data() + ySize, cw * 2, cw, ch};

        for (int dst : {416, 640}) {
            vision::PreprocessParams p;
            p.dstWidth = p.dstHeight = dst;
            const size_t outBytes = vision::preprocessOutputBytes(p);
            const size_t moved = frameBytes + outBytes;
            auto out = ctx->createBuffer(CL_MEM_READ_WRITE, outBytes);
            auto copySrc = ctx->createBuffer(CL_MEM_READ_WRITE, moved);
            auto copyDst = ctx->createBuffer(CL_MEM_READ_WRITE, moved);
            if (!out || !copySrc || !copyDst) {
                std::fprintf(stderr, "allocation failed\n");
                return 1;
            }
            bool ok = true;
            std::vector<double> devMs;   // kernel execution from the profiling event
            const auto preMs = bench::summarize(bench::timeRuns(warmup, runs, [&] {
                compute::ClEvent ev;
                ok = ok && pre->run(src, p, out->get(), 0, {}, &ev).isOk() &&
                     ctx->finish().isOk();
                if (auto t = compute::eventTimes(ev.get()))
                    devMs.push_back(double(t->runNs()) / 1e6);
            }));
            devMs.erase(devMs.begin(), devMs.begin() + std::min<size_t>(devMs.size(), warmup));
            const auto kernelMs = bench::summarize(devMs);
            const auto clMs = bench::summarize(bench::timeRuns(warmup, runs, [&] {
                ok = ok && clEnqueueCopyBuffer(ctx->queue(), copySrc->get(), copyDst->get(), 0, 0,
                                               moved, 0, nullptr, nullptr) == CL_SUCCESS &&
                     ctx->finish().isOk();
            }));
            std::vector<uint8_t> a(moved, 1), b(moved);
            const auto memMs = bench::summarize(bench::timeRuns(warmup, runs, [&] {
                std::memcpy(b.data(), a.data(), moved);
                // Keep the copy observable so it is not elided.
                if (b[moved / 2] != 1) ok = false;
            }));
            std::vector<float> ref(outBytes / 4);
            const auto refMs = bench::summarize(bench::timeRuns(1, std::max(1, runs / 10), [&] {
                vision::preprocessReference(hsrc, p, ref.data());
            }));
            if (!ok) {
                std::fprintf(stderr, "a run failed\n");
                return 1;
            }
            const double preGbs = bench::gbPerSecond(double(moved), preMs.median);
            const double clGbs = bench::gbPerSecond(double(moved), clMs.median);
            const double memGbs = bench::gbPerSecond(double(moved), memMs.median);
            bench::printRow({std::string(s.name) + " -> " + std::to_string(dst),
                             bench::fixed(double(moved) / 1e6, 1), bench::fixed(preMs.median, 3),
                             bench::fixed(kernelMs.median, 3), bench::fixed(preGbs),
                             bench::fixed(clMs.median, 3), bench::fixed(clGbs),
                             bench::fixed(memMs.median, 3), bench::fixed(memGbs),
                             bench::fixed(preGbs / clGbs, 2), bench::fixed(refMs.median, 1)},
                            widths);
        }
    }
    std::printf(
        "\npre/clcopy: preprocess GB/s over clEnqueueCopyBuffer GB/s for the same bytes "
        "(1.0 = as fast as a plain device copy).\nkern: kernel execution from its profiling "
        "event; pre: wall clock enqueue..clFinish. ref: CPU reference, 1 thread.\n");
    return 0;
}
