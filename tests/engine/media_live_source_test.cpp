// LiveSource against real servers on 127.0.0.1 that the tests start and kill themselves:
// GStreamer's RTSP server (tests/support/rtsp_server.py, over TCP and UDP), a Python HTTP server
// (a whole MPEG-TS file and an endless MJPEG stream), ffmpeg pushing MPEG-TS over UDP, and a file
// played at its real-time pace as a simulated camera. The videos carry their frame number in the
// pixels, so "nothing lost, nothing counted twice" is checked on what was decoded. Watchdog
// timeouts are tight (1 s) so that each test takes a few seconds.
// FAILS (does not skip) when python3-gi, gir1.2-gst-rtsp-server-1.0, the GStreamer plugins or the
// ffmpeg CLI are missing: packaging/debian-packages.txt lists them.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "media/live_source.h"
#include "support/child_process.h"
#include "support/live_servers.h"
#include "support/frame_pattern.h"
#include "support/video_generator.h"

namespace sl::media {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using sl::testing::ChildProcess;
using sl::testing::HttpServer;
using sl::testing::RtspServer;

int patternOf(const VideoFrame& f) {
    return sl::testing::readFramePatternFromLuma(f.plane(0), f.stride(0), f.width(), f.height());
}

// Everything one source reported, recorded from its callbacks.
struct Recorder {
    struct Transition {
        LiveState state;
        std::string reason;
        Clock::time_point at;
    };
    struct Got {
        int64_t index;
        int64_t session;
        int pattern;
        Clock::time_point at;
    };
    std::mutex mutex;
    std::vector<Transition> transitions;
    std::vector<Got> frames;

    LiveCallbacks callbacks() {
        LiveCallbacks cb;
        cb.onFrame = [this](LiveFrame&& f) {
            const int p = patternOf(f.frame);
            std::lock_guard lk(mutex);
            frames.push_back({f.frame.index(), f.session, p, Clock::now()});
        };
        cb.onState = [this](const LiveSnapshot& s) {
            std::lock_guard lk(mutex);
            transitions.push_back({s.state, s.reason, Clock::now()});
        };
        return cb;
    }
    size_t frameCount() {
        std::lock_guard lk(mutex);
        return frames.size();
    }
    // First transition into `state` at or after `from`.
    std::optional<Transition> firstAfter(LiveState state, Clock::time_point from) {
        std::lock_guard lk(mutex);
        for (const Transition& t : transitions)
            if (t.state == state && t.at >= from) return t;
        return std::nullopt;
    }
    std::string history() {
        std::lock_guard lk(mutex);
        std::string s;
        for (const Transition& t : transitions)
            s += std::string("\n  ") + liveStateName(t.state) + ": " + t.reason;
        return s;
    }
};

// Waits until `pred` holds or `timeout` passes; returns pred().
template <class Pred>
bool waitFor(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!bool(pred())) {
        if (Clock::now() > deadline) return bool(pred());
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// Indices 0, 1, 2 ... without a gap or a repeat across sessions; within a session the pictures'
// own numbers run on by one (the server restarts its file for a new session).
void expectContiguous(Recorder& r, const std::string& what) {
    std::lock_guard lk(r.mutex);
    for (size_t i = 0; i < r.frames.size(); ++i) {
        ASSERT_EQ(r.frames[i].index, int64_t(i)) << what << ": frame " << i;
        ASSERT_GE(r.frames[i].pattern, 0) << what << ": unreadable picture at " << i;
        if (i > 0 && r.frames[i].session == r.frames[i - 1].session) {
            ASSERT_EQ(r.frames[i].pattern, r.frames[i - 1].pattern + 1)
                << what << ": picture " << i << " of session " << r.frames[i].session;
        }
    }
}

class LiveSourceTest : public ::testing::Test {
protected:
    std::string video(const std::string& name, int frames, int fps = 25) {
        sl::testing::VideoSpec spec;
        spec.path = dir_.file(name);
        spec.frames = frames;
        spec.fps = fps;
        spec.gopSize = 10;   // a reconnect or a UDP join starts decoding at the next keyframe
        spec.width = 160;
        spec.height = 128;
        auto v = sl::testing::generateVideo(spec);
        EXPECT_TRUE(v) << v.status().message();
        return v ? v->path.string() : std::string();
    }
    static LiveSourceOptions tight(const std::string& url) {
        LiveSourceOptions o;
        o.open.url = url;
        o.openTimeout = 2s;
        o.readTimeout = 1s;
        o.stallTimeout = 400ms;
        o.reconnect.initialDelay = 100ms;
        o.reconnect.maxDelay = 400ms;
        o.seed = 7;
        return o;
    }
    sl::testing::TempDir dir_{"live-source"};
};

TEST(LiveBackoff, GrowsExponentiallyCappedWithBoundedJitter) {
    ReconnectPolicy p;
    p.initialDelay = 100ms;
    p.maxDelay = 1000ms;
    p.multiplier = 2;
    p.jitter = 0;
    std::mt19937 rng(1);
    EXPECT_EQ(backoffDelay(p, 1, rng), 100ms);
    EXPECT_EQ(backoffDelay(p, 2, rng), 200ms);
    EXPECT_EQ(backoffDelay(p, 4, rng), 800ms);
    EXPECT_EQ(backoffDelay(p, 5, rng), 1000ms);
    EXPECT_EQ(backoffDelay(p, 5000, rng), 1000ms);   // no overflow after a long outage
    p.jitter = 0.25;
    std::set<int64_t> seen;
    for (int i = 0; i < 200; ++i) {
        const auto d = backoffDelay(p, 3, rng);
        EXPECT_GE(d, 300ms);
        EXPECT_LE(d, 500ms);
        seen.insert(d.count());
    }
    EXPECT_GT(seen.size(), 20u);   // the jitter spreads the attempts
}

// Kill one RTSP server mid-stream: its source goes stalled, then reconnecting, within the
// watchdog time; restarted, it is live again with a new session and indices that go on. The
// other source, on another server, never notices.
TEST_F(LiveSourceTest, RtspOverTcpSurvivesServerRestartOthersUndisturbed) {
    const std::string a = video("a.mp4", 250), b = video("b.mp4", 250);
    RtspServer serverA(a), serverB(b);
    ASSERT_TRUE(serverA.ok()) << serverA.error();
    ASSERT_TRUE(serverB.ok()) << serverB.error();
    Recorder ra, rb;
    LiveSource sa(tight(serverA.url()), ra.callbacks());
    LiveSource sb(tight(serverB.url()), rb.callbacks());
    sa.start();
    sb.start();
    ASSERT_TRUE(waitFor([&] { return ra.frameCount() >= 20 && rb.frameCount() >= 20; }, 8s))
        << ra.history() << rb.history();
    EXPECT_EQ(sa.state(), LiveState::Live);
    EXPECT_EQ(sa.snapshot().info->video()->codec, "h264");

    const auto killedAt = Clock::now();
    serverA.kill();
    ASSERT_TRUE(waitFor([&] { return ra.firstAfter(LiveState::Reconnecting, killedAt); }, 3s))
        << ra.history();
    const auto stalled = ra.firstAfter(LiveState::Stalled, killedAt);
    const auto reconnecting = ra.firstAfter(LiveState::Reconnecting, killedAt);
    ASSERT_TRUE(stalled) << ra.history();
    EXPECT_LE(stalled->at, reconnecting->at);
    EXPECT_LE(reconnecting->at - killedAt, 1500ms) << ra.history();   // read timeout 1 s
    const size_t beforeRestart = ra.frameCount();

    const auto restartedAt = Clock::now();
    serverA.restart();
    ASSERT_TRUE(serverA.ok()) << serverA.error();
    ASSERT_TRUE(waitFor([&] { return ra.frameCount() >= beforeRestart + 20; }, 8s))
        << ra.history();
    EXPECT_TRUE(ra.firstAfter(LiveState::Live, restartedAt)) << ra.history();
    const LiveSnapshot s = sa.snapshot();
    EXPECT_EQ(s.state, LiveState::Live);
    EXPECT_EQ(s.stats.sessions, 2);
    EXPECT_GE(s.stats.reconnects, 1);
    sa.stop();
    sb.stop();
    // Counted once each, numbered on across the reconnect.
    expectContiguous(ra, "source A");
    {
        std::lock_guard lk(ra.mutex);
        EXPECT_EQ(sa.snapshot().stats.frames, int64_t(ra.frames.size()));
        EXPECT_EQ(ra.frames.front().session, 1);
        EXPECT_EQ(ra.frames.back().session, 2);
    }
    // B: one session, every picture in order, never out of Live once live.
    expectContiguous(rb, "source B");
    std::lock_guard lk(rb.mutex);
    EXPECT_EQ(rb.frames.back().session, 1);
    int lives = 0;
    for (const auto& t : rb.transitions) {
        EXPECT_TRUE(t.state == LiveState::Connecting || t.state == LiveState::Live ||
                    t.state == LiveState::Stopped)
            << liveStateName(t.state) << ": " << t.reason;
        lives += t.state == LiveState::Live;
    }
    EXPECT_EQ(lives, 1);
}

// RTSP over UDP from a server that hangs (SIGSTOP: its sockets stay open, nothing is sent): only
// the watchdog can tell. Stalled after stallTimeout, the connection dropped after readTimeout,
// reconnect attempts time out on open while it hangs; thawed, the source is live again.
TEST_F(LiveSourceTest, RtspOverUdpHungServerIsCaughtByTheWatchdog) {
    const std::string a = video("u.mp4", 500);
    RtspServer server(a);
    ASSERT_TRUE(server.ok()) << server.error();
    Recorder r;
    LiveSourceOptions o = tight(server.url());
    o.open.avOptions["rtsp_transport"] = "udp";
    o.openTimeout = 1s;
    LiveSource src(o, r.callbacks());
    src.start();
    ASSERT_TRUE(waitFor([&] { return r.frameCount() >= 15; }, 8s)) << r.history();
    EXPECT_EQ(src.snapshot().info->container, "rtsp");
    const auto frozenAt = Clock::now();
    server.freeze();
    ASSERT_TRUE(waitFor([&] { return r.firstAfter(LiveState::Reconnecting, frozenAt); }, 3s))
        << r.history();
    const auto stalled = r.firstAfter(LiveState::Stalled, frozenAt);
    ASSERT_TRUE(stalled) << r.history();
    EXPECT_NE(stalled->reason.find("no frame for"), std::string::npos) << r.history();
    EXPECT_GE(stalled->at - frozenAt, 300ms) << r.history();   // stallTimeout 400 ms
    EXPECT_LE(stalled->at - frozenAt, 800ms) << r.history();
    const auto reconnecting = r.firstAfter(LiveState::Reconnecting, frozenAt);
    EXPECT_LE(reconnecting->at - frozenAt, 1500ms) << r.history();   // readTimeout 1 s
    EXPECT_NE(reconnecting->reason.find("dropping the connection"), std::string::npos)
        << r.history();
    std::this_thread::sleep_for(1500ms);   // an attempt or two against the hung server
    EXPECT_EQ(src.state(), LiveState::Reconnecting) << r.history();
    const size_t before = r.frameCount();
    const auto thawedAt = Clock::now();
    server.thaw();
    ASSERT_TRUE(waitFor([&] { return r.frameCount() >= before + 10; }, 6s)) << r.history();
    EXPECT_TRUE(r.firstAfter(LiveState::Live, thawedAt)) << r.history();
    src.stop();
    EXPECT_EQ(src.state(), LiveState::Stopped);
    expectContiguous(r, "rtsp/udp");
    EXPECT_GE(src.snapshot().stats.sessions, 2);
}

// A camera that is down at start-up: start() returns at once, the source keeps trying with
// backoff and goes live when the server appears; a second source meanwhile runs undisturbed.
TEST_F(LiveSourceTest, CameraDownAtStartupConnectsWhenItAppears) {
    const std::string a = video("late.mp4", 250), b = video("sim.mp4", 50);
    const int port = sl::testing::freeLoopbackPort(false);
    Recorder ra, rb;
    LiveSource down(tight("rtsp://127.0.0.1:" + std::to_string(port) + "/cam"), ra.callbacks());
    LiveSourceOptions sim = tight(b);
    sim.paceToRealTime = true;
    sim.loop = true;
    LiveSource camera(sim, rb.callbacks());
    const auto t0 = Clock::now();
    down.start();
    camera.start();
    EXPECT_LT(Clock::now() - t0, 100ms);
    ASSERT_TRUE(waitFor([&] {
        return down.snapshot().stats.consecutiveFailures >= 2;
    }, 5s)) << ra.history();
    EXPECT_EQ(down.state(), LiveState::Reconnecting);
    EXPECT_NE(down.snapshot().reason.find("attempt"), std::string::npos);
    RtspServer server(a, port);
    ASSERT_TRUE(server.ok()) << server.error();
    ASSERT_TRUE(waitFor([&] { return ra.frameCount() >= 10; }, 8s)) << ra.history();
    EXPECT_EQ(down.state(), LiveState::Live);
    EXPECT_EQ(camera.state(), LiveState::Live);
    down.stop();
    camera.stop();
    expectContiguous(ra, "late camera");
    std::lock_guard lk(rb.mutex);
    EXPECT_GT(rb.frames.size(), 25u);
    for (size_t i = 0; i < rb.frames.size(); ++i) {   // the loop wraps the pictures, not the index
        EXPECT_EQ(rb.frames[i].index, int64_t(i));
        EXPECT_EQ(rb.frames[i].pattern, int(i % 50));
    }
}

TEST_F(LiveSourceTest, GivesUpAfterMaxAttemptsWithReason) {
    const int port = sl::testing::freeLoopbackPort(false);
    LiveSourceOptions o = tight("rtsp://127.0.0.1:" + std::to_string(port) + "/cam");
    o.reconnect.initialDelay = 20ms;
    o.reconnect.maxAttempts = 2;
    LiveSource src(o);
    src.start();
    auto f = src.next(5s);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.status().code(), StatusCode::Io) << f.status().message();
    EXPECT_NE(f.status().message().find("gave up after 2 reconnect attempts"), std::string::npos)
        << f.status().message();
    EXPECT_NE(f.status().message().find("Connection refused"), std::string::npos)
        << f.status().message();
    const LiveSnapshot s = src.snapshot();
    EXPECT_EQ(s.state, LiveState::Failed);
    EXPECT_EQ(s.stats.reconnects, 2);
    EXPECT_EQ(s.stats.frames, 0);
}

// A V4L2 camera that is unplugged (no /dev/video* on the CI machine: a real capture is not
// tested here) is retried like any lost camera, through libavdevice's v4l2 input, and its reason
// names the device.
TEST_F(LiveSourceTest, UnpluggedV4l2CameraIsRetriedThenFails) {
    EXPECT_TRUE(looksLive("/dev/video0"));
    EXPECT_TRUE(looksLive("rtsp://cam/stream"));
    EXPECT_FALSE(looksLive("/videos/a.mp4"));
    EXPECT_FALSE(looksLive("file:///videos/a.mp4"));
    LiveSourceOptions o = tight("/dev/video97");
    o.reconnect.initialDelay = 20ms;
    o.reconnect.maxAttempts = 1;
    LiveSource src(o);
    src.start();
    auto f = src.next(3s);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.status().code(), StatusCode::NotFound) << f.status().message();
    EXPECT_NE(f.status().message().find("/dev/video97"), std::string::npos)
        << f.status().message();
    EXPECT_NE(f.status().message().find("gave up after 1 reconnect attempt"), std::string::npos)
        << f.status().message();
    EXPECT_EQ(src.snapshot().stats.reconnects, 1);
    src.stop();
    EXPECT_EQ(src.state(), LiveState::Failed);   // removing a dead camera keeps why it died
}

TEST_F(LiveSourceTest, AnInputThatCanNeverWorkFailsAtOnce) {
    LiveSourceOptions o = tight("nosuchproto://127.0.0.1/x");
    LiveSource src(o);
    src.start();
    auto f = src.next(3s);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.status().code(), StatusCode::Unsupported) << f.status().message();
    EXPECT_EQ(src.snapshot().stats.reconnects, 0);
}

// Stopping a source blocked on a silent input (opening a UDP port nobody sends to, with a 10 s
// open timeout) returns within the interrupt callback's period, not the timeout.
TEST_F(LiveSourceTest, StopNeverWaitsForADeadSource) {
    const int port = sl::testing::freeLoopbackPort(true);
    LiveSourceOptions o = tight("udp://127.0.0.1:" + std::to_string(port));
    o.openTimeout = 10s;
    o.readTimeout = 10s;
    LiveSource src(o);
    src.start();
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(src.state(), LiveState::Connecting);
    const auto t0 = Clock::now();
    std::thread other([&] { src.stop(); });   // two owners stopping at once
    src.stop();
    other.join();
    EXPECT_LT(Clock::now() - t0, 600ms);
    EXPECT_EQ(src.state(), LiveState::Stopped);
    auto f = src.next(10ms);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.status().code(), StatusCode::Cancelled) << f.status().message();
}

// Sources added and removed while another runs: its pictures keep coming in order.
TEST_F(LiveSourceTest, HotAddAndRemoveLeaveOthersUndisturbed) {
    const std::string v = video("hot.mp4", 40);
    LiveSourceOptions sim = tight(v);
    sim.paceToRealTime = true;
    sim.loop = true;
    Recorder keep;
    LiveSource steady(sim, keep.callbacks());
    steady.start();
    ASSERT_TRUE(waitFor([&] { return keep.frameCount() >= 5; }, 3s)) << keep.history();
    for (int round = 0; round < 3; ++round) {
        Recorder r;
        auto added = std::make_unique<LiveSource>(sim, r.callbacks());
        auto dead = std::make_unique<LiveSource>(
            tight("udp://127.0.0.1:" + std::to_string(sl::testing::freeLoopbackPort(true))));
        added->start();
        dead->start();
        ASSERT_TRUE(waitFor([&] { return r.frameCount() >= 3; }, 3s)) << r.history();
        const auto t0 = Clock::now();
        added.reset();   // removed while live
        dead.reset();    // removed while still connecting
        EXPECT_LT(Clock::now() - t0, 600ms);
        expectContiguous(r, "added source");
    }
    const size_t n = keep.frameCount();
    ASSERT_TRUE(waitFor([&] { return keep.frameCount() >= n + 5; }, 2s));
    steady.stop();
    EXPECT_EQ(keep.firstAfter(LiveState::Stalled, Clock::time_point{}), std::nullopt)
        << keep.history();
    std::lock_guard lk(keep.mutex);
    for (size_t i = 0; i < keep.frames.size(); ++i) {
        ASSERT_EQ(keep.frames[i].index, int64_t(i));
        ASSERT_EQ(keep.frames[i].pattern, int(i % 40));
    }
    // Paced: 25 fps, so the wall time between the first and last picture matches their count.
    const double span = std::chrono::duration<double>(keep.frames.back().at -
                                                      keep.frames.front().at).count();
    EXPECT_NEAR(span, double(keep.frames.size() - 1) / 25, 0.15);
}

// A simulated camera without loop ends like a stream that went away: never a clean end.
TEST_F(LiveSourceTest, SimulatedCameraEndIsReportedNotClean) {
    const std::string v = video("once.mp4", 12);
    LiveSourceOptions o = tight(v);
    o.paceToRealTime = true;
    o.reconnect.maxAttempts = 0;
    LiveSource src(o);
    src.start();
    int got = 0;
    for (;;) {
        auto f = src.next(3s);
        if (!f) {
            EXPECT_EQ(f.status().code(), StatusCode::Io) << f.status().message();
            EXPECT_NE(f.status().message().find("ended after 12 frames"), std::string::npos)
                << f.status().message();
            break;
        }
        EXPECT_EQ(f->frame.index(), got);
        EXPECT_EQ(patternOf(f->frame), got);
        ++got;
    }
    EXPECT_EQ(got, 12);
    EXPECT_EQ(src.state(), LiveState::Failed);
}

// Runs a command line through /bin/sh; true when it exits 0.
bool shell(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

// An MPEG-TS file over HTTP (and HTTPS, a self-signed certificate: FFmpeg does not verify by
// default) streams to its end; that end is reported, never a clean EOF.
class LiveSourceHttp : public LiveSourceTest, public ::testing::WithParamInterface<bool> {};

TEST_P(LiveSourceHttp, MpegTsStreamEndIsReported) {
    video("clip.ts", 30);
    std::string cert, key;
    if (GetParam()) {
        cert = dir_.file("cert.pem").string();
        key = dir_.file("key.pem").string();
        ASSERT_TRUE(shell("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                          "-keyout '" + key + "' -out '" + cert + "' 2>/dev/null"))
            << "the openssl CLI is needed";
    }
    HttpServer http(dir_.path().string(), 0, cert, key);
    ASSERT_TRUE(http.ok()) << http.error();
    LiveSourceOptions o = tight(http.url("/clip.ts"));
    o.reconnect.maxAttempts = 0;
    o.queueCapacity = 256;   // loopback outruns this reader: keep every frame to check them
    LiveSource src(o);
    src.start();
    int got = 0;
    Status end;
    for (;;) {
        auto f = src.next(5s);
        if (!f) {
            end = f.status();
            break;
        }
        EXPECT_EQ(patternOf(f->frame), got);
        ++got;
    }
    EXPECT_EQ(got, 30);
    EXPECT_EQ(src.snapshot().stats.dropped, 0);
    EXPECT_EQ(end.code(), StatusCode::Io) << end.message();
    EXPECT_NE(end.message().find("ended after 30 frames"), std::string::npos) << end.message();
}

INSTANTIATE_TEST_SUITE_P(HttpAndHttps, LiveSourceHttp, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "https" : "http"; });

// HLS: a playlist of 1 s MPEG-TS segments (written by the ffmpeg CLI) over HTTP; every picture
// of every segment arrives in order, and the playlist's end is reported as the stream ending.
TEST_F(LiveSourceTest, HlsOverHttpDeliversEverySegmentThenReportsTheEnd) {
    const std::string v = video("hls-src.ts", 75);
    ASSERT_TRUE(shell("ffmpeg -nostdin -loglevel error -y -i '" + v +
                      "' -c copy -f hls -hls_time 1 -hls_list_size 0 -hls_playlist_type vod "
                      "-hls_segment_filename '" + dir_.file("seg%02d.ts").string() + "' '" +
                      dir_.file("index.m3u8").string() + "'"))
        << "the ffmpeg CLI is needed";
    HttpServer http(dir_.path().string());
    ASSERT_TRUE(http.ok()) << http.error();
    LiveSourceOptions o = tight(http.url("/index.m3u8"));
    o.reconnect.maxAttempts = 0;
    o.queueCapacity = 256;
    LiveSource src(o);
    src.start();
    int got = 0;
    Status end;
    for (;;) {
        auto f = src.next(5s);
        if (!f) {
            end = f.status();
            break;
        }
        EXPECT_EQ(patternOf(f->frame), got);
        ++got;
    }
    EXPECT_EQ(got, 75);
    EXPECT_EQ(src.snapshot().stats.dropped, 0);
    EXPECT_EQ(src.snapshot().info->container, "hls");
    EXPECT_EQ(end.code(), StatusCode::Io) << end.message();
    EXPECT_NE(end.message().find("ended after 75 frames"), std::string::npos) << end.message();
}

// An endless MJPEG stream (multipart/x-mixed-replace); the server dies, comes back on the same
// port, and the source resumes with the next session.
TEST_F(LiveSourceTest, HttpMjpegStreamReconnects) {
    const std::string v = video("m.mp4", 50);
    ASSERT_TRUE(shell("ffmpeg -nostdin -loglevel error -y -i '" + v +
                      "' -c:v mjpeg -q:v 3 -f mpjpeg '" + dir_.file("stream.mjpg").string() + "'"))
        << "the ffmpeg CLI is needed";
    auto http = std::make_unique<HttpServer>(dir_.path().string());
    ASSERT_TRUE(http->ok()) << http->error();
    const int port = http->port();
    Recorder r;
    LiveSource src(tight(http->url("/mjpeg")), r.callbacks());
    src.start();
    ASSERT_TRUE(waitFor([&] { return r.frameCount() >= 10; }, 6s)) << r.history();
    EXPECT_EQ(src.snapshot().info->video()->codec, "mjpeg");
    const auto killedAt = Clock::now();
    http->kill();
    ASSERT_TRUE(waitFor([&] { return r.firstAfter(LiveState::Reconnecting, killedAt); }, 3s))
        << r.history();
    ASSERT_TRUE(r.firstAfter(LiveState::Stalled, killedAt)) << r.history();
    const size_t before = r.frameCount();
    http = std::make_unique<HttpServer>(dir_.path().string(), port);
    ASSERT_TRUE(http->ok()) << http->error();
    ASSERT_TRUE(waitFor([&] { return r.frameCount() >= before + 10; }, 6s)) << r.history();
    src.stop();
    EXPECT_EQ(src.snapshot().stats.sessions, 2);
    // The stream loops its 50 pictures; within a session each follows the last (mod 50).
    std::lock_guard lk(r.mutex);
    for (size_t i = 0; i < r.frames.size(); ++i) {
        ASSERT_EQ(r.frames[i].index, int64_t(i));
        if (i > 0 && r.frames[i].session == r.frames[i - 1].session) {
            ASSERT_EQ(r.frames[i].pattern, (r.frames[i - 1].pattern + 1) % 50) << i;
        }
    }
}

// ffmpeg pushes MPEG-TS to a UDP port the source listens on; when the sender stops, the watchdog
// reports the stall and the source goes on listening (reconnecting).
TEST_F(LiveSourceTest, UdpMpegTsPushedByFfmpeg) {
    const std::string v = video("push.ts", 50);
    const int port = sl::testing::freeLoopbackPort(true);
    Recorder r;
    LiveSourceOptions o = tight("udp://127.0.0.1:" + std::to_string(port));
    o.openTimeout = 5s;
    LiveSource src(o, r.callbacks());
    src.start();
    std::this_thread::sleep_for(200ms);   // the source binds the port first
    ChildProcess ffmpeg({"ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-i", v, "-c", "copy",
                         "-f", "mpegts",
                         "udp://127.0.0.1:" + std::to_string(port) + "?pkt_size=1316"});
    ASSERT_TRUE(ffmpeg.started()) << "the ffmpeg CLI is needed";
    ASSERT_TRUE(waitFor([&] { return r.frameCount() >= 30; }, 8s))
        << r.history() << ffmpeg.stderrText();
    ASSERT_TRUE(waitFor([&] { return !ffmpeg.running(); }, 5s));
    const auto senderDone = Clock::now();
    ASSERT_TRUE(waitFor([&] { return r.firstAfter(LiveState::Reconnecting, senderDone); }, 3s))
        << r.history();
    EXPECT_TRUE(r.firstAfter(LiveState::Stalled, senderDone)) << r.history();
    src.stop();
    expectContiguous(r, "udp");
    std::lock_guard lk(r.mutex);
    EXPECT_EQ(r.frames.back().pattern, 49);   // to the last picture the sender sent
}

// TCP MPEG-TS from an encoder that listens (ffmpeg ... -f mpegts tcp://...?listen=1): the source
// connects (retrying until the encoder is up), the encoder dies mid-stream, a new one starts on
// the port, and the source is live again in a second session.
TEST_F(LiveSourceTest, TcpMpegTsFromAListeningEncoderReconnects) {
    const std::string v = video("tcp.ts", 250);
    const int port = sl::testing::freeLoopbackPort(false);
    const auto encoder = [&] {
        return std::make_unique<ChildProcess>(std::vector<std::string>{
            "ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-i", v, "-c", "copy", "-f",
            "mpegts", "tcp://127.0.0.1:" + std::to_string(port) + "?listen=1"});
    };
    Recorder r;
    LiveSource src(tight("tcp://127.0.0.1:" + std::to_string(port)), r.callbacks());
    src.start();
    auto ffmpeg = encoder();
    ASSERT_TRUE(ffmpeg->started()) << "the ffmpeg CLI is needed";
    ASSERT_TRUE(waitFor([&] { return r.frameCount() >= 20; }, 8s))
        << r.history() << ffmpeg->stderrText();
    const auto killedAt = Clock::now();
    ffmpeg->kill();
    ASSERT_TRUE(waitFor([&] { return r.firstAfter(LiveState::Reconnecting, killedAt); }, 3s))
        << r.history();
    EXPECT_TRUE(r.firstAfter(LiveState::Stalled, killedAt)) << r.history();
    const size_t before = r.frameCount();
    ffmpeg = encoder();
    ASSERT_TRUE(waitFor([&] { return r.frameCount() >= before + 20; }, 8s))
        << r.history() << ffmpeg->stderrText();
    src.stop();
    expectContiguous(r, "tcp");
    EXPECT_EQ(src.snapshot().stats.sessions, 2);
}

}  // namespace
}  // namespace sl::media
