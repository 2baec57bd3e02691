// pipeline::TaskRunner (background_task.h): progress order and coalescing, cancel (queued and
// running), errors and exceptions named after the task, Expected results, completion exactly
// once on every path including the runner's destruction, and lane threads that neither leak nor
// end early. Synchronisation is by promises and latches, never by sleeping.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "pipeline/background_task.h"

using namespace sl;
using namespace sl::pipeline;

namespace {

constexpr auto kGuard = std::chrono::seconds(20);   // a hung test fails instead of hanging

// A host's event queue that the test drains by hand: it stands for a busy UI thread.
class ManualHook {
public:
    UiTaskHook hook() {
        return [this](std::function<void()> f) {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(f));
        };
    }
    size_t pending() const {
        std::lock_guard lock(mutex_);
        return queue_.size();
    }
    // Runs what is queued now, in order; returns how many ran.
    size_t drain() {
        std::vector<std::function<void()>> batch;
        {
            std::lock_guard lock(mutex_);
            batch.swap(queue_);
        }
        for (auto& f : batch) f();
        return batch.size();
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::function<void()>> queue_;
};

size_t processThreads() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task"))
        ++n;
    return n;
}

// The thread count once it reaches `expected`, or whatever it is after the guard time. A joined
// thread's /proc entry can outlive pthread_join by a moment (the kernel clears the tid, which
// join waits for, before it releases the task), so "no leak" is checked as "drops back to".
size_t threadsSettlingAt(size_t expected,
                         std::chrono::steady_clock::duration guard = kGuard) {
    const auto until = std::chrono::steady_clock::now() + guard;
    size_t n = processThreads();
    while (n != expected && std::chrono::steady_clock::now() < until) {
        std::this_thread::yield();
        n = processThreads();
    }
    return n;
}

// Blocks a task until the test opens it.
struct Gate {
    std::promise<void> open;
    std::shared_future<void> opened = open.get_future().share();
    bool waitOpened() const { return opened.wait_for(kGuard) == std::future_status::ready; }
};

// Spins until cancelled (what a long analysis does between frames).
Status runUntilCancelled(TaskContext& ctx, std::promise<void>* started) {
    if (started) started->set_value();
    const auto until = std::chrono::steady_clock::now() + kGuard;
    while (!ctx.cancelled()) {
        if (std::chrono::steady_clock::now() > until)
            return Status(StatusCode::Internal, "never cancelled");
        std::this_thread::yield();
    }
    return ctx.cancelledStatus();
}

}  // namespace

TEST(BackgroundTask, ProgressInOrderAndLastValueBeforeCompletion) {
    TaskRunner runner;   // headless: callbacks on the worker thread
    std::vector<int64_t> seen;
    std::vector<std::string> events;
    int done = 0;
    TaskSpec spec{"count", "work", [&](const TaskProgress& p) {
                      seen.push_back(p.done);
                      EXPECT_EQ(p.total, 100);
                      events.push_back("progress");
                  }};
    TaskHandle h = runner.start(
        std::move(spec),
        [](TaskContext& ctx) {
            for (int i = 1; i <= 100; ++i) ctx.progress(i, 100, "step");
            return Status::ok();
        },
        [&](const Status& st) {
            EXPECT_TRUE(st.isOk()) << st.message();
            ++done;
            events.push_back("done");
        });
    h.wait();
    EXPECT_EQ(h.state(), TaskState::Succeeded);
    EXPECT_EQ(done, 1);
    ASSERT_FALSE(seen.empty());
    for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i - 1], seen[i]);
    EXPECT_EQ(seen.back(), 100);
    EXPECT_EQ(events.back(), "done");
}

TEST(BackgroundTask, ProgressIsCoalescedWhileTheHostIsBusy) {
    ManualHook host;
    TaskRunner runner(host.hook());
    std::vector<TaskProgress> seen;
    int done = 0;
    Gate gate;
    std::promise<void> first;
    TaskHandle h = runner.start(
        {"flood", "work", [&](const TaskProgress& p) { seen.push_back(p); }},
        [&](TaskContext& ctx) {
            ctx.progress(1, 100000);
            first.set_value();
            if (!gate.waitOpened()) return Status(StatusCode::Internal, "gate");
            for (int i = 2; i <= 100000; ++i) ctx.progress(i, 100000, std::to_string(i));
            return Status::ok();
        },
        [&](const Status&) { ++done; });
    ASSERT_EQ(first.get_future().wait_for(kGuard), std::future_status::ready);
    EXPECT_EQ(host.pending(), 1u);   // one progress closure for the first report
    EXPECT_EQ(host.drain(), 1u);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].done, 1);
    gate.open.set_value();
    h.wait();
    // 99,999 reports while the host was busy: one progress closure, then the completion.
    EXPECT_EQ(host.pending(), 2u);
    EXPECT_EQ(done, 0);   // nothing runs on the host before it drains its queue
    EXPECT_EQ(host.drain(), 2u);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[1].done, 100000);
    EXPECT_EQ(seen[1].total, 100000);
    EXPECT_EQ(seen[1].text, "100000");
    EXPECT_EQ(done, 1);
    EXPECT_EQ(host.drain(), 0u);
}

TEST(BackgroundTask, CompletionFlushesProgressEvenOutOfOrder) {
    // A hook that runs closures in reverse order still gets the last progress before completion,
    // and nothing after it.
    std::vector<std::function<void()>> queue;
    std::mutex m;
    TaskRunner runner([&](std::function<void()> f) {
        std::lock_guard lock(m);
        queue.push_back(std::move(f));
    });
    std::vector<std::string> events;
    TaskHandle h = runner.start(
        {"reverse", "work",
         [&](const TaskProgress& p) { events.push_back("p" + std::to_string(p.done)); }},
        [](TaskContext& ctx) {
            ctx.progress(7, 7);
            return Status::ok();
        },
        [&](const Status&) { events.push_back("done"); });
    h.wait();
    ASSERT_EQ(queue.size(), 2u);
    for (auto it = queue.rbegin(); it != queue.rend(); ++it) (*it)();
    EXPECT_EQ(events, (std::vector<std::string>{"p7", "done"}));
}

TEST(BackgroundTask, CancelWhileRunningGivesCancelled) {
    TaskRunner runner;
    std::promise<void> started;
    std::atomic<int> done{0};
    Status final;
    TaskHandle h = runner.start({"analyse range", "analyse"},
                                [&](TaskContext& ctx) { return runUntilCancelled(ctx, &started); },
                                [&](const Status& st) {
                                    final = st;
                                    ++done;
                                });
    ASSERT_EQ(started.get_future().wait_for(kGuard), std::future_status::ready);
    EXPECT_EQ(h.state(), TaskState::Running);
    h.cancel();
    h.wait();
    EXPECT_EQ(h.state(), TaskState::Cancelled);
    EXPECT_EQ(h.status().code(), StatusCode::Cancelled);
    EXPECT_EQ(h.status().message(), "analyse range: cancelled");
    EXPECT_EQ(final.code(), StatusCode::Cancelled);
    EXPECT_EQ(done.load(), 1);
    h.cancel();   // idempotent once finished
    EXPECT_EQ(done.load(), 1);
}

TEST(BackgroundTask, CancelWhileQueuedCompletesAtOnceWithoutRunning) {
    TaskRunner runner;
    Gate gate;
    std::promise<void> started;
    TaskHandle blocker = runner.start({"blocker", "lane"}, [&](TaskContext&) {
        started.set_value();
        return gate.waitOpened() ? Status::ok() : Status(StatusCode::Internal, "gate");
    });
    ASSERT_EQ(started.get_future().wait_for(kGuard), std::future_status::ready);
    std::atomic<bool> ran{false};
    int done = 0;
    TaskHandle queued = runner.start(
        {"export video", "lane"},
        [&](TaskContext&) {
            ran = true;
            return Status::ok();
        },
        [&](const Status& st) {
            EXPECT_EQ(st.code(), StatusCode::Cancelled);
            ++done;
        });
    EXPECT_EQ(queued.state(), TaskState::Queued);
    queued.cancel();
    // Finished now, although its lane is busy: wait() does not wait for the blocker.
    EXPECT_EQ(queued.state(), TaskState::Cancelled);
    queued.wait();
    EXPECT_EQ(done, 1);   // null hook: delivered on the cancelling thread
    gate.open.set_value();
    blocker.wait();
    EXPECT_EQ(blocker.state(), TaskState::Succeeded);
    // The lane skips the cancelled entry: a task after it still runs.
    TaskHandle after = runner.start({"after", "lane"}, [](TaskContext&) { return Status::ok(); });
    after.wait();
    EXPECT_EQ(after.state(), TaskState::Succeeded);
    EXPECT_FALSE(ran.load());
    EXPECT_EQ(done, 1);
}

TEST(BackgroundTask, ErrorStatusNamesTheTask) {
    TaskRunner runner;
    Status final;
    int done = 0;
    TaskHandle h = runner.start(
        {"load model", "model"},
        [](TaskContext&) { return Status(StatusCode::InvalidData, "onnx: checker: bad graph"); },
        [&](const Status& st) {
            final = st;
            ++done;
        });
    h.wait();
    EXPECT_EQ(h.state(), TaskState::Failed);
    EXPECT_EQ(final.code(), StatusCode::InvalidData);
    EXPECT_EQ(final.message(), "load model: onnx: checker: bad graph");
    EXPECT_EQ(h.status().message(), final.message());
    EXPECT_EQ(done, 1);
}

TEST(BackgroundTask, ExceptionIsCaughtAndNamed) {
    TaskRunner runner;
    std::vector<Status> finals;
    TaskHandle a = runner.start(
        {"export video", "x"},
        [](TaskContext&) -> Status { throw std::runtime_error("disk on fire"); },
        [&](const Status& st) { finals.push_back(st); });
    a.wait();
    TaskHandle b = runner.start(
        {"odd", "x"}, [](TaskContext&) -> Status { throw 42; },
        [&](const Status& st) { finals.push_back(st); });
    b.wait();
    ASSERT_EQ(finals.size(), 2u);
    EXPECT_EQ(a.state(), TaskState::Failed);
    EXPECT_EQ(finals[0].code(), StatusCode::Internal);
    EXPECT_EQ(finals[0].message(), "export video: exception: disk on fire");
    EXPECT_EQ(finals[1].message(), "odd: unknown exception");
    // The lane thread survived both: it still runs tasks.
    TaskHandle c = runner.start({"next", "x"}, [](TaskContext&) { return Status::ok(); });
    c.wait();
    EXPECT_EQ(c.state(), TaskState::Succeeded);
    EXPECT_EQ(runner.threadCount(), 1);
}

TEST(BackgroundTask, ExpectedValueReachesCompletion) {
    TaskRunner runner;
    int value = 0;
    Status error;
    TaskHandle ok = runner.startWithResult(
        TaskSpec{"load", "model"},
        [](TaskContext&) -> Expected<std::unique_ptr<int>> { return std::make_unique<int>(42); },
        [&](Expected<std::unique_ptr<int>>& r) {
            ASSERT_TRUE(r.hasValue());
            value = **r;
        });
    ok.wait();
    TaskHandle bad = runner.startWithResult(
        TaskSpec{"load", "model"},
        [](TaskContext&) -> Expected<std::unique_ptr<int>> {
            return Status(StatusCode::NotFound, "models: 'x' is not installed");
        },
        [&](Expected<std::unique_ptr<int>>& r) { error = r.status(); });
    bad.wait();
    EXPECT_EQ(value, 42);
    EXPECT_EQ(error.code(), StatusCode::NotFound);
    EXPECT_EQ(error.message(), "load: models: 'x' is not installed");
}

TEST(BackgroundTask, DestructionCompletesQueuedAndRunningTasksExactlyOnce) {
    std::atomic<int> completions[4] = {0, 0, 0, 0};
    std::atomic<int> ran{0};
    std::vector<TaskHandle> handles;
    const size_t before = threadsSettlingAt(1, std::chrono::seconds(1));   // gtest's thread
    {
        TaskRunner runner;
        std::promise<void> started;
        handles.push_back(runner.start(
            {"running", "a"}, [&](TaskContext& ctx) { return runUntilCancelled(ctx, &started); },
            [&](const Status&) { ++completions[0]; }));
        ASSERT_EQ(started.get_future().wait_for(kGuard), std::future_status::ready);
        for (int i = 1; i <= 2; ++i)   // behind it on its lane
            handles.push_back(runner.start(
                {"queued", "a"},
                [&](TaskContext&) {
                    ++ran;
                    return Status::ok();
                },
                [&, i](const Status&) { ++completions[i]; }));
        std::promise<void> started2;
        handles.push_back(runner.start(
            {"other lane", "b"},
            [&](TaskContext& ctx) { return runUntilCancelled(ctx, &started2); },
            [&](const Status&) { ++completions[3]; }));
        ASSERT_EQ(started2.get_future().wait_for(kGuard), std::future_status::ready);
        EXPECT_EQ(runner.threadCount(), 2);
        EXPECT_EQ(processThreads(), before + 2);
    }
    for (auto& c : completions) EXPECT_EQ(c.load(), 1);
    EXPECT_EQ(ran.load(), 0);
    for (const auto& h : handles) {
        EXPECT_EQ(h.state(), TaskState::Cancelled) << h.name();
        EXPECT_EQ(h.status().code(), StatusCode::Cancelled);
        h.wait();   // returns: finished, and valid after the runner
    }
    EXPECT_EQ(threadsSettlingAt(before), before);
}

TEST(BackgroundTask, OneLongLivedThreadPerLane) {
    const size_t before = threadsSettlingAt(1, std::chrono::seconds(1));
    {
        TaskRunner runner;
        std::mutex m;
        std::set<std::thread::id> threads;
        std::vector<int> order;
        std::vector<TaskHandle> handles;
        for (int i = 0; i < 20; ++i)
            handles.push_back(runner.start({"step", "model"}, [&, i](TaskContext&) {
                std::lock_guard lock(m);
                threads.insert(std::this_thread::get_id());
                order.push_back(i);
                return Status::ok();
            }));
        for (auto& h : handles) h.wait();
        // One thread ran every task of the lane, in start order, and it is still there after
        // them (a thread that exited would take its child processes' PR_SET_PDEATHSIG with it).
        EXPECT_EQ(threads.size(), 1u);
        ASSERT_EQ(order.size(), 20u);
        for (int i = 0; i < 20; ++i) EXPECT_EQ(order[size_t(i)], i);
        EXPECT_EQ(runner.threadCount(), 1);
        EXPECT_EQ(processThreads(), before + 1);
    }
    EXPECT_EQ(threadsSettlingAt(before), before);
}

TEST(BackgroundTask, LanesRunSideBySide) {
    TaskRunner runner;
    Gate gate;
    // "a" can only finish once "b" has run: it would never end if lanes shared one thread.
    TaskHandle a = runner.start({"long", "analyse"}, [&](TaskContext&) {
        return gate.waitOpened() ? Status::ok() : Status(StatusCode::Internal, "starved");
    });
    TaskHandle b = runner.start({"short", "model"}, [&](TaskContext&) {
        gate.open.set_value();
        return Status::ok();
    });
    a.wait();
    b.wait();
    EXPECT_EQ(a.state(), TaskState::Succeeded) << a.status().message();
    EXPECT_EQ(b.state(), TaskState::Succeeded);
}

TEST(BackgroundTask, EmptyHandleIsHarmless) {
    TaskHandle h;
    EXPECT_FALSE(h.valid());
    h.cancel();
    h.wait();
    EXPECT_TRUE(h.finished());
    EXPECT_TRUE(h.status().isOk());
}
