// PacketRing (the pre-event seconds of a live source, back to a keyframe) and ClipWriter (remux
// to MP4 with faststart, atomically). The source is a video generated here with a known layout:
// 25 fps, a keyframe every 10 frames exactly (no scene-cut keyframes), no B-frames, the frame
// number drawn into every picture; so which packets the ring must hold after each push, and
// which frames a clip must contain, follow by hand from that layout.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "media/clip_writer.h"
#include "media/media_source.h"
#include "media/packet_ring.h"
#include "support/frame_pattern.h"
#include "support/packet_file.h"
#include "support/video_generator.h"

namespace sl::media {
namespace {

namespace fs = std::filesystem;

constexpr int kFps = 25, kGop = 10, kFrames = 100;

struct Source {
    sl::testing::GeneratedVideo video;
    sl::testing::PacketFile packets;
};

Source makeSource(const sl::testing::TempDir& dir, const std::string& name = "src.mp4") {
    sl::testing::VideoSpec spec;
    spec.path = dir.file(name);
    spec.frames = kFrames;
    spec.fps = kFps;
    spec.gopSize = kGop;
    spec.width = 160;
    spec.height = 128;
    auto v = sl::testing::generateVideo(spec);
    EXPECT_TRUE(v) << v.status().message();
    auto p = sl::testing::readPacketFile(spec.path);
    EXPECT_TRUE(p) << p.status().message();
    Source s{std::move(*v), std::move(*p)};
    // The layout every expectation below is derived from.
    EXPECT_EQ(s.packets.packets.size(), size_t(kFrames));
    for (int i = 0; i < int(s.packets.packets.size()); ++i) {
        EXPECT_EQ((s.packets.packets[size_t(i)]->flags & AV_PKT_FLAG_KEY) != 0, i % kGop == 0)
            << "packet " << i;
        EXPECT_EQ(s.packets.packets[size_t(i)]->pts, s.video.pts[size_t(i)]) << "packet " << i;
    }
    return s;
}

// The frame numbers drawn in a clip's pictures, in decode (= presentation) order.
std::vector<int> frameNumbers(const fs::path& clip) {
    MediaSource src;
    OpenOptions o;
    o.url = clip.string();
    EXPECT_TRUE(src.open(o)) << clip;
    std::vector<int> out;
    for (;;) {
        auto f = src.readFrame();
        if (!f) break;
        out.push_back(sl::testing::readFramePatternFromLuma(f->plane(0), f->stride(0), f->width(),
                                                            f->height()));
    }
    return out;
}

std::vector<std::string> topLevelBoxes(const fs::path& mp4) {
    std::ifstream in(mp4, std::ios::binary);
    std::vector<std::string> boxes;
    for (;;) {
        unsigned char h[8];
        if (!in.read(reinterpret_cast<char*>(h), 8)) break;
        uint64_t size = (uint64_t(h[0]) << 24) | (uint64_t(h[1]) << 16) | (uint64_t(h[2]) << 8) | h[3];
        boxes.emplace_back(reinterpret_cast<char*>(h + 4), 4);
        if (size == 1) {
            unsigned char l[8];
            in.read(reinterpret_cast<char*>(l), 8);
            size = 0;
            for (unsigned char c : l) size = (size << 8) | c;
            in.seekg(std::streamoff(size - 16), std::ios::cur);
        } else {
            if (size < 8) break;
            in.seekg(std::streamoff(size - 8), std::ios::cur);
        }
    }
    return boxes;
}

std::vector<fs::path> entries(const fs::path& dir) {
    std::vector<fs::path> v;
    for (const auto& e : fs::directory_iterator(dir)) v.push_back(e.path());
    return v;
}

TEST(PacketRing, KeepsPreSecondsBackToAKeyframe) {
    sl::testing::TempDir dir("ring");
    const Source s = makeSource(dir);
    PacketRing ring({.keepSeconds = 1.0, .maxBytes = size_t(64) << 20});
    for (int i = 0; i < kFrames; ++i) {
        ASSERT_TRUE(ring.push(s.packets.live(size_t(i))));
        // Hand-derived: a GOP leaves when the next keyframe is >= 1 s (25 frames) older than
        // packet i, so the front is the latest keyframe at or before i - 25 (0 before that).
        const int front = i < 25 ? 0 : (i - 25) / kGop * kGop;
        ASSERT_EQ(ring.packets().front().seq, front) << "after packet " << i;
        ASSERT_TRUE(ring.packets().front().key);
        ASSERT_EQ(ring.packets().back().seq, i);
        ASSERT_EQ(ring.packets().size(), size_t(i - front + 1));
        // What it holds reaches at least 1 s back (when the stream is that long).
        if (i >= 25) {
            EXPECT_GE(double(s.video.pts[size_t(i)] - ring.packets().front().pts) *
                          s.video.timeBaseNum / s.video.timeBaseDen,
                      1.0 - 1e-9);
        }
    }
    // The latest keyframe at or before a time: frame 87's pts -> keyframe 80; frame 47 is
    // before the front (keyframe 70 now, (99 - 25) / 10 * 10) -> the front.
    EXPECT_EQ(ring.keyframeAtOrBefore(s.video.pts[87]), 80);
    EXPECT_EQ(ring.keyframeAtOrBefore(s.video.pts[47]), 70);
    EXPECT_EQ(ring.trimmedGops(), 0);
}

TEST(PacketRing, BytesBoundDropsWholeGopsFromTheFront) {
    sl::testing::TempDir dir("ring-bytes");
    const Source s = makeSource(dir);
    // The largest GOP's size, with the per-packet overhead the ring counts.
    size_t largestGop = 0;
    for (int g = 0; g < kFrames; g += kGop) {
        size_t b = 0;
        for (int i = g; i < g + kGop; ++i)
            b += size_t(s.packets.packets[size_t(i)]->size) + PacketRing::kPacketOverhead;
        largestGop = std::max(largestGop, b);
    }
    const size_t bound = largestGop * 2;   // room for two GOPs, never the 10 s asked for
    PacketRing ring({.keepSeconds = 10.0, .maxBytes = bound});
    for (int i = 0; i < kFrames; ++i) {
        ASSERT_TRUE(ring.push(s.packets.live(size_t(i))));
        ASSERT_LE(ring.bytes(), bound) << "after packet " << i;
        ASSERT_TRUE(ring.packets().front().key) << "after packet " << i;
        ASSERT_EQ(ring.packets().back().seq, i);
        // Two GOPs always fit, so at least the current and the previous one are held.
        const int current = i / kGop * kGop;
        ASSERT_LE(ring.packets().front().seq, std::max(0, current - kGop)) << "after " << i;
    }
    EXPECT_GT(ring.trimmedGops(), 0);
    EXPECT_EQ(ring.droppedGops(), 0);

    // A GOP bigger than the whole bound is never held half: the ring empties and waits for the
    // next keyframe.
    PacketRing tiny({.keepSeconds = 10.0, .maxBytes = largestGop / 4});
    for (int i = 0; i < kFrames; ++i) {
        ASSERT_TRUE(tiny.push(s.packets.live(size_t(i))));
        ASSERT_LE(tiny.bytes(), largestGop / 4);
        if (!tiny.empty()) {
            ASSERT_TRUE(tiny.packets().front().key) << "after " << i;
        }
    }
    EXPECT_GT(tiny.droppedGops(), 0);
}

TEST(PacketRing, NewConnectionClearsIt) {
    sl::testing::TempDir dir("ring-conn");
    const Source s = makeSource(dir);
    auto second = sl::testing::readPacketFile(s.video.path, 2, kFrames, 2);
    ASSERT_TRUE(second);
    PacketRing ring({.keepSeconds = 1.0, .maxBytes = size_t(64) << 20});
    for (int i = 0; i < 50; ++i) ring.push(s.packets.live(size_t(i)));
    ASSERT_EQ(ring.packets().size(), 50u - 20u);   // front: keyframe 20 (49 - 25 -> 20)
    // The next connection starts mid-GOP (packet 5, not a keyframe): nothing is kept until its
    // first keyframe, and nothing of the first connection is left.
    for (int i = 5; i < 13; ++i) ring.push(second->live(size_t(i)));
    ASSERT_EQ(ring.stream(), second->stream);
    ASSERT_EQ(ring.packets().size(), 3u);           // packets 10, 11, 12 of the new one
    EXPECT_TRUE(ring.packets().front().key);
    EXPECT_EQ(ring.packets().front().pts, s.video.pts[10]);
    EXPECT_EQ(ring.packets().front().seq, 50 + 5);   // seq runs on across connections
}

TEST(ClipWriter, RemuxesWithFaststartAndTimestampsFromZero) {
    sl::testing::TempDir dir("clip-writer");
    const Source s = makeSource(dir);
    const fs::path target = dir.file("clips") / "clip.mp4";
    fs::create_directories(target.parent_path());
    ClipWriter w;
    ASSERT_TRUE(w.open(target, *s.packets.stream, s.video.pts[20]));
    for (int i = 20; i < 70; ++i) ASSERT_TRUE(w.write(*s.packets.packets[size_t(i)]));
    EXPECT_FALSE(fs::exists(target));   // only the temporary until finish()
    EXPECT_TRUE(fs::exists(w.temporary()));
    auto info = w.finish();
    ASSERT_TRUE(info) << info.status().message();
    EXPECT_EQ(info->packets, 50);
    EXPECT_NEAR(info->seconds, 50.0 / kFps, 1e-6);
    EXPECT_EQ(entries(target.parent_path()), std::vector<fs::path>{target});   // no temporary
    // faststart: the index (moov) before the media data (mdat).
    const auto boxes = topLevelBoxes(target);
    const auto moov = std::find(boxes.begin(), boxes.end(), "moov");
    const auto mdat = std::find(boxes.begin(), boxes.end(), "mdat");
    ASSERT_NE(moov, boxes.end());
    ASSERT_NE(mdat, boxes.end());
    EXPECT_LT(moov, mdat);
    // The frames 20..69, unchanged (no re-encoding: the packets are byte-identical), from 0.
    std::vector<int> want;
    for (int i = 20; i < 70; ++i) want.push_back(i);
    EXPECT_EQ(frameNumbers(target), want);
    auto back = sl::testing::readPacketFile(target);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->packets.size(), 50u);
    EXPECT_EQ(back->packets[0]->pts, 0);
    EXPECT_EQ(back->packets[0]->dts, 0);
    for (size_t i = 0; i < 50; ++i) {
        const AVPacket& a = *back->packets[i];
        const AVPacket& b = *s.packets.packets[20 + i];
        ASSERT_EQ(a.size, b.size) << i;
        EXPECT_EQ(std::memcmp(a.data, b.data, size_t(a.size)), 0) << i;
    }
}

TEST(ClipWriter, RefusesACodecMp4CannotHold) {
    sl::testing::TempDir dir("clip-writer-codec");
    PacketStream ps;
    AVCodecParameters* par = avcodec_parameters_alloc();
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = AV_CODEC_ID_RAWVIDEO;
    ps.codecpar = std::shared_ptr<const AVCodecParameters>(par, [](const AVCodecParameters* p) {
        auto* q = const_cast<AVCodecParameters*>(p);
        avcodec_parameters_free(&q);
    });
    ClipWriter w;
    const Status st = w.open(dir.file("x.mp4"), ps, 0);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.code(), StatusCode::Unsupported);
    EXPECT_NE(st.message().find("rawvideo"), std::string::npos) << st.message();
    EXPECT_TRUE(entries(dir.path()).empty());
}

// A writer killed with SIGKILL in the middle of a clip (a child process, stopped after 30
// packets with its file open): the clip's name never appears, only the temporary, and the next
// start of the folder removes it.
TEST(ClipWriter, KilledWriterLeavesNoBrokenClipAndTheTemporaryIsRemoved) {
    sl::testing::TempDir dir("clip-kill");
    const Source s = makeSource(dir);
    const fs::path clips = dir.file("clips");
    fs::create_directories(clips);
    const fs::path target = clips / "cam-killed.mp4";
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The child: no gtest assertions, only _exit.
        ::close(ready[0]);
        ClipWriter w;
        if (!w.open(target, *s.packets.stream, s.video.pts[0])) ::_exit(2);
        for (int i = 0; i < 30; ++i)
            if (!w.write(*s.packets.packets[size_t(i)])) ::_exit(3);
        const char c = 'k';
        if (::write(ready[1], &c, 1) != 1) ::_exit(4);
        for (;;) ::pause();
    }
    ::close(ready[1]);
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1) << "the writer child did not get to 30 packets";
    ::close(ready[0]);
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));

    EXPECT_FALSE(fs::exists(target));
    const auto left = entries(clips);
    ASSERT_EQ(left.size(), 1u);
    const std::string name = left[0].filename().string();
    EXPECT_EQ(name.rfind(".cam-killed.mp4.tmp-", 0), 0u) << name;
    // No file under a clip's name fails to open: there is none; the temporary itself is the
    // torn one (no moov yet), which is why it must go.
    MediaSource torn;
    OpenOptions o;
    o.url = left[0].string();
    EXPECT_FALSE(torn.open(o));

    // A temporary of a live writer (this process) stays; the dead child's goes.
    const fs::path mine = clipTemporaryPath(clips / "live.mp4");
    std::ofstream(mine) << "x";
    EXPECT_EQ(removeStaleTemporaries(clips), 1);
    EXPECT_EQ(entries(clips), std::vector<fs::path>{mine});
}

}  // namespace
}  // namespace sl::media
