// YOLOX grid decoding and class-aware NMS on hand-built output tensors with known boxes: grid
// math per stride, letterbox undo (top-left and centred), clipping, thresholds, class filter.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "vision/nms.h"
#include "vision/yolox_decoder.h"

namespace sl::vision {
namespace {

constexpr int kClasses = 80;
constexpr int kCols = 5 + kClasses;

// A 416x416 YOLOX-Nano output, all rows empty (obj 0).
std::vector<float> emptyOutput() { return std::vector<float>(3549 * kCols, 0.0f); }

// Row of stride `stride` at grid cell (gx, gy): strides 8 (52x52), 16 (26x26), 32 (13x13) in
// order, row-major within each.
size_t rowOf(int stride, int gx, int gy) {
    size_t base = 0;
    for (int s : {8, 16, 32}) {
        const int n = 416 / s;
        if (s == stride) return base + size_t(gy * n + gx);
        base += size_t(n * n);
    }
    return 0;
}

// Writes a box centred at (cx, cy) of size w x h (input pixels) into the row of its cell.
void putBox(std::vector<float>& out, int stride, float cx, float cy, float w, float h, float obj,
            int cls, float clsScore) {
    const int gx = int(cx / float(stride)), gy = int(cy / float(stride));
    float* r = &out[rowOf(stride, gx, gy) * kCols];
    r[0] = cx / float(stride) - float(gx);
    r[1] = cy / float(stride) - float(gy);
    r[2] = std::log(w / float(stride));
    r[3] = std::log(h / float(stride));
    r[4] = obj;
    r[5 + cls] = clsScore;
}

Letterbox identity() { return {0, 0, 416, 416}; }

TEST(YoloxDecoder, RowCount) {
    YoloxDecodeParams p;
    EXPECT_EQ(yoloxRowCount(p), 3549u);
    p.inputWidth = p.inputHeight = 640;
    EXPECT_EQ(yoloxRowCount(p), 8400u);
}

TEST(YoloxDecoder, GridMathPerStride) {
    auto out = emptyOutput();
    putBox(out, 8, 100.0f, 60.0f, 20.0f, 40.0f, 0.9f, 0, 0.9f);      // person, small
    putBox(out, 16, 300.0f, 200.0f, 64.0f, 32.0f, 0.8f, 2, 0.9f);    // car
    putBox(out, 32, 200.0f, 330.0f, 150.0f, 90.0f, 0.95f, 16, 0.8f); // dog, large
    auto dets = decodeYolox(out, {}, identity(), 416, 416);
    ASSERT_TRUE(dets) << dets.status().message();
    ASSERT_EQ(dets->size(), 3u);
    // Sorted by score: person 0.81, dog 0.76, car 0.72.
    EXPECT_EQ((*dets)[0].classId, 0);
    EXPECT_NEAR((*dets)[0].score, 0.81f, 1e-5);
    EXPECT_NEAR((*dets)[0].box.x1, 90.0f, 1e-3);
    EXPECT_NEAR((*dets)[0].box.y1, 40.0f, 1e-3);
    EXPECT_NEAR((*dets)[0].box.x2, 110.0f, 1e-3);
    EXPECT_NEAR((*dets)[0].box.y2, 80.0f, 1e-3);
    EXPECT_EQ((*dets)[1].classId, 16);
    EXPECT_NEAR((*dets)[1].box.x1, 125.0f, 1e-3);
    EXPECT_NEAR((*dets)[1].box.y2, 375.0f, 1e-3);
    EXPECT_EQ((*dets)[2].classId, 2);
    EXPECT_NEAR((*dets)[2].box.x1, 268.0f, 1e-3);
    EXPECT_NEAR((*dets)[2].box.y1, 184.0f, 1e-3);
}

TEST(YoloxDecoder, LetterboxUndoTopLeftAndCentre) {
    // A 1280x720 frame letterboxed top-left into 416x416: scale 0.325, picture 416x234.
    PreprocessParams params;
    const Letterbox tl = computeLetterbox(1280, 720, params);
    EXPECT_EQ(tl.width, 416);
    EXPECT_EQ(tl.height, 234);
    auto out = emptyOutput();
    putBox(out, 16, 208.0f, 117.0f, 104.0f, 52.0f, 1.0f, 5, 0.9f);
    auto dets = decodeYolox(out, {}, tl, 1280, 720);
    ASSERT_TRUE(dets);
    ASSERT_EQ(dets->size(), 1u);
    const Box& b = (*dets)[0].box;
    EXPECT_NEAR(b.x1, (208.0f - 52.0f) * 1280.0f / 416.0f, 1e-2);
    EXPECT_NEAR(b.x2, (208.0f + 52.0f) * 1280.0f / 416.0f, 1e-2);
    EXPECT_NEAR(b.y1, (117.0f - 26.0f) * 720.0f / 234.0f, 1e-2);
    EXPECT_NEAR(b.y2, (117.0f + 26.0f) * 720.0f / 234.0f, 1e-2);

    params.placement = Placement::Centre;
    const Letterbox c = computeLetterbox(1280, 720, params);
    EXPECT_EQ(c.offsetY, (416 - 234) / 2);
    auto out2 = emptyOutput();
    putBox(out2, 16, 208.0f, 117.0f + float(c.offsetY), 104.0f, 52.0f, 1.0f, 5, 0.9f);
    auto dets2 = decodeYolox(out2, {}, c, 1280, 720);
    ASSERT_TRUE(dets2);
    ASSERT_EQ(dets2->size(), 1u);
    EXPECT_NEAR((*dets2)[0].box.y1, b.y1, 1e-2);
    EXPECT_NEAR((*dets2)[0].box.x1, b.x1, 1e-2);
}

TEST(YoloxDecoder, BoxesAreClippedToTheFrame) {
    auto out = emptyOutput();
    putBox(out, 32, 10.0f, 400.0f, 100.0f, 100.0f, 1.0f, 1, 0.9f);
    auto dets = decodeYolox(out, {}, identity(), 416, 416);
    ASSERT_TRUE(dets);
    ASSERT_EQ(dets->size(), 1u);
    EXPECT_EQ((*dets)[0].box.x1, 0.0f);
    EXPECT_EQ((*dets)[0].box.y2, 416.0f);
    EXPECT_NEAR((*dets)[0].box.x2, 60.0f, 1e-3);
}

TEST(YoloxDecoder, ThresholdAndClassFilter) {
    auto out = emptyOutput();
    putBox(out, 8, 100.0f, 100.0f, 30.0f, 30.0f, 0.6f, 0, 0.6f);    // person 0.36
    putBox(out, 8, 300.0f, 300.0f, 30.0f, 30.0f, 0.9f, 2, 0.9f);    // car 0.81
    putBox(out, 16, 200.0f, 50.0f, 30.0f, 30.0f, 0.25f, 3, 1.0f);   // obj below 0.3
    YoloxDecodeParams p;
    auto all = decodeYolox(out, p, identity(), 416, 416);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 2u);
    p.scoreThreshold = 0.5f;
    auto high = decodeYolox(out, p, identity(), 416, 416);
    ASSERT_TRUE(high);
    ASSERT_EQ(high->size(), 1u);
    EXPECT_EQ((*high)[0].classId, 2);
    p.scoreThreshold = 0.3f;
    p.classFilter = {0};
    auto persons = decodeYolox(out, p, identity(), 416, 416);
    ASSERT_TRUE(persons);
    ASSERT_EQ(persons->size(), 1u);
    EXPECT_EQ((*persons)[0].classId, 0);
    p.classFilter = {7};
    auto trucks = decodeYolox(out, p, identity(), 416, 416);
    ASSERT_TRUE(trucks);
    EXPECT_TRUE(trucks->empty());
}

TEST(YoloxDecoder, RejectsWrongSizes) {
    std::vector<float> out(100, 0.0f);
    auto r = decodeYolox(out, {}, identity(), 416, 416);
    ASSERT_FALSE(r);
    EXPECT_NE(r.status().message().find("expected 3549 rows x 85"), std::string::npos)
        << r.status().message();
    YoloxDecodeParams p;
    p.strides = {7};
    EXPECT_FALSE(decodeYolox(emptyOutput(), p, identity(), 416, 416));
}

TEST(Nms, IoU) {
    EXPECT_FLOAT_EQ(iou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0f);
    EXPECT_FLOAT_EQ(iou({0, 0, 10, 10}, {5, 0, 15, 10}), 50.0f / 150.0f);
    EXPECT_FLOAT_EQ(iou({0, 0, 10, 10}, {20, 20, 30, 30}), 0.0f);
    EXPECT_FLOAT_EQ(iou({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0f);
}

TEST(Nms, ClassAwareKeepsOverlapsOfDifferentClasses) {
    std::vector<Detection> d = {
        {0, 0.9f, {0, 0, 100, 100}},     // person
        {0, 0.8f, {5, 5, 105, 105}},     // same person, lower score: suppressed (IoU 0.82)
        {17, 0.85f, {2, 2, 102, 102}},   // horse at the same place: kept (other class)
        {0, 0.7f, {200, 200, 260, 260}}, // another person far away: kept
        {17, 0.6f, {50, 0, 150, 100}},   // horse with IoU 0.33 to the first horse: kept at 0.45
    };
    auto kept = nmsClassAware(d, 0.45f);
    ASSERT_EQ(kept.size(), 4u);
    EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
    EXPECT_EQ(kept[1].classId, 17);
    EXPECT_FLOAT_EQ(kept[2].score, 0.7f);
    EXPECT_FLOAT_EQ(kept[3].score, 0.6f);
    // A tighter threshold also drops the 0.33-overlap horse.
    EXPECT_EQ(nmsClassAware(d, 0.3f).size(), 3u);
    EXPECT_EQ(nmsClassAware(d, 0.45f, 2).size(), 2u);
}

TEST(YoloxDecoder, OverlappingRowsOfOneObjectCollapse) {
    auto out = emptyOutput();
    // Neighbouring cells of stride 8 predicting nearly the same box (the usual YOLOX case).
    putBox(out, 8, 100.0f, 100.0f, 40.0f, 40.0f, 0.9f, 0, 0.9f);
    putBox(out, 8, 108.0f, 100.0f, 40.0f, 40.0f, 0.8f, 0, 0.9f);
    putBox(out, 8, 100.0f, 108.0f, 40.0f, 40.0f, 0.8f, 17, 0.9f);   // other class
    auto dets = decodeYolox(out, {}, identity(), 416, 416);
    ASSERT_TRUE(dets);
    ASSERT_EQ(dets->size(), 2u);
    EXPECT_EQ((*dets)[0].classId, 0);
    EXPECT_EQ((*dets)[1].classId, 17);
}

}  // namespace
}  // namespace sl::vision
