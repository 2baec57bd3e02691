// Editing annotations in the video view (issue 14), driven with the mouse and the keys as a
// reviewer does, checked against the project file. A generated 320x240 clip and a project made
// here: ground truth (track 1 with keyframes at 0 and 10, track 3 beside it, a lone car at frame
// 5), a model run (two predictions at frame 5) and an empty reviewed set.
//
// Expected coordinates are derived from the view's size by hand (fit scale, zoom, the pan the
// test dragged), not read from the view's transform: a box dragged at 2x zoom with a pan must
// land on exactly those source pixels (rounded to 1/100, the editor's stated grid).

#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTreeWidget>

#include <algorithm>
#include <map>
#include <cmath>
#include <memory>
#include <set>

#include "annotate/interpolation.h"
#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "panels/layers_dock.h"
#include "review/box_editor.h"
#include "review/review_session.h"
#include "store/project_store.h"
#include "support/video_generator.h"
#include "view/video_view.h"

using sl::annotate::Object;
using sl::gui::MainWindow;
using sl::gui::ReviewController;
using sl::gui::ReviewSession;

namespace {

constexpr int kTimeoutMs = 30000;
constexpr int kW = 320, kH = 240, kFrames = 30;

double round100(double v) { return std::round(v * 100.0) / 100.0; }

std::vector<Object> objectsOf(const QString& project, int64_t set) {
    auto p = sl::store::ProjectStore::open(project.toStdString(), /*readOnly=*/true);
    if (!p) return {};
    auto o = (*p)->objects(set);
    return o ? *o : std::vector<Object>{};
}

Object box(int64_t track, const char* label, int64_t frame, sl::vision::Box b) {
    Object o;
    o.trackId = track, o.label = label, o.frame = frame, o.box = b;
    return o;
}

std::set<int64_t> trackIds(const std::vector<Object>& objects) {
    std::set<int64_t> ids;
    for (const Object& o : objects) ids.insert(o.trackId);
    return ids;
}

}  // namespace

class TestReviewEditing : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void dragAtTwoTimesZoomWithPanCreatesExactBox();
    void moveAndResizeAreExactAndUndoRestoresThem();
    void interpolationIsLinearAndFollowsAnEdit();
    void deleteTakesOneFrameOfATrack();
    void acceptAndRejectMoveObjectsBetweenLayers();
    void splitAndMergeGiveTheExpectedIds();
    void layerVisibilityChangesWhatIsDrawn();
    void noTwoActionsShareAKey();

private:
    void waitIdle();
    void seek(int64_t frame);
    void key(int k, Qt::KeyboardModifiers m = {});
    // The picture rectangle derived by hand: fitted into the view, zoomed around the view's
    // centre, moved by the pan the test applied.
    QRectF expectedRect() const;
    QPointF toSource(QPointF w) const;   // expected source pixels of a widget point
    QPoint toWidget(double x, double y) const;

    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_, project_;
    int64_t gt_ = 0, run_ = 0, reviewed_ = 0;
    int64_t predA_ = 0, predB_ = 0;
    std::unique_ptr<MainWindow> window_;
    sl::gui::VideoView* view_ = nullptr;
    ReviewController* review_ = nullptr;
    ReviewSession* session_ = nullptr;
    double zoom_ = 1;
    QPointF pan_;
};

void TestReviewEditing::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_review_editing"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("gui-review-editing");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.width = kW, spec.height = kH, spec.frames = kFrames;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    video_ = QString::fromStdString(std::filesystem::absolute(generated->path).string());
    project_ = QString::fromStdString(dir_->file("edit.slproj").string());
    {
        auto p = sl::store::ProjectStore::create(project_.toStdString());
        QVERIFY2(p.hasValue(), p.status().message().c_str());
        sl::annotate::MediaInfo m;
        m.path = video_.toStdString();
        m.width = kW, m.height = kH, m.frameCount = kFrames;
        m.timeBaseNum = generated->timeBaseNum, m.timeBaseDen = generated->timeBaseDen;
        auto mediaId = (*p)->addMedia(m);
        QVERIFY(mediaId.hasValue());
        sl::annotate::AnnotationSet gt;
        gt.name = "truth";
        gt.kind = sl::annotate::SetKind::GroundTruth;
        gt.labels = {"person", "car"};
        gt.objects = {box(1, "person", 0, {20, 20, 60, 80}), box(1, "person", 10, {120, 40, 160, 100}),
                      box(3, "person", 0, {200, 30, 230, 90}), box(3, "person", 10, {210, 30, 240, 90}),
                      box(sl::annotate::kNoTrack, "car", 5, {240, 160, 300, 220})};
        auto g = (*p)->importSet(*mediaId, gt);
        QVERIFY(g.hasValue());
        gt_ = *g;
        sl::annotate::AnnotationSet run;
        run.name = "yolox";
        run.kind = sl::annotate::SetKind::ModelRun;
        run.labels = {"person", "car"};
        Object a = box(sl::annotate::kNoTrack, "person", 5, {100, 150, 140, 200});
        a.score = 0.9f, a.source = sl::annotate::ObjectSource::Model;
        Object b = box(sl::annotate::kNoTrack, "car", 5, {150, 150, 190, 190});
        b.score = 0.3f, b.source = sl::annotate::ObjectSource::Model;
        run.objects = {a, b};
        auto r = (*p)->importSet(*mediaId, run);
        QVERIFY(r.hasValue());
        run_ = *r;
        const auto stored = objectsOf(project_, run_);
        QCOMPARE(stored.size(), size_t(2));
        predA_ = stored[0].id, predB_ = stored[1].id;
        sl::annotate::AnnotationSet reviewed;
        reviewed.name = "reviewed";
        reviewed.kind = sl::annotate::SetKind::Reviewed;
        reviewed.labels = {"person", "car"};
        auto v = (*p)->importSet(*mediaId, reviewed);
        QVERIFY(v.hasValue());
        reviewed_ = *v;
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
    QVERIFY(view_ && review_ && session_);

    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QSignalSpy loaded(session_, &ReviewSession::loaded);
    window_->openProject(project_, /*create=*/false);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
    QCOMPARE(int(session_->layers().size()), 3);
    QCOMPARE(session_->editTarget(), reviewed_);   // the reviewed set takes new boxes
    seek(5);
}

void TestReviewEditing::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestReviewEditing::waitIdle() {
    QSignalSpy failed(review_, &ReviewController::failed);
    QTRY_VERIFY_WITH_TIMEOUT(!review_->busy(), kTimeoutMs);
    for (const QList<QVariant>& f : failed) qWarning() << "review:" << f.at(0).toString();
    QCOMPARE(failed.count(), 0);
}

void TestReviewEditing::seek(int64_t frame) {
    window_->controller()->seekToIndex(frame);
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), frame, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(window_->boxEditor()->frame(), frame, kTimeoutMs);
}

void TestReviewEditing::key(int k, Qt::KeyboardModifiers m) {
    QTest::keyClick(window_.get(), Qt::Key(k), m);
    QApplication::processEvents();
}

QRectF TestReviewEditing::expectedRect() const {
    const double w = view_->width(), h = view_->height();
    const double scale = std::min(w / kW, h / kH);
    const double sw = kW * scale * zoom_, sh = kH * scale * zoom_;
    return {QPointF(w / 2 - sw / 2, h / 2 - sh / 2) + pan_, QSizeF(sw, sh)};
}

QPointF TestReviewEditing::toSource(QPointF w) const {
    const QRectF r = expectedRect();
    return {round100((w.x() - r.left()) / r.width() * kW),
            round100((w.y() - r.top()) / r.height() * kH)};
}

QPoint TestReviewEditing::toWidget(double x, double y) const {
    const QRectF r = expectedRect();
    return QPointF(r.left() + x / kW * r.width(), r.top() + y / kH * r.height()).toPoint();
}

void TestReviewEditing::dragAtTwoTimesZoomWithPanCreatesExactBox() {
    // 2x around the centre, then a pan dragged on an empty part of the picture.
    const QPointF centre(view_->width() / 2.0, view_->height() / 2.0);
    view_->zoomAt(2.0, centre);
    zoom_ = 2.0;
    QCOMPARE(view_->zoom(), 2.0);
    const QPoint from = toWidget(90, 170), to = from + QPoint(-37, -23);   // no box there
    QTest::mousePress(view_, Qt::LeftButton, {}, from);
    QTest::mouseMove(view_, from + QPoint(-20, -10));
    QTest::mouseMove(view_, to);
    QTest::mouseRelease(view_, Qt::LeftButton, {}, to);
    pan_ = QPointF(-37, -23);
    QVERIFY(std::abs(view_->videoRect().left() - expectedRect().left()) < 1e-6);

    key(Qt::Key_2);   // label 2 of the reviewed set: "car"
    key(Qt::Key_B);   // Draw Box
    QCOMPARE(window_->boxEditor()->mode(), sl::gui::BoxEditor::Mode::DrawBox);
    const QPoint a = toWidget(100.3, 80.7), b = toWidget(150.2, 140.9);
    QTest::mousePress(view_, Qt::LeftButton, {}, a);
    QTest::mouseMove(view_, (a + b) / 2);
    QTest::mouseMove(view_, b);
    QTest::mouseRelease(view_, Qt::LeftButton, {}, b);
    waitIdle();
    key(Qt::Key_B);
    const auto stored = objectsOf(project_, reviewed_);
    QCOMPARE(stored.size(), size_t(1));
    const QPointF sa = toSource(a), sb = toSource(b);
    const Object& o = stored[0];
    QCOMPARE(o.box.x1, float(sa.x()));
    QCOMPARE(o.box.y1, float(sa.y()));
    QCOMPARE(o.box.x2, float(sb.x()));
    QCOMPARE(o.box.y2, float(sb.y()));
    QCOMPARE(o.frame, int64_t(5));
    QCOMPARE(QString::fromStdString(o.label), QStringLiteral("car"));
    QVERIFY(o.source == sl::annotate::ObjectSource::Human);
    QCOMPARE(o.trackId, sl::annotate::kNoTrack);
    // The view's own mirror has it too (drawn from the change set, no reload).
    QCOMPARE(int(session_->objectsAt(reviewed_, 5).size()), 1);
}

void TestReviewEditing::moveAndResizeAreExactAndUndoRestoresThem() {
    // Viewport lock: stepping frames leaves zoom and pan where they are.
    seek(6);
    seek(5);
    QCOMPARE(view_->zoom(), 2.0);
    QVERIFY(std::abs(view_->videoRect().left() - expectedRect().left()) < 1e-6);
    QVERIFY(std::abs(view_->videoRect().top() - expectedRect().top()) < 1e-6);
    const std::vector<Object> created = objectsOf(project_, reviewed_);
    QCOMPARE(created.size(), size_t(1));
    const sl::vision::Box b0 = created[0].box;
    // Click inside selects it; a drag moves it by the source offset of the two points.
    const QPoint in = toWidget((b0.x1 + b0.x2) / 2, (b0.y1 + b0.y2) / 2);
    const QPoint moved = in + QPoint(21, 13);
    QTest::mousePress(view_, Qt::LeftButton, {}, in);
    QCOMPARE(int(session_->selection().size()), 1);
    QTest::mouseMove(view_, in + QPoint(10, 6));
    QTest::mouseMove(view_, moved);
    QTest::mouseRelease(view_, Qt::LeftButton, {}, moved);
    waitIdle();
    const double dx = toSource(moved).x() - toSource(in).x();
    const double dy = toSource(moved).y() - toSource(in).y();
    const std::vector<Object> afterMove = objectsOf(project_, reviewed_);
    QCOMPARE(afterMove.size(), size_t(1));
    QCOMPARE(afterMove[0].box.x1, float(round100(b0.x1 + dx)));
    QCOMPARE(afterMove[0].box.y1, float(round100(b0.y1 + dy)));
    QCOMPARE(afterMove[0].box.x2, float(round100(b0.x2 + dx)));
    QCOMPARE(afterMove[0].box.y2, float(round100(b0.y2 + dy)));
    QCOMPARE(afterMove[0].revision, created[0].revision + 1);

    // Resize with the bottom-right handle to a chosen point: that corner lands on it exactly.
    const sl::vision::Box b1 = afterMove[0].box;
    const QPoint handle = toWidget(b1.x2, b1.y2);
    const QPoint target = toWidget(160.4, 170.6);
    QTest::mousePress(view_, Qt::LeftButton, {}, handle);
    QTest::mouseMove(view_, handle + QPoint(5, 5));
    QTest::mouseMove(view_, target);
    QTest::mouseRelease(view_, Qt::LeftButton, {}, target);
    waitIdle();
    const std::vector<Object> afterResize = objectsOf(project_, reviewed_);
    QCOMPARE(afterResize[0].box.x1, b1.x1);
    QCOMPARE(afterResize[0].box.y1, b1.y1);
    QCOMPARE(afterResize[0].box.x2, float(toSource(target).x()));
    QCOMPARE(afterResize[0].box.y2, float(toSource(target).y()));

    // Undo twice, redo twice: each state field by field (id, revision, every flag).
    key(Qt::Key_Z, Qt::ControlModifier);
    waitIdle();
    QVERIFY(objectsOf(project_, reviewed_) == afterMove);
    key(Qt::Key_Z, Qt::ControlModifier);
    waitIdle();
    QVERIFY(objectsOf(project_, reviewed_) == created);
    QCOMPARE(session_->objectsAt(reviewed_, 5).front().object, created[0]);
    key(Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    waitIdle();
    QVERIFY(objectsOf(project_, reviewed_) == afterMove);
    key(Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    waitIdle();
    QVERIFY(objectsOf(project_, reviewed_) == afterResize);
    QCOMPARE(session_->objectsAt(reviewed_, 5).front().object, afterResize[0]);
}

void TestReviewEditing::interpolationIsLinearAndFollowsAnEdit() {
    view_->fitToWindow();
    zoom_ = 1, pan_ = {};
    seek(4);
    // Track 1: (20,20)-(60,80) at 0, (120,40)-(160,100) at 10; at 4, t = 0.4 by hand.
    auto at4 = session_->trackObjectAt(gt_, 1, 4);
    QVERIFY(at4.has_value());
    QCOMPARE(at4->box, (sl::vision::Box{60, 28, 100, 88}));
    QVERIFY(!at4->keyframe);
    // Drag the interpolated box by its top-left handle: frame 4 becomes a keyframe there, and
    // frame 2 now interpolates between 0 and 4.
    const QPoint in = toWidget(80, 58);
    QTest::mousePress(view_, Qt::LeftButton, {}, in);
    QTest::mouseRelease(view_, Qt::LeftButton, {}, in);
    QCOMPARE(int(session_->selection().size()), 1);
    QCOMPARE(session_->selection()[0].trackId, int64_t(1));
    const QPoint handle = toWidget(60, 28), target = toWidget(70, 30);
    QTest::mousePress(view_, Qt::LeftButton, {}, handle);
    QTest::mouseMove(view_, handle + QPoint(4, 1));
    QTest::mouseMove(view_, target);
    QTest::mouseRelease(view_, Qt::LeftButton, {}, target);
    waitIdle();
    // As stored (floats), which the interpolation reads.
    const double tx = double(float(toSource(target).x())), ty = double(float(toSource(target).y()));
    sl::annotate::AnnotationSet stored;
    stored.objects = objectsOf(project_, gt_);
    const auto keys = std::count_if(stored.objects.begin(), stored.objects.end(),
                                    [](const Object& o) { return o.trackId == 1 && o.keyframe; });
    QCOMPARE(int(keys), 3);
    const auto f2 = sl::annotate::objectsAtFrame(stored, 2, kFrames - 1);
    const auto one = std::find_if(f2.begin(), f2.end(), [](const Object& o) { return o.trackId == 1; });
    QVERIFY(one != f2.end());
    // Half way between (20,20)-(60,80) and (t.x, t.y)-(100,88).
    QCOMPARE(one->box.x1, float(20 + (tx - 20) * 0.5));
    QCOMPARE(one->box.y1, float(20 + (ty - 20) * 0.5));
    QCOMPARE(one->box.x2, float(60 + (100 - 60) * 0.5));
    QCOMPARE(one->box.y2, float(80 + (88 - 80) * 0.5));
    QCOMPARE(session_->trackObjectAt(gt_, 1, 2)->box, one->box);
}

void TestReviewEditing::deleteTakesOneFrameOfATrack() {
    seek(7);
    const auto before6 = session_->trackObjectAt(gt_, 3, 6);
    const auto before8 = session_->trackObjectAt(gt_, 3, 8);
    QVERIFY(before6 && before8 && session_->trackObjectAt(gt_, 3, 7));
    session_->select({{gt_, 0, 3}});
    key(Qt::Key_Delete);
    waitIdle();
    QVERIFY(!session_->trackObjectAt(gt_, 3, 7));
    QCOMPARE(session_->trackObjectAt(gt_, 3, 6)->box, before6->box);
    QCOMPARE(session_->trackObjectAt(gt_, 3, 8)->box, before8->box);
    // The store agrees (read back with the engine's interpolation).
    sl::annotate::AnnotationSet stored;
    stored.objects = objectsOf(project_, gt_);
    for (const Object& o : sl::annotate::objectsAtFrame(stored, 7, kFrames - 1))
        QVERIFY(o.trackId != 3);
    key(Qt::Key_Z, Qt::ControlModifier);
    waitIdle();
    QVERIFY(session_->trackObjectAt(gt_, 3, 7).has_value());
}

void TestReviewEditing::acceptAndRejectMoveObjectsBetweenLayers() {
    seek(5);
    const size_t reviewedBefore = objectsOf(project_, reviewed_).size();
    // Prediction A (score 0.9): click it, Enter.
    QTest::mouseClick(view_, Qt::LeftButton, {}, toWidget(120, 175));
    QCOMPARE(int(session_->selection().size()), 1);
    QCOMPARE(session_->selection()[0].objectId, predA_);
    key(Qt::Key_Return);
    waitIdle();
    auto runNow = objectsOf(project_, run_);
    QCOMPARE(runNow.size(), size_t(1));
    QCOMPARE(runNow[0].id, predB_);
    const auto reviewed = objectsOf(project_, reviewed_);
    QCOMPARE(reviewed.size(), reviewedBefore + 1);
    const auto accepted = std::find_if(reviewed.begin(), reviewed.end(), [&](const Object& o) {
        return o.origin.setId == run_;
    });
    QVERIFY(accepted != reviewed.end());
    QCOMPARE(accepted->origin.objectId, predA_);
    QCOMPARE(accepted->box, (sl::vision::Box{100, 150, 140, 200}));
    // Prediction B: click, Delete rejects it (gone from the run, nothing added).
    QTest::mouseClick(view_, Qt::LeftButton, {}, toWidget(170, 170));
    QCOMPARE(session_->selection()[0].objectId, predB_);
    key(Qt::Key_Delete);
    waitIdle();
    QVERIFY(objectsOf(project_, run_).empty());
    QCOMPARE(objectsOf(project_, reviewed_).size(), reviewedBefore + 1);
    key(Qt::Key_Z, Qt::ControlModifier);
    waitIdle();
    runNow = objectsOf(project_, run_);
    QCOMPARE(runNow.size(), size_t(1));
    QCOMPARE(runNow[0].id, predB_);
}

void TestReviewEditing::splitAndMergeGiveTheExpectedIds() {
    seek(6);
    session_->select({{gt_, 0, 1}});
    key(Qt::Key_S, Qt::ShiftModifier);   // split track 1 at 6: the part from 6 is track 4
    waitIdle();
    std::set<int64_t> ids = trackIds(objectsOf(project_, gt_));
    QVERIFY(ids == (std::set<int64_t>{sl::annotate::kNoTrack, 1, 3, 4}));
    QVERIFY(session_->trackObjectAt(gt_, 4, 6).has_value());
    QVERIFY(!session_->trackObjectAt(gt_, 1, 6).has_value());
    QVERIFY(session_->trackObjectAt(gt_, 1, 5).has_value());
    // Rubber band over the whole picture (Shift+drag) selects tracks 3 and 4 of frame 6; G
    // merges the second into the first: track 4's boxes take id 3.
    const QRectF r = view_->videoRect();
    const QPoint a = r.topLeft().toPoint() + QPoint(1, 1), b = r.bottomRight().toPoint() - QPoint(1, 1);
    QTest::mousePress(view_, Qt::LeftButton, Qt::ShiftModifier, a);
    QTest::mouseMove(view_, (a + b) / 2);
    QTest::mouseMove(view_, b);
    QTest::mouseRelease(view_, Qt::LeftButton, Qt::ShiftModifier, b);
    std::vector<int64_t> selected;
    for (const auto& p : session_->selection())
        if (p.setId == gt_) selected.push_back(p.trackId);
    QVERIFY(selected == (std::vector<int64_t>{3, 4}));
    key(Qt::Key_G);
    waitIdle();
    ids = trackIds(objectsOf(project_, gt_));
    QVERIFY(ids == (std::set<int64_t>{sl::annotate::kNoTrack, 1, 3}));
}

void TestReviewEditing::layerVisibilityChangesWhatIsDrawn() {
    seek(5);
    session_->select({});
    // The ground truth's lone car (240,160)-(300,220): its left edge, half way down.
    const sl::gui::ReviewLayer* gt = session_->layer(gt_);
    QVERIFY(gt);
    const QColor colour = gt->color;
    const auto drawnNear = [&](QPoint w) {
        const QImage img = view_->grabFramebuffer();
        const double dpr = img.devicePixelRatio();
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -2; dx <= 2; ++dx) {
                const QColor c = img.pixelColor(int((w.x() + dx) * dpr), int((w.y() + dy) * dpr));
                if (std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) +
                        std::abs(c.blue() - colour.blue()) < 30)
                    return true;
            }
        return false;
    };
    const QPoint edge = toWidget(240, 190);
    QVERIFY(drawnNear(edge));
    QTreeWidget* tree = window_->layersDock()->tree();
    QTreeWidgetItem* row = nullptr;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->data(0, Qt::UserRole).toLongLong() == gt_) row = tree->topLevelItem(i);
    QVERIFY(row);
    row->setCheckState(sl::gui::LayersDock::Name, Qt::Unchecked);
    QTRY_VERIFY_WITH_TIMEOUT(!session_->layer(gt_)->visible, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!drawnNear(edge), kTimeoutMs);
    session_->setLayerVisible(gt_, true);
    QTRY_VERIFY_WITH_TIMEOUT(drawnNear(edge), kTimeoutMs);
}

void TestReviewEditing::noTwoActionsShareAKey() {
    // Two window actions on one key are ambiguous: Qt fires neither.
    std::map<QString, QString> owner;
    for (QAction* a : window_->allActions())
        for (const QKeySequence& k : a->shortcuts()) {
            const QString key = k.toString(QKeySequence::PortableText);
            auto [it, fresh] = owner.emplace(key, a->text());
            QVERIFY2(fresh, qPrintable(QStringLiteral("%1 is both '%2' and '%3'")
                                           .arg(key, it->second, a->text())));
        }
    QVERIFY(owner.size() > 40);
}

QTEST_MAIN(TestReviewEditing)
#include "test_review_editing.moc"
