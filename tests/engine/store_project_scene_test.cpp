// The project store's media additions of schema 3: frame 0's pts and the media's scene (zones and
// lines kept verbatim), findOrAddMedia, and the upgrade of a version-2 file that has neither.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "store/project_store.h"
#include "store/schema.h"
#include "store/sqlite_handles.h"

namespace fs = std::filesystem;
using namespace sl;
using namespace sl::store;

namespace {

std::string scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("sl_scene_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path p = dir / name;
    fs::remove(p);
    fs::remove(p.string() + ".v2.bak");
    return p.string();
}

annotate::MediaInfo clip(const std::string& path) {
    annotate::MediaInfo m;
    m.path = path;
    m.width = 320, m.height = 240, m.frameCount = 60;
    m.timeBaseNum = 1, m.timeBaseDen = 12800;
    m.startPts = 1024;
    m.fps = 25;
    return m;
}

}  // namespace

TEST(StoreProjectScene, StartPtsAndSceneRoundTrip) {
    const std::string path = scratch("round.slproj");
    {
        auto p = ProjectStore::create(path);
        ASSERT_TRUE(p) << p.status().message();
        auto id = (*p)->addMedia(clip("/v/a.mp4"));
        ASSERT_TRUE(id);
        auto empty = (*p)->scene(*id);
        ASSERT_TRUE(empty);
        EXPECT_EQ(*empty, "");   // no scene until one is saved
        const std::string json = R"({"version":1,"zones":[{"name":"door"}]})";
        ASSERT_TRUE((*p)->setScene(*id, json));
    }
    auto p = ProjectStore::open(path, /*readOnly=*/true);
    ASSERT_TRUE(p) << p.status().message();
    auto media = (*p)->media();
    ASSERT_EQ(media.size(), 1u);
    EXPECT_EQ(media[0].startPts, 1024);
    EXPECT_EQ(media[0].timeBaseDen, 12800);
    auto scene = (*p)->scene(media[0].id);
    ASSERT_TRUE(scene);
    // Kept byte for byte: the store does not parse or reformat it.
    EXPECT_EQ(*scene, R"({"version":1,"zones":[{"name":"door"}]})");
}

TEST(StoreProjectScene, FindOrAddMediaAddsOnceByPath) {
    const std::string path = scratch("find.slproj");
    auto p = ProjectStore::create(path);
    ASSERT_TRUE(p);
    auto a = (*p)->findOrAddMedia(clip("/v/a.mp4"));
    auto b = (*p)->findOrAddMedia(clip("/v/b.mp4"));
    auto again = (*p)->findOrAddMedia(clip("/v/a.mp4"));
    ASSERT_TRUE(a && b && again);
    EXPECT_NE(*a, *b);
    EXPECT_EQ(*again, *a);
    EXPECT_EQ((*p)->media().size(), 2u);
}

TEST(StoreProjectScene, UnknownMediaIsRefusedByName) {
    const std::string path = scratch("unknown.slproj");
    auto p = ProjectStore::create(path);
    ASSERT_TRUE(p);
    const Status st = (*p)->setScene(42, "{}");
    ASSERT_FALSE(st);
    EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("42"), std::string::npos) << st.message();
    auto scene = (*p)->scene(42);
    ASSERT_FALSE(scene);
    EXPECT_EQ(scene.status().code(), StatusCode::NotFound);
}

TEST(StoreProjectScene, VersionTwoFileGainsTheColumnsAndKeepsItsMedia) {
    const std::string path = scratch("v2.slproj");
    {
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        SqliteDb owner(db);
        migrate(db, 0, 2);
        exec(db, "INSERT INTO media(id, path, width, height, tb_num, tb_den) "
                 "VALUES(7, '/v/old.mp4', 640, 480, 1, 90000)");
    }
    auto p = ProjectStore::open(path);
    ASSERT_TRUE(p) << p.status().message();
    EXPECT_EQ((*p)->schemaVersion(), kSchemaVersion);
    EXPECT_EQ((*p)->backupPath(), path + ".v2.bak");
    auto m = (*p)->mediaById(7);
    ASSERT_TRUE(m) << m.status().message();
    EXPECT_EQ(m->path, "/v/old.mp4");
    EXPECT_EQ(m->startPts, 0);   // the default: older files counted from pts 0
    auto scene = (*p)->scene(7);
    ASSERT_TRUE(scene);
    EXPECT_EQ(*scene, "");
    ASSERT_TRUE((*p)->setScene(7, "{\"version\":1}"));
    auto id = (*p)->findOrAddMedia(clip("/v/old.mp4"));
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, 7);
}
