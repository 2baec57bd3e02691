// `analyze --track` against `analyze` alone on the demo video, in the same run: the cost of
// ByteTrack plus the analytics of 10 zones and 10 lines (pipeline::trackResults over the stored
// frames, as the verb does), printed as a ratio of medians. Each round runs both, alternating
// which goes first, so a swing in the machine's speed hits both. Goal: at most 2% slower.
//
// usage: bench_analyze_track [--video PATH] [--model PATH] [--frames N (0 = all)] [--runs N]

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench_util.h"
#include "media/media_source.h"
#include "pipeline/analyze_runner.h"
#include "pipeline/track_analysis.h"

namespace fs = std::filesystem;
using namespace sl;

namespace {

fs::path defaultVideo() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(home ? home : ".") / ".cache";
    return cache / "sightline" / "vtest.avi";
}

// 10 zones (a 5 x 2 grid of rectangles) and 10 lines (5 horizontal, 5 vertical) over 768 x 576.
analytics::Scene tenAndTen() {
    analytics::Scene s;
    for (int i = 0; i < 10; ++i) {
        const double x = (i % 5) * 153.6, y = (i / 5) * 288.0;
        analytics::Zone z;
        z.name = "zone" + std::to_string(i);
        z.polygon = {{x, y}, {x + 153.6, y}, {x + 153.6, y + 288}, {x, y + 288}};
        s.zones.push_back(z);
        analytics::Line l;
        l.name = "line" + std::to_string(i);
        if (i < 5) l.a = {0, 96.0 * (i + 1)}, l.b = {768, 96.0 * (i + 1)};
        else l.a = {128.0 * (i - 4), 0}, l.b = {128.0 * (i - 4), 576};
        s.lines.push_back(l);
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    fs::path video = defaultVideo();
    fs::path model = fs::path(SL_SOURCE_DIR).parent_path() / "shared" / "models" / "yolox_nano.onnx";
    int64_t frames = 0;
    int runs = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool v = i + 1 < argc;
        if (a == "--video" && v) video = argv[++i];
        else if (a == "--model" && v) model = argv[++i];
        else if (a == "--frames" && v) frames = std::atoll(argv[++i]);
        else if (a == "--runs" && v) runs = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_analyze_track [--video PATH] [--model PATH] "
                                 "[--frames N] [--runs N]\n");
            return 2;
        }
    }
    pipeline::DetectorOptions options;
    options.settings.confidence = 0.1f;   // what analyze --track runs the detector at
    auto det = pipeline::Detector::load(model.string(), options);
    if (!det) return std::fprintf(stderr, "%s\n", det.status().message().c_str()), 1;
    auto sibling = (*det)->createSibling();
    if (!sibling) return std::fprintf(stderr, "%s\n", sibling.status().message().c_str()), 1;
    std::vector<pipeline::Detector*> detectors = {det->get(), sibling->get()};
    const analytics::Scene scene = tenAndTen();
    std::vector<double> plain, tracked, trackMs;
    auto once = [&](bool track) -> int {
        bench::Timer t;
        pipeline::ResultsStore store;
        pipeline::AnalyzeOptions o;
        o.input = video.string();
        o.maxFrames = frames > 0 ? frames : -1;
        auto s = pipeline::runAnalyze(o, std::span(detectors), store);
        if (!s) return std::fprintf(stderr, "%s\n", s.status().message().c_str()), 1;
        if (track) {
            bench::Timer tt;
            pipeline::TrackAnalysis analysis({}, scene);
            const auto summary = pipeline::trackResults(store, analysis);
            trackMs.push_back(tt.ms());
            std::printf("  --track: %lld tracks, %lld events, tracking + analytics %.1f ms\n",
                        (long long)summary.tracks, (long long)summary.events, tt.ms());
        }
        (track ? tracked : plain).push_back(t.seconds());
        std::printf("  %s: %lld frames in %.2f s\n", track ? "analyze --track" : "analyze",
                    (long long)s->framesAnalysed, t.seconds());
        return 0;
    };
    if (once(false) || once(true)) return 1;   // warm-up round (kernel builds), not counted
    plain.clear(), tracked.clear(), trackMs.clear();
    for (int r = 0; r < runs; ++r) {
        const bool trackFirst = r % 2 == 1;
        if (once(trackFirst) || once(!trackFirst)) return 1;
    }
    const double p = bench::summarize(plain).median, t = bench::summarize(tracked).median;
    std::printf("analyze: median %.3f s; analyze --track (10 zones, 10 lines): median %.3f s; "
                "tracking + analytics median %.1f ms\n",
                p, t, bench::summarize(trackMs).median);
    std::printf("ratio --track / plain (wall, medians) = %.4f (goal <= 1.02)\n", t / p);
    // The wall-clock ratio carries the machine's swing between runs (often more than 2%); the
    // tracking stage is timed on its own too, so its share is exact.
    std::printf("tracking + analytics share of analyze = %.4f%% (median %.1f ms of %.0f ms)\n",
                100.0 * bench::summarize(trackMs).median / (p * 1e3),
                bench::summarize(trackMs).median, p * 1e3);
    return 0;
}
