// Tracking and analytics in the workstation. A generated 320x240 clip opens in a 640x480 view;
// the store gets synthetic detections whose answers are known by construction:
//   object A  box (10 + 4f, 80) - (30 + 4f, 120): anchor (bottom centre) (20 + 4f, 120)
//   object B  box (10 + 4f, 40) - (30 + 4f, 70):  anchor (20 + 4f, 70)
// At 2x zoom with a (40, 20) pan (picture top-left at widget (-280, -220), 4 widget px per
// source px, computed here from the geometry, not asked of the view), the test draws with mouse
// events: a line (120, 95) -> (180, 130), which A's path (y = 120) crosses and B's (y = 70) does
// not -> count 1; a zone (140..200, 100..140) that only A enters -> 1. Dragging the line's first
// vertex to (120, 62) makes it reach B's path -> count 2, re-evaluated without new detections.
// Trails: B's anchor of frame 33, seen at frame 40, is painted in B's track colour in the grabbed
// framebuffer, and not with trails off. Also: the zones file round trip, a bad zones file's
// message (file + JSON pointer) in the banner, the exports, and the recompute time on 795 frames.

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QPainter>
#include <QPixmap>
#include <QTableWidget>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <memory>

#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/track_controller.h"
#include "export/analytics_export.h"
#include "panels/analytics_dock.h"
#include "view/scene_tool.h"
#include "view/track_overlay.h"
#include "view/video_view.h"
#include "widgets/error_banner.h"
#include "support/video_generator.h"

using sl::gui::MainWindow;
using sl::gui::SceneTool;

namespace {

constexpr int kTimeoutMs = 30000;
constexpr int kFrames = 60;

sl::pipeline::FrameDetections frameWithObjects(int64_t f) {
    sl::pipeline::FrameDetections d;
    d.frameIndex = f;
    d.pts = f * 512;   // any increasing pts; seconds are what analytics use
    d.seconds = f / 25.0;
    d.width = 320;
    d.height = 240;
    const float x = 10.0f + 4.0f * float(f);
    d.detections.push_back({0, 0.9f, {x, 80, x + 20, 120}});   // A
    d.detections.push_back({0, 0.85f, {x, 40, x + 20, 70}});   // B
    return d;
}

// Widget point of a source point for the test's fixed geometry (see the file comment).
QPoint widgetOf(double sx, double sy) { return QPoint(int(sx * 4 - 280), int(sy * 4 - 220)); }

bool near(QRgb a, const QColor& b, int tolerance) {
    return std::abs(qRed(a) - b.red()) <= tolerance &&
           std::abs(qGreen(a) - b.green()) <= tolerance &&
           std::abs(qBlue(a) - b.blue()) <= tolerance;
}

bool nearbyMatches(const QImage& img, QPointF p, const QColor& color, int radius) {
    const double dpr = img.devicePixelRatio();
    for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
            const int x = int(std::lround(p.x() * dpr)) + dx;
            const int y = int(std::lround(p.y() * dpr)) + dy;
            if (x >= 0 && y >= 0 && x < img.width() && y < img.height() &&
                near(img.pixel(x, y), color, 30))
                return true;
        }
    return false;
}

}  // namespace

class TestTracking : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void drawLineAtZoomAndPan();
    void drawZoneWithDoubleClick();
    void countsPanelShowsEngineCount();
    void movingVertexReevaluates();
    void trailPixelsInFramebuffer();
    void clickingTrackRowSeeksAndSelects();
    void eventRowSeeks();
    void keysDrawAndDelete();
    void exportsWriteFiles();
    void screenshotWhenAsked();
    void sceneFileRoundTripAndBadFile();
    void recomputeIsFast();

private:
    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_;
    std::unique_ptr<MainWindow> window_;
    sl::gui::VideoView* view_ = nullptr;
    sl::gui::TrackController* tracks_ = nullptr;
};

void TestTracking::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_tracking"));
    QSettings().clear();

    dir_ = std::make_unique<sl::testing::TempDir>("gui-tracking");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.frames = kFrames;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    video_ = QString::fromStdString(generated->path.string());

    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1500, 900);
    view_ = window_->videoView();
    view_->setFixedSize(640, 480);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QCOMPARE(view_->size(), QSize(640, 480));
    tracks_ = window_->tracks();
    QVERIFY(tracks_);

    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), int64_t(0), kTimeoutMs);
    QVERIFY(tracks_->scene().lines.empty());

    auto& store = window_->controller()->results();
    store.setLabels({"person"});
    for (int f = 0; f < kFrames; ++f) store.put(frameWithObjects(f));
    // The poll timer picks the new store version up (no explicit call).
    QTRY_COMPARE_WITH_TIMEOUT(tracks_->analysis().tracks().size(), size_t(2), kTimeoutMs);
}

void TestTracking::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestTracking::drawLineAtZoomAndPan() {
    view_->zoomBy(2.0);
    QCOMPARE(view_->zoom(), 2.0);
    // Pan with the mouse (no tool): press on the picture, drag by (40, 20).
    QTest::mousePress(view_, Qt::LeftButton, {}, QPoint(300, 300));
    QTest::mouseMove(view_, QPoint(320, 310));
    QTest::mouseMove(view_, QPoint(340, 320));
    QTest::mouseRelease(view_, Qt::LeftButton, {}, QPoint(340, 320));
    QCOMPARE(view_->videoRect(), QRectF(-280, -220, 1280, 960));

    SceneTool* tool = view_->sceneTool();
    tool->setMode(SceneTool::Mode::DrawLine);
    QTest::mouseClick(view_, Qt::LeftButton, {}, widgetOf(120, 95));
    QTest::mouseMove(view_, QPoint(300, 250));   // rubber band; adds no point
    QTest::mouseClick(view_, Qt::LeftButton, {}, widgetOf(180, 130));
    QCOMPARE(tool->mode(), SceneTool::Mode::Select);
    QCOMPARE(tracks_->scene().lines.size(), size_t(1));
    const auto& line = tracks_->scene().lines[0];
    QCOMPARE(line.a, (sl::analytics::Point{120, 95}));
    QCOMPARE(line.b, (sl::analytics::Point{180, 130}));
    QCOMPARE(QString::fromStdString(line.name), QStringLiteral("Line 1"));
}

void TestTracking::drawZoneWithDoubleClick() {
    SceneTool* tool = view_->sceneTool();
    tool->setMode(SceneTool::Mode::DrawZone);
    QTest::mouseClick(view_, Qt::LeftButton, {}, widgetOf(140, 100));
    QTest::mouseClick(view_, Qt::LeftButton, {}, widgetOf(200, 100));
    QTest::mouseClick(view_, Qt::LeftButton, {}, widgetOf(200, 140));
    QTest::mouseDClick(view_, Qt::LeftButton, {}, widgetOf(140, 140));
    QCOMPARE(tool->mode(), SceneTool::Mode::Select);
    QVERIFY(!tool->drawing());
    QCOMPARE(tracks_->scene().zones.size(), size_t(1));
    const std::vector<sl::analytics::Point> expected{
        {140, 100}, {200, 100}, {200, 140}, {140, 140}};
    QString got;
    for (const auto& p : tracks_->scene().zones[0].polygon)
        got += QStringLiteral("(%1, %2) ").arg(p.x).arg(p.y);
    QVERIFY2(tracks_->scene().zones[0].polygon == expected, qPrintable(got));
    QCOMPARE(view_->zoom(), 2.0);   // the double-click closed the zone, it did not fit the view
}

void TestTracking::countsPanelShowsEngineCount() {
    auto* dock = window_->analyticsDock();
    // By construction: A crosses the line once, B never; A enters the zone, B never.
    QTRY_COMPARE(dock->countText(QStringLiteral("Line 1")), QStringLiteral("1"));
    QCOMPARE(dock->countText(QStringLiteral("Zone 1")), QStringLiteral("1"));
    int crossings = 0;
    for (const auto& e : tracks_->analysis().events())
        crossings += e.kind == sl::analytics::EventKind::LineCross;
    QCOMPARE(crossings, 1);
    QCOMPARE(dock->eventsTable()->rowCount(), int(tracks_->analysis().events().size()));
    QVERIFY(dock->eventsTable()->rowCount() >= 2);   // the crossing and the zone entry
}

void TestTracking::movingVertexReevaluates() {
    const int64_t recomputes = tracks_->recomputes();
    QTest::mousePress(view_, Qt::LeftButton, {}, widgetOf(120, 95));
    QCOMPARE(view_->sceneTool()->selection().kind, SceneTool::Kind::Line);
    QTest::mouseMove(view_, widgetOf(120, 80));
    QTest::mouseMove(view_, widgetOf(120, 62));
    QTest::mouseRelease(view_, Qt::LeftButton, {}, widgetOf(120, 62));
    QCOMPARE(tracks_->scene().lines[0].a, (sl::analytics::Point{120, 62}));
    QCOMPARE(tracks_->scene().lines[0].b, (sl::analytics::Point{180, 130}));
    // Now B's path (y = 70) meets the line too: 2, from the kept tracks (no re-tracking).
    QCOMPARE(window_->analyticsDock()->countText(QStringLiteral("Line 1")), QStringLiteral("2"));
    QCOMPARE(tracks_->recomputes(), recomputes);
    QCOMPARE(view_->videoRect(), QRectF(-280, -220, 1280, 960));   // the drag did not pan
}

void TestTracking::trailPixelsInFramebuffer() {
    window_->controller()->seekToIndex(40);
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), int64_t(40), kTimeoutMs);
    const int64_t idB = tracks_->trackOfDetection(40, 1);
    QVERIFY(idB > 0);
    QCOMPARE(tracks_->trackOfDetection(33, 1), idB);
    const QColor color = sl::gui::TrackOverlay::trackColor(idB);
    const QPointF at = widgetOf(20 + 4 * 33, 70);   // B's anchor at frame 33
    view_->setTrailsVisible(true);
    QImage img = view_->grabFramebuffer();
    QVERIFY2(nearbyMatches(img, at, color, 2), "no trail colour at B's anchor of frame 33");
    view_->setTrailsVisible(false);
    img = view_->grabFramebuffer();
    QVERIFY(!nearbyMatches(img, at, color, 2));
    view_->setTrailsVisible(true);
}

void TestTracking::clickingTrackRowSeeksAndSelects() {
    auto* table = window_->analyticsDock()->tracksTable();
    QCOMPARE(table->rowCount(), 2);
    const int64_t id = table->item(1, 0)->data(Qt::UserRole).toLongLong();
    const QRect cell = table->visualItemRect(table->item(1, 0));
    window_->analyticsDock()->tabs()->setCurrentIndex(0);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(tracks_->selectedTrack(), id);
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), int64_t(0), kTimeoutMs);
    // A click on a box selects its track; on empty picture, none.
    tracks_->setSelectedTrack(0);
    window_->controller()->seekToIndex(40);
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), int64_t(40), kTimeoutMs);
    const int64_t idA = tracks_->trackOfDetection(40, 0);
    QTest::mouseClick(view_, Qt::LeftButton, {}, widgetOf(10 + 4 * 40 + 10, 100));
    QCOMPARE(tracks_->selectedTrack(), idA);
}

void TestTracking::eventRowSeeks() {
    auto* table = window_->analyticsDock()->eventsTable();
    window_->analyticsDock()->tabs()->setCurrentIndex(1);
    int row = -1;
    for (int r = 0; r < table->rowCount(); ++r)
        if (table->item(r, 4)->text() == QStringLiteral("line-cross")) row = r;
    QVERIFY(row >= 0);
    const int64_t frame = table->item(row, 1)->data(Qt::UserRole).toLongLong();
    QVERIFY(frame > 0 && frame != view_->displayedFrameIndex());
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                      table->visualItemRect(table->item(row, 1)).center());
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), frame, kTimeoutMs);
}

void TestTracking::keysDrawAndDelete() {
    // l starts a line (the action, as a user presses it); Delete removes the selected shape.
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    view_->setFocus();
    QTest::keyClick(window_.get(), Qt::Key_L);
    QCOMPARE(view_->sceneTool()->mode(), SceneTool::Mode::DrawLine);
    QTest::mouseClick(view_, Qt::LeftButton, {}, widgetOf(100, 150));
    QTest::mouseClick(view_, Qt::LeftButton, {}, widgetOf(150, 160));
    QCOMPARE(tracks_->scene().lines.size(), size_t(2));
    QCOMPARE(QString::fromStdString(tracks_->scene().lines[1].name), QStringLiteral("Line 2"));
    QCOMPARE(view_->sceneTool()->selection().index, 1);
    QTest::keyClick(window_.get(), Qt::Key_Delete);
    QCOMPARE(tracks_->scene().lines.size(), size_t(1));
    QCOMPARE(tracks_->scene().lines[0].a, (sl::analytics::Point{120, 62}));
}

void TestTracking::exportsWriteFiles() {
    const QString mot = QString::fromStdString(dir_->file("tracks.txt").string());
    QCOMPARE(window_->exportTracks(mot), QString());
    QFile f(mot);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList rows = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), int(tracks_->analysis().trackedFrames().size()) * 2);
    const QStringList first = rows.first().split(',');
    QCOMPARE(first.size(), 10);
    QCOMPARE(first[0], QStringLiteral("1"));   // 1-based frames
    QCOMPARE(first.mid(7), QStringList({"-1", "-1", "-1"}));
    const QString csv = QString::fromStdString(dir_->file("events.csv").string());
    QCOMPARE(window_->exportEvents(csv), QString());
    QFile c(csv);
    QVERIFY(c.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(c.readAll()).count('\n'),
             int(tracks_->analysis().events().size()) + 1);
    const QString json = QString::fromStdString(dir_->file("events.json").string());
    QCOMPARE(window_->exportEvents(json), QString());
    const QString png = QString::fromStdString(dir_->file("heat.png").string());
    QCOMPARE(window_->exportHeatmap(png, false), QString());
    QImage heat(png);
    QCOMPARE(heat.size(), QSize(320, 240));
    // A's path is hot, the top-left corner (no object ever) is not.
    QVERIFY(qAlpha(heat.pixel(100, 120)) > 100);
    QCOMPARE(qAlpha(heat.pixel(2, 2)), 0);
    const QString over = QString::fromStdString(dir_->file("heat_frame.png").string());
    QCOMPARE(window_->exportHeatmap(over, true), QString());
    QCOMPARE(QImage(over).size(), QSize(320, 240));
}

// Not a check: SL_TRACKING_SCREENSHOT=path.png saves the window (zones, lines, trails, heatmap,
// counts chart) for a person to look at.
void TestTracking::screenshotWhenAsked() {
    const QString path = qEnvironmentVariable("SL_TRACKING_SCREENSHOT");
    if (path.isEmpty()) QSKIP("SL_TRACKING_SCREENSHOT not set");
    view_->setHeatmapVisible(true);
    view_->setHeatmapOpacity(0.45);
    window_->analyticsDock()->tabs()->setCurrentIndex(2);
    QTest::qWait(300);
    // QWidget::grab() of the window leaves the GL view's QPainter overlay out: paint the view's
    // own framebuffer over its place.
    QPixmap shot = window_->grab();
    {
        QPainter p(&shot);
        p.drawImage(QRect(view_->mapTo(window_.get(), QPoint(0, 0)), view_->size()),
                    view_->grabFramebuffer());
    }
    QVERIFY(shot.save(path));
    view_->setHeatmapVisible(false);
}

void TestTracking::sceneFileRoundTripAndBadFile() {
    const QString path = video_ + QStringLiteral(".zones.json");
    QCOMPARE(tracks_->scenePath(), path);
    auto loaded = sl::analytics::loadScene(path.toStdString());
    QVERIFY2(loaded.hasValue(), loaded.status().message().c_str());
    QVERIFY(*loaded == tracks_->scene());

    // Delete removes the selected shape (and saves), with the rules aimed at it; a rule over the
    // whole frame (no target) stays.
    sl::analytics::Scene withRules = tracks_->scene();
    sl::analytics::Rule enter;
    enter.name = "enter";
    enter.kind = sl::analytics::RuleKind::ZoneEnter;
    enter.target = withRules.zones.at(0).name;
    sl::analytics::Rule crowd;
    crowd.name = "crowd";
    crowd.kind = sl::analytics::RuleKind::CountAbove;
    crowd.count = 5;
    withRules.rules = {enter, crowd};
    QVERIFY(tracks_->setScene(withRules).isEmpty());
    view_->sceneTool()->select({SceneTool::Kind::Zone, 0});
    QVERIFY(view_->sceneTool()->deleteSelected());
    QVERIFY(tracks_->scene().zones.empty());
    QCOMPARE(tracks_->scene().rules.size(), size_t(1));
    QVERIFY(tracks_->scene().rules[0].name == "crowd");
    loaded = sl::analytics::loadScene(path.toStdString());
    QVERIFY(loaded.hasValue() && loaded->zones.empty() && loaded->lines.size() == 1);
    QVERIFY(loaded->rules.size() == 1 && loaded->rules[0].name == "crowd");

    QFile bad(path);
    QVERIFY(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
    bad.write(R"({"version": 1, "zones": [{"name": "z", "polygon": [[1, 2], [3], [4, 5]]}]})");
    bad.close();
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QTRY_VERIFY(window_->errorBanner()->isVisible());
    const QString msg = window_->errorBanner()->message();
    QVERIFY2(msg.contains(QStringLiteral("clip.mp4.zones.json")), qPrintable(msg));
    QVERIFY2(msg.contains(QStringLiteral("/zones/0/polygon/1")), qPrintable(msg));
    QVERIFY(tracks_->scene().zones.empty() && tracks_->scene().lines.empty());
}

void TestTracking::recomputeIsFast() {
    // vtest.avi's length with a busy scene: 795 frames x 8 objects moving in two directions.
    auto store = std::make_shared<sl::pipeline::ResultsStore>(std::vector<std::string>{"person"});
    for (int f = 0; f < 795; ++f) {
        sl::pipeline::FrameDetections d;
        d.frameIndex = f;
        d.pts = f;
        d.seconds = f / 10.0;
        d.width = 768;
        d.height = 576;
        for (int k = 0; k < 8; ++k) {
            const float x = float((k * 97 + (k % 2 ? 1 : -1) * f * 0.7) + 800.0f);
            const float xx = std::fmod(x, 700.0f), y = 40.0f + 60.0f * float(k);
            d.detections.push_back({0, 0.9f - 0.01f * float(k), {xx, y, xx + 30, y + 50}});
        }
        store->put(d);
    }
    sl::gui::TrackController tc(store);
    QString error = tc.openMedia(QString(), 768, 576);
    QVERIFY(error.isEmpty());
    sl::analytics::Scene scene;
    scene.lines.push_back({"l", {384, 0}, {384, 576}, {}, sl::analytics::Anchor::BottomCentre,
                           "#00c8ff"});
    tc.setScene(scene, false);
    std::vector<double> ms, sceneMs;
    for (int i = 0; i < 5; ++i) {
        const int64_t before = tc.recomputes();
        store->put(store->at(0).value());   // a new version: the poll re-tracks on the worker
        QTRY_COMPARE_WITH_TIMEOUT(tc.recomputes(), before + 1, kTimeoutMs);
        ms.push_back(tc.lastRecomputeMs());
        // A scene edit re-runs only the analytics, on the GUI thread.
        scene.lines[0].a.x = 380 + i;
        tc.setScene(scene, false);
        sceneMs.push_back(tc.lastSceneMs());
    }
    std::sort(ms.begin(), ms.end());
    std::sort(sceneMs.begin(), sceneMs.end());
    qInfo("795 frames x 8 objects: re-track (worker) median %.2f ms (min %.2f, max %.2f); "
          "scene edit (GUI thread) median %.2f ms (max %.2f); %zu tracks",
          ms[2], ms[0], ms[4], sceneMs[2], sceneMs[4], tc.analysis().tracks().size());
    QVERIFY(tc.analysis().tracks().size() >= 8);
    QVERIFY(!tc.analysis().events().empty());
    QVERIFY2(sceneMs[2] < 5.0, "a scene edit on the GUI thread must stay under 5 ms");
}

QTEST_MAIN(TestTracking)
#include "test_tracking.moc"
