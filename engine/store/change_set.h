#pragma once
// What one edit of a project changed, row by row: every object it inserted, updated or removed
// and every frame whose review state it set, each with the row before and the row after. The
// store applies a change set forwards (commit, redo) or backwards (undo) and keeps it, as JSON,
// in the project's undo history (store/project_store.h, "Review").
//
// Rows are whole: an undo writes the before row back exactly, id and revision included, so a
// project after edit + undo is field for field the project before the edit.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "annotate/annotation.h"
#include "core/status.h"

namespace sl::store {

// A frame's review state in one set. Frames without a state are Unreviewed (no row stored);
// Flagged marks a frame to look at again, which "next unreviewed frame" still stops at.
enum class FrameReview { Unreviewed = 0, Reviewed = 1, Flagged = 2 };
const char* frameReviewName(FrameReview r);   // "unreviewed", "reviewed", "flagged"
std::optional<FrameReview> parseFrameReview(const std::string& name);

// One object row. before empty: an insert; after empty: a removal; both: an update.
struct ObjectChange {
    int64_t setId = 0;
    std::optional<annotate::Object> before;
    std::optional<annotate::Object> after;

    int64_t objectId() const { return after ? after->id : before ? before->id : 0; }
    bool operator==(const ObjectChange&) const = default;
};

struct FrameChange {
    int64_t setId = 0;
    int64_t frame = 0;
    FrameReview before = FrameReview::Unreviewed;
    FrameReview after = FrameReview::Unreviewed;

    bool operator==(const FrameChange&) const = default;
};

struct ChangeSet {
    std::string label;                  // what the user did, for the history ("split track 3")
    std::vector<ObjectChange> objects;  // applied in order, undone in reverse order
    std::vector<FrameChange> frames;

    bool empty() const { return objects.empty() && frames.empty(); }
    bool operator==(const ChangeSet&) const = default;
};

// The JSON kept in edit_history.changes. Floats are written as doubles, which read back to the
// same float, so a round trip is exact.
std::string changeSetToJson(const ChangeSet& changes);
// WHERE names the entry in messages ("project 'p.slproj', history entry 12").
Expected<ChangeSet> changeSetFromJson(const std::string& json, const std::string& where);

// One step of the undo history. done: on the undo stack (applied); else on the redo stack.
struct HistoryEntry {
    int64_t id = 0;
    std::string label;
    int64_t createdAtMs = 0;
    bool done = true;
    ChangeSet changes;   // filled by commit, undo and redo; empty in ProjectStore::history()
};

}  // namespace sl::store
