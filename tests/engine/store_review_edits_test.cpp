// Review edits over the project store (store/review_edits.h) and the durable undo history: every
// edit undone and redone gives back the exact rows (compared field by field, ids and revisions
// included), also across a close and reopen; interpolated boxes at intermediate frames against
// hand-computed linear values; split and merge ids derived by hand from the documented rules;
// a track id collision refused; accepted and rejected predictions moving between sets with their
// origin; frame review states; the history's bound; an upgrade from schema version 3; the change
// JSON's exact round trip. The kill -9 and malformed-import tests are in
// store_review_durability_test.cpp.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>

#include "annotate/interpolation.h"
#include "store/project_store.h"
#include "store/review_edits.h"
#include "store/schema.h"
#include "support/video_generator.h"

namespace fs = std::filesystem;
using namespace sl;
using namespace sl::store;
using annotate::kNoTrack;
using annotate::Object;

namespace {

annotate::MediaInfo media100() {
    annotate::MediaInfo m;
    m.path = "/videos/review.mp4";
    m.width = 640, m.height = 480, m.frameCount = 100;
    m.timeBaseNum = 1, m.timeBaseDen = 25;
    return m;
}

Object box(int64_t track, int64_t frame, vision::Box b, const std::string& label = "car") {
    Object o;
    o.trackId = track;
    o.frame = frame;
    o.box = b;
    o.label = label;
    return o;
}

// Everything an edit can change, read back from the store.
struct State {
    std::map<int64_t, std::vector<Object>> objects;
    std::map<int64_t, std::vector<std::pair<int64_t, FrameReview>>> frames;
    bool operator==(const State&) const = default;
};

State stateOf(ProjectStore& p, std::initializer_list<int64_t> sets) {
    State s;
    for (int64_t id : sets) {
        s.objects[id] = *p.objects(id);
        s.frames[id] = *p.frameReviews(id);
    }
    return s;
}

std::string describe(const State& s) {
    std::string out;
    for (const auto& [set, objects] : s.objects) {
        out += "set " + std::to_string(set) + ":\n";
        for (const Object& o : objects) {
            char line[256];
            std::snprintf(line, sizeof line,
                          "  id %lld track %lld frame %lld %s (%g %g %g %g) key %d out %d occ %d "
                          "rev %lld origin %lld/%lld\n",
                          (long long)o.id, (long long)o.trackId, (long long)o.frame,
                          o.label.c_str(), o.box.x1, o.box.y1, o.box.x2, o.box.y2, o.keyframe,
                          o.outside, o.occluded, (long long)o.revision,
                          (long long)o.origin.setId, (long long)o.origin.objectId);
            out += line;
        }
    }
    return out;
}

class Project {
public:
    explicit Project(const std::string& name, annotate::MediaInfo m = media100())
        : dir_("review-" + name), path_(dir_.file(name + ".slproj").string()) {
        auto p = ProjectStore::create(path_);
        EXPECT_TRUE(p) << p.status().message();
        store_ = std::move(*p);
        mediaId_ = *store_->addMedia(m);
    }
    ProjectStore& operator*() { return *store_; }
    ProjectStore* operator->() { return store_.get(); }
    const std::string& path() const { return path_; }
    int64_t media() const { return mediaId_; }
    int64_t addSet(const std::string& name, std::vector<Object> objects,
                   annotate::SetKind kind = annotate::SetKind::Reviewed) {
        annotate::AnnotationSet s;
        s.name = name;
        s.kind = kind;
        s.objects = std::move(objects);
        auto id = store_->importSet(mediaId_, s);
        EXPECT_TRUE(id) << id.status().message();
        return *id;
    }
    void reopen(OpenOptions options = {}) {
        store_.reset();
        auto p = ProjectStore::open(path_, options);
        ASSERT_TRUE(p) << p.status().message();
        store_ = std::move(*p);
    }

private:
    sl::testing::TempDir dir_;
    std::string path_;
    std::unique_ptr<ProjectStore> store_;
    int64_t mediaId_ = 0;
};

// The two-keyframe track the tests share: track 1, frame 0 (10,20)-(50,80), frame 10
// (30,40)-(90,100); its box at frame f in 0..10 is A + (B - A) * f / 10.
std::vector<Object> twoKeyTrack() {
    return {box(1, 0, {10, 20, 50, 80}), box(1, 10, {30, 40, 90, 100})};
}

void expectBox(const vision::Box& got, float x1, float y1, float x2, float y2,
               const std::string& where) {
    EXPECT_NEAR(got.x1, x1, 1e-4) << where;
    EXPECT_NEAR(got.y1, y1, 1e-4) << where;
    EXPECT_NEAR(got.x2, x2, 1e-4) << where;
    EXPECT_NEAR(got.y2, y2, 1e-4) << where;
}

// Frame -> box of the track's expansion up to frame 99.
std::map<int64_t, vision::Box> shown(ProjectStore& p, int64_t set, int64_t track) {
    std::map<int64_t, vision::Box> out;
    for (const Object& o : annotate::expandTrack(*p.track(set, track), 99)) out[o.frame] = o.box;
    return out;
}

std::vector<int64_t> idsOf(const std::vector<Object>& objects) {
    std::vector<int64_t> ids;
    for (const Object& o : objects) ids.push_back(o.id);
    return ids;
}

}  // namespace

TEST(StoreReviewEdits, UndoAndRedoRestoreExactRowsAcrossReopen) {
    Project p("undo");
    std::vector<Object> gt = twoKeyTrack();
    gt.push_back(box(kNoTrack, 5, {100, 100, 140, 160}, "person"));   // id 3
    const int64_t set = p.addSet("gt", gt);
    std::vector<Object> preds = {box(7, 2, {200, 10, 240, 50}), box(7, 3, {202, 10, 242, 50}),
                                 box(kNoTrack, 4, {300, 300, 310, 320})};
    for (size_t i = 0; i < preds.size(); ++i) {
        preds[i].source = annotate::ObjectSource::Model;
        preds[i].score = 0.3f + 0.3f * float(i);   // 0.3, 0.6, 0.9
    }
    const int64_t run = p.addSet("run", preds, annotate::SetKind::ModelRun);

    using Edit = std::function<Expected<HistoryEntry>(ProjectStore&)>;
    const std::vector<Edit> edits = {
        [&](ProjectStore& s) { return review::setBox(s, set, 3, {101, 102, 141, 163}); },
        [&](ProjectStore& s) { return review::setLabel(s, set, 3, "cyclist"); },
        [&](ProjectStore& s) { return review::setTrackBox(s, set, 1, 5, {21, 31, 71, 91}); },
        [&](ProjectStore& s) { return review::toggleOccluded(s, set, 1, 7); },
        [&](ProjectStore& s) { return review::toggleOutside(s, set, 1, 10); },
        [&](ProjectStore& s) { return review::splitTrack(s, set, 1, 6); },
        [&](ProjectStore& s) {
            review::PredictionPick pick;
            pick.minScore = 0.5f;
            return review::acceptPredictions(s, run, set, pick);
        },
        [&](ProjectStore& s) {
            return review::setFrameReview(s, set, 0, 9, FrameReview::Reviewed);
        },
        [&](ProjectStore& s) { return review::rejectPredictions(s, run, {}); },
        [&](ProjectStore& s) { return review::changeTrackId(s, set, 2, 40); },
        [&](ProjectStore& s) { return review::deleteTrack(s, set, 1); },
        [&](ProjectStore& s) { return review::deleteBox(s, set, 3); },
    };
    std::vector<State> states = {stateOf(*p, {set, run})};
    std::vector<int64_t> entries;
    for (size_t i = 0; i < edits.size(); ++i) {
        auto e = edits[i](*p);
        ASSERT_TRUE(e) << "edit " << i << ": " << e.status().message();
        entries.push_back(e->id);
        states.push_back(stateOf(*p, {set, run}));
        ASSERT_FALSE(states.back() == states[states.size() - 2])
            << "edit " << i << " changed nothing";
    }
    // Undo every edit, half of them after a close and reopen (an autosave, a restart).
    for (size_t k = edits.size(); k-- > 0;) {
        if (k == edits.size() / 2) p.reopen();
        auto e = p->undo(entries[k]);
        ASSERT_TRUE(e) << "undo " << k << ": " << e.status().message();
        EXPECT_EQ(e->id, entries[k]);
        const State now = stateOf(*p, {set, run});
        ASSERT_TRUE(now == states[k]) << "after undoing edit " << k << ":\n" << describe(now)
                                      << "expected:\n" << describe(states[k]);
    }
    EXPECT_EQ(p->undo().status().code(), StatusCode::NotFound);
    p.reopen();
    for (size_t k = 0; k < edits.size(); ++k) {
        auto e = p->redo(entries[k]);
        ASSERT_TRUE(e) << "redo " << k << ": " << e.status().message();
        const State now = stateOf(*p, {set, run});
        ASSERT_TRUE(now == states[k + 1]) << "after redoing edit " << k << ":\n" << describe(now)
                                          << "expected:\n" << describe(states[k + 1]);
    }
    EXPECT_EQ(p->redo().status().code(), StatusCode::NotFound);
    // The history as a QUndoStack would show it: every entry done, in order.
    auto h = p->history();
    ASSERT_TRUE(h);
    ASSERT_EQ(h->size(), edits.size());
    for (size_t k = 0; k < edits.size(); ++k) {
        EXPECT_EQ((*h)[k].id, entries[k]);
        EXPECT_TRUE((*h)[k].done);
    }
    // An undo naming another entry than the next one is refused and changes nothing.
    auto wrong = p->undo(entries[0]);
    ASSERT_FALSE(wrong);
    const std::string next = "the next to undo is #" + std::to_string(entries.back());
    EXPECT_NE(wrong.status().message().find(next), std::string::npos)
        << wrong.status().message();
    EXPECT_TRUE(stateOf(*p, {set, run}) == states.back());
    // A new edit after undos forgets the undone ones (QUndoStack's push).
    ASSERT_TRUE(p->undo());
    ASSERT_TRUE(p->undo());
    ASSERT_TRUE(review::setLabel(*p, set, 3, "bus"));
    EXPECT_EQ(p->redo().status().code(), StatusCode::NotFound);
    EXPECT_EQ(p->history()->size(), edits.size() - 1);
}

TEST(StoreReviewEdits, UndoRefusesARowChangedOutsideTheHistory) {
    Project p("outside");
    const int64_t set = p.addSet("gt", twoKeyTrack());
    auto moved = review::setBox(*p, set, 1, {11, 21, 51, 81});
    ASSERT_TRUE(moved) << moved.status().message();
    // Another writer (an import, an old client) updates the row without the history.
    Object o = *p->object(set, 1);
    o.label = "van";
    ASSERT_TRUE(p->updateObject(set, o));
    const State before = stateOf(*p, {set});
    auto undo = p->undo();
    ASSERT_FALSE(undo);
    EXPECT_NE(undo.status().message().find("object 1 of set " + std::to_string(set) +
                                           " was changed by another edit"),
              std::string::npos)
        << undo.status().message();
    EXPECT_TRUE(stateOf(*p, {set}) == before);
}

TEST(StoreReviewEdits, InterpolatedBoxesAreTheLinearValues) {
    Project p("lerp");
    const int64_t set = p.addSet("gt", twoKeyTrack());   // ids 1, 2
    // Frame 4 of A=(10,20,50,80) -> B=(30,40,90,100): A + (B - A) * 0.4 = (18, 28, 66, 88).
    auto k4 = review::setKeyframe(*p, set, 1, 4);
    ASSERT_TRUE(k4) << k4.status().message();
    ASSERT_EQ(k4->changes.objects.size(), 1u);
    const Object made = *p->object(set, 3);   // the set's largest id + 1
    EXPECT_TRUE(made.keyframe);
    EXPECT_EQ(made.frame, 4);
    EXPECT_EQ(made.source, annotate::ObjectSource::Human);
    EXPECT_EQ(made.revision, 1);
    expectBox(made.box, 18, 28, 66, 88, "keyframe at 4");
    // A keyframe at 7 moved to (24,31)-(72,97): frames 5, 6 lie on 4 -> 7, frames 8, 9 on 7 -> 10.
    ASSERT_TRUE(review::setTrackBox(*p, set, 1, 7, {24, 31, 72, 97}));
    auto f = shown(*p, set, 1);
    expectBox(f[2], 14, 24, 58, 84, "frame 2 (0 -> 4, t = 1/2)");
    expectBox(f[5], 20, 29, 68, 91, "frame 5 (4 -> 7, t = 1/3)");
    expectBox(f[6], 22, 30, 70, 94, "frame 6 (4 -> 7, t = 2/3)");
    expectBox(f[8], 26, 34, 78, 98, "frame 8 (7 -> 10, t = 1/3)");
    expectBox(f[9], 28, 37, 84, 99, "frame 9 (7 -> 10, t = 2/3)");
    expectBox(f[50], 30, 40, 90, 100, "frame 50 (after the last keyframe: B repeated)");
    EXPECT_EQ(f.size(), 100u);
    // Without the keyframe at 4, frame 2 lies on 0 -> 7 at t = 2/7.
    ASSERT_TRUE(review::clearKeyframe(*p, set, 1, 4));
    f = shown(*p, set, 1);
    expectBox(f[2], 14, 162.0f / 7, 394.0f / 7, 594.0f / 7, "frame 2 (0 -> 7, t = 2/7)");
    // An outside keyframe at 12 hides the track from 12 on; frame 11 interpolates towards it.
    ASSERT_TRUE(review::toggleOutside(*p, set, 1, 12));
    f = shown(*p, set, 1);
    EXPECT_EQ(f.size(), 12u);   // frames 0..11
    EXPECT_FALSE(f.count(12));
    expectBox(f[11], 30, 40, 90, 100, "frame 11 (10 -> the outside copy of B)");
    // Clearing a keyframe where there is none is refused by name.
    auto none = review::clearKeyframe(*p, set, 1, 3);
    ASSERT_FALSE(none);
    EXPECT_NE(none.status().message().find("track 1 has no keyframe at frame 3"),
              std::string::npos)
        << none.status().message();
}

TEST(StoreReviewEdits, SplitAndMergeGiveTheDocumentedIds) {
    Project p("split");
    std::vector<Object> objects = twoKeyTrack();                // ids 1, 2: track 1
    objects.push_back(box(4, 20, {0, 0, 10, 10}));              // id 3: track 4
    objects.push_back(box(4, 25, {5, 5, 15, 15}));              // id 4
    Object closer = box(4, 26, {5, 5, 15, 15});                 // id 5: ends track 4
    closer.outside = true;
    objects.push_back(closer);
    const int64_t set = p.addSet("gt", objects);
    const auto before1 = shown(*p, set, 1);

    // Split track 1 at 4: the new track is 4 + 1 = 5; the interpolated box at 4 becomes its first
    // keyframe (id 5 + 1 = 6), object 2 moves to it, and track 1 ends with an outside copy of the
    // box at 4 (id 7).
    auto split = review::splitTrack(*p, set, 1, 4);
    ASSERT_TRUE(split) << split.status().message();
    EXPECT_NE(split->label.find("new track 5"), std::string::npos) << split->label;
    EXPECT_EQ(idsOf(*p->track(set, 1)), (std::vector<int64_t>{1, 7}));
    EXPECT_EQ(idsOf(*p->track(set, 5)), (std::vector<int64_t>{6, 2}));
    const Object first = *p->object(set, 6);
    expectBox(first.box, 18, 28, 66, 88, "the new track's first keyframe");
    EXPECT_TRUE(first.keyframe && !first.outside);
    const Object end = *p->object(set, 7);
    EXPECT_TRUE(end.keyframe && end.outside);
    EXPECT_EQ(end.frame, 4);
    // Every box stays where it was: frames 0..3 in track 1, 4..99 in track 5.
    const auto part1 = shown(*p, set, 1), part2 = shown(*p, set, 5);
    EXPECT_EQ(part1.size(), 4u);
    EXPECT_EQ(part2.size(), 96u);
    for (const auto& [frame, b] : before1) {
        const auto& part = frame < 4 ? part1 : part2;
        ASSERT_TRUE(part.count(frame)) << frame;
        expectBox(part.at(frame), b.x1, b.y1, b.x2, b.y2, "frame " + std::to_string(frame));
    }
    // Nothing to split off: before the first keyframe, or where the track shows nothing after.
    auto atStart = review::splitTrack(*p, set, 1, 0);
    ASSERT_FALSE(atStart);
    EXPECT_NE(atStart.status().message().find("shows nothing before frame 0"), std::string::npos)
        << atStart.status().message();
    auto atEnd = review::splitTrack(*p, set, 4, 26);
    ASSERT_FALSE(atEnd);
    EXPECT_NE(atEnd.status().message().find("shows nothing from frame 26 on"), std::string::npos)
        << atEnd.status().message();

    // Merge track 4 into 5: no frame in common, so objects 3, 4, 5 take id 5.
    ASSERT_TRUE(review::mergeTracks(*p, set, 5, 4));
    EXPECT_TRUE(p->track(set, 4)->empty());
    EXPECT_EQ(idsOf(*p->track(set, 5)), (std::vector<int64_t>{6, 2, 3, 4, 5}));
    ASSERT_TRUE(p->undo());
    // With a box of track 4 at frame 10 (id 8), where track 5 has object 2: the kept track's
    // object stays and the other's is removed.
    ASSERT_TRUE(review::addBox(*p, set, box(4, 10, {1, 1, 2, 2})));
    ASSERT_EQ(p->object(set, 8)->trackId, 4);
    const Object kept = *p->object(set, 2);
    auto merged = review::mergeTracks(*p, set, 5, 4);
    ASSERT_TRUE(merged) << merged.status().message();
    EXPECT_EQ(p->object(set, 8).status().code(), StatusCode::NotFound);
    EXPECT_EQ(*p->object(set, 2), kept);
    EXPECT_EQ(idsOf(*p->track(set, 5)), (std::vector<int64_t>{6, 2, 3, 4, 5}));
    auto self = review::mergeTracks(*p, set, 5, 5);
    EXPECT_FALSE(self);
}

TEST(StoreReviewEdits, TrackIdCollisionIsRefused) {
    Project p("renumber");
    std::vector<Object> objects = twoKeyTrack();
    objects.push_back(box(4, 20, {0, 0, 10, 10}));
    const int64_t set = p.addSet("gt", objects);
    const State before = stateOf(*p, {set});
    auto taken = review::changeTrackId(*p, set, 1, 4);
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.status().code(), StatusCode::InvalidArgument);
    EXPECT_NE(taken.status().message().find("cannot renumber track 1 to 4: track 4 exists"),
              std::string::npos)
        << taken.status().message();
    EXPECT_NE(taken.status().message().find(p.path()), std::string::npos);
    EXPECT_FALSE(review::changeTrackId(*p, set, 1, -3));
    EXPECT_FALSE(review::changeTrackId(*p, set, 9, 10));   // no track 9
    EXPECT_TRUE(stateOf(*p, {set}) == before);
    EXPECT_TRUE(p->history()->empty());
    ASSERT_TRUE(review::changeTrackId(*p, set, 1, 9));
    EXPECT_EQ(idsOf(*p->track(set, 9)), (std::vector<int64_t>{1, 2}));
    EXPECT_TRUE(p->track(set, 1)->empty());
}

TEST(StoreReviewEdits, AcceptAndRejectMovePredictionsWithTheirOrigin) {
    Project p("accept");
    const int64_t reviewed = p.addSet("reviewed", {box(1, 0, {1, 1, 5, 5}, "person")});
    auto pred = [](int64_t track, int64_t frame, float score, vision::Box b) {
        Object o = box(track, frame, b);
        o.source = annotate::ObjectSource::Model;
        o.score = score;
        return o;
    };
    const int64_t run =
        p.addSet("run",
                 {pred(1, 1, 0.9f, {10, 10, 20, 20}), pred(1, 2, 0.4f, {11, 10, 21, 20}),
                  pred(2, 3, 0.7f, {30, 30, 40, 40}), pred(kNoTrack, 5, 0.95f, {50, 50, 60, 60})},
                 annotate::SetKind::ModelRun);
    const std::vector<Object> predictions = *p->objects(run);

    // Score >= 0.6: predictions 1, 3, 4 (frame order). The reviewed set has track 1 (largest
    // track 1, largest id 1): prediction track 1 is taken there -> 2; prediction track 2 is now
    // taken (by that mapping) -> 3; the lone box stays lone. New ids 2, 3, 4.
    review::PredictionPick above;
    above.minScore = 0.6f;
    auto accepted = review::acceptPredictions(*p, run, reviewed, above);
    ASSERT_TRUE(accepted) << accepted.status().message();
    EXPECT_EQ(idsOf(*p->objects(run)), (std::vector<int64_t>{2}));
    const std::vector<Object> r = *p->objects(reviewed);
    ASSERT_EQ(r.size(), 4u);
    struct Want { int64_t id, track, originId, originTrack, frame; };
    const Want want[] = {{2, 2, 1, 1, 1}, {3, 3, 3, 2, 3}, {4, kNoTrack, 4, kNoTrack, 5}};
    for (const Want& w : want) {
        const Object o = *p->object(reviewed, w.id);
        const Object& src = predictions[size_t(w.originId - 1)];
        EXPECT_EQ(o.trackId, w.track) << w.id;
        EXPECT_EQ(o.origin, (annotate::Origin{run, w.originId, w.originTrack})) << w.id;
        EXPECT_EQ(o.frame, w.frame);
        EXPECT_EQ(o.box, src.box);
        EXPECT_EQ(o.score, src.score);
        EXPECT_EQ(o.label, src.label);
        EXPECT_EQ(o.source, annotate::ObjectSource::Model);
        EXPECT_EQ(o.revision, 1);
    }
    // One at a time: prediction 2 (track 1) joins the reviewed track its track went to (2).
    review::PredictionPick one;
    one.ids = {2};
    ASSERT_TRUE(review::acceptPredictions(*p, run, reviewed, one));
    EXPECT_TRUE(p->objects(run)->empty());
    EXPECT_EQ(p->object(reviewed, 5)->trackId, 2);
    EXPECT_EQ(p->object(reviewed, 5)->origin, (annotate::Origin{run, 2, 1}));
    // Undo gives prediction 2 back exactly, and takes reviewed object 5 away.
    ASSERT_TRUE(p->undo());
    EXPECT_EQ(*p->objects(run), (std::vector<Object>{predictions[1]}));
    EXPECT_EQ(p->object(reviewed, 5).status().code(), StatusCode::NotFound);

    // Reject over a range: frames 2..2 picks prediction 2; the reviewed set is untouched.
    const std::vector<Object> reviewedNow = *p->objects(reviewed);
    review::PredictionPick range;
    range.first = 2, range.last = 2;
    ASSERT_TRUE(review::rejectPredictions(*p, run, range));
    EXPECT_TRUE(p->objects(run)->empty());
    EXPECT_EQ(*p->objects(reviewed), reviewedNow);
    ASSERT_TRUE(p->undo());
    ASSERT_TRUE(p->undo());   // the first accept too: the run is whole again
    EXPECT_EQ(*p->objects(run), predictions);
    EXPECT_EQ(p->objects(reviewed)->size(), 1u);

    review::PredictionPick high;
    high.minScore = 0.99f;
    auto nothing = review::rejectPredictions(*p, run, high);
    ASSERT_FALSE(nothing);
    EXPECT_NE(nothing.status().message().find("no prediction matches (score >= 0.99)"),
              std::string::npos)
        << nothing.status().message();
    review::PredictionPick ghost;
    ghost.ids = {1, 77};
    EXPECT_EQ(review::acceptPredictions(*p, run, reviewed, ghost).status().code(),
              StatusCode::NotFound);
    EXPECT_EQ(*p->objects(run), predictions);
}

TEST(StoreReviewEdits, FramesCarryAReviewStateAndTheNextUnreviewedIsFound) {
    annotate::MediaInfo m = media100();
    m.frameCount = 10;
    Project p("frames", m);
    const int64_t set = p.addSet("gt", {});
    ASSERT_TRUE(review::setFrameReview(*p, set, 0, 4, FrameReview::Reviewed));
    ASSERT_TRUE(review::setFrameReview(*p, set, 6, 6, FrameReview::Flagged));
    EXPECT_EQ(*review::nextUnreviewedFrame(*p, set, -1), 5);
    EXPECT_EQ(*review::nextUnreviewedFrame(*p, set, 2), 5);
    ASSERT_TRUE(review::setFrameReview(*p, set, 5, 5, FrameReview::Reviewed));
    EXPECT_EQ(*review::nextUnreviewedFrame(*p, set, -1), 6);   // flagged is not done
    auto rest = review::setFrameReview(*p, set, 6, 9, FrameReview::Reviewed);
    ASSERT_TRUE(rest);
    EXPECT_EQ(rest->changes.frames.size(), 4u);
    EXPECT_EQ(rest->changes.frames[0], (FrameChange{set, 6, FrameReview::Flagged,
                                                    FrameReview::Reviewed}));
    EXPECT_EQ(*review::nextUnreviewedFrame(*p, set, -1), -1);
    ASSERT_TRUE(p->undo());
    EXPECT_EQ(*p->frameReview(set, 6), FrameReview::Flagged);
    EXPECT_EQ(*p->frameReview(set, 7), FrameReview::Unreviewed);
    EXPECT_EQ(*review::nextUnreviewedFrame(*p, set, 5), 6);
    auto same = review::setFrameReview(*p, set, 0, 4, FrameReview::Reviewed);
    ASSERT_FALSE(same);
    EXPECT_NE(same.status().message().find("changes nothing"), std::string::npos);
    auto past = review::setFrameReview(*p, set, 8, 10, FrameReview::Reviewed);
    ASSERT_FALSE(past);
    EXPECT_NE(past.status().message().find("frame 10 is past the media's last frame (9)"),
              std::string::npos)
        << past.status().message();
}

TEST(StoreReviewEdits, TheHistoryIsBoundedAndTimed) {
    Project p("bound");
    const int64_t set = p.addSet("gt", twoKeyTrack());
    p.reopen(OpenOptions{false, 5000, 5});
    std::vector<int64_t> ids;
    const auto t0 = std::chrono::steady_clock::now();
    constexpr int kEdits = 12;
    for (int i = 0; i < kEdits; ++i) {
        auto e = review::setBox(*p, set, 1, {float(i), 0, float(i) + 10, 10});
        ASSERT_TRUE(e) << e.status().message();
        ids.push_back(e->id);
    }
    const auto t1 = std::chrono::steady_clock::now();
    auto h = p->history();
    ASSERT_TRUE(h);
    ASSERT_EQ(h->size(), 5u);   // the newest five
    for (size_t k = 0; k < 5; ++k) EXPECT_EQ((*h)[k].id, ids[kEdits - 5 + k]);
    for (int k = 0; k < 5; ++k) ASSERT_TRUE(p->undo());
    const auto t2 = std::chrono::steady_clock::now();
    EXPECT_EQ(p->undo().status().code(), StatusCode::NotFound);
    // Undone back to the 7th edit's result (edits 0..6 are beyond the bound, kept in the rows).
    EXPECT_EQ(p->object(set, 1)->box, (vision::Box{6, 0, 16, 10}));
    EXPECT_EQ(p->object(set, 1)->revision, 1 + 7);
    const double editMs =
        std::chrono::duration<double, std::milli>(t1 - t0).count() / kEdits;
    const double undoMs = std::chrono::duration<double, std::milli>(t2 - t1).count() / 5;
    std::printf("edit commit %.2f ms, undo %.2f ms (synchronous=FULL, this machine)\n", editMs,
                undoMs);
}

TEST(StoreReviewEdits, Version3ProjectIsUpgradedAndEditable) {
    sl::testing::TempDir dir("review-v3");
    const std::string path = dir.file("v3.slproj").string();
    {
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        SqliteDb owner(db);
        migrate(db, 0, 3);
        exec(db, "INSERT INTO media(id, path, width, height, frame_count) VALUES(1, 'a.mp4', 640, "
                 "480, 50);"
                 "INSERT INTO sets(id, media_id, name, kind) VALUES(1, 1, 'gt', 'reviewed');"
                 "INSERT INTO objects(set_id, id, track_id, label, x1, y1, x2, y2, frame, pts, "
                 "source, score, flags, visibility, area, attributes, revision) VALUES"
                 "(1, 1, 3, 'car', 0, 0, 10, 10, 0, NULL, 0, 1.0, 1, 1.0, -1, NULL, 1),"
                 "(1, 2, 3, 'car', 20, 0, 30, 10, 10, NULL, 0, 1.0, 1, 1.0, -1, NULL, 4)");
        ASSERT_EQ(schemaVersionOf(db), 3);
    }
    auto p = ProjectStore::open(path);
    ASSERT_TRUE(p) << p.status().message();
    EXPECT_EQ((*p)->schemaVersion(), 4);
    EXPECT_EQ((*p)->backupPath(), path + ".v3.bak");
    const Object o = *(*p)->object(1, 2);
    EXPECT_EQ(o.origin, annotate::Origin{});   // not accepted from a prediction
    EXPECT_EQ(o.revision, 4);
    EXPECT_TRUE((*p)->history()->empty());
    EXPECT_TRUE((*p)->frameReviews(1)->empty());
    auto k = review::setKeyframe(**p, 1, 3, 5);
    ASSERT_TRUE(k) << k.status().message();
    expectBox((*(*p)->object(1, 3)).box, 10, 0, 20, 10, "frame 5 of the upgraded track");
    ASSERT_TRUE((*p)->undo());
    EXPECT_EQ((*p)->object(1, 3).status().code(), StatusCode::NotFound);
}

TEST(StoreReviewEdits, ChangeJsonRoundTripsExactly) {
    Object o = box(3, 9, {0.1f, 1e-7f, 1234.5678f, 3.4e38f}, "a \"quoted\" label");
    o.pts = annotate::kNoPts;
    o.score = 0.33333334f;
    o.visibility = 0.7f;
    o.area = 1.0 / 3;
    o.attributes = {{"colour", "red"}, {"ünïcode", "ß"}};
    o.origin = {4, 5, 6};
    o.revision = 12;
    o.occluded = o.crowd = true;
    ChangeSet c;
    c.label = "everything";
    c.objects.push_back({2, o, std::nullopt});
    c.objects.push_back({2, std::nullopt, o});
    Object p = o;
    p.id = 77, p.keyframe = false, p.outside = true, p.ignored = true;
    c.objects.push_back({3, o, p});
    c.frames.push_back({2, 5, FrameReview::Flagged, FrameReview::Reviewed});
    auto back = changeSetFromJson(changeSetToJson(c), "test");
    ASSERT_TRUE(back) << back.status().message();
    EXPECT_TRUE(*back == c);
    auto bad = changeSetFromJson(R"({"label": "x", "objects": [{"set": 1}], "frames": []})",
                                 "history entry 4");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.status().message().find("history entry 4: the change is damaged"),
              std::string::npos)
        << bad.status().message();
}

TEST(StoreReviewEdits, DeletingATracksBoxTakesThatFrameOnly) {
    Project p("hide");
    const int64_t set = p.addSet("gt", twoKeyTrack());   // ids 1, 2
    const auto before = shown(*p, set, 1);
    // Frame 4 (interpolated, t = 0.4): an outside keyframe at 4 (id 3) and frame 5's box
    // (t = 0.5: (20,30)-(70,90)) kept as a keyframe (id 4), so the track resumes at 5.
    auto e = review::hideTrackAt(*p, set, 1, 4);
    ASSERT_TRUE(e) << e.status().message();
    ASSERT_EQ(e->changes.objects.size(), 2u);
    const Object out = *p->object(set, 3);
    EXPECT_TRUE(out.outside && out.keyframe);
    EXPECT_EQ(out.frame, 4);
    const Object resume = *p->object(set, 4);
    EXPECT_EQ(resume.frame, 5);
    EXPECT_FALSE(resume.outside);
    expectBox(resume.box, 20, 30, 70, 90, "frame 5 kept");
    const auto after = shown(*p, set, 1);
    EXPECT_FALSE(after.count(4));
    for (const auto& [frame, b] : before)
        if (frame != 4) {
            ASSERT_TRUE(after.count(frame)) << "frame " << frame;
            expectBox(after.at(frame), b.x1, b.y1, b.x2, b.y2, "frame " + std::to_string(frame));
        }
    // A keyframe frame (10, the last): only 10 goes; 11 on repeats B from a new keyframe.
    ASSERT_TRUE(review::hideTrackAt(*p, set, 1, 10));
    const auto last = shown(*p, set, 1);
    EXPECT_FALSE(last.count(10));
    ASSERT_TRUE(last.count(11));
    expectBox(last.at(11), 30, 40, 90, 100, "frame 11");
    // Where the track shows nothing, the delete is refused by name.
    auto none = review::hideTrackAt(*p, set, 1, 4);
    ASSERT_FALSE(none);
    EXPECT_NE(none.status().message().find("track 1 shows nothing at frame 4"), std::string::npos)
        << none.status().message();
    // Undo brings the frame back exactly.
    ASSERT_TRUE(p->undo());
    ASSERT_TRUE(p->undo());
    EXPECT_EQ(shown(*p, set, 1), before);
}

TEST(StoreReviewEdits, TrackObjectAtAgreesWithTheExpansion) {
    // The per-frame lookup the workstation draws with must give what expandTrack gives.
    std::vector<Object> keys = twoKeyTrack();
    keys.push_back(box(1, 20, {0, 0, 5, 5}));
    keys.back().outside = true;
    keys.push_back(box(1, 30, {1, 2, 3, 4}));
    std::map<int64_t, vision::Box> expanded;
    for (const Object& o : annotate::expandTrack(keys, 40)) expanded[o.frame] = o.box;
    for (int64_t f = -1; f <= 45; ++f) {
        auto o = annotate::trackObjectAt(keys, f, 40);
        ASSERT_EQ(o.has_value(), expanded.count(f) == 1) << "frame " << f;
        if (o) EXPECT_EQ(o->box, expanded.at(f)) << "frame " << f;
    }
}

TEST(StoreReviewEdits, PropagatedKeyframesMakeALoneBoxATrackInOneEntry) {
    // A lone box (id 2) at frame 5 beside track 4 (id 1): the proposals for 6..8 make it track 5
    // (largest 4 + 1), new ids 3, 4, 5, and an outside closer at 9 (id 6) so it shows on 5..8.
    Project p("propagate-lone");
    const int64_t set = p.addSet("r", {box(4, 0, {0, 0, 10, 10}), box(kNoTrack, 5, {10, 20, 50, 80})});
    const State before = stateOf(*p, {set});
    std::vector<Object> props;
    for (int64_t f = 6; f <= 8; ++f) {
        Object o = box(kNoTrack, f, {10.f + 2 * float(f - 5), 20, 50.f + 2 * float(f - 5), 80});
        o.source = annotate::ObjectSource::Tracker;
        o.score = 0.9f;
        props.push_back(o);
    }
    std::reverse(props.begin(), props.end());   // any order
    review::PropagationStart start;
    start.objectId = 2;
    auto e = review::addPropagatedKeyframes(*p, set, start, props);
    ASSERT_TRUE(e) << e.status().message();
    EXPECT_EQ(e->label, "propagate track 5: 3 keyframes, frame 6..8");
    const std::vector<Object> t = *p->track(set, 5);
    ASSERT_EQ(t.size(), size_t(5)) << describe(stateOf(*p, {set}));
    EXPECT_EQ(idsOf(t), (std::vector<int64_t>{2, 3, 4, 5, 6}));
    EXPECT_EQ(t[0].frame, 5);
    EXPECT_TRUE(t[0].keyframe);
    EXPECT_EQ(t[0].box, (vision::Box{10, 20, 50, 80}));
    for (int i = 1; i <= 3; ++i) {
        EXPECT_EQ(t[size_t(i)].frame, 5 + i);
        EXPECT_EQ(t[size_t(i)].box, (vision::Box{10.f + 2 * float(i), 20, 50.f + 2 * float(i), 80}));
        EXPECT_EQ(t[size_t(i)].source, annotate::ObjectSource::Tracker);
        EXPECT_FLOAT_EQ(t[size_t(i)].score, 0.9f);
        EXPECT_EQ(t[size_t(i)].label, "car");
        EXPECT_TRUE(t[size_t(i)].keyframe);
        EXPECT_FALSE(t[size_t(i)].outside);
    }
    EXPECT_EQ(t[4].frame, 9);
    EXPECT_TRUE(t[4].outside);
    const auto visible = shown(*p, set, 5);
    EXPECT_EQ(visible.size(), size_t(4));   // 5..8
    EXPECT_EQ(visible.begin()->first, 5);
    EXPECT_EQ(visible.rbegin()->first, 8);
    // One entry: one undo gives the set back exactly.
    ASSERT_TRUE(p->undo());
    EXPECT_TRUE(stateOf(*p, {set}) == before) << describe(stateOf(*p, {set}));
}

TEST(StoreReviewEdits, PropagatedKeyframesUpdateATrackWhereItHasOne) {
    // Track 1 keyframes at 0 and 10 (ids 1, 2): proposals for 9, 10, 11 add ids 3 and 4 (9, 11)
    // and move keyframe 2; no closer (an existing track keeps its own end).
    Project p("propagate-track");
    const int64_t set = p.addSet("r", twoKeyTrack());
    std::vector<Object> props = {box(kNoTrack, 9, {1, 2, 3, 4}), box(kNoTrack, 10, {5, 6, 7, 8}),
                                 box(kNoTrack, 11, {9, 10, 11, 12})};
    review::PropagationStart start;
    start.trackId = 1;
    auto e = review::addPropagatedKeyframes(*p, set, start, props);
    ASSERT_TRUE(e) << e.status().message();
    const std::vector<Object> t = *p->track(set, 1);
    ASSERT_EQ(t.size(), size_t(4));
    EXPECT_EQ(t[1].id, 3);
    EXPECT_EQ(t[1].frame, 9);
    EXPECT_EQ(t[2].id, 2);
    EXPECT_EQ(t[2].box, (vision::Box{5, 6, 7, 8}));
    EXPECT_EQ(t[2].revision, 2);
    EXPECT_EQ(t[3].id, 4);
    EXPECT_EQ(t[3].frame, 11);
    EXPECT_EQ(shown(*p, set, 1).rbegin()->first, 99);   // repeats to the end as before
    // Refusals name what is wrong.
    auto twice = review::addPropagatedKeyframes(*p, set, start, {props[0], props[0]});
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.status().message().find("two proposals for frame 9"), std::string::npos);
    auto none = review::addPropagatedKeyframes(*p, set, start, {});
    ASSERT_FALSE(none);
}

TEST(StoreReviewEdits, PropagatedKeyframesFromAnotherLayerStartANewTrack) {
    // The start box copied from a model run into an empty reviewed set: track 0, ids 1 (the
    // copy), 2 (frame 3), 3 (the closer at 4).
    Project p("propagate-copy");
    const int64_t set = p.addSet("r", {});
    review::PropagationStart start;
    start.copy = box(kNoTrack, 2, {10, 10, 20, 20}, "person");
    start.copy->id = 77;
    start.copy->source = annotate::ObjectSource::Model;
    auto e = review::addPropagatedKeyframes(*p, set, start, {box(kNoTrack, 3, {11, 10, 21, 20})});
    ASSERT_TRUE(e) << e.status().message();
    const std::vector<Object> t = *p->track(set, 0);
    ASSERT_EQ(t.size(), size_t(3));
    EXPECT_EQ(idsOf(t), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(t[0].label, "person");
    EXPECT_EQ(t[1].label, "person");
    EXPECT_EQ(t[0].source, annotate::ObjectSource::Model);
    EXPECT_TRUE(t[2].outside);
    EXPECT_EQ(t[2].frame, 4);
}
