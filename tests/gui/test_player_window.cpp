// The player window end to end: a generated H.264 video (B-frames, the frame number drawn into
// every picture) is opened in a real MainWindow under Xvfb; after playing, stepping, seeking
// (API, slider, keys) the test reads the number back from the pixels OpenGL actually rendered
// inside VideoView::videoRect(), so upload, colour conversion, letterboxing and pacing are all
// checked against the frame the view claims to show.

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/application.h"
#include "app/main_window.h"
#include "app/theme.h"
#include "controller/engine_controller.h"
#include "core/log.h"
#include "gui_test_util.h"
#include "support/frame_pattern.h"
#include "support/video_generator.h"
#include "view/video_view.h"
#include "widgets/error_banner.h"
#include "widgets/transport_bar.h"

using sl::gui::MainWindow;

using sl::testing::readRenderedNumber;

namespace {

constexpr int kFrames = 120;
constexpr int kFps = 30;
constexpr int kTimeoutMs = 8000;

}  // namespace

class TestPlayerWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void opensWithInfo();
    void playThenPause();
    void stepForwardAndBack();
    void seeksToIndices();
    void sliderScrubsFrameExactly();
    void keyboardShortcuts();
    void zoomAndFitKeepPictureReadable();
    void errorBannerThenRecovery();
    void anamorphicVideoShownAtDisplayAspect();

private:
    void expectShown(int64_t index);
    void saveScreenshot(const QString& name);

    std::unique_ptr<sl::testing::TempDir> dir_;
    QString video_;
    std::unique_ptr<MainWindow> window_;
    sl::gui::VideoView* view_ = nullptr;
    sl::gui::EngineController* controller_ = nullptr;
};

void TestPlayerWindow::expectShown(int64_t index) {
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), index, kTimeoutMs);
    QCOMPARE(readRenderedNumber(view_), int(index));
    QTRY_VERIFY(window_->transportBar()->frameText().startsWith(
        QStringLiteral("frame %1 / %2").arg(index).arg(kFrames)));
}

void TestPlayerWindow::saveScreenshot(const QString& name) {
    const QString dir = qEnvironmentVariable("SL_SCREENSHOT_DIR");
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    window_->grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

void TestPlayerWindow::initTestCase() {
    // Never touch the user's settings: a separate organisation in test-mode locations.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_player_window"));
    QSettings().clear();

    dir_ = std::make_unique<sl::testing::TempDir>("gui");
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("clip.mp4");
    spec.codec = "libx264";
    spec.width = 320;
    spec.height = 240;
    spec.frames = kFrames;
    spec.fps = kFps;
    spec.gopSize = 30;
    spec.maxBFrames = 2;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    video_ = QString::fromStdString(generated->path.string());

    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->resize(900, 600);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    view_ = window_->videoView();
    controller_ = window_->controller();
}

void TestPlayerWindow::cleanupTestCase() {
    // Closing the window frees the bridge: no frame (the view's own included) may still point
    // into its slots, which would make the bridge host leak it with a warning.
    std::vector<std::string> bridgeWarnings;
    sl::setLogSink([&](sl::LogLevel level, std::string_view component, std::string_view msg) {
        if (level >= sl::LogLevel::Warning && component == "gui/bridge")
            bridgeWarnings.emplace_back(msg);
    });
    window_.reset();
    sl::setLogSink(nullptr);
    QSettings().clear();
    QVERIFY2(bridgeWarnings.empty(),
             bridgeWarnings.empty() ? "" : bridgeWarnings.front().c_str());
}

void TestPlayerWindow::opensWithInfo() {
    QSignalSpy opened(controller_, &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    const auto summary = opened.first().first().value<sl::gui::MediaSummary>();
    QCOMPARE(summary.frameCount, int64_t(kFrames));
    QCOMPARE(summary.width, 320);
    QCOMPARE(summary.height, 240);
    expectShown(0);
    // Letterboxed 4:3 inside the view, aspect preserved.
    const QRectF r = view_->videoRect();
    QVERIFY(qAbs(r.width() / r.height() - 320.0 / 240.0) < 0.01);
    QVERIFY(r.left() >= -0.5 && r.right() <= view_->width() + 0.5);
    QTRY_VERIFY(window_->statusText().contains(QStringLiteral("h264")));
    QVERIFY(window_->statusText().contains(QStringLiteral("320x240")));
    QVERIFY(window_->windowTitle().contains(QStringLiteral("clip.mp4")));
}

void TestPlayerWindow::playThenPause() {
    controller_->play();
    QTRY_VERIFY_WITH_TIMEOUT(view_->displayedFrameIndex() >= 10, kTimeoutMs);
    saveScreenshot(QStringLiteral("playing"));
    controller_->pause();
    QVERIFY(!controller_->isPlaying());
    // Let any frame already handed over land, then the picture must hold still and match.
    QTest::qWait(300);
    const int64_t shown = view_->displayedFrameIndex();
    QVERIFY(shown >= 10 && shown < kFrames);
    QTest::qWait(300);
    QCOMPARE(view_->displayedFrameIndex(), shown);
    QCOMPARE(readRenderedNumber(view_), int(shown));
}

void TestPlayerWindow::stepForwardAndBack() {
    controller_->seekToIndex(50);
    expectShown(50);
    controller_->step(1);
    expectShown(51);
    controller_->step(1);
    expectShown(52);
    controller_->step(-1);
    expectShown(51);
    controller_->step(-1);
    expectShown(50);
    controller_->step(-1);   // before the seek target: served by the cache the seek filled
    expectShown(49);
}

void TestPlayerWindow::seeksToIndices() {
    for (int64_t index : {int64_t(0), int64_t(119), int64_t(31), int64_t(29), int64_t(77),
                          int64_t(1), int64_t(60)}) {
        controller_->seekToIndex(index);
        expectShown(index);
    }
}

void TestPlayerWindow::sliderScrubsFrameExactly() {
    sl::gui::SeekSlider* slider = window_->transportBar()->slider();
    QVERIFY(slider->isEnabled());
    QCOMPARE(slider->maximum(), kFrames - 1);
    // A drag: many values while the handle is down; the engine coalesces, the last one wins.
    slider->setSliderDown(true);
    for (int v = 10; v <= 90; v += 7) slider->setValue(v);
    slider->setValue(93);
    slider->setSliderDown(false);
    expectShown(93);
    QCOMPARE(slider->value(), 93);
    // A single jump (a click on the groove).
    slider->setValue(17);
    expectShown(17);
    saveScreenshot(QStringLiteral("paused_frame17"));
}

void TestPlayerWindow::keyboardShortcuts() {
    window_->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(window_.get()));
    controller_->seekToIndex(40);
    expectShown(40);
    QTest::keyClick(window_.get(), Qt::Key_Period);
    expectShown(41);
    QTest::keyClick(window_.get(), Qt::Key_Comma);
    expectShown(40);
    QTest::keyClick(window_.get(), Qt::Key_End);
    expectShown(kFrames - 1);
    QTest::keyClick(window_.get(), Qt::Key_Home);
    expectShown(0);

    QTest::keyClick(window_.get(), Qt::Key_BracketRight);
    QCOMPARE(controller_->speed(), 2.0);
    QCOMPARE(window_->transportBar()->speedSelector()->currentText(), QStringLiteral("2x"));
    QTest::keyClick(window_.get(), Qt::Key_BracketLeft);
    QTest::keyClick(window_.get(), Qt::Key_BracketLeft);
    QCOMPARE(controller_->speed(), 0.5);
    QTest::keyClick(window_.get(), Qt::Key_Backspace);
    QCOMPARE(controller_->speed(), 1.0);

    QTest::keyClick(window_.get(), Qt::Key_Space);
    QVERIFY(controller_->isPlaying());
    QTRY_VERIFY_WITH_TIMEOUT(view_->displayedFrameIndex() >= 5, kTimeoutMs);
    QTest::keyClick(window_.get(), Qt::Key_Space);
    QVERIFY(!controller_->isPlaying());
    QTest::qWait(300);
    const int64_t shown = view_->displayedFrameIndex();
    QCOMPARE(readRenderedNumber(view_), int(shown));
}

void TestPlayerWindow::zoomAndFitKeepPictureReadable() {
    controller_->seekToIndex(90);
    expectShown(90);
    const QRectF fit = view_->videoRect();
    view_->zoomAt(1.5, fit.topLeft());   // the anchor stays put
    QRectF zoomed = view_->videoRect();
    QVERIFY(qAbs(zoomed.width() - fit.width() * 1.5) < 0.5);
    QVERIFY((zoomed.topLeft() - fit.topLeft()).manhattanLength() < 0.5);
    view_->zoomBy(1 / 1.5);
    QTest::keyClick(window_.get(), Qt::Key_0);   // fit to window
    QCOMPARE(view_->videoRect(), fit);
    QCOMPARE(readRenderedNumber(view_), 90);
}

void TestPlayerWindow::errorBannerThenRecovery() {
    // The good file was left at frame 90: reopening it later must resume there.
    const int64_t resumeAt = view_->displayedFrameIndex();
    QCOMPARE(resumeAt, int64_t(90));

    sl::gui::ErrorBanner* banner = window_->errorBanner();
    window_->openSource(QString::fromStdString(dir_->file("missing.mp4").string()));
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kTimeoutMs);
    QVERIFY2(banner->message().contains(QStringLiteral("missing.mp4")),
             qPrintable(banner->message()));
    saveScreenshot(QStringLiteral("error_banner"));

    const QString corrupt = QString::fromStdString(dir_->file("corrupt.mp4").string());
    {
        QFile f(corrupt);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(64 * 1024, '\x5a'));
    }
    window_->openSource(corrupt);
    QVERIFY(!banner->isVisible());   // a new open clears the old error
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), kTimeoutMs);
    QVERIFY2(banner->message().contains(QStringLiteral("corrupt.mp4")),
             qPrintable(banner->message()));
    // The window stays usable: keys do nothing harmful without a source.
    QTest::keyClick(window_.get(), Qt::Key_Period);
    QTest::keyClick(window_.get(), Qt::Key_Space);

    QSignalSpy opened(controller_, &sl::gui::EngineController::opened);
    window_->openSource(video_);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    QVERIFY(!banner->isVisible());
    expectShown(resumeAt);
    controller_->step(1);
    expectShown(resumeAt + 1);
}

// 320x240 stored with SAR 2:1 (DAR 8:3): the view's rectangle and the pixels actually rendered
// (the picture's extent in the grabbed framebuffer, told from the clear colour) have the display
// aspect ratio; the drawn frame number still reads back, also zoomed, and fit restores it.
void TestPlayerWindow::anamorphicVideoShownAtDisplayAspect() {
    sl::testing::VideoSpec spec;
    spec.path = dir_->file("anamorphic.mp4");
    spec.width = 320;
    spec.height = 240;
    spec.frames = 30;
    spec.fps = kFps;
    spec.sarNum = 2;
    spec.sarDen = 1;
    auto generated = sl::testing::generateVideo(spec);
    QVERIFY2(generated.hasValue(), generated.status().message().c_str());
    QSignalSpy opened(controller_, &sl::gui::EngineController::opened);
    window_->openSource(QString::fromStdString(generated->path.string()));
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, kTimeoutMs);
    controller_->seekToIndex(12);
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), int64_t(12), kTimeoutMs);
    const double dar = 640.0 / 240.0;
    const QRectF r = view_->videoRect();
    qInfo() << "anamorphic videoRect" << r << "view" << view_->size();
    QVERIFY2(qAbs(r.width() / r.height() - dar) < 0.01, "videoRect ignores the SAR");
    QCOMPARE(view_->pictureDisplaySize(), QSizeF(640, 240));
    QTRY_COMPARE(readRenderedNumber(view_), 12);

    // The rendered picture's extent: every pixel that is not the view's clear colour (black
    // cells render near 0, white cells near 255; the clear colour is (14, 15, 17)).
    const QImage img = view_->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    const double dpr = img.devicePixelRatio() > 0 ? img.devicePixelRatio() : 1.0;
    const QColor clear(14, 15, 17);
    int x0 = img.width(), x1 = -1, y0 = img.height(), y1 = -1;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) {
            const QRgb p = img.pixel(x, y);
            if (std::abs(qRed(p) - clear.red()) <= 4 && std::abs(qGreen(p) - clear.green()) <= 4 &&
                std::abs(qBlue(p) - clear.blue()) <= 4)
                continue;
            x0 = std::min(x0, x);
            x1 = std::max(x1, x);
            y0 = std::min(y0, y);
            y1 = std::max(y1, y);
        }
    QVERIFY(x1 > x0 && y1 > y0);
    const double renderedAspect = double(x1 - x0 + 1) / double(y1 - y0 + 1);
    qInfo() << "rendered picture" << (x1 - x0 + 1) << "x" << (y1 - y0 + 1) << "px, aspect"
            << renderedAspect << "(DAR" << dar << ")";
    QVERIFY2(qAbs(renderedAspect - dar) < 0.03, "the rendered picture is not at the DAR");
    QVERIFY(qAbs((x1 - x0 + 1) - r.width() * dpr) <= 2);
    QVERIFY(qAbs((y1 - y0 + 1) - r.height() * dpr) <= 2);

    // Zoom keeps the aspect; fit restores the rectangle; the number still reads.
    view_->zoomAt(1.25, r.center());
    const QRectF zoomed = view_->videoRect();
    QVERIFY(qAbs(zoomed.width() / zoomed.height() - dar) < 0.01);
    QTest::keyClick(window_.get(), Qt::Key_0);
    QCOMPARE(view_->videoRect(), r);
    controller_->step(1);
    QTRY_COMPARE_WITH_TIMEOUT(view_->displayedFrameIndex(), int64_t(13), kTimeoutMs);
    QCOMPARE(readRenderedNumber(view_), 13);
}

int main(int argc, char** argv) {
    sl::gui::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    sl::gui::applyDarkTheme(app);   // screenshots show what users see
    TestPlayerWindow test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_player_window.moc"
