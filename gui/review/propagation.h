#pragma once
// Propagation: Annotate > Propagate in the video view (issue 14). From the selected box on the
// shown frame the tracker (track/propagator.h) proposes its box on the next N frames, decoded on
// the "propagate" task lane (pipeline/propagation_task.h), never on the GUI thread. The
// candidates it associates with are the boxes of the media's model-run layers on those frames.
//
// The proposals are shown, not stored: the BoxEditor draws them dotted on their frames (whatever
// frame the view steps or seeks to) until the reviewer accepts them all (Enter) or discards them
// (Esc). Accepting is one store edit (review::addPropagatedKeyframes), so one undo step: the
// keyframes of the selected box's track in the edit target; a lone box there becomes a track; a
// box of another layer (a prediction, ground truth) is copied into the edit target as the new
// track's first keyframe. Starting again, or a change of media or project, discards what is
// shown.

#include <QObject>
#include <QString>

#include <optional>
#include <vector>

#include "annotate/annotation.h"
#include "pipeline/background_task.h"
#include "review/review_session.h"
#include "track/propagator.h"

namespace sl::gui {

class ReviewController;

class Propagation : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Running, Showing };

    Propagation(ReviewSession* session, ReviewController* review, QObject* parent = nullptr);
    ~Propagation() override;   // cancels and waits for a run in flight

    State state() const { return state_; }
    // From PICK's box at FRAME of MEDIA_PATH, FRAMES frames on. False (and message()) when it
    // cannot start: nothing or several boxes selected, the box not on this frame, a run already
    // going.
    bool start(const ReviewPick& pick, int64_t frame, const QString& mediaPath, int frames);
    void cancel();    // a run in flight stops; nothing is shown
    void discard();   // the shown proposals are dropped
    void accept();    // the shown proposals are committed (one undo step) and dropped here

    const std::vector<track::Proposal>& proposals() const { return proposals_; }
    const track::Proposal* proposalAt(int64_t frame) const;
    int64_t startFrame() const { return startFrame_; }
    QString stopReason() const { return reason_; }
    // "12 proposals (9 detector, 3 template); stopped at frame 17: ...; Enter accepts, Esc
    // discards" (the status line while they are shown).
    QString summary() const;

signals:
    void stateChanged(sl::gui::Propagation::State state);
    void progress(int done, int total);
    void message(const QString& text);   // refusals and failures, for the status bar
    void changed();                      // what is drawn changed: the view repaints

private:
    void clear();
    void setState(State s);

    ReviewSession* session_;
    ReviewController* review_;
    State state_ = State::Idle;
    pipeline::TaskHandle task_;
    int generation_ = 0;
    ReviewPick pick_;
    annotate::Object startObject_;
    int64_t startFrame_ = -1;
    int requested_ = 0;
    std::vector<track::Proposal> proposals_;
    QString reason_;
};

}  // namespace sl::gui
