// Streams held in real time on this machine: N simulated cameras (a file played at its own
// rate, looping) through one shared Scheduler, first with detection on every frame, then with
// adaptive detection (every k-th frame under load, the tracker carrying the boxes between).
// For each N it prints, per source, the frames delivered in the measured window, the share that
// got processed, the p50 / p95 decode-to-result latency, and resident memory and CPU per source.
//
// A run "holds" N when every source keeps >= 99% of its frames processed and p95 latency
// <= 200 ms. Every-frame: processed = detected on the device. Adaptive: processed = a result
// (detected or carried) for the frame, and the run must also keep >= 95% of the every-frame
// run's track recall: the tracker's boxes are matched (IoU >= 0.5, same class) against a
// reference of the detector run on every frame offline, file frame by file frame.
//
//   bench_streams [--video vtest.avi|1080p] [--seconds 15] [--warmup 5] [--max 16]
//                 [--streams 2] [--batch 1] [--mode every|adaptive|both] [--json]
//
// The ONNX Runtime peer is bench/ort_streams.mjs (same protocol; packaging/fetch-bench-peers.sh
// installs it); bench/streams_vs_ort.sh runs both and prints the ratios.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "media/media_source.h"
#include "pipeline/detector.h"
#include "pipeline/source_pipeline.h"
#include "support/video_generator.h"

namespace fs = std::filesystem;
using namespace sl;
using Clock = std::chrono::steady_clock;

namespace {

fs::path cacheDir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    return (xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache") / "sightline";
}

double residentMb() {
    long pages = 0, rss = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
        std::fclose(f);
    }
    return double(rss) * double(sysconf(_SC_PAGESIZE)) / 1e6;
}

double cpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Options {
    std::string video = "vtest.avi";
    double seconds = 15, warmup = 5;
    int maxN = 16, streams = 2, batch = 1;
    bool every = true, adaptive = true, json = false;
};

struct Row {
    int64_t frames = 0, detected = 0, results = 0;
    std::vector<double> latency;
    double fraction = 0, p50 = 0, p95 = 0;
};

// The tracker's boxes of one source, by file frame.
using Boxes = std::map<int64_t, std::vector<vision::Detection>>;

struct Run {
    int n = 0;
    bool adaptive = false;
    std::vector<Row> rows;
    Boxes boxes;          // source 0's tracked boxes in the window
    int maxLevel = 1;
    double frameMs = 0, meanBatch = 0, mbPerSource = 0, coresPerSource = 0;
    double recall = -1, recallRatio = -1;
    bool holds = false;
};

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5))];
}

Run runStreams(const Options& o, const std::string& video, int64_t fileFrames, int n,
               bool adaptive, std::span<pipeline::Detector* const> detectors) {
    Run run;
    run.n = n;
    run.adaptive = adaptive;
    run.rows.resize(size_t(n));
    pipeline::Scheduler sched(pipeline::detectorStreams(detectors),
                              {.maxBatch = o.batch, .adaptive = adaptive});
    std::mutex m;
    const auto t0 = Clock::now();
    const auto from = t0 + std::chrono::milliseconds(int64_t(o.warmup * 1000));
    const auto to = from + std::chrono::milliseconds(int64_t(o.seconds * 1000));
    const double mb0 = residentMb();
    std::vector<std::unique_ptr<pipeline::SourcePipeline>> cams;
    for (int i = 0; i < n; ++i) {
        pipeline::SourcePipelineOptions so;
        so.name = "cam" + std::to_string(i);
        so.live.open.url = video;
        so.live.paceToRealTime = true;
        so.live.loop = true;
        pipeline::SourcePipelineCallbacks cb;
        cb.onResult = [&, i](const pipeline::SourceFrameResult& r) {
            const auto now = Clock::now();
            const auto delivered = now - std::chrono::microseconds(int64_t(r.latencyMs * 1000));
            if (delivered < from || delivered > to) return;
            std::lock_guard lock(m);
            Row& row = run.rows[size_t(i)];
            ++row.frames;
            row.detected += r.detected;
            ++row.results;
            row.latency.push_back(r.latencyMs);
            if (i == 0) {
                auto& b = run.boxes[r.frameIndex % fileFrames];
                b.clear();
                for (const auto& obj : r.objects) b.push_back({obj.classId, obj.score, obj.box});
            }
        };
        cams.push_back(std::make_unique<pipeline::SourcePipeline>(sched, so, cb));
        cams.back()->start();
    }
    std::this_thread::sleep_until(from);
    const double mbWarm = residentMb(), cpu0 = cpuSeconds();
    while (Clock::now() < to) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        run.maxLevel = std::max(run.maxLevel, sched.level());
    }
    const double cpu1 = cpuSeconds();
    const auto st = sched.stats();
    run.frameMs = st.frameMs;
    run.meanBatch = st.meanBatch;
    for (auto& c : cams) c->stop();
    run.mbPerSource = (mbWarm - mb0) / n;
    run.coresPerSource = (cpu1 - cpu0) / o.seconds / n;
    // Frames delivered in the window but never answered are in the rows already (stop() gives
    // every pending frame its carried result); their latency counts too.
    run.holds = true;
    for (Row& r : run.rows) {
        r.fraction = r.frames ? double(adaptive ? r.results : r.detected) / double(r.frames) : 0;
        r.p50 = percentile(r.latency, 0.5);
        r.p95 = percentile(r.latency, 0.95);
        run.holds = run.holds && r.frames > 0 && r.fraction >= 0.99 && r.p95 <= 200;
    }
    return run;
}

// Greedy matching per frame, IoU >= 0.5, same class: the share of reference boxes found.
double recallOf(const Boxes& got, const Boxes& reference) {
    int64_t total = 0, found = 0;
    for (const auto& [frame, ref] : reference) {
        auto it = got.find(frame);
        if (it == got.end()) continue;
        std::vector<char> used(it->second.size(), 0);
        for (const auto& r : ref) {
            ++total;
            int best = -1;
            float bestIou = 0.5f;
            for (size_t j = 0; j < it->second.size(); ++j) {
                if (used[j] || it->second[j].classId != r.classId) continue;
                const float v = vision::iou(it->second[j].box, r.box);
                if (v >= bestIou) bestIou = v, best = int(j);
            }
            if (best >= 0) used[size_t(best)] = 1, ++found;
        }
    }
    return total ? double(found) / double(total) : 0;
}

// The detector on every file frame that any run recorded (in order, decoded once).
Boxes referenceBoxes(const std::string& video, const std::set<int64_t>& frames,
                     pipeline::Detector& det) {
    Boxes out;
    if (frames.empty()) return out;
    media::MediaSource src;
    if (!src.open({.url = video})) return out;
    const int64_t last = *frames.rbegin();
    for (int64_t i = 0; i <= last; ++i) {
        auto f = src.readFrame();
        if (!f) break;
        if (!frames.count(i)) continue;
        auto d = det.detect(*f);
        if (d) out[i] = d->detections;
    }
    return out;
}

void printRun(const Run& r, const Options& o) {
    if (o.json) {
        std::printf("{\"engine\":\"sightline\",\"mode\":\"%s\",\"streams\":%d,\"holds\":%s,"
                    "\"level\":%d,\"frame_ms\":%.1f,\"mean_batch\":%.2f,\"mb_per_source\":%.1f,"
                    "\"cores_per_source\":%.3f,\"recall\":%.4f,\"recall_ratio\":%.4f,\"sources\":[",
                    r.adaptive ? "adaptive" : "every", r.n, r.holds ? "true" : "false", r.maxLevel,
                    r.frameMs, r.meanBatch, r.mbPerSource, r.coresPerSource, r.recall,
                    r.recallRatio);
        for (size_t i = 0; i < r.rows.size(); ++i)
            std::printf("%s{\"delivered\":%lld,\"processed\":%lld,\"detected\":%lld,"
                        "\"fraction\":%.4f,\"p50_ms\":%.1f,\"p95_ms\":%.1f}",
                        i ? "," : "", (long long)r.rows[i].frames,
                        (long long)(r.adaptive ? r.rows[i].results : r.rows[i].detected),
                        (long long)r.rows[i].detected, r.rows[i].fraction, r.rows[i].p50,
                        r.rows[i].p95);
        std::printf("]}\n");
        std::fflush(stdout);
        return;
    }
    double worstFraction = 1, worstP95 = 0, detectedShare = 0;
    for (const Row& row : r.rows) {
        worstFraction = std::min(worstFraction, row.fraction);
        worstP95 = std::max(worstP95, row.p95);
        detectedShare += row.frames ? double(row.detected) / double(row.frames) / r.n : 0;
    }
    bench::printRow({r.adaptive ? "adaptive" : "every", std::to_string(r.n),
                     bench::fixed(worstFraction * 100, 1), bench::fixed(detectedShare * 100, 1),
                     bench::fixed(worstP95, 0), std::to_string(r.maxLevel),
                     bench::fixed(r.frameMs, 1), bench::fixed(r.mbPerSource, 1),
                     bench::fixed(r.coresPerSource, 3),
                     r.recallRatio >= 0 ? bench::fixed(r.recallRatio * 100, 1) : "-",
                     r.holds ? "yes" : "no"},
                    {9, 4, 10, 10, 8, 6, 9, 8, 8, 9, 6});
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--video") o.video = next();
        else if (a == "--seconds") o.seconds = std::atof(next().c_str());
        else if (a == "--warmup") o.warmup = std::atof(next().c_str());
        else if (a == "--max") o.maxN = std::atoi(next().c_str());
        else if (a == "--streams") o.streams = std::atoi(next().c_str());
        else if (a == "--batch") o.batch = std::atoi(next().c_str());
        else if (a == "--json") o.json = true;
        else if (a == "--mode") {
            const std::string m = next();
            o.every = m != "adaptive";
            o.adaptive = m != "every";
        } else {
            std::fprintf(stderr, "usage: bench_streams [--video vtest.avi|1080p|FILE] [--seconds S] "
                                 "[--warmup S] [--max N] [--streams N] [--batch N] "
                                 "[--mode every|adaptive|both] [--json]\n");
            return 2;
        }
    }
    std::string video = o.video;
    if (video == "vtest.avi") video = (cacheDir() / "vtest.avi").string();
    if (video == "1080p") {
        video = (cacheDir() / "bench-1080p30.mp4").string();
        if (!fs::exists(video)) {
            std::fprintf(stderr, "generating %s (1920x1080, 30 fps, 300 frames)...\n",
                         video.c_str());
            sl::testing::VideoSpec spec;
            spec.path = video;
            spec.width = 1920;
            spec.height = 1080;
            spec.fps = 30;
            spec.frames = 300;
            spec.gopSize = 30;
            if (auto g = sl::testing::generateVideo(spec); !g) {
                std::fprintf(stderr, "%s\n", g.status().message().c_str());
                return 1;
            }
        }
    }
    int64_t fileFrames = 0;
    double fps = 0;
    {
        media::MediaSource probe;
        if (Status st = probe.open({.url = video}, media::MediaSource::Mode::ProbeOnly); !st) {
            std::fprintf(stderr, "bench_streams: %s\n", st.message().c_str());
            return 1;
        }
        if (probe.info().frameCount) fileFrames = *probe.info().frameCount;
        if (probe.info().video()) fps = probe.info().video()->averageFps;
    }
    if (fileFrames <= 0) {
        std::fprintf(stderr, "bench_streams: cannot count the frames of %s\n", video.c_str());
        return 1;
    }
    auto first = pipeline::Detector::load("yolox-nano");
    if (!first) {
        std::fprintf(stderr, "bench_streams: %s\n", first.status().message().c_str());
        return 1;
    }
    std::vector<std::unique_ptr<pipeline::Detector>> owned;
    std::vector<pipeline::Detector*> detectors{first->get()};
    for (int i = 1; i < o.streams; ++i) {
        auto s = (*first)->createSibling();
        if (!s) return 1;
        detectors.push_back(s->get());
        owned.push_back(std::move(*s));
    }
    // Warm: kernels compiled and the first frames' allocations done before anything is timed.
    {
        media::MediaSource src;
        if (src.open({.url = video}))
            for (int i = 0; i < 5; ++i)
                if (auto f = src.readFrame())
                    for (auto* d : detectors) (void)d->detect(*f);
    }
    std::printf("# bench_streams: %s (%lld frames, %.2f fps), %d inference streams, batch %d, "
                "%.0f s measured after %.0f s\n",
                fs::path(video).filename().c_str(), (long long)fileFrames, fps, o.streams,
                o.batch, o.seconds, o.warmup);
    if (!o.json)
        bench::printRow({"mode", "N", "worst %", "detected%", "p95 ms", "level", "dev ms", "MB/src",
                         "cores/s", "recall %", "holds"},
                        {9, 4, 10, 10, 8, 6, 9, 8, 8, 9, 6});
    std::vector<Run> runs;
    int bestEvery = 0, bestAdaptive = 0;
    Run* baseline = nullptr;
    if (o.every)
        for (int n = 1; n <= o.maxN; ++n) {
            runs.push_back(runStreams(o, video, fileFrames, n, false, detectors));
            printRun(runs.back(), o);
            if (!runs.back().holds) break;
            bestEvery = n;
        }
    if (o.adaptive)
        for (int n = std::max(1, bestEvery); n <= o.maxN; ++n) {
            runs.push_back(runStreams(o, video, fileFrames, n, true, detectors));
            if (!runs.back().holds) {
                printRun(runs.back(), o);
                break;
            }
            bestAdaptive = n;
            printRun(runs.back(), o);
        }
    // Recall against every frame detected offline.
    std::set<int64_t> frames;
    for (const Run& r : runs)
        for (const auto& [f, b] : r.boxes) frames.insert(f);
    const Boxes reference = referenceBoxes(video, frames, *detectors[0]);
    for (Run& r : runs) r.recall = recallOf(r.boxes, reference);
    for (Run& r : runs)
        if (!r.adaptive && r.n == std::max(1, bestEvery)) baseline = &r;
    int bestAdaptiveWithRecall = 0;
    std::printf("# track recall vs every frame detected offline (IoU >= 0.5): ");
    for (Run& r : runs) {
        std::printf("%s%d=%.3f ", r.adaptive ? "adaptive" : "every", r.n, r.recall);
        if (baseline && baseline->recall > 0) r.recallRatio = r.recall / baseline->recall;
        if (r.adaptive && r.holds && r.recallRatio >= 0.95)
            bestAdaptiveWithRecall = std::max(bestAdaptiveWithRecall, r.n);
    }
    std::printf("\n# recall / every-frame recall: ");
    for (const Run& r : runs)
        if (r.adaptive) std::printf("adaptive%d=%.1f%% ", r.n, r.recallRatio * 100);
    std::printf("\n");
    std::printf("# largest N held: every frame %d, adaptive %d (with >= 95%% of the every-frame "
                "recall: %d)\n",
                bestEvery, bestAdaptive, bestAdaptiveWithRecall);
    if (o.json)
        std::printf("{\"engine\":\"sightline\",\"summary\":true,\"every\":%d,\"adaptive\":%d,"
                    "\"adaptive_with_recall\":%d}\n",
                    bestEvery, bestAdaptive, bestAdaptiveWithRecall);
    return 0;
}
