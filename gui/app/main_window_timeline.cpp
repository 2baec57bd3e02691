// MainWindow: the timeline wiring (issue 14, "Timeline"): the strip under the video between the
// view and the transport bar, the Evaluation dock, and their actions: next / previous evaluation
// error (Ctrl+. / Ctrl+,), run the evaluation (Ctrl+Shift+E), the dock (Ctrl+Alt+V) and strip
// (Ctrl+Shift+L) toggles, the strip's zoom (Alt+= / Alt+- / Alt+0; +/- and 0 work while it has
// focus).
//
// The strip follows what the window shows: the set loaded from the project is its detections
// layer and the set under review (as ReviewController's review keys use it); every committed
// edit, undo or redo re-reads it. The dock's errors become its markers.

#include <QAction>
#include <QDockWidget>
#include <QMenuBar>
#include <QStatusBar>
#include <QVBoxLayout>

#include <memory>

#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "panels/evaluation_dock.h"
#include "panels/workstation_tools.h"
#include "review/review_session.h"
#include "review/timeline_strip.h"
#include "view/video_view.h"
#include "widgets/error_banner.h"

namespace sl::gui {

namespace {

QMenu* topMenu(QMenuBar* bar, const QString& text) {
    for (QAction* a : bar->actions())
        if (a->text() == text && a->menu()) return a->menu();
    return nullptr;
}

}  // namespace

void MainWindow::createTimeline() {
    timeline_ = new TimelineStrip(singlePage_);
    // Under the video, above the transport bar.
    static_cast<QVBoxLayout*>(singlePage_->layout())->insertWidget(1, timeline_);
    evaluationDock_ = new EvaluationDock(this);
    addDockWidget(Qt::RightDockWidgetArea, evaluationDock_);
    evaluationDock_->hide();

    connect(view_, &VideoView::frameDisplayed, timeline_,
            [this](qint64 index, double) { timeline_->setCursorFrame(index); });
    connect(timeline_, &TimelineStrip::seekRequested, this,
            [this](qint64 frame) { controller_->seekToIndex(frame); });
    connect(timeline_, &TimelineStrip::failed, banner_, &ErrorBanner::showMessage);
    connect(controller_, &EngineController::opened, this, [this](const MediaSummary& s) {
        // A new media: its layers are not loaded yet, its errors not computed.
        timeline_->setLayer(0);
        timeline_->setReviewSet(0);
        timeline_->setSelectedTracks(0, {});
        timeline_->clearMarkers();
        timeline_->setFrameCount(s.frameCount > 0 ? s.frameCount : 0);
    });
    connect(project_, &ProjectController::opened, this, [this](const QString& path) {
        timeline_->setProject(path);
        evaluationDock_->setProject(path);
    });
    connect(project_, &ProjectController::closed, this, [this] {
        timeline_->setProject({});
        evaluationDock_->setProject({});
    });
    connect(project_, &ProjectController::mediaReady, this, [this](qint64 mediaId) {
        evaluationDock_->setMedia(mediaId,
                                  media_ && media_->frameCount > 0 ? media_->frameCount : 0);
    });
    connect(project_, &ProjectController::resultsSaved, evaluationDock_,
            &EvaluationDock::refreshLayers);
    connect(project_, &ProjectController::setLoaded, this,
            [this](const annotate::AnnotationSet& set, const annotate::MediaInfo& media) {
                if (!media_ || media.path != project_->media().path)
                    return;   // onSetLoaded says why
                timeline_->setLayer(set.id);
                timeline_->setReviewSet(set.id);
            });
    connect(review_, &ReviewController::changed, timeline_, &TimelineStrip::applyChange);
    connect(review_, &ReviewController::changed, evaluationDock_, &EvaluationDock::refreshLayers);
    connect(tools_, &WorkstationTools::marksChanged, evaluationDock_,
            [this] { evaluationDock_->setMarks(tools_->inMark(), tools_->outMark()); });

    connect(evaluationDock_, &EvaluationDock::evaluated, timeline_, [this] {
        const EvaluationResult* r = evaluationDock_->result();
        timeline_->setMarkers(r->markers, r->request.gtSet, r->request.predSet);
    });
    connect(evaluationDock_, &EvaluationDock::classSelected, timeline_,
            &TimelineStrip::setMarkerLabel);
    connect(evaluationDock_, &EvaluationDock::errorActivated, timeline_, [this](int i) {
        const EvaluationResult* r = evaluationDock_->result();
        if (r && i >= 0 && size_t(i) < r->markers.size())
            timeline_->activateMarker(r->markers[size_t(i)]);
    });
    // A marker's objects become the selection in the video view (the boxes of one error: an
    // ID switch names both sets, one signal each, so picks of the same frame accumulate).
    connect(
        timeline_, &TimelineStrip::markerActivated, this,
        [this, markerFrame = std::make_shared<qint64>(-1)](qint64 frame, qint64 setId,
                                                           const QList<qint64>& ids) {
            std::vector<ReviewPick> picks;
            if (*markerFrame == frame) picks = session_->selection();
            *markerFrame = frame;
            std::erase_if(picks, [setId](const ReviewPick& p) { return p.setId == setId; });
            for (qint64 id : ids)
                if (auto o = session_->object(setId, id))
                    picks.push_back({setId, id, o->trackId});
            session_->select(std::move(picks));
            QStringList names;
            for (qint64 id : ids) names << QString::number(id);
            statusBar()->showMessage(
                tr("Frame %1: set %2, objects %3")
                    .arg(frame)
                    .arg(setId)
                    .arg(names.isEmpty() ? tr("(interpolated)") : names.join(QStringLiteral(", "))),
                8000);
        });
    // The selected boxes' tracks are the strip's selected tracks (spans and keyframes).
    connect(session_, &ReviewSession::selectionChanged, timeline_, [this] {
        int64_t set = 0;
        QList<qint64> tracks;
        for (const ReviewPick& p : session_->selection()) {
            if (p.trackId == annotate::kNoTrack || (set != 0 && p.setId != set)) continue;
            set = p.setId;
            if (!tracks.contains(p.trackId)) tracks << p.trackId;
        }
        if (set != 0) timeline_->setSelectedTracks(set, tracks);
    });
    // The layers loaded with the project: the strip shows the first model run's detections
    // (else the first layer's) and the edit target's review states, until a set is loaded.
    connect(session_, &ReviewSession::loaded, timeline_, [this] {
        if (session_->layers().empty()) return;
        int64_t layer = session_->layers().front().set.id;
        for (const ReviewLayer& l : session_->layers())
            if (l.prediction()) {
                layer = l.set.id;
                break;
            }
        timeline_->setLayer(layer);
        if (session_->editTarget() != 0) timeline_->setReviewSet(session_->editTarget());
    });
    connect(
        timeline_, &TimelineStrip::tracksListed, this,
        [this](qint64 frame, const QList<qint64>& tracks) {
            QStringList names;
            for (qint64 t : tracks) names << QString::number(t);
            statusBar()->showMessage(
                names.isEmpty()
                    ? tr("Frame %1: no track").arg(frame)
                    : tr("Frame %1: tracks %2").arg(frame).arg(names.join(QStringLiteral(", "))),
                8000);
        });

    const auto jump = [this](bool forward) {
        if (timeline_->markers().empty()) {
            statusBar()->showMessage(tr("No evaluation errors: run one in the Evaluation panel "
                                        "(Ctrl+Shift+E)"),
                                     5000);
        } else if (!timeline_->activateNextMarker(forward)) {
            statusBar()->showMessage(forward ? tr("No evaluation error after this frame")
                                             : tr("No evaluation error before this frame"),
                                     5000);
        }
    };
    QAction* next = makeAction(tr("Next &Evaluation Error"), {Qt::CTRL | Qt::Key_Period},
                               [jump] { jump(true); });
    QAction* prev = makeAction(tr("Previous Evaluation Error"), {Qt::CTRL | Qt::Key_Comma},
                               [jump] { jump(false); });
    QAction* run = makeAction(tr("&Run Evaluation"), {Qt::CTRL | Qt::SHIFT | Qt::Key_E}, [this] {
        evaluationDock_->show();
        evaluationDock_->raise();
        evaluationDock_->run();
    });
    QAction* panel = makeAction(tr("E&valuation Panel"), {Qt::CTRL | Qt::ALT | Qt::Key_V}, [this] {
        evaluationDock_->setVisible(!evaluationDock_->isVisible());
        if (evaluationDock_->isVisible()) evaluationDock_->raise();
    });
    panel->setCheckable(true);
    connect(evaluationDock_, &QDockWidget::visibilityChanged, panel,
            [this, panel] { panel->setChecked(evaluationDock_->isVisible()); });
    QAction* strip = makeAction(tr("&Timeline"), {Qt::CTRL | Qt::SHIFT | Qt::Key_L},
                                [this] { timeline_->setVisible(!timeline_->isVisible()); });
    strip->setCheckable(true);
    strip->setChecked(true);
    connect(strip, &QAction::triggered, this,
            [this, strip] { strip->setChecked(timeline_->isVisible()); });
    QAction* zoomIn =
        makeAction(tr("Zoom Timeline In"), {Qt::ALT | Qt::Key_Equal, Qt::ALT | Qt::Key_Plus},
                   [this] { timeline_->zoomBy(1.25); });
    QAction* zoomOut = makeAction(tr("Zoom Timeline Out"), {Qt::ALT | Qt::Key_Minus},
                                  [this] { timeline_->zoomBy(1 / 1.25); });
    QAction* fit =
        makeAction(tr("Fit Timeline"), {Qt::ALT | Qt::Key_0}, [this] { timeline_->fit(); });

    if (QMenu* view = topMenu(menuBar(), tr("&View"))) {
        view->addSeparator();
        for (QAction* a : {strip, zoomIn, zoomOut, fit, panel}) view->addAction(a);
    }
    if (QMenu* edit = topMenu(menuBar(), tr("&Edit"))) {
        edit->addSeparator();
        for (QAction* a : {next, prev, run}) edit->addAction(a);
    }
}

}  // namespace sl::gui
