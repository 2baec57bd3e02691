#pragma once
// The review workstation's edits (issue 14), each one ProjectStore::commit: one transaction that
// reads what it needs, writes the rows and records them (before and after) in the project's undo
// history. Each returns the history entry (its change set holds the rows as stored: new ids,
// revisions), or a Status naming the project, the set and what is wrong; a refused edit changes
// nothing.
//
// Tracks follow annotate/interpolation.h (CVAT's keyframes): "the box of track T at frame F" is
// the stored keyframe there or the interpolated one. Edits at a frame where the track has no
// stored object make a keyframe there (source Human), as moving an interpolated box in CVAT does.
// The media's last frame (frame_count - 1) bounds the repetition after a track's last keyframe;
// with an unknown frame count nothing bounds it.
//
// Rules chosen here (the tests derive their expectations from them):
// - New object ids are the set's largest id + 1, + 2, ... in the order of the change set.
// - splitTrack(T, F): the part from F on gets the set's largest track id + 1. If T has no
//   visible keyframe at F, the interpolated box at F becomes the new track's first keyframe; T
//   ends at F - 1 with an outside keyframe at F (a copy of its box at F), unless an outside
//   keyframe already ends it there. Every visible box stays where it was; only the track id of
//   frames F.. changes. Refused when T shows nothing before F or nothing from F on.
// - mergeTracks(KEEP, OTHER): OTHER's objects take KEEP's id; where both have an object at one
//   frame, KEEP's stays and OTHER's is removed (the kept track is the one the reviewer chose).
// - changeTrackId(FROM, TO): refused when TO is used in the set (merge them instead) or < 0.
// - acceptPredictions: each picked prediction moves from the prediction set into the reviewed
//   set (removed there, inserted here with a new id) and remembers its origin (set, id, track).
//   Its track id in the reviewed set: the one given to an earlier accepted object of the same
//   prediction track; else the prediction's own id when the reviewed set does not use it; else
//   the next free one (largest + 1). rejectPredictions removes the picked predictions from the
//   prediction set (undo brings them back).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/project_store.h"

namespace sl::store::review {

// ---- Boxes (stored objects, by id) ----
// A new box; its id and revision are assigned (object.id is not read). A box with a track id
// is a keyframe of that track.
Expected<HistoryEntry> addBox(ProjectStore& p, int64_t setId, annotate::Object object);
// Move or resize: the box in source pixels (corners in any order are refused: x1 <= x2, y1 <= y2).
Expected<HistoryEntry> setBox(ProjectStore& p, int64_t setId, int64_t objectId, vision::Box box);
Expected<HistoryEntry> setLabel(ProjectStore& p, int64_t setId, int64_t objectId,
                                const std::string& label);
Expected<HistoryEntry> deleteBox(ProjectStore& p, int64_t setId, int64_t objectId);

// ---- Tracks (by track id, at a frame) ----
// The track's box at FRAME set to BOX (a keyframe there; made when the frame is interpolated).
Expected<HistoryEntry> setTrackBox(ProjectStore& p, int64_t setId, int64_t trackId, int64_t frame,
                                   vision::Box box);
Expected<HistoryEntry> deleteTrack(ProjectStore& p, int64_t setId, int64_t trackId);
Expected<HistoryEntry> setTrackLabel(ProjectStore& p, int64_t setId, int64_t trackId,
                                     const std::string& label);
// Makes the (interpolated) box at FRAME a keyframe / removes the keyframe at FRAME (the track
// then interpolates across it).
Expected<HistoryEntry> setKeyframe(ProjectStore& p, int64_t setId, int64_t trackId, int64_t frame);
Expected<HistoryEntry> clearKeyframe(ProjectStore& p, int64_t setId, int64_t trackId,
                                     int64_t frame);
// Flip the flag at FRAME (a keyframe there; made when the frame is interpolated or, for outside,
// when the track is hidden there: turning outside off resumes the track with its last box).
Expected<HistoryEntry> toggleOutside(ProjectStore& p, int64_t setId, int64_t trackId,
                                     int64_t frame);
Expected<HistoryEntry> toggleOccluded(ProjectStore& p, int64_t setId, int64_t trackId,
                                      int64_t frame);
// "Delete the box on this frame" of a track: FRAME alone loses its box (an outside keyframe
// there, and what frame + 1 showed made a keyframe so the track resumes there unchanged);
// refused when the track shows nothing at FRAME.
Expected<HistoryEntry> hideTrackAt(ProjectStore& p, int64_t setId, int64_t trackId,
                                   int64_t frame);
Expected<HistoryEntry> splitTrack(ProjectStore& p, int64_t setId, int64_t trackId, int64_t frame);
Expected<HistoryEntry> mergeTracks(ProjectStore& p, int64_t setId, int64_t keepId,
                                   int64_t otherId);
Expected<HistoryEntry> changeTrackId(ProjectStore& p, int64_t setId, int64_t fromId, int64_t toId);

// ---- Propagation (the tracker's proposals, accepted) ----
// Where accepted proposals go: the track TRACK_ID of the set; else the lone box OBJECT_ID of the
// set, which becomes a track (the set's largest track id + 1); else (both unset) a new track
// whose first keyframe is COPY (a box of another layer the propagation started from).
struct PropagationStart {
    int64_t objectId = 0;
    int64_t trackId = annotate::kNoTrack;
    std::optional<annotate::Object> copy;
};
// KEYFRAMES (frame, box, source, score are read; the label is the track's at that frame) become
// keyframes of that track, in one entry: a frame where the track has a stored object updates it (box, source, score; a
// keyframe, not outside), the others are new objects. A track made here (from a lone box or a
// copy) ends after the last proposal with an outside keyframe there (a copy of its box), unless
// that is past the media's last frame: the lone box showed on one frame, the track shows on the
// frames proposed and no further. Refused when KEYFRAMES is empty, has a frame twice or a box
// the wrong way round.
Expected<HistoryEntry> addPropagatedKeyframes(ProjectStore& p, int64_t setId,
                                              const PropagationStart& start,
                                              const std::vector<annotate::Object>& keyframes);

// ---- Predictions ----
// Which predictions: all of them in FIRST..LAST whose score is at least MIN_SCORE, or, when IDS
// is not empty, exactly those ids (each must exist).
struct PredictionPick {
    std::vector<int64_t> ids;
    float minScore = -1;
    int64_t first = INT64_MIN, last = INT64_MAX;
    std::string describe() const;   // "objects 3, 4" / "score >= 0.5, frames 10..20"
};
Expected<HistoryEntry> acceptPredictions(ProjectStore& p, int64_t predictionSetId,
                                         int64_t reviewedSetId, const PredictionPick& pick);
Expected<HistoryEntry> rejectPredictions(ProjectStore& p, int64_t predictionSetId,
                                         const PredictionPick& pick);

// ---- Frames ----
// Frames FIRST..LAST of the set get STATE (frames already in it are left out of the change).
Expected<HistoryEntry> setFrameReview(ProjectStore& p, int64_t setId, int64_t first, int64_t last,
                                      FrameReview state);
// The first frame after AFTER that is not reviewed, up to the media's last frame; -1 when none.
Expected<int64_t> nextUnreviewedFrame(ProjectStore& p, int64_t setId, int64_t after);

}  // namespace sl::store::review
