// `sightline track` and `sightline analyze --track`: the verbs run in-process. The palace
// detections (../shared/testdata/tracking) go through a MOTChallenge det.txt the test writes, and
// must come out as the official ncnn tracker's tracks; bad inputs fail with messages naming the
// file and the place.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

#include "support/video_generator.h"

namespace sl::cli {
int runTrack(std::span<const std::string> args, std::ostream& out, std::ostream& err);
int runAnalyze(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}

namespace {

namespace fs = std::filesystem;

struct Box {
    int64_t id = 0;
    double score = 0, x = 0, y = 0, w = 0, h = 0;
};

std::map<int, std::vector<Box>> palace(bool tracks) {
    std::ifstream in(fs::path(SL_SHARED_DIR) / "testdata" / "tracking" /
                     (tracks ? "palace_tracks.json" : "palace_detections.json"));
    EXPECT_TRUE(in);
    const auto j = nlohmann::json::parse(in);
    std::map<int, std::vector<Box>> frames;
    for (const auto& r : j["results"]) {
        Box b;
        if (tracks) b.id = std::stoll(r["track_id"].get<std::string>());
        else b.score = std::stod(r["prob"].get<std::string>());
        b.x = std::stod(r["x"].get<std::string>());
        b.y = std::stod(r["y"].get<std::string>());
        b.w = std::stod(r["width"].get<std::string>());
        b.h = std::stod(r["height"].get<std::string>());
        frames[std::stoi(r["frame_id"].get<std::string>())].push_back(b);
    }
    return frames;
}

int track(std::vector<std::string> args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    const int rc = sl::cli::runTrack(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
}

// det.txt rows `frame,-1,x,y,w,h,score,-1,-1,-1`, frames 1-based; shuffled when asked (MOT
// files need not be sorted by frame).
void writeDetTxt(const fs::path& path, bool shuffle) {
    std::vector<std::string> rows;
    char line[200];
    for (const auto& [f, boxes] : palace(false))
        for (const auto& b : boxes) {
            std::snprintf(line, sizeof line, "%d,-1,%.3f,%.3f,%.3f,%.3f,%.6f,-1,-1,-1\n", f + 1,
                          b.x, b.y, b.w, b.h, b.score);
            rows.push_back(line);
        }
    if (shuffle) {
        // Keep each frame's boxes in their order (the tracker's input order), shuffle frames.
        std::map<int, std::vector<std::string>> byFrame;
        for (const auto& r : rows) byFrame[std::stoi(r)].push_back(r);
        std::vector<int> order;
        for (const auto& [f, v] : byFrame) order.push_back(f);
        std::shuffle(order.begin(), order.end(), std::mt19937(7));
        rows.clear();
        for (int f : order) rows.insert(rows.end(), byFrame[f].begin(), byFrame[f].end());
    }
    std::ofstream out(path);
    for (const auto& r : rows) out << r;
}

std::map<int, std::vector<Box>> readMot(const fs::path& path) {
    std::map<int, std::vector<Box>> frames;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<double> v;
        std::stringstream ss(line);
        std::string field;
        while (std::getline(ss, field, ',')) v.push_back(std::stod(field));
        EXPECT_EQ(v.size(), 10u) << line;
        if (v.size() != 10) continue;
        EXPECT_EQ(v[7], -1);
        frames[static_cast<int>(v[0]) - 1].push_back(
            {static_cast<int64_t>(v[1]), v[6], v[2], v[3], v[4], v[5]});
    }
    return frames;
}

}  // namespace

TEST(TrackCli, MotDetTxtGivesTheOfficialNcnnTracks) {
    sl::testing::TempDir dir("track");
    const auto expected = palace(true);
    for (bool shuffled : {false, true}) {
        const fs::path det = dir.file(shuffled ? "det_shuffled.txt" : "det.txt");
        writeDetTxt(det, shuffled);
        const fs::path out = dir.file("tracks.txt");
        std::string so, se;
        ASSERT_EQ(track({det.string(), "--preset", "ncnn", "--fps", "30", "--track-buffer", "30",
                         "--out", out.string()},
                        so, se),
                  0)
            << se;
        std::set<int64_t> ids;   // tracks the reference reports (unconfirmed ones never appear)
        for (const auto& [f, boxes] : expected)
            for (const auto& b : boxes) ids.insert(b.id);
        EXPECT_NE(so.find(" " + std::to_string(ids.size()) + " tracks"), std::string::npos) << so;
        const auto got = readMot(out);
        size_t compared = 0;
        for (const auto& [f, boxes] : expected) {
            const auto it = got.find(f);
            ASSERT_NE(it, got.end()) << "frame " << f;
            ASSERT_EQ(it->second.size(), boxes.size()) << "frame " << f;
            for (const auto& e : boxes) {
                const auto g = std::find_if(it->second.begin(), it->second.end(),
                                            [&](const Box& b) { return b.id == e.id; });
                ASSERT_NE(g, it->second.end()) << "frame " << f << " track " << e.id;
                // 0.01 px tracker parity + 0.005 from the 2-decimal text on each side.
                EXPECT_NEAR(g->x, e.x, 0.02);
                EXPECT_NEAR(g->y, e.y, 0.02);
                EXPECT_NEAR(g->w, e.w, 0.02);
                EXPECT_NEAR(g->h, e.h, 0.02);
                ++compared;
            }
        }
        EXPECT_EQ(compared, 6008u);
        EXPECT_EQ(got.size(), expected.size());
    }
}

TEST(TrackCli, JsonOutputHasTracksAndFrames) {
    sl::testing::TempDir dir("track");
    const fs::path det = dir.file("det.txt"), out = dir.file("tracks.json");
    writeDetTxt(det, false);
    std::string so, se;
    ASSERT_EQ(track({det.string(), "--out", out.string()}, so, se), 0) << se;
    std::ifstream in(out);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["tracker"]["preset"], "reference");
    EXPECT_EQ(j["frames"].size(), 314u);
    ASSERT_FALSE(j["tracks"].empty());
    int64_t previous = 0;
    for (const auto& t : j["tracks"]) {
        EXPECT_GT(t["id"].get<int64_t>(), previous);   // ids 1.. ascending, each once
        previous = t["id"].get<int64_t>();
        EXPECT_LE(t["first_frame"].get<int64_t>(), t["last_frame"].get<int64_t>());
    }
    EXPECT_EQ(j["tracks"][0]["id"], 1);
}

TEST(TrackCli, BadInputsNameTheFileAndPlace) {
    sl::testing::TempDir dir("track");
    std::string so, se;
    // A det.txt whose third row has a negative width.
    const fs::path bad = dir.file("bad_det.txt");
    std::ofstream(bad) << "1,-1,10,10,20,40,0.9,-1,-1,-1\n1,-1,50,10,20,40,0.8,-1,-1,-1\n"
                          "2,-1,10,10,-20,40,0.9,-1,-1,-1\n";
    EXPECT_EQ(track({bad.string(), "--out", dir.file("t.txt").string()}, so, se), 1);
    EXPECT_NE(se.find("bad_det.txt"), std::string::npos) << se;
    EXPECT_NE(se.find(":3"), std::string::npos) << "the line is named: " << se;
    EXPECT_FALSE(fs::exists(dir.file("t.txt")));
    // A zones file with a two-point polygon.
    const fs::path zones = dir.file("zones.json");
    std::ofstream(zones) << R"({"version": 1, "zones": [{"name": "door", "polygon": [[0, 0], [5, 5]]}]})";
    const fs::path det = dir.file("det.txt");
    writeDetTxt(det, false);
    se.clear();
    EXPECT_EQ(track({det.string(), "--zones", zones.string(), "--out", dir.file("t.txt").string()},
                    so, se),
              1);
    EXPECT_NE(se.find("zones.json"), std::string::npos) << se;
    EXPECT_NE(se.find("/zones/0/polygon"), std::string::npos) << se;
    // An empty detections file: no tracks, not an error.
    const fs::path empty = dir.file("empty.txt");
    std::ofstream(empty).flush();
    ASSERT_EQ(track({empty.string(), "--out", dir.file("e.txt").string()}, so, se), 0) << se;
    EXPECT_NE(so.find("0 tracks"), std::string::npos) << so;
    // Usage errors.
    EXPECT_EQ(track({det.string()}, so, se), 2);
    EXPECT_EQ(track({det.string(), "--out", "x.csv"}, so, se), 2);
    EXPECT_EQ(track({det.string(), "--out", "x.txt", "--preset", "sort"}, so, se), 2);
    EXPECT_EQ(track({det.string(), "--out", "x.txt", "--track-thresh", "1.5"}, so, se), 2);
}

TEST(TrackCli, AnalyzeTrackWritesIdsEventsAndCounts) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    const fs::path video = cache / "sightline" / "vtest.avi";
    ASSERT_TRUE(fs::exists(video)) << "missing " << video << ": run packaging/fetch-demo.sh";
    const fs::path model = fs::path(SL_SHARED_DIR) / "models" / "yolox_nano.onnx";
    sl::testing::TempDir dir("analyze-track");
    const fs::path zones = dir.file("zones.json"), events = dir.file("events.jsonl"),
                   results = dir.file("results.json");
    // vtest.avi (768 x 576): pedestrians walk across the square; a horizontal line through the
    // middle and a zone over the lower half.
    std::ofstream(zones) << R"({"version": 1,
        "zones": [{"name": "lower", "polygon": [[0, 288], [768, 288], [768, 576], [0, 576]]}],
        "lines": [{"name": "middle", "a": [0, 300], "b": [768, 300]}]})";
    std::ostringstream o, e;
    const std::vector<std::string> args = {video.string(), "--frames", "60", "--model",
                                           model.string(), "--zones", zones.string(),
                                           "--events", events.string(), "--out",
                                           results.string()};
    ASSERT_EQ(sl::cli::runAnalyze(args, o, e), 0) << e.str();
    const std::string out = o.str();
    EXPECT_NE(out.find("zone 'lower': entered by"), std::string::npos) << out;
    EXPECT_NE(out.find("line 'middle': A->B"), std::string::npos) << out;
    std::ifstream rf(results);
    const auto j = nlohmann::json::parse(rf, nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    ASSERT_TRUE(j["summary"].contains("tracking")) << j["summary"].dump();
    const auto& tracking = j["summary"]["tracking"];
    ASSERT_EQ(j["frames"].size(), 60u);
    // Tracked persons keep their id from frame to frame: most ids appear on many frames.
    std::map<int64_t, int> framesPerId;
    size_t withId = 0, total = 0;
    for (const auto& f : j["frames"])
        for (const auto& d : f["detections"]) {
            ++total;
            if (d.contains("track_id")) {
                ++withId;
                ++framesPerId[d["track_id"].get<int64_t>()];
            }
        }
    ASSERT_GT(withId, 0u);
    EXPECT_EQ(static_cast<int64_t>(framesPerId.size()), tracking["tracks"].get<int64_t>());
    int longLived = 0;
    for (const auto& [id, n] : framesPerId) longLived += n >= 30;
    EXPECT_GE(longLived, 3) << "pedestrians visible all along should keep one id";
    // The events file and the summary agree: per line and direction, per label.
    std::ifstream ef(events);
    std::string line;
    std::map<std::string, std::map<std::string, int64_t>> ab, ba;
    std::map<std::string, int64_t> entered;
    int64_t n = 0;
    while (std::getline(ef, line)) {
        const auto ev = nlohmann::json::parse(line);
        ++n;
        if (ev["event"] == "line-cross")
            (ev["direction"] == "A->B" ? ab : ba)[ev["target"]][ev["label"]]++;
        if (ev["event"] == "zone-enter") entered[ev["label"]]++;
    }
    EXPECT_EQ(n, tracking["events"].get<int64_t>());
    for (const auto& [lab, count] : entered)
        EXPECT_EQ(tracking["zones"]["lower"][lab].get<int64_t>(), count) << lab;
    for (const auto& [lineName, byLabel] : ab)
        for (const auto& [lab, count] : byLabel)
            EXPECT_EQ(tracking["lines"][lineName]["A->B"][lab].get<int64_t>(), count);
    for (const auto& [lineName, byLabel] : ba)
        for (const auto& [lab, count] : byLabel)
            EXPECT_EQ(tracking["lines"][lineName]["B->A"][lab].get<int64_t>(), count);
}
