#pragma once
// Test videos generated in-process with libavcodec/libavformat: every frame carries its number
// (drawFramePattern in luma, neutral chroma), so decode, seek and step results can be checked
// exactly. Used by engine tests, GUI tests and benchmarks.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace sl::testing {

struct VideoSpec {
    std::filesystem::path path;       // container chosen by extension (.mp4 .mkv .avi .ts ...)
    std::string codec = "libx264";    // "libx264" or "mpeg4"
    int width = 320;
    int height = 240;
    int frames = 100;
    int gopSize = 25;
    int maxBFrames = 0;
    int fps = 25;                     // constant rate (and the nominal rate for VFR)
    bool variableFrameRate = false;   // time base 1/1000, pts deltas cycling 20/40/33/67 ms
    bool audio = false;               // add an MP2 sine track (files with audio must play)
    int sarNum = 0;                   // sample aspect ratio (0: unset, square pixels)
    int sarDen = 0;
};

struct GeneratedVideo {
    std::filesystem::path path;
    std::vector<int64_t> pts;         // per frame, presentation order, in the stream's time base
    int timeBaseNum = 1;
    int timeBaseDen = 1;
};

Expected<GeneratedVideo> generateVideo(const VideoSpec& spec);

// A per-process scratch directory (temp/sightline-tests-<pid>/<name>) removed on destruction.
class TempDir {
public:
    explicit TempDir(const std::string& name = "media");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path file(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

}  // namespace sl::testing
