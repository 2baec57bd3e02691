// MainWindow: the tracking and analytics wiring (TrackController, the analytics dock, the
// drawing tools' actions, the exports). Apart from main_window.cpp, which is the player.

#include <QAction>
#include <QActionGroup>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QStatusBar>

#include "app/main_window.h"
#include "controller/track_controller.h"
#include "export/analytics_export.h"
#include "panels/analytics_dock.h"
#include "view/video_view.h"
#include "widgets/detection_dock.h"
#include "widgets/error_banner.h"

namespace sl::gui {

void MainWindow::createTracking() {
    tracks_ = new TrackController(controller_->sharedResults(), this);
    view_->setTracks(tracks_);
    connect(tracks_, &TrackController::errorOccurred, banner_, &ErrorBanner::showMessage);

    SceneTool* tool = view_->sceneTool();
    QAction* zone = makeAction(tr("Draw &Zone"), {Qt::Key_Z}, [this, tool] {
        tool->setMode(tool->mode() == SceneTool::Mode::DrawZone ? SceneTool::Mode::Select
                                                                  : SceneTool::Mode::DrawZone);
    });
    QAction* line = makeAction(tr("Draw &Line"), {Qt::Key_L}, [this, tool] {
        tool->setMode(tool->mode() == SceneTool::Mode::DrawLine ? SceneTool::Mode::Select
                                                                  : SceneTool::Mode::DrawLine);
    });
    zone->setCheckable(true);
    line->setCheckable(true);
    connect(tool, &SceneTool::modeChanged, this, [this, zone, line](SceneTool::Mode m) {
        zone->setChecked(m == SceneTool::Mode::DrawZone);
        line->setChecked(m == SceneTool::Mode::DrawLine);
        statusBar()->showMessage(m == SceneTool::Mode::DrawZone
                                     ? tr("Zone: click points, double-click to close")
                                 : m == SceneTool::Mode::DrawLine
                                     ? tr("Line: click the start, then the end (A -> B)")
                                     : QString(), 8000);
    });
    // Text fields (a shape's name being edited) take Delete first: QLineEdit overrides it.
    // One Delete for the scene's shape and the review's boxes (two actions on one key would
    // be ambiguous and neither would fire): a selected shape goes first.
    QAction* del = makeAction(tr("&Delete Shape or Box"), {Qt::Key_Delete}, [this, tool] {
        if (!tool->deleteSelected()) deleteSelection();
    });
    QAction* trails = makeAction(tr("&Trails"), {Qt::Key_T}, [this] {
        view_->setTrailsVisible(!view_->trailsVisible());
    });
    trails->setCheckable(true);
    trails->setChecked(view_->trailsVisible());
    QAction* heat = makeAction(tr("Heat&map"), {Qt::Key_M}, [this] {
        view_->setHeatmapVisible(!view_->heatmapVisible());
    });
    heat->setCheckable(true);
    connect(trails, &QAction::triggered, this, [this, trails] {
        trails->setChecked(view_->trailsVisible());
    });
    connect(heat, &QAction::triggered, this, [this, heat] {
        heat->setChecked(view_->heatmapVisible());
    });
    QAction* clearSel = makeAction(tr("Clear Track Selection"), {Qt::Key_Slash}, [this] {
        tracks_->setSelectedTrack(0);
    });

    QAction* mot = makeAction(tr("Export &Tracks (MOT)..."), {Qt::CTRL | Qt::SHIFT | Qt::Key_T},
                              [this] {
        askExport(tr("Export Tracks"), tr("MOTChallenge text (*.txt)"), QStringLiteral("txt"),
                  [this](const QString& p) { return exportTracks(p); });
    });
    QAction* ev = makeAction(tr("Export &Events (CSV/JSON)..."),
                             {Qt::CTRL | Qt::SHIFT | Qt::Key_V}, [this] {
        askExport(tr("Export Events"), tr("CSV (*.csv);;JSON (*.json)"), QStringLiteral("csv"),
                  [this](const QString& p) { return exportEvents(p); });
    });
    QAction* hm = makeAction(tr("Export &Heatmap (PNG)..."), {Qt::CTRL | Qt::SHIFT | Qt::Key_M},
                             [this] {
        askExport(tr("Export Heatmap"), tr("PNG (*.png)"), QStringLiteral("png"),
                  [this](const QString& p) { return exportHeatmap(p, false); });
    });
    QAction* hmf = makeAction(tr("Export Heatmap over &Frame (PNG)..."),
                              {Qt::CTRL | Qt::ALT | Qt::Key_M}, [this] {
        askExport(tr("Export Heatmap over Frame"), tr("PNG (*.png)"), QStringLiteral("png"),
                  [this](const QString& p) { return exportHeatmap(p, true); });
    });

    QMenu* menu = menuBar()->addMenu(tr("&Tracking"));
    for (QAction* a : {zone, line, del}) menu->addAction(a);
    menu->addSeparator();
    for (QAction* a : {trails, heat, clearSel}) menu->addAction(a);
    menu->addSeparator();
    for (QAction* a : {mot, ev, hm, hmf}) menu->addAction(a);

    analyticsDock_ = new AnalyticsDock(tracks_, view_, {zone, line, del, trails, heat},
                                       [this](int64_t f) { controller_->seekToIndex(f); }, this);
    addDockWidget(Qt::RightDockWidgetArea, analyticsDock_);
}

void MainWindow::openTracking(const QString& url, const MediaSummary& summary) {
    const QString error = tracks_->openMedia(url, summary.width, summary.height);
    if (!error.isEmpty()) banner_->showMessage(tr("Zones not loaded: %1").arg(error));
}

void MainWindow::askExport(const QString& title, const QString& filter, const QString& suffix,
                           std::function<QString(const QString&)> write) {
    QString base = openingUrl_;
    if (!QFileInfo(base).isFile()) base.clear();
    auto* dlg = new QFileDialog(this, title, base.isEmpty() ? QString() : base + "." + suffix,
                                filter);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setAcceptMode(QFileDialog::AcceptSave);
    dlg->setDefaultSuffix(suffix);
    connect(dlg, &QFileDialog::fileSelected, this, [this, write](const QString& path) {
        const QString error = write(path);
        if (error.isEmpty())
            statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
        else
            banner_->showMessage(error);
    });
    dlg->open();
}

QString MainWindow::exportTracks(const QString& path) const {
    return exportTracksMot(tracks_->analysis(), path);
}

QString MainWindow::exportEvents(const QString& path) const {
    return gui::exportEvents(tracks_->analysis(), path);
}

QString MainWindow::exportHeatmap(const QString& path, bool overFrame) const {
    const QSize size(tracks_->frameWidth(), tracks_->frameHeight());
    QImage frame;
    if (overFrame) {
        // The picture as shown (with its overlay), cropped to the video and scaled to source
        // pixels: what the analyst sees under the heatmap.
        const QImage fb = view_->grabFramebuffer();
        const double dpr = fb.devicePixelRatio();
        const QRectF r = view_->videoRect();
        frame = fb.copy(QRectF(r.topLeft() * dpr, r.size() * dpr).toRect())
                    .scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        if (frame.isNull()) return tr("export: '%1': no frame shown").arg(path);
    }
    return gui::exportHeatmap(view_->heatmapImage(), size, frame, view_->heatmapOpacity(), path);
}

}  // namespace sl::gui
