#pragma once
// ReviewController: the workstation's side of the review edits (store/review_edits.h) and of the
// project's durable undo history. It owns the window's QUndoStack; each step on it stands for one
// entry of the project's edit_history, so Edit > Undo, the undo history panel (QUndoView), the CLI
// (`sightline project undo`) and a reopened project all walk the same history.
//
// Threads: every store call runs as a job on the "project" lane of the UI task runner
// (app/ui_task_hook.h), after the ProjectController's jobs queued before it, each with its own
// connection; the GUI thread never waits on SQLite. An edit is pushed onto the stack only once its
// transaction committed (its first redo() does nothing: the store already applied it); undo() and
// redo() of a step post the store's undo / redo of exactly that entry. When the store refuses
// (another window or process edited the project meanwhile, so the next entry is another one) the
// refusal is reported by failed() and the stack is reloaded from the project, so it never shows a
// history the file does not have.

#include <QObject>
#include <QString>

#include <functional>
#include <vector>

#include "core/status.h"
#include "pipeline/background_task.h"
#include "store/change_set.h"

class QUndoStack;

namespace sl::store {
class ProjectStore;
}

namespace sl::gui {

class ProjectController;

class ReviewController : public QObject {
    Q_OBJECT
public:
    explicit ReviewController(ProjectController* project, QObject* parent = nullptr);
    ~ReviewController() override;   // waits for the jobs in flight

    QUndoStack* undoStack() const { return stack_; }
    bool busy() const { return pending_ > 0; }

    // An edit: EDIT runs on the project lane with its own connection (one transaction, with its
    // history entry); on success one step is pushed and changed() follows, else failed().
    using Edit = std::function<Expected<store::HistoryEntry>(store::ProjectStore&)>;
    void edit(Edit edit);
    // The stack rebuilt from the project's history (done on every open); historyLoaded().
    void reload();

    // The set whose frames the review keys mark and search (the set loaded from the project;
    // 0 = none, then they report failed()).
    void setReviewSet(int64_t setId) { reviewSet_ = setId; }
    int64_t reviewSet() const { return reviewSet_; }
    void markFrame(int64_t frame, store::FrameReview state);   // one undo step
    void findNextUnreviewed(int64_t after);                     // nextUnreviewed()

signals:
    // An entry was committed, undone or redone: the views redraw from the store.
    void changed(const sl::store::HistoryEntry& entry);
    void failed(const QString& message);
    void historyLoaded(int entries);
    void idle();   // no job left (tests wait on it)
    // The first frame after the one asked about that is not reviewed; -1 when there is none.
    void nextUnreviewed(qint64 frame);

private:
    friend class HistoryCommand;
    void step(int64_t entryId, bool undoing);
    // WORK (ProjectStore&) -> Expected<T> on the lane; DONE(Expected<T>&) on the GUI thread,
    // dropped when the project changed since.
    template <typename T, typename Work, typename Done>
    void post(const char* what, Work work, Done done);
    void finishJob();

    ProjectController* project_;
    QUndoStack* stack_;
    std::vector<pipeline::TaskHandle> jobs_;
    int generation_ = 0;
    int64_t reviewSet_ = 0;
    int pending_ = 0;
    bool replaying_ = false;   // the stack is being rebuilt: its undo()/redo() calls are not edits
};

}  // namespace sl::gui
