// The project store: round trips of every object field, versions (upgrade with a backup, newer
// refused), foreign files refused, edits with revisions, all-or-nothing imports, a second
// connection while one writes, and real child processes killed with SIGKILL mid-import and
// mid-burst of edits (the file is checked with SQLite's own integrity_check).

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include "store/project_store.h"
#include "store/schema.h"
#include "store/sqlite_handles.h"

namespace fs = std::filesystem;
using namespace sl;
using namespace sl::store;
using annotate::AnnotationSet;
using annotate::MediaInfo;
using annotate::Object;

namespace {

class TempDir {
public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = fs::temp_directory_path() /
                ("sl_store_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempDir() { fs::remove_all(path_); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

MediaInfo demoMedia() {
    MediaInfo m;
    m.path = "/videos/street.mp4";
    m.width = 1920, m.height = 1080, m.frameCount = 9000;
    m.timeBaseNum = 1, m.timeBaseDen = 90000;
    m.fps = 29.97;
    return m;
}

// Objects whose every field differs from the defaults somewhere, ids left to the store.
std::vector<Object> variedObjects(int n) {
    std::vector<Object> out;
    for (int i = 0; i < n; ++i) {
        Object o;
        o.trackId = i % 3 == 0 ? annotate::kNoTrack : i % 7;
        o.label = i % 2 ? "car" : "person";
        o.box = {float(i), float(2 * i) + 0.25f, float(i + 40), float(2 * i + 80)};
        o.frame = i / 4;
        o.pts = i % 5 == 0 ? annotate::kNoPts : int64_t(i) * 3003;
        o.source = annotate::ObjectSource(i % 4);
        o.score = 0.5f + float(i % 10) / 20;
        o.keyframe = i % 2 == 0;
        o.outside = i % 11 == 0;
        o.occluded = i % 3 == 1;
        o.crowd = i % 13 == 0;
        o.ignored = i % 17 == 0;
        o.visibility = float(i % 9) / 8;
        o.area = i % 6 == 0 ? -1.0 : 100.5 + i;
        if (i % 4 == 1) o.attributes = {{"color", "red"}, {"plate", "AB-" + std::to_string(i)}};
        out.push_back(o);
    }
    return out;
}

AnnotationSet setOf(const std::string& name, std::vector<Object> objects) {
    AnnotationSet s;
    s.name = name;
    s.kind = annotate::SetKind::ModelRun;
    s.labels = {"person", "car"};
    s.model = "yolox-nano";
    s.parameters = R"({"threshold":0.3})";
    s.createdAtMs = 1700000000123;
    s.objects = std::move(objects);
    return s;
}

std::string integrity(const std::string& path) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    SqliteDb owner(db);
    Statement s(db, "PRAGMA integrity_check");
    Statement::Use u(s);
    return u.step() ? u.text(0) : "no answer";
}

int64_t rawVersion(const std::string& path) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    SqliteDb owner(db);
    return schemaVersionOf(db);
}

std::unique_ptr<ProjectStore> mustCreate(const std::string& path) {
    auto p = ProjectStore::create(path);
    EXPECT_TRUE(p) << p.status().message();
    return p ? std::move(*p) : nullptr;
}

}  // namespace

TEST(StoreProject, EveryFieldRoundTrips) {
    TempDir dir;
    const std::string path = dir.file("p.slproj");
    int64_t setId = 0;
    const std::vector<Object> input = variedObjects(200);
    {
        auto p = mustCreate(path);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->schemaVersion(), kSchemaVersion);
        auto media = p->addMedia(demoMedia());
        ASSERT_TRUE(media) << media.status().message();
        auto id = p->importSet(*media, setOf("run 1", input));
        ASSERT_TRUE(id) << id.status().message();
        setId = *id;
    }
    auto p = ProjectStore::open(path, /*readOnly=*/true);
    ASSERT_TRUE(p) << p.status().message();
    const std::vector<MediaInfo> media = (*p)->media();
    ASSERT_EQ(media.size(), 1u);
    MediaInfo expectMedia = demoMedia();
    expectMedia.id = media[0].id;
    EXPECT_EQ(media[0].path, expectMedia.path);
    EXPECT_EQ(media[0].width, 1920);
    EXPECT_EQ(media[0].frameCount, 9000);
    EXPECT_EQ(media[0].timeBaseDen, 90000);
    EXPECT_DOUBLE_EQ(media[0].fps, 29.97);

    auto set = (*p)->set(setId);
    ASSERT_TRUE(set);
    EXPECT_EQ(set->name, "run 1");
    EXPECT_EQ(set->kind, annotate::SetKind::ModelRun);
    EXPECT_EQ(set->labels, (std::vector<std::string>{"person", "car"}));
    EXPECT_EQ(set->model, "yolox-nano");
    EXPECT_EQ(set->parameters, R"({"threshold":0.3})");
    EXPECT_EQ(set->createdAtMs, 1700000000123);

    // Ids are 1.. in input order, revisions 1; everything else exactly as given.
    std::vector<Object> expected = input;
    for (size_t i = 0; i < expected.size(); ++i) expected[i].id = int64_t(i) + 1;
    for (Object& o : expected) o.revision = 1;
    auto objects = (*p)->objects(setId);
    ASSERT_TRUE(objects);
    ASSERT_EQ(objects->size(), expected.size());
    std::map<int64_t, Object> byId;
    for (const Object& o : *objects) byId[o.id] = o;
    for (const Object& e : expected) EXPECT_EQ(byId.at(e.id), e) << "object " << e.id;
    // Sorted by (frame, track, id).
    for (size_t i = 1; i < objects->size(); ++i) {
        const Object& a = (*objects)[i - 1];
        const Object& b = (*objects)[i];
        EXPECT_LE(std::tie(a.frame, a.trackId, a.id), std::tie(b.frame, b.trackId, b.id));
    }

    auto frame7 = (*p)->objectsInFrame(setId, 7);
    ASSERT_TRUE(frame7);
    ASSERT_EQ(frame7->size(), 4u);   // objects 28..31 (frame = i / 4)
    for (const Object& o : *frame7) EXPECT_EQ(o.frame, 7);
    auto range = (*p)->objectsInFrames(setId, 10, 12);
    ASSERT_TRUE(range);
    EXPECT_EQ(range->size(), 12u);
    auto track4 = (*p)->track(setId, 4);
    ASSERT_TRUE(track4);
    int inTrack4 = 0;
    for (const Object& o : input) inTrack4 += o.trackId == 4;
    EXPECT_EQ(int(track4->size()), inTrack4);
    EXPECT_EQ(*(*p)->objectCount(setId), 200);
}

// A frame's objects must be an index search without a sort: with an index on (set_id, frame)
// alone, SQLite preferred the track index and scanned the whole set (430 ms a frame at 1M objects).
TEST(StoreProject, FrameQueriesSearchTheFrameIndex) {
    TempDir dir;
    const std::string path = dir.file("q.slproj");
    mustCreate(path).reset();
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    SqliteDb owner(db);
    Statement s(db, "EXPLAIN QUERY PLAN SELECT * FROM objects WHERE set_id = 1 AND frame = 7 "
                    "ORDER BY track_id, id");
    Statement::Use u(s);
    std::string plan;
    while (u.step()) plan += u.text(3) + "\n";
    EXPECT_NE(plan.find("USING INDEX objects_by_frame (set_id=? AND frame=?)"), std::string::npos)
        << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
}

TEST(StoreProject, ForeignAndMissingFilesAreRefusedByName) {
    TempDir dir;
    auto missing = ProjectStore::open(dir.file("none.slproj"));
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.status().message().find("none.slproj"), std::string::npos);

    const std::string text = dir.file("text.slproj");
    std::ofstream(text) << "this is not a database, it is a text file of some length\n";
    auto notDb = ProjectStore::open(text);
    ASSERT_FALSE(notDb);
    EXPECT_NE(notDb.status().message().find("text.slproj"), std::string::npos);
    EXPECT_NE(notDb.status().message().find("not a Sightline project"), std::string::npos)
        << notDb.status().message();

    const std::string other = dir.file("other.db");
    {
        sqlite3* db = nullptr;
        sqlite3_open(other.c_str(), &db);
        SqliteDb owner(db);
        exec(db, "CREATE TABLE t(x)");
    }
    auto foreign = ProjectStore::open(other);
    ASSERT_FALSE(foreign);
    EXPECT_NE(foreign.status().message().find("another application"), std::string::npos)
        << foreign.status().message();

    ASSERT_TRUE(mustCreate(dir.file("p.slproj")));
    auto again = ProjectStore::create(dir.file("p.slproj"));
    ASSERT_FALSE(again);
    EXPECT_NE(again.status().message().find("exists"), std::string::npos);
}

TEST(StoreProject, NewerSchemaIsRefused) {
    TempDir dir;
    const std::string path = dir.file("new.slproj");
    mustCreate(path).reset();
    {
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        SqliteDb owner(db);
        exec(db, "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
    }
    auto p = ProjectStore::open(path);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.status().code(), StatusCode::Unsupported);
    EXPECT_NE(p.status().message().find("newer"), std::string::npos) << p.status().message();
    EXPECT_EQ(rawVersion(path), kSchemaVersion + 1);   // untouched
}

TEST(StoreProject, OlderSchemaIsUpgradedAfterABackup) {
    TempDir dir;
    const std::string path = dir.file("old.slproj");
    {
        // A version-1 file as the first schema made it, with one media, one set, one object.
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        SqliteDb owner(db);
        migrate(db, 0, 1);
        exec(db, "INSERT INTO media(id, path, width, height) VALUES(1, 'a.mp4', 640, 480);"
                 "INSERT INTO sets(id, media_id, name, kind) VALUES(1, 1, 'gt', 'ground-truth');"
                 "INSERT INTO objects VALUES(1, 1, 5, 'car', 1, 2, 3, 4, 9, NULL, 0, 1.0, 1, 1.0,"
                 " -1, NULL, 1)");
    }
    ASSERT_EQ(rawVersion(path), 1);
    auto ro = ProjectStore::open(path, /*readOnly=*/true);
    ASSERT_FALSE(ro);
    EXPECT_NE(ro.status().message().find("upgraded"), std::string::npos) << ro.status().message();

    auto p = ProjectStore::open(path);
    ASSERT_TRUE(p) << p.status().message();
    EXPECT_EQ((*p)->schemaVersion(), kSchemaVersion);
    EXPECT_EQ((*p)->backupPath(), path + ".v1.bak");
    ASSERT_TRUE(fs::exists(path + ".v1.bak"));
    EXPECT_EQ(rawVersion(path + ".v1.bak"), 1);
    auto objects = (*p)->objects(1);
    ASSERT_TRUE(objects);
    ASSERT_EQ(objects->size(), 1u);
    EXPECT_EQ((*objects)[0].trackId, 5);
    EXPECT_EQ((*objects)[0].frame, 9);
    EXPECT_EQ((*objects)[0].box.x2, 3.0f);
    auto track = (*p)->track(1, 5);   // the version-2 index's query
    ASSERT_TRUE(track);
    EXPECT_EQ(track->size(), 1u);
    EXPECT_EQ(integrity(path), "ok");
    EXPECT_EQ(integrity(path + ".v1.bak"), "ok");
}

TEST(StoreProject, EditsCarryRevisionsAndApplyAllOrNothing) {
    TempDir dir;
    auto p = mustCreate(dir.file("e.slproj"));
    ASSERT_TRUE(p);
    const int64_t media = *p->addMedia(demoMedia());
    const int64_t set = *p->importSet(media, setOf("gt", variedObjects(10)));

    Object fresh;
    fresh.label = "car";
    fresh.box = {1, 2, 30, 40};
    fresh.frame = 3;
    auto added = p->addObject(set, fresh);
    ASSERT_TRUE(added) << added.status().message();
    EXPECT_EQ(added->id, 11);
    EXPECT_EQ(added->revision, 1);

    Object moved = *added;
    moved.box = {5, 6, 35, 46};
    auto updated = p->updateObject(set, moved);
    ASSERT_TRUE(updated) << updated.status().message();
    EXPECT_EQ(updated->revision, 2);
    // An edit made on revision 1 after revision 2 exists: refused, the stored box stays.
    moved.box = {0, 0, 1, 1};
    auto stale = p->updateObject(set, moved);
    ASSERT_FALSE(stale);
    EXPECT_NE(stale.status().message().find("changed by another edit"), std::string::npos);
    auto frame3 = *p->objectsInFrame(set, 3);
    auto it = std::find_if(frame3.begin(), frame3.end(), [](const Object& o) { return o.id == 11; });
    ASSERT_NE(it, frame3.end());
    EXPECT_EQ(it->box.x1, 5.0f);

    // Two edits, the second invalid: neither applies.
    Object second = *updated;
    second.box = {9, 9, 19, 19};
    Object ghost;
    ghost.id = 999;
    auto batch = p->applyEdits(set, {{Edit::Kind::Update, second}, {Edit::Kind::Remove, ghost}});
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.status().code(), StatusCode::NotFound);
    frame3 = *p->objectsInFrame(set, 3);
    it = std::find_if(frame3.begin(), frame3.end(), [](const Object& o) { return o.id == 11; });
    ASSERT_NE(it, frame3.end());
    EXPECT_EQ(it->box.x1, 5.0f);
    EXPECT_EQ(it->revision, 2);

    ASSERT_TRUE(p->removeObject(set, 11));
    EXPECT_EQ(*p->objectCount(set), 10);
    EXPECT_FALSE(p->removeObject(set, 11));
}

TEST(StoreProject, ImportsAreAllOrNothing) {
    TempDir dir;
    auto p = mustCreate(dir.file("i.slproj"));
    ASSERT_TRUE(p);
    const int64_t media = *p->addMedia(demoMedia());
    std::vector<Object> dup = variedObjects(5);
    dup[1].id = 7, dup[3].id = 7;
    auto bad = p->importSet(media, setOf("dup", dup));
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.status().message().find("object id 7 appears twice"), std::string::npos);
    EXPECT_TRUE(p->sets(media).empty());

    // Cancelled half-way through 50,000 objects: no set, no objects.
    int calls = 0;
    auto cancelled = p->importSet(media, setOf("big", variedObjects(50000)),
                                  [&](int64_t done, int64_t) { return ++calls < 2 && done > 0; });
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.status().code(), StatusCode::Cancelled);
    EXPECT_TRUE(p->sets(media).empty());

    ASSERT_TRUE(p->importSet(media, setOf("gt", variedObjects(3))));
    auto twice = p->importSet(media, setOf("gt", variedObjects(3)));
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.status().message().find("a set named 'gt'"), std::string::npos);
    EXPECT_EQ(p->sets(media).size(), 1u);
    auto none = p->importSet(media + 100, setOf("x", variedObjects(3)));
    ASSERT_FALSE(none);
    EXPECT_EQ(none.status().code(), StatusCode::NotFound);
}

TEST(StoreProject, ReadersWorkWhileAnotherProcessWrites) {
    TempDir dir;
    const std::string path = dir.file("c.slproj");
    int64_t set = 0;
    {
        auto p = mustCreate(path);
        ASSERT_TRUE(p);
        set = *p->importSet(*p->addMedia(demoMedia()), setOf("gt", variedObjects(20)));
    }
    auto reader = ProjectStore::open(path, OpenOptions{false, 200});
    ASSERT_TRUE(reader) << reader.status().message();
    // Another connection holds the write lock with an uncommitted insert.
    sqlite3* raw = nullptr;
    sqlite3_open(path.c_str(), &raw);
    SqliteDb writer(raw);
    sqlite3_busy_timeout(raw, 200);
    exec(raw, "BEGIN IMMEDIATE");
    exec(raw, "INSERT INTO objects SELECT set_id, id + 1000, track_id, label, x1, y1, x2, y2, "
              "frame, pts, source, score, flags, visibility, area, attributes, revision, "
              "origin_set, origin_id, origin_track FROM objects");
    // Reads go on (the last committed state); a write waits the busy timeout, then says so.
    auto objects = (*reader)->objects(set);
    ASSERT_TRUE(objects) << objects.status().message();
    EXPECT_EQ(objects->size(), 20u);
    Object o;
    o.label = "car";
    o.box = {1, 1, 2, 2};
    auto blocked = (*reader)->addObject(set, o);
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.status().code(), StatusCode::Unavailable);
    EXPECT_NE(blocked.status().message().find("busy"), std::string::npos);
    exec(raw, "COMMIT");
    EXPECT_EQ(*(*reader)->objectCount(set), 40);
    EXPECT_TRUE((*reader)->addObject(set, o));
}

namespace {

// Runs BODY in a forked child that reports to the parent through a pipe; the parent reads until
// UNTIL says stop, then kills the child with SIGKILL. Returns what the child wrote.
std::string runAndKill(const std::function<void(int fd)>& body,
                       const std::function<bool(const std::string&)>& until) {
    int fds[2];
    if (::pipe(fds) != 0) return "";
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fds[0]);
        body(fds[1]);
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string got;
    char buf[256];
    while (!until(got)) {
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, size_t(n));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    return got;
}

void say(int fd, const std::string& s) { (void)!::write(fd, s.data(), s.size()); }

}  // namespace

TEST(StoreProject, KilledMidImportLeavesNothingHalfImported) {
    TempDir dir;
    const std::string path = dir.file("k.slproj");
    int64_t media = 0;
    {
        auto p = mustCreate(path);
        ASSERT_TRUE(p);
        media = *p->addMedia(demoMedia());
    }
    // The child reports progress from inside the import's transaction, then slows down so the
    // kill lands while the transaction is open (rows written, no commit).
    const std::string got = runAndKill(
        [&](int fd) {
            auto p = ProjectStore::open(path);
            if (!p) return say(fd, "open failed");
            (void)(*p)->importSet(media, setOf("big", variedObjects(200000)),
                                  [&](int64_t done, int64_t) {
                                      say(fd, "P" + std::to_string(done) + ";");
                                      ::usleep(20000);
                                      return true;
                                  });
            say(fd, "committed;");
        },
        [](const std::string& s) { return s.find("P30000;") != std::string::npos; });
    ASSERT_NE(got.find("P30000;"), std::string::npos) << got;
    EXPECT_EQ(got.find("committed"), std::string::npos);
    EXPECT_EQ(integrity(path), "ok");
    auto p = ProjectStore::open(path);
    ASSERT_TRUE(p) << p.status().message();
    EXPECT_TRUE((*p)->sets(media).empty());
    // And a child killed right after its import returned keeps all of it.
    const std::string done = runAndKill(
        [&](int fd) {
            auto q = ProjectStore::open(path);
            if (!q) return say(fd, "open failed;");
            auto id = (*q)->importSet(media, setOf("small", variedObjects(30000)));
            say(fd, id ? "committed " + std::to_string(*id) + ";" : id.status().message());
            ::pause();
        },
        [](const std::string& s) { return s.find(';') != std::string::npos; });
    ASSERT_EQ(done.rfind("committed ", 0), 0u) << done;
    const int64_t set = std::stoll(done.substr(10));
    EXPECT_EQ(*(*p)->objectCount(set), 30000);
    EXPECT_EQ(integrity(path), "ok");
}

TEST(StoreProject, KilledMidBurstOfEditsKeepsEveryCommittedEdit) {
    TempDir dir;
    const std::string path = dir.file("b.slproj");
    int64_t set = 0;
    {
        auto p = mustCreate(path);
        ASSERT_TRUE(p);
        set = *p->importSet(*p->addMedia(demoMedia()), setOf("gt", {}));
    }
    // The child adds objects as fast as it can, each its own transaction, and reports each id
    // once addObject returned; the parent kills it after 300 reports, mid-burst.
    const std::string got = runAndKill(
        [&](int fd) {
            auto p = ProjectStore::open(path);
            if (!p) return say(fd, "open failed;");
            for (int i = 0; i < 100000; ++i) {
                Object o;
                o.label = "car";
                o.frame = i;
                o.box = {float(i), 0, float(i) + 10, 10};
                auto stored = (*p)->addObject(set, o);
                if (!stored) return say(fd, stored.status().message());
                say(fd, std::to_string(stored->id) + ";");
            }
        },
        [](const std::string& s) { return std::count(s.begin(), s.end(), ';') >= 300; });
    std::vector<int64_t> acked;
    size_t start = 0;
    for (size_t semi; (semi = got.find(';', start)) != std::string::npos; start = semi + 1)
        acked.push_back(std::stoll(got.substr(start, semi - start)));
    ASSERT_GE(acked.size(), 300u) << got.substr(0, 200);
    EXPECT_EQ(integrity(path), "ok");
    auto p = ProjectStore::open(path);
    ASSERT_TRUE(p) << p.status().message();
    auto objects = (*p)->objects(set);
    ASSERT_TRUE(objects);
    std::map<int64_t, Object> byId;
    for (const Object& o : *objects) byId[o.id] = o;
    for (int64_t id : acked) {
        ASSERT_TRUE(byId.count(id)) << "acknowledged edit " << id << " lost";
        EXPECT_EQ(byId[id].box.x1, float(id - 1));   // the i-th add got id i + 1
    }
    // Beyond the acknowledged ones, whole edits only: ids stay contiguous from 1.
    for (size_t i = 0; i < objects->size(); ++i) EXPECT_EQ((*objects)[i].id, int64_t(i) + 1);
    EXPECT_LE(objects->size(), acked.size() + 2);
}
