#include "cli/tracker_args.h"

#include <cmath>
#include <cstdlib>

namespace sl::cli {

int parseTrackerArg(std::span<const std::string> args, size_t& i, TrackerArgs& t,
                    std::string& problem) {
    const std::string& a = args[i];
    const bool hasValue = i + 1 < args.size();
    const auto number = [&](double& out, double lo, double hi) {
        if (!hasValue) return problem = a + " needs a value", -1;
        const std::string& v = args[++i];
        char* end = nullptr;
        const double f = std::strtod(v.c_str(), &end);
        if (v.empty() || *end || !std::isfinite(f) || f < lo || f > hi)
            return problem = a + " needs a number from " + std::to_string(lo).substr(0, 4) +
                             " to " + std::to_string(hi).substr(0, 6) + ", not '" + v + "'",
                   -1;
        out = f;
        return 1;
    };
    double v = 0;
    if (a == "--preset") {
        if (!hasValue) return problem = "--preset needs reference or ncnn", -1;
        const auto p = track::parsePreset(args[++i]);
        if (!p) return problem = "--preset needs reference or ncnn, not '" + args[i] + "'", -1;
        t.params.preset = *p;
        return 1;
    }
    if (a == "--track-thresh") {
        if (number(v, 0, 1) < 0) return -1;
        t.params.trackThresh = static_cast<float>(v);
        return 1;
    }
    if (a == "--high-thresh") {
        if (number(v, 0, 1) < 0) return -1;
        t.params.highThresh = static_cast<float>(v);
        return 1;
    }
    if (a == "--match-thresh") {
        if (number(v, 0, 1) < 0) return -1;
        t.params.matchThresh = static_cast<float>(v);
        return 1;
    }
    if (a == "--track-buffer") {
        if (number(v, 0, 1e6) < 0) return -1;
        if (v != std::floor(v)) return problem = "--track-buffer needs a whole number of frames", -1;
        t.params.trackBuffer = static_cast<int>(v);
        return 1;
    }
    if (a == "--fps") {
        if (number(v, 0.001, 1000) < 0) return -1;
        t.params.fps = v;
        t.fpsGiven = true;
        return 1;
    }
    if (a == "--class-agnostic") {
        t.params.classAgnostic = true;
        return 1;
    }
    if (a == "--zones") {
        if (!hasValue) return problem = "--zones needs a zones.json file", -1;
        t.zonesPath = args[++i];
        return 1;
    }
    if (a == "--events") {
        if (!hasValue) return problem = "--events needs a .jsonl, .csv or .json file", -1;
        t.eventsPath = args[++i];
        const std::string ext = std::filesystem::path(t.eventsPath).extension().string();
        if (ext != ".jsonl" && ext != ".csv" && ext != ".json")
            return problem = "--events needs a .jsonl, .csv or .json file, not '" +
                             t.eventsPath + "'",
                   -1;
        return 1;
    }
    return 0;
}

Expected<analytics::Scene> loadTrackerScene(const TrackerArgs& t) {
    if (t.zonesPath.empty()) return analytics::Scene{};
    return analytics::loadScene(t.zonesPath);
}

}  // namespace sl::cli
