// Zero-copy decode: the decoder draws its picture buffers from a SlotPool over a `mapped`
// FrameBridge (get_buffer2), so the planes lie in the slots' persistent GL mapping and GL (PBO
// upload) and CL (CL_MEM_USE_HOST_PTR) read the decoder's own bytes. Checked with generated
// videos whose frame number is drawn into the luma: plane pointers, GL readback, CL readback,
// pool exhaustion (fallback counted, frames still right), and allocator/bridge lifetimes.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <deque>
#include <optional>
#include <thread>
#include <fstream>
#include <string>
#include <vector>

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "interop/frame_bridge.h"
#include "interop/slot_pool.h"
#include "media/media_source.h"
#include "media/player.h"
#include "support/egl_context.h"
#include "support/frame_pattern.h"
#include "support/video_generator.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace sl::interop {
namespace {

constexpr int kW = 320;

// FNV-1a over the visible bytes of every plane (strides differ between slot and heap frames).
uint64_t frameHash(const media::VideoFrame& f) {
    uint64_t h = 1469598103934665603ull;
    for (int p = 0; p < f.planeCount(); ++p)
        for (int y = 0; y < f.planeHeight(p); ++y) {
            const uint8_t* row = f.plane(p) + size_t(y) * size_t(f.stride(p));
            for (int x = 0; x < f.planeWidth(p); ++x) h = (h ^ row[x]) * 1099511628211ull;
        }
    return h;
}
constexpr int kH = 240;
constexpr int kPoolSlots = 6;

class ZeroCopyDecode : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new sl::testing::TempDir("zero-copy");
        sl::testing::VideoSpec spec;
        spec.path = dir_->file("h264.mp4");
        spec.width = kW;
        spec.height = kH;
        spec.frames = 40;
        spec.gopSize = 10;
        spec.maxBFrames = 2;
        auto v = sl::testing::generateVideo(spec);
        ASSERT_TRUE(v) << v.status().message();
        path_ = new std::string(v->path.string());
    }
    static void TearDownTestSuite() {
        delete path_;
        path_ = nullptr;
        delete dir_;
        dir_ = nullptr;
    }

    void SetUp() override {
        ASSERT_NE(path_, nullptr);
        std::string err;
        ASSERT_TRUE(egl_.create(&err)) << err;
        auto gl = GlFunctions::load(&sl::testing::EglContext::getProcAddress);
        ASSERT_TRUE(gl) << gl.status().message();
        gl_ = *gl;
        auto ctx = compute::ComputeContext::create();
        ASSERT_TRUE(ctx) << ctx.status().message();
        compute_ = std::make_unique<compute::ComputeContext>(std::move(*ctx));
        FrameBridgeConfig config{media::PixelFormat::Yuv420p, kW, kH, kPoolSlots + 1};
        SlotPool::decoderPadding(kW, kH, &config.allocWidth, &config.allocHeight);
        auto bridge = createFrameBridge(BridgeStrategy::Mapped, config, egl_.host(), *compute_);
        if (!bridge && !compute_->info().hostUnifiedMemory)
            GTEST_SKIP() << "mapped not run: " << bridge.status().message();
        ASSERT_TRUE(bridge) << bridge.status().message();
        bridge_ = std::move(*bridge);
        auto pool = SlotPool::create(*bridge_, kPoolSlots);
        ASSERT_TRUE(pool) << pool.status().message();
        pool_ = *pool;
    }

    void TearDown() override {
        source_.reset();   // the decoder's references go first
        if (pool_) {
            pool_->detach();
            EXPECT_EQ(pool_->outstanding(), 0) << "a test leaked frame references";
        }
        pool_.reset();
        bridge_.reset();   // GL context still current
        compute_.reset();
    }

    void open(int threads = 0) {
        source_ = std::make_unique<media::MediaSource>();
        media::OpenOptions o;
        o.url = *path_;
        o.preferHardware = false;
        o.decoderThreads = threads;
        o.frameAllocator = pool_;
        const Status st = source_->open(o);
        ASSERT_TRUE(st) << st.message();
    }

    bool inSlotMemory(const media::VideoFrame& f) const {
        const FrameLayout& l = pool_->layout();
        for (int s : pool_->slots()) {
            const uint8_t* base = pool_->slotMemory(s);
            const uint8_t* y = f.plane(0);
            if (y >= base && y < base + l.byteSize) return true;
        }
        return false;
    }

    // The slot's GL luma texture, read back, carries the frame number.
    int glFrameNumber(int slot) {
        EXPECT_TRUE(bridge_->commitHostWrite(slot));
        auto tex = bridge_->mapGl(slot);
        EXPECT_TRUE(tex) << tex.status().message();
        if (!tex) return -1;
        std::vector<uint8_t> luma(size_t(kW) * kH);
        gl_.PixelStorei(GL_PACK_ALIGNMENT, 1);
        gl_.BindTexture(GL_TEXTURE_2D, tex->textures[0]);
        gl_.GetTexImage(GL_TEXTURE_2D, 0, GL_RED, GL_UNSIGNED_BYTE, luma.data());
        gl_.BindTexture(GL_TEXTURE_2D, 0);
        gl_.PixelStorei(GL_PACK_ALIGNMENT, 4);
        EXPECT_TRUE(gl_.check("glGetTexImage"));
        return sl::testing::readFramePatternFromLuma(luma.data(), kW, kW, kH);
    }

    // CL's view of the slot (the same memory): luma bytes equal the decoder's.
    void expectClSeesDecoderBytes(int slot, const media::VideoFrame& f) {
        auto cl = bridge_->mapCl(slot, ClAccess::Read);
        ASSERT_TRUE(cl) << cl.status().message();
        const PlaneView& pv = cl->planes[0];
        std::vector<uint8_t> got(size_t(pv.stride) * size_t(pv.height));
        ASSERT_EQ(clEnqueueReadBuffer(bridge_->queue(), pv.mem, CL_TRUE, pv.offset, got.size(),
                                      got.data(), cl->ready ? 1 : 0,
                                      cl->ready ? &cl->ready : nullptr, nullptr),
                  CL_SUCCESS);
        ASSERT_TRUE(bridge_->unmapCl(slot));
        for (int y = 0; y < kH; ++y) {
            ASSERT_EQ(std::memcmp(got.data() + size_t(y) * size_t(pv.stride),
                                  f.plane(0) + size_t(y) * size_t(f.stride(0)), size_t(kW)),
                      0)
                << "row " << y;
        }
        EXPECT_EQ(sl::testing::readFramePatternFromLuma(got.data(), pv.stride, kW, kH),
                  int(f.index()));
        // Before the decoder may reuse the slot, CL's map-back must be complete.
        ASSERT_TRUE(bridge_->hostPointer(slot));
    }

    static sl::testing::TempDir* dir_;
    static std::string* path_;
    sl::testing::EglContext egl_;
    GlFunctions gl_;
    std::unique_ptr<compute::ComputeContext> compute_;
    std::unique_ptr<FrameBridge> bridge_;
    std::shared_ptr<SlotPool> pool_;
    std::unique_ptr<media::MediaSource> source_;
};

sl::testing::TempDir* ZeroCopyDecode::dir_ = nullptr;
std::string* ZeroCopyDecode::path_ = nullptr;

TEST_F(ZeroCopyDecode, PlanesLieInSlotsAndGlAndClSeeTheFrame) {
    open(1);
    int zeroCopy = 0;
    for (int i = 0; i < 40; ++i) {
        auto f = source_->readFrame();
        ASSERT_TRUE(f) << f.status().message();
        ASSERT_EQ(f->index(), i);
        if (f->bridgeSlot() < 0) continue;
        ++zeroCopy;
        EXPECT_EQ(f->slotPool(), pool_->id());
        EXPECT_TRUE(inSlotMemory(*f));
        const FrameLayout& l = pool_->layout();
        EXPECT_EQ(f->plane(0), pool_->slotMemory(f->bridgeSlot()) + l.planes[0].offset);
        EXPECT_EQ(f->stride(0), l.planes[0].stride);
        EXPECT_EQ(glFrameNumber(f->bridgeSlot()), i);
        expectClSeesDecoderBytes(f->bridgeSlot(), *f);
    }
    // One frame held at a time, single-threaded decode: every picture fits in the pool (the
    // decoder's references + B-frame delay stay below kPoolSlots).
    EXPECT_EQ(zeroCopy, 40);
    const auto stats = source_->allocationStats();
    EXPECT_EQ(stats.slotFrames, 40);
    EXPECT_EQ(stats.copiedFrames, 0);
}

TEST_F(ZeroCopyDecode, ExhaustedPoolFallsBackAndCountsFramesStillRight) {
    open(0);   // frame threading: get_buffer2 from several decoder threads
    std::deque<media::VideoFrame> held;   // a cache holding references
    for (int i = 0; i < 40; ++i) {
        auto f = source_->readFrame();
        ASSERT_TRUE(f) << f.status().message();
        ASSERT_EQ(f->index(), i);
        EXPECT_EQ(sl::testing::readFramePatternFromLuma(f->plane(0), f->stride(0), kW, kH), i);
        if (f->bridgeSlot() >= 0) {
            EXPECT_EQ(glFrameNumber(f->bridgeSlot()), i);
            ASSERT_TRUE(bridge_->hostPointer(f->bridgeSlot()));   // GL done before reuse
        }
        held.push_back(std::move(*f));
        if (held.size() > 12) held.pop_front();
    }
    const auto stats = source_->allocationStats();
    EXPECT_EQ(stats.slotFrames + stats.copiedFrames, 40);
    EXPECT_GT(stats.copiedFrames, 0) << "12 held frames must exhaust " << kPoolSlots << " slots";
    EXPECT_GT(pool_->refused(), 0);
    // Every frame still held shows its own number: no slot handed out twice.
    for (const auto& f : held)
        EXPECT_EQ(sl::testing::readFramePatternFromLuma(f.plane(0), f.stride(0), kW, kH),
                  int(f.index()));
    held.clear();
    source_.reset();
    EXPECT_EQ(pool_->outstanding(), 0);
}

TEST_F(ZeroCopyDecode, AllocatorOutlivesBridgeAfterDetach) {
    open(1);
    auto f = source_->readFrame();
    ASSERT_TRUE(f);
    ASSERT_GE(f->bridgeSlot(), 0);
    // The bridge is going away (format change): no new allocations; wait for the references.
    pool_->detach();
    for (int i = 1; i < 10; ++i) {
        auto g = source_->readFrame();
        ASSERT_TRUE(g);
        EXPECT_EQ(sl::testing::readFramePatternFromLuma(g->plane(0), g->stride(0), kW, kH), i);
    }
    EXPECT_GT(pool_->outstanding(), 0);   // `f` and the decoder's reference pictures
    // Swapping the allocator out of the decoder and flushing its references drains the pool.
    source_->setFrameAllocator(nullptr);
    ASSERT_TRUE(source_->seekToIndex(0));
    auto again = source_->readFrame();
    ASSERT_TRUE(again);
    EXPECT_LT(again->bridgeSlot(), 0);
    f = media::VideoFrame();
    source_->setFrameAllocator(nullptr);
    source_.reset();
    EXPECT_EQ(pool_->outstanding(), 0);
    bridge_.reset();   // only now: no buffer points into its memory
    // The allocator object itself may still be used: it refuses, nothing touches the bridge.
    EXPECT_EQ(pool_->slotOf(*again->avFrame()), -1);
}

TEST_F(ZeroCopyDecode, PoolObjectMayDieBeforeItsBuffers) {
    open(1);
    auto f = source_->readFrame();
    ASSERT_TRUE(f);
    ASSERT_GE(f->bridgeSlot(), 0);
    std::weak_ptr<SlotPool> weak = pool_;
    const auto keepBridge = bridge_.get();
    pool_->detach();
    pool_.reset();
    source_.reset();     // the decoder's shared_ptr goes too
    EXPECT_TRUE(weak.expired());
    // The frame's buffer is still valid (bridge alive) and frees into the pool's orphaned state.
    EXPECT_EQ(sl::testing::readFramePatternFromLuma(f->plane(0), f->stride(0), kW, kH), 0);
    f = media::VideoFrame();
    EXPECT_NE(keepBridge, nullptr);
}

// Through the Player (queue 3, frame threading): the cache keeps heap copies, so the 6-slot
// pool serves nearly every frame; stepping back over the whole clip shows each drawn frame
// number from the cache.
TEST_F(ZeroCopyDecode, PlayerCacheCopiesOutAndBackStepsShowCachedFrames) {
    media::PlayerConfig config;
    config.queueCapacity = 3;
    media::Player player(config);
    player.setFrameAllocator(pool_);
    media::OpenOptions o;
    o.url = *path_;
    o.preferHardware = false;
    o.decoderThreads = 1;
    player.open(o);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (player.state() != media::PlaybackState::Paused &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    player.setSpeed(16);
    player.play();
    std::optional<media::VideoFrame> shown;
    while (player.state() != media::PlaybackState::Ended &&
           std::chrono::steady_clock::now() < deadline) {
        if (auto f = player.takeFrameForDisplay()) shown = std::move(f);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(player.state(), media::PlaybackState::Ended);
    ASSERT_TRUE(shown);
    ASSERT_EQ(shown->index(), 39);
    shown.reset();
    const media::PlayerStats st = player.stats();
    EXPECT_EQ(st.slotFrames + st.copiedFrames, 40);
    EXPECT_GE(st.slotFrames * 10, 40 * 9) << st.slotFrames << " of 40 zero-copy";
    EXPECT_EQ(st.cacheFrames, 40u);
    for (int expect = 38; expect >= 0; --expect) {
        player.step(-1);
        std::optional<media::VideoFrame> f;
        while (!f && std::chrono::steady_clock::now() < deadline) {
            f = player.takeFrameForDisplay();
            if (!f) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        ASSERT_TRUE(f);
        ASSERT_EQ(f->index(), expect);
        EXPECT_EQ(sl::testing::readFramePatternFromLuma(f->plane(0), f->stride(0), kW, kH),
                  expect);
    }
    EXPECT_EQ(player.stats().cacheHits - st.cacheHits, 39);
    EXPECT_EQ(player.stats().decodedFrames, st.decodedFrames);
    player.setFrameAllocator(nullptr);
}

// The demo video (msmpeg4v3 in AVI, 768x576, 795 frames) with a display queue of 8 frames held
// like the player's: the share of frames decoded straight into the 16 slots is reported. Then
// through the Player with both cache policies: copy-out keeps >= 90% zero-copy, and back-steps
// from the end are cache hits with the forward decode's exact pixels.
TEST(ZeroCopyDecodeVtest, Msmpeg4v3RateWithQueueHeld) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const std::string video = std::string(xdg && *xdg ? xdg : std::string(std::getenv("HOME")) +
                                                                   "/.cache") +
                              "/sightline/vtest.avi";
    // packaging/run-tests.sh fetches the demo video: missing is a broken setup, not a skip.
    ASSERT_TRUE(std::ifstream(video)) << "missing demo video " << video;
    sl::testing::EglContext egl;
    std::string err;
    ASSERT_TRUE(egl.create(&err)) << err;
    auto ctx = compute::ComputeContext::create();
    ASSERT_TRUE(ctx) << ctx.status().message();
    FrameBridgeConfig config{media::PixelFormat::Yuv420p, 768, 576, 16};
    SlotPool::decoderPadding(768, 576, &config.allocWidth, &config.allocHeight);
    auto bridge = createFrameBridge(BridgeStrategy::Mapped, config, egl.host(), *ctx);
    // Only a device without host-unified memory may lack the mapped bridge; elsewhere a failure
    // is a failure.
    if (!bridge && !ctx->info().hostUnifiedMemory)
        GTEST_SKIP() << "mapped not run: " << bridge.status().message();
    ASSERT_TRUE(bridge) << bridge.status().message();
    auto pool = SlotPool::create(**bridge, 16);
    ASSERT_TRUE(pool) << pool.status().message();
    {
        media::MediaSource source;
        media::OpenOptions o;
        o.url = video;
        o.preferHardware = false;
        o.frameAllocator = *pool;
        ASSERT_TRUE(source.open(o));
        std::deque<media::VideoFrame> queue;
        double copyMs = 0;   // what the cache's copy-out costs the decode thread per frame
        int copies = 0;
        for (;;) {
            auto f = source.readFrame();
            if (!f) break;
            if (f->bridgeSlot() >= 0) {
                const auto t0 = std::chrono::steady_clock::now();
                const media::VideoFrame copy = f->heapCopy();
                copyMs += std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - t0)
                              .count();
                ++copies;
                ASSERT_TRUE(copy.valid());
                EXPECT_EQ(frameHash(copy), frameHash(*f));
            }
            queue.push_back(std::move(*f));
            if (queue.size() > 8) queue.pop_front();
        }
        const auto a = source.allocationStats();
        std::printf("vtest.avi: %lld zero-copy, %lld copied (%.1f%%); heapCopy %.3f ms/frame "
                    "(mean of %d)\n",
                    static_cast<long long>(a.slotFrames), static_cast<long long>(a.copiedFrames),
                    100.0 * double(a.slotFrames) / double(a.slotFrames + a.copiedFrames),
                    copies ? copyMs / copies : 0.0, copies);
        EXPECT_GT(a.slotFrames, 0);
    }
    // Forward decode without the pool: the reference every back-step must reproduce.
    std::vector<uint64_t> reference;
    {
        media::MediaSource source;
        media::OpenOptions o;
        o.url = video;
        o.preferHardware = false;
        ASSERT_TRUE(source.open(o));
        for (;;) {
            auto f = source.readFrame();
            if (!f) break;
            ASSERT_EQ(f->index(), int64_t(reference.size()));
            reference.push_back(frameHash(*f));
        }
        ASSERT_EQ(reference.size(), 795u);
    }
    // Through the Player, both cache policies side by side: Pin keeps the slot-backed frames
    // themselves (the 16 slots are soon all pinned in the 512 MiB cache, later frames fall
    // back), CopyOut keeps heap copies so the slots return to the pool.
    for (const media::SlotFrames policy : {media::SlotFrames::Pin, media::SlotFrames::CopyOut}) {
        const bool copyOut = policy == media::SlotFrames::CopyOut;
        media::PlayerConfig playerConfig;
        playerConfig.cacheSlotFrames = policy;
        media::Player player(playerConfig);
        player.setFrameAllocator(*pool);
        media::OpenOptions o;
        o.url = video;
        o.preferHardware = false;
        player.open(o);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (player.state() != media::PlaybackState::Paused &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        player.setSpeed(16);
        const auto t0 = std::chrono::steady_clock::now();
        player.play();
        std::optional<media::VideoFrame> shown;
        while (player.state() != media::PlaybackState::Ended &&
               std::chrono::steady_clock::now() < deadline) {
            if (auto f = player.takeFrameForDisplay()) shown = std::move(f);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        const double playS =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const media::PlayerStats st = player.stats();
        const double share = 100.0 * double(st.slotFrames) /
                             double(std::max<int64_t>(1, st.slotFrames + st.copiedFrames));
        std::printf("vtest.avi through Player (queue 8, cache 512 MiB, %s): %lld zero-copy, "
                    "%lld copied (%.1f%% zero-copy), cache %zu frames (%lld heap copies), "
                    "played in %.2f s\n",
                    copyOut ? "copy-out" : "pin", static_cast<long long>(st.slotFrames),
                    static_cast<long long>(st.copiedFrames), share, st.cacheFrames,
                    static_cast<long long>(st.cacheCopiedOut), playS);
        // A fallback picture keeps the slots' strides (mpegvideo fails on a stride change).
        EXPECT_EQ(player.state(), media::PlaybackState::Ended);
        EXPECT_EQ(st.slotFrames + st.copiedFrames, 795);
        if (copyOut) {
            EXPECT_GE(share, 90.0) << "the cache must not pin the decoder's slots";
            EXPECT_EQ(st.cacheCopiedOut, st.slotFrames);
        }
        // Back-steps from the end are cache hits (no decoding) and show exactly the frames the
        // forward decode produced.
        ASSERT_TRUE(shown);
        int64_t expect = shown->index();
        shown.reset();
        const int64_t decodedBefore = st.decodedFrames;
        const int64_t hitsBefore = st.cacheHits;
        constexpr int kBackSteps = 40;
        for (int i = 0; i < kBackSteps; ++i) {
            player.step(-1);
            --expect;
            std::optional<media::VideoFrame> f;
            while (!f && std::chrono::steady_clock::now() < deadline) {
                f = player.takeFrameForDisplay();
                if (!f) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            ASSERT_TRUE(f) << "no frame after back-step " << i;
            ASSERT_EQ(f->index(), expect);
            EXPECT_EQ(frameHash(*f), reference[size_t(expect)]) << "frame " << expect;
            if (copyOut) {
                EXPECT_LT(f->bridgeSlot(), 0) << "a cached frame pins no slot";
            }
        }
        const media::PlayerStats after = player.stats();
        EXPECT_EQ(after.cacheHits - hitsBefore, kBackSteps);
        EXPECT_EQ(after.decodedFrames, decodedBefore) << "back-steps decoded instead of hitting";
        player.setFrameAllocator(nullptr);
        player.close();
    }
    (*pool)->detach();
    EXPECT_EQ((*pool)->outstanding(), 0);
    pool->reset();
    bridge->reset();
}

}  // namespace
}  // namespace sl::interop
