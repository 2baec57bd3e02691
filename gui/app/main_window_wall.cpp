// MainWindow: the monitoring wall's wiring (issue 15): the Wall menu, the stack page, Add Camera,
// a tile opened in the single view and Esc back. Apart from main_window.cpp, which is the player.

#include <QAction>
#include <QActionGroup>
#include <QMenuBar>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>

#include "app/main_window.h"
#include "dialogs/add_camera_dialog.h"
#include "panels/alerts_dock.h"
#include "panels/clips_dock.h"
#include "view/video_view.h"
#include "wall/wall_controller.h"
#include "wall/wall_view.h"
#include "widgets/error_banner.h"

namespace sl::gui {
namespace {
constexpr const char* kWallShownKey = "wall/shown";
}

void MainWindow::createWall() {
    wall_ = new WallController(this);
    wallView_ = new WallView(stack_);
    wallView_->setController(wall_);
    stack_->addWidget(wallView_);
    connect(wall_, &WallController::errorOccurred, banner_, &ErrorBanner::showMessage);
    alertsDock_ = new AlertsDock(wall_, this);
    addDockWidget(Qt::RightDockWidgetArea, alertsDock_);
    alertsDock_->hide();   // shown with the wall
    connect(wallView_, &WallView::tileActivated, this, &MainWindow::openFromWall);
    connect(wallView_, &WallView::addRequested, this, &MainWindow::addCameraDialog);
    connect(wall_, &WallController::modelStateChanged, this, [this] {
        if (wallShown() && wall_->isLoading()) statusBar()->showMessage(wall_->modelStatus(), 2000);
    });

    wallAction_ = makeAction(tr("Monitoring &Wall"), {Qt::CTRL | Qt::SHIFT | Qt::Key_W},
                             [this] { showWall(!wallShown()); });
    wallAction_->setCheckable(true);
    QAction* add = makeAction(tr("Add &Camera..."), {Qt::CTRL | Qt::SHIFT | Qt::Key_A},
                              &MainWindow::addCameraDialog);
    QMenu* menu = menuBar()->addMenu(tr("&Wall"));
    menu->addAction(wallAction_);
    menu->addAction(add);
    QMenu* layout = menu->addMenu(tr("&Layout"));
    auto* group = new QActionGroup(this);
    const std::pair<QString, int> layouts[] = {{tr("Automatic"), 0}, {tr("1 x 1"), 1},
                                               {tr("2 x 2"), 2},     {tr("3 x 3"), 3},
                                               {tr("4 x 4"), 4}};
    for (const auto& [text, columns] : layouts) {
        QAction* a = makeAction(tr("Wall Layout %1").arg(text), {},
                                [this, c = columns] { wall_->setColumns(c); });
        a->setText(text);
        a->setCheckable(true);
        a->setChecked(columns == 0);
        a->setData(columns);
        group->addAction(a);
        layout->addAction(a);
    }
    connect(wall_, &WallController::columnsChanged, this, [group](int columns) {
        for (QAction* a : group->actions()) a->setChecked(a->data().toInt() == columns);
    });
    // A wall that was open at the last exit opens again (its cameras reconnect in the
    // background; nothing here waits for them).
    createClips(menu);
    if (QSettings().value(QLatin1String(kWallShownKey), false).toBool())
        QMetaObject::invokeMethod(this, [this] { showWall(true); }, Qt::QueuedConnection);
}

bool MainWindow::wallShown() const { return stack_ && stack_->currentWidget() == wallView_; }

void MainWindow::showWall(bool shown) {
    if (shown && !wallRestored_) {
        wallRestored_ = true;
        wall_->restoreSources();
    }
    stack_->setCurrentWidget(shown ? static_cast<QWidget*>(wallView_) : singlePage_);
    alertsDock_->setVisible(shown);
    if (clipsDock_) clipsDock_->setVisible(shown);
    wallAction_->setChecked(shown);
    if (shown) {
        fromWall_ = false;
        controller_->pause();   // the single view's player is hidden: do not decode for nobody
        wallView_->setFocus();
    } else {
        view_->setFocus();
    }
    QSettings().setValue(QLatin1String(kWallShownKey), shown);
}

void MainWindow::openFromWall(const QString& name) {
    const QString url = wall_->urlOf(name);
    if (url.isEmpty()) return;
    showWall(false);
    fromWall_ = true;
    // The single view opens its own connection with the full analysis tools; the tile keeps
    // running on the wall meanwhile.
    openSource(url);
}

void MainWindow::addCameraDialog() {
    AddCameraDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted) return;
    if (!wallShown()) showWall(true);
    const auto r = wall_->addSource(dialog.url(), dialog.name(), dialog.sceneFile());
    if (!r.ok) banner_->showMessage(r.nameOrError);
    else statusBar()->showMessage(tr("Added %1 to the wall").arg(r.nameOrError), 3000);
}

}  // namespace sl::gui
