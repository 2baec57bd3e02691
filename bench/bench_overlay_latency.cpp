// bench_overlay_latency: the workstation's live-detection latency, end to end, in the real window.
// A MainWindow plays the demo video (vtest.avi, ~/.cache/sightline; packaging/fetch-demo.sh) at
// --speed for --seconds per run, alternating detection off and on (warm-up first, then --runs of
// each, side by side in the same process), and prints:
//   - decode-to-display latency (detection off): from the decoder thread's completion of a frame
//     (VideoFrame::decodedAt) to the paint that first shows it;
//   - decode-to-overlay latency (detection on): from the same start to the first paint that shows
//     that frame's boxes (frames whose inference was dropped have no sample);
//   - display fps (new frames painted per second) both ways,
// each as the median over runs of the per-run median / p90, and the ratios on / off.
//
// usage: bench_overlay_latency [--video FILE] [--seconds S] [--runs N] [--speed X]
// Needs an X display for Qt's OpenGL (as the GUI tests): run under Xvfb, e.g.
//   Xvfb :71 -screen 0 1600x1000x24 -nolisten tcp &  DISPLAY=:71 ./bench_overlay_latency

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "app/application.h"
#include "app/main_window.h"
#include "bench_util.h"
#include "controller/detection_controller.h"
#include "controller/engine_controller.h"
#include "view/video_view.h"

namespace {

using sl::bench::fixed;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_overlay_latency: %s\n", what.c_str());
    std::exit(1);
}

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
    return v[i];
}

struct Run {
    double medianMs = 0;   // decode-to-display (off) or decode-to-overlay (on)
    double p90Ms = 0;
    size_t samples = 0;
    double displayFps = 0;
    double displayMedianMs = 0;   // decode-to-display in this run (also with detection on)
    int64_t processed = 0;
    int64_t dropped = 0;
    double handoffMsPerCall = 0;   // GUI-thread time per inference hand-off call (lend/return)
    double handoffMsPerSecond = 0;  // hand-off ms per second of playback (GUI time lost)
};

// Waits up to `ms` for `done`, processing events.
template <class Pred>
bool waitFor(Pred done, int ms) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms) return false;
        QTest::qWait(10);
    }
    return true;
}

class Bench {
public:
    Bench(sl::gui::MainWindow& w, double seconds, double speed, int64_t frameCount)
        : w_(w), seconds_(seconds), speed_(speed), frameCount_(frameCount) {}

    Run run(bool detection) {
        auto* view = w_.videoView();
        auto* ctl = w_.controller();
        auto* det = w_.detection();
        if (det->isEnabled() != detection) w_.inferenceAction()->trigger();
        if (detection && !waitFor([&] { return det->isReady() && !det->isLoading(); }, 120000))
            die("the detector did not load within 120 s");
        det->clearResults();   // every frame needs inference again (no stored boxes)
        // Start where the whole run fits before the end.
        const int64_t span = int64_t(seconds_ * speed_ * 10.0 * 1.3) + 10;   // vtest: 10 fps
        const int64_t start = std::max<int64_t>(0, std::min<int64_t>(50, frameCount_ - span));
        ctl->seekToIndex(start);
        if (!waitFor([&] { return view->displayedFrameIndex() == start; }, 30000))
            die("seek to " + std::to_string(start) + " did not show");
        QTest::qWait(300);   // let the seek's inference finish
        const size_t latBefore = det->latencySamplesMs().size();
        const size_t dispBefore = view->displayLatencySamplesMs().size();
        QSignalSpy painted(view, &sl::gui::VideoView::frameDisplayed);   // new frames drawn
        const auto statsBefore = det->stats();
        const double handoffBefore = view->bridge().handoffMs();
        const int64_t handoffCallsBefore = view->bridge().handoffCalls();
        ctl->setSpeed(speed_);
        QElapsedTimer t;
        t.start();
        ctl->play();
        QTest::qWait(int(seconds_ * 1000));
        ctl->pause();
        const double elapsed = double(t.elapsed()) / 1000.0;
        const int paintedInRun = int(painted.count());
        const double handoff = view->bridge().handoffMs() - handoffBefore;
        const int64_t handoffCalls = view->bridge().handoffCalls() - handoffCallsBefore;
        QTest::qWait(400);   // results of the last frames land
        ctl->setSpeed(1.0);

        auto tail = [](const std::vector<double>& all, size_t before) {
            // The sample buffers are bounded (2000): a run never fills them, but be exact.
            return before <= all.size() ? std::vector<double>(all.begin() + ptrdiff_t(before),
                                                              all.end())
                                        : all;
        };
        const std::vector<double> display = tail(view->displayLatencySamplesMs(), dispBefore);
        const std::vector<double> overlay = tail(det->latencySamplesMs(), latBefore);
        const std::vector<double>& main = detection ? overlay : display;
        Run r;
        r.medianMs = percentile(main, 0.5);
        r.p90Ms = percentile(main, 0.9);
        r.samples = main.size();
        r.displayMedianMs = percentile(display, 0.5);
        r.displayFps = double(paintedInRun) / elapsed;
        r.handoffMsPerCall = handoffCalls > 0 ? handoff / double(handoffCalls) : 0;
        r.handoffMsPerSecond = handoff / elapsed;
        const auto statsAfter = det->stats();
        r.processed = statsAfter.processed - statsBefore.processed;
        r.dropped = statsAfter.dropped - statsBefore.dropped;
        return r;
    }

private:
    sl::gui::MainWindow& w_;
    double seconds_;
    double speed_;
    int64_t frameCount_;
};

double medianOf(const std::vector<Run>& runs, double Run::*field) {
    std::vector<double> v;
    for (const Run& r : runs) v.push_back(r.*field);
    return sl::bench::summarize(v).median;
}

// The latency fields over the runs that have samples (at high speed most inferred frames are
// replaced before their boxes arrive, so a run may have none); -1 when no run has any.
double latencyMedianOf(const std::vector<Run>& runs, double Run::*field) {
    std::vector<double> v;
    for (const Run& r : runs)
        if (r.samples > 0) v.push_back(r.*field);
    return v.empty() ? -1 : sl::bench::summarize(v).median;
}

std::string msOrDash(double v) { return v < 0 ? "-" : fixed(v, 1); }

}  // namespace

int main(int argc, char** argv) {
    QString video = QDir::homePath() + QStringLiteral("/.cache/sightline/vtest.avi");
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
        video = QString::fromLocal8Bit(x) + QStringLiteral("/sightline/vtest.avi");
    double seconds = 6;
    int runs = 3;
    double speed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) die("missing value after " + a);
            return argv[++i];
        };
        if (a == "--video") video = QString::fromStdString(next());
        else if (a == "--seconds") seconds = std::atof(next().c_str());
        else if (a == "--runs") runs = std::atoi(next().c_str());
        else if (a == "--speed") speed = std::atof(next().c_str());
        else die("unknown argument '" + a + "' (--video FILE --seconds S --runs N --speed X)");
    }
    if (seconds <= 0 || runs < 1 || speed <= 0) die("--seconds, --runs and --speed must be > 0");
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        die("needs an X display for Qt's OpenGL (DISPLAY is unset): run it under Xvfb, e.g. "
            "'Xvfb :71 -screen 0 1600x1000x24 -nolisten tcp & DISPLAY=:71 " +
            std::string(argv[0]) + "'");
    if (!QFileInfo::exists(video))
        die("missing video '" + video.toStdString() + "': run packaging/fetch-demo.sh");

    sl::gui::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    // Never touch the user's settings (bridge choice, resume positions, detection state).
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineBench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_overlay_latency"));
    QSettings().clear();

    sl::gui::MainWindow window;
    window.setAutoPlay(false);
    window.setResumePositions(false);
    window.resize(1200, 700);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) die("the window was not exposed");
    QSignalSpy opened(window.controller(), &sl::gui::EngineController::opened);
    window.openSource(video);
    if (!waitFor([&] { return opened.count() == 1; }, 30000))
        die("cannot open '" + video.toStdString() + "'");
    const auto summary = opened.first().first().value<sl::gui::MediaSummary>();
    if (!waitFor([&] { return window.videoView()->displayedFrameIndex() >= 0; }, 30000))
        die("no first frame");

    std::printf("bench_overlay_latency: %s, %lld frames, %s, %.1fx for %.1f s per run, %d runs "
                "each way (+1 warm-up)\n",
                video.toStdString().c_str(), static_cast<long long>(summary.frameCount),
                window.videoView()->bridge().summary().toStdString().c_str(), speed, seconds,
                runs);
    Bench bench(window, seconds, speed, summary.frameCount);
    bench.run(false);   // warm-up: caches, GL, the bridge
    bench.run(true);    // warm-up: model load and kernel builds
    std::vector<Run> off, on;
    for (int i = 0; i < runs; ++i) {   // interleaved, so machine load hits both alike
        off.push_back(bench.run(false));
        on.push_back(bench.run(true));
        const Run& a = off.back();
        const Run& b = on.back();
        std::printf("  run %d: off display %s fps, decode->display median %s ms p90 %s ms (%zu) | "
                    "on display %s fps, decode->overlay median %s ms p90 %s ms (%zu), "
                    "decode->display %s ms, processed %lld dropped %lld, GUI hand-off %s ms/call "
                    "(%s ms/s)\n",
                    i + 1, fixed(a.displayFps, 1).c_str(), fixed(a.medianMs, 1).c_str(),
                    fixed(a.p90Ms, 1).c_str(), a.samples, fixed(b.displayFps, 1).c_str(),
                    fixed(b.medianMs, 1).c_str(), fixed(b.p90Ms, 1).c_str(), b.samples,
                    fixed(b.displayMedianMs, 1).c_str(), static_cast<long long>(b.processed),
                    static_cast<long long>(b.dropped), fixed(b.handoffMsPerCall, 2).c_str(),
                    fixed(b.handoffMsPerSecond, 1).c_str());
    }
    const double offMed = latencyMedianOf(off, &Run::medianMs);
    const double offP90 = latencyMedianOf(off, &Run::p90Ms);
    const double onMed = latencyMedianOf(on, &Run::medianMs);
    const double onP90 = latencyMedianOf(on, &Run::p90Ms);
    const double offFps = medianOf(off, &Run::displayFps), onFps = medianOf(on, &Run::displayFps);
    std::printf("inference hand-off on the GUI thread (detection on): %s ms per call, %s ms per "
                "second of playback (median over runs)\n",
                fixed(medianOf(on, &Run::handoffMsPerCall), 2).c_str(),
                fixed(medianOf(on, &Run::handoffMsPerSecond), 1).c_str());
    const std::vector<int> widths{34, 12, 12, 12};
    sl::bench::printRow({"median over runs", "median ms", "p90 ms", "display fps"}, widths);
    sl::bench::printRow({"decode->display (detection off)", msOrDash(offMed), msOrDash(offP90),
                         fixed(offFps, 1)},
                        widths);
    sl::bench::printRow({"decode->overlay (detection on)", msOrDash(onMed), msOrDash(onP90),
                         fixed(onFps, 1)},
                        widths);
    sl::bench::printRow({"ratio on / off", offMed > 0 && onMed > 0 ? fixed(onMed / offMed, 2) : "-",
                         offP90 > 0 && onP90 > 0 ? fixed(onP90 / offP90, 2) : "-",
                         offFps > 0 ? fixed(onFps / offFps, 2) : "-"},
                        widths);
    const sl::media::PlayerStats ps = window.controller()->stats();
    std::printf("decoder: %lld zero-copy (slot) frames, %lld copied; view: %s\n",
                static_cast<long long>(ps.slotFrames), static_cast<long long>(ps.copiedFrames),
                window.videoView()->bridge().summary().toStdString().c_str());
    window.controller()->close();
    return 0;
}
