#pragma once
// The project file's schema: numbered migration steps, the version in PRAGMA user_version, the
// file marked as a Sightline project by PRAGMA application_id. A new file runs every step; an
// older file runs the missing ones (after ProjectStore made a backup copy); a newer file is refused.
//
// Tables (version 4):
//   meta(key, value)                 created_by, created_at_ms
//   media(id, path UNIQUE, width, height, frame_count, tb_num, tb_den, fps, start_pts, scene)
//   sets(id, media_id -> media, name, kind, labels JSON, model, parameters JSON, created_at_ms,
//        updated_at_ms; UNIQUE(media_id, name))
//   objects(set_id -> sets, id, track_id, label, x1, y1, x2, y2, frame, pts, source, score, flags,
//        visibility, area, attributes JSON, revision, origin_set, origin_id, origin_track;
//        PRIMARY KEY(set_id, id), WITHOUT ROWID)
//        index (set_id, frame, track_id) for a frame's objects; index (set_id, track_id, frame)
//        for a track.
//   frame_reviews(set_id -> sets, frame, state; PRIMARY KEY(set_id, frame))   no row = unreviewed
//   edit_history(id, label, created_at_ms, state 0 done | 1 undone, changes JSON)   the undo stack
// Deleting media deletes its sets, deleting a set its objects (foreign keys with ON DELETE CASCADE;
// foreign_keys is switched on per connection).

#include <sqlite3.h>

namespace sl::store {

inline constexpr int kSchemaVersion = 4;
inline constexpr int kApplicationId = 0x534C5052;   // "SLPR"

int schemaVersionOf(sqlite3* db);
// Runs steps FROM+1 .. TO, each in its own transaction with its user_version bump, so a kill
// between steps leaves a file at a real version. Throws SqliteError.
void migrate(sqlite3* db, int from, int to = kSchemaVersion);

}  // namespace sl::store
