#include "panels/workstation_tools.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QOpenGLWidget>
#include <QStatusBar>

#include <algorithm>

#include "controller/engine_controller.h"
#include "dialogs/analyse_range_dialog.h"
#include "export/export_actions.h"
#include "panels/detections_panel.h"
#include "view/video_view.h"

namespace sl::gui {

namespace {

// The dialog and tasks need a shared_ptr; the store is owned elsewhere and outlives them (this
// object joins their threads first), so a non-owning alias is enough.
std::shared_ptr<pipeline::ResultsStore> alias(pipeline::ResultsStore& store) {
    return std::shared_ptr<pipeline::ResultsStore>(std::shared_ptr<void>(), &store);
}

}  // namespace

WorkstationTools::WorkstationTools(QMainWindow* window, EngineController* controller,
                                   QOpenGLWidget* view, pipeline::ResultsStore& store)
    : QObject(window), window_(window), controller_(controller), view_(view), store_(store) {
    panel_ = new DetectionsPanel(&store_, window);
    window->addDockWidget(Qt::RightDockWidgetArea, panel_);
    connect(panel_, &DetectionsPanel::detectionActivated, this,
            &WorkstationTools::onDetectionActivated);

    menu_ = window->menuBar()->addMenu(tr("&Analysis"));
    menu_->setObjectName(QStringLiteral("analysisMenu"));
    const auto add = [this](const QString& text, const QKeySequence& key, auto fn) {
        auto* a = new QAction(text, window_);
        if (!key.isEmpty()) a->setShortcut(key);
        a->setShortcutContext(Qt::WindowShortcut);
        connect(a, &QAction::triggered, this, fn);
        window_->addAction(a);
        menu_->addAction(a);
        return a;
    };
    menu_->addAction(panel_->toggleViewAction());
    menu_->addSeparator();
    add(tr("Set &In Mark"), QKeySequence(Qt::SHIFT | Qt::Key_I), [this] { setMark(true); });
    add(tr("Set &Out Mark"), QKeySequence(Qt::SHIFT | Qt::Key_O), [this] { setMark(false); });
    add(tr("&Analyse Range..."), QKeySequence(Qt::CTRL | Qt::Key_R), [this] {
        if (auto* d = openAnalyseDialog()) {
            d->show();
            d->raise();
        }
    });
    menu_->addSeparator();
    add(tr("Export &Results (JSON/CSV)..."), QKeySequence(Qt::CTRL | Qt::Key_E), [this] {
        const QString path = askSavePath(tr("Export Results"),
                                         tr("JSON (*.json);;CSV (*.csv)"), QStringLiteral("json"));
        if (path.isEmpty()) return;
        if (const QString err = exportResults(path); !err.isEmpty())
            QMessageBox::warning(window_, tr("Export Results"), err);
        else
            window_->statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
    });
    add(tr("Save &Snapshot (PNG)..."), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), [this] {
        const QString path =
            askSavePath(tr("Save Snapshot"), tr("PNG image (*.png)"), QStringLiteral("png"));
        if (path.isEmpty()) return;
        if (const QString err = saveSnapshot(path); !err.isEmpty())
            QMessageBox::warning(window_, tr("Save Snapshot"), err);
        else
            window_->statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
    });
    add(tr("Export &Video with Boxes..."), QKeySequence(), [this] {
        const QString path =
            askSavePath(tr("Export Video with Boxes"), tr("MP4 video (*.mp4)"),
                        QStringLiteral("mp4"));
        if (!path.isEmpty()) exportVideo(path);
    });
    connect(controller_, &EngineController::opened, this, [this] {
        in_.reset();
        out_.reset();
        highlight_ = {-1, -1};
        emit marksChanged();
    });
    // The view outlines the activated row's box (and forgets it once it shows another frame).
    if (auto* video = qobject_cast<VideoView*>(view_))
        connect(this, &WorkstationTools::highlightChanged, video, &VideoView::setHighlight);
}

WorkstationTools::~WorkstationTools() {
    delete dialog_.data();   // cancels and joins its analysis before the store can go
    // Burn-in tasks are our children: ~QObject deletes (cancels, joins) them next.
}

std::pair<int64_t, int64_t> WorkstationTools::defaultRange() const {
    const auto& s = controller_->summary();
    const int64_t last = s && s->frameCount > 0 ? s->frameCount - 1 : 0;
    int64_t a = in_.value_or(0), b = out_.value_or(last);
    if (a > b) std::swap(a, b);
    return {std::clamp<int64_t>(a, 0, last), std::clamp<int64_t>(b, 0, last)};
}

void WorkstationTools::setMark(bool in) {
    if (!controller_->isOpen()) return;
    const int64_t index = controller_->currentIndex();
    (in ? in_ : out_) = index;
    window_->statusBar()->showMessage(
        (in ? tr("In mark at frame %1") : tr("Out mark at frame %1")).arg(index), 3000);
    emit marksChanged();
}

void WorkstationTools::onDetectionActivated(qint64 frameIndex, int boxIndex) {
    controller_->seekToIndex(frameIndex);
    highlight_ = {frameIndex, boxIndex};
    emit highlightChanged(frameIndex, boxIndex);
    view_->update();
}

pipeline::ExportHeader WorkstationTools::header() const {
    pipeline::ExportHeader h;
    h.source = controller_->currentUrl().toStdString();
    return h;
}

QString WorkstationTools::exportResults(const QString& path) const {
    return sl::gui::exportResults(store_, path, header());
}

QString WorkstationTools::saveSnapshot(const QString& path) const {
    return sl::gui::saveSnapshot(view_, path);
}

AnalyseRangeDialog* WorkstationTools::openAnalyseDialog() {
    const auto& s = controller_->summary();
    if (!s || !s->seekable || s->frameCount <= 0) {
        QMessageBox::information(window_, tr("Analyse Range"),
                                 tr("Open a video file first (live sources cannot be analysed "
                                    "as a range)."));
        return nullptr;
    }
    if (dialog_ && dialog_->running()) return dialog_;
    delete dialog_.data();
    dialog_ = new AnalyseRangeDialog(controller_->currentUrl(), s->frameCount, alias(store_),
                                     window_);
    const auto [a, b] = defaultRange();
    dialog_->setRange(a, b);
    return dialog_;
}

void WorkstationTools::exportVideo(const QString& path) {
    if (!controller_->isOpen()) return;
    pipeline::BurnInOptions options;
    options.input = controller_->currentUrl().toStdString();
    options.output = path.toStdString();
    auto* task = new BurnInTask(options, alias(store_), this);
    runBurnInWithProgress(window_, task);
}

QString WorkstationTools::askSavePath(const QString& title, const QString& filter,
                                      const QString& suffix) {
    const QFileInfo src(controller_->currentUrl());
    const QString proposal = src.completeBaseName().isEmpty()
                                 ? QStringLiteral("sightline.") + suffix
                                 : src.absolutePath() + QLatin1Char('/') +
                                       src.completeBaseName() + QLatin1Char('.') + suffix;
    QString path = QFileDialog::getSaveFileName(window_, title, proposal, filter);
    if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty()) path += QLatin1Char('.') + suffix;
    return path;
}

}  // namespace sl::gui
