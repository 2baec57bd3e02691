// The review layers' load, first frame first (issue 14): the first answer holds what the focus
// frame draws (its lone boxes, a track interpolated there between keyframes that are on later
// pages of the set) before the rest is read; the rest comes in pages, and edits made while it
// does are in the mirror exactly once, whichever side of a page's read they commit on. The
// mirror is compared with the store row for row at the end.

#include <QApplication>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <map>
#include <memory>
#include <optional>

#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "review/review_session.h"
#include "store/project_store.h"
#include "store/review_edits.h"
#include "support/video_generator.h"
#include "view/video_view.h"

using sl::annotate::Object;
using sl::gui::MainWindow;
using sl::gui::ReviewController;
using sl::gui::ReviewSession;

namespace {

constexpr int kTimeoutMs = 60000;
constexpr int kW = 160, kH = 120, kFrames = 300;
constexpr int kPerFrame = 100;   // lone boxes on every frame: 30,000, more than one page (20,000)
constexpr int64_t kFocus = 250;
constexpr int64_t kTrack = 7;

Object lone(int64_t frame, int i) {
    Object o;
    o.label = "car";
    o.frame = frame;
    o.box = {float(i), float(i % 50), float(i) + 4, float(i % 50) + 4};
    return o;
}

std::vector<Object> storedObjects(const QString& project, int64_t set) {
    auto p = sl::store::ProjectStore::open(project.toStdString(), /*readOnly=*/true);
    if (!p) return {};
    auto o = (*p)->objects(set);
    return o ? *o : std::vector<Object>{};
}

}  // namespace

class TestReviewLoad : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void firstAnswerDrawsTheFocusFrame();
    void editsDuringTheLoadAreInTheMirrorOnce();

private:
    void open();
    void compareWithStore();

    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_, project_;
    int64_t set_ = 0;
    std::unique_ptr<MainWindow> window_;
    ReviewSession* session_ = nullptr;
    ReviewController* review_ = nullptr;
};

void TestReviewLoad::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_review_load"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("gui-review-load");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.width = kW, spec.height = kH, spec.frames = kFrames;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    video_ = QString::fromStdString(std::filesystem::absolute(generated->path).string());
    project_ = QString::fromStdString(dir_->file("load.slproj").string());
    {
        auto p = sl::store::ProjectStore::create(project_.toStdString());
        QVERIFY2(p.hasValue(), p.status().message().c_str());
        sl::annotate::MediaInfo m;
        m.path = video_.toStdString();
        m.width = kW, m.height = kH, m.frameCount = kFrames;
        m.timeBaseNum = generated->timeBaseNum, m.timeBaseDen = generated->timeBaseDen;
        auto mediaId = (*p)->addMedia(m);
        QVERIFY(mediaId.hasValue());
        sl::annotate::AnnotationSet s;
        s.name = "truth";
        s.kind = sl::annotate::SetKind::GroundTruth;
        s.labels = {"person", "car"};
        for (int64_t f = 0; f < kFrames; ++f)
            for (int i = 0; i < kPerFrame; ++i) s.objects.push_back(lone(f, i));
        // Track 7: keyframes at 240 and 290, both past the first page (frames 0..199).
        Object a;
        a.trackId = kTrack, a.label = "person", a.frame = 240, a.box = {0, 0, 10, 10};
        Object b = a;
        b.frame = 290, b.box = {50, 0, 60, 10};
        s.objects.push_back(a);
        s.objects.push_back(b);
        auto id = (*p)->importSet(*mediaId, s);
        QVERIFY2(id.hasValue(), id.status().message().c_str());
        set_ = *id;
    }
    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1024, 700);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    session_ = window_->reviewSession();
    review_ = window_->review();
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(window_->videoView()->displayedFrameIndex(), int64_t(0),
                              kTimeoutMs);
}

void TestReviewLoad::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestReviewLoad::open() {
    window_->project()->close();
    QTRY_VERIFY_WITH_TIMEOUT(!session_->ready(), kTimeoutMs);
    session_->setFocusFrame(kFocus);
    window_->openProject(project_, /*create=*/false);
}

// Every stored row is in the mirror as stored, and nothing else is.
void TestReviewLoad::compareWithStore() {
    const auto stored = storedObjects(project_, set_);
    QVERIFY(!stored.empty());
    QCOMPARE(session_->objectCount(), int64_t(stored.size()));
    for (const Object& o : stored) {
        auto held = session_->object(set_, o.id);
        QVERIFY2(held.has_value(), qPrintable(QStringLiteral("object %1 missing").arg(o.id)));
        QVERIFY2(*held == o, qPrintable(QStringLiteral("object %1 differs").arg(o.id)));
    }
}

void TestReviewLoad::firstAnswerDrawsTheFocusFrame() {
    // What the session shows the moment it is ready, before any page lands.
    bool completeAtLoaded = true;
    int64_t heldAtLoaded = 0;
    std::vector<sl::gui::ShownObject> shownAtLoaded;
    auto c = connect(session_, &ReviewSession::loaded, this, [&] {
        completeAtLoaded = session_->complete();
        heldAtLoaded = session_->objectCount();
        shownAtLoaded = session_->objectsAt(set_, kFocus);
    });
    QSignalSpy loaded(session_, &ReviewSession::loaded);
    open();
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, kTimeoutMs);
    disconnect(c);
    QVERIFY(!completeAtLoaded);
    // The first page (20,000 rows: frames 0..199) and frame 250's rows: its 100 boxes and
    // track 7's two keyframes.
    QCOMPARE(heldAtLoaded, int64_t(20000 + kPerFrame + 2));
    QCOMPARE(int(shownAtLoaded.size()), kPerFrame + 1);
    int lones = 0;
    std::optional<Object> tracked;
    for (const auto& s : shownAtLoaded) {
        if (s.object.trackId == kTrack) tracked = s.object;
        else if (s.object.frame == kFocus && s.object.trackId == sl::annotate::kNoTrack) ++lones;
    }
    QCOMPARE(lones, kPerFrame);
    QVERIFY(tracked.has_value());
    // 10 of the 50 frames from 240 to 290: x moves 50 * 10 / 50 = 10 px.
    QCOMPARE(tracked->box.x1, 10.0f);
    QCOMPARE(tracked->box.x2, 20.0f);
    QCOMPARE(tracked->box.y1, 0.0f);
    QCOMPARE(tracked->box.y2, 10.0f);
    QCOMPARE(tracked->source, sl::annotate::ObjectSource::Interpolated);

    QTRY_VERIFY_WITH_TIMEOUT(session_->complete(), kTimeoutMs);
    QCOMPARE(session_->objectCount(), int64_t(kFrames * kPerFrame + 2));
    QCOMPARE(int(session_->objectsAt(set_, kFocus).size()), kPerFrame + 1);
    compareWithStore();
}

void TestReviewLoad::editsDuringTheLoadAreInTheMirrorOnce() {
    // The first answer holds frames 0..199 (and 250); one more page reads 200..299. A box on
    // frame 280 is added as the layers land: it commits before that page is read, so the page
    // holds it too and its change landed before the page does. When that change lands, the
    // page is already queued: a box of frame 295 is moved and one of frame 10 (held) and one of
    // 299 (in the page) are deleted after the page's read, so their changes land after it.
    const auto stored = storedObjects(project_, set_);
    int64_t moveId = 0, loadedId = 0, laterId = 0;
    for (const Object& o : stored) {
        if (o.trackId != sl::annotate::kNoTrack) continue;
        if (o.frame == 295 && moveId == 0) moveId = o.id;
        if (o.frame == 10 && loadedId == 0) loadedId = o.id;
        if (o.frame == 299 && laterId == 0) laterId = o.id;
    }
    QVERIFY(moveId && loadedId && laterId);
    const int64_t set = set_;
    int changes = 0, edited = 0;
    auto onLoaded = connect(session_, &ReviewSession::loaded, this, [&] {
        review_->edit([set](sl::store::ProjectStore& p) {
            return sl::store::review::addBox(p, set, lone(280, 7));
        });
        ++edited;
    });
    auto onPage = connect(session_, &ReviewSession::objectsChanged, this, [&] {
        if (++changes != 1 || session_->complete()) return;   // the added box's change
        review_->edit([set, moveId](sl::store::ProjectStore& p) {
            return sl::store::review::setBox(p, set, moveId, {1, 2, 3, 4});
        });
        review_->edit([set, loadedId](sl::store::ProjectStore& p) {
            return sl::store::review::deleteBox(p, set, loadedId);
        });
        review_->edit([set, laterId](sl::store::ProjectStore& p) {
            return sl::store::review::deleteBox(p, set, laterId);
        });
        edited += 3;
    });
    QSignalSpy failed(review_, &ReviewController::failed);
    open();
    QTRY_VERIFY_WITH_TIMEOUT(session_->complete(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!review_->busy(), kTimeoutMs);
    disconnect(onLoaded);
    disconnect(onPage);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(edited, 4);   // each edit was made while the load was in progress
    // One added, two removed.
    QCOMPARE(session_->objectCount(), int64_t(stored.size()) + 1 - 2);
    QVERIFY(!session_->object(set_, loadedId).has_value());
    QVERIFY(!session_->object(set_, laterId).has_value());
    auto moved = session_->object(set_, moveId);
    QVERIFY(moved.has_value());
    QCOMPARE(moved->box.x1, 1.0f);
    QCOMPARE(moved->box.y2, 4.0f);
    // The added box is on frame 280 once.
    int added = 0;
    for (const auto& s : session_->objectsAt(set_, 280))
        added += s.object.box.x1 == 7.0f && s.object.box.y1 == 7.0f ? 1 : 0;
    QCOMPARE(added, 2);   // lone(280, 7) as imported, and the one added
    compareWithStore();
}

QTEST_MAIN(TestReviewLoad)
#include "test_review_load.moc"
