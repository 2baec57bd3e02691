// FrameIndex on synthetic packet lists: presentation-order indexing, keyframe choice with
// B-frames and open GOPs, VFR detection and keyframe statistics.

#include <gtest/gtest.h>

#include "media/frame_index.h"

extern "C" {
#include <libavutil/avutil.h>
}

namespace sl::media {
namespace {

// I P B B P B B ... in decode order with pts in frames; keyframe every `gop` presentation frames.
std::vector<PacketRecord> ipbbStream(int frames, int gop) {
    std::vector<PacketRecord> out;
    // decode order: I0 P3 B1 B2 P6 B4 B5 ...; dts = position - 1 (one-frame delay)
    std::vector<int> order;
    for (int base = 0; base < frames; base += 3) {
        if (base == 0) {
            order.push_back(0);
            continue;
        }
        order.push_back(base);
        for (int b = base - 2; b < base; ++b) order.push_back(b);
    }
    for (int b = (frames - 1) / 3 * 3 + 1; b < frames; ++b) order.push_back(b);
    for (size_t i = 0; i < order.size(); ++i)
        out.push_back({order[i], int64_t(i) - 1, 1, order[i] % gop == 0});
    return out;
}

TEST(MediaFrameIndex, SortsByPtsAndCountsFrames) {
    const auto packets = ipbbStream(30, 9);
    FrameIndex idx = FrameIndex::fromPackets(packets, 1, 25);
    ASSERT_EQ(idx.frameCount(), 30);
    for (int64_t i = 0; i < idx.frameCount(); ++i) {
        EXPECT_EQ(idx.entry(i).pts, i);
        EXPECT_EQ(idx.indexOfPts(i), i);
    }
    EXPECT_EQ(idx.indexOfPts(1000), -1);
    EXPECT_FALSE(idx.variableFrameRate());
    EXPECT_EQ(idx.keyframeCount(), 4);   // 0 9 18 27
    EXPECT_EQ(idx.keyframeIntervalMax(), 9);
    EXPECT_NEAR(idx.durationSeconds(), 30.0 / 25, 1e-9);
}

TEST(MediaFrameIndex, SeekKeyframeIsDecodedBeforeAndShownBeforeTarget) {
    FrameIndex idx = FrameIndex::fromPackets(ipbbStream(30, 9), 1, 25);
    EXPECT_EQ(idx.seekKeyframeFor(0), 0);
    EXPECT_EQ(idx.seekKeyframeFor(8), 0);
    EXPECT_EQ(idx.seekKeyframeFor(9), 9);
    EXPECT_EQ(idx.seekKeyframeFor(20), 18);
    EXPECT_EQ(idx.seekKeyframeFor(20, 1), 9);
    EXPECT_EQ(idx.seekKeyframeFor(20, 5), 0);
    // Frame 7 (a B-frame) is decoded after P9... in this layout keyframe 9 is decoded before B7
    // and B8 but presented after them: they must start from keyframe 0.
    EXPECT_EQ(idx.seekKeyframeFor(7), 0);
    EXPECT_EQ(idx.seekKeyframeFor(-1), -1);
}

TEST(MediaFrameIndex, VariableFrameRateAndMissingPts) {
    std::vector<PacketRecord> packets;
    const int deltas[] = {20, 40, 33, 67};
    int64_t t = 0;
    for (int i = 0; i < 20; ++i) {
        packets.push_back({t, t, deltas[i % 4], i % 10 == 0});
        t += deltas[i % 4];
    }
    FrameIndex vfr = FrameIndex::fromPackets(packets, 1, 1000);
    EXPECT_TRUE(vfr.variableFrameRate());
    EXPECT_EQ(vfr.entry(3).pts, 20 + 40 + 33);

    // Millisecond rounding of 30 fps (33/34) is not VFR; pts missing falls back to dts.
    std::vector<PacketRecord> cfr;
    for (int i = 0; i < 30; ++i) {
        const int64_t ms = i * 1000 / 30;
        cfr.push_back({AV_NOPTS_VALUE, ms, 33, i == 0});
    }
    FrameIndex c = FrameIndex::fromPackets(cfr, 1, 1000);
    EXPECT_FALSE(c.variableFrameRate());
    EXPECT_EQ(c.entry(29).pts, 29 * 1000 / 30);
}

}  // namespace
}  // namespace sl::media
