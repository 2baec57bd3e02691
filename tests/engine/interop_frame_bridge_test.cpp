// FrameBridge round trips with a real GL context (EGL surfaceless) and the chosen CL device:
// host -> GL/CL, CL writes -> GL reads, GL writes -> CL reads, byte-exact, across a pool of frames
// in flight with different contents (no slot aliasing), at odd sizes with rounded-up chroma.

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/platform.h"
#include "interop/frame_bridge.h"
#include "interop/gl_sharing_bridge.h"
#include "support/egl_context.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace sl::interop {
namespace {

using media::PixelFormat;

constexpr int kSlots = 4;

// The byte at (x = byte column, y) of plane p in frame `seed`; differs between frames and planes.
uint8_t patternByte(int seed, int p, int x, int y) {
    return uint8_t((x * 7 + y * 13 + p * 51 + seed * 37 + ((x ^ y) & 3) * 64) & 0xff);
}

struct HostFrame {
    std::vector<uint8_t> bytes[3];
    HostPlanes planes;
};

// A frame laid out with strides that differ from the bridge's (tight + 3 bytes), to exercise the
// row-by-row copy.
HostFrame makeHostFrame(const FrameLayout& l, int seed) {
    HostFrame f;
    for (int p = 0; p < l.planeCount; ++p) {
        const int stride = l.planes[p].rowBytes() + 3;
        f.bytes[p].assign(size_t(stride) * size_t(l.planes[p].height), 0xEE);
        for (int y = 0; y < l.planes[p].height; ++y) {
            for (int x = 0; x < l.planes[p].rowBytes(); ++x) {
                f.bytes[p][size_t(y) * size_t(stride) + size_t(x)] = patternByte(seed, p, x, y);
            }
        }
        f.planes.data[p] = f.bytes[p].data();
        f.planes.stride[p] = stride;
    }
    return f;
}

// First mismatch as text, or empty.
std::string comparePlane(const uint8_t* data, int stride, const PlaneLayout& pl, int seed, int p) {
    for (int y = 0; y < pl.height; ++y) {
        for (int x = 0; x < pl.rowBytes(); ++x) {
            const uint8_t got = data[size_t(y) * size_t(stride) + size_t(x)];
            const uint8_t want = patternByte(seed, p, x, y);
            if (got != want) {
                return "plane " + std::to_string(p) + " byte (" + std::to_string(x) + "," +
                       std::to_string(y) + "): got " + std::to_string(got) + " want " +
                       std::to_string(want) + " (frame " + std::to_string(seed) + ")";
            }
        }
    }
    return {};
}

struct Case {
    BridgeStrategy strategy;
    PixelFormat format;
    int width;
    int height;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << bridgeStrategyName(c.strategy) << " " << media::pixelFormatName(c.format) << " "
        << c.width << "x" << c.height;
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
    std::string s = bridgeStrategyName(info.param.strategy);
    for (char& c : s) {
        if (c == '-') c = '_';
    }
    return s + "_" + media::pixelFormatName(info.param.format) + "_" +
           std::to_string(info.param.width) + "x" + std::to_string(info.param.height);
}

// The CL-side writer: one work-item per byte of a plane.
constexpr const char* kFillKernel = R"CL(
__kernel void fill_plane(__global uchar* base, uint offset, int stride, int rowBytes, int seed,
                         int p) {
    int x = get_global_id(0), y = get_global_id(1);
    if (x >= rowBytes) return;
    uint v = (uint)(x * 7 + y * 13 + p * 51 + seed * 37 + ((x ^ y) & 3) * 64) & 0xffu;
    base[offset + (uint)y * (uint)stride + (uint)x] = (uchar)v;
}
)CL";

class FrameBridgeTest : public ::testing::TestWithParam<Case> {
protected:
    void SetUp() override {
        std::string err;
        // CI has Mesa (libegl-mesa0, libgl1-mesa-dri): failing to get a context is a failure.
        ASSERT_TRUE(egl_.create(&err)) << err;
        auto gl = GlFunctions::load(&testing::EglContext::getProcAddress);
        ASSERT_TRUE(gl) << gl.status().message();
        gl_ = *gl;
        const Case c = GetParam();
        if (c.strategy == BridgeStrategy::GlSharing) {
            auto ctx = createGlSharedComputeContext(egl_.host().native);
            if (!ctx) {
                GTEST_SKIP() << "gl-sharing not run, the device lacks cl_khr_gl_sharing: "
                             << ctx.status().message();
            }
            compute_ = std::make_unique<compute::ComputeContext>(std::move(*ctx));
        } else {
            auto ctx = compute::ComputeContext::create();
            ASSERT_TRUE(ctx) << ctx.status().message();
            compute_ = std::make_unique<compute::ComputeContext>(std::move(*ctx));
        }
        FrameBridgeConfig config{c.format, c.width, c.height, kSlots};
        auto bridge = createFrameBridge(c.strategy, config, egl_.host(), *compute_);
        if (!bridge && c.strategy == BridgeStrategy::Mapped &&
            !compute_->info().hostUnifiedMemory) {
            GTEST_SKIP() << "mapped not run: " << bridge.status().message();
        }
        ASSERT_TRUE(bridge) << bridge.status().message();
        bridge_ = std::move(*bridge);
    }

    void TearDown() override {
        bridge_.reset();   // with the GL context still current
        compute_.reset();
    }

    // Every slot acquired, each given frame content `seed = slot + base`.
    std::vector<int> acquireAll() {
        std::vector<int> slots;
        for (int i = 0; i < kSlots; ++i) {
            auto s = bridge_->acquireSlot();
            EXPECT_TRUE(s) << s.status().message();
            if (s) slots.push_back(*s);
        }
        return slots;
    }

    void expectGlHolds(int slot, int seed) {
        auto tex = bridge_->mapGl(slot);
        ASSERT_TRUE(tex) << tex.status().message();
        const FrameLayout& l = bridge_->layout();
        gl_.PixelStorei(GL_PACK_ALIGNMENT, 1);
        for (int p = 0; p < l.planeCount; ++p) {
            const PlaneLayout& pl = l.planes[p];
            std::vector<uint8_t> got(size_t(pl.rowBytes()) * size_t(pl.height));
            gl_.BindTexture(GL_TEXTURE_2D, tex->textures[p]);
            gl_.GetTexImage(GL_TEXTURE_2D, 0, pl.bytesPerSample == 2 ? GL_RG : GL_RED,
                            GL_UNSIGNED_BYTE, got.data());
            ASSERT_TRUE(gl_.check("glGetTexImage")) << "slot " << slot;
            EXPECT_EQ(comparePlane(got.data(), pl.rowBytes(), pl, seed, p), "")
                << "GL texture of slot " << slot;
        }
        gl_.BindTexture(GL_TEXTURE_2D, 0);
        gl_.PixelStorei(GL_PACK_ALIGNMENT, 4);
    }

    void expectClHolds(int slot, int seed) {
        auto frame = bridge_->mapCl(slot, ClAccess::Read);
        ASSERT_TRUE(frame) << frame.status().message();
        const FrameLayout& l = bridge_->layout();
        ASSERT_EQ(frame->planeCount, l.planeCount);
        std::vector<uint8_t> all(l.byteSize);
        const cl_uint waits = frame->ready ? 1 : 0;
        ASSERT_EQ(
            clEnqueueReadBuffer(bridge_->queue(), frame->planes[0].mem, CL_TRUE, 0, l.byteSize,
                                all.data(), waits, waits ? &frame->ready : nullptr, nullptr),
            CL_SUCCESS);
        for (int p = 0; p < l.planeCount; ++p) {
            const PlaneView& v = frame->planes[p];
            EXPECT_EQ(v.width, l.planes[p].width);
            EXPECT_EQ(v.height, l.planes[p].height);
            EXPECT_EQ(comparePlane(all.data() + v.offset, v.stride, l.planes[p], seed, p), "")
                << "CL buffer of slot " << slot;
        }
        ASSERT_TRUE(bridge_->unmapCl(slot));
    }

    testing::EglContext egl_;
    GlFunctions gl_;
    std::unique_ptr<compute::ComputeContext> compute_;
    std::unique_ptr<FrameBridge> bridge_;
};

TEST_P(FrameBridgeTest, HostWritesGlAndClRead) {
    std::vector<int> slots = acquireAll();
    ASSERT_EQ(int(slots.size()), kSlots);
    // All frames written before any is read: a slot that aliased another would show its bytes.
    for (int s : slots) {
        HostFrame f = makeHostFrame(bridge_->layout(), s + 1);
        ASSERT_TRUE(bridge_->writePlanes(s, f.planes));
    }
    for (int s : slots)
        expectGlHolds(s, s + 1);
    for (int s : slots)
        expectClHolds(s, s + 1);
    // Second round, new contents through the same slots (objects reused, not recreated).
    for (int s : slots) {
        HostFrame f = makeHostFrame(bridge_->layout(), s + 20);
        ASSERT_TRUE(bridge_->writePlanes(s, f.planes));
    }
    for (int s : slots)
        expectClHolds(s, s + 20);
    for (int s : slots)
        expectGlHolds(s, s + 20);
    for (int s : slots)
        ASSERT_TRUE(bridge_->releaseSlot(s));
}

TEST_P(FrameBridgeTest, ClWritesGlReads) {
    cl_int err = CL_SUCCESS;
    const char* source = kFillKernel;
    compute::ClProgram program(
        clCreateProgramWithSource(compute_->context(), 1, &source, nullptr, &err));
    ASSERT_EQ(err, CL_SUCCESS);
    ASSERT_EQ(clBuildProgram(program.get(), 0, nullptr, "", nullptr, nullptr), CL_SUCCESS);
    compute::ClKernel kernel(clCreateKernel(program.get(), "fill_plane", &err));
    ASSERT_EQ(err, CL_SUCCESS);

    std::vector<int> slots = acquireAll();
    ASSERT_EQ(int(slots.size()), kSlots);
    for (int s : slots) {
        auto frame = bridge_->mapCl(s, ClAccess::ReadWrite);
        ASSERT_TRUE(frame) << frame.status().message();
        compute::ClEvent last;
        for (int p = 0; p < frame->planeCount; ++p) {
            const PlaneView& v = frame->planes[p];
            const cl_uint offset = cl_uint(v.offset);
            const int rowBytes = bridge_->layout().planes[p].rowBytes();
            const int seed = s + 7;
            clSetKernelArg(kernel.get(), 0, sizeof(cl_mem), &v.mem);
            clSetKernelArg(kernel.get(), 1, sizeof(cl_uint), &offset);
            clSetKernelArg(kernel.get(), 2, sizeof(int), &v.stride);
            clSetKernelArg(kernel.get(), 3, sizeof(int), &rowBytes);
            clSetKernelArg(kernel.get(), 4, sizeof(int), &seed);
            clSetKernelArg(kernel.get(), 5, sizeof(int), &p);
            const size_t global[2] = {size_t(rowBytes), size_t(v.height)};
            const cl_uint waits = frame->ready ? 1 : 0;
            ASSERT_EQ(
                clEnqueueNDRangeKernel(bridge_->queue(), kernel.get(), 2, nullptr, global, nullptr,
                                       waits, waits ? &frame->ready : nullptr, last.out()),
                CL_SUCCESS);
        }
        ASSERT_TRUE(bridge_->unmapCl(s, last.get()));
    }
    for (int s : slots)
        expectGlHolds(s, s + 7);
    // And the host-side write after a CL write replaces it everywhere.
    HostFrame f = makeHostFrame(bridge_->layout(), 99);
    ASSERT_TRUE(bridge_->writePlanes(slots[0], f.planes));
    expectGlHolds(slots[0], 99);
    expectClHolds(slots[0], 99);
}

TEST_P(FrameBridgeTest, GlWritesClReads) {
    std::vector<int> slots = acquireAll();
    ASSERT_EQ(int(slots.size()), kSlots);
    const FrameLayout& l = bridge_->layout();
    // GL writes the slots' textures itself (as a renderer would), then hands them to CL.
    for (int s : slots) {
        auto tex = bridge_->mapGl(s);   // no content yet: must refuse
        EXPECT_FALSE(tex);
        HostFrame f = makeHostFrame(l, 0);   // any content, overwritten next through GL
        ASSERT_TRUE(bridge_->writePlanes(s, f.planes));
        tex = bridge_->mapGl(s);
        ASSERT_TRUE(tex) << tex.status().message();
        gl_.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
        for (int p = 0; p < l.planeCount; ++p) {
            const PlaneLayout& pl = l.planes[p];
            std::vector<uint8_t> rows(size_t(pl.rowBytes()) * size_t(pl.height));
            for (int y = 0; y < pl.height; ++y) {
                for (int x = 0; x < pl.rowBytes(); ++x) {
                    rows[size_t(y) * size_t(pl.rowBytes()) + size_t(x)] =
                        patternByte(s + 40, p, x, y);
                }
            }
            gl_.BindTexture(GL_TEXTURE_2D, tex->textures[p]);
            gl_.TexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, pl.width, pl.height,
                              pl.bytesPerSample == 2 ? GL_RG : GL_RED, GL_UNSIGNED_BYTE,
                              rows.data());
        }
        gl_.BindTexture(GL_TEXTURE_2D, 0);
        gl_.PixelStorei(GL_UNPACK_ALIGNMENT, 4);
        ASSERT_TRUE(gl_.check("test texture upload"));
        ASSERT_TRUE(bridge_->writeFromGlTextures(s));
    }
    for (int s : slots)
        expectClHolds(s, s + 40);
    for (int s : slots)
        expectGlHolds(s, s + 40);
}

TEST_P(FrameBridgeTest, PoolIsBoundedAndSlotsAreChecked) {
    std::vector<int> slots = acquireAll();
    auto extra = bridge_->acquireSlot();
    ASSERT_FALSE(extra);
    EXPECT_EQ(extra.status().code(), StatusCode::Unavailable);
    EXPECT_NE(extra.status().message().find("in flight"), std::string::npos);
    ASSERT_TRUE(bridge_->releaseSlot(slots[1]));
    EXPECT_FALSE(bridge_->mapCl(slots[1], ClAccess::Read));   // released: refused
    auto again = bridge_->acquireSlot();
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, slots[1]);
    EXPECT_FALSE(bridge_->mapGl(99));
}

TEST_P(FrameBridgeTest, VideoFrameAndHostPointer) {
    const FrameLayout& l = bridge_->layout();
    AVFrame* av = av_frame_alloc();
    ASSERT_NE(av, nullptr);
    av->format = l.format == PixelFormat::Nv12 ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P;
    av->width = l.width;
    av->height = l.height;
    ASSERT_EQ(av_frame_get_buffer(av, 0), 0);
    for (int p = 0; p < l.planeCount; ++p) {
        for (int y = 0; y < l.planes[p].height; ++y) {
            for (int x = 0; x < l.planes[p].rowBytes(); ++x) {
                av->data[p][y * av->linesize[p] + x] = patternByte(5, p, x, y);
            }
        }
    }
    media::VideoFrame frame(av, l.format, 0, 1, 25, 0);
    av_frame_free(&av);
    auto slot = bridge_->acquireSlot();
    ASSERT_TRUE(slot);
    ASSERT_TRUE(bridge_->writeFrame(*slot, frame));
    expectClHolds(*slot, 5);
    expectGlHolds(*slot, 5);

    // The decoder's direct-write path: only `mapped` has host-visible slot memory.
    auto ptr = bridge_->hostPointer(*slot);
    if (bridge_->strategy() != BridgeStrategy::Mapped) {
        ASSERT_FALSE(ptr);
        EXPECT_EQ(ptr.status().code(), StatusCode::Unsupported);
        return;
    }
    ASSERT_TRUE(ptr) << ptr.status().message();
    HostFrame f = makeHostFrame(l, 6);
    copyPlanesIn(l, f.planes, *ptr);
    ASSERT_TRUE(bridge_->commitHostWrite(*slot));
    expectClHolds(*slot, 6);
    expectGlHolds(*slot, 6);
}

INSTANTIATE_TEST_SUITE_P(
    Interop, FrameBridgeTest,
    ::testing::Values(Case{BridgeStrategy::Mapped, PixelFormat::Yuv420p, 17, 9},
                      Case{BridgeStrategy::Mapped, PixelFormat::Nv12, 17, 9},
                      Case{BridgeStrategy::Mapped, PixelFormat::Yuv420p, 641, 359},
                      Case{BridgeStrategy::Mapped, PixelFormat::Nv12, 1920, 1080},
                      Case{BridgeStrategy::Copy, PixelFormat::Yuv420p, 17, 9},
                      Case{BridgeStrategy::Copy, PixelFormat::Nv12, 17, 9},
                      Case{BridgeStrategy::Copy, PixelFormat::Nv12, 641, 359},
                      Case{BridgeStrategy::Copy, PixelFormat::Yuv420p, 1920, 1080},
                      Case{BridgeStrategy::GlSharing, PixelFormat::Yuv420p, 641, 359},
                      Case{BridgeStrategy::GlSharing, PixelFormat::Nv12, 1920, 1080}),
    caseName);

}  // namespace
}  // namespace sl::interop
