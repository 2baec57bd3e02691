// The project in the workstation. A generated 320x240 clip (25 fps) opens with a project; the
// results store gets synthetic detections whose answers are known by construction:
//   frames  0..19 and 25..49: object A (10 + 4f, 80)-(30 + 4f, 120), B (10 + 4f, 40)-(30 + 4f, 70)
//   frames 20..24: analysed, nothing found (present in the store, no detections)
//   frames 50..59: never analysed (absent)
// so ByteTrack gives exactly two tracks (A and B survive the 5-frame gap: track_buffer 30).
// Checked: the side file's zones move into the project (the side file left untouched); a save
// from the GUI while `sightline project import` writes the same project from another process
// (both land, with their counts); `sightline project list` while the GUI holds the project; the
// stored track ids are the window's; load back gives the same boxes, scores and times (seconds
// = f / 25, from the media's clock), the empty analysed frames, and not the unanalysed ones; a
// save cancelled while another writer holds the lock rolls back and never blocks the GUI; a
// scene edit lands in the project; reopening the media (side file gone) takes the project's
// scene; a file that is not a project is refused in the banner, naming it.

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <sqlite3.h>

#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "analytics/scene.h"
#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/track_controller.h"
#include "dialogs/project_sets_dialog.h"
#include "store/project_store.h"
#include "widgets/error_banner.h"
#include "support/video_generator.h"

using sl::gui::MainWindow;
using sl::gui::ProjectController;

namespace {

constexpr int kTimeoutMs = 30000;
constexpr int kFrames = 60;
constexpr int kCliFrames = 60, kCliTracks = 200;   // the CLI's import: 12,000 objects

bool hasObjects(int64_t f) { return f < 20 || (f >= 25 && f < 50); }

sl::vision::Box boxOf(int64_t f, int object) {
    const float x = 10.0f + 4.0f * float(f);
    return object == 0 ? sl::vision::Box{x, 80, x + 20, 120} : sl::vision::Box{x, 40, x + 20, 70};
}

float scoreOf(int64_t f, int object) { return (object == 0 ? 0.9f : 0.8f) - 0.001f * float(f); }

sl::analytics::Scene sideScene() {
    sl::analytics::Scene s;
    s.zones.push_back({"door", {{140, 100}, {200, 100}, {200, 140}, {140, 140}}});
    sl::analytics::Line l;
    l.name = "gate";
    l.a = {120, 95};
    l.b = {180, 130};
    s.lines.push_back(l);
    return s;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

std::unique_ptr<sl::store::ProjectStore> readOnly(const QString& path) {
    auto p = sl::store::ProjectStore::open(path.toStdString(), /*readOnly=*/true);
    if (!p) qWarning() << p.status().message().c_str();
    return p ? std::move(*p) : nullptr;
}

}  // namespace

class TestProject : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void sideFileSceneMovesIntoProject();
    void saveWhileCliImports();
    void cliListsWhileGuiHoldsProject();
    void storedTracksAreTheWindows();
    void loadBackRestoresResults();
    void cancelledSaveRollsBackWithoutBlocking();
    void sceneEditLandsInProject();
    void reopenTakesProjectScene();
    void notAProjectIsRefusedByName();

private:
    void openVideoAndWait();
    int64_t guiSetId() const { return guiSet_; }

    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_, project_, sideFile_;
    QByteArray sideBytes_;
    std::unique_ptr<MainWindow> window_;
    ProjectController* pc_ = nullptr;
    sl::gui::TrackController* tracks_ = nullptr;
    int64_t guiSet_ = 0;
    double tb_ = 0;
    int64_t startPts_ = 0;
};

void TestProject::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_project"));
    QSettings().clear();

    dir_ = std::make_unique<sl::testing::TempDir>("gui-project");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.frames = kFrames;
    spec.fps = 25;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    video_ = QString::fromStdString(generated->path.string());
    sideFile_ = video_ + QStringLiteral(".zones.json");
    QVERIFY(sl::analytics::saveScene(sideFile_.toStdString(), sideScene()));
    sideBytes_ = readAll(sideFile_);
    QVERIFY(!sideBytes_.isEmpty());
    project_ = QString::fromStdString(dir_->file("work.slproj").string());

    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    pc_ = window_->project();
    tracks_ = window_->tracks();
    QVERIFY(pc_ && tracks_);
}

void TestProject::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestProject::openVideoAndWait() {
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    QSignalSpy ready(pc_, &ProjectController::mediaReady);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kTimeoutMs);
}

void TestProject::sideFileSceneMovesIntoProject() {
    // The video first (its side file loads), then the project: the scene moves in.
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QVERIFY(tracks_->scene() == sideScene());
    const auto summary = opened.takeFirst().at(0).value<sl::gui::MediaSummary>();
    tb_ = double(summary.timeBaseNum) / summary.timeBaseDen;
    startPts_ = summary.startPts;
    QVERIFY(tb_ > 0);

    QSignalSpy ready(pc_, &ProjectController::mediaReady);
    QSignalSpy saved(pc_, &ProjectController::sceneSaved);
    window_->openProject(project_, /*create=*/true);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, kTimeoutMs);
    QVERIFY(window_->statusText().contains(QStringLiteral("work.slproj")));

    auto p = readOnly(project_);
    QVERIFY(p);
    const auto media = p->media();
    QCOMPARE(media.size(), size_t(1));
    QCOMPARE(QString::fromStdString(media[0].path), QFileInfo(video_).absoluteFilePath());
    QCOMPARE(media[0].width, 320);
    QCOMPARE(media[0].frameCount, int64_t(kFrames));
    QCOMPARE(media[0].startPts, startPts_);
    auto json = p->scene(media[0].id);
    QVERIFY(json && !json->empty());
    auto stored = sl::analytics::parseSceneJson(*json, "project");
    QVERIFY2(stored.hasValue(), stored.status().message().c_str());
    QVERIFY(*stored == sideScene());
    QCOMPARE(readAll(sideFile_), sideBytes_);   // the side file is left as it was

    // The synthetic analysis (file comment); pts on the media's clock.
    auto& store = window_->controller()->results();
    store.setLabels({"person"});
    for (int64_t f = 0; f < 50; ++f) {
        sl::pipeline::FrameDetections d;
        d.frameIndex = f;
        d.seconds = f / 25.0;
        d.pts = startPts_ + std::llround(d.seconds / tb_);
        d.width = 320;
        d.height = 240;
        if (hasObjects(f))
            for (int o = 0; o < 2; ++o) d.detections.push_back({0, scoreOf(f, o), boxOf(f, o)});
        store.put(d);
    }
    QTRY_COMPARE_WITH_TIMEOUT(tracks_->analysis().tracks().size(), size_t(2), kTimeoutMs);
}

void TestProject::saveWhileCliImports() {
    // A big MOT file for the CLI, imported while the GUI saves.
    const QString mot = QString::fromStdString(dir_->file("big_mot.txt").string());
    {
        std::ofstream f(mot.toStdString());
        for (int frame = 1; frame <= kCliFrames; ++frame)
            for (int id = 1; id <= kCliTracks; ++id)
                f << frame << ',' << id << ',' << 5 + (id % 20) * 15 << ','
                  << 5 + (id / 20) * 20 << ",10,15,1,1,1\n";
    }
    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(QStringLiteral(SL_SIGHTLINE_EXE),
              {QStringLiteral("project"), QStringLiteral("import"), project_, mot,
               QStringLiteral("--media"), video_, QStringLiteral("--name"),
               QStringLiteral("cli-import")});
    QVERIFY(cli.waitForStarted(kTimeoutMs));
    // The GUI saves once the CLI is storing (its import transaction is open or about to be):
    // the two writers really overlap, and the GUI's save waits on its worker for the lock.
    QByteArray cliOut;
    QTRY_VERIFY_WITH_TIMEOUT((cliOut += cli.readAll()).contains("storing"), kTimeoutMs);

    QSignalSpy saved(pc_, &ProjectController::resultsSaved);
    QSignalSpy failed(pc_, &ProjectController::failed);
    QElapsedTimer clock;
    clock.start();
    window_->saveResultsToProject();
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, kTimeoutMs);
    qInfo("GUI save beside the CLI import: %lld ms", static_cast<long long>(clock.elapsed()));
    QCOMPARE(failed.count(), 0);
    guiSet_ = saved.at(0).at(0).toLongLong();
    QCOMPARE(saved.at(0).at(1).toLongLong(), qint64(2 * 45));   // 45 frames with A and B
    if (cli.state() != QProcess::NotRunning) QVERIFY(cli.waitForFinished(kTimeoutMs));
    QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
    cliOut += cli.readAll();
    QVERIFY2(cli.exitCode() == 0, cliOut.constData());

    auto p = readOnly(project_);
    QVERIFY(p);
    QCOMPARE(p->media().size(), size_t(1));   // the CLI named the GUI's media by its path
    const auto sets = p->sets(p->media()[0].id);
    QCOMPARE(sets.size(), size_t(2));
    std::map<std::string, int64_t> counts;
    for (const auto& s : sets) counts[s.name] = *p->objectCount(s.id);
    QCOMPARE(counts["cli-import"], int64_t(kCliFrames * kCliTracks));
    auto gui = p->set(guiSet_);
    QVERIFY(gui);
    QCOMPARE(gui->kind, sl::annotate::SetKind::ModelRun);
    QCOMPARE(counts[gui->name], int64_t(90));
}

void TestProject::cliListsWhileGuiHoldsProject() {
    QProcess cli;
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(QStringLiteral(SL_SIGHTLINE_EXE),
              {QStringLiteral("project"), QStringLiteral("list"), project_});
    QVERIFY(cli.waitForFinished(kTimeoutMs));
    const QString out = QString::fromUtf8(cli.readAll());
    QVERIFY2(cli.exitCode() == 0, qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("'cli-import' (ground-truth): 12000 objects, 200 tracks")),
             qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("(model-run): 90 objects, 2 tracks, 45 frames")),
             qPrintable(out));
}

void TestProject::storedTracksAreTheWindows() {
    auto p = readOnly(project_);
    QVERIFY(p);
    auto objects = p->objects(guiSet_);
    QVERIFY(objects);
    std::set<int64_t> ids;
    for (const auto& o : *objects) {
        // Which of the frame's detections this object is, by its box (A or B).
        const int which = o.box == boxOf(o.frame, 0) ? 0 : o.box == boxOf(o.frame, 1) ? 1 : -1;
        QVERIFY2(which >= 0, qPrintable(QStringLiteral("frame %1: a box not given").arg(o.frame)));
        // The store holds detections by score: A (higher) first.
        QCOMPARE(o.trackId, tracks_->trackOfDetection(o.frame, which));
        ids.insert(o.trackId);
        QCOMPARE(o.pts, startPts_ + std::llround(o.frame / 25.0 / tb_));
    }
    QCOMPARE(ids.size(), size_t(2));
    QVERIFY(!ids.count(0));
}

void TestProject::loadBackRestoresResults() {
    auto& store = window_->controller()->results();
    store.clear();
    QCOMPARE(store.size(), size_t(0));
    window_->loadResultsFromProject();
    auto* dialog = window_->setsDialog();
    QVERIFY(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->rowCount(), 2, kTimeoutMs);
    for (int r = 0; r < dialog->rowCount() && dialog->selectedSet() != guiSet_; ++r)
        dialog->selectRow(r);
    QCOMPARE(dialog->selectedSet(), guiSet_);
    QPushButton* load = nullptr;
    for (QPushButton* b : dialog->findChildren<QPushButton*>())
        if (b->text() == QStringLiteral("Load")) load = b;
    QVERIFY(load && load->isEnabled());
    QSignalSpy loaded(pc_, &ProjectController::setLoaded);
    QTest::mouseClick(load, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(store.size(), size_t(50), kTimeoutMs);

    for (int64_t f = 0; f < kFrames; ++f) {
        const auto got = store.at(f);
        if (f >= 50) {
            QVERIFY2(!got, qPrintable(QStringLiteral("frame %1 was never analysed").arg(f)));
            continue;
        }
        QVERIFY2(got, qPrintable(QStringLiteral("frame %1 missing").arg(f)));
        QVERIFY(std::abs(got->seconds - f / 25.0) < 1e-6);
        QCOMPARE(got->width, 320);
        if (!hasObjects(f)) {
            QVERIFY(got->detections.empty());   // analysed, nothing found
            continue;
        }
        QCOMPARE(got->detections.size(), size_t(2));
        for (int o = 0; o < 2; ++o) {
            QVERIFY(got->detections[size_t(o)].box == boxOf(f, o));
            QCOMPARE(got->detections[size_t(o)].score, scoreOf(f, o));
            QCOMPARE(got->detections[size_t(o)].classId, 0);
        }
    }
    // The tracker sees the loaded run as it saw the original: the same two tracks.
    QTRY_COMPARE_WITH_TIMEOUT(tracks_->analysis().tracks().size(), size_t(2), kTimeoutMs);
}

void TestProject::cancelledSaveRollsBackWithoutBlocking() {
    // Another writer (a CLI, say) holds the project's write lock: the save waits on the worker.
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(project_.toUtf8().constData(), &db), SQLITE_OK);
    QCOMPARE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

    QSignalSpy cancelled(pc_, &ProjectController::saveCancelled);
    QSignalSpy saved(pc_, &ProjectController::resultsSaved);
    window_->saveResultsToProject();
    QVERIFY(pc_->saving());
    // The GUI thread keeps running its event loop meanwhile: a 50 ms timer fires on time.
    QElapsedTimer clock;
    clock.start();
    int ticks = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, [&] { ++ticks; });
    tick.start(50);
    QTest::qWait(600);
    QVERIFY2(ticks >= 8, qPrintable(QStringLiteral("%1 ticks in %2 ms").arg(ticks).arg(
                             clock.elapsed())));
    pc_->cancelSave();
    QCOMPARE(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kTimeoutMs);
    QCOMPARE(saved.count(), 0);
    QVERIFY(!pc_->saving());
    auto p = readOnly(project_);
    QVERIFY(p);
    QCOMPARE(p->sets(p->media()[0].id).size(), size_t(2));   // nothing of it stayed
}

void TestProject::sceneEditLandsInProject() {
    sl::analytics::Scene edited = tracks_->scene();
    edited.zones.push_back({"yard", {{10, 10}, {60, 10}, {60, 60}}});
    QSignalSpy saved(pc_, &ProjectController::sceneSaved);
    tracks_->setScene(edited);
    QTRY_COMPARE_WITH_TIMEOUT(saved.count(), 1, kTimeoutMs);
    auto p = readOnly(project_);
    QVERIFY(p);
    auto json = p->scene(p->media()[0].id);
    QVERIFY(json);
    auto stored = sl::analytics::parseSceneJson(*json, "project");
    QVERIFY(stored.hasValue());
    QVERIFY(*stored == edited);
    QCOMPARE(readAll(sideFile_), sideBytes_);   // edits go to the project, not the side file
}

void TestProject::reopenTakesProjectScene() {
    const sl::analytics::Scene edited = tracks_->scene();
    QCOMPARE(edited.zones.size(), size_t(2));
    QVERIFY(QFile::remove(sideFile_));
    openVideoAndWait();
    QTRY_VERIFY_WITH_TIMEOUT(tracks_->scene() == edited, kTimeoutMs);
    QVERIFY(!QFile::exists(sideFile_));   // and none is written back
}

void TestProject::notAProjectIsRefusedByName() {
    const QString junk = QString::fromStdString(dir_->file("notes.slproj").string());
    {
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
    }
    QSignalSpy failed(pc_, &ProjectController::failed);
    window_->openProject(junk, /*create=*/false);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
    QVERIFY(!pc_->isOpen());
    const QString message = window_->errorBanner()->message();
    QVERIFY2(message.contains(QStringLiteral("notes.slproj")), qPrintable(message));
    QVERIFY(window_->errorBanner()->isVisible());
    QCOMPARE(QFileInfo(junk).size(), qint64(4096));   // never overwritten
}

QTEST_MAIN(TestProject)
#include "test_project.moc"
