// The project as files in the workstation: the title ("project — video — Sightline") and the
// Recent Projects list; each malformed annotation file imported from the GUI shows the engine's
// message naming the file and the line in the error banner and leaves the project's sets and
// objects as they were (read back from the store); a good import adds the set with its kind and
// name; an export writes a file that re-imports equal to the stored set; Save Project As gives an
// equal copy and switches to it; a project whose media moved asks once for the folder and
// relinks; the dataset export writes only the annotated frames, and a cancel writes nothing.

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <memory>

#include "annotate/formats/format.h"
#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "dialogs/annotation_files_dialog.h"
#include "store/project_annotations.h"
#include "store/project_store.h"
#include "support/video_generator.h"
#include "widgets/error_banner.h"

using sl::gui::MainWindow;
using sl::gui::ProjectController;
namespace fmt = sl::annotate::formats;
namespace fs = std::filesystem;

namespace {

constexpr int kTimeoutMs = 30000;
constexpr int kFrames = 60;
const QString kDash = QStringLiteral(" \u2014 ");

void writeText(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

// Everything of a project that an import could change: per set its fields and objects.
struct Snapshot {
    std::vector<std::pair<sl::annotate::AnnotationSet, std::vector<sl::annotate::Object>>> sets;
    bool operator==(const Snapshot& o) const {
        if (sets.size() != o.sets.size()) return false;
        for (size_t i = 0; i < sets.size(); ++i) {
            const auto& [a, ao] = sets[i];
            const auto& [b, bo] = o.sets[i];
            if (a.id != b.id || a.name != b.name || a.kind != b.kind || a.labels != b.labels ||
                ao != bo)
                return false;
        }
        return true;
    }
};

Snapshot snapshot(const QString& project) {
    Snapshot s;
    auto p = sl::store::ProjectStore::open(project.toStdString(), /*readOnly=*/true);
    if (!p) return s;
    for (const auto& m : (*p)->media())
        for (const auto& set : (*p)->sets(m.id)) {
            auto objects = (*p)->objects(set.id);
            s.sets.emplace_back(set, objects ? *objects : std::vector<sl::annotate::Object>{});
        }
    return s;
}

}  // namespace

class TestProjectFiles : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void titleAndRecentProjects();
    void malformedImportsLeaveTheProjectUnchanged();
    void goodImportAddsTheSetAndExportReimportsEqual();
    void dialogsOfferEveryFormatAndRun();
    void saveAsCopiesAndSwitches();
    void datasetExportAndCancel();
    void movedMediaAskOnceAndRelink();

private:
    void openProjectAndWait(const QString& path, bool create);

    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_, project_;
    std::unique_ptr<MainWindow> window_;
    ProjectController* pc_ = nullptr;
    qint64 goodSet_ = 0;
};

void TestProjectFiles::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_project_files"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("gui-project-files");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.frames = kFrames;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    video_ = QString::fromStdString(generated->path.string());
    project_ = QString::fromStdString(dir_->file("work.slproj").string());

    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    pc_ = window_->project();
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
}

void TestProjectFiles::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestProjectFiles::openProjectAndWait(const QString& path, bool create) {
    QSignalSpy opened(pc_, &ProjectController::opened);
    QSignalSpy ready(pc_, &ProjectController::mediaReady);
    window_->openProject(path, create);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kTimeoutMs);
}

void TestProjectFiles::titleAndRecentProjects() {
    QCOMPARE(window_->windowTitle(), QStringLiteral("clip.mp4") + kDash + "Sightline");
    const QString other = QString::fromStdString(dir_->file("other.slproj").string());
    openProjectAndWait(other, true);
    openProjectAndWait(project_, true);
    QCOMPARE(window_->windowTitle(),
             QStringLiteral("work.slproj") + kDash + "clip.mp4" + kDash + "Sightline");
    const QStringList stored =
        QSettings().value(QLatin1String(MainWindow::kRecentProjectsKey)).toStringList();
    QCOMPARE(stored, (QStringList{project_, other}));
    // The submenu lists them newest first; its entry opens the project.
    QList<QString> listed;
    QAction* otherEntry = nullptr;
    for (QAction* a : window_->recentProjectsMenu()->actions())
        if (a->data().isValid()) {
            listed << a->data().toString();
            if (a->data().toString() == other) otherEntry = a;
        }
    QCOMPARE(listed, (QList<QString>{project_, other}));
    QVERIFY(otherEntry);
    QSignalSpy opened(pc_, &ProjectController::opened);
    otherEntry->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QCOMPARE(window_->windowTitle(),
             QStringLiteral("other.slproj") + kDash + "clip.mp4" + kDash + "Sightline");
    // Nothing asks for a save: no modified marker anywhere in the title.
    QVERIFY(!window_->windowTitle().contains(QLatin1Char('*')));
    // The File menu holds the project actions.
    QMenu* file = nullptr;
    for (QAction* a : window_->menuBar()->actions())
        if (a->text() == QStringLiteral("&File")) file = a->menu();
    QVERIFY(file);
    QStringList texts;
    for (QAction* a : file->actions()) texts << a->text();
    for (const char* t : {"&New Project...", "Open &Project...", "Save Project &As...",
                          "Recent Pro&jects", "&Import Annotations...", "&Export Annotations...",
                          "Export &Dataset (Annotated Frames)...", "Export &Video with Boxes..."})
        QVERIFY2(texts.contains(QString::fromLatin1(t)), t);
    openProjectAndWait(project_, false);
}

void TestProjectFiles::malformedImportsLeaveTheProjectUnchanged() {
    // A set already there, so "unchanged" compares something.
    const fs::path seed = dir_->file("seed.txt");
    writeText(seed, "1,1,10,10,20,20,1,-1,-1,-1\n");
    {
        QSignalSpy done(pc_, &ProjectController::annotationsImported);
        window_->importAnnotations(QString::fromStdString(seed.string()), fmt::Format::Mot,
                                   sl::annotate::SetKind::GroundTruth, QStringLiteral("seed"));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kTimeoutMs);
    }
    const Snapshot before = snapshot(project_);
    QCOMPARE(before.sets.size(), size_t(1));

    struct Bad {
        fs::path path;
        fmt::Format format;
        std::string text;
        QString expect;   // the file and the place in the message
    };
    const fs::path yolo = dir_->file("yolo_bad");
    writeText(yolo / "classes.txt", "person\n");
    writeText(yolo / "frame_000001.txt", "0 0.5 0.5 0.1 0.1\n0 0.5 abc 0.1 0.1\n");
    const std::vector<Bad> bad = {
        {dir_->file("bad_mot.txt"), fmt::Format::Mot,
         "1,1,10,10,20,20,1,-1,-1,-1\n2,1,10,10,abc,20,1,-1,-1,-1\n", "bad_mot.txt:line 2: width"},
        {dir_->file("bad_coco.json"), fmt::Format::Coco, "{\n \"images\": [\n  {\"id\": 1,, }\n ]\n}\n",
         "bad_coco.json:line 3: JSON"},
        {dir_->file("bad_cvat.xml"), fmt::Format::CvatVideo,
         "<?xml version=\"1.0\"?>\n<annotations>\n  <version>1.1</version>\n"
         "  <track id=\"0\" label=\"person\">\n    <box frame=\"0\" outside=\"0\" occluded=\"0\" "
         "keyframe=\"1\" xtl=\"10\" ytl=\"abc\" xbr=\"20\" ybr=\"20\"/>\n  </track>\n"
         "</annotations>\n",
         "bad_cvat.xml:line 5 <box>: ytl"},
        {dir_->file("bad_frames.txt"), fmt::Format::Mot, "1,1,10,10,20,20,1,-1,-1,-1\n" +
                                                             std::to_string(kFrames + 5) +
                                                             ",1,10,10,20,20,1,-1,-1,-1\n",
         "bad_frames.txt:line 2"},
        {yolo, fmt::Format::Yolo, "", "frame_000001.txt:line 2: cy"},
    };
    for (const Bad& b : bad) {
        if (!b.text.empty()) writeText(b.path, b.text);
        QSignalSpy failed(pc_, &ProjectController::failed);
        QSignalSpy finished(pc_, &ProjectController::jobsFinished);
        window_->importAnnotations(QString::fromStdString(b.path.string()), b.format,
                                   sl::annotate::SetKind::GroundTruth, QStringLiteral("bad"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
        QCOMPARE(failed.count(), 1);
        const QString shown = window_->errorBanner()->message();
        QVERIFY2(shown.contains(b.expect), qPrintable(shown + " lacks " + b.expect));
        QVERIFY2(snapshot(project_) == before, qPrintable(b.expect));
    }
}

void TestProjectFiles::goodImportAddsTheSetAndExportReimportsEqual() {
    const fs::path good = dir_->file("good.txt");
    // Tracks 1 and 2, frames 1-based: engine frames 0, 1 and 29.
    writeText(good, "1,1,10,10,20,20,0.9,-1,-1,-1\n2,1,12,10,20,20,0.8,-1,-1,-1\n"
                    "30,2,100,50,40,60,0.7,-1,-1,-1\n");
    const size_t setsBefore = snapshot(project_).sets.size();
    QSignalSpy done(pc_, &ProjectController::annotationsImported);
    window_->importAnnotations(QString::fromStdString(good.string()), std::nullopt,
                               sl::annotate::SetKind::ModelRun, QStringLiteral("tracker"));
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kTimeoutMs);
    goodSet_ = done.at(0).at(0).toLongLong();
    QCOMPARE(done.at(0).at(2).toLongLong(), qint64(3));

    const Snapshot after = snapshot(project_);
    QCOMPARE(after.sets.size(), setsBefore + 1);
    const auto& [set, objects] = after.sets.back();
    QCOMPARE(set.id, goodSet_);
    QCOMPARE(set.name, std::string("tracker"));
    QCOMPARE(set.kind, sl::annotate::SetKind::ModelRun);
    QCOMPARE(objects.size(), size_t(3));
    QCOMPARE(objects[2].frame, int64_t(29));
    QCOMPARE(objects[2].box.x2, 140.0f);

    for (fmt::Format f : {fmt::Format::Sightline, fmt::Format::Coco, fmt::Format::CvatVideo}) {
        const fs::path out =
            dir_->file(std::string("export_") + fmt::formatName(f) +
                       (f == fmt::Format::CvatVideo ? ".xml" : ".json"));
        QSignalSpy exported(pc_, &ProjectController::annotationsExported);
        window_->exportAnnotations(goodSet_, QString::fromStdString(out.string()), f);
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, kTimeoutMs);
        fmt::ImportOptions o;
        o.kind = sl::annotate::SetKind::ModelRun;
        auto back = sl::store::readAnnotationFile(out.string(), f, o);
        QVERIFY2(back.hasValue(), back.status().message().c_str());
        // The stored set's boxes, frames, tracks and labels come back (CVAT writes the frames
        // between a track's keyframes as well: compare the stored frames).
        for (const sl::annotate::Object& s : objects) {
            bool found = false;
            for (const sl::annotate::Object& b : back->set.objects)
                found = found || (b.frame == s.frame && b.trackId == s.trackId &&
                                  b.label == s.label && b.box == s.box);
            QVERIFY2(found, fmt::formatName(f));
        }
        if (f != fmt::Format::CvatVideo) {
            QCOMPARE(back->set.objects.size(), objects.size());
        }
        if (f == fmt::Format::Sightline) {
            for (size_t i = 0; i < objects.size(); ++i) {
                QCOMPARE(back->set.objects[i].score, objects[i].score);
                QCOMPARE(back->set.objects[i].keyframe, objects[i].keyframe);
            }
        }
    }
}

// The menu entries open their dialogs; the dialog's choices run the import / export.
void TestProjectFiles::dialogsOfferEveryFormatAndRun() {
    const auto action = [this](const QString& text) -> QAction* {
        for (QAction* a : window_->allActions())
            if (a->text() == text) return a;
        return nullptr;
    };
    const auto dialog = [this](const char* name) {
        return window_->findChild<sl::gui::AnnotationFilesDialog*>(QLatin1String(name));
    };
    // Import: "detect" and every format of the registry; kind and name carried into the set.
    action(QStringLiteral("&Import Annotations..."))->trigger();
    sl::gui::AnnotationFilesDialog* imp = nullptr;
    QTRY_VERIFY((imp = dialog("importAnnotationsDialog")) != nullptr);
    auto* format = imp->findChild<QComboBox*>(QStringLiteral("format"));
    QCOMPARE(format->count(), int(fmt::allFormats().size()) + 1);
    for (fmt::Format f : fmt::allFormats())
        QVERIFY(format->findText(QString::fromLatin1(fmt::formatName(f))) >= 0);
    const fs::path file = dir_->file("dialog.txt");
    writeText(file, "5,3,1,2,10,10,1,-1,-1,-1\n");
    format->setCurrentIndex(format->findText(QStringLiteral("mot")));
    auto* kind = imp->findChild<QComboBox*>(QStringLiteral("kind"));
    kind->setCurrentIndex(2);   // reviewed
    imp->findChild<QLineEdit*>(QStringLiteral("name"))->setText(QStringLiteral("from dialog"));
    auto* ok = imp->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());   // no file yet
    imp->findChild<QLineEdit*>(QStringLiteral("path"))->setText(QString::fromStdString(file.string()));
    QVERIFY(ok->isEnabled());
    QSignalSpy imported(pc_, &ProjectController::annotationsImported);
    ok->click();
    QTRY_COMPARE_WITH_TIMEOUT(imported.count(), 1, kTimeoutMs);
    const Snapshot after = snapshot(project_);
    const auto& [set, objects] = after.sets.back();
    QCOMPARE(set.name, std::string("from dialog"));
    QCOMPARE(set.kind, sl::annotate::SetKind::Reviewed);
    QCOMPARE(objects.size(), size_t(1));
    QCOMPARE(objects[0].frame, int64_t(4));

    // Export: the set list comes from the project; choosing one and a file writes it.
    action(QStringLiteral("&Export Annotations..."))->trigger();
    sl::gui::AnnotationFilesDialog* exp = nullptr;
    QTRY_VERIFY((exp = dialog("exportAnnotationsDialog")) != nullptr);
    auto* sets = exp->findChild<QComboBox*>(QStringLiteral("set"));
    QTRY_COMPARE_WITH_TIMEOUT(sets->count(), int(after.sets.size()), kTimeoutMs);
    sets->setCurrentIndex(sets->findData(qint64(set.id)));
    auto* exportFormat = exp->findChild<QComboBox*>(QStringLiteral("format"));
    exportFormat->setCurrentIndex(exportFormat->findText(QStringLiteral("sightline")));
    const fs::path out = dir_->file("dialog_export.json");
    exp->findChild<QLineEdit*>(QStringLiteral("path"))->setText(QString::fromStdString(out.string()));
    QSignalSpy exported(pc_, &ProjectController::annotationsExported);
    exp->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, kTimeoutMs);
    auto back = sl::store::readAnnotationFile(out.string(), fmt::Format::Sightline, {});
    QVERIFY2(back.hasValue(), back.status().message().c_str());
    QCOMPARE(back->set.objects.size(), size_t(1));
    QCOMPARE(back->set.objects[0].box, objects[0].box);

    // The dataset dialog offers YOLO and COCO labels, JPEG and PNG images.
    action(QStringLiteral("Export &Dataset (Annotated Frames)..."))->trigger();
    sl::gui::AnnotationFilesDialog* ds = nullptr;
    QTRY_VERIFY((ds = dialog("exportDatasetDialog")) != nullptr);
    QCOMPARE(ds->findChild<QComboBox*>(QStringLiteral("format"))->count(), 2);
    QCOMPARE(ds->findChild<QComboBox*>(QStringLiteral("imageFormat"))->count(), 2);
    ds->reject();
}

void TestProjectFiles::saveAsCopiesAndSwitches() {
    const QString copy = QString::fromStdString(dir_->file("copy.slproj").string());
    const Snapshot original = snapshot(project_);
    QSignalSpy saved(pc_, &ProjectController::savedAs);
    QSignalSpy opened(pc_, &ProjectController::opened);
    window_->saveProjectAs(copy);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QCOMPARE(saved.count(), 1);
    QCOMPARE(pc_->path(), copy);
    QVERIFY(window_->windowTitle().startsWith(QStringLiteral("copy.slproj") + kDash));
    QVERIFY(snapshot(copy) == original);
    // An existing file is refused and the copy stays open.
    QSignalSpy failed(pc_, &ProjectController::failed);
    window_->saveProjectAs(project_);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
    QCOMPARE(pc_->path(), copy);
    openProjectAndWait(project_, false);
}

void TestProjectFiles::datasetExportAndCancel() {
    QVERIFY(goodSet_ > 0);
    sl::pipeline::DatasetExportOptions o;
    o.output = dir_->file("dataset");
    o.labels = fmt::Format::Yolo;
    o.images = sl::pipeline::DatasetImageFormat::Png;
    QSignalSpy done(pc_, &ProjectController::datasetExported);
    window_->exportDataset(goodSet_, o);
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kTimeoutMs);
    QCOMPARE(done.at(0).at(1).toLongLong(), qint64(3));   // frames 0, 1, 29
    std::set<std::string> images;
    for (const auto& e : fs::directory_iterator(o.output / "images"))
        images.insert(e.path().filename().string());
    QCOMPARE(images, (std::set<std::string>{"frame_000000.png", "frame_000001.png",
                                            "frame_000029.png"}));

    o.output = dir_->file("cancelled");
    QSignalSpy cancelled(pc_, &ProjectController::datasetCancelled);
    window_->exportDataset(goodSet_, o);
    pc_->cancelDataset();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kTimeoutMs);
    QVERIFY(!fs::exists(o.output));
    for (const auto& e : fs::directory_iterator(dir_->path()))
        QVERIFY2(e.path().filename().string().find("cancelled") == std::string::npos,
                 e.path().c_str());
}

void TestProjectFiles::movedMediaAskOnceAndRelink() {
    // A project whose two media live in old/, then one moves to new/ and one is gone.
    const fs::path oldDir = dir_->file("old"), newDir = dir_->file("new");
    fs::create_directories(oldDir);
    fs::create_directories(newDir);
    fs::copy_file(video_.toStdString(), oldDir / "a.mp4");
    fs::copy_file(video_.toStdString(), oldDir / "b.mp4");
    const QString moved = QString::fromStdString(dir_->file("moved.slproj").string());
    {
        auto p = sl::store::ProjectStore::create(moved.toStdString());
        QVERIFY(p.hasValue());
        for (const char* n : {"a.mp4", "b.mp4"}) {
            sl::annotate::MediaInfo m;
            m.path = (oldDir / n).string();
            m.width = 320, m.height = 240, m.frameCount = kFrames;
            QVERIFY((*p)->addMedia(m).hasValue());
        }
    }
    fs::rename(oldDir / "a.mp4", newDir / "a.mp4");
    fs::remove(oldDir / "b.mp4");

    QSignalSpy missing(pc_, &ProjectController::mediaMissing);
    QSignalSpy opened(pc_, &ProjectController::opened);
    QSignalSpy ready(pc_, &ProjectController::mediaReady);
    window_->openProject(moved, false);
    QTRY_COMPARE_WITH_TIMEOUT(missing.count(), 1, kTimeoutMs);
    QCOMPARE(opened.count(), 1);
    QCOMPARE(missing.at(0).at(0).toStringList().size(), 2);
    QFileDialog* ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (ask = window_->findChild<QFileDialog*>(QStringLiteral("relinkDialog"))) != nullptr,
        kTimeoutMs);
    QVERIFY(ask->isVisible());
    QCOMPARE(window_->findChildren<QFileDialog*>(QStringLiteral("relinkDialog")).size(), 1);
    QVERIFY(!ask->isModal());   // the window stays usable while the question stands
    QSignalSpy relinked(pc_, &ProjectController::relinked);
    emit ask->fileSelected(QString::fromStdString(newDir.string()));
    ask->close();
    QTRY_COMPARE_WITH_TIMEOUT(relinked.count(), 1, kTimeoutMs);
    QCOMPARE(relinked.at(0).at(0).toInt(), 1);
    QCOMPARE(relinked.at(0).at(1).toStringList(),
             QStringList{QString::fromStdString((oldDir / "b.mp4").string())});
    QVERIFY(window_->errorBanner()->message().contains(QStringLiteral("b.mp4")));
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kTimeoutMs);
    {
        auto p = sl::store::ProjectStore::open(moved.toStdString(), true);
        QVERIFY(p.hasValue());
        QCOMPARE((*p)->media()[0].path, (newDir / "a.mp4").string());
        QCOMPARE((*p)->media()[1].path, (oldDir / "b.mp4").string());
    }

    // Reopened with b still missing: asked again; a cancelled question changes nothing.
    ready.clear();
    missing.clear();
    window_->project()->close();
    window_->openProject(moved, false);
    QTRY_COMPARE_WITH_TIMEOUT(missing.count(), 1, kTimeoutMs);
    QCOMPARE(missing.at(0).at(0).toStringList(),
             QStringList{QString::fromStdString((oldDir / "b.mp4").string())});
    QTRY_VERIFY_WITH_TIMEOUT(
        (ask = window_->findChild<QFileDialog*>(QStringLiteral("relinkDialog"))) != nullptr,
        kTimeoutMs);
    ask->reject();
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kTimeoutMs);
    auto p = sl::store::ProjectStore::open(moved.toStdString(), true);
    QVERIFY(p.hasValue());
    QCOMPARE((*p)->media()[1].path, (oldDir / "b.mp4").string());
}

QTEST_MAIN(TestProjectFiles)
#include "test_project_files.moc"
