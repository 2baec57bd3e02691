// End-to-end `analyze` throughput on the demo video against an OpenCV pipeline on the same model
// and video, in the same run, printed as a ratio.
//
//   sightline: MediaSource decode thread -> bounded queue -> N inference streams, each a Detector
//              (device preprocess, nn Session on OpenCL, YOLOX decode + NMS) -> ResultsStore
//              (pipeline::runAnalyze). 1 stream and `sightline analyze`'s default of 2 run in
//              alternation, so both see the same machine load.
//   OpenCV:    cv2.VideoCapture -> letterbox (cv2.resize) -> cv2.dnn forward -> numpy decode ->
//              cv2.dnn.NMSBoxes -> cv2.rectangle, in a child python3 process
//              (tests/yolox_opencv_reference.py video; Debian python3-opencv)
//
// Each side gets one warm-up inference before its clock starts (kernel builds, DNN allocation).
// Each of the --runs rounds runs every configuration once, the OpenCV pipeline included, so a
// change in the machine's speed during the bench hits all of them; the ratio is of medians.
//
// usage: bench_analyze [--video PATH] [--model PATH] [--frames N (0 = all)] [--every N]
//                      [--runs N] [--streams N (default 2)] [--device opencl|cpu-ref] [--no-peer]

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench_util.h"
#include "media/media_source.h"
#include "pipeline/analyze_runner.h"

namespace fs = std::filesystem;
using namespace sl;

namespace {

const fs::path kRoot = SL_SOURCE_DIR;

fs::path defaultVideo() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const fs::path cache = xdg && *xdg ? fs::path(xdg) : fs::path(home ? home : ".") / ".cache";
    return cache / "sightline" / "vtest.avi";
}

// Runs the OpenCV pipeline; returns its fps (0 when unavailable, with the reason printed).
double opencvFps(const fs::path& model, const fs::path& video, int64_t frames) {
    // Debian's python3-opencv is installed for the system interpreter, which a user's PATH may
    // shadow (pyenv, venv): prefer /usr/bin/python3.
    const std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const fs::path script = kRoot / "tests" / "yolox_opencv_reference.py";
    const std::string cmd = python + " '" + script.string() + "' video '" + model.string() +
                            "' '" + video.string() + "' " + std::to_string(frames) + " 2>&1";
    FILE* f = popen(cmd.c_str(), "r");
    std::string text;
    char buf[512];
    while (f && fgets(buf, sizeof buf, f)) text += buf;
    const int rc = f ? pclose(f) : -1;
    const auto pos = text.find(" fps=");
    if (rc != 0 || pos == std::string::npos) {
        std::printf("OpenCV peer unavailable (install python3-opencv): %s\n", text.c_str());
        return 0;
    }
    std::printf("  %s", text.c_str());
    return std::atof(text.c_str() + pos + 5);
}

}  // namespace

int main(int argc, char** argv) {
    fs::path video = defaultVideo();
    fs::path model = kRoot.parent_path() / "shared" / "models" / "yolox_nano.onnx";
    int64_t frames = 0;
    int every = 1, runs = 1, streams = 2;
    bool peer = true;
    pipeline::DetectorOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool v = i + 1 < argc;
        if (a == "--video" && v) video = argv[++i];
        else if (a == "--model" && v) model = argv[++i];
        else if (a == "--frames" && v) frames = std::atoll(argv[++i]);
        else if (a == "--every" && v) every = std::atoi(argv[++i]);
        else if (a == "--runs" && v) runs = std::atoi(argv[++i]);
        else if (a == "--streams" && v) streams = std::max(1, std::atoi(argv[++i]));
        else if (a == "--no-peer") peer = false;
        else if (a == "--device" && v) {
            auto d = nn::parseDevice(argv[++i]);
            if (!d) return std::fprintf(stderr, "%s\n", d.status().message().c_str()), 2;
            options.device = *d;
        } else {
            std::fprintf(stderr, "usage: bench_analyze [--video PATH] [--model PATH] [--frames N] "
                                 "[--every N] [--runs N] [--streams N] [--device opencl|cpu-ref] "
                                 "[--no-peer]\n");
            return 2;
        }
    }
    auto det = pipeline::Detector::load(model.string(), options);
    if (!det) return std::fprintf(stderr, "%s\n", det.status().message().c_str()), 1;
    std::vector<std::unique_ptr<pipeline::Detector>> siblings;
    std::vector<pipeline::Detector*> detectors = {det->get()};
    for (int i = 1; i < streams; ++i) {
        auto s = (*det)->createSibling();
        if (!s) return std::fprintf(stderr, "%s\n", s.status().message().c_str()), 1;
        detectors.push_back(s->get());
        siblings.push_back(std::move(*s));
    }
    {   // Warm-up: one frame through each detector (PoCL compiles kernels at first enqueue).
        media::MediaSource src;
        media::OpenOptions open;
        open.url = video.string();
        if (Status st = src.open(open); !st)
            return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
        auto frame = src.readFrame();
        if (!frame) return std::fprintf(stderr, "%s\n", frame.status().message().c_str()), 1;
        for (pipeline::Detector* d : detectors)
            if (auto r = d->detect(*frame); !r)
                return std::fprintf(stderr, "%s\n", r.status().message().c_str()), 1;
    }
    std::printf("bench_analyze: %s, model %s, device %s, frames %s, every %d\n",
                video.string().c_str(), model.filename().string().c_str(),
                nn::deviceName((*det)->device()),
                frames ? std::to_string(frames).c_str() : "all", every);
    // Alternate 1 stream and `streams` streams within each run, so a load swing on the machine
    // hits both alike.
    std::vector<int> configs = {streams};
    if (streams > 1) configs.insert(configs.begin(), 1);
    std::vector<std::vector<double>> fps(configs.size());
    std::vector<double> cvFps;
    bool withPeer = peer && every == 1;
    for (int r = 0; r < runs; ++r) {
        for (size_t c = 0; c < configs.size(); ++c) {
            pipeline::ResultsStore store;
            pipeline::AnalyzeOptions o;
            o.input = video.string();
            o.every = every;
            o.maxFrames = frames > 0 ? frames : -1;
            auto s = pipeline::runAnalyze(
                o, std::span(detectors).first(size_t(configs[c])), store);
            if (!s) return std::fprintf(stderr, "%s\n", s.status().message().c_str()), 1;
            std::printf("  sightline run %d, %d stream(s): %lld frames decoded, %lld analysed in "
                        "%.2f s = %.2f fps (%zu frames with detections)\n",
                        r + 1, configs[c], (long long)s->framesDecoded,
                        (long long)s->framesAnalysed, s->seconds, s->fps,
                        size_t(s->framesWithDetections));
            fps[c].push_back(s->fps);
        }
        if (withPeer) {
            const double cv = opencvFps(model, video, frames);
            if (cv > 0) cvFps.push_back(cv);
            else withPeer = false;   // the reason is printed; the sightline numbers still stand
        }
    }
    std::vector<double> medians;
    for (size_t c = 0; c < configs.size(); ++c) {
        medians.push_back(bench::summarize(fps[c]).median);
        std::printf("sightline analyze, %d stream(s): median %.2f fps over %d run(s)\n",
                    configs[c], medians.back(), runs);
    }
    if (configs.size() > 1)
        std::printf("ratio %d streams / 1 stream = %.2fx\n", streams, medians[1] / medians[0]);
    if (!withPeer) {
        if (every != 1) std::printf("(OpenCV peer runs every frame; compare with --every 1)\n");
        return 0;
    }
    const double cv = bench::summarize(cvFps).median;
    std::printf("opencv pipeline: median %.2f fps over %d run(s)\n", cv, runs);
    std::printf("ratio sightline (1 stream) / opencv = %.2fx\n", medians[0] / cv);
    std::printf("ratio sightline (%d stream(s)) / opencv = %.2fx (%.2f vs %.2f fps; goal >= 5x)\n",
                streams, medians.back() / cv, medians.back(), cv);
    return 0;
}
