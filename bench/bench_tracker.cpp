// bench_tracker: ByteTracker alone on the palace detections (../shared/testdata/tracking, 314
// frames, ~32 boxes a frame): frames/s and us per frame for both presets, warm-up then repeated
// runs of the whole sequence, medians. The peer is ByteTrack-cpp (a C++ port of the
// official ncnn tracker, ~15,000 frames/s on this machine kind); it is not built here because
// nothing outside Debian's packages can be fetched, so the goal (>= 30,000 frames/s, same output:
// TrackByteTracker.NcnnParityOnPalace) is checked against that published figure.
//
// usage: bench_tracker [--runs N] [--data DIR]

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "track/byte_tracker.h"

namespace fs = std::filesystem;
using namespace sl;

int main(int argc, char** argv) {
    int runs = 50;
    fs::path dir = fs::path(SL_BENCH_SHARED_DIR) / "testdata" / "tracking";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--runs" && i + 1 < argc) runs = std::stoi(argv[++i]);
        else if (a == "--data" && i + 1 < argc) dir = argv[++i];
        else {
            std::fprintf(stderr, "usage: bench_tracker [--runs N] [--data DIR]\n");
            return 2;
        }
    }
    std::ifstream in(dir / "palace_detections.json");
    if (!in) {
        std::fprintf(stderr, "bench_tracker: cannot read %s\n",
                     (dir / "palace_detections.json").c_str());
        return 1;
    }
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) {
        std::fprintf(stderr, "bench_tracker: palace_detections.json is not JSON\n");
        return 1;
    }
    std::map<int, std::vector<vision::Detection>> byFrame;
    size_t boxes = 0;
    for (const auto& r : j["results"]) {
        vision::Detection d;
        d.score = std::stof(r["prob"].get<std::string>());
        const float x = std::stof(r["x"].get<std::string>());
        const float y = std::stof(r["y"].get<std::string>());
        d.box = {x, y, x + std::stof(r["width"].get<std::string>()),
                 y + std::stof(r["height"].get<std::string>())};
        byFrame[std::stoi(r["frame_id"].get<std::string>())].push_back(d);
        ++boxes;
    }
    std::vector<std::vector<vision::Detection>> frames;
    for (int f = 0; f <= byFrame.rbegin()->first; ++f) frames.push_back(byFrame[f]);
    std::printf("palace: %zu frames, %zu detections, %d runs each\n\n", frames.size(), boxes,
                runs);
    bench::printRow({"preset", "median ms/seq", "us/frame", "frames/s", "min us/frame"},
                    {12, 14, 10, 12, 13});
    for (track::Preset preset : {track::Preset::Ncnn, track::Preset::Reference}) {
        size_t sink = 0;
        const auto ms = bench::timeRuns(5, runs, [&] {
            track::ByteTracker t(track::TrackerParams::forPreset(preset));
            for (const auto& f : frames) sink += t.update(f).size();
        });
        const bench::Stats s = bench::summarize(ms);
        const double usPerFrame = s.median * 1e3 / frames.size();
        bench::printRow({track::presetName(preset), bench::fixed(s.median, 3),
                         bench::fixed(usPerFrame, 2), bench::fixed(1e6 / usPerFrame, 0),
                         bench::fixed(s.min * 1e3 / frames.size(), 2)},
                        {12, 14, 10, 12, 13});
        if (sink == 0) std::printf("(no output?)\n");
    }
    return 0;
}
