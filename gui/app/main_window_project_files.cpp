// MainWindow: the project as files, in the File menu: New / Open / Save Project As, Recent
// Projects, the window title, relinking media that moved, Import / Export Annotations and the
// compact dataset export. Every edit is already committed to the project as it is made
// (store/project_store.h), so there is no "Save Project" and no unsaved-changes marker: Save
// Project As makes a copy and carries on in it. The Project menu keeps what concerns the shown
// results (Save Results to Project, Load Results, Close Project); New and Open sit in both menus,
// as Export Video with Boxes sits in File and Analysis.

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QProgressDialog>
#include <QSettings>
#include <QStatusBar>

#include "app/main_window.h"
#include "controller/project_controller.h"
#include "dialogs/annotation_files_dialog.h"
#include "widgets/error_banner.h"

namespace sl::gui {

namespace {

constexpr const char* kProjectFilter = "Sightline projects (*.slproj)";

QString megabytes(qint64 bytes) { return QString::number(double(bytes) / 1e6, 'f', 1) + " MB"; }

// A cancellable progress dialog that closes itself on any of the controller's end signals.
QProgressDialog* progressDialog(QWidget* parent, const QString& name, const QString& text) {
    auto* p = new QProgressDialog(text, QObject::tr("Cancel"), 0, 100, parent);
    p->setObjectName(name);
    p->setAttribute(Qt::WA_DeleteOnClose);
    p->setMinimumDuration(300);   // a short job ends before it shows
    p->setAutoClose(false);
    p->setAutoReset(false);
    p->setValue(0);
    return p;
}

}  // namespace

void MainWindow::createProjectFiles() {
    QMenu* file = nullptr;
    for (QAction* a : menuBar()->actions())
        if (a->menu() && a->text() == tr("&File")) file = a->menu();
    const auto find = [this](const QString& text) -> QAction* {
        for (QAction* a : actions_)
            if (a->text() == text) return a;
        return nullptr;
    };
    QAction* quit = find(tr("&Quit"));
    // Above the separator before Quit.
    QAction* before = nullptr;
    const QList<QAction*> items = file->actions();
    for (int i = 0; i < items.size(); ++i)
        if (items[i] == quit) before = i > 0 && items[i - 1]->isSeparator() ? items[i - 1] : quit;

    QAction* saveAs = makeAction(tr("Save Project &As..."), {Qt::CTRL | Qt::ALT | Qt::Key_S},
                                 &MainWindow::saveProjectAsDialog);
    QAction* import = makeAction(tr("&Import Annotations..."), {Qt::CTRL | Qt::ALT | Qt::Key_I},
                                 [this] { annotationFilesDialog(0); });
    QAction* exportSet = makeAction(tr("&Export Annotations..."), {Qt::CTRL | Qt::ALT | Qt::Key_E},
                                    [this] { annotationFilesDialog(1); });
    QAction* dataset = makeAction(tr("Export &Dataset (Annotated Frames)..."),
                                  {Qt::CTRL | Qt::ALT | Qt::Key_D},
                                  [this] { annotationFilesDialog(2); });
    file->insertSeparator(before);
    file->insertAction(before, find(tr("&New Project...")));
    file->insertAction(before, find(tr("Open &Project...")));
    file->insertAction(before, saveAs);
    recentProjectsMenu_ = new QMenu(tr("Recent Pro&jects"), this);
    recentProjectsMenu_->setObjectName(QStringLiteral("recentProjects"));
    file->insertMenu(before, recentProjectsMenu_);
    file->insertSeparator(before);
    for (QAction* a : {import, exportSet, dataset}) file->insertAction(before, a);
    // The existing burn-in export (Analysis menu) beside them: the other "export what was reviewed".
    for (QAction* a : actions())
        if (a->text() == tr("Export &Video with Boxes...")) file->insertAction(before, a);
    rebuildRecentProjects();

    const auto enable = [this, saveAs, import, exportSet, dataset] {
        const bool open = project_->isOpen();
        for (QAction* a : {saveAs, import, exportSet, dataset}) a->setEnabled(open);
    };
    connect(project_, &ProjectController::opened, this, [this, enable](const QString& path) {
        addRecentProject(path);
        refreshTitle();
        enable();
        statusBar()->showMessage(
            tr("Project %1: every edit is saved as it is made").arg(QFileInfo(path).fileName()),
            5000);
    });
    connect(project_, &ProjectController::closed, this, [this, enable] {
        relinkAskedFor_.clear();   // the next opening may ask again
        refreshTitle();
        enable();
    });
    enable();

    connect(project_, &ProjectController::savedAs, this, [this](const QString& path) {
        statusBar()->showMessage(tr("Saved a copy as %1; it is the open project now").arg(path),
                                 8000);
    });
    connect(project_, &ProjectController::mediaMissing, this, &MainWindow::askRelink);
    connect(project_, &ProjectController::relinked, this,
            [this](int count, const QStringList& missing) {
        if (missing.isEmpty()) {
            statusBar()->showMessage(tr("Relinked %n media file(s)", nullptr, count), 8000);
            return;
        }
        banner_->showMessage(tr("Relinked %1 media file(s); still missing: %2")
                                 .arg(count)
                                 .arg(missing.join(QStringLiteral(", "))));
    });
    connect(project_, &ProjectController::annotationsImported, this,
            [this](qint64 setId, const QString& name, qint64 objects) {
        statusBar()->showMessage(
            tr("Imported '%1' (set %2): %3 objects").arg(name).arg(setId).arg(objects), 8000);
    });
    connect(project_, &ProjectController::importCancelled, this, [this] {
        statusBar()->showMessage(tr("Import cancelled: the project is unchanged"), 5000);
    });
    connect(project_, &ProjectController::annotationsExported, this,
            [this](const QString& path, qint64 objects, const QStringList& warnings) {
        QString text = tr("Wrote %1 objects to %2").arg(objects).arg(path);
        if (!warnings.isEmpty()) text += tr(" (%1)").arg(warnings.join(QStringLiteral("; ")));
        statusBar()->showMessage(text, 10000);
    });
    connect(project_, &ProjectController::datasetExported, this,
            [this](const QString& path, qint64 frames, qint64 objects, qint64 bytes) {
        statusBar()->showMessage(tr("Dataset %1: %2 frames, %3 boxes, %4")
                                     .arg(path)
                                     .arg(frames)
                                     .arg(objects)
                                     .arg(megabytes(bytes)),
                                 10000);
    });
    connect(project_, &ProjectController::datasetCancelled, this, [this] {
        statusBar()->showMessage(tr("Dataset export cancelled: nothing was written"), 5000);
    });
    connect(project_, &ProjectController::datasetFailed, banner_, &ErrorBanner::showMessage);
    refreshTitle();
}

void MainWindow::refreshTitle() {
    QStringList parts;
    if (project_ && project_->isOpen()) parts << QFileInfo(project_->path()).fileName();
    if (!titleMedia_.isEmpty()) parts << titleMedia_;
    parts << QStringLiteral("Sightline");
    setWindowTitle(parts.join(QStringLiteral(" \u2014 ")));
}

void MainWindow::addRecentProject(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value(QLatin1String(kRecentProjectsKey)).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kRecentCount) recent.removeLast();
    settings.setValue(QLatin1String(kRecentProjectsKey), recent);
    rebuildRecentProjects();
}

void MainWindow::rebuildRecentProjects() {
    recentProjectsMenu_->clear();
    const QStringList recent =
        QSettings().value(QLatin1String(kRecentProjectsKey)).toStringList();
    int n = 0;
    for (const QString& path : recent) {
        ++n;
        QAction* a = recentProjectsMenu_->addAction(
            QStringLiteral("&%1  %2").arg(n % 10).arg(QFileInfo(path).fileName()), this,
            [this, path] { openProject(path, false); });
        a->setToolTip(path);
        a->setStatusTip(path);
        a->setData(path);
    }
    if (recent.isEmpty()) recentProjectsMenu_->addAction(tr("(none)"))->setEnabled(false);
    recentProjectsMenu_->addSeparator();
    recentProjectsMenu_->addAction(tr("Clear List"), this, [this] {
        QSettings().remove(QLatin1String(kRecentProjectsKey));
        rebuildRecentProjects();
    });
}

void MainWindow::saveProjectAs(const QString& path) {
    if (!project_->isOpen()) {
        banner_->showMessage(tr("Save Project As: no project is open"));
        return;
    }
    statusBar()->showMessage(tr("Copying the project to %1 ...").arg(path));
    project_->saveAs(path);
}

void MainWindow::saveProjectAsDialog() {
    auto* dlg = new QFileDialog(this, tr("Save Project As"), QString(), tr(kProjectFilter));
    dlg->setObjectName(QStringLiteral("saveProjectAsDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setAcceptMode(QFileDialog::AcceptSave);
    dlg->setDefaultSuffix(QStringLiteral("slproj"));
    connect(dlg, &QFileDialog::fileSelected, this, &MainWindow::saveProjectAs);
    dlg->open();
}

void MainWindow::askRelink(const QStringList& missing) {
    // One question per opening of a project, for all its missing media: a cancelled question is
    // not asked again until the project is reopened.
    if (relinkAskedFor_ == project_->path()) return;
    relinkAskedFor_ = project_->path();
    const QString title =
        tr("%n media file(s) of %1 moved (%2): choose the folder they are in now", nullptr,
           int(missing.size()))
            .arg(QFileInfo(project_->path()).fileName(), QFileInfo(missing.first()).fileName());
    auto* dlg = new QFileDialog(this, title);
    dlg->setObjectName(QStringLiteral("relinkDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setFileMode(QFileDialog::Directory);
    dlg->setOption(QFileDialog::ShowDirsOnly);
    connect(dlg, &QFileDialog::fileSelected, project_, &ProjectController::relink);
    // Not modal: the window stays usable (playback, review keys) while the question stands.
    dlg->setWindowModality(Qt::NonModal);
    dlg->show();
}

void MainWindow::annotationFilesDialog(int mode) {
    using Mode = AnnotationFilesDialog::Mode;
    if (!project_->isOpen() || !media_) {
        banner_->showMessage(tr("Annotations are imported into and exported from the open "
                                "project's shown video: open a project and a video first"));
        return;
    }
    auto* dlg = new AnnotationFilesDialog(Mode(mode), this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    if (Mode(mode) != Mode::Import) {
        connect(project_, &ProjectController::setsListed, dlg, &AnnotationFilesDialog::setSets);
        project_->listSets();
    }
    connect(dlg, &QDialog::accepted, this, [this, dlg] {
        switch (dlg->mode()) {
        case Mode::Import:
            importAnnotations(dlg->path(), dlg->format(), dlg->kind(), dlg->setName());
            break;
        case Mode::Export:
            exportAnnotations(dlg->setId(), dlg->path(), *dlg->format());
            break;
        case Mode::Dataset: {
            pipeline::DatasetExportOptions o;
            o.output = dlg->path().toStdString();
            o.labels = *dlg->format();
            o.images = dlg->imageFormat();
            exportDataset(dlg->setId(), o);
            break;
        }
        }
    });
    dlg->open();
}

void MainWindow::importAnnotations(const QString& file,
                                   std::optional<annotate::formats::Format> format,
                                   annotate::SetKind kind, const QString& name) {
    auto* progress = progressDialog(this, QStringLiteral("importProgress"),
                                    tr("Importing %1 ...").arg(QFileInfo(file).fileName()));
    connect(progress, &QProgressDialog::canceled, project_, &ProjectController::cancelImport);
    connect(project_, &ProjectController::importProgress, progress,
            [progress](qint64 done, qint64 total) {
        progress->setValue(total > 0 ? int(100 * done / total) : 0);
    });
    for (auto end : {&ProjectController::importCancelled, &ProjectController::jobsFinished})
        connect(project_, end, progress, &QWidget::close);
    connect(project_, &ProjectController::annotationsImported, progress, &QWidget::close);
    project_->importAnnotations(file, format, kind, name);
}

void MainWindow::exportAnnotations(qint64 setId, const QString& path,
                                   annotate::formats::Format format) {
    statusBar()->showMessage(tr("Exporting to %1 ...").arg(path));
    project_->exportAnnotations(setId, path, format);
}

void MainWindow::exportDataset(qint64 setId, const pipeline::DatasetExportOptions& options) {
    if (project_->exportingDataset()) {
        statusBar()->showMessage(tr("A dataset export is already running"), 5000);
        return;
    }
    auto* progress = progressDialog(
        this, QStringLiteral("datasetProgress"),
        tr("Writing the annotated frames to %1 ...")
            .arg(QString::fromStdString(options.output.filename().string())));
    connect(progress, &QProgressDialog::canceled, project_, &ProjectController::cancelDataset);
    connect(project_, &ProjectController::datasetProgress, progress,
            [progress](qint64 done, qint64 total) {
        progress->setMaximum(total > 0 ? int(total) : 0);
        progress->setValue(int(done));
    });
    connect(project_, &ProjectController::datasetExported, progress, &QWidget::close);
    connect(project_, &ProjectController::datasetCancelled, progress, &QWidget::close);
    connect(project_, &ProjectController::datasetFailed, progress, &QWidget::close);
    project_->exportDataset(setId, options);
}

}  // namespace sl::gui
