// Undo and redo through the workstation: edits made with the ReviewController land in the project
// as they happen; Ctrl+Z and Ctrl+Shift+Z on the window undo and redo them in the project (rows
// compared field by field with what they were), the Undo History panel lists them, the GUI thread
// keeps running while an undo waits for another writer's lock, the stack comes back from the
// project file when it is opened again (undo across sessions), and an entry that another process
// put on top is never undone by mistake: refused in the banner, the stack reloaded.

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QUndoStack>
#include <QUndoView>

#include <sqlite3.h>

#include <memory>

#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "store/project_store.h"
#include "store/review_edits.h"
#include "view/video_view.h"
#include "widgets/error_banner.h"
#include "support/video_generator.h"

using sl::gui::MainWindow;
using sl::gui::ReviewController;
using sl::annotate::Object;

namespace {

constexpr int kTimeoutMs = 30000;

std::vector<Object> objectsOf(const QString& project, int64_t set) {
    auto p = sl::store::ProjectStore::open(project.toStdString(), /*readOnly=*/true);
    if (!p) return {};
    auto o = (*p)->objects(set);
    return o ? *o : std::vector<Object>{};
}

}  // namespace

class TestReviewUndo : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void editsLandAsTheyHappen();
    void keysUndoAndRedoInTheProject();
    void undoWaitsOffTheGuiThread();
    void historyComesBackWhenReopened();
    void anotherWritersEntryIsNotUndone();
    void reviewKeysMarkAndJump();

private:
    void openWindow();
    void waitIdle();

    std::unique_ptr<sl::testing::TempDir> dir_;
    QString project_;
    int64_t set_ = 0;
    std::unique_ptr<MainWindow> window_;
    ReviewController* review_ = nullptr;
    std::vector<std::vector<Object>> states_;   // the set after 0, 1, 2, 3 edits
};

void TestReviewUndo::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_review_undo"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("gui-review");
    project_ = QString::fromStdString(dir_->file("review.slproj").string());
    {
        auto p = sl::store::ProjectStore::create(project_.toStdString());
        QVERIFY2(p.hasValue(), p.status().message().c_str());
        sl::annotate::MediaInfo m;
        m.path = "/videos/review.mp4";
        m.width = 640, m.height = 480, m.frameCount = 50;
        sl::annotate::AnnotationSet s;
        s.name = "reviewed";
        s.kind = sl::annotate::SetKind::Reviewed;
        Object a;
        a.trackId = 1, a.label = "car", a.frame = 0, a.box = {10, 20, 50, 80};
        Object b = a;
        b.frame = 10, b.box = {30, 40, 90, 100};
        s.objects = {a, b};
        auto id = (*p)->importSet(*(*p)->addMedia(m), s);
        QVERIFY(id.hasValue());
        set_ = *id;
    }
    states_.push_back(objectsOf(project_, set_));
    QCOMPARE(states_[0].size(), size_t(2));
    openWindow();
}

void TestReviewUndo::openWindow() {
    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    review_ = window_->review();
    QVERIFY(review_);
    QSignalSpy loaded(review_, &ReviewController::historyLoaded);
    window_->openProject(project_, /*create=*/false);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
    waitIdle();
}

void TestReviewUndo::waitIdle() {
    QSignalSpy failed(review_, &ReviewController::failed);
    QTRY_VERIFY_WITH_TIMEOUT(!review_->busy(), kTimeoutMs);
    for (const QList<QVariant>& f : failed) qWarning() << "review:" << f.at(0).toString();
}

void TestReviewUndo::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestReviewUndo::editsLandAsTheyHappen() {
    namespace review = sl::store::review;
    const int64_t set = set_;
    QSignalSpy changed(review_, &ReviewController::changed);
    review_->edit([set](sl::store::ProjectStore& p) {
        return review::setBox(p, set, 1, {11, 21, 51, 81});
    });
    waitIdle();
    states_.push_back(objectsOf(project_, set_));
    review_->edit([set](sl::store::ProjectStore& p) {
        return review::setKeyframe(p, set, 1, 5);
    });
    waitIdle();
    states_.push_back(objectsOf(project_, set_));
    review_->edit([set](sl::store::ProjectStore& p) {
        return review::setTrackLabel(p, set, 1, "truck");
    });
    waitIdle();
    states_.push_back(objectsOf(project_, set_));
    QCOMPARE(changed.count(), 3);
    QUndoStack* stack = review_->undoStack();
    QCOMPARE(stack->count(), 3);
    QCOMPARE(stack->index(), 3);
    QCOMPARE(stack->text(2), QStringLiteral("label track 1 'truck'"));
    // In the project at once (no save): the box moved, a third object (the keyframe at 5), the
    // label on all three.
    QVERIFY(states_[1][0].box == (sl::vision::Box{11, 21, 51, 81}));
    QCOMPARE(states_[1][0].revision, int64_t(2));
    QCOMPARE(states_[2].size(), size_t(3));
    for (const Object& o : states_[3]) QVERIFY(o.label == "truck");
    // A refused edit: reported by name, nothing pushed.
    QSignalSpy failed(review_, &ReviewController::failed);
    review_->edit([set](sl::store::ProjectStore& p) {
        return review::changeTrackId(p, set, 1, -2);
    });
    waitIdle();
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("track ids are 0 or more")));
    QCOMPARE(stack->count(), 3);
    // The panel lists the project as opened and the three steps.
    auto* view = window_->findChild<QUndoView*>(QStringLiteral("undoHistory"));
    QVERIFY(view);
    QCOMPARE(view->model()->rowCount(), 4);
}

void TestReviewUndo::keysUndoAndRedoInTheProject() {
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    QUndoStack* stack = review_->undoStack();
    for (int k = 3; k > 0; --k) {
        QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier);
        waitIdle();
        QCOMPARE(stack->index(), k - 1);
        QVERIFY2(objectsOf(project_, set_) == states_[size_t(k - 1)],
                 qPrintable(QStringLiteral("after undoing step %1").arg(k)));
    }
    for (int k = 1; k <= 3; ++k) {
        QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        waitIdle();
        QCOMPARE(stack->index(), k);
        QVERIFY2(objectsOf(project_, set_) == states_[size_t(k)],
                 qPrintable(QStringLiteral("after redoing step %1").arg(k)));
    }
}

void TestReviewUndo::undoWaitsOffTheGuiThread() {
    // Another writer holds the project's write lock: the undo waits on the project lane.
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(project_.toUtf8().constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    QElapsedTimer clock;
    clock.start();
    window_->findChild<QAction*>(QStringLiteral("undo"))->trigger();
    const qint64 triggerMs = clock.elapsed();
    int ticks = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, [&] { ++ticks; });
    tick.start(50);
    QTest::qWait(600);
    QVERIFY2(triggerMs < 100, qPrintable(QStringLiteral("trigger took %1 ms").arg(triggerMs)));
    QVERIFY2(ticks >= 8, qPrintable(QStringLiteral("%1 ticks").arg(ticks)));
    QVERIFY(review_->busy());
    QCOMPARE(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    waitIdle();
    QVERIFY(objectsOf(project_, set_) == states_[2]);
}

void TestReviewUndo::historyComesBackWhenReopened() {
    // A new window (a restart): the stack is the project's, one step undone.
    window_.reset();
    openWindow();
    QUndoStack* stack = review_->undoStack();
    QCOMPARE(stack->count(), 3);
    QCOMPARE(stack->index(), 2);
    QCOMPARE(stack->text(0), QStringLiteral("move box 1"));
    window_->findChild<QAction*>(QStringLiteral("redo"))->trigger();
    waitIdle();
    QVERIFY(objectsOf(project_, set_) == states_[3]);
    window_->findChild<QAction*>(QStringLiteral("undo"))->trigger();
    window_->findChild<QAction*>(QStringLiteral("undo"))->trigger();
    waitIdle();
    QCOMPARE(stack->index(), 1);
    QVERIFY(objectsOf(project_, set_) == states_[1]);
}

void TestReviewUndo::anotherWritersEntryIsNotUndone() {
    // The CLI edits the project while the window holds it: its entry is the next to undo.
    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(QStringLiteral(SL_SIGHTLINE_EXE),
              {QStringLiteral("project"), QStringLiteral("edit"), project_,
               QStringLiteral("label"), QString::number(set_), QStringLiteral("2"),
               QStringLiteral("bus")});
    QVERIFY(cli.waitForFinished(kTimeoutMs));
    const QByteArray out = cli.readAll();
    QVERIFY2(cli.exitCode() == 0, out.constData());
    QVERIFY2(out.startsWith("committed #"), out.constData());
    const std::vector<Object> afterCli = objectsOf(project_, set_);

    QSignalSpy failed(review_, &ReviewController::failed);
    QSignalSpy loaded(review_, &ReviewController::historyLoaded);
    window_->findChild<QAction*>(QStringLiteral("undo"))->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
    waitIdle();
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("the next to undo is")),
             qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(window_->errorBanner()->message().contains(QStringLiteral("review.slproj")));
    QVERIFY(objectsOf(project_, set_) == afterCli);
    // The reloaded stack: move box 1 (done), then the CLI's label (done); the undone steps were
    // dropped by the CLI's new edit.
    QUndoStack* stack = review_->undoStack();
    QCOMPARE(stack->count(), 2);
    QCOMPARE(stack->index(), 2);
    QCOMPARE(stack->text(1), QStringLiteral("label box 2 'bus'"));
    window_->findChild<QAction*>(QStringLiteral("undo"))->trigger();
    waitIdle();
    QVERIFY(objectsOf(project_, set_) == states_[1]);
}

void TestReviewUndo::reviewKeysMarkAndJump() {
    // A 50-frame clip shown; the set under review is the project's (as Load Results sets it).
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.frames = 50;
    spec.fps = 25;
    auto video = sl::testing::generateVideo(spec);
    QVERIFY2(video.hasValue(), video.status().message().c_str());
    qint64 shown = -1;
    connect(window_->videoView(), &sl::gui::VideoView::frameDisplayed,
            [&](qint64 index, double) { shown = index; });
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(QString::fromStdString(video->path.string()));
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(shown, qint64(0), kTimeoutMs);
    waitIdle();   // the project's media lookup for the new video
    const auto showFrame = [&](qint64 f) {
        window_->controller()->seekToIndex(f);
        QTRY_COMPARE_WITH_TIMEOUT(shown, f, kTimeoutMs);
    };
    review_->setReviewSet(set_);
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    const auto stateOf = [&](int64_t frame) {
        auto p = sl::store::ProjectStore::open(project_.toStdString(), /*readOnly=*/true);
        return p ? *(*p)->frameReview(set_, frame) : sl::store::FrameReview::Unreviewed;
    };
    // R on frames 0, 1, 2 and 4: the next unreviewed after 0 is 3, after 3 is 5.
    for (qint64 f : {0, 1, 2, 4}) {
        showFrame(f);
        QTest::keyClick(window_.get(), Qt::Key_R);
        waitIdle();
        QCOMPARE(stateOf(f), sl::store::FrameReview::Reviewed);
    }
    showFrame(0);
    QTest::keyClick(window_.get(), Qt::Key_N);
    QTRY_COMPARE_WITH_TIMEOUT(shown, qint64(3), kTimeoutMs);
    // Shift+R flags 3: flagged frames are still to be reviewed, so N from 2 stops there.
    QTest::keyClick(window_.get(), Qt::Key_R, Qt::ShiftModifier);
    waitIdle();
    QCOMPARE(stateOf(3), sl::store::FrameReview::Flagged);
    showFrame(2);
    QTest::keyClick(window_.get(), Qt::Key_N);
    QTRY_COMPARE_WITH_TIMEOUT(shown, qint64(3), kTimeoutMs);
    QTest::keyClick(window_.get(), Qt::Key_N);
    QTRY_COMPARE_WITH_TIMEOUT(shown, qint64(5), kTimeoutMs);
    // The marks are undo steps like any edit: Ctrl+Z twice takes back the flag and frame 4.
    QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier);
    QTest::keyClick(window_.get(), Qt::Key_Z, Qt::ControlModifier);
    waitIdle();
    QCOMPARE(stateOf(3), sl::store::FrameReview::Unreviewed);
    QCOMPARE(stateOf(4), sl::store::FrameReview::Unreviewed);
    QCOMPARE(stateOf(2), sl::store::FrameReview::Reviewed);
}

QTEST_MAIN(TestReviewUndo)
#include "test_review_undo.moc"
