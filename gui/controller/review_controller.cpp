#include "controller/review_controller.h"

#include <QUndoCommand>
#include <QUndoStack>

#include "app/ui_task_hook.h"
#include "controller/project_controller.h"
#include "store/project_store.h"
#include "store/review_edits.h"

namespace sl::gui {

// One entry of the project's history on the QUndoStack.
class HistoryCommand : public QUndoCommand {
public:
    HistoryCommand(ReviewController* owner, const store::HistoryEntry& entry)
        : QUndoCommand(QString::fromStdString(entry.label)), owner_(owner), id_(entry.id) {}

    void redo() override {
        // The first redo is QUndoStack::push's: the store committed the edit already.
        if (pushed_) {
            pushed_ = false;
            return;
        }
        if (!owner_->replaying_) owner_->step(id_, /*undoing=*/false);
    }
    void undo() override {
        if (!owner_->replaying_) owner_->step(id_, /*undoing=*/true);
    }

private:
    ReviewController* owner_;
    int64_t id_;
    bool pushed_ = true;
};

ReviewController::ReviewController(ProjectController* project, QObject* parent)
    : QObject(parent), project_(project), stack_(new QUndoStack(this)) {
    connect(project_, &ProjectController::opened, this, [this] { reload(); });
    connect(project_, &ProjectController::closed, this, [this] {
        ++generation_;
        reviewSet_ = 0;
        replaying_ = true;
        stack_->clear();
        replaying_ = false;
    });
}

ReviewController::~ReviewController() {
    ++generation_;
    // Not cancelled: an edit queued is a user's edit, it still lands (on its own connection).
    for (const auto& job : jobs_) job.wait();
}

void ReviewController::finishJob() {
    if (--pending_ == 0) emit idle();
}

template <typename T, typename Work, typename Done>
void ReviewController::post(const char* what, Work work, Done done) {
    if (!project_->isOpen()) {
        emit failed(tr("%1: no project is open").arg(QString::fromLatin1(what)));
        return;
    }
    ++pending_;
    std::erase_if(jobs_, [](const pipeline::TaskHandle& t) { return t.finished(); });
    jobs_.push_back(startUiTaskWithResult(
        this, pipeline::TaskSpec(what, "project"),
        [path = project_->path().toStdString(), work = std::move(work)](
            pipeline::TaskContext&) mutable -> Expected<T> {
            auto project = store::ProjectStore::open(path);
            if (!project) return project.status();
            return work(**project);
        },
        [this, generation = generation_, done = std::move(done)](Expected<T>& result) mutable {
            if (generation == generation_) done(result);
            finishJob();
        }));
}

void ReviewController::edit(Edit edit) {
    post<store::HistoryEntry>("review edit", std::move(edit),
                              [this](Expected<store::HistoryEntry>& r) {
        if (!r) {
            emit failed(QString::fromStdString(r.status().message()));
            return;
        }
        stack_->push(new HistoryCommand(this, *r));
        emit changed(*r);
    });
}

void ReviewController::step(int64_t entryId, bool undoing) {
    post<store::HistoryEntry>(
        undoing ? "undo" : "redo",
        [entryId, undoing](store::ProjectStore& p) {
            return undoing ? p.undo(entryId) : p.redo(entryId);
        },
        [this](Expected<store::HistoryEntry>& r) {
            if (!r) {
                emit failed(QString::fromStdString(r.status().message()));
                reload();   // the stack follows the file, not the other way round
                return;
            }
            emit changed(*r);
        });
}

void ReviewController::markFrame(int64_t frame, store::FrameReview state) {
    if (reviewSet_ == 0) {
        emit failed(tr("Mark frame: no annotation set is under review (Project > Load Results "
                       "from Project first)"));
        return;
    }
    edit([set = reviewSet_, frame, state](store::ProjectStore& p) {
        return store::review::setFrameReview(p, set, frame, frame, state);
    });
}

void ReviewController::findNextUnreviewed(int64_t after) {
    if (reviewSet_ == 0) {
        emit failed(tr("Next unreviewed frame: no annotation set is under review (Project > "
                       "Load Results from Project first)"));
        return;
    }
    post<int64_t>(
        "find the next unreviewed frame",
        [set = reviewSet_, after](store::ProjectStore& p) {
            return store::review::nextUnreviewedFrame(p, set, after);
        },
        [this](Expected<int64_t>& r) {
            if (!r) {
                emit failed(QString::fromStdString(r.status().message()));
                return;
            }
            emit nextUnreviewed(*r);
        });
}

void ReviewController::reload() {
    post<std::vector<store::HistoryEntry>>(
        "load the undo history", [](store::ProjectStore& p) { return p.history(); },
        [this](Expected<std::vector<store::HistoryEntry>>& r) {
            if (!r) {
                emit failed(QString::fromStdString(r.status().message()));
                return;
            }
            replaying_ = true;
            stack_->clear();
            int done = 0;
            for (const store::HistoryEntry& e : *r) {
                stack_->push(new HistoryCommand(this, e));
                done += e.done ? 1 : 0;
            }
            stack_->setIndex(done);   // the undone entries above the index: the redo steps
            replaying_ = false;
            emit historyLoaded(int(r->size()));
        });
}

}  // namespace sl::gui
