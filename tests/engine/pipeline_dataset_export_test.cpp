// The compact dataset export: a generated video whose frames carry their number, a set with lone
// boxes and an interpolated track; only the annotated frames are written, image i shows frame i's
// number (and the pattern's exact grey levels in PNG), the labels are the set's boxes converted
// by hand (YOLO's normalised centres, COCO's x/y/w/h), and a cancel leaves nothing behind.

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <map>
#include <set>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "media/ffmpeg_ptr.h"
#include "pipeline/dataset_export.h"
#include "support/frame_pattern.h"
#include "support/video_generator.h"

namespace fs = std::filesystem;
using namespace sl;
using annotate::Object;

namespace {

constexpr int kW = 320, kH = 240;

// Decodes a PNG or JPEG file (FFmpeg's image demuxers) to rgb24.
media::AvFramePtr decodeImage(const fs::path& path) {
    AVFormatContext* raw = nullptr;
    if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) return nullptr;
    media::AvFormatInputPtr fmt(raw);
    if (avformat_find_stream_info(fmt.get(), nullptr) < 0 || fmt->nb_streams < 1) return nullptr;
    const AVCodecParameters* par = fmt->streams[0]->codecpar;
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    media::AvCodecContextPtr ctx(avcodec_alloc_context3(codec));
    avcodec_parameters_to_context(ctx.get(), par);
    if (avcodec_open2(ctx.get(), codec, nullptr) < 0) return nullptr;
    media::AvPacketPtr pkt(av_packet_alloc());
    media::AvFramePtr frame(av_frame_alloc());
    if (av_read_frame(fmt.get(), pkt.get()) < 0) return nullptr;
    if (avcodec_send_packet(ctx.get(), pkt.get()) < 0) return nullptr;
    avcodec_send_packet(ctx.get(), nullptr);
    if (avcodec_receive_frame(ctx.get(), frame.get()) < 0) return nullptr;
    media::AvFramePtr rgb(av_frame_alloc());
    rgb->format = AV_PIX_FMT_RGB24;
    rgb->width = frame->width;
    rgb->height = frame->height;
    av_frame_get_buffer(rgb.get(), 0);
    media::SwsContextPtr sws(sws_getContext(frame->width, frame->height,
                                            AVPixelFormat(frame->format), frame->width,
                                            frame->height, AV_PIX_FMT_RGB24, SWS_POINT, nullptr,
                                            nullptr, nullptr));
    sws_scale(sws.get(), frame->data, frame->linesize, 0, frame->height, rgb->data,
              rgb->linesize);
    return rgb;
}

// The frame number drawn in an RGB image of a full-range grey picture (pattern on = 235 luma ->
// 255, off = 16 -> 0), read back through the luma the pattern reader expects.
int numberIn(const AVFrame* rgb) {
    return sl::testing::readFramePattern(
        [&](int x, int y) {
            const int g = rgb->data[0][y * rgb->linesize[0] + 3 * x + 1];
            return 16 + g * 219 / 255;
        },
        rgb->width, rgb->height);
}

Object box(int64_t frame, const std::string& label, float x1, float y1, float x2, float y2,
           int64_t track = annotate::kNoTrack, bool outside = false) {
    Object o;
    o.frame = frame;
    o.label = label;
    o.box = {x1, y1, x2, y2};
    o.trackId = track;
    o.outside = outside;
    return o;
}

struct Fixture {
    sl::testing::TempDir dir{"dataset-export"};
    annotate::AnnotationSet set;
    annotate::MediaInfo media;
    fs::path video;

    Fixture() {
        sl::testing::VideoSpec spec;
        spec.path = video = dir.file("clip.mp4");
        spec.width = kW, spec.height = kH, spec.frames = 60, spec.gopSize = 25;
        EXPECT_TRUE(sl::testing::generateVideo(spec));
        media.path = video.string();
        media.width = kW, media.height = kH, media.frameCount = 60, media.fps = 25;
        set.name = "gt";
        set.labels = {"person", "car"};
        set.objects = {
            box(3, "person", 10, 20, 110, 220),
            box(17, "car", 0, 0, 320, 240),
            box(17, "person", 40, 40, 60, 80),
            box(40, "car", 300, 200, 320, 240),
            // A track: keyframes at 50 and 53, outside from 54: 51 and 52 are interpolated.
            box(50, "person", 0, 0, 100, 100, 7),
            box(53, "person", 30, 60, 130, 160, 7),
            box(54, "person", 30, 60, 130, 160, 7, true),
            // A dense stored track without keyframes (a tracker's output): taken as stored, and
            // not repeated after its last box.
            box(10, "car", 5, 5, 25, 25, 9),
            box(11, "car", 6, 5, 26, 25, 9),
        };
        set.objects[7].keyframe = set.objects[8].keyframe = false;
    }
};

// Every visible box per frame, by hand: lone boxes, track 9 as stored, track 7's keyframes and its
// linear interpolation at 51 (1/3 of the way) and 52 (2/3), nothing at 54 (outside) or after.
const std::map<int64_t, std::vector<std::pair<std::string, std::array<double, 4>>>> kExpected = {
    {3, {{"person", {10, 20, 110, 220}}}},
    {10, {{"car", {5, 5, 25, 25}}}},
    {11, {{"car", {6, 5, 26, 25}}}},
    {17, {{"car", {0, 0, 320, 240}}, {"person", {40, 40, 60, 80}}}},
    {40, {{"car", {300, 200, 320, 240}}}},
    {50, {{"person", {0, 0, 100, 100}}}},
    {51, {{"person", {10, 20, 110, 120}}}},
    {52, {{"person", {20, 40, 120, 140}}}},
    {53, {{"person", {30, 60, 130, 160}}}},
};

std::string readText(const fs::path& p) {
    std::ifstream is(p);
    std::stringstream ss;
    ss << is.rdbuf();
    return ss.str();
}

}  // namespace

TEST(DatasetExport, YoloPngOnlyAnnotatedFramesWithTheirPixelsAndLabels) {
    Fixture fx;
    std::vector<int64_t> expectFrames;
    for (const auto& [f, _] : kExpected) expectFrames.push_back(f);
    EXPECT_EQ(pipeline::annotatedFrames(fx.set, fx.media), expectFrames);

    pipeline::DatasetExportOptions o;
    o.video = fx.video.string();
    o.output = fx.dir.file("ds");
    o.labels = annotate::formats::Format::Yolo;
    o.images = pipeline::DatasetImageFormat::Png;
    std::vector<int64_t> progress;
    auto r = pipeline::exportDataset(fx.set, fx.media, o, [&](const pipeline::DatasetExportProgress& p) {
        progress.push_back(p.frames);
        EXPECT_EQ(p.total, 9);
    });
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->frames, 9);
    EXPECT_EQ(r->objects, 10);
    EXPECT_EQ(progress, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));

    std::set<std::string> images, labels;
    for (const auto& e : fs::directory_iterator(o.output / "images"))
        images.insert(e.path().filename().string());
    for (const auto& e : fs::directory_iterator(o.output / "labels"))
        labels.insert(e.path().filename().string());
    std::set<std::string> expectImages, expectLabels = {"classes.txt"};
    for (int64_t f : expectFrames) {
        char n[32];
        std::snprintf(n, sizeof n, "frame_%06lld", (long long)f);
        expectImages.insert(std::string(n) + ".png");
        expectLabels.insert(std::string(n) + ".txt");
    }
    EXPECT_EQ(images, expectImages);
    EXPECT_EQ(labels, expectLabels);
    EXPECT_EQ(readText(o.output / "labels" / "classes.txt"), "person\ncar\n");

    uint64_t bytes = 0;
    for (const auto& e : fs::recursive_directory_iterator(o.output))
        if (e.is_regular_file()) bytes += e.file_size();
    EXPECT_EQ(r->bytes, bytes);

    for (const auto& [f, boxes] : kExpected) {
        char n[32];
        std::snprintf(n, sizeof n, "frame_%06lld", (long long)f);
        media::AvFramePtr rgb = decodeImage(o.output / "images" / (std::string(n) + ".png"));
        ASSERT_TRUE(rgb) << n;
        EXPECT_EQ(rgb->width, kW);
        EXPECT_EQ(rgb->height, kH);
        EXPECT_EQ(numberIn(rgb.get()), f) << n;
        // Cell (0,0) holds bit 0: its centre is white (255) for odd frames, black (0) for even.
        const uint8_t* centre = rgb->data[0] + (kH / 8) * rgb->linesize[0] + 3 * (kW / 8);
        EXPECT_NEAR(centre[0], f % 2 ? 255 : 0, 3) << n;

        std::istringstream is(readText(o.output / "labels" / (std::string(n) + ".txt")));
        std::vector<std::array<double, 5>> rows;
        for (std::array<double, 5> row; is >> row[0] >> row[1] >> row[2] >> row[3] >> row[4];)
            rows.push_back(row);
        ASSERT_EQ(rows.size(), boxes.size()) << n;
        for (const auto& [label, b] : boxes) {
            const std::array<double, 5> want = {label == "person" ? 0.0 : 1.0,
                                                (b[0] + b[2]) / 2 / kW, (b[1] + b[3]) / 2 / kH,
                                                (b[2] - b[0]) / kW, (b[3] - b[1]) / kH};
            EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const auto& row) {
                for (int k = 0; k < 5; ++k)
                    if (std::abs(row[k] - want[k]) > 1e-5) return false;
                return true;
            })) << n << " " << label;
        }
    }
    // A second export into the same folder is refused, the first left alone.
    auto again = pipeline::exportDataset(fx.set, fx.media, o);
    EXPECT_FALSE(again);
    EXPECT_EQ(fs::directory_iterator(o.output / "images") == fs::directory_iterator(), false);
}

TEST(DatasetExport, CocoJpegListsOnlyAnnotatedFrames) {
    Fixture fx;
    pipeline::DatasetExportOptions o;
    o.video = fx.video.string();
    o.output = fx.dir.file("coco");
    o.labels = annotate::formats::Format::Coco;
    o.images = pipeline::DatasetImageFormat::Jpeg;
    auto r = pipeline::exportDataset(fx.set, fx.media, o);
    ASSERT_TRUE(r) << r.status().message();
    const nlohmann::json j = nlohmann::json::parse(readText(o.output / "annotations.json"));
    ASSERT_EQ(j["images"].size(), kExpected.size());
    std::map<int64_t, int64_t> frameOfImage;
    for (const auto& im : j["images"]) {
        const int64_t f = im["frame_index"];
        ASSERT_TRUE(kExpected.count(f)) << f;
        char n[32];
        std::snprintf(n, sizeof n, "frame_%06lld.jpg", (long long)f);
        EXPECT_EQ(im["file_name"], n);
        frameOfImage[im["id"]] = f;
        media::AvFramePtr rgb = decodeImage(o.output / "images" / n);
        ASSERT_TRUE(rgb) << n;
        EXPECT_EQ(numberIn(rgb.get()), f) << n;
    }
    std::map<int64_t, std::vector<std::array<double, 4>>> got;
    for (const auto& a : j["annotations"])
        got[frameOfImage.at(a["image_id"])].push_back(
            {a["bbox"][0], a["bbox"][1], a["bbox"][2], a["bbox"][3]});
    ASSERT_EQ(got.size(), kExpected.size());
    for (const auto& [f, boxes] : kExpected) {
        ASSERT_EQ(got[f].size(), boxes.size()) << f;
        for (size_t i = 0; i < boxes.size(); ++i) {
            const auto& b = boxes[i].second;
            const std::array<double, 4> xywh = {b[0], b[1], b[2] - b[0], b[3] - b[1]};
            EXPECT_TRUE(std::any_of(got[f].begin(), got[f].end(), [&](const auto& g) {
                for (int k = 0; k < 4; ++k)
                    if (std::abs(g[k] - xywh[k]) > 1e-4) return false;
                return true;
            })) << "frame " << f << " box " << i;
        }
    }
}

TEST(DatasetExport, CancelLeavesNothingBehind) {
    Fixture fx;
    pipeline::DatasetExportOptions o;
    o.video = fx.video.string();
    o.output = fx.dir.file("cancelled");
    o.labels = annotate::formats::Format::Yolo;
    std::atomic<bool> cancel{false};
    int64_t written = 0;
    auto r = pipeline::exportDataset(
        fx.set, fx.media, o,
        [&](const pipeline::DatasetExportProgress& p) {
            written = p.frames;
            if (p.frames == 2) cancel = true;
        },
        &cancel);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status().code(), StatusCode::Cancelled);
    EXPECT_EQ(written, 2);
    EXPECT_FALSE(fs::exists(o.output));
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(fx.dir.path())) left.push_back(e.path().filename());
    EXPECT_EQ(left, std::vector<std::string>{"clip.mp4"});
}

TEST(DatasetExport, BadInputIsNamed) {
    Fixture fx;
    pipeline::DatasetExportOptions o;
    o.video = fx.dir.file("missing.mp4").string();
    o.output = fx.dir.file("x");
    auto r = pipeline::exportDataset(fx.set, fx.media, o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.status().message().find("missing.mp4"), std::string::npos) << r.status().message();
    o.labels = annotate::formats::Format::Mot;
    o.video = fx.video.string();
    r = pipeline::exportDataset(fx.set, fx.media, o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.status().message().find("yolo or coco"), std::string::npos);
    EXPECT_FALSE(fs::exists(o.output));
}
