// Decode exactness on generated videos whose frames carry their own number: frame counts from the
// index, sequential decode, random exact seeks, backward stepping, VFR timestamps.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>

#include "media/media_source.h"
#include "support/frame_pattern.h"
#include "support/video_generator.h"

namespace sl::media {
namespace {

using sl::testing::GeneratedVideo;
using sl::testing::VideoSpec;

int patternOf(const VideoFrame& f) {
    return sl::testing::readFramePatternFromLuma(f.plane(0), f.stride(0), f.width(), f.height());
}

uint64_t pixelHash(const VideoFrame& f) {
    uint64_t h = 1469598103934665603ull;
    for (int p = 0; p < f.planeCount(); ++p) {
        const int rowBytes = p == 0 || f.format() == PixelFormat::Yuv420p ? f.planeWidth(p)
                                                                         : f.planeWidth(p) * 2;
        for (int y = 0; y < f.planeHeight(p); ++y) {
            const uint8_t* row = f.plane(p) + ptrdiff_t(y) * f.stride(p);
            for (int x = 0; x < rowBytes; ++x) h = (h ^ row[x]) * 1099511628211ull;
        }
    }
    return h;
}

struct Case {
    const char* name;
    VideoSpec spec;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class MediaDecode : public ::testing::TestWithParam<Case> {
public:
    static void SetUpTestSuite() { dir_ = new sl::testing::TempDir("decode"); }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
        videos_.clear();
    }

protected:
    const GeneratedVideo& video() {
        const Case& c = GetParam();
        auto it = videos_.find(c.name);
        if (it == videos_.end()) {
            VideoSpec spec = c.spec;
            spec.path = dir_->file(spec.path.string());
            auto v = sl::testing::generateVideo(spec);
            EXPECT_TRUE(v) << v.status().message();
            it = videos_.emplace(c.name, v ? *v : GeneratedVideo{}).first;
        }
        return it->second;
    }

    std::unique_ptr<MediaSource> openSource() {
        auto src = std::make_unique<MediaSource>();
        OpenOptions o;
        o.url = video().path.string();
        Status st = src->open(o);
        EXPECT_TRUE(st) << st.message();
        return st ? std::move(src) : nullptr;
    }

    static sl::testing::TempDir* dir_;
    static std::map<std::string, GeneratedVideo> videos_;
};

sl::testing::TempDir* MediaDecode::dir_ = nullptr;
std::map<std::string, GeneratedVideo> MediaDecode::videos_;

TEST_P(MediaDecode, IndexCountsEveryFrame) {
    auto src = openSource();
    ASSERT_TRUE(src);
    const VideoSpec& spec = GetParam().spec;
    ASSERT_TRUE(src->index());
    EXPECT_EQ(src->index()->frameCount(), spec.frames);
    EXPECT_EQ(src->info().frameCount.value_or(-1), spec.frames);
    EXPECT_EQ(src->index()->variableFrameRate(), spec.variableFrameRate);
    EXPECT_EQ(src->index()->keyframeCount(), (spec.frames + spec.gopSize - 1) / spec.gopSize);
    EXPECT_NE(src->decodeMode().find("software"), std::string::npos);
}

TEST_P(MediaDecode, SequentialDecodeReadsEveryFrameInOrder) {
    auto src = openSource();
    ASSERT_TRUE(src);
    const GeneratedVideo& v = video();
    int64_t n = 0;
    for (;; ++n) {
        auto f = src->readFrame();
        if (!f) {
            EXPECT_EQ(f.status().code(), StatusCode::EndOfStream) << f.status().message();
            break;
        }
        ASSERT_EQ(f->index(), n);
        ASSERT_EQ(patternOf(*f), n);
        if (GetParam().spec.variableFrameRate) {
            ASSERT_LT(size_t(n), v.pts.size());
            ASSERT_EQ(f->pts(), v.pts[size_t(n)]);
        }
    }
    EXPECT_EQ(n, GetParam().spec.frames);
}

TEST_P(MediaDecode, RandomSeeksAreExact) {
    auto src = openSource();
    ASSERT_TRUE(src);
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int> pick(0, GetParam().spec.frames - 1);
    for (int i = 0; i < 50; ++i) {
        const int target = pick(rng);
        auto f = src->seekToIndex(target);
        ASSERT_TRUE(f) << f.status().message();
        EXPECT_EQ(f->index(), target);
        EXPECT_EQ(patternOf(*f), target) << "seek #" << i;
        if (GetParam().spec.variableFrameRate) {
            EXPECT_EQ(f->pts(), video().pts[size_t(target)]);
        }
        // Stepping forward continues from there.
        if (target + 1 < GetParam().spec.frames) {
            auto next = src->readFrame();
            ASSERT_TRUE(next) << next.status().message();
            EXPECT_EQ(patternOf(*next), target + 1);
        }
    }
}

TEST_P(MediaDecode, BackwardStepsMatchForwardDecode) {
    auto src = openSource();
    ASSERT_TRUE(src);
    const int64_t end = std::min<int64_t>(GetParam().spec.frames - 1, 290);
    const int64_t begin = end - 60;
    std::map<int64_t, uint64_t> forward;
    auto first = src->seekToIndex(begin);
    ASSERT_TRUE(first) << first.status().message();
    forward[begin] = pixelHash(*first);
    for (int64_t i = begin + 1; i <= end; ++i) {
        auto f = src->readFrame();
        ASSERT_TRUE(f);
        ASSERT_EQ(f->index(), i);
        forward[i] = pixelHash(*f);
    }
    for (int64_t i = end; i >= begin; --i) {
        auto f = src->seekToIndex(i);
        ASSERT_TRUE(f) << f.status().message();
        ASSERT_EQ(f->index(), i);
        EXPECT_EQ(patternOf(*f), i);
        EXPECT_EQ(pixelHash(*f), forward[i]) << "frame " << i;
    }
}

VideoSpec spec(const char* path, const char* codec, int frames, int gop, int bf, bool vfr,
               bool audio) {
    VideoSpec s;
    s.path = path;
    s.codec = codec;
    s.frames = frames;
    s.gopSize = gop;
    s.maxBFrames = bf;
    s.variableFrameRate = vfr;
    s.audio = audio;
    return s;
}

INSTANTIATE_TEST_SUITE_P(
    Videos, MediaDecode,
    ::testing::Values(Case{"H264LongGopBFrames", spec("h264_bf.mp4", "libx264", 600, 250, 3,
                                                      false, true)},
                      Case{"Mpeg4Avi", spec("mpeg4.avi", "mpeg4", 300, 12, 0, false, true)},
                      Case{"Mpeg4BFramesMp4", spec("mpeg4_bf.mp4", "mpeg4", 200, 24, 2, false,
                                                   false)},
                      Case{"H264VfrMkv", spec("h264_vfr.mkv", "libx264", 240, 30, 2, true,
                                              false)}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

// Anamorphic video: 320x240 stored with sample aspect ratio 2:1 is 640x240 on screen. Every
// decoded frame reports the SAR the file declares (H.264 VUI and mp4 'pasp'; MPEG-4 in AVI: the
// VOL header), and its display aspect; the pixels are untouched (frame numbers read back).
TEST(MediaDecodeSar, FramesCarryTheStreamsSampleAspectRatio) {
    sl::testing::TempDir dir("decode-sar");
    for (const char* codec : {"libx264", "mpeg4"}) {
        VideoSpec s;
        s.path = dir.file(std::string("sar_") + codec + (codec[0] == 'l' ? ".mp4" : ".avi"));
        s.codec = codec;
        s.frames = 12;
        s.gopSize = 6;
        s.sarNum = 2;
        s.sarDen = 1;
        auto v = sl::testing::generateVideo(s);
        ASSERT_TRUE(v) << v.status().message();
        MediaSource src;
        OpenOptions o;
        o.url = v->path.string();
        o.preferHardware = false;
        ASSERT_TRUE(src.open(o));
        for (int i = 0; i < s.frames; ++i) {
            auto f = src.readFrame();
            ASSERT_TRUE(f) << f.status().message();
            EXPECT_EQ(f->sarNum(), 2) << codec << " frame " << i;
            EXPECT_EQ(f->sarDen(), 1) << codec << " frame " << i;
            EXPECT_DOUBLE_EQ(f->displayAspect(), 640.0 / 240.0);
            EXPECT_EQ(sl::testing::readFramePatternFromLuma(f->plane(0), f->stride(0), f->width(),
                                                            f->height()),
                      i);
        }
    }
    // Square pixels stay 1:1 (no SAR written: FFmpeg reports 0/1, the frame says 1:1).
    VideoSpec s;
    s.path = dir.file("square.mp4");
    s.frames = 2;
    auto v = sl::testing::generateVideo(s);
    ASSERT_TRUE(v) << v.status().message();
    MediaSource src;
    OpenOptions o;
    o.url = v->path.string();
    ASSERT_TRUE(src.open(o));
    auto f = src.readFrame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->sarNum(), 1);
    EXPECT_EQ(f->sarDen(), 1);
    EXPECT_DOUBLE_EQ(f->displayAspect(), 320.0 / 240.0);
}

// Every frame carries the steady-clock time the decoder finished it (the start of the view's
// decode-to-display and decode-to-overlay latencies): inside the readFrame call that returned
// it, non-decreasing, and kept by a heap copy.
TEST(MediaDecodeTime, FramesCarryTheirDecodeCompletionTime) {
    sl::testing::TempDir dir("decode-time");
    VideoSpec s;
    s.path = dir.file("t.mp4");
    s.frames = 10;
    s.maxBFrames = 2;
    auto v = sl::testing::generateVideo(s);
    ASSERT_TRUE(v) << v.status().message();
    MediaSource src;
    OpenOptions o;
    o.url = v->path.string();
    ASSERT_TRUE(src.open(o));
    std::chrono::steady_clock::time_point last{};
    for (int i = 0; i < s.frames; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto f = src.readFrame();
        const auto t1 = std::chrono::steady_clock::now();
        ASSERT_TRUE(f) << f.status().message();
        EXPECT_GE(f->decodedAt(), t0);
        EXPECT_LE(f->decodedAt(), t1);
        EXPECT_GE(f->decodedAt(), last);
        last = f->decodedAt();
        const VideoFrame copy = f->heapCopy();
        ASSERT_TRUE(copy.valid());
        EXPECT_EQ(copy.decodedAt(), f->decodedAt());
        EXPECT_EQ(copy.index(), f->index());
        EXPECT_EQ(copy.pts(), f->pts());
    }
}

}  // namespace
}  // namespace sl::media
