#include "store/schema.h"

#include <string>

#include "store/sqlite_handles.h"

namespace sl::store {

namespace {

// Step N takes a file from version N-1 to N. Never edit a released step: add one.
const char* const kSteps[] = {
    // 1: the first schema.
    R"sql(
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE media(
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        frame_count INTEGER NOT NULL DEFAULT 0,
        tb_num INTEGER NOT NULL DEFAULT 1,
        tb_den INTEGER NOT NULL DEFAULT 1,
        fps REAL NOT NULL DEFAULT 0);
    CREATE TABLE sets(
        id INTEGER PRIMARY KEY,
        media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        labels TEXT NOT NULL DEFAULT '[]',
        model TEXT NOT NULL DEFAULT '',
        parameters TEXT NOT NULL DEFAULT '',
        created_at_ms INTEGER NOT NULL DEFAULT 0,
        UNIQUE(media_id, name));
    CREATE TABLE objects(
        set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        track_id INTEGER NOT NULL,
        label TEXT NOT NULL,
        x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
        frame INTEGER NOT NULL,
        pts INTEGER,
        source INTEGER NOT NULL,
        score REAL NOT NULL,
        flags INTEGER NOT NULL,
        visibility REAL NOT NULL,
        area REAL NOT NULL,
        attributes TEXT,
        revision INTEGER NOT NULL,
        PRIMARY KEY(set_id, id)) WITHOUT ROWID;
    -- (set_id, frame, track_id) + the key's id: a frame's objects come out in the order the
    -- store returns them, without a sort (and the planner cannot prefer objects_by_track).
    CREATE INDEX objects_by_frame ON objects(set_id, frame, track_id);
    )sql",
    // 2: a track's objects in frame order without a scan of the set (the review timeline and the
    // interpolation of a track read them), and when a set was last edited.
    R"sql(
    CREATE INDEX objects_by_track ON objects(set_id, track_id, frame);
    ALTER TABLE sets ADD COLUMN updated_at_ms INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 3: frame 0's pts (an object's time is (pts - start_pts) * time base, as the player's) and
    // the media's scene: zones, lines and rules in analytics' versioned JSON ('' = none), so the
    // workstation keeps them in the project instead of a file beside the video.
    R"sql(
    ALTER TABLE media ADD COLUMN start_pts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE media ADD COLUMN scene TEXT NOT NULL DEFAULT '';
    )sql",
    // 4: review (issue 14). An accepted prediction remembers the prediction it came from
    // (origin_set 0 = none); frames carry a review state (no row = unreviewed); the undo history
    // is kept in the file, written in the edit's own transaction, so undo survives autosaves,
    // restarts and a kill -9 (store/edit_history.h).
    R"sql(
    ALTER TABLE objects ADD COLUMN origin_set INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE objects ADD COLUMN origin_id INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE objects ADD COLUMN origin_track INTEGER NOT NULL DEFAULT -1;
    CREATE TABLE frame_reviews(
        set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
        frame INTEGER NOT NULL,
        state INTEGER NOT NULL,
        PRIMARY KEY(set_id, frame)) WITHOUT ROWID;
    -- state 0: done (on the undo stack), 1: undone (on the redo stack). changes: the JSON of
    -- the edit's before and after rows (store/change_set.h).
    CREATE TABLE edit_history(
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        state INTEGER NOT NULL DEFAULT 0,
        changes TEXT NOT NULL);
    )sql",
};
static_assert(sizeof(kSteps) / sizeof(kSteps[0]) == kSchemaVersion);

}  // namespace

int schemaVersionOf(sqlite3* db) {
    Statement s(db, "PRAGMA user_version");
    Statement::Use u(s);
    return u.step() ? int(u.i64(0)) : 0;
}

void migrate(sqlite3* db, int from, int to) {
    for (int v = from + 1; v <= to; ++v) {
        Transaction t(db);
        exec(db, kSteps[v - 1]);
        if (v == 1) exec(db, "PRAGMA application_id = " + std::to_string(kApplicationId));
        exec(db, "PRAGMA user_version = " + std::to_string(v));
        t.commit();
    }
}

}  // namespace sl::store
