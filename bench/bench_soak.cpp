// Soak: N RTSP cameras (GStreamer's RTSP server on loopback, one server per camera, each serving
// a generated 60 s 320x240 25 fps H.264 clip; at its end the stream ends and is reconnected) through one Scheduler with the default
// detector and adaptive detection, for a long time, with one server killed and restarted every
// `--restart-every` seconds in turn. Resident memory is sampled every 10 s; the report gives its
// value after the warm-up, at the end and at its peak, the growth after warm-up (goal <= 5 MB),
// and for each source whether it got stuck: a source counts as stuck when, outside the window of
// its own server's restart, 10 s pass without a result.
//
//   bench_soak [--minutes 30] [--sources 8] [--restart-every 120] [--warmup-minutes 2]

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "pipeline/detector.h"
#include "pipeline/source_pipeline.h"
#include "support/live_servers.h"
#include "support/video_generator.h"

namespace fs = std::filesystem;
using namespace sl;
using Clock = std::chrono::steady_clock;

namespace {

double residentMb() {
    long pages = 0, rss = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
        std::fclose(f);
    }
    return double(rss) * double(sysconf(_SC_PAGESIZE)) / 1e6;
}

struct Watch {
    std::atomic<int64_t> results{0};
    std::atomic<int64_t> lastAtMs{0};
    int64_t longestGapMs = 0;   // outside its own restart windows
};

}  // namespace

int main(int argc, char** argv) {
    double minutes = 30, restartEvery = 120, warmupMinutes = 2;
    int sources = 8;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atof(argv[++i]) : 0.0; };
        if (a == "--minutes") minutes = next();
        else if (a == "--sources") sources = int(next());
        else if (a == "--restart-every") restartEvery = next();
        else if (a == "--warmup-minutes") warmupMinutes = next();
        else {
            std::fprintf(stderr, "usage: bench_soak [--minutes M] [--sources N] "
                                 "[--restart-every S] [--warmup-minutes M]\n");
            return 2;
        }
    }
    sl::testing::TempDir dir("bench-soak");
    sl::testing::VideoSpec spec;
    spec.path = dir.file("cam.mp4");
    spec.width = 320;
    spec.height = 240;
    spec.fps = 25;
    spec.frames = 1500;   // 60 s: the server ends its stream at the end of the file
    spec.gopSize = 25;
    if (auto g = sl::testing::generateVideo(spec); !g) {
        std::fprintf(stderr, "%s\n", g.status().message().c_str());
        return 1;
    }
    std::vector<std::unique_ptr<sl::testing::RtspServer>> servers;
    for (int i = 0; i < sources; ++i) {
        servers.push_back(std::make_unique<sl::testing::RtspServer>(spec.path.string()));
        if (!servers.back()->ok()) {
            std::fprintf(stderr, "%s\n", servers.back()->error().c_str());
            return 1;
        }
    }
    auto first = pipeline::Detector::load("yolox-nano");
    if (!first) {
        std::fprintf(stderr, "%s\n", first.status().message().c_str());
        return 1;
    }
    auto second = (*first)->createSibling();
    if (!second) return 1;
    pipeline::Detector* dets[] = {first->get(), second->get()};
    pipeline::Scheduler sched(pipeline::detectorStreams(dets), {.adaptive = true});
    const auto t0 = Clock::now();
    auto msNow = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    };
    std::vector<Watch> watch(static_cast<size_t>(sources));
    std::vector<std::unique_ptr<pipeline::SourcePipeline>> cams;
    for (int i = 0; i < sources; ++i) {
        pipeline::SourcePipelineOptions o;
        o.name = "cam" + std::to_string(i);
        o.live.open.url = servers[size_t(i)]->url();
        o.live.readTimeout = std::chrono::seconds(2);
        o.live.reconnect.initialDelay = std::chrono::milliseconds(250);
        o.live.reconnect.maxDelay = std::chrono::seconds(2);
        pipeline::SourcePipelineCallbacks cb;
        cb.onResult = [&, i](const pipeline::SourceFrameResult&) {
            ++watch[size_t(i)].results;
            watch[size_t(i)].lastAtMs = msNow();
        };
        cams.push_back(std::make_unique<pipeline::SourcePipeline>(sched, o, cb));
        cams.back()->start();
    }
    std::printf("# bench_soak: %d RTSP sources, %.0f min, server restart every %.0f s, warm-up "
                "%.0f min\n",
                sources, minutes, restartEvery, warmupMinutes);
    std::printf("%8s %9s %6s %s\n", "t (s)", "RSS MB", "level", "results per source");
    std::fflush(stdout);
    const int64_t endMs = int64_t(minutes * 60000), warmMs = int64_t(warmupMinutes * 60000);
    const int64_t restartMs = int64_t(restartEvery * 1000);
    double rssWarm = -1, rssPeak = 0;
    int nextRestart = 0;
    int64_t lastRestartAt = 0, lastSample = -10000;
    // A source's own restart window: from its kill until 15 s later (read timeout + backoff +
    // reconnect + first keyframe).
    std::vector<int64_t> downUntil(size_t(sources), 0);
    while (msNow() < endMs) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const int64_t now = msNow();
        if (now - lastRestartAt >= restartMs) {
            lastRestartAt = now;
            auto& s = *servers[size_t(nextRestart)];
            s.kill();
            downUntil[size_t(nextRestart)] = now + 15000;
            std::this_thread::sleep_for(std::chrono::seconds(1));
            s.restart();
            if (!s.ok()) std::fprintf(stderr, "restart failed: %s\n", s.error().c_str());
            nextRestart = (nextRestart + 1) % sources;
        }
        for (int i = 0; i < sources; ++i) {
            Watch& w = watch[size_t(i)];
            const int64_t gap = now - std::max<int64_t>(w.lastAtMs, 0);
            if (now > 30000 && now > downUntil[size_t(i)])
                w.longestGapMs = std::max(w.longestGapMs, gap);
        }
        if (now - lastSample >= 10000) {
            lastSample = now;
            const double rss = residentMb();
            if (now >= warmMs && rssWarm < 0) rssWarm = rss;
            if (rssWarm >= 0) rssPeak = std::max(rssPeak, rss);
            std::printf("%8.0f %9.1f %6d", now / 1000.0, rss, sched.level());
            for (const Watch& w : watch) std::printf(" %lld", (long long)w.results.load());
            std::printf("\n");
            std::fflush(stdout);
        }
    }
    const double rssEnd = residentMb();
    int stuck = 0;
    std::printf("# per source: results, longest wait outside its restart (s), sessions, state\n");
    for (int i = 0; i < sources; ++i) {
        const auto st = cams[size_t(i)]->status();
        const bool isStuck = watch[size_t(i)].longestGapMs > 10000 ||
                             st.live.state != media::LiveState::Live;
        stuck += isStuck;
        std::printf("#   cam%d: %lld results, %.1f s, %lld sessions, %s%s\n", i,
                    (long long)watch[size_t(i)].results.load(),
                    watch[size_t(i)].longestGapMs / 1000.0, (long long)st.live.stats.sessions,
                    media::liveStateName(st.live.state), isStuck ? "  STUCK" : "");
    }
    for (auto& c : cams) c->stop();
    std::printf("# RSS after warm-up %.1f MB, at the end %.1f MB, peak %.1f MB: growth %.1f MB "
                "(goal <= 5); %d of %d sources stuck\n",
                rssWarm, rssEnd, rssPeak, rssEnd - rssWarm, stuck, sources);
    return stuck == 0 && rssEnd - rssWarm <= 5 ? 0 : 1;
}
