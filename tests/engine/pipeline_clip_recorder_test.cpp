// ClipRecorder and ClipStore: event clips from a source's packets and per-frame results.
//
// Scripted tests: the packets of a generated video (25 fps, a keyframe every 10 frames, no
// B-frames, the frame number drawn into every picture) and results made here (frame i carries
// one box whose right edge is 20 + i, and alerts on chosen frames), fed the way a live source
// feeds them: a frame's result comes a few packets after its packet. Which frames each clip must
// hold is derived by hand from that layout, and checked by reading the numbers drawn in the
// clip's decoded pictures; the sidecar's boxes must belong to the picture of the same clip frame.
//
// End to end: a person (a crop of Debian darknet's person.jpg, packaging/fetch-test-images.sh)
// walks across a drawn vertical line over a generated background, through SourcePipeline with
// the default detector: exactly one alert, in the right direction, and its clip holds the
// crossing frame.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "media/media_source.h"
#include "pipeline/clip_recorder.h"
#include "pipeline/clip_store.h"
#include "pipeline/detector.h"
#include "pipeline/scheduler.h"
#include "pipeline/source_pipeline.h"
#include "support/frame_pattern.h"
#include "support/packet_file.h"
#include "support/video_generator.h"

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int kFps = 25, kGop = 10, kFrames = 100;

struct Source {
    sl::testing::GeneratedVideo video;
    sl::testing::PacketFile packets;
};

Source makeSource(const sl::testing::TempDir& dir) {
    sl::testing::VideoSpec spec;
    spec.path = dir.file("src.mp4");
    spec.frames = kFrames;
    spec.fps = kFps;
    spec.gopSize = kGop;
    spec.width = 160;
    spec.height = 128;
    auto v = sl::testing::generateVideo(spec);
    EXPECT_TRUE(v) << v.status().message();
    auto p = sl::testing::readPacketFile(spec.path);
    EXPECT_TRUE(p) << p.status().message();
    EXPECT_EQ(p->packets.size(), size_t(kFrames));
    for (int i = 0; i < kFrames; ++i)
        EXPECT_EQ((p->packets[size_t(i)]->flags & AV_PKT_FLAG_KEY) != 0, i % kGop == 0) << i;
    return {std::move(*v), std::move(*p)};
}

analytics::Alert alertAt(const Source& s, int frame, const std::string& rule = "cross") {
    analytics::Alert a;
    a.rule = rule;
    a.kind = analytics::RuleKind::LineCross;
    a.target = "gate";
    a.frameIndex = frame;
    a.pts = s.video.pts[size_t(frame)];
    a.seconds = double(a.pts) * s.video.timeBaseNum / s.video.timeBaseDen;
    a.startFrame = frame;
    a.startPts = a.pts;
    a.startSeconds = a.seconds;
    a.direction = +1;
    a.objects = {{1, 0, "person", {10, 10, 20.0f + float(frame), 60}}};
    a.message = rule + ": person #1 crossed gate A->B";
    return a;
}

SourceFrameResult resultAt(const Source& s, int frame, int64_t firstFrame = 0) {
    SourceFrameResult r;
    r.source = "cam";
    r.frameIndex = firstFrame + frame;
    r.pts = s.video.pts[size_t(frame)];
    r.seconds = double(r.pts) * s.video.timeBaseNum / s.video.timeBaseDen;
    r.session = 1;
    r.width = 160;
    r.height = 128;
    r.detected = true;
    const vision::Box box{10, 10, 20.0f + float(frame), 60};
    r.detections = {{0, 0.9f, box}};
    r.objects = {{1, 0, 0.9f, box, 0}};
    return r;
}

struct Reports {
    std::mutex m;
    std::vector<ClipReport> all;
    std::function<void(const ClipReport&)> callback() {
        return [this](const ClipReport& r) {
            std::lock_guard lk(m);
            all.push_back(r);
        };
    }
};

// Packets run `lag` frames ahead of the results, as inference latency makes them.
void feed(ClipRecorder& rec, const Source& s, const std::map<int, std::vector<std::string>>& alerts,
          int lag = 5, int from = 0, int to = kFrames) {
    for (int i = from; i < to; ++i) {
        rec.onPacket(s.packets.live(size_t(i)));
        const int r = i - lag;
        if (r < from) continue;
        SourceFrameResult res = resultAt(s, r);
        if (auto it = alerts.find(r); it != alerts.end())
            for (const auto& rule : it->second) res.alerts.push_back(alertAt(s, r, rule));
        rec.onResult(res);
    }
    for (int r = std::max(from, to - lag); r < to; ++r) {
        SourceFrameResult res = resultAt(s, r);
        if (auto it = alerts.find(r); it != alerts.end())
            for (const auto& rule : it->second) res.alerts.push_back(alertAt(s, r, rule));
        rec.onResult(res);
    }
}

std::vector<int> frameNumbers(const fs::path& clip) {
    media::MediaSource src;
    media::OpenOptions o;
    o.url = clip.string();
    const Status st = src.open(o);
    EXPECT_TRUE(st) << clip << ": " << st.message();
    std::vector<int> out;
    for (;;) {
        auto f = src.readFrame();
        if (!f) break;
        out.push_back(sl::testing::readFramePatternFromLuma(f->plane(0), f->stride(0), f->width(),
                                                            f->height()));
    }
    return out;
}

std::vector<int> range(int first, int last) {
    std::vector<int> v;
    for (int i = first; i <= last; ++i) v.push_back(i);
    return v;
}

json readJson(const fs::path& p) {
    std::ifstream in(p);
    EXPECT_TRUE(in) << p;
    return json::parse(in);
}

// Every sidecar frame k is the clip's k-th picture: the number drawn there is its source frame,
// and its box is the one made for that source frame (right edge 20 + frame).
void expectSidecarMatchesPictures(const json& side, const std::vector<int>& pictures) {
    ASSERT_EQ(side["frame_count"].get<size_t>(), pictures.size());
    ASSERT_EQ(side["frames"].size(), pictures.size());
    for (size_t k = 0; k < pictures.size(); ++k) {
        const json& f = side["frames"][k];
        ASSERT_EQ(f["frame"].get<size_t>(), k);
        EXPECT_EQ(f["source_frame"].get<int>(), pictures[k]) << "clip frame " << k;
        ASSERT_EQ(f["objects"].size(), 1u);
        EXPECT_FLOAT_EQ(f["objects"][0]["box"][2].get<float>(), 20.0f + float(pictures[k]));
        ASSERT_EQ(f["detections"].size(), 1u);
        EXPECT_EQ(f["detections"][0]["label"], "person");
        EXPECT_NEAR(f["time"].get<double>(), double(k) / kFps, 1e-3);
    }
}

ClipRecorderOptions options(double pre, double post) {
    ClipRecorderOptions o;
    o.source = "cam";
    o.preSeconds = pre;
    o.postSeconds = post;
    o.lagSeconds = 1;
    o.labels = {"person"};
    return o;
}

TEST(ClipRecorder, OneAlertGivesPrePlusPostWithinOneGop) {
    sl::testing::TempDir dir("clip-rec");
    const Source s = makeSource(dir);
    ClipStore store(dir.file("clips"), 0);
    ASSERT_TRUE(store.open());
    Reports reports;
    {
        ClipRecorder rec(store, options(1.0, 1.0), reports.callback());
        feed(rec, s, {{50, {"cross"}}});
        rec.stop();
    }
    ASSERT_EQ(reports.all.size(), 1u);
    const ClipReport& c = reports.all[0];
    ASSERT_TRUE(c.status) << c.status.message();
    // Alert at frame 50 (2.0 s); pre 1 s reaches 1.0 s = frame 25, back to keyframe 20; post
    // 1 s ends before frame 75. So frames 20..74: 2.2 s = pre + post + 0.2 s (< one GOP, 0.4 s).
    EXPECT_EQ(c.endReason, "post window");
    EXPECT_EQ(c.frames, 55);
    EXPECT_NEAR(c.seconds, 55.0 / kFps, 1e-6);
    EXPECT_GE(c.seconds, 2.0);
    EXPECT_LT(c.seconds, 2.0 + double(kGop) / kFps);
    EXPECT_EQ(c.rules, std::vector<std::string>{"cross"});
    EXPECT_EQ(c.video.parent_path(), dir.file("clips"));
    EXPECT_EQ(c.video.filename().string().rfind("cam-", 0), 0u);
    const std::vector<int> pictures = frameNumbers(c.video);
    EXPECT_EQ(pictures, range(20, 74));
    const json side = readJson(c.sidecar);
    EXPECT_EQ(side["source"], "cam");
    EXPECT_EQ(side["video"], c.video.filename().string());
    EXPECT_EQ(side["codec"], "h264");
    EXPECT_NEAR(side["pre_s"].get<double>(), 30.0 / kFps, 1e-3);
    ASSERT_EQ(side["alerts"].size(), 1u);
    EXPECT_EQ(side["alerts"][0]["alert"], "cross");
    EXPECT_EQ(side["alerts"][0]["direction"], "A->B");
    EXPECT_EQ(side["alerts"][0]["frame"], 50);
    EXPECT_EQ(side["alerts"][0]["clip_frame"], 30);   // 50 - 20
    expectSidecarMatchesPictures(side, pictures);
    ASSERT_EQ(store.list().size(), 1u);
}

TEST(ClipRecorder, AlertInThePostWindowExtendsTheClipALaterOneStartsANewClip) {
    sl::testing::TempDir dir("clip-rec2");
    const Source s = makeSource(dir);
    ClipStore store(dir.file("clips"), 0);
    ASSERT_TRUE(store.open());
    Reports reports;
    {
        ClipRecorder rec(store, options(1.0, 1.0), reports.callback());
        // 50: a clip to before 75. 60 is inside it: to before 85. 95 is past 85: a new clip,
        // from keyframe 70 (95 - 25), which the video's end (stop) finishes.
        feed(rec, s, {{50, {"cross"}}, {60, {"cross", "count"}}, {95, {"late"}}});
        rec.stop();
    }
    ASSERT_EQ(reports.all.size(), 2u);
    const ClipReport& a = reports.all[0];
    const ClipReport& b = reports.all[1];
    ASSERT_TRUE(a.status) << a.status.message();
    ASSERT_TRUE(b.status) << b.status.message();
    EXPECT_EQ(a.rules, (std::vector<std::string>{"cross", "cross", "count"}));
    EXPECT_EQ(a.endReason, "post window");
    const auto pa = frameNumbers(a.video);
    EXPECT_EQ(pa, range(20, 84));
    const json sa = readJson(a.sidecar);
    ASSERT_EQ(sa["alerts"].size(), 3u);
    EXPECT_EQ(sa["alerts"][0]["clip_frame"], 30);
    EXPECT_EQ(sa["alerts"][1]["clip_frame"], 40);
    EXPECT_EQ(sa["alerts"][2]["alert"], "count");
    expectSidecarMatchesPictures(sa, pa);

    EXPECT_EQ(b.rules, std::vector<std::string>{"late"});
    EXPECT_EQ(b.endReason, "stopped");
    const auto pb = frameNumbers(b.video);
    EXPECT_EQ(pb, range(70, 99));
    const json sb = readJson(b.sidecar);
    EXPECT_EQ(sb["alerts"][0]["clip_frame"], 25);
    expectSidecarMatchesPictures(sb, pb);
    EXPECT_NE(a.video, b.video);
    EXPECT_EQ(store.list().size(), 2u);
}

TEST(ClipRecorder, NewConnectionEndsTheClip) {
    sl::testing::TempDir dir("clip-rec3");
    const Source s = makeSource(dir);
    // The same file again as the second connection, whose frames are numbered from 100.
    auto second = sl::testing::readPacketFile(s.video.path, 2, kFrames, 2);
    ASSERT_TRUE(second);
    ClipStore store(dir.file("clips"), 0);
    ASSERT_TRUE(store.open());
    Reports reports;
    {
        ClipRecorder rec(store, options(1.0, 1.0), reports.callback());
        // Alert at 80: the clip would run to 104, but the connection ends after 99.
        feed(rec, s, {{80, {"cross"}}}, 5, 0, kFrames);
        EXPECT_TRUE(reports.all.empty());   // its results are in, the end is not known yet
        for (int i = 0; i < 10; ++i) {
            rec.onPacket(second->live(size_t(i)));
            if (i >= 3) rec.onResult(resultAt(s, i - 3, kFrames));
        }
        for (int i = 0; i < 200 && [&] {
                 std::lock_guard lk(reports.m);
                 return reports.all.empty();
             }(); ++i)
            std::this_thread::sleep_for(10ms);
        rec.stop();
    }
    ASSERT_EQ(reports.all.size(), 1u);
    const ClipReport& c = reports.all[0];
    ASSERT_TRUE(c.status) << c.status.message();
    EXPECT_EQ(c.endReason, "connection ended");
    const auto p = frameNumbers(c.video);
    EXPECT_EQ(p, range(50, 99));   // keyframe 50 (80 - 25 -> 50) to the connection's last
    expectSidecarMatchesPictures(readJson(c.sidecar), p);
}

TEST(ClipRecorder, AlertBeforePreSecondsOfVideoStartsAtTheFirstKeyframe) {
    sl::testing::TempDir dir("clip-rec4");
    const Source s = makeSource(dir);
    ClipStore store(dir.file("clips"), 0);
    ASSERT_TRUE(store.open());
    Reports reports;
    {
        ClipRecorder rec(store, options(2.0, 0.4), reports.callback());
        feed(rec, s, {{12, {"early"}}});
        rec.stop();
    }
    ASSERT_EQ(reports.all.size(), 1u);
    ASSERT_TRUE(reports.all[0].status) << reports.all[0].status.message();
    // Only 0.48 s of video before frame 12: from frame 0; post 0.4 s: up to frame 21.
    EXPECT_EQ(frameNumbers(reports.all[0].video), range(0, 21));
    EXPECT_NEAR(readJson(reports.all[0].sidecar)["pre_s"].get<double>(), 12.0 / kFps, 1e-3);
}

void writeFile(const fs::path& p, size_t bytes) {
    std::ofstream(p, std::ios::binary) << std::string(bytes, 'x');
}

TEST(ClipStore, QuotaDeletesTheOldestClipsFirst) {
    sl::testing::TempDir dir("clip-quota");
    const fs::path d = dir.file("clips");
    ClipStore store(d, 3000);
    ASSERT_TRUE(store.open());
    // Five clips of 1000 + 100 bytes, clip i modified i minutes ago (so 4 is the oldest); the
    // names sort the other way round, so only the times can give the order.
    const auto now = fs::file_time_type::clock::now();
    std::vector<fs::path> videos;
    for (int i = 0; i < 5; ++i) {
        const fs::path v = d / ("cam-" + std::to_string(9 - i) + ".mp4");
        writeFile(v, 1000);
        writeFile(clipSidecarPath(v), 100);
        fs::last_write_time(v, now - std::chrono::minutes(i));
        videos.push_back(v);
    }
    ASSERT_EQ(store.totalBytes(), 5500);
    // 5500 > 3000: delete 4 (4400), 3 (3300), 2 (2200 <= 3000); 1 and 0 stay.
    const auto deleted = store.enforceQuota(videos[0]);
    EXPECT_EQ(deleted, (std::vector<fs::path>{videos[4], videos[3], videos[2]}));
    for (int i = 2; i < 5; ++i) {
        EXPECT_FALSE(fs::exists(videos[size_t(i)]));
        EXPECT_FALSE(fs::exists(clipSidecarPath(videos[size_t(i)])));
    }
    const auto left = store.list();
    ASSERT_EQ(left.size(), 2u);
    EXPECT_EQ(left[0].video, videos[1]);   // oldest first
    EXPECT_EQ(left[1].video, videos[0]);
    EXPECT_EQ(store.totalBytes(), 2200);

    // The clip just written stays even when it alone is above the quota.
    ClipStore small(d, 500);
    EXPECT_EQ(small.enforceQuota(videos[0]), std::vector<fs::path>{videos[1]});
    EXPECT_TRUE(fs::exists(videos[0]));
}

TEST(ClipStore, OpenRemovesOrphanSidecarsAndDeadWritersTemporaries) {
    sl::testing::TempDir dir("clip-open");
    const fs::path d = dir.file("clips");
    fs::create_directories(d);
    writeFile(d / "cam-1.mp4", 10);
    writeFile(d / "cam-1.json", 10);
    writeFile(d / "cam-2.json", 10);   // its video was deleted, the sidecar not yet
    // A temporary named for a process that no longer exists: a child that has exited.
    const pid_t gone = ::fork();
    ASSERT_GE(gone, 0);
    if (gone == 0) ::_exit(0);
    int status = 0;
    ASSERT_EQ(::waitpid(gone, &status, 0), gone);
    const fs::path mine = media::clipTemporaryPath(d / "cam-3.mp4");
    std::string dead = mine.filename().string();
    // ".cam-3.mp4.tmp-<host>-<pid>-<n>": swap the pid for the dead one.
    const auto last = dead.rfind('-'), pidAt = dead.rfind('-', last - 1);
    dead = dead.substr(0, pidAt + 1) + std::to_string(gone) + dead.substr(last);
    writeFile(d / dead, 10);
    writeFile(mine, 10);
    ClipStore store(d, 0);
    ASSERT_TRUE(store.open());
    EXPECT_TRUE(fs::exists(d / "cam-1.mp4"));
    EXPECT_TRUE(fs::exists(d / "cam-1.json"));
    EXPECT_FALSE(fs::exists(d / "cam-2.json"));
    EXPECT_FALSE(fs::exists(d / dead));
    EXPECT_TRUE(fs::exists(mine));   // this process is alive: it may be writing it
    ASSERT_EQ(store.list().size(), 1u);
}

// ---- end to end, with the default detector ----

fs::path imageDir() {
    if (const char* d = std::getenv("SIGHTLINE_TEST_IMAGES"); d && *d) return d;
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "test-images";
}

fs::path modelPath() { return fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx"; }

// The scene: 640 x 400. The top 640 x 96 carry the frame number (the test pattern), the rest
// is grey; a 96 x 284 crop of person.jpg (the person alone) moves right by kStep pixels a frame
// from x = kX0, its top at y = 108. A vertical line at x = 320 from (320, 400) up to (320, 0):
// looking from a to b (upwards) its right side is x > 320, so walking left to right is A->B.
constexpr int kW = 640, kH = 400, kStrip = 96, kX0 = 40, kStep = 6, kCropW = 96, kCropH = 284;
constexpr int kSceneFrames = 100;

// The frame where the crop's bottom-centre (the line's anchor) passes x = 320:
// kX0 + kStep * n + kCropW / 2 > 320 first at n = 39 (40 + 234 + 48 = 322).
constexpr int kCrossingFrame = (320 - kX0 - kCropW / 2) / kStep + 1;

Expected<fs::path> makeScene(const sl::testing::TempDir& dir) {
    const fs::path person = imageDir() / "person.jpg";
    if (!fs::exists(person))
        return Status(StatusCode::NotFound,
                      "missing " + person.string() + ": run packaging/fetch-test-images.sh");
    sl::testing::VideoSpec spec;
    spec.path = dir.file("strip.mp4");
    spec.frames = kSceneFrames;
    spec.fps = kFps;
    spec.gopSize = kGop;
    spec.width = kW;
    spec.height = kStrip;
    auto strip = sl::testing::generateVideo(spec);
    if (!strip) return strip.status();
    const fs::path out = dir.file("scene.mp4");
    const std::string filter =
        "[0:v]pad=" + std::to_string(kW) + ":" + std::to_string(kH) +
        ":0:0:color=0x808080[bg];[1:v]crop=" + std::to_string(kCropW) + ":" +
        std::to_string(kCropH) + ":186:96[p];[bg][p]overlay=x='" + std::to_string(kX0) + "+" +
        std::to_string(kStep) + "*n':y=108:eof_action=repeat,format=yuv420p";
    // The ffmpeg command line: the filters do the compositing (paths are the test's own
    // temporary folder and the image cache, without quotes in them).
    const std::string cmd =
        "ffmpeg -v error -y -i '" + spec.path.string() + "' -loop 1 -i '" + person.string() +
        "' -filter_complex \"" + filter + "\" -frames:v " + std::to_string(kSceneFrames) +
        " -c:v libx264 -preset ultrafast -g " + std::to_string(kGop) +
        " -bf 0 -x264-params scenecut=0 -r " + std::to_string(kFps) + " '" + out.string() +
        "' 2>'" + dir.file("ffmpeg.log").string() + "'";
    const int code = std::system(cmd.c_str());
    if (code != 0 || !fs::exists(out)) {
        std::ifstream log(dir.file("ffmpeg.log"));
        std::stringstream ss;
        ss << log.rdbuf();
        return Status(StatusCode::Internal, "test: ffmpeg failed (" + std::to_string(code) +
                                                "): " + ss.str());
    }
    return out;
}

int stripNumber(const media::VideoFrame& f) {
    return sl::testing::readFramePatternFromLuma(f.plane(0), f.stride(0), f.width(), kStrip);
}

TEST(ClipEndToEnd, PersonCrossingALineGivesOneAlertAndAClipWithTheCrossing) {
    ASSERT_TRUE(fs::exists(modelPath())) << "missing test model " << modelPath();
    sl::testing::TempDir dir("clip-e2e");
    auto scene = makeScene(dir);
    ASSERT_TRUE(scene) << scene.status().message();

    auto det = Detector::load(modelPath().string());
    ASSERT_TRUE(det) << det.status().message();
    const std::vector<std::string> labels = (*det)->manifest().labels;
    std::vector<std::unique_ptr<InferenceStream>> streams;
    streams.push_back(detectorStream(**det));
    Scheduler sched(std::move(streams));

    analytics::Scene sc;
    analytics::Line line;
    line.name = "gate";
    line.a = {320, double(kH)};
    line.b = {320, 0};
    line.classes = {"person"};
    sc.lines.push_back(line);
    analytics::Rule in;
    in.name = "in";
    in.kind = analytics::RuleKind::LineCross;
    in.target = "gate";
    in.classes = {"person"};
    in.direction = +1;
    analytics::Rule out = in;
    out.name = "out";
    out.direction = -1;
    sc.rules = {in, out};

    ClipStore store(dir.file("clips"), 0);
    ASSERT_TRUE(store.open());
    Reports reports;
    ClipRecorderOptions ro = options(1.0, 1.0);
    ro.lagSeconds = 3;   // the detector's real latency, not the scripted one
    ro.labels = labels;
    ClipRecorder rec(store, ro, reports.callback());

    std::mutex m;
    std::vector<SourceFrameResult> results;
    SourcePipelineOptions o;
    o.name = "cam";
    o.live.open.url = scene->string();
    o.live.paceToRealTime = true;   // a simulated camera, once through
    o.live.reconnect.maxAttempts = 0;
    o.scene = sc;
    o.labels = labels;
    SourcePipelineCallbacks cb;
    cb.onPacket = [&](const std::string&, const media::LivePacket& p) { rec.onPacket(p); };
    cb.onResult = [&](const SourceFrameResult& r) {
        rec.onResult(r);
        std::lock_guard lk(m);
        results.push_back(r);
    };
    SourcePipeline cam(sched, o, cb);
    cam.start();
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (cam.status().live.state != media::LiveState::Failed &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    cam.stop();
    rec.stop();

    std::vector<analytics::Alert> alerts;
    for (const auto& r : results)
        for (const auto& a : r.alerts) alerts.push_back(a);
    ASSERT_EQ(results.size(), size_t(kSceneFrames));
    ASSERT_EQ(alerts.size(), 1u) << "alerts: " << alerts.size();
    const analytics::Alert& a = alerts[0];
    EXPECT_EQ(a.rule, "in");
    EXPECT_EQ(a.direction, +1);
    // The detector's box is not the crop's exact outline, and frames may be carried: a few
    // frames of slack around the geometric crossing.
    EXPECT_NEAR(double(a.frameIndex), double(kCrossingFrame), 4.0) << a.message;

    ASSERT_EQ(reports.all.size(), 1u);
    const ClipReport& c = reports.all[0];
    ASSERT_TRUE(c.status) << c.status.message();
    // Pictures in the clip: their drawn numbers are the source frames. Keyframe at or before
    // alert - 25 frames, to alert + 24.
    media::MediaSource clip;
    media::OpenOptions co;
    co.url = c.video.string();
    ASSERT_TRUE(clip.open(co));
    std::vector<int> pictures;
    for (;;) {
        auto f = clip.readFrame();
        if (!f) break;
        pictures.push_back(stripNumber(*f));
    }
    const int f = int(a.frameIndex);
    const int first = std::max(0, (f - 25) / kGop * kGop);
    EXPECT_EQ(pictures, range(first, std::min(kSceneFrames - 1, f + 24)));
    EXPECT_NE(std::find(pictures.begin(), pictures.end(), kCrossingFrame), pictures.end());
    EXPECT_GE(c.seconds, std::min(2.0, double(kSceneFrames - first) / kFps) - 1e-6);
    EXPECT_LT(c.seconds, 2.0 + double(kGop) / kFps);
    // The sidecar: the alert on its clip frame, and each frame's boxes are those of the result
    // of the source frame drawn in that picture.
    const json side = readJson(c.sidecar);
    ASSERT_EQ(side["alerts"].size(), 1u);
    EXPECT_EQ(side["alerts"][0]["clip_frame"].get<int>(), f - first);
    EXPECT_EQ(side["alerts"][0]["direction"], "A->B");
    ASSERT_EQ(side["frames"].size(), pictures.size());
    for (size_t k = 0; k < pictures.size(); ++k) {
        const json& fr = side["frames"][k];
        EXPECT_EQ(fr["source_frame"].get<int>(), pictures[k]);
        const SourceFrameResult& r = results[size_t(pictures[k])];
        ASSERT_EQ(fr["objects"].size(), r.objects.size()) << k;
        for (size_t j = 0; j < r.objects.size(); ++j) {
            EXPECT_EQ(fr["objects"][j]["id"].get<int64_t>(), r.objects[j].trackId);
            EXPECT_NEAR(fr["objects"][j]["box"][0].get<double>(), r.objects[j].box.x1, 1e-3);
            EXPECT_NEAR(fr["objects"][j]["box"][2].get<double>(), r.objects[j].box.x2, 1e-3);
        }
    }
    // On the alert's frame the person's box straddles the line.
    const json& at = side["frames"][size_t(f - first)];
    ASSERT_FALSE(at["objects"].empty());
    EXPECT_LT(at["objects"][0]["box"][0].get<double>(), 320);
    EXPECT_GT(at["objects"][0]["box"][2].get<double>(), 320);
}

}  // namespace
}  // namespace sl::pipeline
