#pragma once
// Inside the store only: the statements a project runs more than once, prepared when it opens
// (ProjectStore::prepare), shared by project_store.cpp and project_store_history.cpp.

#include "store/project_store.h"

namespace sl::store {

// An edit that cannot apply; the store turns it into a Status (after the rollback).
struct EditRefused {
    StatusCode code;
    std::string message;
};

struct ProjectStore::Statements {
    Statement insertObject, objectsOfSet, objectsInFrame, objectsInFrames, track, count, maxId,
        revisionOf, updateObject, removeObject, touchSet, setById, setsOfMedia, objectById,
        maxTrack, objectsPage, loneInFrame, nextTrack, keyAtOrBefore, keyAfter;
    // Review states and the undo history (project_store_history.cpp).
    Statement frameState, setFrameState, clearFrameState, reviewedAfter, historyLast,
        historyFirstUndone, historyInsert, historyMark, historyDropUndone, historyTrimCount,
        historyTrimBytes, historyAll;
};

}  // namespace sl::store
