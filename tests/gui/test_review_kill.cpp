// A kill -9 of the workstation during a burst of edits loses nothing committed (issue 14).
//
// The test runs itself a second time as the "application" (SL_REVIEW_KILL_CHILD set): a real
// MainWindow on a generated clip and a project, drawing boxes with the mouse as fast as events
// go, without waiting for the store between drags. Every edit the store committed is printed on
// stdout the moment the window learns of it (ReviewController::changed). The parent kills the
// child with SIGKILL mid-burst, then checks the project file: every printed box is there with
// exactly its coordinates, the history has a step for each, and the workstation reopens it with
// all of them.

#include <QApplication>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "app/application.h"
#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/review_controller.h"
#include "review/box_editor.h"
#include "review/review_session.h"
#include "store/project_store.h"
#include "support/video_generator.h"
#include "view/video_view.h"

using sl::gui::MainWindow;
using sl::gui::ReviewSession;

namespace {

constexpr int kTimeoutMs = 60000;
constexpr int kKillAfter = 25;   // committed edits seen before the kill

void setupApp(const char* name) {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QString::fromLatin1(name));
}

// The child: the workstation drawing boxes until it is killed.
int runChild() {
    setupApp("gui_test_review_kill_child");
    QSettings().clear();
    const QString video = qEnvironmentVariable("SL_KILL_VIDEO");
    const QString project = qEnvironmentVariable("SL_KILL_PROJECT");
    MainWindow window;
    window.setAutoPlay(false);
    window.setResumePositions(false);
    window.resize(1000, 700);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) return 2;
    window.openSource(video);
    window.openProject(project, false);
    ReviewSession* session = window.reviewSession();
    sl::gui::VideoView* view = window.videoView();
    if (!QTest::qWaitFor([&] { return session->ready() && view->displayedFrameIndex() == 0 &&
                                      window.boxEditor()->frame() == 0; },
                         kTimeoutMs))
        return 3;
    QObject::connect(window.review(), &sl::gui::ReviewController::changed,
                     [](const sl::store::HistoryEntry& e) {
        for (const auto& c : e.changes.objects)
            if (c.after && !c.before)
                std::printf("committed %lld %lld %.9g %.9g %.9g %.9g\n", (long long)e.id,
                            (long long)c.after->id, double(c.after->box.x1),
                            double(c.after->box.y1), double(c.after->box.x2),
                            double(c.after->box.y2));
        std::fflush(stdout);
    });
    window.boxEditor()->setMode(sl::gui::BoxEditor::Mode::DrawBox);
    std::printf("ready\n");
    std::fflush(stdout);
    for (int i = 0; i < 100000; ++i) {
        const sl::gui::SourceTransform t = view->sourceTransform();
        const double x = 10 + (i * 7) % 250, y = 10 + (i * 11) % 180;
        const QPoint a = t.toWidget({x, y}).toPoint();
        const QPoint b = t.toWidget({x + 30, y + 25}).toPoint();
        QTest::mousePress(view, Qt::LeftButton, {}, a);
        QTest::mouseMove(view, (a + b) / 2);
        QTest::mouseMove(view, b);
        QTest::mouseRelease(view, Qt::LeftButton, {}, b);
        QCoreApplication::processEvents();
    }
    return 0;
}

struct Committed {
    int64_t entry = 0;
    sl::vision::Box box;
};

}  // namespace

class TestReviewKill : public QObject {
    Q_OBJECT

private slots:
    void killDuringABurstLosesNothingCommitted();
};

void TestReviewKill::killDuringABurstLosesNothingCommitted() {
    setupApp("gui_test_review_kill");
    sl::testing::TempDir dir("gui-review-kill");
    sl::testing::VideoSpec spec;
    spec.path = dir.file("clip.mp4");
    spec.frames = 10;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    const QString video = QString::fromStdString(std::filesystem::absolute(generated->path).string());
    const QString project = QString::fromStdString(dir.file("burst.slproj").string());
    int64_t set = 0;
    {
        auto p = sl::store::ProjectStore::create(project.toStdString());
        QVERIFY(p.hasValue());
        sl::annotate::MediaInfo m;
        m.path = video.toStdString();
        m.width = spec.width, m.height = spec.height, m.frameCount = spec.frames;
        sl::annotate::AnnotationSet s;
        s.name = "reviewed";
        s.kind = sl::annotate::SetKind::Reviewed;
        s.labels = {"person"};
        auto id = (*p)->importSet(*(*p)->addMedia(m), s);
        QVERIFY(id.hasValue());
        set = *id;
    }

    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SL_REVIEW_KILL_CHILD"), QStringLiteral("1"));
    env.insert(QStringLiteral("SL_KILL_VIDEO"), video);
    env.insert(QStringLiteral("SL_KILL_PROJECT"), project);
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(child.waitForStarted(kTimeoutMs));
    std::map<int64_t, Committed> committed;   // object id -> what the child was told
    bool ready = false;
    QByteArray pending;
    QVERIFY(QTest::qWaitFor([&] {
        pending += child.readAllStandardOutput();
        for (int nl; (nl = pending.indexOf('\n')) >= 0; pending.remove(0, nl + 1)) {
            const QByteArray line = pending.left(nl);
            if (line == "ready") ready = true;
            long long entry = 0, id = 0;
            double x1, y1, x2, y2;
            if (std::sscanf(line.constData(), "committed %lld %lld %lg %lg %lg %lg", &entry, &id,
                            &x1, &y1, &x2, &y2) == 6)
                committed[id] = {entry, {float(x1), float(y1), float(x2), float(y2)}};
        }
        return int(committed.size()) >= kKillAfter || child.state() == QProcess::NotRunning;
    }, kTimeoutMs));
    QVERIFY2(child.state() == QProcess::Running,
             qPrintable(QStringLiteral("the child ended early: exit %1").arg(child.exitCode())));
    QVERIFY(ready);
    child.kill();   // SIGKILL: no destructor, no flush, no close of the database
    QVERIFY(child.waitForFinished(kTimeoutMs));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);

    // The file as the killed process left it.
    auto p = sl::store::ProjectStore::open(project.toStdString());
    QVERIFY2(p.hasValue(), p.status().message().c_str());
    auto objects = (*p)->objects(set);
    QVERIFY(objects.hasValue());
    std::map<int64_t, sl::vision::Box> stored;
    for (const auto& o : *objects) stored[o.id] = o.box;
    QVERIFY(stored.size() >= committed.size());   // edits after the last line may have landed
    for (const auto& [id, c] : committed) {
        QVERIFY2(stored.count(id), qPrintable(QStringLiteral("object %1 lost").arg(id)));
        QCOMPARE(stored[id], c.box);
    }
    auto history = (*p)->history();
    QVERIFY(history.hasValue());
    std::map<int64_t, bool> entries;
    for (const auto& e : *history) entries[e.id] = e.done;
    for (const auto& [id, c] : committed) {
        QVERIFY2(entries.count(c.entry) && entries[c.entry],
                 qPrintable(QStringLiteral("history entry %1 lost").arg(c.entry)));
    }
    p->reset();

    // The workstation reopens it with every box.
    MainWindow window;
    window.setAutoPlay(false);
    window.setResumePositions(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.openSource(video);
    window.openProject(project, false);
    QTRY_VERIFY_WITH_TIMEOUT(window.reviewSession()->ready(), kTimeoutMs);
    QCOMPARE(size_t(window.reviewSession()->objectCount()), stored.size());
    qInfo("killed after %zu committed edits; %zu boxes in the file", committed.size(),
          stored.size());
}

int main(int argc, char** argv) {
    sl::gui::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("SL_REVIEW_KILL_CHILD")) return runChild();
    TestReviewKill test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_review_kill.moc"
