// Tracks from keyframes (annotate/interpolation.h): every expected number below is worked out by
// hand from the scenario in the test.
#include <gtest/gtest.h>

#include "annotate_print.h"

#include <algorithm>
#include <ostream>
#include <tuple>

#include "annotate/interpolation.h"

namespace sl::annotate {

namespace {

Object key(int64_t track, int64_t frame, float x1, float y1, float x2, float y2,
           bool outside = false) {
    Object o;
    o.trackId = track;
    o.label = "car";
    o.frame = frame;
    o.box = {x1, y1, x2, y2};
    o.outside = outside;
    return o;
}

TEST(AnnotateInterpolation, LinearBetweenTwoKeyframes) {
    // x1 goes 0 -> 100 and x2 10 -> 110 over frames 0..10: 10 px per frame.
    Object a = key(1, 0, 0, 0, 10, 20);
    a.attributes["color"] = "red";
    a.occluded = true;
    const Object b = key(1, 10, 100, 50, 110, 70);
    const auto out = expandTrack({a, b}, 10);
    ASSERT_EQ(out.size(), 11u);
    EXPECT_EQ(out[0], a);
    EXPECT_EQ(out[10], b);
    const Object& f3 = out[3];
    EXPECT_EQ(f3.frame, 3);
    EXPECT_FLOAT_EQ(f3.box.x1, 30);
    EXPECT_FLOAT_EQ(f3.box.y1, 15);   // 0 -> 50
    EXPECT_FLOAT_EQ(f3.box.x2, 40);
    EXPECT_FLOAT_EQ(f3.box.y2, 35);   // 20 -> 70
    EXPECT_EQ(f3.source, ObjectSource::Interpolated);
    EXPECT_FALSE(f3.keyframe);
    EXPECT_TRUE(f3.occluded);                        // from the previous keyframe
    EXPECT_EQ(f3.attributes.at("color"), "red");     // likewise
    EXPECT_EQ(f3.id, 0);
}

TEST(AnnotateInterpolation, UnsortedInputAndLastFrameRepeat) {
    const Object a = key(1, 0, 0, 0, 10, 10), b = key(1, 4, 40, 0, 50, 10);
    // b given first; after b (not outside) the box repeats up to lastFrame 6.
    const auto out = expandTrack({b, a}, 6);
    ASSERT_EQ(out.size(), 7u);
    EXPECT_FLOAT_EQ(out[1].box.x1, 10);
    EXPECT_FLOAT_EQ(out[2].box.x1, 20);
    EXPECT_EQ(out[4], b);
    EXPECT_EQ(out[6].frame, 6);
    EXPECT_FLOAT_EQ(out[6].box.x1, 40);
    EXPECT_FALSE(out[6].keyframe);
}

TEST(AnnotateInterpolation, SingleKeyframe) {
    const Object a = key(7, 5, 1, 2, 3, 4);
    EXPECT_EQ(expandTrack({a}, 5), std::vector<Object>{a});
    const auto out = expandTrack({a}, 8);   // frames 5, 6, 7, 8
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[3].frame, 8);
    EXPECT_EQ(out[3].box, a.box);
    // lastFrame before the keyframe: the keyframe alone, no repeat.
    EXPECT_EQ(expandTrack({a}, 0).size(), 1u);
}

TEST(AnnotateInterpolation, OutsideGapAndResume) {
    // Visible 0..2 (towards the outside box at 3, as CVAT interpolates), hidden 3..5, resumes at 6.
    const Object a = key(2, 0, 0, 0, 10, 10);
    const Object out3 = key(2, 3, 30, 0, 40, 10, true);
    const Object c = key(2, 6, 60, 0, 70, 10);
    const auto out = expandTrack({a, out3, c}, 7);
    std::vector<int64_t> frames;
    for (const Object& o : out) frames.push_back(o.frame);
    EXPECT_EQ(frames, (std::vector<int64_t>{0, 1, 2, 6, 7}));
    EXPECT_FLOAT_EQ(out[2].box.x1, 20);   // 0 + (30 - 0) * 2/3
    EXPECT_EQ(out[3], c);
    EXPECT_EQ(out[4].trackId, 2);
    EXPECT_FLOAT_EQ(out[4].box.x1, 60);
    // Ending outside: nothing after it.
    EXPECT_EQ(expandTrack({a, out3}, 100).size(), 3u);
}

TEST(AnnotateInterpolation, PtsOnlyWhenBothKeyframesHaveIt) {
    Object a = key(1, 0, 0, 0, 1, 1), b = key(1, 4, 0, 0, 1, 1);
    a.pts = 1000;
    b.pts = 1400;
    auto out = expandTrack({a, b}, 4);
    EXPECT_EQ(out[1].pts, 1100);
    EXPECT_EQ(out[3].pts, 1300);
    b.pts = kNoPts;
    out = expandTrack({a, b}, 4);
    EXPECT_EQ(out[1].pts, kNoPts);
}

TEST(AnnotateInterpolation, ObjectsAtFrameAndDensify) {
    AnnotationSet set;
    set.objects = {key(1, 0, 0, 0, 10, 10), key(1, 10, 100, 0, 110, 10),
                   key(2, 2, 0, 0, 5, 5), key(2, 4, 0, 0, 5, 5, true),
                   key(kNoTrack, 3, 1, 1, 2, 2)};
    auto at3 = objectsAtFrame(set, 3, 20);
    ASSERT_EQ(at3.size(), 3u);   // the lone box, track 1 interpolated, track 2 interpolated
    EXPECT_EQ(at3[0].trackId, kNoTrack);
    EXPECT_FLOAT_EQ(at3[1].box.x1, 30);
    EXPECT_EQ(at3[2].trackId, 2);
    EXPECT_EQ(objectsAtFrame(set, 4, 20).size(), 1u);   // track 2 outside, lone box elsewhere
    EXPECT_EQ(objectsAtFrame(set, 15, 20).size(), 1u);  // track 1 repeated
    EXPECT_EQ(objectsAtFrame(set, 15, 12).size(), 0u);  // past lastFrame
    // densify: track 1 frames 0..12 (13), track 2 frames 2, 3 (2), the lone box: 16.
    const auto all = densify(set, 12);
    EXPECT_EQ(all.size(), 16u);
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i - 1].frame, all[i].frame);
}

// Frame, track, outside flag and box: what keyframesOnly must give back (flags such as keyframe
// differ by design between a dense input and its keyframes).
using Shape = std::tuple<int64_t, int64_t, bool, float, float, float, float>;
std::vector<Shape> shapes(const std::vector<Object>& objects) {
    std::vector<Shape> out;
    for (const Object& o : objects)
        out.emplace_back(o.frame, o.trackId, o.outside, o.box.x1, o.box.y1, o.box.x2, o.box.y2);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(AnnotateInterpolation, KeyframesOnlyInvertsExpansion) {
    // Outside boxes copy the box before them, as CVAT's UI makes them: then the dense frames say
    // everything the keyframes did.
    AnnotationSet set;
    set.objects = {key(1, 0, 0, 0, 10, 10), key(1, 10, 100, 0, 110, 10),
                   key(1, 14, 100, 40, 110, 50), key(1, 17, 100, 40, 110, 50, true),
                   key(1, 20, 5, 5, 6, 6), key(3, 2, 0, 0, 2, 2),
                   key(3, 5, 0, 0, 2, 2, true), key(kNoTrack, 4, 1, 1, 3, 3)};
    const int64_t last = 25;
    const auto dense = densify(set, last);
    // Track 1: 0..16 and 20..25 (23), track 3: 2..4 (3), the lone box.
    ASSERT_EQ(dense.size(), 27u);
    const auto keys = keyframesOnly(dense, last);
    EXPECT_EQ(shapes(keys), shapes(set.objects));
    EXPECT_EQ(shapes(densify(AnnotationSet{.objects = keys}, last)), shapes(dense));

    // An outside box elsewhere than the last visible one is not in the dense frames: the frames
    // before it come back as extra keyframes, boxes unchanged.
    set.objects[3].box = {0, 0, 1, 1};
    const auto bent = densify(set, last);
    const auto keys2 = keyframesOnly(bent, last);
    EXPECT_GT(keys2.size(), keys.size());
    EXPECT_EQ(shapes(densify(AnnotationSet{.objects = keys2}, last)), shapes(bent));
}

TEST(AnnotateInterpolation, KeyframesOnlyClosesGapsAndEnds) {
    // A dense tracker-like track at frames 0, 1, 2 and 5, 6, all keyframe=false; lastFrame 9.
    std::vector<Object> dense;
    for (int64_t f : {0, 1, 2, 5, 6}) {
        Object o = key(4, f, float(f), 0, float(f) + 10, 10);
        o.keyframe = false;
        o.source = ObjectSource::Tracker;
        dense.push_back(o);
    }
    const auto keys = keyframesOnly(dense, 9);
    // Kept: 0 (start), 2 (end of segment), outside at 3, 5 (resume), 6, outside at 7.
    std::vector<std::pair<int64_t, bool>> got;
    for (const Object& o : keys) got.push_back({o.frame, o.outside});
    EXPECT_EQ(got, (std::vector<std::pair<int64_t, bool>>{
                       {0, false}, {2, false}, {3, true}, {5, false}, {6, false}, {7, true}}));
    const auto again = expandTrack(keys, 9);
    ASSERT_EQ(again.size(), dense.size());
    for (size_t i = 0; i < dense.size(); ++i) {
        EXPECT_EQ(again[i].frame, dense[i].frame);
        EXPECT_EQ(again[i].box, dense[i].box);
    }
    // A wobble beyond the tolerance becomes a keyframe.
    dense[1].box.x1 += 0.5f;
    const auto wobble = keyframesOnly(dense, 9);
    EXPECT_EQ(wobble.size(), keys.size() + 1);
}

}  // namespace
}  // namespace sl::annotate
