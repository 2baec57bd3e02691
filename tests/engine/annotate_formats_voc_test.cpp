// Pascal VOC XML (annotate/formats/voc.h): 1-based inclusive pixel corners, flags as attributes.
#include <gtest/gtest.h>

#include "annotate_print.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "annotate/formats/voc.h"

namespace sl::annotate::formats {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() /
               ("sl_voc_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch()
                                               .count()));
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
    }
};

// A VOC file as labelImg writes it: a 1-pixel-wide box at the image's first column (xmin 1,
// xmax 1) and a difficult, truncated one.
const char* kSample = R"(<annotation>
	<folder>images</folder>
	<filename>000007.jpg</filename>
	<size>
		<width>100</width>
		<height>50</height>
		<depth>3</depth>
	</size>
	<object>
		<name>dog</name>
		<pose>Left</pose>
		<truncated>0</truncated>
		<difficult>0</difficult>
		<bndbox>
			<xmin>1</xmin>
			<ymin>1</ymin>
			<xmax>1</xmax>
			<ymax>10</ymax>
		</bndbox>
	</object>
	<object>
		<name>cat</name>
		<pose>Unspecified</pose>
		<truncated>1</truncated>
		<difficult>1</difficult>
		<occluded>1</occluded>
		<bndbox>
			<xmin>11</xmin>
			<ymin>21</ymin>
			<xmax>100</xmax>
			<ymax>50</ymax>
		</bndbox>
	</object>
</annotation>
)";

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

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

TEST(AnnotateFormatsVoc, ReadsOneFile) {
    const Imported im = importVocText(kSample, "000007.xml", 7, {});
    ASSERT_EQ(im.report.objects, 2);
    EXPECT_EQ(im.set.labels, (std::vector<std::string>{"dog", "cat"}));
    EXPECT_EQ(im.media.width, 100);
    const Object& dog = im.set.objects[0];
    EXPECT_EQ(dog.frame, 7);
    // Pixel column 1 is [0, 1): a box 1 px wide.
    EXPECT_EQ(dog.box, (vision::Box{0, 0, 1, 10}));
    EXPECT_EQ(dog.attributes, (std::map<std::string, std::string>{{"pose", "Left"}}));
    const Object& cat = im.set.objects[1];
    EXPECT_EQ(cat.box, (vision::Box{10, 20, 100, 50}));   // to the image's far corner
    EXPECT_TRUE(cat.occluded);
    EXPECT_EQ(cat.attributes,
              (std::map<std::string, std::string>{{"difficult", "1"}, {"truncated", "1"}}));
}

TEST(AnnotateFormatsVoc, RoundTripThroughAFolder) {
    AnnotationSet set;
    set.labels = {"a", "b"};
    Object p;
    p.label = "a";
    p.frame = 2;
    p.box = {0.1f, 0.2f, 33.3f, 44.4f};   // fractions: (x + 1) - 1 must still be x
    p.attributes = {{"difficult", "1"}, {"pose", "Front"}, {"color", "red"}};
    Object q;
    q.label = "b";
    q.frame = 9;
    q.box = {5, 5, 6, 6};
    q.occluded = true;
    q.trackId = 4;
    q.score = 0.5f;
    set.objects = {p, q};
    MediaInfo media;
    media.width = 64;
    media.height = 48;
    TempDir dir;
    const ExportReport r = exportVoc(set, media, dir.path.string(), {});
    EXPECT_EQ(r.files.size(), 2u);
    EXPECT_TRUE(fs::exists(dir.path / "frame_000009.xml"));
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_EQ(r.warnings[0], "track ids dropped (1 boxes)");
    EXPECT_EQ(r.warnings[1], "scores dropped (1 boxes)");
    const Imported back = importVoc(dir.path.string(), {});
    Object q2 = q;
    q2.trackId = kNoTrack;
    q2.score = 1;
    EXPECT_EQ(withoutIds(back.set.objects), withoutIds({p, q2}));
    EXPECT_EQ(back.set.labels, set.labels);
}

void load(const std::string& text) { importVocText(text, "t.xml", 0, {}); }

TEST(AnnotateFormatsVoc, BadInput) {
    FormatError e = errorOf([] { load(std::string(kSample).substr(0, 300)); });
    EXPECT_EQ(e.where().rfind("line ", 0), 0u);
    e = errorOf([] { load(replaced(kSample, "<xmin>11<", "<xmin>abc<")); });
    EXPECT_EQ(e.where(), "line 28 <xmin>");
    EXPECT_EQ(e.field(), "xmin");
    e = errorOf([] { load(replaced(kSample, "<xmax>100<", "<xmax>5<")); });
    EXPECT_NE(e.problem().find("negative box size"), std::string::npos);
    EXPECT_EQ(e.where(), "line 27 <bndbox>");
    e = errorOf([] { load(replaced(kSample, "<xmax>100<", "<xmax>nan<")); });
    EXPECT_NE(e.problem().find("finite"), std::string::npos);
    e = errorOf([] { load("<sequence/>"); });
    EXPECT_NE(e.problem().find("not a Pascal VOC file"), std::string::npos);
    // xmax 101 in a 100 wide image: outside; Clip and Skip count it.
    const std::string wide = replaced(kSample, "<xmax>100<", "<xmax>101<");
    e = errorOf([&] { importVocText(wide, "t.xml", 0, {}); });
    EXPECT_EQ(e.field(), "xmin ymin xmax ymax");
    ImportOptions o;
    o.badBoxes = BadBoxPolicy::Clip;
    EXPECT_EQ(importVocText(wide, "t.xml", 0, o).report.clipped, 1);
    o.badBoxes = BadBoxPolicy::Skip;
    EXPECT_EQ(importVocText(wide, "t.xml", 0, o).report.objects, 1);
    ImportOptions dogs;
    dogs.labels = {"dog"};
    e = errorOf([&] { importVocText(kSample, "t.xml", 0, dogs); });
    EXPECT_EQ(e.field(), "label");
    dogs.skipUnknownLabels = true;
    EXPECT_EQ(importVocText(kSample, "t.xml", 0, dogs).report.skippedLabels, 1);
    ImportOptions shortMedia;
    shortMedia.media.frameCount = 3;
    e = errorOf([&] { importVocText(kSample, "t.xml", 3, shortMedia); });
    EXPECT_EQ(e.field(), "frame");
}

}  // namespace
}  // namespace sl::annotate::formats
