#pragma once
// A project: one SQLite file (.slproj) holding media, their annotation sets (ground truth, model
// runs, reviewed sets) and the sets' objects. The durable form of everything Sightline annotates
// or analyses; ResultsStore stays the in-memory working set of a running analysis
// (pipeline/results_annotations.h converts).
//
// Durability: WAL journal, synchronous=FULL, foreign keys on. Every call that changes the file is
// one transaction (BEGIN IMMEDIATE .. COMMIT): a process killed at any moment leaves every edit
// that returned and nothing of the one in flight; an import is all or nothing.
// Sharing: a GUI and a CLI may open one project at once. Readers never block the writer (WAL); a
// second writer waits up to busyTimeoutMs for the lock, then gets a Status naming the project.
// Edits carry the revision they were made on (Object::revision): an update of an object another
// process changed since it was read is refused, not silently overwritten.
// Review edits (store/review_edits.h) go through commit(): one transaction that applies the edit's
// change set (before and after rows) and appends it to the project's undo history, so the
// history is exactly as durable as the edits. Undo and redo are transactions of their own.
// Versions: an older file is upgraded on open (not read-only) after a backup copy
// (NAME.slproj.v<old>.bak); a file made by a newer Sightline is refused.
//
// One ProjectStore is one connection: use it from one thread (one per thread, as SQLite advises).
// No exception leaves it: failures are Status values naming the project file.

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "annotate/annotation.h"
#include "core/status.h"
#include "store/change_set.h"
#include "store/sqlite_handles.h"

namespace sl::store {

struct OpenOptions {
    bool readOnly = false;
    int busyTimeoutMs = 5000;
    int historyEntries = 1000;   // the undo history's bound (kHistoryEntries); tests lower it
};

// One change of a set, for applyEdits (several changes as one transaction: one undo step).
struct Edit {
    enum class Kind { Add, Update, Remove };
    Kind kind = Kind::Add;
    annotate::Object object;   // Remove: only object.id is read
};

// Called during long imports with (objects written, total), every 10,000 objects and once more
// with (total, total) just before the commit; return false to cancel (the import is rolled back).
using Progress = std::function<bool(int64_t done, int64_t total)>;

class ProjectStore {
public:
    // A new project at PATH (refused when PATH exists).
    static Expected<std::unique_ptr<ProjectStore>> create(const std::string& path);
    // An existing project; upgraded when older (unless read-only: then refused with a message).
    static Expected<std::unique_ptr<ProjectStore>> open(const std::string& path,
                                                        OpenOptions options = {});
    static Expected<std::unique_ptr<ProjectStore>> open(const std::string& path, bool readOnly) {
        return open(path, OpenOptions{readOnly});
    }
    ~ProjectStore();

    const std::string& path() const { return path_; }
    int schemaVersion() const { return version_; }
    // Set when open() upgraded the file: where the copy of the old version is.
    const std::string& backupPath() const { return backupPath_; }

    // ---- Media ----
    std::vector<annotate::MediaInfo> media();
    Expected<int64_t> addMedia(const annotate::MediaInfo& media);   // refuses a duplicate path
    Expected<annotate::MediaInfo> mediaById(int64_t id);
    // The media with MEDIA's path, added when the project has none (MEDIA.id is not read).
    Expected<int64_t> findOrAddMedia(const annotate::MediaInfo& media);
    // The media's zones, lines and rules (analytics' scene JSON, kept verbatim; '' = none). The
    // store does not parse it: analytics::parseSceneJson does, naming the project.
    Expected<std::string> scene(int64_t mediaId);
    Status setScene(int64_t mediaId, const std::string& sceneJson);   // one transaction
    Status removeMedia(int64_t id);   // with its sets
    // New paths for media whose files moved: (media id, new path) pairs, all in one transaction
    // (refused as a whole when an id is unknown or a path is another media's).
    Status relinkMedia(const std::vector<std::pair<int64_t, std::string>>& newPaths);

    // A consistent copy of the whole project at PATH (VACUUM INTO: one read transaction, so a
    // writer in another process never leaves it half-updated). Refused when PATH exists. The copy
    // is written next to PATH under a temporary name and renamed, so PATH is whole or absent.
    Status saveCopy(const std::string& path);

    // ---- Sets (returned without objects) ----
    std::vector<annotate::AnnotationSet> sets(int64_t mediaId);
    Expected<annotate::AnnotationSet> set(int64_t setId);
    Expected<int64_t> mediaOfSet(int64_t setId);
    // SET with its objects, in one transaction. Objects keep ids > 0 (refused when duplicate) and
    // get the next free ids where 0; revisions start at 1. A name already used on the media is
    // refused. Returns the new set's id.
    Expected<int64_t> importSet(int64_t mediaId, const annotate::AnnotationSet& set,
                                const Progress& progress = {});
    Status removeSet(int64_t setId);
    Status renameSet(int64_t setId, const std::string& name);
    // A copy of a set (the start of a reviewed set from a model run), under a new name and kind.
    Expected<int64_t> copySet(int64_t setId, const std::string& name, annotate::SetKind kind);

    // ---- Objects ----
    Expected<std::vector<annotate::Object>> objects(int64_t setId);
    Expected<std::vector<annotate::Object>> objectsInFrame(int64_t setId, int64_t frame);
    Expected<std::vector<annotate::Object>> objectsInFrames(int64_t setId, int64_t first,
                                                            int64_t last);
    Expected<std::vector<annotate::Object>> track(int64_t setId, int64_t trackId);
    // What drawing FRAME needs, without reading the set: its lone boxes and, per track, the
    // last keyframe at or before FRAME and the first one after it (annotate::trackObjectAt over
    // them gives the track's box at FRAME, interpolated, repeated or hidden, as over the whole
    // track). Index seeks only: milliseconds for a million-object set (review's first frame).
    Expected<std::vector<annotate::Object>> objectsForFrame(int64_t setId, int64_t frame);
    // Up to LIMIT objects of the set after AFTER in (frame, track, id) order: a whole set read in
    // pages (keyset pagination), each page a short read that edits need not wait long behind.
    struct ObjectKey {
        int64_t frame = std::numeric_limits<int64_t>::min();
        int64_t trackId = std::numeric_limits<int64_t>::min();
        int64_t id = std::numeric_limits<int64_t>::min();
    };
    Expected<std::vector<annotate::Object>> objectsPage(int64_t setId, const ObjectKey& after,
                                                        int limit);
    Expected<int64_t> objectCount(int64_t setId);

    // Each is one transaction. addObject returns the object as stored (its new id, revision 1).
    // updateObject needs object.revision to be the stored one and returns revision + 1.
    Expected<annotate::Object> addObject(int64_t setId, annotate::Object object);
    Expected<annotate::Object> updateObject(int64_t setId, const annotate::Object& object);
    Status removeObject(int64_t setId, int64_t objectId);
    // Several edits as one transaction (all or none); returns the objects as stored, in order
    // (removed ones as given).
    Expected<std::vector<annotate::Object>> applyEdits(int64_t setId,
                                                       const std::vector<Edit>& edits);

    // ---- Review (project_store_history.cpp) ----
    // One stored object; NotFound names it.
    Expected<annotate::Object> object(int64_t setId, int64_t objectId);
    // The largest object id / track id of a set (0 / kNoTrack when it has none).
    Expected<int64_t> maxObjectId(int64_t setId);
    Expected<int64_t> maxTrackId(int64_t setId);
    Expected<FrameReview> frameReview(int64_t setId, int64_t frame);
    // The frames of a set that have a state, in frame order.
    Expected<std::vector<std::pair<int64_t, FrameReview>>> frameReviews(int64_t setId);
    // The first frame after AFTER that is not Reviewed (-1 when every frame up to LAST is).
    Expected<int64_t> nextUnreviewedFrame(int64_t setId, int64_t after, int64_t last);

    // An edit with undo. PLAN runs inside the edit's transaction (BEGIN IMMEDIATE: no other
    // writer between its reads and the writes) and returns the change set: before rows as read,
    // after rows as wanted. commit checks that every before row is what is stored (an insert:
    // that the id is free), writes the after rows (an update gets revision before + 1, an
    // insert revision 1), appends the change to the history (dropping the redo stack: a new edit
    // after an undo forgets what was undone, as QUndoStack does), trims the history to its bound
    // and commits, all or nothing. An empty change set is refused ("changes nothing").
    using Plan = std::function<Expected<ChangeSet>(ProjectStore&)>;
    Expected<HistoryEntry> commit(const Plan& plan);
    // Undo the newest done entry / redo the oldest undone one, in one transaction each: every
    // row the entry wrote must still be as it left it (else refused, naming the row: something
    // outside the history changed it), then the rows before it (after it) are written back
    // exactly, ids and revisions included. EXPECT (0 = any): the entry the caller thinks is
    // next (the GUI's QUndoStack); another one is refused, so two windows never undo each
    // other's edits by mistake.
    Expected<HistoryEntry> undo(int64_t expect = 0);
    Expected<HistoryEntry> redo(int64_t expect = 0);
    // The history, oldest first, without the change sets: done entries, then undone ones.
    Expected<std::vector<HistoryEntry>> history();
    // The bound: the newest kHistoryEntries (OpenOptions::historyEntries) done entries whose
    // changes take at most kHistoryBytes of JSON together (the newest entry is always kept, however large).
    static constexpr int kHistoryEntries = OpenOptions{}.historyEntries;
    static constexpr int64_t kHistoryBytes = 64 << 20;

    ProjectStore(const ProjectStore&) = delete;
    ProjectStore& operator=(const ProjectStore&) = delete;

private:
    struct Statements;
    ProjectStore(std::string path, SqliteDb db, bool readOnly);
    Status fail(const SqliteError& e, const std::string& what) const;
    void prepare();
    void insertObject(int64_t setId, const annotate::Object& o, int64_t id, int64_t revision);
    int64_t nextObjectId(int64_t setId);
    void touchSet(int64_t setId);
    annotate::Object applyOne(int64_t setId, const Edit& e);
    std::vector<annotate::Object> readObjects(Statement::Use& u);
    static annotate::Object readRow(Statement::Use& u);
    // Rows as they are (project_store_history.cpp): the object stored under (SET, ID), if any;
    // O written over the stored row with every field as given, revision included.
    std::optional<annotate::Object> storedObject(int64_t setId, int64_t id);
    void overwriteObject(int64_t setId, const annotate::Object& o);
    FrameReview storedFrameReview(int64_t setId, int64_t frame);
    void writeFrameReview(int64_t setId, int64_t frame, FrameReview state);
    // Applies C forwards or backwards inside the caller's transaction; throws EditRefused
    // (a row is not as C expects) or SqliteError.
    void applyChanges(ChangeSet& c, bool forward, bool fresh);
    void prepareReview();
    Expected<HistoryEntry> step(bool undoing, int64_t expect);

    std::string path_;
    SqliteDb db_;
    bool readOnly_;
    int version_ = 0;
    int historyEntries_ = kHistoryEntries;
    std::string backupPath_;
    std::unique_ptr<Statements> st_;
};

}  // namespace sl::store
