#include "store/project_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "store/project_statements.h"
#include "store/schema.h"

namespace sl::store {

namespace fs = std::filesystem;
using annotate::AnnotationSet;
using annotate::MediaInfo;
using annotate::Object;

namespace {

// Bits of objects.flags.
constexpr int64_t kKeyframe = 1, kOutside = 2, kOccluded = 4, kCrowd = 8, kIgnored = 16;

constexpr int kProgressEvery = 10000;

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string labelsJson(const std::vector<std::string>& labels) {
    return nlohmann::json(labels).dump();
}

std::vector<std::string> parseLabels(const std::string& text) {
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    std::vector<std::string> out;
    if (j.is_array())
        for (const auto& v : j)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

std::string attributesJson(const std::map<std::string, std::string>& a) {
    return nlohmann::json(a).dump();
}

std::map<std::string, std::string> parseAttributes(const std::string& text) {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    std::map<std::string, std::string> out;
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it)
            if (it->is_string()) out[it.key()] = it->get<std::string>();
    return out;
}

// Parameters ?2 .. ?20 of the insert and the update statements: the same order in both; ID and
// REVISION replace the object's (an import assigns them without copying the object).
void bindObject(Statement::Use& u, const Object& o, int64_t id, int64_t revision) {
    u.bind(2, id).bind(3, o.trackId).bindStatic(4, o.label);
    u.bind(5, double(o.box.x1)).bind(6, double(o.box.y1)).bind(7, double(o.box.x2));
    u.bind(8, double(o.box.y2)).bind(9, o.frame);
    if (o.pts == annotate::kNoPts)
        u.bindNull(10);
    else
        u.bind(10, o.pts);
    u.bind(11, int64_t(o.source)).bind(12, double(o.score));
    const int64_t flags = (o.keyframe ? kKeyframe : 0) | (o.outside ? kOutside : 0) |
                          (o.occluded ? kOccluded : 0) | (o.crowd ? kCrowd : 0) |
                          (o.ignored ? kIgnored : 0);
    u.bind(13, flags).bind(14, double(o.visibility)).bind(15, o.area);
    if (o.attributes.empty())
        u.bindNull(16);
    else
        u.bind(16, attributesJson(o.attributes));
    u.bind(17, revision);
    u.bind(18, o.origin.setId).bind(19, o.origin.objectId).bind(20, o.origin.trackId);
}

// The columns every object query reads, in readObjects' order.
constexpr const char* kObjectColumns =
    "id, track_id, label, x1, y1, x2, y2, frame, pts, source, score, flags, visibility, area, "
    "attributes, revision, origin_set, origin_id, origin_track";

std::string objectQuery(const std::string& where) {
    return std::string("SELECT ") + kObjectColumns + " FROM objects WHERE " + where;
}

}  // namespace


ProjectStore::ProjectStore(std::string path, SqliteDb db, bool readOnly)
    : path_(std::move(path)), db_(std::move(db)), readOnly_(readOnly) {}

ProjectStore::~ProjectStore() = default;

Status ProjectStore::fail(const SqliteError& e, const std::string& what) const {
    const int primary = e.code & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        return Status(StatusCode::Unavailable,
                      "store: project '" + path_ + "' is busy (another process is writing it): " +
                          what + ": " + e.message);
    if (primary == SQLITE_READONLY)
        return Status(StatusCode::InvalidArgument,
                      "store: project '" + path_ + "' is open read-only: " + what);
    if (primary == SQLITE_CONSTRAINT)
        return Status(StatusCode::InvalidArgument,
                      "store: project '" + path_ + "': " + what + ": " + e.message);
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
        return Status(StatusCode::Io, "store: project '" + path_ + "': " + what + ": " + e.message);
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        return Status(StatusCode::InvalidData,
                      "store: project '" + path_ + "' is damaged: " + what + ": " + e.message);
    return Status(StatusCode::Internal, "store: project '" + path_ + "': " + what + ": " +
                                            e.message);
}

namespace {

Expected<SqliteDb> openDb(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    SqliteDb db(raw);
    if (rc != SQLITE_OK)
        return Status(StatusCode::Io, "store: cannot open project '" + path + "': " +
                                          (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    sqlite3_extended_result_codes(raw, 1);
    return db;
}

void configure(sqlite3* db, int busyTimeoutMs, bool readOnly) {
    sqlite3_busy_timeout(db, busyTimeoutMs);
    // FULL: a committed edit survives a power cut too, not only a killed process; imports are one
    // transaction, so the extra sync per commit costs nothing there.
    if (!readOnly) exec(db, "PRAGMA journal_mode = WAL");
    exec(db, "PRAGMA synchronous = FULL");
    exec(db, "PRAGMA foreign_keys = ON");
    // 64 MiB of page cache (the default is 2 MiB): an import writes three B-trees (the objects, the
    // frame and the track index) and the track index is written in random order; with the small
    // cache a million-object import took 3.1x the time of a bare INSERT into an unindexed table,
    // with this one 2.8x (bench_store).
    exec(db, "PRAGMA cache_size = -65536");
}

int64_t pragmaInt(sqlite3* db, const char* pragma) {
    Statement s(db, std::string("PRAGMA ") + pragma);
    Statement::Use u(s);
    return u.step() ? u.i64(0) : 0;
}

}  // namespace

void ProjectStore::prepare() {
    sqlite3* db = db_.get();
    st_ = std::make_unique<Statements>();
    st_->insertObject = Statement(
        db, "INSERT INTO objects(set_id, id, track_id, label, x1, y1, x2, y2, frame, pts, source, "
            "score, flags, visibility, area, attributes, revision, origin_set, origin_id, "
            "origin_track) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
            "?15, ?16, ?17, ?18, ?19, ?20)");
    st_->objectsOfSet = Statement(db, objectQuery("set_id = ?1 ORDER BY frame, track_id, id"));
    st_->objectsInFrame = Statement(db, objectQuery("set_id = ?1 AND frame = ?2 ORDER BY track_id, id"));
    st_->objectsInFrames = Statement(
        db, objectQuery("set_id = ?1 AND frame BETWEEN ?2 AND ?3 ORDER BY frame, track_id, id"));
    st_->track = Statement(db, objectQuery("set_id = ?1 AND track_id = ?2 ORDER BY frame, id"));
    // Index seeks on objects_by_frame and objects_by_track (schema steps 1 and 2), named: with
    // ORDER BY id the planner would rather walk the set's primary key, a scan of the set.
    const auto by = [](const char* index, const std::string& where) {
        return std::string("SELECT ") + kObjectColumns + " FROM objects INDEXED BY " + index +
               " WHERE " + where;
    };
    st_->objectsPage = Statement(
        db, by("objects_by_frame", "set_id = ?1 AND (frame, track_id, id) > (?2, ?3, ?4) "
                                   "ORDER BY frame, track_id, id LIMIT ?5"));
    // The frame's lone boxes, a track id after another and one track's keyframes on either side
    // of a frame.
    st_->loneInFrame = Statement(
        db, by("objects_by_frame", "set_id = ?1 AND frame = ?2 AND track_id = -1 ORDER BY id"));
    st_->nextTrack = Statement(
        db, "SELECT MIN(track_id) FROM objects INDEXED BY objects_by_track "
            "WHERE set_id = ?1 AND track_id > ?2");
    st_->keyAtOrBefore = Statement(
        db, by("objects_by_track", "set_id = ?1 AND track_id = ?2 AND frame <= ?3 AND "
                                   "(flags & 1) != 0 ORDER BY frame DESC, id DESC"));
    st_->keyAfter = Statement(
        db, by("objects_by_track", "set_id = ?1 AND track_id = ?2 AND frame > ?3 AND "
                                   "(flags & 1) != 0 ORDER BY frame, id"));
    st_->count = Statement(db, "SELECT COUNT(*) FROM objects WHERE set_id = ?1");
    st_->maxId = Statement(db, "SELECT COALESCE(MAX(id), 0) FROM objects WHERE set_id = ?1");
    st_->revisionOf = Statement(db, "SELECT revision FROM objects WHERE set_id = ?1 AND id = ?2");
    st_->objectById = Statement(db, objectQuery("set_id = ?1 AND id = ?2"));
    st_->maxTrack = Statement(db, "SELECT COALESCE(MAX(track_id), -1) FROM objects WHERE set_id = ?1");
    st_->updateObject = Statement(
        db, "UPDATE objects SET track_id = ?3, label = ?4, x1 = ?5, y1 = ?6, x2 = ?7, y2 = ?8, "
            "frame = ?9, pts = ?10, source = ?11, score = ?12, flags = ?13, visibility = ?14, "
            "area = ?15, attributes = ?16, revision = ?17, origin_set = ?18, origin_id = ?19, "
            "origin_track = ?20 WHERE set_id = ?1 AND id = ?2");
    st_->removeObject = Statement(db, "DELETE FROM objects WHERE set_id = ?1 AND id = ?2");
    st_->touchSet = Statement(db, "UPDATE sets SET updated_at_ms = ?2 WHERE id = ?1");
    const char* setColumns =
        "SELECT id, name, kind, labels, model, parameters, created_at_ms FROM sets ";
    st_->setById = Statement(db, std::string(setColumns) + "WHERE id = ?1");
    st_->setsOfMedia = Statement(db, std::string(setColumns) + "WHERE media_id = ?1 ORDER BY id");
    prepareReview();
}

Expected<std::unique_ptr<ProjectStore>> ProjectStore::create(const std::string& path) {
    std::error_code ec;
    if (fs::exists(path, ec))
        return Status(StatusCode::InvalidArgument,
                      "store: cannot create project '" + path + "': the file exists");
    // Built under a temporary name and renamed into place: a create killed half-way leaves no
    // file that looks like a project.
    const std::string tmp = path + ".creating-" + std::to_string(::getpid());
    {
        auto db = openDb(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        if (!db) return db.status();
        try {
            configure(db->get(), 5000, false);
            migrate(db->get(), 0);
            exec(db->get(), "INSERT INTO meta(key, value) VALUES('created_by', 'sightline " +
                                std::string(SL_VERSION) + "'), ('created_at_ms', '" +
                                std::to_string(nowMs()) + "')");
        } catch (const SqliteError& e) {
            db->reset();
            fs::remove(tmp, ec);
            return Status(StatusCode::Io,
                          "store: cannot create project '" + path + "': " + e.message);
        }
    }   // closing checkpoints the WAL into the file and removes it
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return Status(StatusCode::Io, "store: cannot create project '" + path + "': " +
                                          ec.message());
    }
    return open(path);
}

Expected<std::unique_ptr<ProjectStore>> ProjectStore::open(const std::string& path,
                                                           OpenOptions options) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        return Status(StatusCode::NotFound, "store: no project '" + path + "'");
    auto db = openDb(path, options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
    if (!db) return db.status();
    std::unique_ptr<ProjectStore> p(new ProjectStore(path, std::move(*db), options.readOnly));
    sqlite3* raw = p->db_.get();
    try {
        sqlite3_busy_timeout(raw, options.busyTimeoutMs);
        p->historyEntries_ = std::max(1, options.historyEntries);
        const int64_t appId = pragmaInt(raw, "application_id");
        const int version = schemaVersionOf(raw);
        if (appId != kApplicationId)
            return Status(StatusCode::InvalidData,
                          "store: '" + path + "' is not a Sightline project (an SQLite file of "
                          "another application)");
        if (version > kSchemaVersion)
            return Status(StatusCode::Unsupported,
                          "store: project '" + path + "' has schema version " +
                              std::to_string(version) + ", newer than this Sightline's (" +
                              std::to_string(kSchemaVersion) + "): open it with a newer Sightline");
        configure(raw, options.busyTimeoutMs, options.readOnly);
        if (version < kSchemaVersion) {
            if (options.readOnly)
                return Status(StatusCode::Unsupported,
                              "store: project '" + path + "' has schema version " +
                                  std::to_string(version) + " and must be upgraded to " +
                                  std::to_string(kSchemaVersion) +
                                  ": open it once for writing (a backup is made)");
            // The online backup API copies a consistent snapshot (WAL content included) before
            // any step runs; an upgrade that fails half-way still leaves this copy.
            const std::string backup = path + ".v" + std::to_string(version) + ".bak";
            auto bdb = openDb(backup, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            if (!bdb) return bdb.status();
            sqlite3_backup* b = sqlite3_backup_init(bdb->get(), "main", raw, "main");
            if (!b) throwSqlite(bdb->get(), "backing up before the upgrade");
            sqlite3_backup_step(b, -1);
            if (sqlite3_backup_finish(b) != SQLITE_OK)
                throwSqlite(bdb->get(), "backing up to '" + backup + "'");
            p->backupPath_ = backup;
            migrate(raw, version);
        }
        p->version_ = schemaVersionOf(raw);
        p->prepare();
    } catch (const SqliteError& e) {
        if ((e.code & 0xff) == SQLITE_NOTADB)
            return Status(StatusCode::InvalidData,
                          "store: '" + path + "' is not a Sightline project (not an SQLite file)");
        return p->fail(e, "opening");
    }
    return p;
}

// ---- Media ----

std::vector<MediaInfo> ProjectStore::media() {
    std::vector<MediaInfo> out;
    try {
        Statement s(db_.get(),
                    "SELECT id, path, width, height, frame_count, tb_num, tb_den, fps, start_pts "
                    "FROM media ORDER BY id");
        Statement::Use u(s);
        while (u.step()) {
            MediaInfo m;
            m.id = u.i64(0);
            m.path = u.text(1);
            m.width = int(u.i64(2));
            m.height = int(u.i64(3));
            m.frameCount = u.i64(4);
            m.timeBaseNum = int(u.i64(5));
            m.timeBaseDen = int(u.i64(6));
            m.fps = u.f64(7);
            m.startPts = u.i64(8);
            out.push_back(std::move(m));
        }
    } catch (const SqliteError&) {
        out.clear();
    }
    return out;
}

Expected<MediaInfo> ProjectStore::mediaById(int64_t id) {
    for (MediaInfo& m : media())
        if (m.id == id) return m;
    return Status(StatusCode::NotFound,
                  "store: project '" + path_ + "' has no media " + std::to_string(id));
}

Expected<int64_t> ProjectStore::addMedia(const MediaInfo& m) {
    try {
        Transaction t(db_.get());
        Statement s(db_.get(),
                    "INSERT INTO media(path, width, height, frame_count, tb_num, tb_den, fps, "
                    "start_pts) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        {
            Statement::Use u(s);
            u.bind(1, m.path).bind(2, int64_t(m.width)).bind(3, int64_t(m.height));
            u.bind(4, m.frameCount).bind(5, int64_t(m.timeBaseNum)).bind(6, int64_t(m.timeBaseDen));
            u.bind(7, m.fps).bind(8, m.startPts).run();
        }
        const int64_t id = sqlite3_last_insert_rowid(db_.get());
        t.commit();
        return id;
    } catch (const SqliteError& e) {
        if (e.code == SQLITE_CONSTRAINT_UNIQUE)
            return Status(StatusCode::InvalidArgument,
                          "store: project '" + path_ + "' already has media '" + m.path + "'");
        return fail(e, "adding media '" + m.path + "'");
    }
}

Expected<int64_t> ProjectStore::findOrAddMedia(const MediaInfo& m) {
    try {
        Statement s(db_.get(), "SELECT id FROM media WHERE path = ?1");
        Statement::Use u(s);
        u.bind(1, m.path);
        if (u.step()) return u.i64(0);
    } catch (const SqliteError& e) {
        return fail(e, "looking up media '" + m.path + "'");
    }
    return addMedia(m);
}

Expected<std::string> ProjectStore::scene(int64_t mediaId) {
    try {
        Statement s(db_.get(), "SELECT scene FROM media WHERE id = ?1");
        Statement::Use u(s);
        u.bind(1, mediaId);
        if (u.step()) return u.text(0);
        return Status(StatusCode::NotFound,
                      "store: project '" + path_ + "' has no media " + std::to_string(mediaId));
    } catch (const SqliteError& e) {
        return fail(e, "reading the scene of media " + std::to_string(mediaId));
    }
}

Status ProjectStore::setScene(int64_t mediaId, const std::string& sceneJson) {
    try {
        Transaction t(db_.get());
        Statement s(db_.get(), "UPDATE media SET scene = ?2 WHERE id = ?1");
        Statement::Use(s).bind(1, mediaId).bind(2, sceneJson).run();
        if (sqlite3_changes(db_.get()) == 0)
            return Status(StatusCode::NotFound,
                          "store: project '" + path_ + "' has no media " + std::to_string(mediaId));
        t.commit();
        return {};
    } catch (const SqliteError& e) {
        return fail(e, "saving the scene of media " + std::to_string(mediaId));
    }
}

Status ProjectStore::relinkMedia(const std::vector<std::pair<int64_t, std::string>>& newPaths) {
    try {
        Transaction t(db_.get());
        Statement s(db_.get(), "UPDATE media SET path = ?2 WHERE id = ?1");
        for (const auto& [id, newPath] : newPaths) {
            Statement::Use(s).bind(1, id).bind(2, newPath).run();
            if (sqlite3_changes(db_.get()) == 0)
                return Status(StatusCode::NotFound,
                              "store: project '" + path_ + "' has no media " + std::to_string(id));
        }
        t.commit();
        return {};
    } catch (const SqliteError& e) {
        return fail(e, "relinking media");
    }
}

Status ProjectStore::saveCopy(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(path, ec))
        return Status(StatusCode::InvalidArgument,
                      "store: '" + path + "' exists (a project is never overwritten)");
    const std::string temp = path + ".part";
    fs::remove(temp, ec);
    try {
        Statement s(db_.get(), "VACUUM INTO ?1");
        Statement::Use(s).bind(1, temp).run();
    } catch (const SqliteError& e) {
        fs::remove(temp, ec);
        return fail(e, "copying the project to '" + path + "'");
    }
    fs::rename(temp, path, ec);
    if (ec) {
        fs::remove(temp, ec);
        return Status(StatusCode::Io,
                      "store: cannot rename the copy to '" + path + "': " + ec.message());
    }
    return {};
}

Status ProjectStore::removeMedia(int64_t id) {
    try {
        Transaction t(db_.get());
        Statement s(db_.get(), "DELETE FROM media WHERE id = ?1");
        Statement::Use(s).bind(1, id).run();
        if (sqlite3_changes(db_.get()) == 0)
            return Status(StatusCode::NotFound,
                          "store: project '" + path_ + "' has no media " + std::to_string(id));
        t.commit();
        return {};
    } catch (const SqliteError& e) {
        return fail(e, "removing media " + std::to_string(id));
    }
}

// ---- Sets ----

namespace {

AnnotationSet readSet(Statement::Use& u) {
    AnnotationSet s;
    s.id = u.i64(0);
    s.name = u.text(1);
    s.kind = annotate::parseSetKind(u.text(2)).value_or(annotate::SetKind::GroundTruth);
    s.labels = parseLabels(u.text(3));
    s.model = u.text(4);
    s.parameters = u.text(5);
    s.createdAtMs = u.i64(6);
    return s;
}

}  // namespace

std::vector<AnnotationSet> ProjectStore::sets(int64_t mediaId) {
    std::vector<AnnotationSet> out;
    try {
        Statement::Use u(st_->setsOfMedia);
        u.bind(1, mediaId);
        while (u.step()) out.push_back(readSet(u));
    } catch (const SqliteError&) {
        out.clear();
    }
    return out;
}

Expected<AnnotationSet> ProjectStore::set(int64_t setId) {
    try {
        Statement::Use u(st_->setById);
        u.bind(1, setId);
        if (u.step()) return readSet(u);
    } catch (const SqliteError& e) {
        return fail(e, "reading set " + std::to_string(setId));
    }
    return Status(StatusCode::NotFound,
                  "store: project '" + path_ + "' has no set " + std::to_string(setId));
}

Expected<int64_t> ProjectStore::mediaOfSet(int64_t setId) {
    try {
        Statement s(db_.get(), "SELECT media_id FROM sets WHERE id = ?1");
        Statement::Use u(s);
        u.bind(1, setId);
        if (u.step()) return u.i64(0);
    } catch (const SqliteError& e) {
        return fail(e, "reading set " + std::to_string(setId));
    }
    return Status(StatusCode::NotFound,
                  "store: project '" + path_ + "' has no set " + std::to_string(setId));
}

void ProjectStore::insertObject(int64_t setId, const Object& o, int64_t id, int64_t revision) {
    Statement::Use u(st_->insertObject);
    u.bind(1, setId);
    bindObject(u, o, id, revision);
    u.run();
}

void ProjectStore::overwriteObject(int64_t setId, const Object& o) {
    Statement::Use u(st_->updateObject);
    u.bind(1, setId);
    bindObject(u, o, o.id, o.revision);
    u.run();
}

std::optional<Object> ProjectStore::storedObject(int64_t setId, int64_t id) {
    Statement::Use u(st_->objectById);
    u.bind(1, setId).bind(2, id);
    std::vector<Object> found = readObjects(u);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

std::vector<Object> ProjectStore::readObjects(Statement::Use& u) {
    std::vector<Object> out;
    while (u.step()) out.push_back(readRow(u));
    return out;
}

Object ProjectStore::readRow(Statement::Use& u) {
    Object o;
    o.id = u.i64(0);
    o.trackId = u.i64(1);
    o.label = u.text(2);
    o.box = {float(u.f64(3)), float(u.f64(4)), float(u.f64(5)), float(u.f64(6))};
    o.frame = u.i64(7);
    o.pts = u.isNull(8) ? annotate::kNoPts : u.i64(8);
    const int64_t source = u.i64(9);
    o.source = source >= 0 && source <= int64_t(annotate::ObjectSource::Tracker)
                   ? annotate::ObjectSource(source)
                   : annotate::ObjectSource::Human;
    o.score = float(u.f64(10));
    const int64_t flags = u.i64(11);
    o.keyframe = flags & kKeyframe;
    o.outside = flags & kOutside;
    o.occluded = flags & kOccluded;
    o.crowd = flags & kCrowd;
    o.ignored = flags & kIgnored;
    o.visibility = float(u.f64(12));
    o.area = u.f64(13);
    if (!u.isNull(14)) o.attributes = parseAttributes(u.text(14));
    o.revision = u.i64(15);
    o.origin = {u.i64(16), u.i64(17), u.i64(18)};
    return o;
}

Expected<int64_t> ProjectStore::importSet(int64_t mediaId, const AnnotationSet& set,
                                          const Progress& progress) {
    const std::string what = "importing set '" + set.name + "'";
    try {
        // Ids: kept where given (a format's or another project's), the next free ones where 0.
        std::unordered_set<int64_t> seen;
        int64_t maxId = 0;
        for (const Object& o : set.objects)
            if (o.id > 0) {
                if (!seen.insert(o.id).second)
                    return Status(StatusCode::InvalidArgument,
                                  "store: " + what + ": object id " + std::to_string(o.id) +
                                      " appears twice");
                maxId = std::max(maxId, o.id);
            }
        std::vector<std::string> labels = set.labels;
        std::unordered_set<std::string> known(labels.begin(), labels.end());
        for (const Object& o : set.objects)
            if (known.insert(o.label).second) labels.push_back(o.label);

        Transaction t(db_.get());
        {
            Statement s(db_.get(),
                        "INSERT INTO sets(media_id, name, kind, labels, model, parameters, "
                        "created_at_ms, updated_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
            Statement::Use u(s);
            u.bind(1, mediaId).bind(2, set.name).bind(3, annotate::setKindName(set.kind));
            u.bind(4, labelsJson(labels)).bind(5, set.model).bind(6, set.parameters);
            u.bind(7, set.createdAtMs > 0 ? set.createdAtMs : nowMs()).bind(8, nowMs()).run();
        }
        const int64_t setId = sqlite3_last_insert_rowid(db_.get());
        const auto total = int64_t(set.objects.size());
        int64_t done = 0;
        for (const Object& o : set.objects) {
            insertObject(setId, o, o.id > 0 ? o.id : ++maxId, 1);
            if (progress && ++done % kProgressEvery == 0 && !progress(done, total))
                return Status(StatusCode::Cancelled, "store: " + what + ": cancelled");
        }
        // The last call comes before the commit, so a cancel up to the very end rolls back.
        if (progress && !progress(total, total))
            return Status(StatusCode::Cancelled, "store: " + what + ": cancelled");
        t.commit();
        return setId;
    } catch (const SqliteError& e) {
        if (e.code == SQLITE_CONSTRAINT_UNIQUE)
            return Status(StatusCode::InvalidArgument,
                          "store: project '" + path_ + "': a set named '" + set.name +
                              "' exists on this media");
        if (e.code == SQLITE_CONSTRAINT_FOREIGNKEY)
            return Status(StatusCode::NotFound, "store: project '" + path_ + "' has no media " +
                                                    std::to_string(mediaId));
        return fail(e, what);
    }
}

Status ProjectStore::removeSet(int64_t setId) {
    try {
        Transaction t(db_.get());
        Statement s(db_.get(), "DELETE FROM sets WHERE id = ?1");
        Statement::Use(s).bind(1, setId).run();
        if (sqlite3_changes(db_.get()) == 0)
            return Status(StatusCode::NotFound,
                          "store: project '" + path_ + "' has no set " + std::to_string(setId));
        t.commit();
        return {};
    } catch (const SqliteError& e) {
        return fail(e, "removing set " + std::to_string(setId));
    }
}

Status ProjectStore::renameSet(int64_t setId, const std::string& name) {
    try {
        Transaction t(db_.get());
        Statement s(db_.get(), "UPDATE sets SET name = ?2 WHERE id = ?1");
        Statement::Use(s).bind(1, setId).bind(2, name).run();
        if (sqlite3_changes(db_.get()) == 0)
            return Status(StatusCode::NotFound,
                          "store: project '" + path_ + "' has no set " + std::to_string(setId));
        t.commit();
        return {};
    } catch (const SqliteError& e) {
        if (e.code == SQLITE_CONSTRAINT_UNIQUE)
            return Status(StatusCode::InvalidArgument, "store: project '" + path_ +
                                                           "': a set named '" + name +
                                                           "' exists on this media");
        return fail(e, "renaming set " + std::to_string(setId));
    }
}

Expected<int64_t> ProjectStore::copySet(int64_t setId, const std::string& name,
                                        annotate::SetKind kind) {
    auto src = set(setId);
    if (!src) return src.status();
    auto mediaId = mediaOfSet(setId);
    if (!mediaId) return mediaId.status();
    auto objs = objects(setId);
    if (!objs) return objs.status();
    AnnotationSet copy = *src;
    copy.name = name;
    copy.kind = kind;
    copy.createdAtMs = nowMs();
    copy.objects = std::move(*objs);
    return importSet(*mediaId, copy);
}

// ---- Objects ----

Expected<std::vector<Object>> ProjectStore::objects(int64_t setId) {
    try {
        Statement::Use u(st_->objectsOfSet);
        u.bind(1, setId);
        return readObjects(u);
    } catch (const SqliteError& e) {
        return fail(e, "reading set " + std::to_string(setId));
    }
}

Expected<std::vector<Object>> ProjectStore::objectsInFrame(int64_t setId, int64_t frame) {
    try {
        Statement::Use u(st_->objectsInFrame);
        u.bind(1, setId).bind(2, frame);
        return readObjects(u);
    } catch (const SqliteError& e) {
        return fail(e, "reading frame " + std::to_string(frame));
    }
}

Expected<std::vector<Object>> ProjectStore::objectsInFrames(int64_t setId, int64_t first,
                                                            int64_t last) {
    try {
        Statement::Use u(st_->objectsInFrames);
        u.bind(1, setId).bind(2, first).bind(3, last);
        return readObjects(u);
    } catch (const SqliteError& e) {
        return fail(e, "reading frames " + std::to_string(first) + ".." + std::to_string(last));
    }
}

Expected<std::vector<Object>> ProjectStore::track(int64_t setId, int64_t trackId) {
    try {
        Statement::Use u(st_->track);
        u.bind(1, setId).bind(2, trackId);
        return readObjects(u);
    } catch (const SqliteError& e) {
        return fail(e, "reading track " + std::to_string(trackId));
    }
}

Expected<std::vector<Object>> ProjectStore::objectsPage(int64_t setId, const ObjectKey& after,
                                                        int limit) {
    try {
        Statement::Use u(st_->objectsPage);
        u.bind(1, setId).bind(2, after.frame).bind(3, after.trackId).bind(4, after.id);
        u.bind(5, int64_t(std::max(1, limit)));
        return readObjects(u);
    } catch (const SqliteError& e) {
        return fail(e, "reading set " + std::to_string(setId) + " after frame " +
                           std::to_string(after.frame));
    }
}

Expected<std::vector<Object>> ProjectStore::objectsForFrame(int64_t setId, int64_t frame) {
    try {
        std::vector<Object> out;
        {
            Statement::Use u(st_->loneInFrame);
            u.bind(1, setId).bind(2, frame);
            out = readObjects(u);
        }
        // Every track id of the set, one index seek each (a skip scan: a million rows in ten
        // thousand tracks cost ten thousand seeks, not a million rows).
        int64_t track = annotate::kNoTrack;
        for (;;) {
            {
                Statement::Use u(st_->nextTrack);
                u.bind(1, setId).bind(2, track);
                if (!u.step() || u.isNull(0)) break;
                track = u.i64(0);
            }
            // The last keyframe at or before FRAME (of two at one frame the later id, as
            // expandTrack keeps the later one) and the first after it: all trackObjectAt needs.
            {
                Statement::Use u(st_->keyAtOrBefore);
                u.bind(1, setId).bind(2, track).bind(3, frame);
                if (u.step()) out.push_back(readRow(u));
            }
            {
                Statement::Use u(st_->keyAfter);
                u.bind(1, setId).bind(2, track).bind(3, frame);
                std::optional<Object> next;
                while (u.step()) {
                    if (next && u.i64(7) != next->frame) break;
                    next = readRow(u);
                }
                if (next) out.push_back(std::move(*next));
            }
        }
        return out;
    } catch (const SqliteError& e) {
        return fail(e, "reading what frame " + std::to_string(frame) + " of set " +
                           std::to_string(setId) + " shows");
    }
}

Expected<int64_t> ProjectStore::objectCount(int64_t setId) {
    try {
        Statement::Use u(st_->count);
        u.bind(1, setId);
        return u.step() ? u.i64(0) : 0;
    } catch (const SqliteError& e) {
        return fail(e, "counting set " + std::to_string(setId));
    }
}

int64_t ProjectStore::nextObjectId(int64_t setId) {
    Statement::Use u(st_->maxId);
    u.bind(1, setId);
    return (u.step() ? u.i64(0) : 0) + 1;
}

void ProjectStore::touchSet(int64_t setId) {
    Statement::Use(st_->touchSet).bind(1, setId).bind(2, nowMs()).run();
}

Object ProjectStore::applyOne(int64_t setId, const Edit& e) {
    if (e.kind == Edit::Kind::Add) {
        Object o = e.object;
        o.id = nextObjectId(setId);
        o.revision = 1;
        insertObject(setId, o, o.id, o.revision);
        return o;
    }
    int64_t stored = -1;
    {
        Statement::Use u(st_->revisionOf);
        u.bind(1, setId).bind(2, e.object.id);
        if (u.step()) stored = u.i64(0);
    }
    const std::string name = "object " + std::to_string(e.object.id) + " of set " +
                             std::to_string(setId);
    if (stored < 0) throw EditRefused{StatusCode::NotFound, "no " + name};
    if (e.kind == Edit::Kind::Remove) {
        Statement::Use(st_->removeObject).bind(1, setId).bind(2, e.object.id).run();
        return e.object;
    }
    if (stored != e.object.revision)
        throw EditRefused{StatusCode::InvalidArgument,
                          name + " was changed by another edit (now revision " +
                              std::to_string(stored) + ", this edit was made on revision " +
                              std::to_string(e.object.revision) + "): reload it"};
    Object o = e.object;
    o.revision = stored + 1;
    Statement::Use u(st_->updateObject);
    u.bind(1, setId);
    bindObject(u, o, o.id, o.revision);
    u.run();
    return o;
}

Expected<std::vector<Object>> ProjectStore::applyEdits(int64_t setId,
                                                       const std::vector<Edit>& edits) {
    try {
        Transaction t(db_.get());
        {
            Statement::Use u(st_->setById);
            u.bind(1, setId);
            if (!u.step())
                return Status(StatusCode::NotFound, "store: project '" + path_ +
                                                        "' has no set " + std::to_string(setId));
        }
        std::vector<Object> out;
        out.reserve(edits.size());
        for (const Edit& e : edits) out.push_back(applyOne(setId, e));
        touchSet(setId);
        t.commit();
        return out;
    } catch (const EditRefused& r) {
        return Status(r.code, "store: project '" + path_ + "': " + r.message);
    } catch (const SqliteError& e) {
        return fail(e, "editing set " + std::to_string(setId));
    }
}

Expected<Object> ProjectStore::addObject(int64_t setId, Object object) {
    auto r = applyEdits(setId, {Edit{Edit::Kind::Add, std::move(object)}});
    if (!r) return r.status();
    return r->front();
}

Expected<Object> ProjectStore::updateObject(int64_t setId, const Object& object) {
    auto r = applyEdits(setId, {Edit{Edit::Kind::Update, object}});
    if (!r) return r.status();
    return r->front();
}

Status ProjectStore::removeObject(int64_t setId, int64_t objectId) {
    Object o;
    o.id = objectId;
    auto r = applyEdits(setId, {Edit{Edit::Kind::Remove, o}});
    return r ? Status() : r.status();
}

}  // namespace sl::store
