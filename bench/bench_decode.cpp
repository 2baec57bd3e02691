// bench_decode: the media engine's speed on a 1080p H.264 file.
//   1. decode throughput (MediaSource, all frames) and decode + GL upload (PBO streaming into R8
//      plane textures, as the video view does) against `ffmpeg -i FILE -f null -` on the same file
//      in the same run, printed as ratios;
//   2. median latency of random exact seeks;
//   3. median latency of a backward step with and without the frame cache.
//
// usage: bench_decode [FILE] [--runs N]
// Without FILE it generates a 10 s 1080p30 H.264 clip (testsrc2, GOP 250, 3 B-frames) with the
// ffmpeg CLI into a temporary directory. Each measurement: one warm-up, then N runs, median.

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "interop/gl_functions.h"
#include "media/frame_cache.h"
#include "media/media_source.h"
#include "support/egl_context.h"
#include "support/video_generator.h"

namespace {

using namespace sl;
using sl::bench::fixed;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_decode: %s\n", what.c_str());
    std::exit(1);
}

std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

void runShell(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    if (rc != 0) die("command failed (" + std::to_string(rc) + "): " + cmd);
}


std::unique_ptr<media::MediaSource> openSource(const std::string& path) {
    auto src = std::make_unique<media::MediaSource>();
    media::OpenOptions opt;
    opt.url = path;
    if (Status st = src->open(opt); !st) die(st.message());
    return src;
}

// Decodes every frame; `perFrame` sees each one. Returns the frame count.
int64_t decodeAll(const std::string& path, const std::function<void(const media::VideoFrame&)>&
                                               perFrame = {}) {
    auto src = openSource(path);
    int64_t n = 0;
    for (;;) {
        auto f = src->readFrame();
        if (!f) {
            if (f.status().code() == StatusCode::EndOfStream) break;
            die(f.status().message());
        }
        if (perFrame) perFrame(*f);
        ++n;
    }
    return n;
}

// The video view's upload path without Qt: one R8 texture per plane, updated from a PBO that is
// orphaned each frame (glBufferData(NULL) then glBufferSubData), so the driver never stalls on a
// buffer the GPU still reads.
class PlaneUploader {
public:
    explicit PlaneUploader(const interop::GlFunctions& gl) : gl_(gl) {}
    ~PlaneUploader() {
        if (!textures_.empty()) gl_.DeleteTextures(GLsizei(textures_.size()), textures_.data());
        if (pbo_) gl_.DeleteBuffers(1, &pbo_);
    }

    void upload(const media::VideoFrame& f) {
        if (textures_.empty()) {
            textures_.resize(size_t(f.planeCount()));
            gl_.GenTextures(GLsizei(textures_.size()), textures_.data());
            gl_.GenBuffers(1, &pbo_);
            for (int i = 0; i < f.planeCount(); ++i) {
                const bool uv = f.format() == media::PixelFormat::Nv12 && i == 1;
                gl_.BindTexture(GL_TEXTURE_2D, textures_[size_t(i)]);
                gl_.TexImage2D(GL_TEXTURE_2D, 0, uv ? GL_RG8 : GL_R8, f.planeWidth(i),
                               f.planeHeight(i), 0, uv ? GL_RG : GL_RED, GL_UNSIGNED_BYTE,
                               nullptr);
                gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
            }
        }
        gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, pbo_);
        gl_.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
        for (int i = 0; i < f.planeCount(); ++i) {
            const bool uv = f.format() == media::PixelFormat::Nv12 && i == 1;
            const size_t bytes = size_t(f.stride(i)) * size_t(f.planeHeight(i));
            gl_.BufferData(GL_PIXEL_UNPACK_BUFFER, GLsizeiptr(bytes), nullptr, GL_STREAM_DRAW);
            gl_.BufferSubData(GL_PIXEL_UNPACK_BUFFER, 0, GLsizeiptr(bytes), f.plane(i));
            gl_.PixelStorei(GL_UNPACK_ROW_LENGTH, f.stride(i) / (uv ? 2 : 1));
            gl_.BindTexture(GL_TEXTURE_2D, textures_[size_t(i)]);
            gl_.TexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, f.planeWidth(i), f.planeHeight(i),
                              uv ? GL_RG : GL_RED, GL_UNSIGNED_BYTE, nullptr);
        }
        gl_.PixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    }

private:
    const interop::GlFunctions& gl_;
    std::vector<GLuint> textures_;
    GLuint pbo_ = 0;
};

double medianOf(const std::vector<double>& v) { return bench::summarize(v).median; }

}  // namespace

int main(int argc, char** argv) {
    std::string path;
    int runs = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
        else if (!a.empty() && a[0] != '-') path = a;
        else die("usage: bench_decode [FILE] [--runs N]");
    }

    testing::TempDir tmp("bench-decode");
    if (path.empty()) {
        path = tmp.file("bench_1080p_h264.mp4").string();
        std::printf("generating %s (10 s 1080p30 H.264, testsrc2, GOP 250, 3 B-frames)\n",
                    path.c_str());
        runShell("ffmpeg -v error -y -f lavfi -i testsrc2=size=1920x1080:rate=30 -t 10 "
                 "-c:v libx264 -preset veryfast -g 250 -bf 3 -pix_fmt yuv420p " +
                 shellQuote(path));
    }

    auto probe = openSource(path);
    const media::FrameIndex* index = probe->index();
    if (!index) die("no frame index for " + path + " (not seekable?)");
    const int64_t frameCount = index->frameCount();
    const auto* video = probe->info().video();
    std::printf("file: %s\n  %s %dx%d, %lld frames, decode mode: %s\n\n", path.c_str(),
                video ? video->codec.c_str() : "?", video ? video->width : 0,
                video ? video->height : 0, static_cast<long long>(frameCount),
                probe->decodeMode().c_str());

    // 1. Throughput.
    const std::string ffmpegCmd = "ffmpeg -v error -nostdin -i " + shellQuote(path) + " -f null -";
    auto ffmpegMs = bench::timeRuns(1, runs, [&] { runShell(ffmpegCmd); });
    auto decodeMs = bench::timeRuns(1, runs, [&] {
        if (decodeAll(path) != frameCount) die("decoded frame count differs from the index");
    });

    testing::EglContext egl;
    std::string eglError;
    if (!egl.create(&eglError)) die(eglError);
    auto gl = interop::GlFunctions::load(&testing::EglContext::getProcAddress);
    if (!gl) die(gl.status().message());
    auto uploadMs = bench::timeRuns(1, runs, [&] {
        PlaneUploader up(*gl);
        decodeAll(path, [&](const media::VideoFrame& f) { up.upload(f); });
        gl->Finish();
    });

    const double n = double(frameCount);
    const double ffFps = n / (medianOf(ffmpegMs) / 1e3);
    const double decFps = n / (medianOf(decodeMs) / 1e3);
    const double upFps = n / (medianOf(uploadMs) / 1e3);
    std::printf("throughput (median of %d runs after 1 warm-up)\n", runs);
    bench::printRow({"", "ms", "fps", "ratio vs ffmpeg"}, {34, 10, 10, 16});
    bench::printRow({"ffmpeg -i FILE -f null -", fixed(medianOf(ffmpegMs), 1), fixed(ffFps, 1),
                     "1.00"}, {34, 10, 10, 16});
    bench::printRow({"sightline decode", fixed(medianOf(decodeMs), 1), fixed(decFps, 1),
                     fixed(decFps / ffFps)}, {34, 10, 10, 16});
    bench::printRow({"sightline decode + GL upload", fixed(medianOf(uploadMs), 1),
                     fixed(upFps, 1), fixed(upFps / ffFps)}, {34, 10, 10, 16});
    std::printf("  GL: %s\n\n", gl->describe().c_str());

    // 2. Random exact seeks: each lands on the requested frame (checked), timed one by one.
    {
        auto src = openSource(path);
        std::mt19937 rng(1234);
        std::uniform_int_distribution<int64_t> pick(0, frameCount - 1);
        std::vector<double> ms;
        for (int i = 0; i < 1 + 30; ++i) {
            const int64_t target = pick(rng);
            bench::Timer t;
            auto f = src->seekToIndex(target);
            const double elapsed = t.ms();
            if (!f) die(f.status().message());
            if (f->index() != target) die("seek landed on the wrong frame");
            if (i > 0) ms.push_back(elapsed);   // the first one is the warm-up
        }
        const auto s = bench::summarize(ms);
        std::printf("random exact seek (30 seeks): median %s ms, min %s, max %s\n",
                    fixed(s.median, 1).c_str(), fixed(s.min, 1).c_str(), fixed(s.max, 1).c_str());
    }

    // 3. Backward steps from the end of the first GOP: without a cache every step decodes from
    //    the keyframe; with it the first step fills the cache with every frame on the way and
    //    the following ones are served from memory (the player's policy).
    {
        const int steps = 30;
        const int64_t start = std::min<int64_t>(frameCount - 1, 200);
        auto src = openSource(path);
        std::vector<double> noCache;
        for (int64_t i = start; i > start - steps; --i) {
            bench::Timer t;
            auto f = src->seekToIndex(i - 1);
            noCache.push_back(t.ms());
            if (!f || f->index() != i - 1) die("backward step without cache failed");
        }
        src = openSource(path);   // a fresh decoder: the loop above left this one near the targets
        media::FrameCache cache;
        std::vector<double> withCache;
        double firstStep = 0;
        for (int64_t i = start; i > start - steps; --i) {
            bench::Timer t;
            const int64_t target = i - 1;
            cache.setPlayhead(target);
            auto hit = cache.find(target);
            if (!hit) {
                auto f = src->seekToIndex(target, [&](const media::VideoFrame& v) {
                    cache.insert(v);
                });
                if (!f || f->index() != target) die("backward step with cache failed");
            }
            (i == start ? firstStep : withCache.emplace_back()) = t.ms();
        }
        const double nc = medianOf(noCache), wc = medianOf(withCache);
        std::printf("backward step (%d steps from frame %lld):\n", steps,
                    static_cast<long long>(start));
        std::printf("  without cache: median %s ms\n", fixed(nc, 2).c_str());
        std::printf("  with cache:    first step %s ms, then median %s us (%sx faster)\n",
                    fixed(firstStep, 1).c_str(), fixed(wc * 1e3, 1).c_str(),
                    fixed(wc > 0 ? nc / wc : 0, 0).c_str());
    }
    return 0;
}
