// An event clip's sidecar read back (pipeline/clip_sidecar.h: what the wall's Clips list shows
// and the boxes a clip plays with), and ClipStore::remove (the Clips list's Delete).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "pipeline/clip_sidecar.h"
#include "pipeline/clip_store.h"
#include "support/video_generator.h"

namespace sl::pipeline {
namespace {

namespace fs = std::filesystem;

// Two frames: frame 0 with one tracked person, frame 2 with none (frame 1's result never came).
const char* kSidecar = R"({"version": 1, "source": "door", "video": "door-x.mp4",
  "codec": "h264", "width": 640, "height": 400, "frame_count": 3, "duration_s": 0.12,
  "pre_s": 0.04, "post_s": 1, "end": "post window", "truncated": false,
  "source_time_base": [1, 12800], "source_start_pts": 512, "session": 1,
  "alerts": [{"time": 1.56, "frame": 39, "alert": "in", "kind": "line-cross",
              "severity": "critical", "wall_time": "2026-12-07T20:31:03.781Z",
              "clip_frame": 1, "clip_time": 0.04}],
  "frames": [{"frame": 0, "time": 0.0, "source_frame": 38, "detected": true, "detections": [],
              "objects": [{"id": 7, "class": 0, "label": "person", "score": 0.875,
                           "box": [282.5, 113.25, 366.0, 398.75]}]},
             {"frame": 2, "time": 0.08, "source_frame": 40, "detected": false,
              "detections": [], "objects": []}]})";

TEST(ClipSidecar, ReadsCameraRulesAndEveryFramesBoxes) {
    auto s = parseClipSidecar(kSidecar, "door-x.json");
    ASSERT_TRUE(s) << s.status().message();
    EXPECT_EQ(s->source, "door");
    EXPECT_EQ(s->video, "door-x.mp4");
    EXPECT_EQ(s->width, 640);
    EXPECT_EQ(s->height, 400);
    EXPECT_EQ(s->frameCount, 3);
    EXPECT_DOUBLE_EQ(s->durationSeconds, 0.12);
    ASSERT_EQ(s->alerts.size(), 1u);
    EXPECT_EQ(s->alerts[0].rule, "in");
    EXPECT_EQ(s->alerts[0].severity, "critical");
    EXPECT_EQ(s->alerts[0].clipFrame, 1);
    EXPECT_EQ(s->alerts[0].wallTime, "2026-12-07T20:31:03.781Z");
    ASSERT_EQ(s->frames.size(), 2u);
    EXPECT_EQ(s->frames[0].frameIndex, 0);
    EXPECT_EQ(s->frames[0].width, 640);
    ASSERT_EQ(s->frames[0].detections.size(), 1u);
    EXPECT_EQ(s->frames[0].detections[0].box, (vision::Box{282.5f, 113.25f, 366.0f, 398.75f}));
    EXPECT_FLOAT_EQ(s->frames[0].detections[0].score, 0.875f);
    EXPECT_EQ(s->frames[0].trackIds, std::vector<int64_t>{7});
    EXPECT_EQ(s->frames[1].frameIndex, 2);
    EXPECT_DOUBLE_EQ(s->frames[1].seconds, 0.08);
    EXPECT_TRUE(s->frames[1].detections.empty());
    ASSERT_EQ(s->labels.size(), 1u);
    EXPECT_EQ(s->labels[0], "person");
}

TEST(ClipSidecar, BadValuesAreRefusedWithTheFileAndThePointer) {
    const std::string good = kSidecar;
    const auto expectError = [&](std::string text, const std::string& what) {
        auto s = parseClipSidecar(text, "door-x.json");
        ASSERT_FALSE(s) << what;
        EXPECT_NE(s.status().message().find("clips: door-x.json: " + what), std::string::npos)
            << s.status().message();
    };
    std::string t = good;
    t.replace(t.find("[282.5, 113.25, 366.0, 398.75]"), 30, "[1, 2, 3]");
    expectError(t, "/frames/0/objects/0/box: expected [x1, y1, x2, y2] numbers");
    t = good;
    t.replace(t.find("{\"frame\": 2"), 11, "{\"frame\": 3");
    expectError(t, "/frames/1/frame: outside the clip's 3 frames");
    t = good;
    t.replace(t.find("\"version\": 1"), 12, "\"version\": 2");
    expectError(t, "/version: expected 1");
    t = good;
    t.replace(t.find("\"alert\": \"in\""), 13, "\"alert\": 5");
    expectError(t, "/alerts/0/alert: expected a string");
    expectError("{", "not valid JSON");
    auto missing = loadClipSidecar("/no/such/clip.json");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.status().message().find("/no/such/clip.json"), std::string::npos);
}

TEST(ClipStore, RemoveDeletesVideoAndSidecarAndOnlyClipsOfItsFolder) {
    sl::testing::TempDir dir("clip-remove");
    const fs::path d = dir.file("clips");
    fs::create_directories(d);
    for (const char* name : {"a.mp4", "a.json", "b.mp4", "b.json"}) std::ofstream(d / name) << "x";
    std::ofstream(dir.file("outside.mp4")) << "x";
    ClipStore store(d, 0);
    ASSERT_TRUE(store.open());
    ASSERT_EQ(store.list().size(), 2u);
    ASSERT_TRUE(store.remove(d / "a.mp4"));
    EXPECT_FALSE(fs::exists(d / "a.mp4"));
    EXPECT_FALSE(fs::exists(d / "a.json"));
    ASSERT_EQ(store.list().size(), 1u);
    EXPECT_EQ(store.list()[0].video.filename(), "b.mp4");
    // Not a clip of this folder, not a clip at all, already gone: refused, nothing deleted.
    const Status outside = store.remove(dir.file("outside.mp4"));
    EXPECT_EQ(outside.code(), StatusCode::InvalidArgument) << outside.message();
    EXPECT_TRUE(fs::exists(dir.file("outside.mp4")));
    EXPECT_EQ(store.remove(d / "b.json").code(), StatusCode::InvalidArgument);
    EXPECT_TRUE(fs::exists(d / "b.json"));
    const Status gone = store.remove(d / "a.mp4");
    EXPECT_EQ(gone.code(), StatusCode::Io);
    EXPECT_NE(gone.message().find("a.mp4"), std::string::npos);
    // A clip being written (reserved) is not deleted either.
    const fs::path busy = store.reserve("cam", std::chrono::system_clock::now());
    std::ofstream(busy) << "x";
    EXPECT_EQ(store.remove(busy).code(), StatusCode::InvalidArgument);
    EXPECT_TRUE(fs::exists(busy));
}

}  // namespace
}  // namespace sl::pipeline
