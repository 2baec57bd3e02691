#include "pipeline/background_task.h"

#include <exception>
#include <vector>

#include "core/log.h"

namespace sl::pipeline {

namespace detail {

// One task's shared state: the handle's copies, the lane's queue entry and the closures handed
// to the hook all hold it, so whichever ends last frees it (the hook may drop a closure).
struct TaskCore {
    std::weak_ptr<TaskCore> self;   // for the closures the task's own thread hands out
    std::string name;
    std::shared_ptr<const UiTaskHook> hook;
    std::function<Status(TaskContext&)> fn;   // released once finished
    std::function<void(const TaskProgress&)> onProgress;
    std::function<void(const Status&)> onDone;
    std::atomic<bool> cancel{false};

    std::mutex mutex;
    std::condition_variable settledCv;
    TaskState state = TaskState::Queued;
    Status status;
    bool settled = false;          // the completion has been handed to the hook
    TaskProgress latest;           // the newest value not yet delivered...
    bool fresh = false;            // ...when this is set
    bool progressPosted = false;   // a progress closure is waiting in the hook
    bool completed = false;        // the completion closure ran: nothing after it
};

}  // namespace detail

using detail::TaskCore;

namespace {

// Runs a callback on the hook's thread: exceptions stop here (they never cross a thread).
template <class F>
void guarded(const std::string& name, F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        logError("task", name + ": a callback threw: " + e.what());
    } catch (...) {
        logError("task", name + ": a callback threw");
    }
}

void post(const std::shared_ptr<TaskCore>& core, std::function<void()> closure) {
    if (*core->hook)
        (*core->hook)(std::move(closure));
    else
        closure();
}

void deliverProgress(const std::shared_ptr<TaskCore>& core) {
    TaskProgress p;
    {
        std::lock_guard lock(core->mutex);
        core->progressPosted = false;
        if (core->completed || !core->fresh) return;
        p = core->latest;
        core->fresh = false;
    }
    guarded(core->name, [&] { core->onProgress(p); });
}

void deliverCompletion(const std::shared_ptr<TaskCore>& core) {
    std::optional<TaskProgress> last;
    Status status;
    {
        std::lock_guard lock(core->mutex);
        if (core->completed) return;
        core->completed = true;
        if (core->fresh) last = core->latest;
        core->fresh = false;
        status = core->status;
    }
    // Moved out: what the callbacks hold (a result, a receiver) is released here, on the hook's
    // thread, not whenever the last handle goes.
    auto onProgress = std::move(core->onProgress);
    auto onDone = std::move(core->onDone);
    if (last && onProgress) guarded(core->name, [&] { onProgress(*last); });
    if (onDone) guarded(core->name, [&] { onDone(status); });
}

// The task reached `state` (set by the caller under the lock): hands the completion to the hook
// once and wakes the waiters.
void settle(const std::shared_ptr<TaskCore>& core) {
    core->fn = nullptr;   // its captures go now, on the finishing thread
    post(core, [core] { deliverCompletion(core); });
    {
        std::lock_guard lock(core->mutex);
        core->settled = true;
    }
    core->settledCv.notify_all();
}

Status cancelledStatus(const std::string& name) {
    return Status(StatusCode::Cancelled, name + ": cancelled");
}

// A non-ok Status names the task, once (ctx.cancelledStatus() already does).
Status named(const std::string& name, const Status& st) {
    if (st.isOk() || st.message().rfind(name + ": ", 0) == 0) return st;
    return Status(st.code(), name + ": " + st.message());
}

// Queued -> Cancelled, when nobody has claimed it yet. True when this call did it.
bool cancelQueued(const std::shared_ptr<TaskCore>& core) {
    core->cancel = true;
    {
        std::lock_guard lock(core->mutex);
        if (core->state != TaskState::Queued) return false;
        core->state = TaskState::Cancelled;
        core->status = cancelledStatus(core->name);
    }
    settle(core);
    return true;
}

}  // namespace

const char* taskStateName(TaskState state) {
    switch (state) {
    case TaskState::Queued: return "queued";
    case TaskState::Running: return "running";
    case TaskState::Succeeded: return "succeeded";
    case TaskState::Failed: return "failed";
    case TaskState::Cancelled: return "cancelled";
    }
    return "?";
}

// ---- TaskContext

void TaskContext::progress(int64_t done, int64_t total, std::string text) {
    if (!core_.onProgress) return;
    bool postNow = false;
    {
        std::lock_guard lock(core_.mutex);
        core_.latest = TaskProgress{done, total, std::move(text)};
        core_.fresh = true;
        postNow = !core_.progressPosted;
        core_.progressPosted = true;
    }
    if (!postNow) return;   // the waiting closure will deliver this value
    // The context is only used by the running task, which its lane holds a reference to; the
    // closure needs its own.
    std::shared_ptr<TaskCore> self = core_.self.lock();
    if (self) post(self, [self] { deliverProgress(self); });
}

bool TaskContext::cancelled() const { return core_.cancel.load(); }

const std::atomic<bool>* TaskContext::cancelFlag() const { return &core_.cancel; }

const std::string& TaskContext::name() const { return core_.name; }

Status TaskContext::cancelledStatus() const { return sl::pipeline::cancelledStatus(core_.name); }

// ---- TaskHandle

const std::string& TaskHandle::name() const {
    static const std::string none;
    return core_ ? core_->name : none;
}

TaskState TaskHandle::state() const {
    if (!core_) return TaskState::Cancelled;
    std::lock_guard lock(core_->mutex);
    return core_->state;
}

bool TaskHandle::finished() const {
    const TaskState s = state();
    return s != TaskState::Queued && s != TaskState::Running;
}

void TaskHandle::cancel() const {
    if (core_) cancelQueued(core_);   // a running task only gets the flag
}

void TaskHandle::wait() const {
    if (!core_) return;
    std::unique_lock lock(core_->mutex);
    core_->settledCv.wait(lock, [&] { return core_->settled; });
}

Status TaskHandle::status() const {
    if (!core_) return Status::ok();
    std::lock_guard lock(core_->mutex);
    return core_->status;
}

// ---- TaskRunner

TaskRunner::TaskRunner(UiTaskHook hook) : hook_(std::move(hook)) {}

TaskRunner::~TaskRunner() {
    std::vector<std::shared_ptr<TaskCore>> queued, running;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        for (auto& [name, lane] : lanes_) {
            for (auto& core : lane->queue) queued.push_back(core);
            if (lane->running) running.push_back(lane->running);
        }
    }
    for (auto& core : running) core->cancel = true;
    for (auto& core : queued) cancelQueued(core);
    wake_.notify_all();
    for (auto& [name, lane] : lanes_) lane->thread.join();
}

TaskHandle TaskRunner::start(TaskSpec spec, std::function<Status(TaskContext&)> fn,
                             std::function<void(const Status&)> onDone) {
    auto core = std::make_shared<TaskCore>();
    core->self = core;
    core->name = spec.name.empty() ? std::string("task") : std::move(spec.name);
    core->hook = std::make_shared<const UiTaskHook>(hook_);
    core->fn = std::move(fn);
    core->onProgress = std::move(spec.onProgress);
    core->onDone = std::move(onDone);
    const std::string laneName = spec.lane.empty() ? std::string("default") : spec.lane;
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            auto& lane = lanes_[laneName];
            if (!lane) {
                lane = std::make_unique<Lane>();
                // Lives until ~TaskRunner (see the header: PR_SET_PDEATHSIG).
                lane->thread = std::thread([this, l = lane.get()] { laneLoop(*l); });
            }
            lane->queue.push_back(core);
            wake_.notify_all();
            return TaskHandle(core);
        }
    }
    cancelQueued(core);   // the runner is going away: completes Cancelled, never runs
    return TaskHandle(core);
}

int TaskRunner::threadCount() const {
    std::lock_guard lock(mutex_);
    return int(lanes_.size());
}

void TaskRunner::laneLoop(Lane& lane) {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !lane.queue.empty(); });
        if (lane.queue.empty()) return;   // stopping, and nothing left to skip
        std::shared_ptr<TaskCore> core = std::move(lane.queue.front());
        lane.queue.pop_front();
        {
            std::lock_guard coreLock(core->mutex);
            if (core->state != TaskState::Queued) continue;   // cancelled while queued
            core->state = TaskState::Running;
        }
        if (stopping_) core->cancel = true;   // claimed just as the destructor began
        lane.running = core;
        lock.unlock();
        run(*core);
        lock.lock();
        lane.running = nullptr;
    }
}

void TaskRunner::run(TaskCore& core) {
    std::shared_ptr<TaskCore> self = core.self.lock();
    Status st;
    if (core.cancel) {
        st = cancelledStatus(core.name);
    } else {
        TaskContext ctx(core);
        try {
            st = named(core.name, core.fn(ctx));
        } catch (const std::exception& e) {
            st = Status(StatusCode::Internal, core.name + ": exception: " + e.what());
        } catch (...) {
            st = Status(StatusCode::Internal, core.name + ": unknown exception");
        }
    }
    {
        std::lock_guard lock(core.mutex);
        core.state = st.isOk()                            ? TaskState::Succeeded
                     : st.code() == StatusCode::Cancelled ? TaskState::Cancelled
                                                          : TaskState::Failed;
        core.status = st;
    }
    settle(self);
}

}  // namespace sl::pipeline
