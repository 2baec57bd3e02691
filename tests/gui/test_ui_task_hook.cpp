// The GUI's UI task hook (app/ui_task_hook.h) over pipeline::TaskRunner: progress and completion
// run on the GUI thread, progress reported while the GUI thread was busy arrives as one call with
// the latest value, and nothing runs for a receiver that is gone.

#include <QApplication>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <memory>

#include "app/ui_task_hook.h"

using sl::Status;
using sl::pipeline::TaskContext;
using sl::pipeline::TaskProgress;
using sl::pipeline::TaskSpec;
using sl::pipeline::TaskState;

class TestUiTaskHook : public QObject {
    Q_OBJECT

private slots:
    void deliversOnTheGuiThreadCoalesced();
    void dropsCallbacksOfADestroyedReceiver();
};

void TestUiTaskHook::deliversOnTheGuiThreadCoalesced() {
    QObject receiver;
    int progressCalls = 0, done = 0;
    int64_t lastDone = -1;
    bool progressOnGui = false, doneOnGui = false;
    Status final;
    auto h = sl::gui::startUiTask(
        &receiver,
        TaskSpec("count", "test",
                 [&](const TaskProgress& p) {
                     ++progressCalls;
                     lastDone = p.done;
                     progressOnGui = QThread::currentThread() == qApp->thread();
                 }),
        [](TaskContext& ctx) {
            for (int i = 1; i <= 5000; ++i) ctx.progress(i, 5000);
            return Status::ok();
        },
        [&](const Status& st) {
            ++done;
            final = st;
            doneOnGui = QThread::currentThread() == qApp->thread();
        });
    // The GUI thread is busy here (waiting), as it may be under a heavy paint: 5000 reports wait.
    h.wait();
    QCOMPARE(h.state(), TaskState::Succeeded);
    QCOMPARE(done, 0);   // queued calls: nothing ran in the task's thread
    QTRY_COMPARE(done, 1);
    QCOMPARE(progressCalls, 1);   // coalesced into the one call that was waiting
    QCOMPARE(lastDone, int64_t(5000));
    QVERIFY(progressOnGui);
    QVERIFY(doneOnGui);
    QVERIFY(final.isOk());
}

void TestUiTaskHook::dropsCallbacksOfADestroyedReceiver() {
    auto receiver = std::make_unique<QObject>();
    bool called = false;
    auto h = sl::gui::startUiTask(
        receiver.get(), TaskSpec("orphan", "test"),
        [](TaskContext&) { return Status(sl::StatusCode::Io, "disk gone"); },
        [&](const Status&) { called = true; });
    h.wait();
    receiver.reset();   // before the GUI thread gets to the completion
    // A later task on the same lane completes normally: the dropped call did not block it.
    QObject other;
    bool otherDone = false;
    auto h2 = sl::gui::startUiTask(&other, TaskSpec("next", "test"),
                                   [](TaskContext&) { return Status::ok(); },
                                   [&](const Status&) { otherDone = true; });
    QTRY_VERIFY(otherDone);
    QVERIFY(!called);
    QCOMPARE(h.state(), TaskState::Failed);
    QCOMPARE(QString::fromStdString(h.status().message()), QStringLiteral("orphan: disk gone"));
}

QTEST_MAIN(TestUiTaskHook)
#include "test_ui_task_hook.moc"
