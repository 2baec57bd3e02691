#pragma once
// TaskRunner: the engine's one background-task API (issue 12). Analyse Range, video export, model
// loading and re-tracking in the workstation, and any headless caller, start named tasks here
// instead of making threads of their own.
//
//   TaskRunner runner(hook);                      // hook: how callbacks reach the host's thread
//   TaskHandle h = runner.start({"export video", "export", onProgress},
//       [](TaskContext& ctx) -> Status { ...; ctx.progress(i, n); if (ctx.cancelled()) ...; },
//       [](const Status& st) { ... });           // exactly once, through the hook
//   h.cancel(); h.wait(); h.state(); h.status();
//
// Delivery (the "UI task hook", OBS obs_set_ui_task_handler): every progress and completion
// callback is handed to the host's hook as a closure; the workstation's hook posts it to the Qt
// thread as a queued call (gui/app/ui_task_hook.h), a null hook runs it at once on the thread that
// produced it (the lane's worker for headless callers). The hook must be callable from any thread
// and must run (or drop) each closure once, one at a time, in the order given (Qt queued calls
// to one object do).
//
// Progress is coalesced: a task may report a million steps, yet at most one progress closure per
// task is ever waiting in the hook; when it runs it delivers the latest value, so a fast task
// cannot flood the UI's event queue. The last value reported is always delivered before
// completion, and nothing is delivered after it.
//
// Completion runs exactly once on every path: the function returned a Status or an Expected,
// threw (caught here, at the boundary: exceptions never cross a thread), was cancelled while
// queued or running, or the runner was destroyed (which cancels everything and joins). A
// non-ok final Status names the task: "export video: burn-in: cannot open 'x.mp4' ...";
// an exception becomes Internal "TASK: exception: what()".
//
// Concurrency: one long-lived worker thread per lane (a task kind: "model", "analyse", "export",
// ...), made on the lane's first task. Tasks of one lane run one at a time in start order, which
// is what every caller wants (one model load at a time, a re-track never races the previous
// one); lanes run side by side, so a minutes-long analysis never holds up a model load. The
// thread count is bounded by the number of kinds a host uses, not by the number of tasks.
// The threads live exactly as long as the runner and never exit after a task: nn build helper
// processes (nn/runtime/build_helpers.h) die by PR_SET_PDEATHSIG when the *thread* that spawned
// them exits, so a model load on a short-lived thread would lose its kernel-build helpers the
// moment that thread ended.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "core/status.h"

namespace sl::pipeline {

enum class TaskState { Queued, Running, Succeeded, Failed, Cancelled };
const char* taskStateName(TaskState state);

struct TaskProgress {
    int64_t done = 0;
    int64_t total = 0;   // 0: unknown
    std::string text;    // optional: "layer 37 of 120, 12 kernels built"
};

// Runs a closure on the host's thread (see the header comment). Null: run it in place.
using UiTaskHook = std::function<void(std::function<void()>)>;

struct TaskSpec {
    TaskSpec(std::string name_, std::string lane_ = {},
             std::function<void(const TaskProgress&)> onProgress_ = {})
        : name(std::move(name_)), lane(std::move(lane_)), onProgress(std::move(onProgress_)) {}
    std::string name;   // what the task does, in messages: "analyse range"
    std::string lane;   // its kind: tasks of one lane run one at a time (empty: "default")
    std::function<void(const TaskProgress&)> onProgress;   // (optional) through the hook
};

namespace detail {
struct TaskCore;
}

// What a running task sees. Used on the task's own thread only.
class TaskContext {
public:
    // Coalesced (header comment): cheap to call for every item.
    void progress(int64_t done, int64_t total, std::string text = {});
    bool cancelled() const;
    // For engine calls that poll a flag themselves (runAnalyze, burnIn). Valid while the task runs.
    const std::atomic<bool>* cancelFlag() const;
    const std::string& name() const;
    // The Status a task returns when it stops because cancelled() is true.
    Status cancelledStatus() const;

private:
    friend class TaskRunner;
    explicit TaskContext(detail::TaskCore& core) : core_(core) {}
    detail::TaskCore& core_;
};

// A started task, shared by whoever holds a copy; valid after its runner is gone. Empty when
// default-constructed (every call is then a no-op: state Cancelled, an ok status).
class TaskHandle {
public:
    TaskHandle() = default;
    bool valid() const { return core_ != nullptr; }
    const std::string& name() const;
    TaskState state() const;
    bool finished() const;   // Succeeded, Failed or Cancelled
    // Asks the task to stop. A queued task is taken out of its lane and completes Cancelled at
    // once (its completion handed to the hook from the calling thread); a running one sees
    // cancelled() and ends when it next looks. Idempotent; no-op once finished.
    void cancel() const;
    // Blocks until the task has finished and its completion has been handed to the hook (with a
    // null hook: has run). Never call it from the task itself or from its hook's thread while
    // that thread is needed to run the task (the GUI waits only in destructors, for tasks that
    // post and do not wait for it).
    void wait() const;
    // The final Status (ok while not finished; Cancelled code on cancel).
    Status status() const;

private:
    friend class TaskRunner;
    explicit TaskHandle(std::shared_ptr<detail::TaskCore> core) : core_(std::move(core)) {}
    std::shared_ptr<detail::TaskCore> core_;
};

template <class R>
struct ExpectedValue;
template <class T>
struct ExpectedValue<Expected<T>> {
    using type = T;
};

class TaskRunner {
public:
    explicit TaskRunner(UiTaskHook hook = nullptr);
    // Cancels every task (queued ones complete Cancelled at once), waits for the running ones to
    // return and joins every lane thread. Completions are handed to the hook before it returns.
    ~TaskRunner();
    TaskRunner(const TaskRunner&) = delete;
    TaskRunner& operator=(const TaskRunner&) = delete;

    // Queues `fn` on its lane. `onDone` (optional) receives the final Status through the hook.
    // Thread-safe. After the destructor has begun, a task completes Cancelled without running.
    TaskHandle start(TaskSpec spec, std::function<Status(TaskContext&)> fn,
                     std::function<void(const Status&)> onDone = {});

    // The same for a function returning Expected<T>: `onDone(Expected<T>&)` gets the value (to
    // move out), or the final Status as start() reports it. A value that is never delivered (the
    // hook dropped the closure) is destroyed with the closure.
    template <class Fn, class Done>
    TaskHandle startWithResult(TaskSpec spec, Fn fn, Done onDone) {
        using R = std::invoke_result_t<Fn&, TaskContext&>;
        using T = typename ExpectedValue<R>::type;
        auto slot = std::make_shared<std::optional<T>>();
        return start(
            std::move(spec),
            [fn = std::move(fn), slot](TaskContext& ctx) mutable -> Status {
                R r = fn(ctx);
                if (!r) return r.status();
                slot->emplace(std::move(r).value());
                return Status::ok();
            },
            [slot, onDone = std::move(onDone)](const Status& st) mutable {
                // Built in place and passed by reference: the callee moves out what it keeps
                // (no variant move, which also trips GCC 12's -Wmaybe-uninitialized).
                std::optional<Expected<T>> result;
                if (st && slot->has_value())
                    result.emplace(std::move(**slot));
                else
                    result.emplace(st ? Status(StatusCode::Internal, "task: no value") : st);
                slot->reset();
                onDone(*result);
            });
    }

    // Lane threads made so far (each lives until the destructor).
    int threadCount() const;

private:
    struct Lane {
        std::deque<std::shared_ptr<detail::TaskCore>> queue;
        std::shared_ptr<detail::TaskCore> running;
        std::thread thread;
    };
    void laneLoop(Lane& lane);
    void run(detail::TaskCore& core);

    UiTaskHook hook_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<std::string, std::unique_ptr<Lane>> lanes_;
};

}  // namespace sl::pipeline
