// The wall's event clips and rule editing (issue 15) on a generated simulated camera: a person
// (a crop of the darknet photograph, moved with ffmpeg's overlay filter) crosses a vertical line
// once per 4 s loop. The line-cross rule's alert gets a clip (pre 1 s, post 1 s) that appears in
// the Clips dock with the camera and the rule, is linked from the alert (the Alerts row, the
// "clip" line of events.jsonl), and opens in the single view with its stored boxes in the
// window's results (as many frames as the sidecar has, the same boxes and track ids); Esc goes
// back to the wall. Deleting asks first. A zone drawn with the mouse in the tile's rule editor is
// saved in source pixels computed from the editor's transform, and the running pipeline raises
// the new rule's alert without the source restarting.

#include <QApplication>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "analytics/scene.h"
#include "app/main_window.h"
#include "controller/detection_controller.h"
#include "controller/engine_controller.h"
#include "panels/alerts_dock.h"
#include "panels/clips_dock.h"
#include "pipeline/class_color.h"
#include "pipeline/clip_sidecar.h"
#include "support/crossing_video.h"
#include "wall/scene_editor_dialog.h"
#include "wall/wall_controller.h"
#include "view/video_view.h"
#include "wall/wall_view.h"

using sl::gui::MainWindow;
using sl::testing::CrossingVideo;

namespace {

constexpr int kModelTimeoutMs = 240000;   // the first frames wait for the model to load

double round100(double v) { return std::round(v * 100.0) / 100.0; }

// Answers the next modal message box with `button` once it is up.
void answerNextMessageBox(QMessageBox::StandardButton button) {
    QTimer::singleShot(50, [button] {
        for (int i = 0; i < 100; ++i) {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                box->button(button)->click();
                return;
            }
            QTest::qWait(20);
        }
    });
}

}  // namespace

class TestWallClips : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void alertClipIsListedLinkedAndOpensWithItsBoxes();
    void deletingAClipAsksFirst();
    void zoneDrawnOnTheTileIsSavedInSourcePixelsAndAlerts();
    void newClipSettingsApplyToTheRunningWall();

private:
    sl::gui::WallController* wall() { return window_->wall(); }

    std::unique_ptr<sl::testing::TempDir> dir_;
    std::unique_ptr<MainWindow> window_;
    QString video_, clip_;
};

void TestWallClips::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_wall_clips"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("wall-clips");
    auto video = sl::testing::makeCrossingVideo(*dir_);
    QVERIFY2(bool(video), video ? "" : video.status().message().c_str());
    video_ = QString::fromStdString(video->string());
    // Clips into the test's folder, 1 s before and after the alert (read when the wall starts).
    sl::gui::ClipSettings clips;
    clips.dir = QString::fromStdString(dir_->file("clips").string());
    clips.preSeconds = 1;
    clips.postSeconds = 1;
    clips.save();

    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1200, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));   // window shortcuts need it
    wall()->setEventsPath(QString::fromStdString(dir_->file("events.jsonl").string()));
    window_->showWall(true);
    QCOMPARE(wall()->clipsFolder(), clips.dir);
}

void TestWallClips::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestWallClips::alertClipIsListedLinkedAndOpensWithItsBoxes() {
    const std::string scene = dir_->file("door.json").string();
    {
        QFile f(QString::fromStdString(scene));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"version": 1,
          "lines": [{"name": "gate", "a": [320, 400], "b": [320, 0], "classes": ["person"]}],
          "rules": [{"name": "in", "kind": "line-cross", "target": "gate", "classes": ["person"],
                     "direction": 1, "cooldown_seconds": 0}]})");
    }
    QSignalSpy finished(wall(), &sl::gui::WallController::clipFinished);
    const auto added =
        wall()->addSource(video_, QStringLiteral("door"), QString::fromStdString(scene));
    QVERIFY2(added.ok, qPrintable(added.nameOrError));
    QVERIFY2(finished.wait(kModelTimeoutMs), qPrintable(wall()->modelStatus()));
    clip_ = finished.first().first().toString();
    QVERIFY(QFileInfo::exists(clip_));
    QCOMPARE(QFileInfo(clip_).absolutePath(), wall()->clipsFolder());

    // The alert that made it is linked to it.
    QVERIFY(!wall()->alerts().empty());
    const sl::gui::WallAlert& a = wall()->alerts().front();
    QCOMPARE(a.source, QStringLiteral("door"));
    QCOMPARE(QString::fromStdString(a.alert.rule), QStringLiteral("in"));
    QCOMPARE(a.clipPath, clip_);
    auto side = sl::pipeline::loadClipSidecar(sl::pipeline::clipSidecarPath(clip_.toStdString()));
    QVERIFY2(bool(side), side ? "" : side.status().message().c_str());
    QCOMPARE(QString::fromStdString(side->source), QStringLiteral("door"));
    QCOMPARE(side->alerts.size(), size_t(1));
    QCOMPARE(QString::fromStdString(side->alerts[0].rule), QStringLiteral("in"));
    // pre 1 s back to a keyframe (10 frames at 25 fps) + post 1 s.
    QVERIFY2(side->frameCount >= 50 && side->frameCount <= 60,
             qPrintable(QString::number(side->frameCount)));

    // The Alerts row names the clip; events.jsonl has the alert line, then the clip line
    // pointing back at the alert's frame.
    sl::gui::AlertsDock* alerts = window_->alertsDock();
    QTRY_COMPARE(alerts->clipAt(alerts->table()->rowCount() - 1), clip_);
    QFile events(wall()->eventsPath());
    QVERIFY(events.open(QIODevice::ReadOnly));
    bool clipLine = false;
    for (const QByteArray& line : events.readAll().trimmed().split('\n')) {
        const auto j = nlohmann::json::parse(line.toStdString());
        if (j.value("type", "") != "clip" || j["path"] != clip_.toStdString()) continue;
        clipLine = true;
        QCOMPARE(j["source"].get<std::string>(), std::string("door"));
        QCOMPARE(j["alert_frames"][0].get<int64_t>(), a.alert.frameIndex);
        QCOMPARE(j["frames"].get<int64_t>(), side->frameCount);
    }
    QVERIFY(clipLine);

    // The Clips dock lists it (newest first) with camera, rule, duration and size.
    sl::gui::ClipsDock* dock = window_->clipsDock();
    int row = -1;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int r = 0; r < int(dock->rows().size()); ++r)
                if (dock->rows()[size_t(r)].video == clip_) row = r;
            return row >= 0;
        }(),
        10000);
    const sl::gui::ClipRow& listed = dock->rows()[size_t(row)];
    QCOMPARE(listed.camera, QStringLiteral("door"));
    QCOMPARE(listed.rules, QStringLiteral("in"));
    QCOMPARE(listed.seconds, side->durationSeconds);
    const QString sidecar =
        QString::fromStdString(sl::pipeline::clipSidecarPath(clip_.toStdString()).string());
    QCOMPARE(listed.bytes, QFileInfo(clip_).size() + QFileInfo(sidecar).size());
    QCOMPARE(dock->table()->item(row, 1)->text(), QStringLiteral("door"));
    QCOMPARE(dock->table()->item(row, 2)->text(), QStringLiteral("in"));
    for (int r = 1; r < int(dock->rows().size()); ++r)
        QVERIFY(dock->rows()[size_t(r - 1)].time >= dock->rows()[size_t(r)].time);

    // Open Clip (Ctrl+Shift+O) on the selected row: the single view plays it, and the window's
    // results hold the sidecar's boxes, frame by frame.
    dock->table()->selectRow(row);
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    QTest::keyClick(window_.get(), Qt::Key_O, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 30000);
    QVERIFY(!window_->wallShown());
    QCOMPARE(opened.first().first().value<sl::gui::MediaSummary>().url, clip_);
    sl::pipeline::ResultsStore& results = window_->controller()->results();
    QTRY_COMPARE(results.size(), side->frames.size());
    size_t boxes = 0;
    for (const auto& f : side->frames) {
        const auto stored = results.at(f.frameIndex);
        QVERIFY(stored.has_value());
        QCOMPARE(stored->detections.size(), f.detections.size());
        QCOMPARE(stored->trackIds, f.trackIds);
        for (size_t k = 0; k < f.detections.size(); ++k)
            QCOMPARE(stored->detections[k].box, f.detections[k].box);
        boxes += f.detections.size();
    }
    QVERIFY(boxes > 0);   // the person is in the clip
    // What the overlay draws: the detection controller hands the stored boxes of a shown frame.
    const auto& busiest = *std::max_element(
        side->frames.begin(), side->frames.end(),
        [](const auto& x, const auto& y) { return x.detections.size() < y.detections.size(); });
    const auto drawn = window_->detection()->resultFor(busiest.frameIndex);
    QVERIFY(drawn.has_value());
    QCOMPARE(drawn->detections.size(), busiest.detections.size());
    // And it does: on the clip's frame with the most boxes, each box's left edge is drawn in its
    // class colour (source pixels -> the view's picture rect).
    window_->controller()->seekToIndex(busiest.frameIndex);
    sl::gui::VideoView* view = window_->videoView();
    QTRY_COMPARE_WITH_TIMEOUT(view->displayedFrameIndex(), busiest.frameIndex, 10000);
    QTest::qWait(200);   // the overlay of that frame painted
    const QImage fb = view->grabFramebuffer();
    const QRectF vr = view->videoRect();
    const double dpr = fb.devicePixelRatio();
    const double sx = vr.width() / CrossingVideo::kW, sy = vr.height() / CrossingVideo::kH;
    for (const auto& d : busiest.detections) {
        const sl::pipeline::Rgb want = sl::pipeline::classColor(d.classId);
        const double x = vr.left() + d.box.x1 * sx;
        int hits = 0, samples = 0;
        for (double y = vr.top() + (d.box.y1 + (d.box.y2 - d.box.y1) / 3) * sy;
             y < vr.top() + (d.box.y1 + 2 * (d.box.y2 - d.box.y1) / 3) * sy; y += 3, ++samples) {
            bool hit = false;
            for (int dx = -2; dx <= 2 && !hit; ++dx) {
                const QColor c = fb.pixel(int(x * dpr) + dx, int(y * dpr));
                hit = std::abs(c.red() - want.r) <= 40 && std::abs(c.green() - want.g) <= 40 &&
                      std::abs(c.blue() - want.b) <= 40;
            }
            hits += hit;
        }
        QVERIFY(samples > 5);
        QVERIFY2(hits * 10 >= samples * 8, qPrintable(QStringLiteral("%1 of %2 edge points")
                                                          .arg(hits)
                                                          .arg(samples)));
    }
    // Esc: back to the wall.
    QTest::keyClick(window_.get(), Qt::Key_Escape);
    QVERIFY(window_->wallShown());
}

void TestWallClips::deletingAClipAsksFirst() {
    sl::gui::ClipsDock* dock = window_->clipsDock();
    dock->refresh();
    QTRY_VERIFY([&] {
        for (const auto& r : dock->rows())
            if (r.video == clip_) return true;
        return false;
    }());
    const auto select = [&] {
        for (int r = 0; r < int(dock->rows().size()); ++r)
            if (dock->rows()[size_t(r)].video == clip_) dock->table()->selectRow(r);
        return dock->selectedVideo() == clip_;
    };
    QVERIFY(select());
    answerNextMessageBox(QMessageBox::No);
    QVERIFY(!dock->deleteSelected());
    QVERIFY(QFileInfo::exists(clip_));
    QVERIFY(select());
    QSignalSpy refreshed(dock, &sl::gui::ClipsDock::refreshed);
    answerNextMessageBox(QMessageBox::Yes);
    QVERIFY(dock->deleteSelected());
    QVERIFY(!QFileInfo::exists(clip_));
    QVERIFY(!QFileInfo::exists(
        QString::fromStdString(sl::pipeline::clipSidecarPath(clip_.toStdString()).string())));
    QVERIFY(refreshed.wait(10000));
    for (const auto& r : dock->rows()) QVERIFY(r.video != clip_);
}

void TestWallClips::zoneDrawnOnTheTileIsSavedInSourcePixelsAndAlerts() {
    const QString camera = QStringLiteral("door");
    QTRY_VERIFY(wall()->latestFrame(camera).valid());
    const int64_t framesBefore = wall()->status(camera).frames;
    const int64_t sessionsBefore = wall()->status(camera).live.stats.sessions;
    window_->editWallScene(camera);
    auto* dialog = window_->findChild<sl::gui::SceneEditorDialog*>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    sl::gui::SceneCanvas* canvas = dialog->canvas();
    const QRectF pr = canvas->pictureRect();
    QVERIFY(!pr.isEmpty());
    QCOMPARE(canvas->transform().source, QSizeF(CrossingVideo::kW, CrossingVideo::kH));

    // The right part of the picture, where the person walks after the line: widget points,
    // and the source points they stand for by the editor's transform (640 x 400 in pr).
    const QPoint clicks[4] = {
        (pr.topLeft() + QPointF(0.55 * pr.width(), 0.20 * pr.height())).toPoint(),
        (pr.topLeft() + QPointF(0.97 * pr.width(), 0.20 * pr.height())).toPoint(),
        (pr.topLeft() + QPointF(0.97 * pr.width(), 0.98 * pr.height())).toPoint(),
        (pr.topLeft() + QPointF(0.55 * pr.width(), 0.98 * pr.height())).toPoint()};
    const auto toSource = [&](QPoint w) {
        return sl::analytics::Point{round100((w.x() - pr.left()) / pr.width() * CrossingVideo::kW),
                                    round100((w.y() - pr.top()) / pr.height() * CrossingVideo::kH)};
    };
    QTest::keyClick(canvas, Qt::Key_Z);
    QCOMPARE(dialog->tool()->mode(), sl::gui::SceneTool::Mode::DrawZone);
    for (const QPoint& p : clicks) QTest::mouseClick(canvas, Qt::LeftButton, {}, p);
    QTest::mouseClick(canvas, Qt::LeftButton, {}, clicks[0]);   // on the first point: closed
    QCOMPARE(dialog->tool()->mode(), sl::gui::SceneTool::Mode::Select);
    QCOMPARE(dialog->scene().zones.size(), size_t(1));
    // Drag its first corner a little further left.
    const QPoint moved = clicks[0] - QPoint(int(0.05 * pr.width()), 0);
    QTest::mousePress(canvas, Qt::LeftButton, {}, clicks[0]);
    QTest::mouseMove(canvas, (clicks[0] + moved) / 2);
    QTest::mouseMove(canvas, moved);
    QTest::mouseRelease(canvas, Qt::LeftButton, {}, moved);
    const std::vector<sl::analytics::Point> want = {toSource(moved), toSource(clicks[1]),
                                                    toSource(clicks[2]), toSource(clicks[3])};

    // A zone-enter rule for people on it.
    const int row = dialog->addRule();
    QTableWidget* rules = dialog->rulesTable();
    rules->item(row, sl::gui::SceneEditorDialog::kName)->setText(QStringLiteral("right-side"));
    rules->item(row, sl::gui::SceneEditorDialog::kClasses)->setText(QStringLiteral("person"));
    qobject_cast<QDoubleSpinBox*>(rules->cellWidget(row, sl::gui::SceneEditorDialog::kCooldown))
        ->setValue(0);
    // Rename the zone and count only people in it: the rule follows the new name.
    QTableWidget* shapes = dialog->shapesTable();
    QCOMPARE(shapes->rowCount(), 2);   // the zone, then the camera's line
    QCOMPARE(shapes->item(1, 1)->text(), QStringLiteral("gate"));
    shapes->item(0, 1)->setText(QStringLiteral("right"));
    shapes->item(0, 2)->setText(QStringLiteral("person"));
    const size_t alertsBefore = wall()->alerts().size();
    QCOMPARE(dialog->save(), QString());

    // The scene file holds exactly those points, and the old line and rule.
    const QString file = wall()->sceneFileOf(camera);
    auto saved = sl::analytics::loadScene(file.toStdString());
    QVERIFY2(bool(saved), saved ? "" : saved.status().message().c_str());
    QCOMPARE(saved->zones.size(), size_t(1));
    QCOMPARE(saved->zones[0].polygon.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        QCOMPARE(saved->zones[0].polygon[i].x, want[i].x);
        QCOMPARE(saved->zones[0].polygon[i].y, want[i].y);
    }
    QCOMPARE(saved->lines.size(), size_t(1));
    QCOMPARE(saved->rules.size(), size_t(2));
    QCOMPARE(saved->rules[1].name, std::string("right-side"));
    QCOMPARE(saved->rules[1].kind, sl::analytics::RuleKind::ZoneEnter);
    QCOMPARE(saved->zones[0].name, std::string("right"));
    QCOMPARE(saved->zones[0].classes, std::set<std::string>{"person"});
    QCOMPARE(saved->rules[1].target, std::string("right"));
    QCOMPARE(wall()->scene(camera)->zones[0].polygon, saved->zones[0].polygon);

    // The running pipeline raises it (the person walks into the zone every loop), and the source
    // went on meanwhile: same connection, frames still counting.
    bool raised = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (size_t i = alertsBefore; i < wall()->alerts().size(); ++i)
                if (wall()->alerts()[i].alert.rule == "right-side") raised = true;
            return raised;
        }(),
        30000);
    QCOMPARE(wall()->status(camera).live.stats.sessions, sessionsBefore);
    QVERIFY(wall()->status(camera).frames > framesBefore);
    dialog->close();
}

// Another folder and other lengths while the wall runs: the next clips go there, with the new
// pre and post seconds, and the Clips list shows that folder.
void TestWallClips::newClipSettingsApplyToTheRunningWall() {
    sl::gui::ClipSettings s = wall()->clipSettings();
    s.dir = QString::fromStdString(dir_->file("clips2").string());
    s.preSeconds = 0.4;
    s.postSeconds = 2;
    wall()->setClipSettings(s);
    QCOMPARE(wall()->clipsFolder(), s.dir);
    QCOMPARE(sl::gui::ClipSettings::load().postSeconds, 2.0);
    QSignalSpy finished(wall(), &sl::gui::WallController::clipFinished);
    QString clip;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const auto& args : finished)
                if (QFileInfo(args.first().toString()).absolutePath() == s.dir)
                    clip = args.first().toString();
            return !clip.isEmpty();
        }(),
        30000);
    auto side = sl::pipeline::loadClipSidecar(sl::pipeline::clipSidecarPath(clip.toStdString()));
    QVERIFY2(bool(side), side ? "" : side.status().message().c_str());
    // It starts at the keyframe at least 0.4 s (10 frames) before its first alert and ends 2 s
    // (50 frames) after its last (the zone rule fires a few frames after the line rule, inside
    // the post window, and extends the clip).
    QVERIFY(!side->alerts.empty());
    const int64_t first = side->alerts.front().clipFrame, last = side->alerts.back().clipFrame;
    QVERIFY2(first >= 10 && first < 20, qPrintable(QString::number(first)));
    QVERIFY2(std::abs(side->frameCount - (last + 50)) <= 1,
             qPrintable(QStringLiteral("%1 frames, last alert at %2")
                            .arg(side->frameCount)
                            .arg(last)));
    sl::gui::ClipsDock* dock = window_->clipsDock();
    QTRY_VERIFY([&] {
        for (const auto& r : dock->rows())
            if (r.video == clip) return true;
        return false;
    }());
    for (const auto& r : dock->rows()) QCOMPARE(QFileInfo(r.video).absolutePath(), s.dir);
}

QTEST_MAIN(TestWallClips)
#include "test_wall_clips.moc"
