// YOLO label folders (annotate/formats/yolo.h). Numbers are worked out by hand from the rows.
#include <gtest/gtest.h>

#include "annotate_print.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "annotate/formats/yolo.h"

namespace sl::annotate::formats {
namespace {

namespace fs = std::filesystem;

// A fresh folder under the temp dir, removed at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() /
               ("sl_yolo_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch()
                                                .count()));
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
    }
};

ImportOptions sized(std::vector<std::string> labels = {}) {
    ImportOptions o;
    o.media.width = 200;
    o.media.height = 100;
    o.labels = std::move(labels);
    return o;
}

std::vector<Object> withoutIds(std::vector<Object> objects) {
    for (Object& o : objects) o.id = 0;
    return objects;
}

FormatError errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const FormatError& e) {
        return e;
    }
    ADD_FAILURE() << "no FormatError";
    return FormatError("", "", "", "");
}

TEST(AnnotateFormatsYolo, ReadsAFolder) {
    TempDir dir;
    dir.write("classes.txt", "person\ncar\n");
    // 200x100 frame: cx 0.5 cy 0.5 w 0.1 h 0.2 -> [90, 40, 110, 60].
    dir.write("frame_000012.txt", "1 0.5 0.5 0.1 0.2\n\n0 0.25 0.25 0.5 0.5\n");
    dir.write("frame_000003.txt", "0 0.1 0.1 0.2 0.2 0.75\n");
    dir.write("frame_000004.txt", "");
    const Imported im = importYolo(dir.path.string(), sized());
    EXPECT_EQ(im.set.labels, (std::vector<std::string>{"person", "car"}));
    ASSERT_EQ(im.report.objects, 3);
    const Object& s = im.set.objects[0];   // frame 3 first
    EXPECT_EQ(s.frame, 3);
    EXPECT_FLOAT_EQ(s.score, 0.75f);
    EXPECT_EQ(s.source, ObjectSource::Model);
    EXPECT_EQ(s.box, (vision::Box{0, 0, 40, 20}));
    EXPECT_EQ(im.set.objects[1].frame, 12);
    EXPECT_EQ(im.set.objects[1].label, "car");
    EXPECT_EQ(im.set.objects[1].box, (vision::Box{90, 40, 110, 60}));
    EXPECT_EQ(im.set.objects[2].box, (vision::Box{0, 0, 100, 50}));
    // firstFrame 3: the file numbered 3 is frame 0.
    ImportOptions o = sized();
    o.firstFrame = 3;
    EXPECT_EQ(importYolo(dir.path.string(), o).set.objects[0].frame, 0);
}

TEST(AnnotateFormatsYolo, ClassNamesFromObjNamesAndDataYaml) {
    TempDir a;
    a.write("obj.names", "x\ny\n");
    a.write("1.txt", "1 0.5 0.5 0.5 0.5\n");
    EXPECT_EQ(importYolo(a.path.string(), sized()).set.objects[0].label, "y");
    TempDir b;
    b.write("data.yaml", "path: .\nnames:\n  - 'cat'\n  - dog\nnc: 2\n");
    b.write("1.txt", "1 0.5 0.5 0.5 0.5\n");
    EXPECT_EQ(importYolo(b.path.string(), sized()).set.labels,
              (std::vector<std::string>{"cat", "dog"}));
    TempDir c;
    c.write("data.yaml", "names: [ant, \"bee\"]\n");
    c.write("1.txt", "0 0.5 0.5 0.5 0.5\n");
    EXPECT_EQ(importYolo(c.path.string(), sized()).set.labels,
              (std::vector<std::string>{"ant", "bee"}));
    TempDir d;
    d.write("data.yaml", "names:\n  0: ant\n  1: bee\n");
    d.write("1.txt", "1 0.5 0.5 0.5 0.5\n");
    EXPECT_EQ(importYolo(d.path.string(), sized()).set.objects[0].label, "bee");
}

TEST(AnnotateFormatsYolo, RoundTrip) {
    AnnotationSet set;
    set.labels = {"a", "b"};
    Object p;
    p.label = "b";
    p.frame = 5;
    p.box = {10.3f, 20.7f, 55.1f, 99.9f};
    Object q = p;
    q.label = "a";
    q.frame = 7;
    q.box = {0, 0, 200, 100};
    set.objects = {p, q};
    MediaInfo media;
    media.width = 200;
    media.height = 100;
    TempDir dir;
    const ExportReport r = exportYolo(set, media, dir.path.string(), {});
    // classes.txt and one file per frame with objects.
    EXPECT_EQ(r.files.size(), 3u);
    EXPECT_TRUE(fs::exists(dir.path / "frame_000005.txt"));
    EXPECT_FALSE(fs::exists(dir.path / "frame_000006.txt"));
    const Imported back = importYolo(dir.path.string(), sized());
    EXPECT_EQ(withoutIds(back.set.objects), withoutIds(set.objects));
    // A model run keeps its scores in the 6th column; track ids are dropped with a warning.
    set.kind = SetKind::ModelRun;
    set.objects[0].score = 0.25f;
    set.objects[0].source = ObjectSource::Model;
    set.objects[1].trackId = 3;
    TempDir dir2;
    const ExportReport r2 = exportYolo(set, media, dir2.path.string(), {});
    ASSERT_FALSE(r2.warnings.empty());
    EXPECT_EQ(r2.warnings[0], "track ids dropped (1 boxes)");
    const Imported back2 = importYolo(dir2.path.string(), sized());
    EXPECT_FLOAT_EQ(back2.set.objects[0].score, 0.25f);
    EXPECT_FLOAT_EQ(back2.set.objects[1].score, 1.0f);
    EXPECT_EQ(back2.set.objects[1].trackId, kNoTrack);
}

TEST(AnnotateFormatsYolo, BadInput) {
    const std::vector<std::string> ab{"a", "b"};
    FormatError e = errorOf([&] { importYoloText("0 0.5 0.5 0.1 0.1\n", "f.txt", 0, {}); });
    EXPECT_NE(e.problem().find("frame size"), std::string::npos);
    e = errorOf([&] { importYoloText("0 0.5 abc 0.1 0.1\n", "f.txt", 0, sized(ab)); });
    EXPECT_EQ(e.where(), "line 1");
    EXPECT_EQ(e.field(), "cy");
    e = errorOf([&] { importYoloText("\n2 0.5 0.5 0.1 0.1\n", "f.txt", 0, sized(ab)); });
    EXPECT_EQ(e.where(), "line 2");
    EXPECT_EQ(e.field(), "class");
    e = errorOf([&] { importYoloText("0 0.5 0.5 0.1\n", "f.txt", 0, sized(ab)); });
    EXPECT_NE(e.problem().find("4 columns"), std::string::npos);
    e = errorOf([&] { importYoloText("0 nan 0.5 0.1 0.1\n", "f.txt", 0, sized(ab)); });
    EXPECT_NE(e.problem().find("not a finite number"), std::string::npos);
    // 1e300 x 200 does not fit a float: refused as not finite, not cast (undefined behaviour).
    e = errorOf([&] { importYoloText("0 0.5 1e300 0.1 0.1\n", "f.txt", 0, sized(ab)); });
    EXPECT_NE(e.problem().find("not a finite number"), std::string::npos);
    e = errorOf([&] { importYoloText("0 0.5 0.5 0.1 0.1 1e300\n", "f.txt", 0, sized(ab)); });
    EXPECT_EQ(e.field(), "score");
    e = errorOf([&] { importYoloText("0 0.5 0.5 -0.1 0.1\n", "f.txt", 0, sized(ab)); });
    EXPECT_NE(e.problem().find("negative box size"), std::string::npos);
    // Past the right edge: cx 0.95 w 0.2 -> x 170..210 in a 200 wide frame.
    const std::string out = "0 0.95 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n";
    e = errorOf([&] { importYoloText(out, "f.txt", 0, sized(ab)); });
    EXPECT_EQ(e.where(), "line 1");
    ImportOptions o = sized(ab);
    o.badBoxes = BadBoxPolicy::Clip;
    Imported im = importYoloText(out, "f.txt", 0, o);
    EXPECT_EQ(im.report.clipped, 1);
    EXPECT_FLOAT_EQ(im.set.objects[0].box.x2, 200);
    o.badBoxes = BadBoxPolicy::Skip;
    im = importYoloText(out, "f.txt", 0, o);
    EXPECT_EQ(im.report.skippedBoxes, 1);
    EXPECT_EQ(im.report.objects, 1);
    // Frame past the media's end.
    o = sized(ab);
    o.media.frameCount = 5;
    e = errorOf([&] { importYoloText("0 0.5 0.5 0.1 0.1\n", "f.txt", 5, o); });
    EXPECT_EQ(e.field(), "frame");
    // Two files for one frame; no classes anywhere.
    TempDir dir;
    dir.write("classes.txt", "a\n");
    dir.write("f1.txt", "0 0.5 0.5 0.1 0.1\n");
    dir.write("g01.txt", "0 0.5 0.5 0.1 0.1\n");
    e = errorOf([&] { importYolo(dir.path.string(), sized()); });
    EXPECT_NE(e.problem().find("already read from"), std::string::npos);
    TempDir empty;
    empty.write("1.txt", "0 0.5 0.5 0.1 0.1\n");
    e = errorOf([&] { importYolo(empty.path.string(), sized()); });
    EXPECT_EQ(e.field(), "classes");
}

}  // namespace
}  // namespace sl::annotate::formats
