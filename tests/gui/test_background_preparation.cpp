// First run (nn/runtime/preparation.h) in the workstation's DetectionController, with an empty
// kernel cache of its own: the model loads without measuring anything (boxes before any
// measurement), the controller reports the load's progress and then measures in the background
// (here only the storage, fp32 against fp16: kernel tuning is off in the test suite), and when
// that is done a detector read from the caches replaces the first one: one load, one upgrade,
// and detections on the same frame identical in both (fp32 both times, or within fp16 rounding:
// the boxes are compared by IoU).

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdlib>

#include "controller/detection_controller.h"
#include "media/media_source.h"
#include "vision/nms.h"

namespace {

constexpr int kLoadTimeoutMs = 120000;
constexpr int kPrepareTimeoutMs = 400000;

QString videoPath() { return QDir::homePath() + QStringLiteral("/.cache/sightline/vtest.avi"); }

}  // namespace

class TestBackgroundPreparation : public QObject {
    Q_OBJECT

private slots:
    void firstLoadMeasuresNothingThenUpgradesOnce();

private:
    QTemporaryDir cache_;
};

void TestBackgroundPreparation::firstLoadMeasuresNothingThenUpgradesOnce() {
    QVERIFY(cache_.isValid());
    // Before any CL context exists: every program cache of this process uses the empty dir.
    qputenv("SIGHTLINE_KERNEL_CACHE", cache_.filePath(QStringLiteral("kernels")).toUtf8());
    qunsetenv("SIGHTLINE_NN_STORAGE");
    QVERIFY2(QFileInfo::exists(videoPath()), "vtest.avi is missing: run packaging/fetch-demo.sh");
    sl::media::MediaSource source;
    sl::media::OpenOptions open;
    open.url = videoPath().toStdString();
    open.preferHardware = false;
    QVERIFY(source.open(open).isOk());
    auto frame = source.seekToIndex(40);
    QVERIFY(frame.hasValue());

    sl::gui::DetectionController detection;
    QStringList loadReports;
    connect(&detection, &sl::gui::DetectionController::stateChanged, [&] {
        if (!detection.loadStatus().isEmpty()) loadReports << detection.loadStatus();
    });
    detection.setEnabled(true);   // no bridge: loads on a context of its own
    QTRY_VERIFY_WITH_TIMEOUT(detection.isReady() && !detection.isLoading(), kLoadTimeoutMs);
    QCOMPARE(detection.loadsStarted(), 1);
    QVERIFY2(!loadReports.isEmpty(), "the load reported no progress");
    QVERIFY2(loadReports.last().contains(QStringLiteral("kernels built")),
             qPrintable(loadReports.last()));
    // Ready before anything was measured: the storage is still to be decided, in the background.
    QVERIFY(detection.isPreparing());

    QSignalSpy results(&detection, &sl::gui::DetectionController::resultReady);
    detection.submit(*frame);
    QTRY_COMPARE_WITH_TIMEOUT(results.count(), 1, kLoadTimeoutMs);
    const auto before = *detection.store().at(40);
    QVERIFY(!before.detections.empty());

    QTRY_COMPARE_WITH_TIMEOUT(detection.upgrades(), 1, kPrepareTimeoutMs);
    QVERIFY(!detection.isPreparing());
    QCOMPARE(detection.loadsStarted(), 1);
    QVERIFY(detection.isReady());
    // The choice is cached for the next process.
    bool storageFile = false;
    for (const QString& f : QDir(cache_.filePath(QStringLiteral("kernels"))).entryList())
        storageFile = storageFile || f.startsWith(QStringLiteral("storage-choice-"));
    QVERIFY(storageFile);

    // The upgraded detector serves the same frame again with the same boxes.
    detection.clearResults();
    detection.submit(*frame);
    QTRY_COMPARE_WITH_TIMEOUT(results.count(), 2, kLoadTimeoutMs);
    const auto after = *detection.store().at(40);
    QCOMPARE(after.detections.size(), before.detections.size());
    for (size_t i = 0; i < before.detections.size(); ++i) {
        QCOMPARE(after.detections[i].classId, before.detections[i].classId);
        QVERIFY2(sl::vision::iou(after.detections[i].box, before.detections[i].box) > 0.98,
                 qPrintable(QStringLiteral("box %1").arg(i)));
    }
    QCOMPARE(detection.upgrades(), 1);   // nothing left to measure: no second upgrade
}

QTEST_MAIN(TestBackgroundPreparation)
#include "test_background_preparation.moc"
