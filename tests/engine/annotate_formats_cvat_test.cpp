// CVAT for video / images XML (annotate/formats/cvat.h). Counts come from reading the sample files
// (tadejsv/EvalDeT tests/data, /work/shared/testdata/formats): cvat_video_sample.xml has 4 tracks
// of 2, 3, 3 and 1 boxes (9; one, track 3's at frame 662, outside) and no <meta> labels;
// cvat_video_export.xml has 4 tracks of 3, 5, 3 and 2 boxes (13, 5 outside), labels Car, Van,
// Truck, <size> 800 and a 640x480 original size, all on its line 2.
#include <gtest/gtest.h>

#include "annotate_print.h"

#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "annotate/formats/cvat.h"
#include "annotate/interpolation.h"


namespace sl::annotate::formats {
namespace {

namespace fs = std::filesystem;

// SL_SHARED_DIR in the environment overrides the build's (a worktree has no ../shared).
std::string sample(const char* name) {
    const char* env = std::getenv("SL_SHARED_DIR");
    const fs::path shared = env != nullptr ? fs::path(env) : fs::path(SL_SHARED_DIR);
    return readFile((shared / "testdata" / "formats" / name).string());
}

std::vector<Object> withoutIds(std::vector<Object> objects) {
    for (Object& o : objects) o.id = 0;
    return objects;
}

std::vector<Object> keyframesOf(const std::vector<Object>& objects) {
    std::vector<Object> out;
    for (const Object& o : objects)
        if (o.keyframe) out.push_back(o);
    return out;
}

// The FormatError of importing TEXT, or a failure.
FormatError errorOf(const std::string& text, const ImportOptions& options = {}) {
    try {
        importCvatText(text, "t.xml", options);
    } catch (const FormatError& e) {
        return e;
    }
    ADD_FAILURE() << "imported without an error";
    return FormatError("", "", "", "");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

TEST(AnnotateFormatsCvat, ImportsVideoSample) {
    const Imported im = importCvatText(sample("cvat_video_sample.xml"), "sample.xml", {});
    EXPECT_EQ(im.report.objects, 9);
    EXPECT_EQ(im.report.tracks, 4);
    EXPECT_EQ(im.set.labels, std::vector<std::string>{"Car"});
    EXPECT_NE(im.report.frameMapping.find("engine frame N"), std::string::npos);
    int outside = 0;
    for (const Object& o : im.set.objects) outside += o.outside;
    EXPECT_EQ(outside, 1);
    // Sorted by (frame, track): the first is track 1's box at 660 (line 7).
    const Object& a = im.set.objects.front();
    EXPECT_EQ(a.frame, 660);
    EXPECT_EQ(a.trackId, 1);
    EXPECT_EQ(a.box, (vision::Box{323.83f, 104.06f, 367.60f, 139.49f}));
    EXPECT_EQ(a.source, ObjectSource::Human);
    EXPECT_TRUE(a.keyframe);
    // Expanded to frame 800: tracks 1 and 2 cover 660..800 (141 each), track 3 660..661, track 4
    // 800 alone: 285.
    const auto dense = densify(im.set, 800);
    EXPECT_EQ(dense.size(), 285u);
    // Track 2 at 730: 69 of the 139 frames from 661 (x1 273.10) to 800 (x1 329.27).
    const auto at730 = objectsAtFrame(im.set, 730, 800);
    ASSERT_EQ(at730.size(), 2u);
    EXPECT_NEAR(at730[1].box.x1, 273.10 + (329.27 - 273.10) * 69 / 139, 1e-3);
}

TEST(AnnotateFormatsCvat, ImportsVideoExport) {
    const Imported im = importCvatText(sample("cvat_video_export.xml"), "export.xml", {});
    EXPECT_EQ(im.report.objects, 13);
    EXPECT_EQ(im.report.tracks, 4);
    EXPECT_EQ(im.set.labels, (std::vector<std::string>{"Car", "Van", "Truck"}));
    EXPECT_EQ(im.media.width, 640);
    EXPECT_EQ(im.media.height, 480);
    EXPECT_EQ(im.media.frameCount, 800);
    int outside = 0;
    for (const Object& o : im.set.objects) outside += o.outside;
    EXPECT_EQ(outside, 5);
    // Track 2's and 4's visible boxes at frame 800 lie past <size> 800: kept, with a warning.
    bool warned = false;
    for (const std::string& w : im.report.warnings) warned |= w.find("2 boxes lie past") == 0;
    EXPECT_TRUE(warned);
    // With the media's length known (800 frames) the box at 800 is an error; the outside boxes
    // at 801 alone would only be dropped.
    ImportOptions o;
    o.media.frameCount = 800;
    const FormatError e = errorOf(sample("cvat_video_export.xml"), o);
    EXPECT_EQ(e.field(), "frame");
    EXPECT_EQ(e.where(), "line 2 <box>");
    o.media.frameCount = 801;
    const Imported cut = importCvatText(sample("cvat_video_export.xml"), "export.xml", o);
    EXPECT_EQ(cut.report.objects, 13 - 2);   // the two outside boxes at 801 dropped
}

TEST(AnnotateFormatsCvat, RefusesUaDetrac) {
    const FormatError e = errorOf(sample("ua_detrac_sample.xml"));
    EXPECT_EQ(e.where(), "line 1 <sequence>");
    EXPECT_NE(std::string(e.what()).find("not a CVAT XML file"), std::string::npos) << e.what();
}

TEST(AnnotateFormatsCvat, VideoRoundTripDenseAndKeyframes) {
    const Imported im = importCvatText(sample("cvat_video_sample.xml"), "sample.xml", {});
    MediaInfo media;   // length unknown: tracks extend to the set's last frame, 800
    ExportReport report;
    const std::string dense = exportCvatVideoText(im.set, media, {}, report);
    const Imported back = importCvatText(dense, "dense.xml", {});
    // Every keyframe back as it was; the rest are the interpolated frames, exactly.
    EXPECT_EQ(withoutIds(keyframesOf(back.set.objects)), withoutIds(im.set.objects));
    std::vector<Object> expected = densify(im.set, 800);
    for (const Object& o : im.set.objects)
        if (o.outside) expected.push_back(o);
    std::stable_sort(expected.begin(), expected.end(), [](const Object& a, const Object& b) {
        return a.frame != b.frame ? a.frame < b.frame : a.trackId < b.trackId;
    });
    EXPECT_EQ(back.set.objects.size(), 286u);   // 285 visible + the outside keyframe
    EXPECT_EQ(withoutIds(back.set.objects), withoutIds(expected));

    ExportOptions keysOnly;
    keysOnly.denseTracks = false;
    const Imported again =
        importCvatText(exportCvatVideoText(im.set, media, keysOnly, report), "k.xml", {});
    EXPECT_EQ(withoutIds(again.set.objects), withoutIds(im.set.objects));
}

TEST(AnnotateFormatsCvat, VideoLoneBoxesAttributesAndWarnings) {
    AnnotationSet set;
    set.name = "hand";
    set.labels = {"person", "car"};
    Object a;
    a.trackId = 5;
    a.label = "person";
    a.frame = 2;
    a.box = {10.5f, 20.25f, 30, 40};
    a.occluded = true;
    a.attributes = {{"color", "red & <blue>"}};
    Object closeA = a;
    closeA.frame = 4;
    closeA.outside = true;
    Object lone;
    lone.label = "car";
    lone.frame = 7;
    lone.box = {1, 2, 3, 4};
    lone.score = 0.5f;
    set.objects = {a, closeA, lone};
    MediaInfo media;
    media.width = 64;
    media.height = 48;
    media.frameCount = 10;
    ExportReport report;
    ExportOptions options;
    options.denseTracks = false;
    const Imported back = importCvatText(exportCvatVideoText(set, media, options, report), "h.xml",
                                         {});
    EXPECT_EQ(back.set.labels, set.labels);
    EXPECT_EQ(back.media.width, 64);
    EXPECT_EQ(back.media.frameCount, 10);
    // Track 5 as it was; the lone box is track 6 (after the set's last track id) with an outside
    // box at frame 8; its score is dropped.
    ASSERT_EQ(back.set.objects.size(), 4u);
    EXPECT_EQ(withoutIds({back.set.objects[0], back.set.objects[1]}), withoutIds({a, closeA}));
    Object expectLone = lone;
    expectLone.trackId = 6;
    expectLone.score = 1;
    EXPECT_EQ(withoutIds({back.set.objects[2]}), withoutIds({expectLone}));
    EXPECT_TRUE(back.set.objects[3].outside);
    EXPECT_EQ(back.set.objects[3].frame, 8);
    std::string all;
    for (const std::string& w : report.warnings) all += w + "\n";
    EXPECT_NE(all.find("scores dropped (1 boxes)"), std::string::npos) << all;
    EXPECT_NE(all.find("1 lone boxes written as one-frame tracks"), std::string::npos) << all;
}

TEST(AnnotateFormatsCvat, ImagesRoundTrip) {
    AnnotationSet set;
    set.labels = {"a", "b"};
    Object p;
    p.label = "a";
    p.frame = 0;
    p.box = {0, 0, 5, 5};
    p.attributes = {{"k", "v"}};
    Object q = p;
    q.label = "b";
    q.frame = 3;
    q.source = ObjectSource::Model;
    q.occluded = true;
    q.attributes.clear();
    set.objects = {p, q};
    MediaInfo media;
    media.width = 10;
    media.height = 10;
    media.frameCount = 5;
    ExportReport report;
    const std::string text = exportCvatImagesText(set, media, {}, report);
    // Every frame of the media is an image, named from the pattern.
    EXPECT_NE(text.find("name=\"frame_000004.jpg\""), std::string::npos);
    const Imported back = importCvatText(text, "i.xml", {});
    EXPECT_EQ(withoutIds(back.set.objects), withoutIds(set.objects));
    EXPECT_NE(back.report.frameMapping.find("<image id=N>"), std::string::npos);
    // A track's interpolated frame becomes a plain box; the track id is dropped.
    Object t1 = p, t2 = p;
    t1.trackId = t2.trackId = 1;
    t2.frame = 2;
    t2.box = {2, 0, 7, 5};
    set.objects = {t1, t2};
    ExportReport r2;
    ExportOptions firstOne;
    firstOne.firstFrame = 1;
    ImportOptions fromOne;
    fromOne.firstFrame = 1;
    const Imported back2 =
        importCvatText(exportCvatImagesText(set, media, firstOne, r2), "i.xml", fromOne);
    // Frames 0, 1, 2 (and the repeat at 3, 4 to the media's end).
    ASSERT_EQ(back2.set.objects.size(), 5u);
    EXPECT_EQ(back2.set.objects[1].frame, 1);
    EXPECT_FLOAT_EQ(back2.set.objects[1].box.x1, 1);
    EXPECT_EQ(back2.set.objects[1].trackId, kNoTrack);
}

TEST(AnnotateFormatsCvat, BadInputNamesLineElementAndField) {
    const std::string s = sample("cvat_video_sample.xml");
    // Truncated: tinyxml2's message with a line.
    FormatError e = errorOf(s.substr(0, s.size() / 2));
    EXPECT_EQ(e.file(), "t.xml");
    EXPECT_EQ(e.where().rfind("line ", 0), 0u) << e.what();
    e = errorOf(replaced(s, "xtl=\"323.83\"", "xtl=\"abc\""));
    EXPECT_EQ(e.where(), "line 7 <box>");
    EXPECT_EQ(e.field(), "xtl");
    EXPECT_NE(e.problem().find("'abc'"), std::string::npos);
    e = errorOf(replaced(s, "xtl=\"323.83\"", "xtl=\"nan\""));
    EXPECT_EQ(e.where(), "line 7 <box>");
    EXPECT_NE(e.problem().find("not a finite number"), std::string::npos);
    e = errorOf(replaced(s, "xbr=\"367.60\"", "xbr=\"300\""));
    EXPECT_NE(e.problem().find("negative box size"), std::string::npos);
    e = errorOf(replaced(s, "frame=\"660\" outside=\"0\"", "frame=\"x\" outside=\"0\""));
    EXPECT_EQ(e.field(), "frame");
    e = errorOf(replaced(s, "keyframe=\"1\"", "keyframe=\"yes\""));
    EXPECT_EQ(e.field(), "keyframe");
    e = errorOf(replaced(s, "<track id=\"2\"", "<track id=\"1\""));
    EXPECT_EQ(e.where(), "line 10 <track>");
    EXPECT_NE(e.problem().find("duplicate track id 1 (first at line 6)"), std::string::npos);
    e = errorOf(replaced(s, "<box frame=\"661\" outside=\"0\" occluded=\"0\" keyframe=\"1\" "
                            "xtl=\"273.10\"",
                         "<box frame=\"660\" outside=\"0\" occluded=\"0\" keyframe=\"1\" "
                         "xtl=\"273.10\""));
    EXPECT_EQ(e.where(), "line 12 <box>");
    EXPECT_NE(e.problem().find("two boxes at frame 660 (the other at line 11)"),
              std::string::npos);
    // Past the media's end (700 frames): track 2's box at 800, line 13.
    ImportOptions shortMedia;
    shortMedia.media.frameCount = 700;
    e = errorOf(s, shortMedia);
    EXPECT_EQ(e.where(), "line 13 <box>");
    EXPECT_EQ(e.field(), "frame");
    // Unknown label, then skipped: all 9 boxes are Car.
    ImportOptions persons;
    persons.labels = {"Person"};
    e = errorOf(s, persons);
    EXPECT_EQ(e.field(), "label");
    persons.skipUnknownLabels = true;
    const Imported none = importCvatText(s, "t.xml", persons);
    EXPECT_EQ(none.report.objects, 0);
    EXPECT_EQ(none.report.skippedLabels, 9);
}

TEST(AnnotateFormatsCvat, BoxesOutsideTheFrame) {
    // Track 1's box at 660 made to reach x 700 in a 640x480 frame.
    const std::string s =
        replaced(sample("cvat_video_sample.xml"), "xbr=\"367.60\"", "xbr=\"700\"");
    ImportOptions o;
    o.media.width = 640;
    o.media.height = 480;
    FormatError e = errorOf(s, o);
    EXPECT_EQ(e.where(), "line 7 <box>");
    EXPECT_EQ(e.field(), "xtl ytl xbr ybr");
    o.badBoxes = BadBoxPolicy::Clip;
    Imported im = importCvatText(s, "t.xml", o);
    EXPECT_EQ(im.report.clipped, 1);
    EXPECT_EQ(im.report.objects, 9);
    EXPECT_FLOAT_EQ(im.set.objects.front().box.x2, 640);
    o.badBoxes = BadBoxPolicy::Skip;
    im = importCvatText(s, "t.xml", o);
    EXPECT_EQ(im.report.skippedBoxes, 1);
    EXPECT_EQ(im.report.objects, 8);
}

}  // namespace
}  // namespace sl::annotate::formats
