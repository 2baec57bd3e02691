// bench_review: the review workstation's speed goals (issue 14), in the real window under Xvfb.
//
//   open      a project with --objects objects (default 1,000,000: 2,000 frames x 500 boxes, in
//             tracks of 100 frames, every box stored) over a 320x240 clip: openProject() to the
//             first frame painted with its boxes (goal <= 1 s); then every object loaded (the
//             pages read after the first frame) and the timeline strip's read
//   step      a generated 4K H.264 clip with --boxes tracks (default 300) drawn: one frame step
//             (. key) to the paint that shows it; shown frames per second (goal >= 30)
//   scrub     random frame-exact seeks on the same clip, to the paint that shows the frame
//   paint     update() of the 4K frame with its boxes to the buffer swap that presents it
//   edit      a box dragged with the mouse: the release to the paint that shows it moved (goal
//             <= 16 ms), and to the store's commit (its change applied to the layers)
//
// Warm-up, then --runs repetitions; medians (and p90 where the spread matters). No peer: CVAT
// and Label Studio are web applications with no Debian package to run beside it here.
//
// usage: bench_review [--objects N] [--boxes N] [--runs R]
// Needs an X display: Xvfb :71 -screen 0 1920x1080x24 -nolisten tcp & DISPLAY=:71 ./bench_review

#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "app/application.h"
#include "app/main_window.h"
#include "bench_util.h"
#include "controller/engine_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "review/review_session.h"
#include "review/timeline_strip.h"
#include "store/project_store.h"
#include "store/review_edits.h"
#include "support/video_generator.h"
#include "view/video_view.h"

namespace {

using sl::annotate::Object;
using sl::bench::fixed;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_review: %s\n", what.c_str());
    std::exit(1);
}

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5))];
}

template <class F>
bool waitFor(F done, int ms) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
    }
    return true;
}

std::string video(const sl::testing::TempDir& dir, const char* name, int w, int h, int frames) {
    sl::testing::VideoSpec spec;
    spec.path = dir.file(name);
    spec.width = w, spec.height = h, spec.frames = frames, spec.gopSize = 25;
    auto v = sl::testing::generateVideo(spec);
    if (!v) die("cannot generate " + spec.path.string() + ": " + v.status().message());
    return std::filesystem::absolute(v->path).string();
}

// FRAMES frames, PER_FRAME tracks on each, tracks 100 frames long, every box stored (a dense
// model run or MOT ground truth as imported): FRAMES x PER_FRAME objects.
int64_t makeProject(const std::string& path, const std::string& media, int w, int h,
                    int64_t frames, int perFrame) {
    std::filesystem::remove(path);
    auto p = sl::store::ProjectStore::create(path);
    if (!p) die(p.status().message());
    sl::annotate::MediaInfo m;
    m.path = media;
    m.width = w, m.height = h, m.frameCount = frames;
    auto mediaId = (*p)->addMedia(m);
    if (!mediaId) die(mediaId.status().message());
    sl::annotate::AnnotationSet s;
    s.name = "truth";
    s.kind = sl::annotate::SetKind::GroundTruth;
    s.labels = {"person", "car"};
    const float bw = float(w) / 25, bh = float(h) / 20;
    for (int64_t f = 0; f < frames; ++f)
        for (int i = 0; i < perFrame; ++i) {
            Object o;
            o.trackId = (f / 100) * perFrame + i + 1;
            o.label = i % 3 ? "person" : "car";
            const float x = float((i * 37) % 24) * bw + float(f % 100) * 0.2f;
            const float y = float((i / 24) % 19) * bh;
            o.box = {x, y, x + bw * 0.8f, y + bh * 0.8f};
            o.frame = f;
            s.objects.push_back(o);
        }
    auto id = (*p)->importSet(*mediaId, s);
    if (!id) die(id.status().message());
    return *id;
}

}  // namespace

int main(int argc, char** argv) {
    int64_t objects = 1'000'000;
    int boxes = 300, runs = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) die("missing value after " + a);
            return argv[++i];
        };
        if (a == "--objects") objects = std::stoll(next());
        else if (a == "--boxes") boxes = std::stoi(next());
        else if (a == "--runs") runs = std::stoi(next());
        else die("usage: bench_review [--objects N] [--boxes N] [--runs R]");
    }
    if (!std::getenv("DISPLAY")) die("needs an X display (Xvfb)");
    sl::gui::setDefaultSurfaceFormat();
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("SightlineBench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_review"));
    QSettings().clear();
    sl::testing::TempDir dir("bench-review");

    std::fprintf(stderr, "generating clips (320x240 x 2000, 3840x2160 x 60)...\n");
    constexpr int64_t kSmallFrames = 2000;
    const int perFrame = int(std::max<int64_t>(1, objects / kSmallFrames));
    const std::string small = video(dir, "small.mp4", 320, 240, int(kSmallFrames));
    const std::string uhd = video(dir, "uhd.mp4", 3840, 2160, 60);
    const std::string bigProject = dir.file("million.slproj").string();
    const std::string uhdProject = dir.file("uhd.slproj").string();
    std::fprintf(stderr, "writing the projects...\n");
    makeProject(bigProject, small, 320, 240, kSmallFrames, perFrame);
    const int64_t uhdSet = makeProject(uhdProject, uhd, 3840, 2160, 60, boxes);

    sl::gui::MainWindow window;
    window.setAutoPlay(false);
    window.setResumePositions(false);
    window.resize(1600, 1000);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window)) die("the window was not exposed");
    auto* view = window.videoView();
    auto* session = window.reviewSession();
    auto* controller = window.controller();
    int swaps = 0;
    QObject::connect(view, &QOpenGLWidget::frameSwapped, [&] { ++swaps; });
    const auto openMedia = [&](const std::string& path) {
        controller->seekToIndex(0);
        window.openSource(QString::fromStdString(path));
        if (!waitFor([&] { return view->displayedFrameIndex() == 0; }, 60000))
            die("cannot show " + path);
    };

    // ---- open: a project with `objects` objects to its first frame with boxes ----
    std::vector<double> openMs, allMs, stripMs;
    int64_t bigObjects = 0;
    openMedia(small);
    for (int r = 0; r < runs + 1; ++r) {
        window.project()->close();
        waitFor([&] { return !session->ready(); }, 5000);
        QApplication::processEvents();
        QElapsedTimer t;
        t.start();
        window.openProject(QString::fromStdString(bigProject), false);
        if (!waitFor([&] { return session->ready(); }, 120000)) die("layers not loaded");
        const int before = swaps;
        view->update();
        waitFor([&] { return swaps > before; }, 10000);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        const size_t shown = session->objectsAt(0).size();
        if (!waitFor([&] { return session->complete(); }, 120000)) die("objects not all loaded");
        const double all = double(t.nsecsElapsed()) / 1e6;
        waitFor([&] { return !window.timeline()->busy(); }, 120000);
        const double strip = double(t.nsecsElapsed()) / 1e6;
        if (r > 0)   // the first is warm-up
            openMs.push_back(ms), allMs.push_back(all), stripMs.push_back(strip);
        bigObjects = session->objectCount();
        std::fprintf(stderr, "  open run %d: %.0f ms to the first frame with %zu boxes, %.0f ms "
                             "to every object, %.0f ms to the timeline, %lld objects\n",
                     r, ms, shown, all, strip, (long long)session->objectCount());
    }

    // ---- step / scrub / paint / edit on 4K with `boxes` tracks ----
    window.project()->close();
    openMedia(uhd);
    window.openProject(QString::fromStdString(uhdProject), false);
    if (!waitFor([&] { return session->ready(); }, 60000)) die("4K layers not loaded");
    const size_t drawn = session->objectsAt(0).size();
    const auto fitAndWait = [&] {
        view->fitToWindow();
        QApplication::processEvents();
    };
    std::vector<double> stepMs, stepColdMs, scrubMs, paintMs, bareMs, editMs, commitMs;
    for (int r = 0; r < runs; ++r) {
        // Stepping as a reviewer does: a step, a look (100 ms), the next step. Twice: without
        // the player's paused read-ahead (each step decodes its frame) and with it (the default).
        for (const int ahead : {0, 2}) {
            controller->setPausedReadAhead(ahead);
            controller->seekToIndex(0);
            waitFor([&] { return view->displayedFrameIndex() == 0; }, 30000);
            controller->clearFrameCache();   // every step decodes or reads ahead its frame
            for (int64_t f = 1; f < 50; ++f) {
                QTest::qWait(100);
                QElapsedTimer t;
                t.start();
                controller->step(1);
                if (!waitFor([&] { return view->displayedFrameIndex() == f; }, 30000))
                    die("step did not show frame " + std::to_string(f));
                (ahead == 0 ? stepColdMs : stepMs).push_back(double(t.nsecsElapsed()) / 1e6);
            }
        }
        std::mt19937 rng(7 + r);
        for (int i = 0; i < 20; ++i) {
            int64_t f = int64_t(rng() % 60);
            if (f == view->displayedFrameIndex()) f = (f + 7) % 60;
            QElapsedTimer t;
            t.start();
            controller->seekToIndex(f);
            if (!waitFor([&] { return view->displayedFrameIndex() == f; }, 30000))
                die("seek did not show frame " + std::to_string(f));
            scrubMs.push_back(double(t.nsecsElapsed()) / 1e6);
        }
        // update() to the buffer swap that presents it, 20 times.
        const auto timePaints = [&](std::vector<double>& into) {
            for (int i = 0; i < 20; ++i) {
                const int before = swaps;
                QElapsedTimer t;
                t.start();
                view->update();
                waitFor([&] { return swaps > before; }, 10000);
                into.push_back(double(t.nsecsElapsed()) / 1e6);
            }
        };
        timePaints(paintMs);
        // The same without the boxes: what the overlay costs.
        for (const auto& l : session->layers()) session->setLayerVisible(l.set.id, false);
        timePaints(bareMs);
        for (const auto& l : session->layers()) session->setLayerVisible(l.set.id, true);
        // Edits as a reviewer makes them: track 1's box at the shown frame dragged 12 px right
        // with the mouse; from the release to the paint that shows it moved, and to the store's
        // commit.
        fitAndWait();
        const int64_t frame = view->displayedFrameIndex();
        for (int i = 0; i < 10; ++i) {
            auto now = session->trackObjectAt(uhdSet, 1, frame);
            if (!now) die("track 1 is not on frame " + std::to_string(frame));
            const sl::gui::SourceTransform tr = view->sourceTransform();
            const QPoint in = tr.toWidget({(now->box.x1 + now->box.x2) / 2,
                                           (now->box.y1 + now->box.y2) / 2})
                                  .toPoint();
            QTest::mousePress(view, Qt::LeftButton, {}, in);
            QTest::mouseMove(view, in + QPoint(6, 0));
            QTest::mouseMove(view, in + QPoint(12, 0));
            int changed = 0;
            auto c = QObject::connect(session, &sl::gui::ReviewSession::objectsChanged,
                                      [&] { ++changed; });
            const int before = swaps;
            QElapsedTimer t;
            t.start();
            QTest::mouseRelease(view, Qt::LeftButton, {}, in + QPoint(12, 0));
            waitFor([&] { return swaps > before; }, 10000);
            editMs.push_back(double(t.nsecsElapsed()) / 1e6);
            if (!waitFor([&] { return changed > 0; }, 30000)) die("edit not applied");
            commitMs.push_back(double(t.nsecsElapsed()) / 1e6);
            waitFor([&] { return !window.review()->busy(); }, 30000);
            QObject::disconnect(c);
        }
    }

    const double stepMedian = percentile(stepMs, 0.5);
    std::printf("\nbench_review (%d runs; a project of %lld objects; 4K with %zu boxes drawn)\n",
                runs, (long long)bigObjects, drawn);
    std::printf("%-44s %10s %10s   %s\n", "", "median", "p90", "goal");
    std::printf("%-44s %10s %10s   %s\n", "open the big project -> first frame (ms)",
                fixed(percentile(openMs, 0.5), 0).c_str(), fixed(percentile(openMs, 0.9), 0).c_str(),
                "<= 1000");
    std::printf("%-44s %10s %10s\n", "  ... -> every object loaded (ms)",
                fixed(percentile(allMs, 0.5), 0).c_str(), fixed(percentile(allMs, 0.9), 0).c_str());
    std::printf("%-44s %10s %10s\n", "  ... -> timeline strip read (ms)",
                fixed(percentile(stripMs, 0.5), 0).c_str(), fixed(percentile(stripMs, 0.9), 0).c_str());
    std::printf("%-44s %10s %10s   %s\n", "4K step -> shown, no read-ahead (ms)",
                fixed(percentile(stepColdMs, 0.5), 1).c_str(),
                fixed(percentile(stepColdMs, 0.9), 1).c_str(), "");
    std::printf("%-44s %10s %10s   %s\n", "4K step -> shown (ms)", fixed(stepMedian, 1).c_str(),
                fixed(percentile(stepMs, 0.9), 1).c_str(),
                ("x" + fixed(percentile(stepColdMs, 0.5) / stepMedian, 2) + " faster").c_str());
    std::printf("%-44s %10s %10s   %s\n", "4K stepping, shown frames/s",
                fixed(1000.0 / stepMedian, 1).c_str(), "", ">= 30");
    std::printf("%-44s %10s %10s   %s\n", "4K random seek -> shown (ms)",
                fixed(percentile(scrubMs, 0.5), 1).c_str(), fixed(percentile(scrubMs, 0.9), 1).c_str(),
                "");
    std::printf("%-44s %10s %10s\n", "4K update() -> presented, with boxes (ms)",
                fixed(percentile(paintMs, 0.5), 1).c_str(), fixed(percentile(paintMs, 0.9), 1).c_str());
    std::printf("%-44s %10s %10s\n", "4K update() -> presented, no boxes (ms)",
                fixed(percentile(bareMs, 0.5), 1).c_str(), fixed(percentile(bareMs, 0.9), 1).c_str());
    std::printf("%-44s %10s %10s\n", "mouse release -> edit committed (ms)",
                fixed(percentile(commitMs, 0.5), 1).c_str(), fixed(percentile(commitMs, 0.9), 1).c_str());
    std::printf("%-44s %10s %10s   %s\n", "mouse release -> edit visible (ms)",
                fixed(percentile(editMs, 0.5), 1).c_str(), fixed(percentile(editMs, 0.9), 1).c_str(),
                "<= 16");
    window.close();
    return 0;
}
