// MainWindow: the wall's event clips and rule editing (issue 15): the Clips dock (a tab beside
// the Alerts), a clip played in the single view with its stored boxes (Esc returns to the wall),
// and a tile's zones and rules editor. Apart from main_window_wall.cpp, which holds the wall.

#include <QAction>
#include <QCursor>
#include <QFileInfo>
#include <QMenu>
#include <QStatusBar>
#include <QTableWidget>

#include <cmath>
#include <memory>

#include "app/main_window.h"
#include "app/ui_task_hook.h"
#include "controller/detection_controller.h"
#include "panels/alerts_dock.h"
#include "panels/clips_dock.h"
#include "pipeline/clip_sidecar.h"
#include "pipeline/clip_store.h"
#include "wall/scene_editor_dialog.h"
#include "wall/wall_controller.h"
#include "wall/wall_view.h"
#include "widgets/error_banner.h"

namespace sl::gui {

void MainWindow::createClips(QMenu* wallMenu) {
    clipsDock_ = new ClipsDock(wall_, this);
    addDockWidget(Qt::RightDockWidgetArea, clipsDock_);
    tabifyDockWidget(alertsDock_, clipsDock_);
    clipsDock_->hide();   // shown with the wall
    connect(clipsDock_, &ClipsDock::openRequested, this, &MainWindow::openClip);
    connect(alertsDock_, &AlertsDock::clipRequested, this, &MainWindow::openClip);
    connect(wallView_, &WallView::editSceneRequested, this, &MainWindow::editWallScene);

    QAction* showClips = makeAction(tr("&Clips"), {Qt::CTRL | Qt::SHIFT | Qt::Key_K}, [this] {
        if (!wallShown()) showWall(true);
        clipsDock_->show();
        clipsDock_->raise();
        clipsDock_->table()->setFocus();
    });
    QAction* open = makeAction(tr("&Open Clip"), {Qt::CTRL | Qt::SHIFT | Qt::Key_O},
                               [this] { clipsDock_->openSelected(); });
    QAction* del = makeAction(tr("&Delete Clip..."), {Qt::CTRL | Qt::SHIFT | Qt::Key_Delete},
                              [this] { clipsDock_->deleteSelected(); });
    QAction* settings = makeAction(tr("Clip &Settings..."), {},
                                   [this] { clipsDock_->editSettings(); });
    // The tile under the mouse, else the first one.
    QAction* edit = makeAction(tr("&Edit Zones and Rules..."), {Qt::CTRL | Qt::SHIFT | Qt::Key_R},
                               [this] {
                                   const QStringList names = wallView_->tileNames();
                                   if (names.isEmpty()) return;
                                   const int i =
                                       wallView_->tileAt(wallView_->mapFromGlobal(QCursor::pos()));
                                   editWallScene(names[i >= 0 ? i : 0]);
                               });
    wallMenu->addSeparator();
    wallMenu->addAction(edit);
    wallMenu->addAction(showClips);
    wallMenu->addAction(open);
    wallMenu->addAction(del);
    wallMenu->addAction(settings);
}

void MainWindow::openClip(const QString& video) {
    if (video.isEmpty()) return;
    // The sidecar is read on a worker (a long clip's boxes are megabytes of JSON); the clip opens
    // when they are in hand, and they go into the results once the player knows its clock.
    const QString sidecar =
        QString::fromStdString(pipeline::clipSidecarPath(video.toStdString()).string());
    startUiTaskWithResult(
        this, pipeline::TaskSpec("read clip boxes", "clips"),
        [sidecar](pipeline::TaskContext&) {
            return pipeline::loadClipSidecar(sidecar.toStdString());
        },
        [this, video](Expected<pipeline::ClipSidecar>& side) {
            if (!side) {
                banner_->showMessage(tr("The clip's boxes cannot be shown: %1")
                                         .arg(QString::fromStdString(side.status().message())));
            }
            auto boxes = std::make_shared<std::optional<pipeline::ClipSidecar>>();
            if (side) boxes->emplace(std::move(*side));
            auto once = std::make_shared<QMetaObject::Connection>();
            *once = connect(controller_, &EngineController::opened, this,
                            [this, video, boxes, once](const MediaSummary& summary) {
                disconnect(*once);
                if (summary.url != video || !boxes->has_value()) return;
                pipeline::ResultsStore& results = controller_->results();
                results.clear();
                if (results.labels().empty()) results.setLabels((*boxes)->labels);
                const double ticks = double(summary.timeBaseDen) / std::max(1, summary.timeBaseNum);
                for (pipeline::FrameDetections f : (*boxes)->frames) {
                    // The clip's own clock: its time base and first pts, from the player.
                    f.pts = summary.startPts + std::llround(f.seconds * ticks);
                    results.put(std::move(f));
                }
                // The overlay draws stored boxes while detection is on; for a clip they are
                // all stored, so nothing is detected again (not saved as the user's choice).
                if (!inference_->isChecked()) {
                    inference_->setChecked(true);
                    detection_->setEnabled(true);
                }
                statusBar()->showMessage(tr("Clip of %1: %2 frames with stored boxes")
                                             .arg(QString::fromStdString((*boxes)->source))
                                             .arg(results.size()),
                                         8000);
            });
            showWall(false);
            fromWall_ = true;   // Esc goes back to the wall
            openSource(video);
        });
}

void MainWindow::editWallScene(const QString& name) {
    if (!wall_->sources().contains(name)) return;
    auto* dialog = new SceneEditorDialog(wall_, name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, name] {
        statusBar()->showMessage(tr("Zones and rules of %1 saved to %2")
                                     .arg(name, wall_->sceneFileOf(name)),
                                 5000);
    });
    dialog->open();
}

}  // namespace sl::gui
