#pragma once
// The workstation's one UI task hook (DESIGN.md: gui/ holds "one UI task hook"): the process's
// pipeline::TaskRunner, whose hook posts every progress and completion closure to the GUI thread
// as a queued call (OBS obs_set_ui_task_handler -> QMetaObject::invokeMethod in OBSApp.cpp). Every
// background task of the GUI runs on it (Analyse Range, video export, model loading, retiring
// detector workers, re-tracking); no widget or controller makes a thread of its own.
//
// Why one process-wide runner and not one per owner: its lane threads are shared by every window
// and dialog (a handful of threads however many tasks ran), and they live until the application
// ends, which the nn build helpers need (pipeline/background_task.h, PR_SET_PDEATHSIG). It is made
// on first use and destroyed with the QCoreApplication (a post routine), which cancels and joins
// whatever still runs; owners cancel and wait for their own tasks in their destructors first.

#include <QObject>
#include <QPointer>

#include <functional>
#include <utility>

#include "pipeline/background_task.h"

namespace sl::gui {

// GUI thread only. Without a QCoreApplication (never in the workstation): a runner whose
// callbacks run on the worker threads.
pipeline::TaskRunner& uiTaskRunner();

namespace detail {
// `f` runs only while `receiver` lives. Called on the GUI thread (the hook's), where the
// receiver is destroyed too, so the QPointer check cannot race.
template <class F>
auto whileAlive(QObject* receiver, F f) {
    return [guard = QPointer<QObject>(receiver), f = std::move(f)](auto&&... args) mutable {
        if (guard) f(std::forward<decltype(args)>(args)...);
    };
}
}  // namespace detail

// Starts a task on uiTaskRunner() whose progress and completion run on the GUI thread, and only
// while `receiver` lives (as Qt drops a queued call to a destroyed object). The task's function
// runs on a lane thread and must not touch `receiver`; a receiver whose task borrows something
// it owns cancels and waits for the handle in its destructor.
inline pipeline::TaskHandle startUiTask(QObject* receiver, pipeline::TaskSpec spec,
                                        std::function<Status(pipeline::TaskContext&)> fn,
                                        std::function<void(const Status&)> onDone = {}) {
    if (spec.onProgress) spec.onProgress = detail::whileAlive(receiver, std::move(spec.onProgress));
    if (onDone) onDone = detail::whileAlive(receiver, std::move(onDone));
    return uiTaskRunner().start(std::move(spec), std::move(fn), std::move(onDone));
}

// The same for a function returning Expected<T> (TaskRunner::startWithResult).
template <class Fn, class Done>
pipeline::TaskHandle startUiTaskWithResult(QObject* receiver, pipeline::TaskSpec spec, Fn fn,
                                           Done onDone) {
    if (spec.onProgress) spec.onProgress = detail::whileAlive(receiver, std::move(spec.onProgress));
    return uiTaskRunner().startWithResult(std::move(spec), std::move(fn),
                                          detail::whileAlive(receiver, std::move(onDone)));
}

}  // namespace sl::gui
