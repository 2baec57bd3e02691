// The wall's event clips and rule editing (issue 15) on a generated simulated camera: a person
// (a crop of the darknet photograph, moved with ffmpeg's overlay filter) crosses a vertical line
// once per 4 s loop. The line-cross rule's alert gets a clip (pre 1 s, post 1 s) that appears in
// the Clips dock with the camera and the rule, is linked from the alert (the Alerts row, the
// "clip" line of events.jsonl), and opens in the single view with its stored boxes in the
// window's results (as many frames as the sidecar has, the same boxes and track ids); Esc goes
// back to the wall. Deleting asks first. A zone drawn with the mouse in the tile's rule editor is
// saved in source pixels computed from the editor's transform, and the running pipeline raises
// the new rule's alert without the source restarting. The editor's other fields (anchor,
// hysteresis, loiter seconds, colour; rule kind, classes, count, direction, severity, cooldown)
// refuse bad values with a message and write nothing, and good ones reach the file, the running
// wall (a loiter alert with the new severity) and the rule engine's behaviour on a hand-built
// track (when the enter fires, whether the anchor is inside at all).

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QSpinBox>
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
#include <filesystem>
#include <memory>
#include <set>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "analytics/rule_engine.h"
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
    void shapeAndRuleFieldsAreCheckedSavedAndApplied();
    void detectorThreadsGiveWayToTheGuiThread();

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
    // The editor's keys (Z, L, ...) are window shortcuts: they need the dialog active, which a
    // loaded machine may not have made it yet when it is first exposed.
    dialog->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(dialog));
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

namespace {

// The alerts of rule `name` on `frames` through a fresh AnalyticsEngine + RuleEngine pair, the
// way a source pipeline feeds them: (frame index, severity) each.
std::vector<std::pair<int64_t, std::string>> alertsOf(
    const sl::analytics::Scene& scene, const std::vector<std::string>& labels,
    const std::vector<sl::analytics::TrackedFrame>& frames, const std::string& name) {
    sl::analytics::AnalyticsEngine analytics(scene, labels);
    sl::analytics::RuleEngine rules(scene, labels);
    std::vector<std::pair<int64_t, std::string>> out;
    for (const auto& f : frames)
        for (const auto& a : rules.update(f, analytics.update(f)))
            if (a.rule == name) out.emplace_back(a.frameIndex, a.severity);
    return out;
}

}  // namespace

void TestWallClips::shapeAndRuleFieldsAreCheckedSavedAndApplied() {
    using D = sl::gui::SceneEditorDialog;
    const QString camera = QStringLiteral("door");
    QTRY_VERIFY(!window_->findChild<D*>());   // the last one went (delete on close)
    QVERIFY(!wall()->labels().empty());        // the model is up: class names can be checked
    window_->editWallScene(camera);
    auto* dialog = window_->findChild<D*>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    // The editor's keys (Z, L, ...) are window shortcuts: they need the dialog active, which a
    // loaded machine may not have made it yet when it is first exposed.
    dialog->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(dialog));
    QTableWidget* shapes = dialog->shapesTable();
    QTableWidget* rules = dialog->rulesTable();
    auto* error = dialog->findChild<QLabel*>(QStringLiteral("sceneError"));
    QVERIFY(error);
    QCOMPARE(shapes->rowCount(), 2);   // zone "right" (the last test's), line "gate"
    QCOMPARE(shapes->item(0, D::kShapeName)->text(), QStringLiteral("right"));
    QCOMPARE(shapes->item(0, D::kShapeHysteresis)->text(), QStringLiteral("3"));
    QCOMPARE(shapes->item(0, D::kShapeLoiter)->text(), QStringLiteral("0"));
    QVERIFY(!(shapes->item(1, D::kShapeHysteresis)->flags() & Qt::ItemIsEditable));
    const QString file = wall()->sceneFileOf(camera);
    const auto bytes = [&] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    const QByteArray before = bytes();
    QVERIFY(!before.isEmpty());

    // Bad shape values: refused as typed and at Save, naming the shape and the field; the file
    // stays as it was. Each is put back before the next.
    struct Bad {
        int row, column;
        QString text, expected;
    };
    const Bad bad[] = {
        {0, D::kShapeHysteresis, "0", "zone 'right': hysteresis '0' is not a whole number"},
        {0, D::kShapeHysteresis, "2.5", "zone 'right': hysteresis '2.5'"},
        {0, D::kShapeHysteresis, "1001", "zone 'right': hysteresis '1001'"},
        {0, D::kShapeLoiter, "-1", "zone 'right': loiter '-1' is not a number of seconds"},
        {0, D::kShapeLoiter, "soon", "zone 'right': loiter 'soon'"},
        {0, D::kShapeColor, "orange", "zone 'right': colour 'orange' is not of the form #rrggbb"},
        {1, D::kShapeColor, "#12345", "line 'gate': colour '#12345'"},
    };
    for (const Bad& b : bad) {
        QTableWidgetItem* item = shapes->item(b.row, b.column);
        const QString good = item->text();
        item->setText(b.text);
        QVERIFY2(error->text().contains(b.expected), qPrintable(error->text()));
        const QString refused = dialog->save();
        QVERIFY2(refused.contains(b.expected), qPrintable(refused));
        QCOMPARE(bytes(), before);
        item->setText(good);
        QVERIFY2(error->text().isEmpty(), qPrintable(error->text()));
    }

    // Rule fields: a class the model does not have, and a loiter rule that could never fire.
    QCOMPARE(rules->rowCount(), 2);   // "in" (line-cross on gate), "right-side" (zone-enter)
    rules->item(1, D::kClasses)->setText(QStringLiteral("person, persn"));
    QString refused = dialog->save();
    QVERIFY2(refused.contains("rule 'right-side': classes: 'persn' is not a class of the model"),
             qPrintable(refused));
    rules->item(1, D::kClasses)->setText(QStringLiteral("person"));
    shapes->item(0, D::kShapeClasses)->setText(QStringLiteral("person, bycicle"));
    refused = dialog->save();
    QVERIFY2(refused.contains("zone 'right': classes: 'bycicle'"), qPrintable(refused));
    shapes->item(0, D::kShapeClasses)->setText(QStringLiteral("person"));
    const int lingers = dialog->addRule();   // a zone-enter on "right", the last zone
    rules->item(lingers, D::kName)->setText(QStringLiteral("lingers"));
    auto* kind = qobject_cast<QComboBox*>(rules->cellWidget(lingers, D::kKind));
    kind->setCurrentIndex(kind->findData(int(sl::analytics::RuleKind::Loiter)));
    refused = dialog->save();
    QVERIFY2(refused.contains("rule 'lingers': a loiter rule needs seconds > 0, or zone 'right'"),
             qPrintable(refused));
    QCOMPARE(bytes(), before);

    // Good values everywhere.
    shapes->item(0, D::kShapeHysteresis)->setText(QStringLiteral(" 4 "));
    shapes->item(0, D::kShapeLoiter)->setText(QStringLiteral("0.4"));
    shapes->item(0, D::kShapeColor)->setText(QStringLiteral("#10E0A0"));
    shapes->item(1, D::kShapeColor)->setText(QStringLiteral("#ff0000"));
    const auto anchor = [&](int row, sl::analytics::Anchor a) {
        auto* box = qobject_cast<QComboBox*>(shapes->cellWidget(row, D::kShapeAnchor));
        QVERIFY(box);
        box->setCurrentIndex(box->findData(int(a)));
    };
    anchor(0, sl::analytics::Anchor::Centre);
    anchor(1, sl::analytics::Anchor::TopCentre);
    rules->item(lingers, D::kClasses)->setText(QStringLiteral("person"));
    auto* severity = qobject_cast<QComboBox*>(rules->cellWidget(lingers, D::kSeverity));
    severity->setCurrentText(QStringLiteral("critical"));
    qobject_cast<QDoubleSpinBox*>(rules->cellWidget(lingers, D::kCooldown))->setValue(2.5);
    const int crowd = dialog->addRule();
    rules->item(crowd, D::kName)->setText(QStringLiteral("crowd"));
    kind = qobject_cast<QComboBox*>(rules->cellWidget(crowd, D::kKind));
    kind->setCurrentIndex(kind->findData(int(sl::analytics::RuleKind::CountAbove)));
    auto* target = qobject_cast<QComboBox*>(rules->cellWidget(crowd, D::kTarget));
    target->setCurrentIndex(target->findData(QString()));   // the whole frame
    qobject_cast<QSpinBox*>(rules->cellWidget(crowd, D::kCount))->setValue(7);
    qobject_cast<QDoubleSpinBox*>(rules->cellWidget(crowd, D::kSeconds))->setValue(1.5);
    auto* direction = qobject_cast<QComboBox*>(rules->cellWidget(0, D::kDirection));
    direction->setCurrentIndex(direction->findData(-1));
    const size_t alertsBefore = wall()->alerts().size();
    QCOMPARE(dialog->save(), QString());
    QVERIFY(bytes() != before);

    // Every field in the file, as entered.
    auto saved = sl::analytics::loadScene(file.toStdString());
    QVERIFY2(bool(saved), saved ? "" : saved.status().message().c_str());
    QCOMPARE(saved->zones.size(), size_t(1));
    const sl::analytics::Zone& zone = saved->zones[0];
    QCOMPARE(zone.hysteresis, 4);
    QCOMPARE(zone.loiterSeconds, 0.4);
    QCOMPARE(zone.color, std::string("#10e0a0"));
    QCOMPARE(zone.anchor, sl::analytics::Anchor::Centre);
    QCOMPARE(zone.classes, std::set<std::string>{"person"});
    QCOMPARE(saved->lines.size(), size_t(1));
    QCOMPARE(saved->lines[0].anchor, sl::analytics::Anchor::TopCentre);
    QCOMPARE(saved->lines[0].color, std::string("#ff0000"));
    QCOMPARE(saved->rules.size(), size_t(4));
    QCOMPARE(saved->rules[0].direction, -1);
    QCOMPARE(saved->rules[1].classes, std::set<std::string>{"person"});
    const sl::analytics::Rule& loiter = saved->rules[2];
    QCOMPARE(loiter.name, std::string("lingers"));
    QCOMPARE(loiter.kind, sl::analytics::RuleKind::Loiter);
    QCOMPARE(loiter.target, std::string("right"));
    QCOMPARE(loiter.seconds, 0.0);
    QCOMPARE(loiter.severity, std::string("critical"));
    QCOMPARE(loiter.cooldownSeconds, 2.5);
    QCOMPARE(loiter.classes, std::set<std::string>{"person"});
    const sl::analytics::Rule& count = saved->rules[3];
    QCOMPARE(count.kind, sl::analytics::RuleKind::CountAbove);
    QCOMPARE(count.target, std::string());
    QCOMPARE(count.count, 7);
    QCOMPARE(count.seconds, 1.5);
    QVERIFY(*wall()->scene(camera) == *saved);

    // The running wall applies it: the person walks about 2 s through the zone every loop, so
    // the zone's 0.4 s loiter fires "lingers", with its severity.
    std::string lingerSeverity;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (size_t i = alertsBefore; i < wall()->alerts().size(); ++i)
                if (wall()->alerts()[i].alert.rule == "lingers")
                    lingerSeverity = wall()->alerts()[i].alert.severity;
            return !lingerSeverity.empty();
        }(),
        30000);
    QCOMPARE(lingerSeverity, std::string("critical"));
    dialog->close();

    // And the engine's behaviour follows each field, on a hand-built person track at 8 fps
    // (exact binary times): frame 0 above the zone, then still at (cx, bottom - 20) with a box
    // reaching 20 px below the zone, so its centre is inside and its bottom-centre outside.
    const std::vector<std::string> labels = wall()->labels();
    const int person = int(std::find(labels.begin(), labels.end(), "person") - labels.begin());
    QVERIFY(person < int(labels.size()));
    double minX = 1e9, maxX = -1e9, minY = 1e9, maxY = -1e9;
    for (const auto& p : zone.polygon) {
        minX = std::min(minX, p.x), maxX = std::max(maxX, p.x);
        minY = std::min(minY, p.y), maxY = std::max(maxY, p.y);
    }
    const double cx = (minX + maxX) / 2;
    std::vector<sl::analytics::TrackedFrame> frames;
    for (int f = 0; f < 12; ++f) {
        sl::track::TrackedObject o;
        o.trackId = 1;
        o.classId = person;
        o.score = 0.9f;
        const double bottom = f == 0 ? minY - 10 : maxY + 20;
        o.box = {float(cx - 20), float(bottom - 80), float(cx + 20), float(bottom)};
        frames.push_back({f, f * 100, f * 0.125, {o}});
    }
    using Fired = std::vector<std::pair<int64_t, std::string>>;
    // Hysteresis 4: inside from frame 1, the enter is confirmed on the 4th frame inside.
    QCOMPARE(alertsOf(*saved, labels, frames, "right-side"), (Fired{{4, "warning"}}));
    sl::analytics::Scene one = *saved;
    one.zones[0].hysteresis = 1;
    QCOMPARE(alertsOf(one, labels, frames, "right-side"), (Fired{{1, "warning"}}));
    // Loiter 0.4 s from the enter dated at frame 1 (0.125 s): the first frame with dwell >= 0.4
    // is frame 5 (0.625 s; frame 4 has 0.375 s).
    QCOMPARE(alertsOf(*saved, labels, frames, "lingers"), (Fired{{5, "critical"}}));
    // With the default bottom-centre anchor the track is never inside.
    sl::analytics::Scene feet = *saved;
    feet.zones[0].anchor = sl::analytics::Anchor::BottomCentre;
    QCOMPARE(alertsOf(feet, labels, frames, "right-side"), Fired{});
    QCOMPARE(alertsOf(feet, labels, frames, "lingers"), Fired{});
}

// The threads the model load and the monitor started run at the wall's inference nice value, read
// back from /proc; the GUI thread and the sources' threads stay at the process's.
void TestWallClips::detectorThreadsGiveWayToTheGuiThread() {
#ifdef __linux__
    QVERIFY(wall()->isReady());
    const std::vector<int> detector = wall()->inferenceThreads();
    QVERIFY(!detector.empty());
    QCOMPARE(wall()->inferenceNice(), sl::gui::WallController::kDefaultInferenceNice);
    const auto niceOf = [](int tid) {
        QFile f(QStringLiteral("/proc/self/task/%1/stat").arg(tid));
        if (!f.open(QIODevice::ReadOnly)) return -100;
        const QByteArray stat = f.readAll();
        // After "(comm)": state is field 3, nice field 19.
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        return fields.size() > 16 ? fields[16].toInt() : -100;
    };
    const int gui = niceOf(int(getpid()));   // the GUI thread's, as the process started
    QVERIFY2(gui > -100 && gui < sl::gui::WallController::kDefaultInferenceNice,
             qPrintable(QString::number(gui)));
    for (int tid : detector)
        if (QFileInfo::exists(QStringLiteral("/proc/self/task/%1").arg(tid)))
            QCOMPARE(niceOf(tid), sl::gui::WallController::kDefaultInferenceNice);
    // Not every thread: the sources' (decoders) were started after and keep the GUI's.
    int asGui = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/task"))
        if (niceOf(std::stoi(e.path().filename().string())) == gui) ++asGui;
    QVERIFY(asGui > 1);
#else
    QSKIP("thread priorities are Linux only");
#endif
}

QTEST_MAIN(TestWallClips)
#include "test_wall_clips.moc"
