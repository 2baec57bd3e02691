// The store's reads for review's first frame (issue 14): objectsForFrame returns what a frame
// draws (lone boxes there, every track's keyframes around it) without reading the set, and
// objectsPage reads a whole set in keyset pages. Checked against hand-derived boxes and against
// annotate::objectsAtFrame over the whole set, frame by frame.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "annotate/interpolation.h"
#include "store/project_store.h"

namespace fs = std::filesystem;
using namespace sl;
using annotate::AnnotationSet;
using annotate::kNoTrack;
using annotate::Object;

namespace {

constexpr int64_t kLast = 99;   // the media's last frame

Object obj(int64_t track, int64_t frame, vision::Box box, bool keyframe = true,
           bool outside = false) {
    Object o;
    o.trackId = track, o.frame = frame, o.box = box, o.label = "person";
    o.keyframe = keyframe, o.outside = outside;
    return o;
}

class FrameReadTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("sl_frame_read_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        auto p = store::ProjectStore::create((dir_ / "p.slproj").string());
        ASSERT_TRUE(p.hasValue()) << p.status().message();
        store_ = std::move(*p);
        annotate::MediaInfo m;
        m.path = "/videos/a.mp4", m.frameCount = kLast + 1;
        auto media = store_->addMedia(m);
        ASSERT_TRUE(media.hasValue());
        set_.name = "truth";
        set_.objects = {
            // Track 1: 0 -> 10 interpolated, held to 20, hidden from 20 (outside).
            obj(1, 0, {0, 0, 10, 10}), obj(1, 10, {10, 0, 20, 10}),
            obj(1, 20, {10, 0, 20, 10}, true, true),
            // Track 2: one keyframe at 2, repeated to the end of the media.
            obj(2, 2, {50, 50, 60, 60}),
            // Track 3: starts at 30.
            obj(3, 30, {70, 70, 80, 80}), obj(3, 40, {80, 70, 90, 80}),
            // Track 4: a derived row at 5 that the keyframes at 0 and 8 override.
            obj(4, 0, {0, 40, 8, 48}), obj(4, 5, {100, 100, 101, 101}, false),
            obj(4, 8, {16, 40, 24, 48}),
            // Lone boxes at 5 and 6.
            obj(kNoTrack, 5, {1, 1, 2, 2}), obj(kNoTrack, 6, {3, 3, 4, 4}),
            obj(kNoTrack, 5, {5, 5, 6, 6}, true, true),
        };
        auto id = store_->importSet(*media, set_);
        ASSERT_TRUE(id.hasValue()) << id.status().message();
        setId_ = *id;
        auto all = store_->objects(setId_);
        ASSERT_TRUE(all.hasValue());
        set_.objects = *all;
    }
    void TearDown() override {
        store_.reset();
        fs::remove_all(dir_);
    }

    fs::path dir_;
    std::unique_ptr<store::ProjectStore> store_;
    AnnotationSet set_;
    int64_t setId_ = 0;
};

std::set<std::pair<int64_t, int64_t>> trackFrames(const std::vector<Object>& objects) {
    std::set<std::pair<int64_t, int64_t>> out;
    for (const Object& o : objects) out.insert({o.trackId, o.frame});
    return out;
}

}  // namespace

TEST_F(FrameReadTest, FrameFiveGetsItsLoneBoxesAndTheKeyframesAroundIt) {
    auto rows = store_->objectsForFrame(setId_, 5);
    ASSERT_TRUE(rows.hasValue()) << rows.status().message();
    // Lone boxes of 5 (the outside one too: stored rows, drawing drops it); per track the
    // keyframe at or before 5 and the first after it; no derived row, nothing of frame 6.
    const std::set<std::pair<int64_t, int64_t>> expected = {
        {kNoTrack, 5}, {1, 0}, {1, 10}, {2, 2}, {3, 30}, {4, 0}, {4, 8}};
    EXPECT_EQ(trackFrames(*rows), expected);
    EXPECT_EQ(rows->size(), 8u);   // two lone boxes at (kNoTrack, 5)

    AnnotationSet partial = set_;
    partial.objects = *rows;
    const auto shown = annotate::objectsAtFrame(partial, 5, kLast);
    // Sorted by track: the lone box, track 1 halfway (5 of 10 frames: x + 5), track 2 held,
    // track 4 at 5 of 8 frames (x + 16 * 5 / 8 = 10); track 3 has not started.
    ASSERT_EQ(shown.size(), 4u);
    EXPECT_EQ(shown[0].trackId, kNoTrack);
    EXPECT_EQ(shown[0].box.x1, 1.0f);
    EXPECT_EQ(shown[1].trackId, 1);
    EXPECT_FLOAT_EQ(shown[1].box.x1, 5.0f);
    EXPECT_FLOAT_EQ(shown[1].box.x2, 15.0f);
    EXPECT_EQ(shown[2].trackId, 2);
    EXPECT_FLOAT_EQ(shown[2].box.x1, 50.0f);
    EXPECT_EQ(shown[3].trackId, 4);
    EXPECT_FLOAT_EQ(shown[3].box.x1, 10.0f);
    EXPECT_FLOAT_EQ(shown[3].box.x2, 18.0f);
}

TEST_F(FrameReadTest, EveryFrameDrawsAsFromTheWholeSet) {
    for (int64_t f = 0; f <= kLast; ++f) {
        auto rows = store_->objectsForFrame(setId_, f);
        ASSERT_TRUE(rows.hasValue());
        AnnotationSet partial = set_;
        partial.objects = *rows;
        EXPECT_EQ(annotate::objectsAtFrame(partial, f, kLast),
                  annotate::objectsAtFrame(set_, f, kLast))
            << "frame " << f;
    }
    // Past track 1's outside keyframe it is hidden; 2, 3 and 4 repeat their last keyframes.
    auto end = store_->objectsForFrame(setId_, kLast);
    ASSERT_TRUE(end.hasValue());
    AnnotationSet partial = set_;
    partial.objects = *end;
    std::set<int64_t> tracks;
    for (const Object& o : annotate::objectsAtFrame(partial, kLast, kLast)) tracks.insert(o.trackId);
    EXPECT_EQ(tracks, (std::set<int64_t>{2, 3, 4}));
}

TEST_F(FrameReadTest, PagesReadTheWholeSetInOrder) {
    for (int limit : {1, 3, 5, 100}) {
        std::vector<Object> all;
        store::ProjectStore::ObjectKey after;
        for (int pages = 0;; ++pages) {
            ASSERT_LT(pages, 100);
            auto page = store_->objectsPage(setId_, after, limit);
            ASSERT_TRUE(page.hasValue()) << page.status().message();
            all.insert(all.end(), page->begin(), page->end());
            if (int(page->size()) < limit) break;
            after = {page->back().frame, page->back().trackId, page->back().id};
        }
        EXPECT_EQ(all, set_.objects) << "pages of " << limit;
    }
}
