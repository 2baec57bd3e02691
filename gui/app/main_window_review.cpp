// MainWindow: the review wiring (ReviewController): the Edit menu's Undo and Redo (Ctrl+Z,
// Ctrl+Shift+Z) over the project's durable history, and the undo history panel (a QUndoView in
// a dock), both following the ReviewController's QUndoStack; the frame review keys (R marks the
// shown frame reviewed, Shift+R flags it, N jumps to the next frame not reviewed yet).

#include <QAction>
#include <QDockWidget>
#include <QMenuBar>
#include <QStatusBar>
#include <QUndoStack>
#include <QUndoView>

#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "view/video_view.h"
#include "widgets/error_banner.h"

namespace sl::gui {

void MainWindow::createReview() {
    review_ = new ReviewController(project_, this);
    connect(review_, &ReviewController::failed, banner_, &ErrorBanner::showMessage);
    connect(review_, &ReviewController::historyLoaded, this, [this](int entries) {
        if (entries > 0)
            statusBar()->showMessage(tr("Undo history: %1 steps kept in the project").arg(entries),
                                     5000);
    });

    QUndoStack* stack = review_->undoStack();
    QAction* undo = stack->createUndoAction(this, tr("&Undo"));
    QAction* redo = stack->createRedoAction(this, tr("&Redo"));
    undo->setObjectName(QStringLiteral("undo"));
    redo->setObjectName(QStringLiteral("redo"));
    undo->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Z)});
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)});
    for (QAction* a : {undo, redo}) {
        // Window-wide, like every action of the window (makeAction).
        a->setShortcutContext(Qt::WindowShortcut);
        addAction(a);
        actions_ << a;
    }

    historyDock_ = new QDockWidget(tr("Undo History"), this);
    historyDock_->setObjectName(QStringLiteral("undoHistoryDock"));
    auto* view = new QUndoView(stack, historyDock_);
    view->setObjectName(QStringLiteral("undoHistory"));
    view->setEmptyLabel(tr("(project as opened)"));
    historyDock_->setWidget(view);
    addDockWidget(Qt::RightDockWidgetArea, historyDock_);
    historyDock_->hide();

    connect(view_, &VideoView::frameDisplayed, this,
            [this](qint64 index, double) {
                shownFrame_ = index;
                if (session_) session_->setFocusFrame(index);   // a (re)load reads it first
            });
    QAction* mark = makeAction(tr("Mark Frame &Reviewed"), {Qt::Key_R}, [this] {
        if (shownFrame_ >= 0) review_->markFrame(shownFrame_, store::FrameReview::Reviewed);
    });
    QAction* flag = makeAction(tr("&Flag Frame for Another Look"), {Qt::SHIFT | Qt::Key_R}, [this] {
        if (shownFrame_ >= 0) review_->markFrame(shownFrame_, store::FrameReview::Flagged);
    });
    QAction* next = makeAction(tr("&Next Unreviewed Frame"), {Qt::Key_N},
                               [this] { review_->findNextUnreviewed(shownFrame_); });
    connect(review_, &ReviewController::nextUnreviewed, this, [this](qint64 frame) {
        if (frame >= 0)
            controller_->seekToIndex(frame);
        else
            statusBar()->showMessage(tr("Every frame after this one is reviewed"), 5000);
    });

    QMenu* edit = new QMenu(tr("&Edit"), this);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    for (QAction* a : {mark, flag, next}) edit->addAction(a);
    edit->addSeparator();
    edit->addAction(historyDock_->toggleViewAction());
    // After File, the first menu.
    const QList<QAction*> top = menuBar()->actions();
    menuBar()->insertMenu(top.size() > 1 ? top[1] : nullptr, edit);
}

}  // namespace sl::gui
