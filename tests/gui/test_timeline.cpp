// The timeline strip and the Evaluation panel in the workstation. A generated 120-frame clip and a
// project made here with the store API: a ground truth of two tracks on every frame plus one lone
// box at G that no prediction covers (a miss), and a model run that follows track 1 throughout,
// follows track 2 with id 12 up to H - 1 and with id 13 from H (an ID switch), plus one box far
// from everything at F (a false positive). The panel's numbers are compared with
// eval::cocoEvaluate / clearMetrics / identityMetrics / hotaMetrics run here on the same boxes,
// and with the counts derived by hand; the markers sit at F, G, H with their kinds; clicking the
// false positive's marker seeks the player to exactly F and names its object; at 16x zoom a click
// at a computed x seeks to the frame the mapping predicts; a frame marked reviewed through the
// ReviewController turns the review row's colour there (read back from the widget's pixels).

#include <QApplication>
#include <QComboBox>
#include <QFileInfo>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QElapsedTimer>
#include <QTest>
#include <QUndoStack>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "app/main_window.h"
#include "app/ui_task_hook.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "eval/coco_eval.h"
#include "eval/mot_metrics.h"
#include "pipeline/class_color.h"
#include "panels/evaluation_dock.h"
#include "review/review_session.h"
#include "review/timeline_strip.h"
#include "store/project_store.h"
#include "store/review_edits.h"
#include "support/video_generator.h"
#include "view/video_view.h"

using sl::annotate::AnnotationSet;
using sl::annotate::Object;
using sl::gui::EvaluationDock;
using sl::gui::MainWindow;
using sl::gui::TimelineStrip;
using Kind = sl::eval::FrameError::Kind;

namespace {

constexpr int kTimeoutMs = 30000;
constexpr int kFrames = 120;
constexpr int64_t kF = 25, kG = 40, kH = 70;   // false positive, miss, ID switch
const sl::vision::Box kBoxA{10, 10, 60, 60}, kBoxB{150, 100, 210, 160}, kBoxMiss{250, 20, 300, 70},
    kBoxFp{200, 190, 240, 235};

Object box(int64_t frame, int64_t track, sl::vision::Box b, bool keyframe, float score = 1) {
    Object o;
    o.frame = frame;
    o.trackId = track;
    o.label = "car";
    o.box = b;
    o.keyframe = keyframe;
    o.score = score;
    o.source = keyframe ? sl::annotate::ObjectSource::Human : sl::annotate::ObjectSource::Model;
    return o;
}

AnnotationSet groundTruth() {
    AnnotationSet s;
    s.name = "gt";
    s.kind = sl::annotate::SetKind::GroundTruth;
    s.labels = {"car"};
    for (int64_t f = 0; f < kFrames; ++f) {
        s.objects.push_back(box(f, 1, kBoxA, true));
        s.objects.push_back(box(f, 2, kBoxB, true));
    }
    s.objects.push_back(box(kG, sl::annotate::kNoTrack, kBoxMiss, true));
    return s;
}

AnnotationSet prediction() {
    AnnotationSet s;
    s.name = "pred";
    s.kind = sl::annotate::SetKind::ModelRun;
    s.labels = {"car"};
    for (int64_t f = 0; f < kFrames; ++f) {
        s.objects.push_back(box(f, 11, kBoxA, false, 0.9f));
        s.objects.push_back(box(f, f < kH ? 12 : 13, kBoxB, false, 0.8f));
    }
    s.objects.push_back(box(kF, sl::annotate::kNoTrack, kBoxFp, false, 0.6f));
    return s;
}

QString num(double v) { return v < 0 ? QStringLiteral("-") : QString::number(v, 'f', 4); }

}  // namespace

class TestTimeline : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void evaluationShowsTheEngineNumbers();
    void markersSitAtTheErrors();
    void fpMarkerSeeksAndNamesTheBox();
    void nextErrorKeyJumps();
    void scrubbingIsExactAt16x();
    void detectionRowListsTheTracks();
    void reviewColoursFollowTheStore();
    void layerEditsAreReadAgain();
    void cancelStopsTheEvaluation();
    void rangeAndEmptyLayer();
    void trackRowsTakeTheirClassColour();

private:
    void showFrame(int64_t f);
    void runEvaluation();

    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_, project_;
    int64_t gtSet_ = 0, predSet_ = 0, emptySet_ = 0, fpId_ = 0, missId_ = 0;
    std::unique_ptr<MainWindow> window_;
    TimelineStrip* strip_ = nullptr;
    EvaluationDock* dock_ = nullptr;
    qint64 shown_ = -1;
};

void TestTimeline::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_timeline"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("gui-timeline");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.frames = kFrames;
    spec.fps = 25;
    auto video = sl::testing::generateVideo(spec);
    QVERIFY2(video.hasValue(), video.status().message().c_str());
    video_ = QString::fromStdString(video->path.string());
    project_ = QString::fromStdString(dir_->file("timeline.slproj").string());
    {
        auto p = sl::store::ProjectStore::create(project_.toStdString());
        QVERIFY2(p.hasValue(), p.status().message().c_str());
        sl::annotate::MediaInfo m;
        m.path = QFileInfo(video_).absoluteFilePath().toStdString();
        m.width = 320, m.height = 240, m.frameCount = kFrames;
        auto media = (*p)->addMedia(m);
        QVERIFY(media.hasValue());
        auto gt = (*p)->importSet(*media, groundTruth());
        auto pred = (*p)->importSet(*media, prediction());
        AnnotationSet empty;
        empty.name = "empty";
        empty.kind = sl::annotate::SetKind::GroundTruth;
        auto none = (*p)->importSet(*media, empty);
        QVERIFY(gt.hasValue() && pred.hasValue() && none.hasValue());
        gtSet_ = *gt, predSet_ = *pred, emptySet_ = *none;
        auto predObjects = (*p)->objects(predSet_);
        auto gtObjects = (*p)->objects(gtSet_);
        QVERIFY(predObjects.hasValue() && gtObjects.hasValue());
        for (const Object& o : *predObjects)
            if (o.trackId == sl::annotate::kNoTrack) fpId_ = o.id;
        for (const Object& o : *gtObjects)
            if (o.trackId == sl::annotate::kNoTrack) missId_ = o.id;
        QVERIFY(fpId_ > 0 && missId_ > 0);
    }
    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    strip_ = window_->timeline();
    dock_ = window_->evaluationDock();
    QVERIFY(strip_ && dock_);
    connect(window_->videoView(), &sl::gui::VideoView::frameDisplayed,
            [this](qint64 index, double) { shown_ = index; });

    QSignalSpy opened(window_->project(), &sl::gui::ProjectController::opened);
    window_->openProject(project_, /*create=*/false);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QSignalSpy listed(dock_, &EvaluationDock::layersListed);
    QSignalSpy played(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(played.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(0), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(listed.count() >= 1, kTimeoutMs);
    QCOMPARE(dock_->groundTruthBox()->count(), 3);
    QCOMPARE(window_->project()->mediaId() > 0, true);

    // The prediction loaded as the shown layer (and the set under review), as Load Results does.
    QSignalSpy data(strip_, &TimelineStrip::dataChanged);
    window_->project()->loadSet(predSet_);
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 1 && !strip_->busy(), kTimeoutMs);
    QCOMPARE(window_->review()->reviewSet(), predSet_);
    QCOMPARE(strip_->data().frames, int64_t(kFrames));
    QCOMPARE(strip_->data().detections[size_t(kF)], 3);   // two tracks and the false positive
    QCOMPARE(strip_->data().detections[size_t(kG)], 2);
    QCOMPARE(strip_->data().maxDetections, 3);
    QCOMPARE(strip_->scale().frames, int64_t(kFrames));
}

void TestTimeline::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestTimeline::showFrame(int64_t f) {
    window_->controller()->seekToIndex(f);
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(f), kTimeoutMs);
}

void TestTimeline::runEvaluation() {
    QSignalSpy done(dock_, &EvaluationDock::evaluated);
    dock_->show();
    QVERIFY(QTest::qWaitForWindowExposed(dock_));
    auto* run = dock_->findChild<QPushButton*>(QStringLiteral("evalRun"));
    QVERIFY(run && run->isEnabled());
    QTest::mouseClick(run, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dock_->busy(), kTimeoutMs);
    QVERIFY2(done.count() == 1, qPrintable(dock_->messageText()));
}

void TestTimeline::evaluationShowsTheEngineNumbers() {
    QVERIFY(dock_->selectLayers(gtSet_, predSet_));
    runEvaluation();
    // The engine on the same boxes, computed here.
    const AnnotationSet gt = groundTruth(), pred = prediction();
    const sl::eval::CocoResult coco = sl::eval::cocoEvaluate(gt, pred);
    const sl::eval::MotData data = sl::eval::buildMotData(gt, pred, {});
    const sl::eval::ClearResult clear = sl::eval::clearMetrics(data, 0.5);
    const sl::eval::IdentityResult id = sl::eval::identityMetrics(data, 0.5);
    const sl::eval::HotaResult hota = sl::eval::hotaMetrics(data);
    for (int i = 0; i < 12; ++i) {
        const QString name = QString::fromLatin1(sl::eval::cocoStatName(i));
        QCOMPARE(dock_->summaryText(name), num(coco.stats[size_t(i)]));
    }
    QCOMPARE(dock_->summaryText(QStringLiteral("MOTA")), num(clear.mota));
    QCOMPARE(dock_->summaryText(QStringLiteral("MOTP")), num(clear.motp));
    QCOMPARE(dock_->summaryText(QStringLiteral("IDF1")), num(id.idf1));
    QCOMPARE(dock_->summaryText(QStringLiteral("HOTA")), num(hota.meanHota));
    // By hand: 241 ground-truth boxes (2 x 120 + the lone one), 240 of them matched; one false
    // positive, one miss, one switch of track 2 from 12 to 13; MOTA = 1 - 3 / 241.
    QCOMPARE(dock_->summaryText(QStringLiteral("TP")), QStringLiteral("240"));
    QCOMPARE(dock_->summaryText(QStringLiteral("FP")), QStringLiteral("1"));
    QCOMPARE(dock_->summaryText(QStringLiteral("FN")), QStringLiteral("1"));
    QCOMPARE(dock_->summaryText(QStringLiteral("IDSW")), QStringLiteral("1"));
    QCOMPARE(dock_->summaryText(QStringLiteral("Frag")), QStringLiteral("0"));
    QCOMPARE(dock_->summaryText(QStringLiteral("GT boxes")), QStringLiteral("241"));
    QCOMPARE(dock_->summaryText(QStringLiteral("detections")), QStringLiteral("241"));
    QCOMPARE(dock_->summaryText(QStringLiteral("MOTA")), num(1.0 - 3.0 / 241.0));
    QCOMPARE(dock_->summaryText(QStringLiteral("MOTP")), num(1.0));   // every match exact
    // The class table: one class, its AP as the engine's.
    QTableWidget* classes = dock_->classTable();
    QCOMPARE(classes->rowCount(), 2);   // "(all classes)" and car
    QCOMPARE(classes->item(1, 0)->text(), QStringLiteral("car"));
    QCOMPARE(classes->item(1, 1)->text(), QStringLiteral("241"));
    QCOMPARE(classes->item(1, 2)->text(), num(coco.classes[0].ap));
    QCOMPARE(classes->item(1, 3)->text(), num(coco.classes[0].ap50));
    QCOMPARE(dock_->errorTable()->rowCount(), 3);
}

void TestTimeline::markersSitAtTheErrors() {
    const auto& m = strip_->markers();
    QCOMPARE(m.size(), size_t(3));
    QCOMPARE(m[0].frame, kF);
    QCOMPARE(m[0].kind, Kind::FalsePositive);
    QCOMPARE(m[0].predObjectId, fpId_);
    QCOMPARE(m[1].frame, kG);
    QCOMPARE(m[1].kind, Kind::Miss);
    QCOMPARE(m[1].gtObjectId, missId_);
    QCOMPARE(m[2].frame, kH);
    QCOMPARE(m[2].kind, Kind::IdSwitch);
    QCOMPARE(m[2].gtTrackId, int64_t(2));
    QCOMPARE(m[2].predTrackId, int64_t(13));
    for (const auto& x : m) QCOMPARE(QString::fromStdString(x.label), QStringLiteral("car"));
    QCOMPARE(strip_->gtSet(), gtSet_);
    QCOMPARE(strip_->predSet(), predSet_);
    // The class filter: another class hides them, the class row of "car" keeps them.
    strip_->setMarkerLabel(QStringLiteral("bus"));
    QCOMPARE(strip_->markers().size(), size_t(0));
    QTest::mouseClick(
        dock_->classTable()->viewport(), Qt::LeftButton, {},
        dock_->classTable()->visualItemRect(dock_->classTable()->item(1, 0)).center());
    QCOMPARE(strip_->markerLabel(), QStringLiteral("car"));
    QCOMPARE(strip_->markers().size(), size_t(3));
}

void TestTimeline::fpMarkerSeeksAndNamesTheBox() {
    strip_->fit();
    showFrame(100);
    QSignalSpy activated(strip_, &TimelineStrip::markerActivated);
    // The marker's own pixels: its frame's middle in the false-positive band.
    const QPoint at(int(strip_->frameCenterX(kF)), strip_->markerBandY(Kind::FalsePositive));
    QImage pixels = strip_->grab().toImage();
    const qreal dpr = pixels.devicePixelRatio();
    QCOMPARE(pixels.pixelColor(QPoint(int(at.x() * dpr), int(at.y() * dpr))),
             TimelineStrip::markerColor(Kind::FalsePositive));
    QTest::mouseClick(strip_, Qt::LeftButton, {}, at);
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(kF), kTimeoutMs);
    QCOMPARE(window_->videoView()->displayedFrameIndex(), kF);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toLongLong(), kF);
    QCOMPARE(activated.at(0).at(1).toLongLong(), predSet_);
    QCOMPARE(activated.at(0).at(2).value<QList<qint64>>(), QList<qint64>{fpId_});
    // ... and the video view selects that box (drawn with its handles).
    const auto& sel = window_->reviewSession()->selection();
    QCOMPARE(int(sel.size()), 1);
    QCOMPARE(sel[0].setId, predSet_);
    QCOMPARE(sel[0].objectId, fpId_);
    // The miss names the ground truth's box.
    activated.clear();
    QTest::mouseClick(strip_, Qt::LeftButton, {},
                      QPoint(int(strip_->frameCenterX(kG)), strip_->markerBandY(Kind::Miss)));
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(kG), kTimeoutMs);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(1).toLongLong(), gtSet_);
    QCOMPARE(activated.at(0).at(2).value<QList<qint64>>(), QList<qint64>{missId_});
    // An error row of the panel seeks too: the ID switch, both sets named.
    activated.clear();
    QTableWidget* errors = dock_->errorTable();
    QTest::mouseClick(errors->viewport(), Qt::LeftButton, {},
                      errors->visualItemRect(errors->item(2, 0)).center());
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(kH), kTimeoutMs);
    QCOMPARE(activated.count(), 2);
    QCOMPARE(activated.at(0).at(1).toLongLong(), predSet_);
    QCOMPARE(activated.at(1).at(1).toLongLong(), gtSet_);
}

void TestTimeline::nextErrorKeyJumps() {
    showFrame(0);
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    QTest::keyClick(window_.get(), Qt::Key_Period, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(kF), kTimeoutMs);
    QTest::keyClick(window_.get(), Qt::Key_Period, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(kG), kTimeoutMs);
    QTest::keyClick(window_.get(), Qt::Key_Period, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(kH), kTimeoutMs);
    QTest::keyClick(window_.get(), Qt::Key_Comma, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(kG), kTimeoutMs);
}

void TestTimeline::scrubbingIsExactAt16x() {
    showFrame(60);
    strip_->setZoom(16, 60);
    const sl::gui::TimelineScale& s = strip_->scale();
    QCOMPARE(s.zoom, 16.0);
    // The mapping, computed here from the widget's width: 120 frames over 16 widths.
    const double ppf = strip_->width() * 16.0 / kFrames;
    QVERIFY(std::abs(s.pxPerFrame() - ppf) < 1e-9);
    const int y = strip_->rowRect(TimelineStrip::Row::Review).center().y();
    for (int64_t k = s.firstVisible() + 1; k < s.lastVisible(); ++k) {
        const double left = (double(k) - s.first) * ppf;   // where frame k begins
        // The first whole pixel inside k, and the last one before it (frame k - 1).
        for (auto [x, expect] : {std::pair{int(std::ceil(left + 1e-9)), k},
                                 std::pair{int(std::ceil(left + 1e-9)) - 1, k - 1}}) {
            QTest::mouseClick(strip_, Qt::LeftButton, {}, QPoint(x, y));
            QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(expect), kTimeoutMs);
        }
    }
    // A drag scrubs to the frame under the release point.
    const int64_t from = s.firstVisible() + 1, to = s.lastVisible() - 1;
    QTest::mousePress(strip_, Qt::LeftButton, {}, QPoint(int(strip_->frameCenterX(from)), y));
    QMouseEvent move(QEvent::MouseMove, QPointF(strip_->frameCenterX(to), y),
                     strip_->mapToGlobal(QPointF(strip_->frameCenterX(to), y)), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(strip_, &move);
    QTest::mouseRelease(strip_, Qt::LeftButton, {}, QPoint(int(strip_->frameCenterX(to)), y));
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(to), kTimeoutMs);
    strip_->fit();
}

void TestTimeline::detectionRowListsTheTracks() {
    QSignalSpy listed(strip_, &TimelineStrip::tracksListed);
    const int y = strip_->rowRect(TimelineStrip::Row::Detections).center().y();
    QTest::mouseClick(strip_, Qt::LeftButton, {}, QPoint(int(strip_->frameCenterX(80)), y));
    QTRY_COMPARE_WITH_TIMEOUT(shown_, qint64(80), kTimeoutMs);
    QCOMPARE(listed.count(), 1);
    QCOMPARE(listed.at(0).at(1).value<QList<qint64>>(), (QList<qint64>{11, 13}));
    QCOMPARE(strip_->selectedTracks(), (QList<qint64>{11, 13}));
    using Spans = std::vector<std::pair<int64_t, int64_t>>;
    QVERIFY(strip_->data().spansOf(11) == (Spans{{0, kFrames - 1}}));
    QVERIFY(strip_->data().spansOf(13) == (Spans{{kH, kFrames - 1}}));
    QVERIFY(strip_->data().keyframesOf(13).empty());   // a model run: no keyframes
    // Tracks of another set (the ground truth's keyframed track 1) are read for the strip.
    QSignalSpy data(strip_, &TimelineStrip::dataChanged);
    strip_->setSelectedTracks(gtSet_, {1});
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 1 && !strip_->busy(), kTimeoutMs);
    QVERIFY(strip_->data().spansOf(1) == (Spans{{0, kFrames - 1}}));
    QCOMPARE(strip_->data().keyframesOf(1).size(), size_t(kFrames));
    QCOMPARE(strip_->data().detections[size_t(kF)], 3);   // the layer is still the prediction
}

void TestTimeline::reviewColoursFollowTheStore() {
    strip_->fit();
    showFrame(10);
    constexpr int64_t kMarked = 90;
    const auto colourAt = [&](int64_t frame) {
        const QImage img = strip_->grab().toImage();
        const qreal dpr = img.devicePixelRatio();
        const QPoint p(int(strip_->frameCenterX(frame) * dpr),
                       int(strip_->rowRect(TimelineStrip::Row::Review).center().y() * dpr));
        return img.pixelColor(p);
    };
    const QColor before = colourAt(kMarked);
    QVERIFY(before != TimelineStrip::reviewColor(sl::store::FrameReview::Reviewed));
    QSignalSpy data(strip_, &TimelineStrip::dataChanged);
    window_->review()->markFrame(kMarked, sl::store::FrameReview::Reviewed);
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 1 && !strip_->busy() && !window_->review()->busy(),
                             kTimeoutMs);
    QCOMPARE(sl::store::FrameReview(strip_->data().review[size_t(kMarked)]),
             sl::store::FrameReview::Reviewed);
    QCOMPARE(colourAt(kMarked), TimelineStrip::reviewColor(sl::store::FrameReview::Reviewed));
    QCOMPARE(colourAt(kMarked + 5), before);   // its neighbours are not reviewed
    // Flagged, then undone: the row follows each step.
    data.clear();
    window_->review()->markFrame(kMarked, sl::store::FrameReview::Flagged);
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 1 && !strip_->busy() && !window_->review()->busy(),
                             kTimeoutMs);
    QCOMPARE(colourAt(kMarked), TimelineStrip::reviewColor(sl::store::FrameReview::Flagged));
    data.clear();
    window_->review()->undoStack()->undo();
    window_->review()->undoStack()->undo();
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 2 && !strip_->busy() && !window_->review()->busy(),
                             kTimeoutMs);
    QCOMPARE(colourAt(kMarked), before);
}

void TestTimeline::layerEditsAreReadAgain() {
    // Deleting the false positive (an edit of the shown layer) re-reads it: frame F shows two
    // boxes; the undo brings the third back.
    QSignalSpy data(strip_, &TimelineStrip::dataChanged);
    const int64_t set = predSet_, id = fpId_;
    window_->review()->edit(
        [set, id](sl::store::ProjectStore& p) { return sl::store::review::deleteBox(p, set, id); });
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 1 && !strip_->busy() && !window_->review()->busy(),
                             kTimeoutMs);
    QCOMPARE(strip_->data().detections[size_t(kF)], 2);
    QCOMPARE(strip_->data().maxDetections, 2);
    data.clear();
    window_->review()->undoStack()->undo();
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 1 && !strip_->busy() && !window_->review()->busy(),
                             kTimeoutMs);
    QCOMPARE(strip_->data().detections[size_t(kF)], 3);
}

void TestTimeline::cancelStopsTheEvaluation() {
    // The evaluation lane held by another task: Cancel right after Run stops the evaluation
    // whichever stage it is in (reading the layers, or queued to compute); nothing is shown.
    std::atomic<bool> release{false};
    sl::pipeline::TaskHandle blocker = sl::gui::uiTaskRunner().start(
        sl::pipeline::TaskSpec("hold the evaluation lane", "evaluate"),
        [&release](sl::pipeline::TaskContext&) {
            while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
            return sl::Status::ok();
        });
    const size_t markers = strip_->markers().size();
    QVERIFY(dock_->selectLayers(gtSet_, predSet_));
    QSignalSpy done(dock_, &EvaluationDock::evaluated);
    dock_->run();
    QVERIFY(dock_->busy());
    auto* cancel = dock_->findChild<QPushButton*>(QStringLiteral("evalCancel"));
    QVERIFY(cancel && cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!dock_->busy(), kTimeoutMs);
    release = true;
    blocker.wait();
    QTest::qWait(50);
    QCOMPARE(done.count(), 0);
    QVERIFY2(dock_->messageText().contains(QStringLiteral("cancelled")),
             qPrintable(dock_->messageText()));
    QCOMPARE(strip_->markers().size(), markers);   // the last result's markers stay
}

void TestTimeline::rangeAndEmptyLayer() {
    // Frames 0..30: the false positive only.
    dock_->rangeBox()->setCurrentIndex(1);
    dock_->firstBox()->setValue(0);
    dock_->lastBox()->setValue(30);
    runEvaluation();
    QCOMPARE(dock_->summaryText(QStringLiteral("FP")), QStringLiteral("1"));
    QCOMPARE(dock_->summaryText(QStringLiteral("FN")), QStringLiteral("0"));
    QCOMPARE(dock_->summaryText(QStringLiteral("IDSW")), QStringLiteral("0"));
    QCOMPARE(dock_->summaryText(QStringLiteral("GT boxes")), QStringLiteral("62"));
    QCOMPARE(strip_->markers().size(), size_t(1));
    QCOMPARE(strip_->markers()[0].frame, kF);
    // An empty ground truth: said by name, nothing evaluated.
    dock_->rangeBox()->setCurrentIndex(0);
    QVERIFY(dock_->selectLayers(emptySet_, predSet_));
    QSignalSpy done(dock_, &EvaluationDock::evaluated);
    dock_->run();
    QTRY_VERIFY_WITH_TIMEOUT(!dock_->busy(), kTimeoutMs);
    QCOMPARE(done.count(), 0);
    QVERIFY2(dock_->messageText().contains(QStringLiteral("'empty' has no boxes")),
             qPrintable(dock_->messageText()));
    QVERIFY(dock_->selectLayers(predSet_, predSet_));
    dock_->run();
    QTRY_VERIFY_WITH_TIMEOUT(!dock_->busy(), kTimeoutMs);
    QVERIFY2(dock_->messageText().contains(QStringLiteral("the same set")),
             qPrintable(dock_->messageText()));
}

void TestTimeline::trackRowsTakeTheirClassColour() {
    // A strip of its own over a project of two tracks of different classes: track 5 a "truck"
    // (class 2 of the set's labels) over frames 10..49, track 6 a "person" (class 0) over
    // 60..99. Each row's span is drawn in pipeline::classColor of its class, the colour the
    // video overlay gives that class; frames outside the spans are not.
    const QString path = QString::fromStdString(dir_->file("classes.slproj").string());
    int64_t set = 0;
    {
        auto p = sl::store::ProjectStore::create(path.toStdString());
        QVERIFY2(p.hasValue(), p.status().message().c_str());
        sl::annotate::MediaInfo m;
        m.path = "/videos/classes.mp4", m.frameCount = kFrames;
        auto media = (*p)->addMedia(m);
        QVERIFY(media.hasValue());
        AnnotationSet s;
        s.name = "classes";
        s.labels = {"person", "car", "truck"};
        Object a = box(10, 5, kBoxA, true), b = box(49, 5, kBoxA, true);
        a.label = b.label = "truck";
        Object c = box(60, 6, kBoxB, true), d = box(99, 6, kBoxB, true);
        d.outside = true;   // ends the track: visible 60..98
        c.label = d.label = "person";
        b.outside = true;   // visible 10..48
        s.objects = {a, b, c, d};
        auto id = (*p)->importSet(*media, s);
        QVERIFY2(id.hasValue(), id.status().message().c_str());
        set = *id;
    }
    TimelineStrip strip;
    strip.resize(1200, 200);
    strip.setFrameCount(kFrames);
    strip.setProject(path);
    QSignalSpy data(&strip, &TimelineStrip::dataChanged);
    strip.setLayer(set);
    strip.setSelectedTracks(set, {5, 6});
    strip.show();
    QVERIFY(QTest::qWaitForWindowExposed(&strip));
    QTRY_VERIFY_WITH_TIMEOUT(data.count() >= 1 && !strip.busy(), kTimeoutMs);
    strip.fit();
    QCOMPARE(strip.data().classOf(5), 2);
    QCOMPARE(strip.data().classOf(6), 0);
    const QImage img = strip.grab().toImage();
    const qreal dpr = img.devicePixelRatio();
    const QRect rows = strip.rowRect(TimelineStrip::Row::Tracks);
    const auto rgb = [](sl::pipeline::Rgb c) { return QColor(c.r, c.g, c.b); };
    // Track i's row: 8 px each (timeline_strip.cpp kTrackRow), its span 4 px high in the middle;
    // sampled at frames away from the keyframes' diamonds.
    const auto at = [&](int64_t frame, int row) {
        const int y = rows.top() + row * 8 + 4;
        return img.pixelColor(QPoint(int(strip.frameCenterX(frame) * dpr), int(y * dpr)));
    };
    QCOMPARE(at(30, 0), rgb(sl::pipeline::classColor(2)));
    QCOMPARE(at(80, 1), rgb(sl::pipeline::classColor(0)));
    QVERIFY(at(80, 0) != rgb(sl::pipeline::classColor(2)));   // track 5 is gone by then
    QVERIFY(at(30, 1) != rgb(sl::pipeline::classColor(0)));   // track 6 not there yet
}

QTEST_MAIN(TestTimeline)
#include "test_timeline.moc"
