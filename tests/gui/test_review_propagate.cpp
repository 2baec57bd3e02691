// Annotate > Propagate (issue 14) driven with the mouse and keys as a reviewer does, checked
// against the project file. A generated 320x240 clip of 30 frames and a project made here: a
// reviewed set with one lone box at frame 2 and a model run whose "person" box moves by (4, 2)
// px per frame on frames 3..12 (plus a "car" far away on each frame). The expected keyframes are
// those detections (the tracker takes a matching detection's box exactly) and the rules of
// review::addPropagatedKeyframes (ids, track id, the outside closer), derived by hand.

#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QUndoStack>

#include <cmath>
#include <memory>

#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/review_controller.h"
#include "review/box_editor.h"
#include "review/propagation.h"
#include "review/review_session.h"
#include "store/project_store.h"
#include "support/video_generator.h"
#include "view/video_view.h"

using sl::annotate::Object;
using sl::gui::MainWindow;
using sl::gui::Propagation;
using sl::gui::ReviewController;
using sl::gui::ReviewSession;

namespace {

constexpr int kTimeoutMs = 30000;
constexpr int kW = 320, kH = 240, kFrames = 30;
constexpr int kStart = 2, kN = 6;

std::vector<Object> objectsOf(const QString& project, int64_t set) {
    auto p = sl::store::ProjectStore::open(project.toStdString(), /*readOnly=*/true);
    if (!p) return {};
    auto o = (*p)->objects(set);
    return o ? *o : std::vector<Object>{};
}

// The model's person box at frame f.
sl::vision::Box detection(int64_t f) {
    const float dx = 4.0f * float(f - kStart), dy = 2.0f * float(f - kStart);
    return {100 + dx, 60 + dy, 160 + dx, 120 + dy};
}

}  // namespace

class TestReviewPropagate : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void framesSettingIsRemembered();
    void proposalsAreShownNotStored();
    void enterCommitsOneUndoStep();
    void escDiscards();

private:
    void waitIdle();
    void seek(int64_t frame);
    void key(int k, Qt::KeyboardModifiers m = {});
    QPoint toWidget(double x, double y) const;
    void selectLoneBox();
    void propagate();

    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_, project_;
    int64_t run_ = 0, reviewed_ = 0, lone_ = 0;
    std::unique_ptr<MainWindow> window_;
    sl::gui::VideoView* view_ = nullptr;
    ReviewController* review_ = nullptr;
    ReviewSession* session_ = nullptr;
    Propagation* propagation_ = nullptr;
    std::vector<Object> before_;
};

void TestReviewPropagate::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_review_propagate"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("gui-review-propagate");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.width = kW, spec.height = kH, spec.frames = kFrames;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    video_ = QString::fromStdString(std::filesystem::absolute(generated->path).string());
    project_ = QString::fromStdString(dir_->file("propagate.slproj").string());
    {
        auto p = sl::store::ProjectStore::create(project_.toStdString());
        QVERIFY2(p.hasValue(), p.status().message().c_str());
        sl::annotate::MediaInfo m;
        m.path = video_.toStdString();
        m.width = kW, m.height = kH, m.frameCount = kFrames;
        m.timeBaseNum = generated->timeBaseNum, m.timeBaseDen = generated->timeBaseDen;
        auto mediaId = (*p)->addMedia(m);
        QVERIFY(mediaId.hasValue());
        sl::annotate::AnnotationSet run;
        run.name = "yolox";
        run.kind = sl::annotate::SetKind::ModelRun;
        run.labels = {"person", "car"};
        for (int64_t f = kStart + 1; f <= kStart + 10; ++f) {
            Object d;
            d.label = "person", d.frame = f, d.box = detection(f), d.score = 0.8f;
            d.source = sl::annotate::ObjectSource::Model;
            Object car = d;
            car.label = "car", car.box = {250, 180, 300, 220}, car.score = 0.9f;
            run.objects.push_back(car);
            run.objects.push_back(d);
        }
        auto r = (*p)->importSet(*mediaId, run);
        QVERIFY(r.hasValue());
        run_ = *r;
        sl::annotate::AnnotationSet reviewed;
        reviewed.name = "reviewed";
        reviewed.kind = sl::annotate::SetKind::Reviewed;
        reviewed.labels = {"person", "car"};
        Object lone;
        lone.label = "person", lone.frame = kStart, lone.box = detection(kStart);
        reviewed.objects = {lone};
        auto v = (*p)->importSet(*mediaId, reviewed);
        QVERIFY(v.hasValue());
        reviewed_ = *v;
        before_ = objectsOf(project_, reviewed_);
        QCOMPARE(before_.size(), size_t(1));
        lone_ = before_[0].id;
    }

    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1280, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    view_ = window_->videoView();
    review_ = window_->review();
    session_ = window_->reviewSession();
    propagation_ = window_->propagation();
    QVERIFY(view_ && review_ && session_ && propagation_);

    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QSignalSpy loaded(session_, &ReviewSession::loaded);
    window_->openProject(project_, /*create=*/false);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
    QCOMPARE(session_->editTarget(), reviewed_);
    waitIdle();
}

void TestReviewPropagate::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestReviewPropagate::waitIdle() {
    QSignalSpy failed(review_, &ReviewController::failed);
    QTRY_VERIFY_WITH_TIMEOUT(!review_->busy(), kTimeoutMs);
    for (const QList<QVariant>& f : failed) qWarning() << "review:" << f.at(0).toString();
    QCOMPARE(failed.count(), 0);
}

void TestReviewPropagate::seek(int64_t frame) {
    window_->controller()->seekToIndex(frame);
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), frame, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(window_->boxEditor()->frame(), frame, kTimeoutMs);
}

void TestReviewPropagate::key(int k, Qt::KeyboardModifiers m) {
    QTest::keyClick(window_.get(), Qt::Key(k), m);
    QApplication::processEvents();
}

QPoint TestReviewPropagate::toWidget(double x, double y) const {
    // The picture fitted into the view (no zoom, no pan), derived by hand.
    const double w = view_->width(), h = view_->height();
    const double scale = std::min(w / kW, h / kH);
    const QPointF topLeft(w / 2 - kW * scale / 2, h / 2 - kH * scale / 2);
    return (topLeft + QPointF(x * scale, y * scale)).toPoint();
}

void TestReviewPropagate::selectLoneBox() {
    seek(kStart);
    const sl::vision::Box b = detection(kStart);
    QTest::mouseClick(view_, Qt::LeftButton, {},
                      toWidget((b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2));
    QTRY_COMPARE_WITH_TIMEOUT(session_->selection().size(), size_t(1), kTimeoutMs);
    QCOMPARE(session_->selection()[0].setId, reviewed_);
    QCOMPARE(session_->selection()[0].objectId, lone_);
}

void TestReviewPropagate::propagate() {
    selectLoneBox();
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    key(Qt::Key_P);
    QTRY_COMPARE_WITH_TIMEOUT(propagation_->state(), Propagation::State::Showing, kTimeoutMs);
}

void TestReviewPropagate::framesSettingIsRemembered() {
    QCOMPARE(window_->propagateFrames(), MainWindow::kDefaultPropagateFrames);
    QCOMPARE(MainWindow::kDefaultPropagateFrames, 30);
    window_->setPropagateFrames(kN);
    QCOMPARE(QSettings().value(QStringLiteral("review/propagateFrames")).toInt(), kN);
    QCOMPARE(window_->propagateFrames(), kN);
}

void TestReviewPropagate::proposalsAreShownNotStored() {
    const int steps = review_->undoStack()->count();
    propagate();
    const auto& props = propagation_->proposals();
    QCOMPARE(int(props.size()), kN);
    for (int i = 0; i < kN; ++i) {
        const int64_t f = kStart + 1 + i;
        QCOMPARE(props[size_t(i)].frame, f);
        QCOMPARE(props[size_t(i)].source, sl::track::ProposalSource::Detector);
        QVERIFY(props[size_t(i)].box == detection(f));   // the person, never the car
    }
    QVERIFY2(window_->statusBar()->currentMessage().contains(QStringLiteral("6 proposals")),
             qPrintable(window_->statusBar()->currentMessage()));
    QVERIFY(window_->statusBar()->currentMessage().contains(QStringLiteral("Enter accepts")));
    // Nothing in the project, nothing on the undo stack.
    QVERIFY(objectsOf(project_, reviewed_) == before_);
    QCOMPARE(review_->undoStack()->count(), steps);
    // Stepping and seeking keep them on their frames.
    key(Qt::Key_Period);
    QTRY_COMPARE_WITH_TIMEOUT(window_->boxEditor()->frame(), int64_t(kStart + 1), kTimeoutMs);
    QCOMPARE(propagation_->state(), Propagation::State::Showing);
    QVERIFY(propagation_->proposalAt(kStart + 1));
    seek(kStart + 5);
    QCOMPARE(propagation_->state(), Propagation::State::Showing);
    const sl::track::Proposal* at = propagation_->proposalAt(kStart + 5);
    QVERIFY(at);
    QVERIFY(at->box == detection(kStart + 5));
    QVERIFY(!propagation_->proposalAt(kStart + kN + 1));
    QVERIFY(objectsOf(project_, reviewed_) == before_);
}

void TestReviewPropagate::enterCommitsOneUndoStep() {
    QCOMPARE(propagation_->state(), Propagation::State::Showing);
    const int steps = review_->undoStack()->count();
    key(Qt::Key_Return);
    waitIdle();
    QCOMPARE(propagation_->state(), Propagation::State::Idle);
    QCOMPARE(review_->undoStack()->count(), steps + 1);
    // The lone box (id 1) became track 0 (the set had none: -1 + 1); new ids 2..7 on frames
    // 3..8; an outside closer (id 8) at frame 9, a copy of frame 8's box.
    const std::vector<Object> after = objectsOf(project_, reviewed_);
    QCOMPARE(after.size(), size_t(kN + 2));
    const Object& first = after[0];
    QCOMPARE(first.id, lone_);
    QCOMPARE(first.trackId, int64_t(0));
    QCOMPARE(first.frame, int64_t(kStart));
    QVERIFY(first.box == detection(kStart));
    QVERIFY(first.keyframe);
    for (int i = 0; i < kN; ++i) {
        const Object& o = after[size_t(i + 1)];
        const int64_t f = kStart + 1 + i;
        QCOMPARE(o.id, lone_ + 1 + i);
        QCOMPARE(o.trackId, int64_t(0));
        QCOMPARE(o.frame, f);
        QVERIFY2(o.box == detection(f), qPrintable(QStringLiteral("frame %1").arg(f)));
        QCOMPARE(o.label, std::string("person"));
        QCOMPARE(o.source, sl::annotate::ObjectSource::Tracker);
        QCOMPARE(o.score, 0.8f);
        QVERIFY(o.keyframe);
        QVERIFY(!o.outside);
        QVERIFY(!o.occluded);
    }
    const Object& closer = after.back();
    QCOMPARE(closer.id, lone_ + kN + 1);
    QCOMPARE(closer.frame, int64_t(kStart + kN + 1));
    QVERIFY(closer.outside);
    QVERIFY(closer.box == detection(kStart + kN));
    // The session mirrors it: the track shows on 2..8 and nothing at 9.
    QVERIFY(session_->trackObjectAt(reviewed_, 0, kStart + kN).has_value());
    QVERIFY(!session_->trackObjectAt(reviewed_, 0, kStart + kN + 1).has_value());
    // Ctrl+Z takes all of it back.
    key(Qt::Key_Z, Qt::ControlModifier);
    waitIdle();
    QCOMPARE(review_->undoStack()->index(), steps);
    QVERIFY(objectsOf(project_, reviewed_) == before_);
}

void TestReviewPropagate::escDiscards() {
    const int steps = review_->undoStack()->count();
    propagate();
    QCOMPARE(int(propagation_->proposals().size()), kN);
    key(Qt::Key_Escape);
    QCOMPARE(propagation_->state(), Propagation::State::Idle);
    QVERIFY(propagation_->proposals().empty());
    QVERIFY(!propagation_->proposalAt(kStart + 1));
    // Enter now does nothing to the project (no proposals, no prediction selected).
    key(Qt::Key_Return);
    waitIdle();
    QVERIFY(objectsOf(project_, reviewed_) == before_);
    QCOMPARE(review_->undoStack()->count(), steps);
}

QTEST_MAIN(TestReviewPropagate)
#include "test_review_propagate.moc"
