// MainWindow: editing annotations in the video view (issue 14): the review layers
// (ReviewSession), the mouse editor drawn over the video (BoxEditor), the Layers panel and one
// action per edit, each with a key (all listed in the shortcuts dialog). Every edit is one
// store::review call through the ReviewController: one transaction, one undo step.

#include <QAction>
#include <QCursor>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QRadioButton>
#include <QSettings>
#include <QStatusBar>

#include <algorithm>

#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "panels/layers_dock.h"
#include "panels/workstation_tools.h"
#include "review/box_editor.h"
#include "review/propagation.h"
#include "review/review_session.h"
#include "store/review_edits.h"
#include "view/video_view.h"
#include "widgets/error_banner.h"

namespace sl::gui {

namespace review = store::review;
using annotate::kNoTrack;

void MainWindow::createEditing() {
    session_ = new ReviewSession(project_, review_, this);
    boxEditor_ = new BoxEditor(session_, review_, this);
    view_->setBoxEditor(boxEditor_);
    propagation_ = new Propagation(session_, review_, this);
    boxEditor_->setPropagation(propagation_);
    connect(propagation_, &Propagation::changed, boxEditor_, &BoxEditor::changed);
    connect(propagation_, &Propagation::stateChanged, this, &MainWindow::showPropagationState);
    connect(propagation_, &Propagation::message, this,
            [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    connect(propagation_, &Propagation::progress, this, [this](int done, int total) {
        statusBar()->showMessage(
            tr("Propagating: frame %1 of %2 (Esc cancels)").arg(done).arg(total));
    });
    connect(session_, &ReviewSession::failed, banner_, &ErrorBanner::showMessage);
    connect(boxEditor_, &BoxEditor::message, this,
            [this](const QString& m) { statusBar()->showMessage(m, 6000); });
    connect(session_, &ReviewSession::loaded, this, [this] {
        statusBar()->showMessage(tr("Review layers: %1 sets, loading their objects...")
                                     .arg(session_->layers().size()),
                                 5000);
    });
    connect(session_, &ReviewSession::completed, this, [this] {
        statusBar()->showMessage(tr("Review layers: %1 sets, %2 objects")
                                     .arg(session_->layers().size())
                                     .arg(session_->objectCount()),
                                 5000);
    });

    layersDock_ = new LayersDock(session_, this);
    addDockWidget(Qt::RightDockWidgetArea, layersDock_);
    layersDock_->hide();

    QAction* draw = makeAction(tr("Draw &Box"), {Qt::Key_B}, [this] {
        boxEditor_->setMode(boxEditor_->mode() == BoxEditor::Mode::DrawBox
                                ? BoxEditor::Mode::Select
                                : BoxEditor::Mode::DrawBox);
    });
    draw->setCheckable(true);
    draw->setObjectName(QStringLiteral("drawBox"));
    connect(boxEditor_, &BoxEditor::modeChanged, draw, [this, draw](BoxEditor::Mode m) {
        draw->setChecked(m == BoxEditor::Mode::DrawBox);
        view_->setCursor(m == BoxEditor::Mode::DrawBox ? Qt::CrossCursor : Qt::ArrowCursor);
    });
    QAction* leaveDraw = makeAction(tr("Stop Drawing Boxes"), {}, [this] {
        boxEditor_->setMode(BoxEditor::Mode::Select);
    });
    (void)leaveDraw;

    // Keys 1-9: the label of new boxes, and of the selected boxes.
    QList<QAction*> labelKeys;
    for (int k = 1; k <= 9; ++k) {
        labelKeys << makeAction(tr("Label %1").arg(k), {Qt::Key(Qt::Key_0 + k)},
                                [this, k] { useLabel(k - 1); });
    }
    QAction* pickLabel = makeAction(tr("Change &Label..."), {Qt::CTRL | Qt::Key_L}, [this] {
        const auto labels = session_->labels();
        if (labels.empty()) return;
        auto* menu = new QMenu(this);
        menu->setObjectName(QStringLiteral("labelPicker"));
        menu->setAttribute(Qt::WA_DeleteOnClose);
        for (size_t i = 0; i < labels.size(); ++i) {
            QAction* a = menu->addAction(
                i < 9 ? tr("&%1 %2").arg(i + 1).arg(QString::fromStdString(labels[i]))
                      : QString::fromStdString(labels[i]));
            connect(a, &QAction::triggered, this, [this, i] { useLabel(int(i)); });
        }
        menu->popup(QCursor::pos());
    });
    QAction* nextBox = makeAction(tr("Select Next Box"), {Qt::Key_Tab},
                                  [this] { boxEditor_->cycle(true); });
    QAction* prevBox = makeAction(tr("Select Previous Box"), {Qt::SHIFT | Qt::Key_Backtab},
                                  [this] { boxEditor_->cycle(false); });
    prevBox->setShortcuts({QKeySequence(Qt::SHIFT | Qt::Key_Backtab),
                           QKeySequence(Qt::SHIFT | Qt::Key_Tab)});
    QAction* delTrack = makeAction(tr("Delete &Whole Track..."), {Qt::SHIFT | Qt::Key_Delete},
                                   &MainWindow::deleteSelectedTracks);
    QAction* key = makeAction(tr("Toggle &Keyframe"), {Qt::Key_K}, [this] {
        forEachSelectedTrack(tr("Toggle keyframe"), [](int64_t set, int64_t track,
                                                       int64_t frame, bool isKey) {
            return [=](store::ProjectStore& p) {
                return isKey ? review::clearKeyframe(p, set, track, frame)
                             : review::setKeyframe(p, set, track, frame);
            };
        });
    });
    QAction* outside = makeAction(tr("Toggle &Outside"), {Qt::Key_O}, [this] {
        forEachSelectedTrack(tr("Toggle outside"), [](int64_t set, int64_t track, int64_t frame,
                                                      bool) {
            return [=](store::ProjectStore& p) { return review::toggleOutside(p, set, track, frame); };
        });
    });
    QAction* occluded = makeAction(tr("Toggle O&ccluded"), {Qt::Key_Q}, [this] {
        forEachSelectedTrack(tr("Toggle occluded"), [](int64_t set, int64_t track, int64_t frame,
                                                       bool) {
            return [=](store::ProjectStore& p) {
                return review::toggleOccluded(p, set, track, frame);
            };
        });
    });
    QAction* split = makeAction(tr("&Split Track Here"), {Qt::SHIFT | Qt::Key_S}, [this] {
        forEachSelectedTrack(tr("Split track"), [](int64_t set, int64_t track, int64_t frame,
                                                   bool) {
            return [=](store::ProjectStore& p) { return review::splitTrack(p, set, track, frame); };
        });
    });
    QAction* merge = makeAction(tr("&Merge Selected Tracks"), {Qt::Key_G},
                                &MainWindow::mergeSelectedTracks);
    QAction* changeId = makeAction(tr("Change Track &Id..."), {Qt::CTRL | Qt::Key_I},
                                   &MainWindow::changeSelectedTrackId);
    QAction* accept = makeAction(tr("&Accept Prediction"), {Qt::Key_Return, Qt::Key_Enter},
                                 &MainWindow::acceptSelectedPredictions);
    QAction* bulk = makeAction(tr("Accept Predictions in &Bulk..."),
                               {Qt::CTRL | Qt::SHIFT | Qt::Key_Return},
                               &MainWindow::acceptPredictionsDialog);
    QAction* propagate = makeAction(tr("&Propagate"), {Qt::Key_P}, &MainWindow::propagateSelection);
    propagate->setObjectName(QStringLiteral("propagate"));
    QAction* propagateFrames = makeAction(tr("Propagate &Frames..."),
                                          {Qt::CTRL | Qt::SHIFT | Qt::Key_P},
                                          &MainWindow::propagateFramesDialog);

    QMenu* menu = new QMenu(tr("&Annotate"), this);
    menu->setObjectName(QStringLiteral("annotateMenu"));
    menu->addAction(draw);
    menu->addAction(pickLabel);
    QMenu* labelsMenu = menu->addMenu(tr("Label Keys"));
    for (QAction* a : labelKeys) labelsMenu->addAction(a);
    menu->addSeparator();
    for (QAction* a : {nextBox, prevBox, delTrack}) menu->addAction(a);
    menu->addSeparator();
    for (QAction* a : {key, outside, occluded, split, merge, changeId}) menu->addAction(a);
    menu->addSeparator();
    for (QAction* a : {accept, bulk}) menu->addAction(a);
    menu->addSeparator();
    for (QAction* a : {propagate, propagateFrames}) menu->addAction(a);
    menu->addSeparator();
    menu->addAction(layersDock_->toggleViewAction());
    // Before Help, which stays last.
    const QList<QAction*> top = menuBar()->actions();
    menuBar()->insertMenu(top.isEmpty() ? nullptr : top.back(), menu);
}

void MainWindow::useLabel(int index) {
    const auto labels = session_->labels();
    if (index < 0 || index >= int(labels.size())) {
        statusBar()->showMessage(tr("No label %1: the layer has %2 labels")
                                     .arg(index + 1).arg(labels.size()), 5000);
        return;
    }
    const std::string label = labels[size_t(index)];
    boxEditor_->setCurrentLabel(label);
    // The selected boxes of editable layers take it too (a track: the whole track, as CVAT).
    for (const ReviewPick& p : session_->selection()) {
        const ReviewLayer* l = session_->layer(p.setId);
        if (!l || !l->editable()) continue;
        if (p.trackId != kNoTrack)
            review_->edit([p, label](store::ProjectStore& s) {
                return review::setTrackLabel(s, p.setId, p.trackId, label);
            });
        else
            review_->edit([p, label](store::ProjectStore& s) {
                return review::setLabel(s, p.setId, p.objectId, label);
            });
    }
    statusBar()->showMessage(tr("Label: %1").arg(QString::fromStdString(label)), 3000);
}

void MainWindow::forEachSelectedTrack(
    const QString& what,
    const std::function<std::function<Expected<store::HistoryEntry>(store::ProjectStore&)>(
        int64_t, int64_t, int64_t, bool)>& make) {
    const int64_t frame = shownFrame_;
    int done = 0;
    for (const ReviewPick& p : session_->selection()) {
        const ReviewLayer* l = session_->layer(p.setId);
        if (!l || !l->editable() || p.trackId == kNoTrack) continue;
        bool isKey = false;
        for (const annotate::Object& k : session_->keyframes(p.setId, p.trackId))
            isKey = isKey || k.frame == frame;
        review_->edit(make(p.setId, p.trackId, frame, isKey));
        ++done;
    }
    if (done == 0)
        statusBar()->showMessage(tr("%1: select a track's box first (click it)").arg(what), 5000);
}

void MainWindow::deleteSelection() {
    // Boxes of editable layers: the box on this frame only (a track keeps every other frame:
    // review::hideTrackAt; the whole track is Shift+Delete, asked apart);
    // predictions: rejected (removed from their run, undo brings them back).
    const auto picks = session_->selection();
    if (picks.empty()) return;
    std::map<int64_t, std::vector<int64_t>> rejected;
    for (const ReviewPick& p : picks) {
        const ReviewLayer* l = session_->layer(p.setId);
        if (!l) continue;
        auto o = session_->resolve(p, shownFrame_);
        if (l->prediction()) {
            if (o && o->id > 0) rejected[p.setId].push_back(o->id);
            continue;
        }
        if (p.trackId == kNoTrack) {
            review_->edit([p](store::ProjectStore& s) {
                return review::deleteBox(s, p.setId, p.objectId);
            });
        } else {
            const int64_t frame = shownFrame_;
            review_->edit([p, frame](store::ProjectStore& s) {
                return review::hideTrackAt(s, p.setId, p.trackId, frame);
            });
        }
    }
    for (const auto& [set, ids] : rejected) {
        review::PredictionPick pick;
        pick.ids = ids;
        review_->edit([set, pick](store::ProjectStore& s) {
            return review::rejectPredictions(s, set, pick);
        });
    }
    session_->select({});
}

void MainWindow::deleteSelectedTracks() {
    std::vector<ReviewPick> tracks;
    for (const ReviewPick& p : session_->selection()) {
        const ReviewLayer* l = session_->layer(p.setId);
        if (l && l->editable() && p.trackId != kNoTrack) tracks.push_back(p);
    }
    if (tracks.empty()) {
        statusBar()->showMessage(tr("Delete whole track: select a track's box first"), 5000);
        return;
    }
    QStringList names;
    for (const ReviewPick& p : tracks) names << QStringLiteral("#%1").arg(p.trackId);
    // Asked apart from Delete (cvat#1252: deleting a box must never take the track with it).
    auto* box = new QMessageBox(QMessageBox::Question, tr("Delete Whole Track"),
                                tr("Delete every box of track %1 on every frame?")
                                    .arg(names.join(QStringLiteral(", "))),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("deleteTrackQuestion"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::accepted, this, [this, tracks] {
        for (const ReviewPick& p : tracks)
            review_->edit([p](store::ProjectStore& s) {
                return review::deleteTrack(s, p.setId, p.trackId);
            });
        session_->select({});
    });
    box->open();
}

void MainWindow::mergeSelectedTracks() {
    std::vector<ReviewPick> tracks;
    for (const ReviewPick& p : session_->selection())
        if (p.trackId != kNoTrack && session_->layer(p.setId) &&
            session_->layer(p.setId)->editable())
            tracks.push_back(p);
    if (tracks.size() != 2 || tracks[0].setId != tracks[1].setId ||
        tracks[0].trackId == tracks[1].trackId) {
        statusBar()->showMessage(tr("Merge tracks: select two tracks of one layer (Shift+drag or "
                                    "click one, then Tab); the first keeps its id"),
                                 6000);
        return;
    }
    const ReviewPick keep = tracks[0], other = tracks[1];
    review_->edit([keep, other](store::ProjectStore& s) {
        return review::mergeTracks(s, keep.setId, keep.trackId, other.trackId);
    });
    session_->select({keep});
}

void MainWindow::changeSelectedTrackId() {
    if (session_->selection().size() != 1 || session_->selection()[0].trackId == kNoTrack) {
        statusBar()->showMessage(tr("Change track id: select one track's box first"), 5000);
        return;
    }
    const ReviewPick p = session_->selection()[0];
    auto* dlg = new QInputDialog(this);
    dlg->setObjectName(QStringLiteral("trackIdDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setWindowTitle(tr("Change Track Id"));
    dlg->setLabelText(tr("New id for track %1:").arg(p.trackId));
    dlg->setInputMode(QInputDialog::IntInput);
    dlg->setIntRange(0, std::numeric_limits<int>::max());
    dlg->setIntValue(int(p.trackId));
    connect(dlg, &QInputDialog::intValueSelected, this, [this, p](int id) {
        review_->edit([p, id](store::ProjectStore& s) {
            return review::changeTrackId(s, p.setId, p.trackId, id);
        });
        session_->select({{p.setId, 0, id}});
    });
    dlg->open();
}

void MainWindow::acceptSelectedPredictions() {
    // Enter accepts the tracker's proposals while they are shown (they are what is on screen).
    if (propagation_->state() == Propagation::State::Showing) {
        propagation_->accept();
        return;
    }
    std::map<int64_t, std::vector<int64_t>> picked;
    for (const ReviewPick& p : session_->selection()) {
        const ReviewLayer* l = session_->layer(p.setId);
        if (!l || !l->prediction()) continue;
        if (auto o = session_->resolve(p, shownFrame_); o && o->id > 0)
            picked[p.setId].push_back(o->id);
    }
    if (picked.empty()) {
        statusBar()->showMessage(tr("Accept: select a prediction (a dashed box) first"), 5000);
        return;
    }
    session_->ensureEditTarget([this, picked](int64_t target) {
        for (const auto& [set, ids] : picked) {
            review::PredictionPick pick;
            pick.ids = ids;
            review_->edit([set, target, pick](store::ProjectStore& s) {
                return review::acceptPredictions(s, set, target, pick);
            });
        }
    });
    session_->select({});
}

void MainWindow::acceptPredictionsDialog() {
    std::vector<const ReviewLayer*> runs;
    for (const ReviewLayer& l : session_->layers())
        if (l.prediction()) runs.push_back(&l);
    if (runs.empty()) {
        banner_->showMessage(tr("Accept predictions: the project has no model run for this video"));
        return;
    }
    auto* dlg = new QDialog(this);
    dlg->setObjectName(QStringLiteral("bulkAcceptDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setWindowTitle(tr("Accept Predictions in Bulk"));
    auto* form = new QFormLayout(dlg);
    auto* layerBox = new QComboBox(dlg);
    layerBox->setObjectName(QStringLiteral("bulkLayer"));
    for (const ReviewLayer* l : runs)
        layerBox->addItem(QString::fromStdString(l->set.name), qlonglong(l->set.id));
    auto* score = new QDoubleSpinBox(dlg);
    score->setObjectName(QStringLiteral("bulkScore"));
    score->setRange(0, 1);
    score->setSingleStep(0.05);
    score->setValue(0.5);
    auto* whole = new QRadioButton(tr("Whole video"), dlg);
    auto* marked = new QRadioButton(dlg);
    marked->setObjectName(QStringLiteral("bulkMarked"));
    const auto in = tools_->inMark(), out = tools_->outMark();
    marked->setText(in || out ? tr("In/out marks: frames %1..%2")
                                    .arg(in ? QString::number(*in) : tr("start"),
                                         out ? QString::number(*out) : tr("end"))
                              : tr("In/out marks (none set: Shift+I, Shift+O)"));
    marked->setEnabled(in || out);
    (in || out ? marked : whole)->setChecked(true);
    form->addRow(tr("Predictions:"), layerBox);
    form->addRow(tr("Score at least:"), score);
    form->addRow(tr("Range:"), whole);
    form->addRow(QString(), marked);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dlg);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dlg, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dlg, &QDialog::reject);
    connect(dlg, &QDialog::accepted, this, [this, layerBox, score, marked, in, out] {
        const int64_t set = layerBox->currentData().toLongLong();
        review::PredictionPick pick;
        pick.minScore = float(score->value());
        if (marked->isChecked()) {
            if (in) pick.first = *in;
            if (out) pick.last = *out;
        }
        session_->ensureEditTarget([this, set, pick](int64_t target) {
            review_->edit([set, target, pick](store::ProjectStore& s) {
                return review::acceptPredictions(s, set, target, pick);
            });
        });
    });
    dlg->open();
}

int MainWindow::propagateFrames() const {
    const int n = QSettings().value(QStringLiteral("review/propagateFrames"),
                                    kDefaultPropagateFrames).toInt();
    return n > 0 ? n : kDefaultPropagateFrames;
}

void MainWindow::setPropagateFrames(int frames) {
    QSettings().setValue(QStringLiteral("review/propagateFrames"), std::max(1, frames));
}

void MainWindow::propagateSelection() {
    if (session_->selection().size() != 1) {
        statusBar()->showMessage(tr("Propagate: select one box first (click it)"), 5000);
        return;
    }
    const QString url = media_ ? media_->url : QString();
    propagation_->start(session_->selection().front(), shownFrame_, url, propagateFrames());
}

void MainWindow::propagateFramesDialog() {
    auto* dlg = new QInputDialog(this);
    dlg->setObjectName(QStringLiteral("propagateFramesDialog"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setWindowTitle(tr("Propagate Frames"));
    dlg->setLabelText(tr("Frames to propose after the shown one:"));
    dlg->setInputMode(QInputDialog::IntInput);
    dlg->setIntRange(1, 10000);
    dlg->setIntValue(propagateFrames());
    connect(dlg, &QInputDialog::intValueSelected, this, [this](int n) {
        setPropagateFrames(n);
        statusBar()->showMessage(tr("Propagate: %1 frames").arg(n), 4000);
    });
    dlg->open();
}

void MainWindow::showPropagationState() {
    switch (propagation_->state()) {
    case Propagation::State::Running:
        statusBar()->showMessage(tr("Propagating... (Esc cancels)"));
        break;
    case Propagation::State::Showing:
        statusBar()->showMessage(propagation_->summary());   // stays until accepted or discarded
        break;
    case Propagation::State::Idle:
        if (statusBar()->currentMessage().startsWith(tr("Propagat")))
            statusBar()->clearMessage();
        break;
    }
}

}  // namespace sl::gui
