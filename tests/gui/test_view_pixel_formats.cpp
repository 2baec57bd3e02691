// The video view draws every native pixel format as it is (no squeeze to 4:2:0): one generated
// picture (FFmpeg's testsrc2: colour bars with sharp chroma edges, gradients, text) is stored in
// several formats by the ffmpeg CLI, each is opened in the workstation, and the framebuffer read
// back at 1:1 must equal FFmpeg's RGB of the same decoded frame (support/ffmpeg_rgb.h: the
// frame's matrix, range and chroma siting) within kMaxDiff per channel and kMaxMean on average.
// Runs through the FrameBridge (the default) and, in a child process without OpenCL, through
// the view's own upload path. The size is even: for an odd one swscale stretches the chroma
// plane over the luma width (81 samples over 161 pixels, moving chroma by up to half a sample at
// the right edge) instead of siting it, which is its approximation, not the formats' geometry.
//
// The tolerance: the shader converts in float with GL's bilinear weights (8-bit sub-texel
// precision on llvmpipe) and the framebuffer rounds; swscale works in fixed point (measured:
// max 3, mean 0.14 for yuv420p, 0 for packed RGB). A chroma siting off by half a luma pixel
// moves the bars' colour edges far beyond it (measured: Centre instead of the frame's Left
// siting on yuv420p gives max 113, mean 2.8); a wrong matrix, range or bit depth shifts every
// pixel.

#include <QApplication>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>

#include "app/application.h"
#include "app/main_window.h"
#include "controller/engine_controller.h"
#include "media/media_source.h"
#include "support/ffmpeg_rgb.h"
#include "support/video_generator.h"
#include "view/frame_bridge_host.h"
#include "view/video_view.h"

using sl::gui::FrameBridgeHost;
using sl::gui::MainWindow;

namespace {

constexpr int kTimeoutMs = 20000;
constexpr int kWidth = 160;
constexpr int kHeight = 120;
constexpr int kMaxDiff = 3;        // code values, any channel of any pixel
constexpr double kMaxMean = 0.5;   // mean absolute difference over all channels

// The formats of the four shader layouts, 8 and 10 bit, every subsampling, both RGB orders.
const char* const kFormats[] = {"yuv420p", "nv12",        "yuv422p", "yuv440p",  "yuv444p",
                                "yuv420p10le", "yuv444p10le", "gray",    "gray10le", "bgr24",
                                "rgba"};

struct Diff {
    int max = 0;
    double mean = 0;
};

}  // namespace

class TestViewPixelFormats : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void bridgeDrawsEveryFormat();
    void displayOnlyDrawsEveryFormat();

private:
    void drawEveryFormat(FrameBridgeHost::Mode expected);
    // Opens `file`, waits for its first frame and compares the view with FFmpeg's RGB of it.
    Diff showAndCompare(const QString& file, const std::string& what);

    std::unique_ptr<sl::testing::TempDir> dir_;
    std::unique_ptr<MainWindow> window_;
    sl::gui::VideoView* view_ = nullptr;
};

void TestViewPixelFormats::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineTests"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_test_view_pixel_formats"));
    QSettings().clear();
    dir_ = std::make_unique<sl::testing::TempDir>("gui-pixfmt");
    const std::string png = dir_->file("source.png").string();
    const std::string make = "ffmpeg -v error -y -f lavfi -i testsrc2=size=" +
                             std::to_string(kWidth) + "x" + std::to_string(kHeight) +
                             ":rate=1 -frames:v 1 '" + png + "'";
    QVERIFY2(std::system(make.c_str()) == 0, make.c_str());
    for (const char* fmt : kFormats) {
        const std::string out = dir_->file(std::string(fmt) + ".nut").string();
        const std::string cmd = "ffmpeg -v error -y -i '" + png + "' -pix_fmt " + fmt +
                                " -c:v rawvideo -f nut '" + out + "'";
        QVERIFY2(std::system(cmd.c_str()) == 0, cmd.c_str());
    }

    window_ = std::make_unique<MainWindow>();
    window_->setAutoPlay(false);
    window_->setResumePositions(false);
    window_->resize(900, 600);
    view_ = window_->videoView();
    // 1:1: the picture fills the view exactly, so texel centres land on pixel centres and the
    // framebuffer holds the shader's conversion unresampled.
    view_->setFixedSize(kWidth, kHeight);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
}

void TestViewPixelFormats::cleanupTestCase() {
    window_.reset();
    QSettings().clear();
}

Diff TestViewPixelFormats::showAndCompare(const QString& file, const std::string& what) {
    QSignalSpy shown(view_, &sl::gui::VideoView::frameDisplayed);
    QSignalSpy opened(window_->controller(), &sl::gui::EngineController::opened);
    window_->openSource(file);
    if (!QTest::qWaitFor([&] { return opened.count() > 0 && shown.count() > 0; }, kTimeoutMs)) {
        QTest::qFail(("no picture for " + what).c_str(), __FILE__, __LINE__);
        return {255, 255};
    }
    sl::media::MediaSource src;
    sl::media::OpenOptions open;
    open.url = file.toStdString();
    const sl::Status st = src.open(open);
    auto frame = st ? src.readFrame() : sl::Expected<sl::media::VideoFrame>(st);
    if (!frame) {
        QTest::qFail((what + ": " + frame.status().message()).c_str(), __FILE__, __LINE__);
        return {255, 255};
    }
    // The decoder delivers the format itself, so the view is handed it too.
    if (std::string(sl::media::pixelFormatName(frame->format())) != what.substr(0, what.find(' ')))
        QTest::qFail((what + ": decoded as " + sl::media::pixelFormatName(frame->format())).c_str(),
                     __FILE__, __LINE__);
    sl::media::AvFramePtr rgb = sl::testing::ffmpegRgb24(*frame);
    if (!rgb) {
        QTest::qFail((what + ": swscale failed").c_str(), __FILE__, __LINE__);
        return {255, 255};
    }
    const QRectF r = view_->videoRect();
    if (r != QRectF(0, 0, kWidth, kHeight)) {
        const std::string at = std::to_string(r.x()) + "," + std::to_string(r.y()) + " " +
                               std::to_string(r.width()) + "x" + std::to_string(r.height()) +
                               " in " + std::to_string(view_->width()) + "x" +
                               std::to_string(view_->height());
        QTest::qFail((what + ": the picture is not drawn 1:1 but at " + at).c_str(), __FILE__,
                     __LINE__);
    }
    const QImage image = view_->grabFramebuffer().convertToFormat(QImage::Format_RGB32);
    if (image.width() != kWidth || image.height() != kHeight) {
        QTest::qFail((what + ": framebuffer of another size").c_str(), __FILE__, __LINE__);
        return {255, 255};
    }
    Diff d;
    double sum = 0;
    for (int y = 0; y < kHeight; ++y) {
        const uint8_t* row = rgb->data[0] + ptrdiff_t(y) * rgb->linesize[0];
        for (int x = 0; x < kWidth; ++x) {
            const QRgb p = image.pixel(x, y);
            const int got[3] = {qRed(p), qGreen(p), qBlue(p)};
            for (int c = 0; c < 3; ++c) {
                const int e = std::abs(got[c] - int(row[x * 3 + c]));
                d.max = std::max(d.max, e);
                sum += e;
            }
        }
    }
    d.mean = sum / (3.0 * kWidth * kHeight);
    if (d.max > kMaxDiff || d.mean > kMaxMean)
        image.save(QString::fromStdString(dir_->file(what.substr(0, what.find(' ')) + ".png")
                                               .string()));
    return d;
}

void TestViewPixelFormats::drawEveryFormat(FrameBridgeHost::Mode expected) {
    for (const char* fmt : kFormats) {
        const std::string what = std::string(fmt) + " via " +
                                 (expected == FrameBridgeHost::Mode::Bridge ? "bridge"
                                                                             : "upload");
        const Diff d =
            showAndCompare(QString::fromStdString(dir_->file(std::string(fmt) + ".nut").string()),
                           what);
        QCOMPARE(view_->bridge().mode(), expected);
        qInfo("%s: max diff %d, mean %.3f", what.c_str(), d.max, d.mean);
        QVERIFY2(d.max <= kMaxDiff, (what + ": max diff " + std::to_string(d.max)).c_str());
        QVERIFY2(d.mean <= kMaxMean, (what + ": mean diff " + std::to_string(d.mean)).c_str());
    }
}

void TestViewPixelFormats::bridgeDrawsEveryFormat() {
    if (qEnvironmentVariableIsSet("SL_TEST_NO_OPENCL_CHILD")) QSKIP("the child runs the upload");
    drawEveryFormat(FrameBridgeHost::Mode::Bridge);
}

// Without any OpenCL platform the view uploads frames itself. The ICD loader reads its vendor
// list once per process, so this runs the test binary again with an empty OCL_ICD_VENDORS
// folder (as test_bridge_strategies does), where this same function checks every format.
void TestViewPixelFormats::displayOnlyDrawsEveryFormat() {
    if (qEnvironmentVariableIsSet("SL_TEST_NO_OPENCL_CHILD")) {
        drawEveryFormat(FrameBridgeHost::Mode::DisplayOnly);
        return;
    }
    QTemporaryDir noVendors;
    QVERIFY(noVendors.isValid());
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("OCL_ICD_VENDORS"), noVendors.path());
    env.insert(QStringLiteral("SL_TEST_NO_OPENCL_CHILD"), QStringLiteral("1"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("displayOnlyDrawsEveryFormat")});
    QVERIFY(child.waitForFinished(120000));
    const QString out = QString::fromLocal8Bit(child.readAll());
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0,
             qPrintable(out));
    const QString pass =
        QStringLiteral("PASS   : TestViewPixelFormats::displayOnlyDrawsEveryFormat");
    QVERIFY2(out.contains(pass), qPrintable(out));
    for (const QString& line : out.split('\n'))
        if (line.contains(QStringLiteral("via upload")))
            qInfo().noquote() << "child:" << line.mid(line.indexOf(QStringLiteral("() ")) + 3);
}

int main(int argc, char** argv) {
    sl::gui::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    TestViewPixelFormats test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_view_pixel_formats.moc"
