// ProjectStore: review states, edits with a change set, and the durable undo history
// (project_store.h, "Review"). Everything here runs inside one transaction per call.

#include <chrono>
#include <map>
#include <set>

#include "store/project_statements.h"
#include "store/project_store.h"

namespace sl::store {

using annotate::Object;

namespace {

int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string objectName(int64_t setId, int64_t id) {
    return "object " + std::to_string(id) + " of set " + std::to_string(setId);
}

}  // namespace

void ProjectStore::prepareReview() {
    sqlite3* db = db_.get();
    st_->frameState =
        Statement(db, "SELECT state FROM frame_reviews WHERE set_id = ?1 AND frame = ?2");
    st_->setFrameState = Statement(
        db, "INSERT OR REPLACE INTO frame_reviews(set_id, frame, state) VALUES(?1, ?2, ?3)");
    st_->clearFrameState =
        Statement(db, "DELETE FROM frame_reviews WHERE set_id = ?1 AND frame = ?2");
    st_->reviewedAfter = Statement(
        db, "SELECT frame FROM frame_reviews WHERE set_id = ?1 AND frame > ?2 AND state = 1 "
            "ORDER BY frame");
    st_->historyLast = Statement(
        db, "SELECT id, label, created_at_ms, changes FROM edit_history WHERE state = 0 "
            "ORDER BY id DESC LIMIT 1");
    st_->historyFirstUndone = Statement(
        db, "SELECT id, label, created_at_ms, changes FROM edit_history WHERE state = 1 "
            "ORDER BY id LIMIT 1");
    st_->historyInsert = Statement(
        db, "INSERT INTO edit_history(label, created_at_ms, state, changes) VALUES(?1, ?2, 0, ?3)");
    st_->historyMark = Statement(db, "UPDATE edit_history SET state = ?2 WHERE id = ?1");
    st_->historyDropUndone = Statement(db, "DELETE FROM edit_history WHERE state = 1");
    // Keeps the newest kHistoryEntries: deletes from the (limit + 1)-th newest down.
    st_->historyTrimCount = Statement(
        db, "DELETE FROM edit_history WHERE id <= (SELECT id FROM edit_history ORDER BY id DESC "
            "LIMIT 1 OFFSET ?1)");
    // Keeps the newest entries whose changes fit in ?1 bytes together, and the newest always.
    st_->historyTrimBytes = Statement(
        db, "DELETE FROM edit_history WHERE id < (SELECT MAX(id) FROM edit_history) AND id <= "
            "(SELECT id FROM (SELECT id, SUM(length(changes)) OVER (ORDER BY id DESC) AS tail "
            "FROM edit_history) WHERE tail > ?1 ORDER BY id DESC LIMIT 1)");
    st_->historyAll = Statement(
        db, "SELECT id, label, created_at_ms, state FROM edit_history ORDER BY state, id");
}

Expected<Object> ProjectStore::object(int64_t setId, int64_t objectId) {
    try {
        if (auto o = storedObject(setId, objectId)) return std::move(*o);
        return Status(StatusCode::NotFound, "store: project '" + path_ + "' has no " +
                                                objectName(setId, objectId));
    } catch (const SqliteError& e) {
        return fail(e, "reading " + objectName(setId, objectId));
    }
}

Expected<int64_t> ProjectStore::maxObjectId(int64_t setId) {
    try {
        return nextObjectId(setId) - 1;
    } catch (const SqliteError& e) {
        return fail(e, "reading set " + std::to_string(setId));
    }
}

Expected<int64_t> ProjectStore::maxTrackId(int64_t setId) {
    try {
        Statement::Use u(st_->maxTrack);
        u.bind(1, setId);
        return u.step() ? u.i64(0) : annotate::kNoTrack;
    } catch (const SqliteError& e) {
        return fail(e, "reading set " + std::to_string(setId));
    }
}

FrameReview ProjectStore::storedFrameReview(int64_t setId, int64_t frame) {
    Statement::Use u(st_->frameState);
    u.bind(1, setId).bind(2, frame);
    if (!u.step()) return FrameReview::Unreviewed;
    const int64_t v = u.i64(0);
    return v >= 0 && v <= int64_t(FrameReview::Flagged) ? FrameReview(v) : FrameReview::Unreviewed;
}

void ProjectStore::writeFrameReview(int64_t setId, int64_t frame, FrameReview state) {
    if (state == FrameReview::Unreviewed) {
        Statement::Use(st_->clearFrameState).bind(1, setId).bind(2, frame).run();
        return;
    }
    Statement::Use(st_->setFrameState).bind(1, setId).bind(2, frame).bind(3, int64_t(state)).run();
}

Expected<FrameReview> ProjectStore::frameReview(int64_t setId, int64_t frame) {
    try {
        return storedFrameReview(setId, frame);
    } catch (const SqliteError& e) {
        return fail(e, "reading the review state of frame " + std::to_string(frame));
    }
}

Expected<std::vector<std::pair<int64_t, FrameReview>>> ProjectStore::frameReviews(int64_t setId) {
    try {
        Statement s(db_.get(),
                    "SELECT frame, state FROM frame_reviews WHERE set_id = ?1 ORDER BY frame");
        Statement::Use u(s);
        u.bind(1, setId);
        std::vector<std::pair<int64_t, FrameReview>> out;
        while (u.step()) out.emplace_back(u.i64(0), FrameReview(u.i64(1)));
        return out;
    } catch (const SqliteError& e) {
        return fail(e, "reading the review states of set " + std::to_string(setId));
    }
}

Expected<int64_t> ProjectStore::nextUnreviewedFrame(int64_t setId, int64_t after, int64_t last) {
    try {
        // The reviewed frames after AFTER in order: the first gap in them is the answer.
        Statement::Use u(st_->reviewedAfter);
        u.bind(1, setId).bind(2, after);
        int64_t candidate = after + 1;
        while (candidate <= last && u.step()) {
            if (u.i64(0) != candidate) break;
            ++candidate;
        }
        return candidate <= last ? candidate : -1;
    } catch (const SqliteError& e) {
        return fail(e, "reading the review states of set " + std::to_string(setId));
    }
}

// FORWARD: before -> after (commit, redo); else after -> before (undo), in reverse order. FRESH
// (commit only): the after rows are what the plan wants; their revisions are set here.
void ProjectStore::applyChanges(ChangeSet& c, bool forward, bool fresh) {
    std::set<std::pair<int64_t, int64_t>> seen;
    std::set<int64_t> sets;
    const size_t n = c.objects.size();
    for (size_t k = 0; k < n; ++k) {
        ObjectChange& oc = c.objects[forward ? k : n - 1 - k];
        std::optional<Object>& from = forward ? oc.before : oc.after;
        std::optional<Object>& to = forward ? oc.after : oc.before;
        const int64_t id = oc.objectId();
        const std::string name = objectName(oc.setId, id);
        if (!seen.insert({oc.setId, id}).second)
            throw EditRefused{StatusCode::Internal, "the edit changes " + name + " twice"};
        if (oc.before && oc.after && oc.before->id != oc.after->id)
            throw EditRefused{StatusCode::Internal, "the edit changes the id of " + name};
        const std::optional<Object> stored = storedObject(oc.setId, id);
        if (from && !stored)
            throw EditRefused{StatusCode::NotFound, name + " is gone (removed since)"};
        if (!from && stored)
            throw EditRefused{StatusCode::InvalidArgument, name + " exists already"};
        if (from && !(*stored == *from))
            throw EditRefused{StatusCode::InvalidArgument,
                              name + " was changed by another edit (now revision " +
                                  std::to_string(stored->revision) + ", expected revision " +
                                  std::to_string(from->revision) + ")"};
        if (fresh && to) {
            if (id <= 0)
                throw EditRefused{StatusCode::Internal, "the edit adds an object without an id"};
            to->revision = from ? from->revision + 1 : 1;
        }
        if (!to)
            Statement::Use(st_->removeObject).bind(1, oc.setId).bind(2, id).run();
        else if (!from)
            insertObject(oc.setId, *to, id, to->revision);
        else
            overwriteObject(oc.setId, *to);
        sets.insert(oc.setId);
    }
    std::set<std::pair<int64_t, int64_t>> frames;
    const size_t m = c.frames.size();
    for (size_t k = 0; k < m; ++k) {
        const FrameChange& f = c.frames[forward ? k : m - 1 - k];
        if (!frames.insert({f.setId, f.frame}).second)
            throw EditRefused{StatusCode::Internal,
                              "the edit changes frame " + std::to_string(f.frame) + " twice"};
        const FrameReview from = forward ? f.before : f.after;
        const FrameReview now = storedFrameReview(f.setId, f.frame);
        if (now != from)
            throw EditRefused{StatusCode::InvalidArgument,
                              "frame " + std::to_string(f.frame) + " of set " +
                                  std::to_string(f.setId) + " is " + frameReviewName(now) +
                                  ", not " + frameReviewName(from) + " (changed since)"};
        writeFrameReview(f.setId, f.frame, forward ? f.after : f.before);
        sets.insert(f.setId);
    }
    for (int64_t s : sets) {
        Statement::Use u(st_->setById);
        u.bind(1, s);
        if (!u.step())
            throw EditRefused{StatusCode::NotFound,
                              "set " + std::to_string(s) + " is gone (removed since)"};
    }
    for (int64_t s : sets) touchSet(s);
}

Expected<HistoryEntry> ProjectStore::commit(const Plan& plan) {
    std::string label;
    try {
        Transaction t(db_.get());
        Expected<ChangeSet> planned = plan(*this);
        if (!planned) return planned.status();
        HistoryEntry entry;
        entry.changes = std::move(*planned);
        label = entry.label = entry.changes.label;
        if (entry.changes.empty())
            return Status(StatusCode::InvalidArgument,
                          "store: project '" + path_ + "': " + label + " changes nothing");
        applyChanges(entry.changes, /*forward=*/true, /*fresh=*/true);
        // A new edit forgets the undone ones (the redo stack), as QUndoStack::push does.
        Statement::Use(st_->historyDropUndone).run();
        entry.createdAtMs = nowMs();
        Statement::Use(st_->historyInsert)
            .bind(1, label)
            .bind(2, entry.createdAtMs)
            .bind(3, changeSetToJson(entry.changes))
            .run();
        entry.id = sqlite3_last_insert_rowid(db_.get());
        Statement::Use(st_->historyTrimCount).bind(1, int64_t(historyEntries_)).run();
        Statement::Use(st_->historyTrimBytes).bind(1, kHistoryBytes).run();
        t.commit();
        return entry;
    } catch (const EditRefused& r) {
        return Status(r.code, "store: project '" + path_ + "': " + label + ": " + r.message);
    } catch (const SqliteError& e) {
        return fail(e, label.empty() ? std::string("editing") : label);
    }
}

Expected<HistoryEntry> ProjectStore::step(bool undoing, int64_t expect) {
    const char* verb = undoing ? "undo" : "redo";
    HistoryEntry entry;
    try {
        Transaction t(db_.get());
        std::string json;
        {
            Statement::Use u(undoing ? st_->historyLast : st_->historyFirstUndone);
            if (!u.step())
                return Status(StatusCode::NotFound, "store: project '" + path_ +
                                                        "': nothing to " + verb);
            entry.id = u.i64(0);
            entry.label = u.text(1);
            entry.createdAtMs = u.i64(2);
            json = u.text(3);
        }
        if (expect != 0 && entry.id != expect)
            return Status(StatusCode::InvalidArgument,
                          "store: project '" + path_ + "': cannot " + verb + " edit #" +
                              std::to_string(expect) + ": the next to " + verb + " is #" +
                              std::to_string(entry.id) + " '" + entry.label +
                              "' (another window or process edited the project)");
        auto changes = changeSetFromJson(
            json, "project '" + path_ + "', history entry " + std::to_string(entry.id));
        if (!changes) return changes.status();
        entry.changes = std::move(*changes);
        applyChanges(entry.changes, /*forward=*/!undoing, /*fresh=*/false);
        entry.done = !undoing;
        Statement::Use(st_->historyMark).bind(1, entry.id).bind(2, int64_t(undoing ? 1 : 0)).run();
        t.commit();
        return entry;
    } catch (const EditRefused& r) {
        return Status(r.code, "store: project '" + path_ + "': cannot " + verb + " '" +
                                  entry.label + "': " + r.message);
    } catch (const SqliteError& e) {
        return fail(e, std::string(verb) + " '" + entry.label + "'");
    }
}

Expected<HistoryEntry> ProjectStore::undo(int64_t expect) { return step(true, expect); }
Expected<HistoryEntry> ProjectStore::redo(int64_t expect) { return step(false, expect); }

Expected<std::vector<HistoryEntry>> ProjectStore::history() {
    try {
        Statement::Use u(st_->historyAll);
        std::vector<HistoryEntry> out;
        while (u.step()) {
            HistoryEntry e;
            e.id = u.i64(0);
            e.label = u.text(1);
            e.createdAtMs = u.i64(2);
            e.done = u.i64(3) == 0;
            out.push_back(std::move(e));
        }
        return out;
    } catch (const SqliteError& e) {
        return fail(e, "reading the undo history");
    }
}

}  // namespace sl::store
