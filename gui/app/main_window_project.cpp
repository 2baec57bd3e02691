// MainWindow: the project wiring (ProjectController, the Project menu, the sets dialog, the save
// progress). The window's ResultsStore stays the working set; a project is where it is kept.

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QProgressDialog>
#include <QStatusBar>

#include <nlohmann/json.hpp>

#include "app/main_window.h"
#include "controller/detection_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "controller/track_controller.h"
#include "dialogs/project_sets_dialog.h"
#include "pipeline/results_annotations.h"
#include "widgets/error_banner.h"

namespace sl::gui {

namespace {

constexpr const char* kProjectFilter = "Sightline projects (*.slproj)";

}  // namespace

void MainWindow::createProject() {
    project_ = new ProjectController(this);
    projectLabel_ = new QLabel(this);
    projectLabel_->setObjectName(QStringLiteral("project"));
    statusBar()->addPermanentWidget(projectLabel_);

    connect(project_, &ProjectController::failed, banner_, &ErrorBanner::showMessage);
    connect(project_, &ProjectController::opened, this, [this](const QString& path) {
        projectLabel_->setText(tr("project %1").arg(QFileInfo(path).fileName()));
        projectLabel_->setToolTip(path);
        // Finished scene edits go to the project from now on.
        tracks_->setSceneSink([this](const analytics::Scene& scene) { project_->saveScene(scene); });
        statusBar()->showMessage(tr("Opened project %1").arg(path), 5000);
    });
    connect(project_, &ProjectController::closed, this, [this] {
        projectLabel_->clear();
        tracks_->setSceneSink({});
    });
    connect(project_, &ProjectController::mediaReady, this,
            [this](qint64 mediaId, const QString& sceneJson) {
        const QString source = tr("%1 (media %2)").arg(project_->path()).arg(mediaId);
        const QString error = tracks_->adoptStoredScene(sceneJson, source);
        if (!error.isEmpty()) banner_->showMessage(tr("Zones not loaded: %1").arg(error));
    });
    connect(project_, &ProjectController::resultsSaved, this,
            [this](qint64, qint64 objects, const QString& name) {
        statusBar()->showMessage(
            tr("Saved %1 objects as '%2' in %3").arg(objects).arg(name, project_->path()), 8000);
    });
    connect(project_, &ProjectController::saveCancelled, this, [this] {
        statusBar()->showMessage(tr("Save cancelled: the project is unchanged"), 5000);
    });
    connect(project_, &ProjectController::setLoaded, this, &MainWindow::onSetLoaded);

    QAction* create = makeAction(tr("&New Project..."), {}, &MainWindow::newProjectDialog);
    QAction* open = makeAction(tr("Open &Project..."), {Qt::CTRL | Qt::ALT | Qt::Key_O},
                               &MainWindow::openProjectDialog);
    QAction* save = makeAction(tr("&Save Results to Project"), {Qt::CTRL | Qt::Key_S},
                               &MainWindow::saveResultsToProject);
    QAction* load = makeAction(tr("&Load Results from Project..."),
                               {Qt::CTRL | Qt::ALT | Qt::Key_L},
                               &MainWindow::loadResultsFromProject);
    QAction* close = makeAction(tr("&Close Project"), {}, [this] { project_->close(); });
    QMenu* menu = new QMenu(tr("P&roject"), this);
    for (QAction* a : {create, open}) menu->addAction(a);
    menu->addSeparator();
    for (QAction* a : {save, load}) menu->addAction(a);
    menu->addSeparator();
    menu->addAction(close);
    // Before Help, which stays last.
    const QList<QAction*> top = menuBar()->actions();
    menuBar()->insertMenu(top.isEmpty() ? nullptr : top.back(), menu);
    const auto enable = [this, save, load, close] {
        save->setEnabled(project_->isOpen());
        load->setEnabled(project_->isOpen());
        close->setEnabled(project_->isOpen());
    };
    connect(project_, &ProjectController::opened, this, enable);
    connect(project_, &ProjectController::closed, this, enable);
    enable();
}

void MainWindow::openProject(const QString& path, bool create) {
    statusBar()->showMessage(tr("Opening project %1 ...").arg(path));
    project_->open(path, create);
}

void MainWindow::newProjectDialog() {
    auto* dlg = new QFileDialog(this, tr("New Project"), QString(), tr(kProjectFilter));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setAcceptMode(QFileDialog::AcceptSave);
    dlg->setDefaultSuffix(QStringLiteral("slproj"));
    connect(dlg, &QFileDialog::fileSelected, this, [this](const QString& path) {
        // An existing file chosen here was confirmed by the dialog's overwrite question; the
        // store never overwrites a project, so it opens what is there instead.
        openProject(path, true);
    });
    dlg->open();
}

void MainWindow::openProjectDialog() {
    auto* dlg = new QFileDialog(this, tr("Open Project"), QString(), tr(kProjectFilter));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setFileMode(QFileDialog::ExistingFile);
    connect(dlg, &QFileDialog::fileSelected, this,
            [this](const QString& path) { openProject(path, false); });
    dlg->open();
}

void MainWindow::saveResultsToProject() {
    if (!project_->isOpen()) {
        banner_->showMessage(tr("Save Results to Project: no project is open (Project > New "
                                "Project or Open Project)"));
        return;
    }
    if (!media_ || !project_->hasMedia()) {
        banner_->showMessage(tr("Save Results to Project: no video is open"));
        return;
    }
    if (project_->saving()) {
        statusBar()->showMessage(tr("A save to the project is already running"), 5000);
        return;
    }
    const pipeline::ResultsStore& results = controller_->results();
    if (results.size() == 0) {
        banner_->showMessage(tr("Save Results to Project: nothing analysed yet (turn on "
                                "Inference or use Analyse Range first)"));
        return;
    }
    // A private copy: analysis may keep writing to the window's store while the worker saves.
    ResultsSnapshot snap;
    snap.results = std::make_shared<pipeline::ResultsStore>(results.labels());
    for (pipeline::FrameDetections& f : results.snapshot()) snap.results->put(std::move(f));
    snap.tracker = tracks_->analysis().params();
    snap.scene = tracks_->scene();
    snap.model = detection_->modelName();
    nlohmann::json params = {{"source", "workstation"},
                             {"input", project_->media().path},
                             {"confidence", detection_->confidence()},
                             {"nms", detection_->nms()},
                             {"classes", detection_->classFilter()},
                             {"tracking", true},
                             {"tracker", track::presetName(snap.tracker.preset)},
                             {"track_thresh", snap.tracker.trackThresh},
                             {"match_thresh", snap.tracker.matchThresh},
                             {"track_buffer", snap.tracker.trackBuffer},
                             {"class_agnostic", snap.tracker.classAgnostic}};
    snap.parametersJson = params.dump();

    // Progress with cancel; the window stays usable (the save runs on the project's worker).
    auto* progress = new QProgressDialog(tr("Saving results to %1 ...")
                                             .arg(QFileInfo(project_->path()).fileName()),
                                         tr("Cancel"), 0, 100, this);
    progress->setObjectName(QStringLiteral("projectSaveProgress"));
    progress->setAttribute(Qt::WA_DeleteOnClose);
    progress->setMinimumDuration(300);   // a small save finishes before it shows
    progress->setAutoClose(false);
    progress->setAutoReset(false);
    progress->setValue(0);
    connect(progress, &QProgressDialog::canceled, project_, &ProjectController::cancelSave);
    connect(project_, &ProjectController::saveProgress, progress,
            [progress](qint64 done, qint64 total) {
        progress->setValue(total > 0 ? int(100 * done / total) : 0);
    });
    connect(project_, &ProjectController::resultsSaved, progress, &QWidget::close);
    connect(project_, &ProjectController::saveCancelled, progress, &QWidget::close);
    connect(project_, &ProjectController::failed, progress, [this, progress] {
        if (!project_->saving()) progress->close();
    });
    statusBar()->showMessage(tr("Saving results to %1 ...").arg(project_->path()));
    project_->saveResults(std::move(snap));
}

void MainWindow::loadResultsFromProject() {
    if (!project_->isOpen() || !project_->hasMedia()) {
        banner_->showMessage(tr("Load Results from Project: open a project and a video first"));
        return;
    }
    if (setsDialog_) setsDialog_->close();
    setsDialog_ = new ProjectSetsDialog(project_->path(), this);
    setsDialog_->setAttribute(Qt::WA_DeleteOnClose);
    connect(setsDialog_, &QObject::destroyed, this, [this] { setsDialog_ = nullptr; });
    connect(project_, &ProjectController::setsListed, setsDialog_, &ProjectSetsDialog::setSets);
    connect(setsDialog_, &ProjectSetsDialog::loadRequested, project_, &ProjectController::loadSet);
    setsDialog_->open();
    project_->listSets();
}

void MainWindow::onSetLoaded(const annotate::AnnotationSet& set, const annotate::MediaInfo& media) {
    if (!media_ || media.path != project_->media().path) {
        banner_->showMessage(tr("'%1' belongs to %2, not to the video shown")
                                 .arg(QString::fromStdString(set.name),
                                      QString::fromStdString(media.path)));
        return;
    }
    // The stored run replaces what the window holds; times come from this media's clock.
    annotate::MediaInfo shown = project_->media();
    shown.id = media.id;
    pipeline::ResultsStore& results = controller_->results();
    results.clear();
    pipeline::resultsFromAnnotationSet(set, shown, results);
    review_->setReviewSet(set.id);   // its frames are the ones the review keys mark
    statusBar()->showMessage(tr("Loaded '%1': %2 objects on %3 frames")
                                 .arg(QString::fromStdString(set.name))
                                 .arg(set.objects.size())
                                 .arg(results.size()),
                             8000);
}

}  // namespace sl::gui
