// The project as files: relinking media that moved (found by name in a folder, the rest reported
// missing, one transaction), `sightline project relink`, and saveCopy (VACUUM INTO) giving a
// project equal to the original field by field.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <sstream>

#include "annotate_print.h"
#include "store/project_relink.h"
#include "store/project_store.h"

namespace sl::cli {
int runProject(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}

namespace fs = std::filesystem;
using namespace sl;
using namespace sl::store;
using annotate::AnnotationSet;
using annotate::MediaInfo;
using annotate::Object;

namespace {

class Dir {
public:
    Dir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() /
                ("sl_files_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~Dir() { fs::remove_all(path_); }
    fs::path operator/(const std::string& name) const { return path_ / name; }

private:
    fs::path path_;
};

void touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "not really a video";
}

MediaInfo mediaAt(const fs::path& p) {
    MediaInfo m;
    m.path = p.string();
    m.width = 640, m.height = 480, m.frameCount = 100, m.fps = 25;
    m.timeBaseNum = 1, m.timeBaseDen = 12800;
    return m;
}

std::vector<Object> objects(int n, int seed) {
    std::vector<Object> out;
    for (int i = 0; i < n; ++i) {
        Object o;
        o.trackId = i % 3 == 0 ? annotate::kNoTrack : (i + seed) % 5;
        o.label = (i + seed) % 2 ? "car" : "person";
        o.box = {float(i) + 0.5f, float(seed), float(i + 30), float(seed + 40) + 0.125f};
        o.frame = i;
        o.pts = i % 4 == 0 ? annotate::kNoPts : i * 512;
        o.source = annotate::ObjectSource(i % 4);
        o.score = 0.25f + float(i % 7) / 10;
        o.keyframe = i % 2 == 0;
        o.occluded = i % 3 == 1;
        o.visibility = float(i % 5) / 4;
        o.area = i % 6 == 0 ? -1.0 : 10.5 + i;
        if (i % 4 == 1) o.attributes = {{"colour", "red"}};
        out.push_back(o);
    }
    return out;
}

AnnotationSet setOf(const std::string& name, annotate::SetKind kind, std::vector<Object> objs) {
    AnnotationSet s;
    s.name = name;
    s.kind = kind;
    s.labels = {"person", "car"};
    s.model = kind == annotate::SetKind::ModelRun ? "yolox" : "";
    s.parameters = R"({"conf":0.3})";
    s.createdAtMs = 1700000000000 + int64_t(name.size());
    s.objects = std::move(objs);
    return s;
}

}  // namespace

TEST(StoreProjectFiles, RelinkFindsMovedMediaAndReportsMissing) {
    Dir dir;
    const std::string path = (dir / "p.slproj").string();
    std::vector<int64_t> ids;
    {
        auto p = ProjectStore::create(path);
        ASSERT_TRUE(p) << p.status().message();
        for (const char* name : {"a.mp4", "b.mp4", "c.mp4"}) {
            touch(dir / "old" / name);
            auto id = (*p)->addMedia(mediaAt(dir / "old" / name));
            ASSERT_TRUE(id) << id.status().message();
            ids.push_back(*id);
        }
        // d moved too, but its new path is already another media's: it stays missing.
        touch(dir / "old" / "d.mp4");
        ASSERT_TRUE((*p)->addMedia(mediaAt(dir / "old" / "d.mp4")));
        ASSERT_TRUE((*p)->addMedia(mediaAt(dir / "new" / "d.mp4")));
        MediaInfo stream = mediaAt("/x");
        stream.path = "rtsp://camera.local/stream";   // a URL is never "missing"
        ASSERT_TRUE((*p)->addMedia(stream));
    }
    // a and c moved to new/, b is gone.
    touch(dir / "new" / "a.mp4");
    touch(dir / "new" / "c.mp4");
    touch(dir / "new" / "unrelated.mp4");
    touch(dir / "new" / "d.mp4");
    fs::remove_all(dir / "old");

    auto p = ProjectStore::open(path);
    ASSERT_TRUE(p);
    EXPECT_EQ(missingMedia(**p).size(), 4u);
    auto notAFolder = relinkMediaFromFolder(**p, (dir / "new" / "a.mp4").string());
    ASSERT_FALSE(notAFolder);
    EXPECT_NE(notAFolder.status().message().find("a.mp4' is not a folder"), std::string::npos);

    auto r = relinkMediaFromFolder(**p, (dir / "new").string());
    ASSERT_TRUE(r) << r.status().message();
    ASSERT_EQ(r->relinked.size(), 2u);
    ASSERT_EQ(r->missing.size(), 2u);
    EXPECT_EQ(r->missing[0].id, ids[1]);
    EXPECT_EQ(r->missing[0].path, (dir / "old" / "b.mp4").string());
    EXPECT_EQ(r->missing[1].path, (dir / "old" / "d.mp4").string());

    // Read back from a fresh connection: exactly a and c changed.
    auto q = ProjectStore::open(path, /*readOnly=*/true);
    ASSERT_TRUE(q);
    std::map<int64_t, std::string> stored;
    for (const MediaInfo& m : (*q)->media()) stored[m.id] = m.path;
    EXPECT_EQ(stored[ids[0]], (dir / "new" / "a.mp4").string());
    EXPECT_EQ(stored[ids[1]], (dir / "old" / "b.mp4").string());
    EXPECT_EQ(stored[ids[2]], (dir / "new" / "c.mp4").string());
    EXPECT_EQ(missingMedia(**q).size(), 2u);

    // An unknown id refuses the whole batch: a's path stays.
    Status st = (*p)->relinkMedia({{ids[0], "/elsewhere/a.mp4"}, {9999, "/x.mp4"}});
    EXPECT_FALSE(st);
    EXPECT_EQ((*p)->mediaById(ids[0])->path, (dir / "new" / "a.mp4").string());
}

TEST(StoreProjectFiles, RelinkVerb) {
    Dir dir;
    const std::string path = (dir / "p.slproj").string();
    touch(dir / "old" / "a.mp4");
    touch(dir / "old" / "b.mp4");
    {
        auto p = ProjectStore::create(path);
        ASSERT_TRUE(p);
        ASSERT_TRUE((*p)->addMedia(mediaAt(dir / "old" / "a.mp4")));
        ASSERT_TRUE((*p)->addMedia(mediaAt(dir / "old" / "b.mp4")));
    }
    touch(dir / "new" / "a.mp4");
    fs::remove_all(dir / "old");
    std::vector<std::string> args = {"relink", path, (dir / "new").string()};
    std::ostringstream out, err;
    const int rc = sl::cli::runProject(args, out, err);
    EXPECT_EQ(rc, 1) << "a media still missing is a failure";
    EXPECT_NE(out.str().find("1 relinked, 1 still missing"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("still missing media 2: " + (dir / "old" / "b.mp4").string()),
              std::string::npos)
        << out.str();
    auto p = ProjectStore::open(path, true);
    ASSERT_TRUE(p);
    EXPECT_EQ((*p)->mediaById(1)->path, (dir / "new" / "a.mp4").string());
}

TEST(StoreProjectFiles, SaveCopyEqualsTheOriginalFieldByField) {
    Dir dir;
    const std::string path = (dir / "p.slproj").string();
    const std::string copyPath = (dir / "copy.slproj").string();
    auto p = ProjectStore::create(path);
    ASSERT_TRUE(p);
    auto m1 = (*p)->addMedia(mediaAt("/v/one.mp4"));
    auto m2 = (*p)->addMedia(mediaAt("/v/two.mp4"));
    ASSERT_TRUE(m1 && m2);
    ASSERT_TRUE((*p)->setScene(*m1, R"({"version":1,"zones":[]})"));
    ASSERT_TRUE((*p)->importSet(*m1, setOf("gt", annotate::SetKind::GroundTruth, objects(50, 1))));
    auto run = (*p)->importSet(*m1, setOf("run", annotate::SetKind::ModelRun, objects(80, 2)));
    ASSERT_TRUE(run);
    ASSERT_TRUE((*p)->importSet(*m2, setOf("rev", annotate::SetKind::Reviewed, objects(20, 3))));
    // An edit with history, so revisions and the undo history are not all at their start.
    auto first = (*p)->objects(*run);
    ASSERT_TRUE(first);
    Object moved = first->front();
    moved.box.x1 += 3;
    ASSERT_TRUE((*p)->updateObject(*run, moved));

    ASSERT_TRUE((*p)->saveCopy(copyPath));
    EXPECT_FALSE(fs::exists(copyPath + ".part"));
    Status again = (*p)->saveCopy(copyPath);
    EXPECT_FALSE(again) << "an existing file is never overwritten";

    auto c = ProjectStore::open(copyPath, /*readOnly=*/true);
    ASSERT_TRUE(c) << c.status().message();
    const std::vector<MediaInfo> a = (*p)->media(), b = (*c)->media();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].id, b[i].id);
        EXPECT_EQ(a[i].path, b[i].path);
        EXPECT_EQ(a[i].width, b[i].width);
        EXPECT_EQ(a[i].height, b[i].height);
        EXPECT_EQ(a[i].frameCount, b[i].frameCount);
        EXPECT_EQ(a[i].fps, b[i].fps);
        EXPECT_EQ(a[i].timeBaseDen, b[i].timeBaseDen);
        EXPECT_EQ(*(*p)->scene(a[i].id), *(*c)->scene(b[i].id));
        const auto sa = (*p)->sets(a[i].id), sb = (*c)->sets(b[i].id);
        ASSERT_EQ(sa.size(), sb.size());
        for (size_t k = 0; k < sa.size(); ++k) {
            EXPECT_EQ(sa[k].id, sb[k].id);
            EXPECT_EQ(sa[k].name, sb[k].name);
            EXPECT_EQ(sa[k].kind, sb[k].kind);
            EXPECT_EQ(sa[k].labels, sb[k].labels);
            EXPECT_EQ(sa[k].model, sb[k].model);
            EXPECT_EQ(sa[k].parameters, sb[k].parameters);
            EXPECT_EQ(sa[k].createdAtMs, sb[k].createdAtMs);
            auto oa = (*p)->objects(sa[k].id), ob = (*c)->objects(sb[k].id);
            ASSERT_TRUE(oa && ob);
            ASSERT_EQ(oa->size(), ob->size());
            for (size_t j = 0; j < oa->size(); ++j) EXPECT_EQ((*oa)[j], (*ob)[j]) << j;
        }
    }
    // The edit's revision came along (revision is part of Object's ==, checked above too).
    EXPECT_EQ((*c)->object(*run, moved.id)->revision, 2);
    EXPECT_EQ((*c)->history()->size(), (*p)->history()->size());
}
