// bench_bridge: per-frame FrameBridge cost for every strategy this machine offers, at 720p, 1080p
// and 4K (yuv420p). One frame = write the decoded planes into a slot (the decoder-side copy) +
// make it visible to GL (texture upload from the slot's GL buffer, completed: glFinish) + make it
// visible to CL (mapCl, completed: its ready event). Warm-up, N runs, median microseconds per
// phase and in total, and the mapped/copy ratio.
//
// Then decode + bridge at 1080p (generated H.264, `mapped`): per frame readFrame + GL upload + CL
// view, once with FFmpeg's buffers (writeFrame memcpy into a slot) and once with the decoder
// drawing from a SlotPool over the bridge's slots (no copy at all), median and ratio.
//
// The GL context is headless EGL (Mesa surfaceless). libEGL is opened at run time so the bench
// needs no link-time GL dependency beyond what the engine has.
//
//   bench_bridge [--runs N] [--warmup N] [--bridge gl-sharing|mapped|copy]


#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench_util.h"
#include "compute/cl_context.h"
#include "compute/platform.h"
#include "interop/frame_bridge.h"
#include "interop/gl_sharing_bridge.h"
#include "interop/slot_pool.h"
#include "media/media_source.h"
#include "support/egl_context.h"
#include "support/video_generator.h"

namespace {

using namespace sl;
using namespace sl::interop;


struct Size {
    const char* name;
    int width, height;
};

struct PhaseTimes {
    double writeUs = 0, glUs = 0, clUs = 0, totalUs = 0;
};

// Median per phase over `runs` frames, cycling through the bridge's slots.
std::optional<PhaseTimes> benchBridge(FrameBridge& bridge, const GlFunctions& gl, int warmup,
                                      int runs, std::string* error) {
    const FrameLayout& l = bridge.layout();
    // A decoder-like source frame: its own strides (tight), its own memory.
    std::vector<uint8_t> src[3];
    HostPlanes planes;
    for (int p = 0; p < l.planeCount; ++p) {
        src[p].resize(size_t(l.planes[p].rowBytes()) * size_t(l.planes[p].height));
        for (size_t i = 0; i < src[p].size(); ++i)
            src[p][i] = uint8_t(i * 31 + size_t(p));
        planes.data[p] = src[p].data();
        planes.stride[p] = l.planes[p].rowBytes();
    }
    std::vector<double> w, g, c, t;
    int slot = -1;
    for (int i = 0; i < warmup + runs; ++i) {
        if (slot >= 0) (void)bridge.releaseSlot(slot);
        auto s = bridge.acquireSlot();
        if (!s) return (*error = s.status().message(), std::nullopt);
        slot = *s;
        sl::bench::Timer total;
        sl::bench::Timer phase;
        Status st = bridge.writePlanes(slot, planes);
        const double writeMs = phase.ms();
        phase.restart();
        auto tex = bridge.mapGl(slot);
        gl.Finish();   // the upload is asynchronous; count it complete
        const double glMs = phase.ms();
        phase.restart();
        auto frame = bridge.mapCl(slot, ClAccess::Read);
        if (frame && frame->ready) clWaitForEvents(1, &frame->ready);
        const double clMs = phase.ms();
        const double totalMs = total.ms();
        if (!st || !tex || !frame) {
            *error = !st ? st.message() : !tex ? tex.status().message() : frame.status().message();
            return std::nullopt;
        }
        (void)bridge.unmapCl(slot);
        if (i < warmup) continue;
        w.push_back(writeMs * 1e3);
        g.push_back(glMs * 1e3);
        c.push_back(clMs * 1e3);
        t.push_back(totalMs * 1e3);
    }
    (void)bridge.releaseSlot(slot);
    clFinish(bridge.queue());
    return PhaseTimes{sl::bench::summarize(w).median, sl::bench::summarize(g).median,
                      sl::bench::summarize(c).median, sl::bench::summarize(t).median};
}

struct DecodeTimes {
    double totalUs = 0;    // readFrame + bridge, median
    double bridgeUs = 0;   // the bridge part alone, median
    int64_t zeroCopy = 0;
    int64_t copied = 0;
};

// Decodes `path` start to end `passes` times; per frame: the bridge makes it visible to GL
// (upload completed) and to CL (ready event completed), as the display + inference would.
std::optional<DecodeTimes> benchDecode(FrameBridge& bridge, const GlFunctions& gl,
                                       const std::string& path,
                                       std::shared_ptr<SlotPool> pool, int warmup,
                                       std::string* error) {
    media::MediaSource source;
    media::OpenOptions o;
    o.url = path;
    o.preferHardware = false;
    o.frameAllocator = pool;
    if (Status st = source.open(o); !st) return (*error = st.message(), std::nullopt);
    std::vector<double> total, part;
    int copySlot = -1;
    for (int i = 0;; ++i) {
        sl::bench::Timer t;
        auto f = source.readFrame();
        if (!f) {
            if (f.status().code() == StatusCode::EndOfStream) break;
            return (*error = f.status().message(), std::nullopt);
        }
        sl::bench::Timer b;
        int slot = -1;
        Status st;
        const bool direct = pool && f->slotPool() == pool->id() && f->bridgeSlot() >= 0;
        if (direct) {
            slot = f->bridgeSlot();
            st = bridge.commitHostWrite(slot);
        } else {
            if (copySlot < 0) {
                auto s = bridge.acquireSlot();
                if (!s) return (*error = s.status().message(), std::nullopt);
                copySlot = *s;
            }
            slot = copySlot;
            st = bridge.writeFrame(slot, *f);
        }
        auto tex = st ? bridge.mapGl(slot) : Expected<GlFrame>(st);
        gl.Finish();
        auto cl = tex ? bridge.mapCl(slot, ClAccess::Read) : Expected<ClFrame>(tex.status());
        if (cl && cl->ready) clWaitForEvents(1, &cl->ready);
        if (!cl) return (*error = cl.status().message(), std::nullopt);
        (void)bridge.unmapCl(slot);
        // The slot goes back to the decoder only once GL and CL are done with it.
        if (direct) (void)bridge.hostPointer(slot);
        const double bridgeMs = b.ms();
        f = media::VideoFrame();
        const double totalMs = t.ms();
        if (i < warmup) continue;
        total.push_back(totalMs * 1e3);
        part.push_back(bridgeMs * 1e3);
    }
    if (copySlot >= 0) (void)bridge.releaseSlot(copySlot);
    if (total.empty()) return (*error = "no frames decoded", std::nullopt);
    const auto a = source.allocationStats();
    return DecodeTimes{sl::bench::summarize(total).median, sl::bench::summarize(part).median,
                       a.slotFrames, a.copiedFrames};
}

void benchDecodeSection(const GlHost& host, const GlFunctions& gl,
                        const compute::ComputeContext& ctx, int warmup) {
    std::puts("\ndecode + bridge, 1080p H.264 (libx264, 120 frames, GOP 30, 2 B-frames), mapped:");
    sl::testing::TempDir dir("bench-bridge");
    sl::testing::VideoSpec spec;
    spec.path = dir.file("1080p.mp4");
    spec.width = 1920;
    spec.height = 1080;
    spec.frames = 120;
    spec.gopSize = 30;
    spec.maxBFrames = 2;
    auto video = sl::testing::generateVideo(spec);
    if (!video) return (void)std::printf("  %s\n", video.status().message().c_str());
    FrameBridgeConfig config{media::PixelFormat::Yuv420p, 1920, 1080, 1 + 16};
    SlotPool::decoderPadding(1920, 1080, &config.allocWidth, &config.allocHeight);
    auto bridge = createFrameBridge(BridgeStrategy::Mapped, config, host, ctx);
    if (!bridge) return (void)std::printf("  %s\n", bridge.status().message().c_str());
    auto pool = SlotPool::create(**bridge, 16);
    if (!pool) return (void)std::printf("  %s\n", pool.status().message().c_str());
    std::string err;
    auto copy = benchDecode(**bridge, gl, video->path.string(), nullptr, warmup, &err);
    if (!copy) return (void)std::printf("  copy path: %s\n", err.c_str());
    auto zero = benchDecode(**bridge, gl, video->path.string(), *pool, warmup, &err);
    if (!zero) return (void)std::printf("  zero-copy path: %s\n", err.c_str());
    const std::vector<int> widths = {22, 14, 12, 18};
    sl::bench::printRow({"decoder buffers", "decode+bridge", "bridge", "zero-copy/copied"},
                        widths);
    sl::bench::printRow({"FFmpeg (writeFrame)", sl::bench::fixed(copy->totalUs, 0),
                         sl::bench::fixed(copy->bridgeUs, 0),
                         std::to_string(copy->zeroCopy) + "/" + std::to_string(copy->copied)},
                        widths);
    sl::bench::printRow({"SlotPool (get_buffer2)", sl::bench::fixed(zero->totalUs, 0),
                         sl::bench::fixed(zero->bridgeUs, 0),
                         std::to_string(zero->zeroCopy) + "/" + std::to_string(zero->copied)},
                        widths);
    std::printf("zero-copy/copy: decode+bridge %.2f, bridge %.2f (median us per frame)\n",
                zero->totalUs / copy->totalUs, zero->bridgeUs / copy->bridgeUs);
    pool->get()->detach();
    pool->reset();
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 30, warmup = 5;
    std::optional<BridgeStrategy> only;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--runs"))
            runs = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--warmup"))
            warmup = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--bridge")) {
            auto s = parseBridgeStrategy(argv[i + 1]);
            if (!s) return std::fprintf(stderr, "%s\n", s.status().message().c_str()), 2;
            only = *s;
        }
    }
    testing::EglContext egl;
    if (std::string err; !egl.create(&err)) {
        std::fprintf(stderr, "bench_bridge: EGL: %s\n", err.c_str());
        return 1;
    }
    GlHost host = egl.host();
    auto gl = GlFunctions::load(host.getProcAddress);
    if (!gl) return std::fprintf(stderr, "%s\n", gl.status().message().c_str()), 1;
    auto ctx = compute::ComputeContext::create();
    if (!ctx) return std::fprintf(stderr, "%s\n", ctx.status().message().c_str()), 1;

    const GlBridgeCaps caps = glBridgeCaps(*gl, host.native);
    const auto reports = probeBridgeStrategies(ctx->info(), &caps);
    std::printf("bench_bridge: device '%s', GL %s, %d runs after %d warm-up, median us per frame\n",
                ctx->info().name.c_str(), caps.description.c_str(), runs, warmup);
    for (const StrategyReport& r : reports)
        std::printf("  %s\n", r.reason.c_str());

    // gl-sharing needs a CL context made from the GL context; the others use the chosen one.
    std::optional<compute::ComputeContext> sharedCtx;
    const Size sizes[] = {{"720p", 1280, 720}, {"1080p", 1920, 1080}, {"4K", 3840, 2160}};
    const std::vector<int> widths = {7, 11, 10, 10, 10, 10, 8};
    std::puts("");
    sl::bench::printRow({"size", "strategy", "write", "to GL", "to CL", "total", "GB/s"}, widths);
    for (const Size& size : sizes) {
        std::map<BridgeStrategy, double> totals;
        for (const StrategyReport& r : reports) {
            if (!r.available || (only && r.strategy != *only)) continue;
            const compute::ComputeContext* useCtx = &*ctx;
            if (r.strategy == BridgeStrategy::GlSharing) {
                if (!sharedCtx) {
                    auto s = createGlSharedComputeContext(host.native);
                    if (!s) {
                        std::printf("  gl-sharing: %s\n", s.status().message().c_str());
                        continue;
                    }
                    sharedCtx.emplace(std::move(*s));
                }
                useCtx = &*sharedCtx;
            }
            FrameBridgeConfig config{media::PixelFormat::Yuv420p, size.width, size.height, 4};
            auto bridge = createFrameBridge(r.strategy, config, host, *useCtx);
            if (!bridge) {
                std::printf("  %s: %s\n", bridgeStrategyName(r.strategy),
                            bridge.status().message().c_str());
                continue;
            }
            std::string err;
            auto t = benchBridge(**bridge, *gl, warmup, runs, &err);
            if (!t) {
                std::printf("  %s: %s\n", bridgeStrategyName(r.strategy), err.c_str());
                continue;
            }
            totals[r.strategy] = t->totalUs;
            const double frameBytes = double(size.width) * size.height * 1.5;
            sl::bench::printRow(
                {size.name, bridgeStrategyName(r.strategy), sl::bench::fixed(t->writeUs, 0),
                 sl::bench::fixed(t->glUs, 0), sl::bench::fixed(t->clUs, 0),
                 sl::bench::fixed(t->totalUs, 0),
                 sl::bench::fixed(sl::bench::gbPerSecond(frameBytes, t->totalUs / 1e3))},
                widths);
        }
        if (totals.count(BridgeStrategy::Mapped) && totals.count(BridgeStrategy::Copy)) {
            std::printf("%-7s  mapped/copy total = %.2f\n", size.name,
                        totals[BridgeStrategy::Mapped] / totals[BridgeStrategy::Copy]);
        }
    }
    const bool mappedAvailable = std::any_of(reports.begin(), reports.end(), [](const auto& r) {
        return r.strategy == BridgeStrategy::Mapped && r.available;
    });
    if (mappedAvailable && (!only || *only == BridgeStrategy::Mapped))
        benchDecodeSection(host, *gl, *ctx, warmup);
    return 0;
}
