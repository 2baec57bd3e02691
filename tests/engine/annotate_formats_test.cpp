// The MOTChallenge, COCO and Sightline JSON formats: the shared samples import with the counts
// read off the files by hand, import -> export -> import keeps every field each format holds,
// and bad input fails with the file, the place (line / JSON pointer) and the field, or is clipped
// or skipped and counted when asked.

#include <gtest/gtest.h>

#include <filesystem>

#include "annotate/formats/coco.h"
#include "annotate/formats/format.h"
#include "annotate/formats/mot.h"
#include "annotate/formats/sightline_json.h"

namespace fs = std::filesystem;
using namespace sl::annotate;
using namespace sl::annotate::formats;

namespace {

std::string sample(const std::string& name) {
    return (fs::path(SL_SHARED_DIR) / "testdata" / "formats" / name).string();
}

// The message of the FormatError FN throws ("" when it does not throw).
template <class F>
std::string errorOf(F fn) {
    try {
        fn();
    } catch (const FormatError& e) {
        return e.what();
    }
    return "";
}

AnnotationSet variedSet() {
    AnnotationSet s;
    s.name = "review";
    s.kind = SetKind::Reviewed;
    s.labels = {"car", "person"};
    s.model = "yolox-nano";
    s.parameters = R"({"t":0.3})";
    s.createdAtMs = 1234;
    for (int i = 0; i < 12; ++i) {
        Object o;
        o.id = i + 1;
        o.trackId = i % 4 == 0 ? kNoTrack : i % 3;
        o.label = s.labels[size_t(i % 2)];
        o.box = {1.25f * float(i), 3.5f, 1.25f * float(i) + 33.3f, 60.1f};
        o.frame = i / 3;
        o.pts = i % 2 ? kNoPts : i * 40;
        o.source = ObjectSource(i % 4);
        o.score = 0.125f * float(i % 8);
        o.keyframe = i % 3 != 0;
        o.outside = i == 7;
        o.occluded = i % 5 == 0;
        o.crowd = i == 9;
        o.ignored = i == 10;
        o.visibility = i == 11 ? 0.25f : 1.0f;
        o.area = i == 2 ? 99.5 : -1;
        if (i % 4 == 1) o.attributes = {{"color", "blue"}};
        o.revision = i;
        s.objects.push_back(o);
    }
    return s;
}

}  // namespace

TEST(AnnotateFormatsMot, SharedSamplesImportWithTheirCounts) {
    ImportOptions o;
    // mot_sample.csv: 8 rows, ids 1..4, MOT frames 661, 662, 801; MOT15's 10 columns.
    Imported a = importMot(sample("mot_sample.csv"), o);
    EXPECT_EQ(a.report.objects, 8);
    EXPECT_EQ(a.report.tracks, 4);
    EXPECT_EQ(a.set.objects.front().frame, 660);
    EXPECT_EQ(a.set.objects.back().frame, 800);
    EXPECT_EQ(a.set.objects.front().label, "pedestrian");
    EXPECT_FALSE(a.report.warnings.empty());
    // cvat_mot_sample.csv: the same boxes as CVAT exports them (9 columns, class 2, vis 1).
    Imported c = importMot(sample("cvat_mot_sample.csv"), o);
    EXPECT_EQ(c.report.objects, 8);
    EXPECT_EQ(c.set.objects.front().label, "person_on_vehicle");   // MOT17 class 2
    for (size_t i = 0; i < 8; ++i) EXPECT_EQ(a.set.objects[i].box, c.set.objects[i].box);
    // basic_csv.csv: 8 columns (conf, class), first frame 660.
    ImportOptions det;
    det.kind = SetKind::ModelRun;
    det.labels = {"car", "truck"};
    Imported b = importMot(sample("basic_csv.csv"), det);
    EXPECT_EQ(b.report.objects, 8);
    EXPECT_EQ(b.set.objects.front().frame, 659);
    EXPECT_EQ(b.set.objects.front().label, "truck");   // class 2 of the given labels
    EXPECT_FLOAT_EQ(b.set.objects.front().score, 0.9f);
    EXPECT_FLOAT_EQ(b.set.objects.front().box.x1, 323.83f);
    EXPECT_FLOAT_EQ(b.set.objects.front().box.x2, float(323.83 + 43.77000000000004));
}

TEST(AnnotateFormatsMot, RoundTripKeepsWhatMotHolds) {
    const std::string text =
        "1,1,10.5,20,40,80.25,1,1,1\n1,2,100,100,20,20,0,3,0.5\n2,1,11,20,40,80,1,1,0.75\n";
    ImportOptions o;
    const Imported a = importMotText(text, "gt.txt", o);
    ASSERT_EQ(a.set.objects.size(), 3u);
    EXPECT_TRUE(a.set.objects[1].ignored);
    EXPECT_EQ(a.set.objects[1].label, "car");
    EXPECT_FLOAT_EQ(a.set.objects[1].visibility, 0.5f);
    ExportReport r;
    const std::string out = exportMotText(a.set, {}, r);
    EXPECT_EQ(out, text);
    const Imported b = importMotText(out, "gt.txt", o);
    EXPECT_EQ(a.set.objects, b.set.objects);
}

TEST(AnnotateFormatsMot, BadRowsNameLineAndField) {
    ImportOptions o;
    EXPECT_NE(errorOf([&] { importMotText("1,1,1,1,5,5\n2,1,1,1,-3,5\n", "gt.txt", o); })
                  .find("gt.txt:line 2: width: negative (-3)"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importMotText("1,1,abc,1,5,5\n", "gt.txt", o); })
                  .find("gt.txt:line 1: x: 'abc' is not a number"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importMotText("1,1,nan,1,5,5\n", "gt.txt", o); }).find("not a finite"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importMotText("0,1,1,1,5,5\n", "gt.txt", o); }).find("line 1: frame"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importMotText("1,1,1,1,5,5\n1,1,2,2,5,5\n", "gt.txt", o); })
                  .find("track 1 has two boxes in frame 0"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importMotText("1,1,1,1\n", "gt.txt", o); }).find("4 columns"),
              std::string::npos);
    ImportOptions sized = o;
    sized.media.width = 100, sized.media.height = 100, sized.media.frameCount = 10;
    EXPECT_NE(errorOf([&] { importMotText("11,1,1,1,5,5\n", "gt.txt", sized); })
                  .find("past the end of the media (10 frames)"),
              std::string::npos);
    // Outside the frame: fail, clip (counted) or skip (counted).
    const std::string outside = "1,1,90,90,20,20\n2,1,200,200,5,5\n3,1,10,10,5,5\n";
    EXPECT_NE(errorOf([&] { importMotText(outside, "gt.txt", sized); }).find("outside the 100x100"),
              std::string::npos);
    sized.badBoxes = BadBoxPolicy::Clip;
    Imported clipped = importMotText(outside, "gt.txt", sized);
    EXPECT_EQ(clipped.report.clipped, 1);
    EXPECT_EQ(clipped.report.skippedBoxes, 1);   // wholly outside
    ASSERT_EQ(clipped.set.objects.size(), 2u);
    EXPECT_EQ(clipped.set.objects[0].box.x2, 100.0f);
    sized.badBoxes = BadBoxPolicy::Skip;
    EXPECT_EQ(importMotText(outside, "gt.txt", sized).report.skippedBoxes, 2);
    // Unknown labels: a class past the given list fails.
    ImportOptions labels;
    labels.labels = {"a"};
    EXPECT_NE(errorOf([&] { importMotText("1,1,1,1,5,5,1,2,1\n", "gt.txt", labels); })
                  .find("class: class 2 is not one of the 1 given labels"),
              std::string::npos);
}

TEST(AnnotateFormatsCoco, RoundTripKeepsWhatCocoHolds) {
    AnnotationSet s = variedSet();
    s.kind = SetKind::ModelRun;
    MediaInfo m;
    m.width = 640, m.height = 480;
    ExportReport r;
    const std::string text = exportCocoText(s, m, {}, r);
    EXPECT_FALSE(r.warnings.empty());   // outside / ignored / visibility / pts dropped
    ImportOptions o;
    o.kind = SetKind::ModelRun;
    const Imported back = importCocoText(text, "x.json", o);
    ASSERT_EQ(back.set.objects.size(), s.objects.size());
    EXPECT_EQ(back.set.labels, s.labels);
    std::map<int64_t, Object> byId;
    for (const Object& b : back.set.objects) byId[b.id] = b;
    for (const Object& a : s.objects) {
        const Object& b = byId.at(a.id);
        EXPECT_EQ(b.frame, a.frame);
        EXPECT_EQ(b.trackId, a.trackId);
        EXPECT_EQ(b.label, a.label);
        EXPECT_EQ(b.box, a.box);
        EXPECT_EQ(b.score, a.score);
        EXPECT_EQ(b.keyframe, a.keyframe);
        EXPECT_EQ(b.occluded, a.occluded);
        EXPECT_EQ(b.crowd, a.crowd);
        EXPECT_EQ(b.attributes, a.attributes);
        if (a.area >= 0) {
            EXPECT_EQ(b.area, a.area);
        }
    }
    EXPECT_NE(back.report.frameMapping.find("frame_index"), std::string::npos);
}

TEST(AnnotateFormatsCoco, BadInputNamesTheJsonPointer) {
    const std::string base = R"({"images":[{"id":5,"width":100,"height":100}],
        "categories":[{"id":1,"name":"cat"}], "annotations":[)";
    auto withAnn = [&](const std::string& ann) { return base + ann + "]}"; };
    ImportOptions o;
    EXPECT_NE(errorOf([&] { importCocoText(withAnn(R"({"id":1,"image_id":5,"category_id":1,"bbox":[1,2,"x",4]})"), "c.json", o); })
                  .find("c.json:/annotations/0/bbox/2: bbox: expected a number, found string"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importCocoText(withAnn(R"({"id":1,"image_id":6,"category_id":1,"bbox":[1,2,3,4]})"), "c.json", o); })
                  .find("/annotations/0/image_id: image_id: no image 6"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importCocoText(withAnn(R"({"id":1,"image_id":5,"category_id":1,"bbox":[1,2,-3,4]})"), "c.json", o); })
                  .find("negative width"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importCocoText(withAnn(R"({"id":1,"image_id":5,"category_id":1,"bbox":[90,2,30,4]})"), "c.json", o); })
                  .find("outside the 100x100 frame"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importCocoText(withAnn(R"({"id":1,"image_id":5,"category_id":1,"bbox":[1,2,3,4]},{"id":1,"image_id":5,"category_id":1,"bbox":[1,2,3,4]})"), "c.json", o); })
                  .find("duplicate object id 1"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importCocoText(base, "c.json", o); }).find("c.json:line 2: JSON:"),
              std::string::npos);
}

TEST(AnnotateFormatsSightlineJson, LosslessRoundTrip) {
    const AnnotationSet s = variedSet();
    MediaInfo m;
    m.path = "a.mp4", m.width = 640, m.height = 480, m.frameCount = 100;
    m.timeBaseNum = 1, m.timeBaseDen = 12800, m.fps = 25;
    ExportReport r;
    const std::string text = exportSightlineJsonText(s, m, {}, r);
    const Imported back = importSightlineJsonText(text, "s.json", {});
    // The import sorts by (frame, track, id).
    std::vector<Object> expected = s.objects;
    std::stable_sort(expected.begin(), expected.end(), [](const Object& a, const Object& b) {
        return std::tie(a.frame, a.trackId, a.id) < std::tie(b.frame, b.trackId, b.id);
    });
    ASSERT_EQ(back.set.objects.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
        EXPECT_TRUE(back.set.objects[i] == expected[i]) << "object " << expected[i].id;
    EXPECT_EQ(back.set.name, s.name);
    EXPECT_EQ(back.set.kind, SetKind::Reviewed);
    EXPECT_EQ(back.set.labels, s.labels);
    EXPECT_EQ(back.set.parameters, s.parameters);
    EXPECT_EQ(back.set.createdAtMs, 1234);
    EXPECT_EQ(back.media.timeBaseDen, 12800);
    EXPECT_EQ(back.media.frameCount, 100);
}

TEST(AnnotateFormatsSightlineJson, ReadsAnalyzeResults) {
    // The shape ResultsStore::toJson writes.
    const std::string text = R"({"source": "v.mp4", "model": "yolox-nano", "labels": ["person"],
      "frames": [
        {"frame": 0, "pts": 0, "time": 0, "width": 768, "height": 576, "detections": [
          {"class_id": 0, "label": "person", "score": 0.9, "box": [1, 2, 30, 40], "track_id": 3}]},
        {"frame": 1, "pts": 512, "time": 0.04, "width": 768, "height": 576, "detections": [
          {"class_id": 0, "label": "person", "score": 0.8, "box": [2, 2, 31, 40]},
          {"class_id": 0, "label": "person", "score": 0.7, "box": [100, 2, 131, 40], "track_id": 3}]}]})";
    const Imported r = importSightlineJsonText(text, "r.json", {});
    ASSERT_EQ(r.set.objects.size(), 3u);
    EXPECT_EQ(r.set.kind, SetKind::ModelRun);
    EXPECT_EQ(r.media.width, 768);
    EXPECT_EQ(r.report.tracks, 1);
    EXPECT_EQ(r.set.objects[0].source, ObjectSource::Tracker);
    EXPECT_EQ(r.set.objects[1].trackId, kNoTrack);   // frame 1 sorts the lone box first
    EXPECT_EQ(r.set.objects[1].pts, 512);
    EXPECT_NE(errorOf([&] { importSightlineJsonText(R"({"frames": [{"frame": 0, "detections": [{"label": "a", "score": "high", "box": [1,2,3,4]}]}]})", "r.json", {}); })
                  .find("r.json:/frames/0/detections/0/score: score: expected a number"),
              std::string::npos);
    EXPECT_NE(errorOf([&] { importSightlineJsonText(R"({"format": "sightline-annotations", "version": 9, "set": {}, "objects": []})", "a.json", {}); })
                  .find("/version: version: version 9"),
              std::string::npos);
}

// Found by fuzz_coco / fuzz_sightline_json: a number too large for a double made nlohmann throw
// out_of_range, which escaped the importers instead of a FormatError.
TEST(AnnotateFormats, HugeNumbersAreFormatErrors) {
    EXPECT_NE(errorOf([] { importCocoText(R"({"images": [{"id": 1E99999}]})", "c.json", {}); })
                  .find("c.json: JSON: number overflow"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  importSightlineJsonText(R"({"format": 17965627E29335})", "s.json", {});
              }).find("s.json: JSON: number overflow"),
              std::string::npos);
}
