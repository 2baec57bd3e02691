// The workstation's analysis tools end to end under Xvfb: hand-made detections on a generated
// video (no inference) fill the ResultsStore; the detections panel lists them (sorted, filtered,
// following new results); clicking a row seeks the player to that exact frame (read back from the
// rendered pixels) and publishes the highlight; results export to JSON/CSV and parse back; the
// snapshot PNG has the view's size; the burn-in task writes a video; "Analyse Range" reports a
// bad model without blocking, and a cancelled analysis (queued, or running with the default
// detector) reports Cancelled while the event loop keeps running.

#include <QApplication>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <cmath>
#include <filesystem>
#include <future>
#include <memory>

#include "app/main_window.h"
#include "app/ui_task_hook.h"
#include "controller/engine_controller.h"
#include "dialogs/analyse_range_dialog.h"
#include "export/export_actions.h"
#include "panels/detections_panel.h"
#include "panels/workstation_tools.h"
#include "gui_test_util.h"
#include "support/frame_pattern.h"
#include "support/video_generator.h"
#include "view/video_view.h"

using sl::gui::MainWindow;

using sl::testing::readRenderedNumber;

namespace {

constexpr int kFrames = 60;
constexpr int kTimeoutMs = 8000;

// Boxes along cell borders of the 4x4 frame-number grid, so an overlay never covers the middle
// of a cell (where the number is read).
sl::pipeline::FrameDetections frame(int64_t index, std::vector<std::pair<int, float>> dets) {
    sl::pipeline::FrameDetections f;
    f.frameIndex = index;
    f.pts = index;
    f.seconds = double(index) / 25.0;
    f.width = 320;
    f.height = 240;
    int i = 0;
    for (auto [cls, score] : dets) {
        const float x = 2.f + 80.f * float(i++);
        f.detections.push_back({cls, score, {x, 2, x + 74, 56}});
    }
    return f;
}

}  // namespace

class TestDetectionsPanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void panelListsSortsAndFilters();
    void followsNewResults();
    void clickSeeksAndHighlights();
    void exportsRoundTrip();
    void snapshotHasViewSize();
    void burnInTaskWritesVideo();
    void analyseRangeReportsBadModel();
    void analyseRangeFillsStore();
    void analyseRangeCancelWhileQueued();
    void analyseRangeCancelWhileRunning();

private:
    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_;
    std::unique_ptr<MainWindow> window_;
    sl::gui::WorkstationTools* tools_ = nullptr;
    sl::gui::DetectionsPanel* panel_ = nullptr;
};

void TestDetectionsPanel::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_detections_panel"));
    QSettings().clear();

    dir_ = std::make_unique<sl::testing::TempDir>("gui-panel");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.frames = kFrames;
    spec.fps = 25;
    spec.maxBFrames = 2;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    video_ = QString::fromStdString(generated->path.string());

    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(1100, 650);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    tools_ = window_->tools();
    QVERIFY(tools_);
    panel_ = tools_->panel();
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(window_->videoView()->displayedFrameIndex(), int64_t(0), kTimeoutMs);

    auto& store = tools_->store();
    store.setLabels({"person", "bicycle", "car"});
    store.put(frame(10, {{0, 0.91f}, {2, 0.55f}}));
    store.put(frame(25, {{2, 0.80f}}));
    store.put(frame(40, {{0, 0.66f}, {0, 0.42f}, {1, 0.30f}}));
    store.put(frame(45, {}));   // analysed, nothing found: no row, but exported
}

void TestDetectionsPanel::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

void TestDetectionsPanel::panelListsSortsAndFilters() {
    panel_->refresh();
    QCOMPARE(panel_->model()->rowCount(), 6);
    QCOMPARE(panel_->proxy()->rowCount(), 6);
    QCOMPARE(panel_->model()->labels(), QStringList({"bicycle", "car", "person"}));
    auto* proxy = panel_->proxy();
    using M = sl::gui::DetectionsModel;
    // Sorted by frame (default), then by score descending on request.
    QCOMPARE(proxy->index(0, M::Frame).data().toLongLong(), 10);
    QCOMPARE(proxy->index(5, M::Frame).data().toLongLong(), 40);
    panel_->table()->sortByColumn(M::Score, Qt::DescendingOrder);
    QCOMPARE(proxy->index(0, M::Score).data().toString(), QStringLiteral("0.91"));
    QCOMPARE(proxy->index(5, M::Score).data().toString(), QStringLiteral("0.30"));
    panel_->table()->sortByColumn(M::Frame, Qt::AscendingOrder);
    panel_->setLabelFilter(QStringLiteral("car"));
    QCOMPARE(proxy->rowCount(), 2);
    for (int r = 0; r < proxy->rowCount(); ++r)
        QCOMPARE(proxy->index(r, M::Label).data().toString(), QStringLiteral("car"));
    panel_->setLabelFilter(QString());
    QCOMPARE(proxy->rowCount(), 6);
}

void TestDetectionsPanel::followsNewResults() {
    QSignalSpy inserted(panel_->model(), &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(panel_->model(), &QAbstractItemModel::modelReset);
    tools_->store().put(frame(50, {{1, 0.77f}}));
    // The panel polls the store: the new frame arrives as an insert, not a reset.
    QTRY_COMPARE_WITH_TIMEOUT(panel_->model()->rowCount(), 7, 2000);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(reset.count(), 0);
    // A replaced frame resets the model (its rows changed).
    tools_->store().put(frame(50, {{1, 0.70f}, {2, 0.60f}}));
    QTRY_COMPARE_WITH_TIMEOUT(panel_->model()->rowCount(), 8, 2000);
    QCOMPARE(reset.count(), 1);
}

void TestDetectionsPanel::clickSeeksAndHighlights() {
    using M = sl::gui::DetectionsModel;
    auto* proxy = panel_->proxy();
    QTableView* table = panel_->table();
    QSignalSpy highlight(tools_, &sl::gui::WorkstationTools::highlightChanged);
    // The third detection of frame 40 (class "bicycle", box index 2).
    int row = -1;
    for (int r = 0; r < proxy->rowCount(); ++r)
        if (proxy->index(r, M::Frame).data().toLongLong() == 40 &&
            proxy->index(r, 0).data(M::BoxIndexRole).toInt() == 2)
            row = r;
    QVERIFY(row >= 0);
    const QModelIndex idx = proxy->index(row, M::Label);
    table->scrollTo(idx);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(idx).center());
    QTRY_COMPARE_WITH_TIMEOUT(window_->videoView()->displayedFrameIndex(), int64_t(40), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(readRenderedNumber(window_->videoView()), 40, kTimeoutMs);
    QVERIFY(highlight.count() >= 1);
    QCOMPARE(highlight.last().at(0).toLongLong(), 40);
    QCOMPARE(highlight.last().at(1).toInt(), 2);
    QCOMPARE(tools_->highlightedBox(), std::make_pair(int64_t(40), 2));

    // And another frame, by the keyboard (Enter activates the current row).
    for (int r = 0; r < proxy->rowCount(); ++r)
        if (proxy->index(r, M::Frame).data().toLongLong() == 25) row = r;
    table->setFocus();
    table->setCurrentIndex(proxy->index(row, M::Frame));
    QTest::keyClick(table, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(window_->videoView()->displayedFrameIndex(), int64_t(25), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(readRenderedNumber(window_->videoView()), 25, kTimeoutMs);
}

void TestDetectionsPanel::exportsRoundTrip() {
    const QString json = QString::fromStdString(dir_->file("results.json").string());
    const QString csv = QString::fromStdString(dir_->file("results.csv").string());
    QCOMPARE(tools_->exportResults(json), QString());
    QCOMPARE(tools_->exportResults(csv), QString());
    QVERIFY(!tools_->exportResults(QStringLiteral("/nonexistent-dir/x.json")).isEmpty());
    QVERIFY(tools_->exportResults(QString::fromStdString(dir_->file("r.txt").string()))
                .contains(QStringLiteral("r.txt")));

    QFile jf(json);
    QVERIFY(jf.open(QIODevice::ReadOnly));
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(jf.readAll(), &err);
    QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
    QCOMPARE(doc.object().value(QStringLiteral("source")).toString(), video_);
    const QJsonArray frames = doc.object().value(QStringLiteral("frames")).toArray();
    QCOMPARE(frames.size(), 5);   // 10, 25, 40, 45 (empty), 50
    int detections = 0;
    for (const QJsonValue& f : frames) {
        const QJsonArray d = f.toObject().value(QStringLiteral("detections")).toArray();
        detections += int(d.size());
        if (f.toObject().value(QStringLiteral("frame")).toInt() == 40) {
            QCOMPARE(d.size(), 3);
            QCOMPARE(d[2].toObject().value(QStringLiteral("label")).toString(),
                     QStringLiteral("bicycle"));
            const QJsonArray box = d[2].toObject().value(QStringLiteral("box")).toArray();
            QCOMPARE(box.size(), 4);
            QCOMPARE(box[0].toDouble(), 162.0);
        }
    }
    QCOMPARE(detections, 8);

    QFile cf(csv);
    QVERIFY(cf.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines =
        QString::fromUtf8(cf.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 8);
    QCOMPARE(lines[0], QStringLiteral("frame,pts,time,class_id,label,score,x1,y1,x2,y2"));
    int personRows = 0;
    for (int i = 1; i < lines.size(); ++i) {
        const QStringList f = lines[i].split(QLatin1Char(','));
        QCOMPARE(f.size(), 10);
        if (f[4] == QLatin1String("person")) ++personRows;
    }
    QCOMPARE(personRows, 3);
}

void TestDetectionsPanel::snapshotHasViewSize() {
    const QString png = QString::fromStdString(dir_->file("snap.png").string());
    QCOMPARE(tools_->saveSnapshot(png), QString());
    QImage image(png);
    QVERIFY(!image.isNull());
    auto* view = window_->videoView();
    const double dpr = view->devicePixelRatioF();
    QCOMPARE(image.size(), QSize(int(std::lround(view->width() * dpr)),
                                 int(std::lround(view->height() * dpr))));
    // It is the picture as drawn: the frame number is readable in it.
    const QRectF r = view->videoRect();
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    const int x0 = int(std::ceil(r.left() * dpr)), y0 = int(std::ceil(r.top() * dpr));
    const int n = sl::testing::readFramePattern(
        [&](int x, int y) {
            const QRgb p = rgb.pixel(x0 + x, y0 + y);
            return (299 * qRed(p) + 587 * qGreen(p) + 114 * qBlue(p)) / 1000;
        },
        int(std::floor(r.width() * dpr)) - 1, int(std::floor(r.height() * dpr)) - 1);
    QCOMPARE(int64_t(n), view->displayedFrameIndex());
}

void TestDetectionsPanel::burnInTaskWritesVideo() {
    sl::pipeline::BurnInOptions options;
    options.input = video_.toStdString();
    options.output = dir_->file("boxes.mp4");
    std::shared_ptr<const sl::pipeline::ResultsStore> store(std::shared_ptr<void>(),
                                                             &tools_->store());
    sl::gui::BurnInTask task(options, store);
    QSignalSpy finished(&task, &sl::gui::BurnInTask::finished);
    QSignalSpy progress(&task, &sl::gui::BurnInTask::progress);
    task.start();
    QVERIFY(task.running());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QVERIFY(progress.count() >= 1);
    QCOMPARE(progress.last().at(0).toLongLong(), kFrames);
    QVERIFY(std::filesystem::file_size(options.output) > 0);
}

void TestDetectionsPanel::analyseRangeReportsBadModel() {
    tools_->store();
    auto* dialog = tools_->openAnalyseDialog();
    QVERIFY(dialog);
    dialog->setModel(QString::fromStdString(dir_->file("missing-model.onnx").string()));
    QSignalSpy finished(dialog, &sl::gui::AnalyseRangeDialog::finished);
    dialog->start();
    // The GUI keeps running while the worker fails: the event loop serves the spy.
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
    QCOMPARE(finished.first().at(0).toBool(), false);
    QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("missing-model")),
             qPrintable(finished.first().at(1).toString()));
    QVERIFY(!dialog->running());
}

// Real inference over a small range (skipped without the shared test model): exactly the frames
// of [from, to] taken every n-th land in the store, and the panel picks them up.
void TestDetectionsPanel::analyseRangeFillsStore() {
    // The shared folder sits beside the checkout (SL_SHARED_DIR, from tests/support);
    // $SL_TEST_MODEL overrides.
    QString model = qEnvironmentVariable("SL_TEST_MODEL");
    if (model.isEmpty())
        model = QString::fromStdString(
            (std::filesystem::path(SL_SHARED_DIR) / "models/yolox_nano.onnx").lexically_normal().string());
    // CI provides the default detector beside the checkout; without it the test must fail.
    if (!QFile::exists(model)) QFAIL(qPrintable("missing default detector " + model));
    auto& store = tools_->store();
    store.clear();
    auto* dialog = tools_->openAnalyseDialog();
    QVERIFY(dialog);
    dialog->setModel(model);
    dialog->setRange(20, 24);
    dialog->setEvery(2);
    QSignalSpy finished(dialog, &sl::gui::AnalyseRangeDialog::finished);
    QSignalSpy progress(dialog, &sl::gui::AnalyseRangeDialog::progress);
    dialog->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 50000);
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QVERIFY(progress.count() >= 1);
    QCOMPARE(progress.last().at(1).toLongLong(), 5);   // frames the range decodes
    const auto frames = store.snapshot();
    QCOMPARE(frames.size(), size_t(3));
    QCOMPARE(frames[0].frameIndex, 20);
    QCOMPARE(frames[1].frameIndex, 22);
    QCOMPARE(frames[2].frameIndex, 24);
    QCOMPARE(store.labels().size(), size_t(80));
}

// The analyse lane is held by another task, so the dialog's analysis is still queued when it is
// cancelled: deterministic, and needs no model.
void TestDetectionsPanel::analyseRangeCancelWhileQueued() {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    sl::pipeline::TaskHandle blocker = sl::gui::uiTaskRunner().start(
        sl::pipeline::TaskSpec("hold the analyse lane", "analyse"),
        [released](sl::pipeline::TaskContext&) {
            released.wait();
            return sl::Status::ok();
        });
    auto* dialog = tools_->openAnalyseDialog();
    QVERIFY(dialog);
    dialog->setModel(QString::fromStdString(dir_->file("missing-model.onnx").string()));
    QSignalSpy finished(dialog, &sl::gui::AnalyseRangeDialog::finished);
    int ticks = 0;
    QTimer timer;
    timer.setInterval(5);
    connect(&timer, &QTimer::timeout, this, [&ticks] { ++ticks; });
    timer.start();
    dialog->start();
    QCOMPARE(dialog->taskState(), sl::pipeline::TaskState::Queued);
    QVERIFY(dialog->running());
    // The event loop runs while the analysis waits: start() returned without blocking.
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 3, kTimeoutMs);
    QCOMPARE(finished.count(), 0);
    dialog->cancel();
    QCOMPARE(dialog->taskState(), sl::pipeline::TaskState::Cancelled);   // at once: never ran
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);   // a queued call, as always
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("Analysis cancelled"));
    QCOMPARE(dialog->resultText(), QStringLiteral("Analysis cancelled"));
    QVERIFY(!dialog->running());
    QVERIFY(!blocker.finished());   // the task holding the lane is not touched
    release.set_value();
    blocker.wait();
    QCOMPARE(blocker.state(), sl::pipeline::TaskState::Succeeded);
    // The lane serves the next analysis: the bad model is reported as before.
    dialog->start();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 20000);
    QCOMPARE(finished.at(1).at(0).toBool(), false);
    QVERIFY2(finished.at(1).at(1).toString().contains(QStringLiteral("missing-model")),
             qPrintable(finished.at(1).at(1).toString()));
    QCOMPARE(dialog->taskState(), sl::pipeline::TaskState::Failed);
}

// Cancel in the middle of real inference over the whole clip (skipped without the default
// detector: analyseRangeFillsStore already fails for that): Cancelled, frames analysed so far
// stay in the store, and the GUI thread kept serving its timer throughout.
void TestDetectionsPanel::analyseRangeCancelWhileRunning() {
    QString model = qEnvironmentVariable("SL_TEST_MODEL");
    if (model.isEmpty())
        model = QString::fromStdString(
            (std::filesystem::path(SL_SHARED_DIR) / "models/yolox_nano.onnx")
                .lexically_normal()
                .string());
    // The default detector is required (CI fails, never skips, without it).
    QVERIFY2(QFile::exists(model), qPrintable("no default detector at " + model));
    auto& store = tools_->store();
    store.clear();
    auto* dialog = tools_->openAnalyseDialog();
    QVERIFY(dialog);
    dialog->setModel(model);
    dialog->setRange(0, kFrames - 1);
    dialog->setEvery(1);
    QSignalSpy finished(dialog, &sl::gui::AnalyseRangeDialog::finished);
    QSignalSpy progress(dialog, &sl::gui::AnalyseRangeDialog::progress);
    int ticks = 0;
    QTimer timer;
    timer.setInterval(5);
    connect(&timer, &QTimer::timeout, this, [&ticks] { ++ticks; });
    timer.start();
    dialog->start();
    // Mid-run: the first frames have been decoded (model loaded, analysis under way).
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 1 || finished.count() == 1, 50000);
    QCOMPARE(finished.count(), 0);
    QCOMPARE(dialog->taskState(), sl::pipeline::TaskState::Running);
    const int ticksBefore = ticks;
    dialog->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QCOMPARE(finished.first().at(0).toBool(), false);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("Analysis cancelled"));
    QCOMPARE(dialog->taskState(), sl::pipeline::TaskState::Cancelled);
    QVERIFY(!dialog->running());
    QVERIFY(ticksBefore > 0);
    QVERIFY(store.snapshot().size() < size_t(kFrames));   // stopped before the end
}

QTEST_MAIN(TestDetectionsPanel)
#include "test_detections_panel.moc"
