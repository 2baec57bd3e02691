#include "support/crossing_video.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace sl::testing {

namespace fs = std::filesystem;

fs::path testImageDir() {
    if (const char* d = std::getenv("SIGHTLINE_TEST_IMAGES"); d && *d) return d;
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(std::getenv("HOME")) / ".cache";
    return cache / "sightline" / "test-images";
}

Expected<fs::path> makeCrossingVideo(const TempDir& dir, const CrossingVideo& c) {
    using V = CrossingVideo;
    const fs::path person = testImageDir() / "person.jpg";
    if (!fs::exists(person))
        return Status(StatusCode::NotFound,
                      "missing " + person.string() + ": run packaging/fetch-test-images.sh");
    VideoSpec spec;
    spec.path = dir.file("crossing-strip.mp4");
    spec.frames = c.frames;
    spec.fps = c.fps;
    spec.gopSize = c.gop;
    spec.width = V::kW;
    spec.height = V::kStrip;
    auto strip = generateVideo(spec);
    if (!strip) return strip.status();
    const fs::path out = dir.file("crossing.mp4");
    const std::string filter =
        "[0:v]pad=" + std::to_string(V::kW) + ":" + std::to_string(V::kH) +
        ":0:0:color=0x808080[bg];[1:v]crop=" + std::to_string(V::kCropW) + ":" +
        std::to_string(V::kCropH) + ":186:96[p];[bg][p]overlay=x='" + std::to_string(V::kX0) +
        "+" + std::to_string(V::kStep) + "*n':y=108:eof_action=repeat,format=yuv420p";
    // The paths are the test's own temporary folder and the image cache, without quotes.
    const std::string cmd =
        "ffmpeg -v error -y -i '" + spec.path.string() + "' -loop 1 -i '" + person.string() +
        "' -filter_complex \"" + filter + "\" -frames:v " + std::to_string(c.frames) +
        " -c:v libx264 -preset ultrafast -g " + std::to_string(c.gop) +
        " -bf 0 -x264-params scenecut=0 -r " + std::to_string(c.fps) + " '" + out.string() +
        "' 2>'" + dir.file("crossing-ffmpeg.log").string() + "'";
    const int code = std::system(cmd.c_str());
    if (code != 0 || !fs::exists(out)) {
        std::ifstream log(dir.file("crossing-ffmpeg.log"));
        std::stringstream ss;
        ss << log.rdbuf();
        return Status(StatusCode::Internal,
                      "test: ffmpeg failed (" + std::to_string(code) + "): " + ss.str());
    }
    return out;
}

}  // namespace sl::testing
