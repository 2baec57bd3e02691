#pragma once
// ProjectJobs: read jobs of a review widget. On the "project" lane (the default) a read runs after
// every edit queued before it, as the edits of ProjectController and ReviewController do. The
// timeline re-reads its layer after edits, so it reads on a lane of its own, "project-read": a
// read of a big layer (2 s for a million objects) must not hold up the edits queued behind it. Each job opens its own read-only
// connection (one per thread, as SQLite advises); in WAL mode it reads a consistent snapshot while
// an edit commits beside it, and an owner whose read may predate an edit reads again when the
// edit's change arrives (TimelineStrip::applyChange). The GUI thread never touches SQLite. The answer runs on the GUI thread, and only when no newer
// generation began since the job was posted (a project, media or layer change drops answers that
// are out of date). The owner's destructor runs ours first: read jobs are cancelled (a queued
// one never starts) and waited for.

#include <QObject>
#include <QString>

#include <string>
#include <utility>
#include <vector>

#include "app/ui_task_hook.h"
#include "store/project_store.h"

namespace sl::gui {

class ProjectJobs {
public:
    explicit ProjectJobs(QObject* owner, const char* lane = "project")
        : owner_(owner), lane_(lane) {}
    ~ProjectJobs() {
        ++generation_;
        for (const auto& job : jobs_) job.cancel();
        for (const auto& job : jobs_) job.wait();
    }
    ProjectJobs(const ProjectJobs&) = delete;
    ProjectJobs& operator=(const ProjectJobs&) = delete;

    // Answers of the jobs posted before are dropped from now on; those not started yet never
    // start (they only read).
    void invalidate() {
        ++generation_;
        for (const auto& job : jobs_) job.cancel();
    }
    int pending() const { return pending_; }

    // WORK(ProjectStore&) -> Expected<T> on the jobs' lane with a read-only connection to
    // PATH; DONE(Expected<T>&) on the GUI thread unless invalidated since.
    template <typename T, typename Work, typename Done>
    void post(const char* what, const QString& path, Work work, Done done) {
        ++pending_;
        std::erase_if(jobs_, [](const pipeline::TaskHandle& t) { return t.finished(); });
        jobs_.push_back(startUiTaskWithResult(
            owner_, pipeline::TaskSpec(what, lane_),
            [path = path.toStdString(),
             work = std::move(work)](pipeline::TaskContext&) mutable -> Expected<T> {
                auto project = store::ProjectStore::open(path, /*readOnly=*/true);
                if (!project) return project.status();
                return work(**project);
            },
            [this, generation = generation_, done = std::move(done)](Expected<T>& r) mutable {
                --pending_;
                if (generation == generation_) done(r);
            }));
    }

    // A task of its own on LANE (no store), for computation that must not hold up the project
    // lane; the same generation rule.
    template <typename T, typename Work, typename Done>
    pipeline::TaskHandle run(pipeline::TaskSpec spec, Work work, Done done) {
        ++pending_;
        std::erase_if(jobs_, [](const pipeline::TaskHandle& t) { return t.finished(); });
        jobs_.push_back(startUiTaskWithResult(
            owner_, std::move(spec), std::move(work),
            [this, generation = generation_, done = std::move(done)](Expected<T>& r) mutable {
                --pending_;
                if (generation == generation_) done(r);
            }));
        return jobs_.back();
    }

private:
    QObject* owner_;
    const char* lane_;
    std::vector<pipeline::TaskHandle> jobs_;
    int generation_ = 0;
    int pending_ = 0;
};

}  // namespace sl::gui
