// The monitoring wall (issue 15) on the engine's live pipeline (issue 12): four cameras served by
// GStreamer's RTSP server on 127.0.0.1, each a solid colour the test chose, show as four tiles
// whose pixels (read back from the grabbed framebuffer) are each its own stream's colour. Killing
// one server turns its tile reconnecting while the other three keep showing new frames;
// restarting it brings the tile back to live. A file played as a simulated camera (vtest.avi)
// shows its detections with track ids, drawn in the class colour on the tile. Removing and adding
// tiles, the layout, and the saved sources coming back in a new controller.

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QMimeData>
#include <QSignalSpy>
#include <QTableWidget>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include <cmath>
#include <cstdlib>
#include <memory>

#include "analytics/rule_engine.h"
#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "panels/alerts_dock.h"
#include "pipeline/class_color.h"
#include "support/live_servers.h"
#include "support/video_generator.h"
#include "wall/wall_controller.h"
#include "wall/wall_view.h"

using sl::gui::MainWindow;

namespace {

// The first frames wait for the model (kernel builds on a cold cache take a minute or more).
constexpr int kTimeoutMs = 180000;

struct Cam {
    const char* name;
    const char* ffmpegColor;
    QColor rgb;
};
// Distinct in every channel pair, so a tile showing another stream's picture cannot pass.
const Cam kCams[4] = {{"red", "0xC83228", QColor(200, 50, 40)},
                      {"green", "0x28B43C", QColor(40, 180, 60)},
                      {"blue", "0x3246C8", QColor(50, 70, 200)},
                      {"yellow", "0xDCC83C", QColor(220, 200, 60)}};

bool near(QRgb a, const QColor& b, int tolerance) {
    return std::abs(qRed(a) - b.red()) <= tolerance &&
           std::abs(qGreen(a) - b.green()) <= tolerance &&
           std::abs(qBlue(a) - b.blue()) <= tolerance;
}

QString vtestPath() { return QDir::homePath() + QStringLiteral("/.cache/sightline/vtest.avi"); }

}  // namespace

class TestWall : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void fourTilesShowTheirOwnStreams();
    void killedCameraReconnectsOthersPlayOn();
    void simulatedCameraShowsTrackedBoxes();
    void sceneRuleRaisesAlertWithThumbnail();
    void doubleClickOpensSingleViewEscReturns();
    void droppedUrlAddsACamera();
    void removeAddLayoutAndRestore();

private:
    sl::gui::WallView* view() { return window_->wallView(); }
    sl::gui::WallController* wall() { return window_->wall(); }
    // Waits until every tile in `names` has shown `more` new frames.
    bool waitForNewFrames(const QStringList& names, int more, int timeoutMs);

    std::unique_ptr<sl::testing::TempDir> dir_;
    std::vector<std::unique_ptr<sl::testing::RtspServer>> servers_;
    std::unique_ptr<MainWindow> window_;
};

void TestWall::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_wall"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("wall");
    for (const Cam& c : kCams) {
        const std::string mp4 = dir_->file(std::string(c.name) + ".mp4").string();
        // 60 s at 10 fps, a keyframe every second: the server loops nothing, so it must outlast
        // the test.
        const std::string cmd = "ffmpeg -v error -y -f lavfi -i color=c=" +
                                std::string(c.ffmpegColor) +
                                ":size=320x240:rate=10 -t 60 -c:v libx264 -pix_fmt yuv420p -g 10 "
                                "-bf 0 '" + mp4 + "'";
        QCOMPARE(std::system(cmd.c_str()), 0);
        servers_.push_back(std::make_unique<sl::testing::RtspServer>(mp4));
        if (!servers_.back()->ok()) QFAIL(servers_.back()->error().c_str());
    }
    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1200, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));   // window shortcuts (Esc) need it
    window_->showWall(true);
    QVERIFY(window_->wallShown());
}

void TestWall::cleanupTestCase() {
    window_.reset();
    servers_.clear();
    QSettings().clear();
}

bool TestWall::waitForNewFrames(const QStringList& names, int more, int timeoutMs) {
    std::map<QString, int64_t> start;
    for (const QString& n : names) start[n] = view()->shownFrames(n);
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        bool all = true;
        for (const QString& n : names)
            if (view()->shownFrames(n) < start[n] + more) all = false;
        if (all) return true;
        QTest::qWait(50);
    }
    for (const QString& n : names) {
        const auto s = wall()->status(n);
        qInfo().noquote() << n << "shown" << start[n] << "->" << view()->shownFrames(n)
                          << sl::media::liveStateName(s.live.state)
                          << QString::fromStdString(s.live.reason) << "frames" << s.frames;
    }
    return false;
}

void TestWall::fourTilesShowTheirOwnStreams() {
    for (int i = 0; i < 4; ++i) {
        const auto r = wall()->addSource(QString::fromStdString(servers_[size_t(i)]->url()),
                                         QString::fromLatin1(kCams[i].name));
        QVERIFY2(r.ok, qPrintable(r.nameOrError));
    }
    QCOMPARE(view()->tileNames().size(), 4);
    QCOMPARE(view()->columnsInUse(), 2);
    QVERIFY2(waitForNewFrames(view()->tileNames(), 5, kTimeoutMs),
             qPrintable(wall()->modelStatus()));
    QVERIFY(wall()->isReady());

    const QImage fb = view()->grabFramebuffer();
    const double dpr = fb.devicePixelRatio();
    for (int i = 0; i < 4; ++i) {
        const QRectF p = view()->pictureRect(i);
        QVERIFY(!p.isEmpty());
        QVERIFY(view()->tileRect(i).contains(p.center().toPoint()));
        // Nine points over the picture's middle (clear of the tile's header bar).
        int matches = 0;
        for (int gy = 1; gy <= 3; ++gy)
            for (int gx = 1; gx <= 3; ++gx) {
                const double x = p.left() + p.width() * gx / 4.0;
                const double y = p.top() + p.height() * (0.3 + 0.15 * gy);
                const QRgb px = fb.pixel(int(x * dpr), int(y * dpr));
                if (near(px, kCams[i].rgb, 24)) ++matches;
                else qInfo() << "tile" << i << "at" << x << y << QColor(px) << "want"
                             << kCams[i].rgb;
            }
        QCOMPARE(matches, 9);
    }
    // Each tile shows its own frames in order, with the pipeline's result for that frame.
    for (const QString& n : view()->tileNames()) {
        const auto s = wall()->status(n);
        QCOMPARE(QString::fromLatin1(sl::media::liveStateName(s.live.state)),
                 QStringLiteral("live"));
        QVERIFY(view()->shownIndex(n) >= 0);
        QVERIFY(s.frames >= view()->shownFrames(n));
    }
}

void TestWall::killedCameraReconnectsOthersPlayOn() {
    const QStringList others = {QStringLiteral("red"), QStringLiteral("blue"),
                                QStringLiteral("yellow")};
    servers_[1]->kill();
    QTRY_VERIFY_WITH_TIMEOUT(wall()->status(QStringLiteral("green")).live.state ==
                                 sl::media::LiveState::Reconnecting,
                             30000);
    // A frame already decoded may still reach the tile; after the others showed 5 more, none.
    QVERIFY(waitForNewFrames(others, 5, 15000));
    const int64_t greenShown = view()->shownFrames(QStringLiteral("green"));
    // While it is down, the others keep showing new frames (10 fps: 20 frames in 2 s or more).
    QVERIFY(waitForNewFrames(others, 20, 15000));
    QCOMPARE(view()->shownFrames(QStringLiteral("green")), greenShown);
    // The tile says so: its badge is drawn in the reconnecting colour, with a reason.
    QVERIFY(!wall()->status(QStringLiteral("green")).live.reason.empty());

    servers_[1]->restart();
    QVERIFY(servers_[1]->ok());
    QTRY_VERIFY_WITH_TIMEOUT(wall()->status(QStringLiteral("green")).live.state ==
                                 sl::media::LiveState::Live,
                             45000);
    QVERIFY(waitForNewFrames({QStringLiteral("green")}, 10, 20000));
    QVERIFY(waitForNewFrames(others, 5, 10000));
    // Green again, not a stale picture or another stream's.
    const QImage fb = view()->grabFramebuffer();
    const QRectF p = view()->pictureRect(1);
    const QRgb px = fb.pixel(int(p.center().x() * fb.devicePixelRatio()),
                             int(p.center().y() * fb.devicePixelRatio()));
    QVERIFY2(near(px, kCams[1].rgb, 24), qPrintable(QColor(px).name()));
}

void TestWall::simulatedCameraShowsTrackedBoxes() {
    if (!QFileInfo::exists(vtestPath()))
        QFAIL(qPrintable(vtestPath() + QStringLiteral(" is missing: run packaging/fetch-demo.sh")));
    // Its scene: a magenta line across the middle (drawn on the tile) and a rule that fires once
    // people have been in the picture for half a second (vtest.avi has them from the start).
    const std::string scene = dir_->file("street.json").string();
    {
        QFile f(QString::fromStdString(scene));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"version": 1,
          "lines": [{"name": "mid", "a": [0, 288], "b": [768, 288], "color": "#ff00ff"}],
          "rules": [{"name": "people", "kind": "class-present", "classes": ["person"],
                     "seconds": 0.5, "severity": "critical", "cooldown_seconds": 600}]})");
    }
    // A bad scene is refused with the file's name and the JSON pointer.
    const std::string bad = dir_->file("bad.json").string();
    {
        QFile f(QString::fromStdString(bad));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"version": 1, "lines": [{"name": "x", "a": [0, 0], "b": "no"}]})");
    }
    const auto refused = wall()->addSource(vtestPath(), QStringLiteral("bad"),
                                           QString::fromStdString(bad));
    QVERIFY(!refused.ok);
    QVERIFY2(refused.nameOrError.contains(QStringLiteral("bad.json")) &&
                 refused.nameOrError.contains(QStringLiteral("/lines/0/b")),
             qPrintable(refused.nameOrError));
    wall()->setEventsPath(QString::fromStdString(dir_->file("events.jsonl").string()));
    const auto r = wall()->addSource(vtestPath(), QStringLiteral("street"),
                                     QString::fromStdString(scene));
    QVERIFY2(r.ok, qPrintable(r.nameOrError));
    QCOMPARE(view()->tileNames().size(), 5);
    QCOMPARE(view()->columnsInUse(), 3);
    // vtest.avi has people walking from its first frames: boxes with track ids come.
    QTRY_VERIFY_WITH_TIMEOUT(!view()->shownObjects(QStringLiteral("street")).empty(), kTimeoutMs);
    // Wait for a frame whose objects are drawn, then check one box's edges in its class colour.
    int checked = 0;
    for (int attempt = 0; attempt < 20 && checked == 0; ++attempt) {
        QTest::qWait(100);
        const auto objects = view()->shownObjects(QStringLiteral("street"));
        const QImage fb = view()->grabFramebuffer();
        // grabFramebuffer paints again: the objects are those of the frame it drew.
        const auto drawn = view()->shownObjects(QStringLiteral("street"));
        if (drawn.empty()) continue;
        const int i = int(view()->tileNames().indexOf(QStringLiteral("street")));
        const QRectF p = view()->pictureRect(i);
        const double sx = p.width() / 768.0, sy = p.height() / 576.0;   // vtest.avi is 768x576
        const double dpr = fb.devicePixelRatio();
        for (const auto& o : drawn) {
            const double w = (o.box.x2 - o.box.x1) * sx, h = (o.box.y2 - o.box.y1) * sy;
            if (w < 12 || h < 24) continue;   // too small to sample its edges apart
            const auto c = sl::pipeline::classColor(o.classId);
            const QColor want(c.r, c.g, c.b);
            // The left edge's middle third (clear of the label above the box).
            const double x = p.left() + o.box.x1 * sx;
            int hits = 0, samples = 0;
            for (double y = p.top() + (o.box.y1 + (o.box.y2 - o.box.y1) / 3) * sy;
                 y < p.top() + (o.box.y1 + 2 * (o.box.y2 - o.box.y1) / 3) * sy; y += 3, ++samples) {
                bool hit = false;
                for (int dx = -2; dx <= 2 && !hit; ++dx)
                    hit = near(fb.pixel(int(x * dpr) + dx, int(y * dpr)), want, 40);
                hits += hit;
            }
            QVERIFY(samples > 0);
            QVERIFY2(hits * 10 >= samples * 8, qPrintable(QStringLiteral("%1 of %2 edge points")
                                                              .arg(hits)
                                                              .arg(samples)));
            QVERIFY(o.trackId >= 1);
            ++checked;
            break;
        }
    }
    QVERIFY(checked > 0);
    const auto s = wall()->status(QStringLiteral("street"));
    QVERIFY(s.detected > 0);
}

void TestWall::sceneRuleRaisesAlertWithThumbnail() {
    // The rule fires once (one episode; the cooldown outlasts the test).
    QTRY_VERIFY_WITH_TIMEOUT(!wall()->alerts().empty(), 30000);
    QTest::qWait(1500);
    QCOMPARE(wall()->alerts().size(), size_t(1));
    const sl::gui::WallAlert a = wall()->alerts().front();
    QCOMPARE(a.source, QStringLiteral("street"));
    QCOMPARE(QString::fromStdString(a.alert.rule), QStringLiteral("people"));
    QCOMPARE(QString::fromStdString(a.alert.severity), QStringLiteral("critical"));
    QVERIFY(!a.alert.objects.empty());
    // 768x576 square pixels scaled to 192 wide.
    QCOMPARE(a.thumbnail.size(), QSize(192, 144));

    // events.jsonl holds it, in the monitor's alert format, with the wall time.
    QFile f(wall()->eventsPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QVERIFY(lines[0].contains("\"wall_time\""));
    auto parsed = sl::analytics::parseAlertJsonLine(lines[0].toStdString());
    QVERIFY2(bool(parsed), parsed ? "" : parsed.status().message().c_str());
    QCOMPARE(parsed->source, std::string("street"));
    QCOMPARE(parsed->alert.rule, a.alert.rule);
    QCOMPARE(parsed->alert.frameIndex, a.alert.frameIndex);

    // The Alerts panel: one row with the thumbnail; filters; acknowledge.
    sl::gui::AlertsDock* dock = window_->alertsDock();
    QVERIFY(dock->isVisible());
    QCOMPARE(dock->table()->rowCount(), 1);
    QVERIFY(!dock->table()->item(0, 0)->icon().isNull());
    QCOMPARE(dock->table()->item(0, 1)->text(), QStringLiteral("street"));
    QCOMPARE(dock->windowTitle(), QStringLiteral("Alerts (1)"));
    dock->sourceFilter()->setCurrentIndex(dock->sourceFilter()->findData(QStringLiteral("red")));
    QCOMPARE(dock->visibleRows(), 0);
    dock->sourceFilter()->setCurrentIndex(
        dock->sourceFilter()->findData(QStringLiteral("street")));
    QCOMPARE(dock->visibleRows(), 1);
    dock->ruleFilter()->setCurrentIndex(dock->ruleFilter()->findData(QStringLiteral("people")));
    QCOMPARE(dock->visibleRows(), 1);
    dock->table()->selectRow(0);
    dock->acknowledgeSelected();
    QCOMPARE(wall()->unacknowledged(), 0);
    QCOMPARE(dock->windowTitle(), QStringLiteral("Alerts"));

    // The scene's line is drawn on the tile: magenta pixels along y = 288 of the picture.
    const int i = int(view()->tileNames().indexOf(QStringLiteral("street")));
    const QRectF p = view()->pictureRect(i);
    const QImage fb = view()->grabFramebuffer();
    const double dpr = fb.devicePixelRatio();
    int hits = 0;
    for (int k = 1; k < 20; ++k) {
        const double x = p.left() + p.width() * k / 20.0;
        const double y = p.top() + 288 * p.height() / 576.0;
        for (int dy = -2; dy <= 2; ++dy)
            if (near(fb.pixel(int(x * dpr), int(y * dpr) + dy), QColor(255, 0, 255), 40)) {
                ++hits;
                break;
            }
    }
    QVERIFY2(hits >= 6, qPrintable(QStringLiteral("%1 of 19 points on the line").arg(hits)));
}

void TestWall::doubleClickOpensSingleViewEscReturns() {
    const int i = int(view()->tileNames().indexOf(QStringLiteral("street")));
    QVERIFY(i >= 0);
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    QTest::mouseDClick(view(), Qt::LeftButton, {}, view()->tileRect(i).center());
    QVERIFY(!window_->wallShown());
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 30000);
    const auto summary = opened.first().first().value<sl::gui::MediaSummary>();
    QCOMPARE(QFileInfo(summary.url).fileName(), QStringLiteral("vtest.avi"));
    // The wall keeps running meanwhile; Esc goes back to it.
    QTest::keyClick(window_.get(), Qt::Key_Escape);
    QVERIFY(window_->wallShown());
    QVERIFY(waitForNewFrames({QStringLiteral("red"), QStringLiteral("street")}, 3, 15000));
}

void TestWall::droppedUrlAddsACamera() {
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(vtestPath())});
    const QPoint at = view()->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(at), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view(), &drop);
    QCOMPARE(view()->tileNames().size(), 6);
    const QString added = view()->tileNames().last();
    QCOMPARE(wall()->urlOf(added), vtestPath());
    QVERIFY(waitForNewFrames({added}, 3, 30000));
    QVERIFY(wall()->removeSource(added));
}

void TestWall::removeAddLayoutAndRestore() {
    QVERIFY(wall()->removeSource(QStringLiteral("street")));
    QVERIFY(!wall()->removeSource(QStringLiteral("street")));
    QCOMPARE(view()->tileNames().size(), 4);
    // The others play on after a removal.
    QVERIFY(waitForNewFrames(view()->tileNames(), 5, 15000));
    // A name in use is refused; a missing file is refused with its path.
    const auto dup = wall()->addSource(QString::fromStdString(servers_[0]->url()),
                                       QStringLiteral("red"));
    QVERIFY(!dup.ok);
    QVERIFY(dup.nameOrError.contains(QStringLiteral("red")));
    const auto missing = wall()->addSource(QStringLiteral("/no/such/file.mp4"));
    QVERIFY(!missing.ok);
    QVERIFY(missing.nameOrError.contains(QStringLiteral("/no/such/file.mp4")));

    wall()->setColumns(4);
    QCOMPARE(view()->columnsInUse(), 4);
    QCOMPARE(view()->tileRect(3).top(), view()->tileRect(0).top());   // one row of four

    // Saved on every change: a new controller restores the same cameras and layout.
    sl::gui::WallController restored;
    restored.restoreSources();
    QCOMPARE(restored.sources(), wall()->sources());
    for (const QString& n : restored.sources()) QCOMPARE(restored.urlOf(n), wall()->urlOf(n));
    QCOMPARE(restored.columns(), 4);
}

QTEST_MAIN(TestWall)
#include "test_wall.moc"
