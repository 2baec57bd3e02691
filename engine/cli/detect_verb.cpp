// `sightline detect IMAGE|VIDEO [--json] [--model M] [--threshold T] [--nms T]
//  [--classes person,car] [--device opencl|cpu-ref] [--frames N]`: runs the detector on an image
// (FFmpeg's image decoders: jpg, png, ...) or on every frame of a video and prints the detections
// in source pixels, as text or as JSON rows {frame, pts, class_id, label, score, box}.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/detector_args.h"
#include "media/media_source.h"
#include "pipeline/detector.h"

namespace sl::cli {

int parseDetectorArg(std::span<const std::string> args, size_t& i, DetectorArgs& d,
                     std::string& problem) {
    const std::string& a = args[i];
    const bool hasValue = i + 1 < args.size();
    const auto number = [&](float& out, float lo, float hi) {
        if (!hasValue) {
            problem = a + " needs a value";
            return -1;
        }
        const std::string& v = args[++i];
        char* end = nullptr;
        const float f = std::strtof(v.c_str(), &end);
        if (v.empty() || *end || !(f >= lo && f <= hi)) {
            problem = a + " needs a number in " + std::to_string(lo).substr(0, 3) + ".." +
                      std::to_string(hi).substr(0, 3) + ", not '" + v + "'";
            return -1;
        }
        out = f;
        return 1;
    };
    if (a == "--model") {
        if (!hasValue) return problem = "--model needs a name or an .onnx path", -1;
        d.model = args[++i];
        return 1;
    }
    if (a == "--threshold") return number(d.options.settings.confidence, 0, 1);
    if (a == "--nms") return number(d.options.settings.nms, 0, 1);
    if (a == "--classes") {
        if (!hasValue) return problem = "--classes needs a list (person,car)", -1;
        d.classes = args[++i];
        return 1;
    }
    if (a == "--device") {
        if (!hasValue) return problem = "--device needs opencl or cpu-ref", -1;
        auto dev = nn::parseDevice(args[++i]);
        if (!dev) return problem = dev.status().message(), -1;
        d.options.device = *dev;
        return 1;
    }
    if (a == "--measure") {   // measure uncached kernel choices while loading (slow once)
        d.options.measure = true;
        return 1;
    }
    if (a == "--cl-device") {
        if (!hasValue) return problem = "--cl-device needs N, P:D or a name", -1;
        d.options.clDeviceSelector = args[++i];
        return 1;
    }
    return 0;
}

Expected<std::unique_ptr<pipeline::Detector>> loadDetector(DetectorArgs& d) {
    // A cold first load builds every kernel (seconds): say so on a terminal, never silently.
    const bool tty = ::isatty(2) == 1;
    if (tty && d.options.device == nn::Device::OpenCL && !d.options.onProgress)
        d.options.onProgress = [model = d.model](const nn::PrepareProgress& p) {
            if (p.kernelsBuilt == 0) return;   // all in memory: nothing worth a line
            std::fprintf(stderr, "\rloading %s: layer %d/%d, %d kernels built ", model.c_str(),
                         p.layers, p.layersTotal, p.kernelsBuilt);
            std::fflush(stderr);
        };
    auto det = pipeline::Detector::load(d.model, d.options);
    if (tty && d.options.onProgress) std::fprintf(stderr, "\r\033[K");
    if (!det) return det.status();
    if (!(*det)->fullyPrepared()) {
        static bool said = false;   // once per process (analyze's siblings share the device)
        const int untuned = (*det)->tuning().untuned;
        const std::string what =
            untuned > 0 ? std::to_string(untuned) + " conv layers on default kernels"
                        : std::string("fp32 storage (fp16 not measured)");
        if (!said)
            std::fprintf(stderr,
                         "note: %s runs %s on this device, not yet measured (the same boxes, "
                         "maybe slower); `sightline prepare` measures it once\n",
                         d.model.c_str(), what.c_str());
        said = true;
    }
    if (!d.classes.empty()) {
        auto ids = (*det)->parseClasses(d.classes);
        if (!ids) return ids.status();
        pipeline::DetectorSettings s = (*det)->settings();
        s.classes = *ids;
        (*det)->setSettings(s);
    }
    return det;
}

Expected<DetectorStreams> loadDetectorStreams(DetectorArgs& d, int count) {
    auto det = loadDetector(d);
    if (!det) return det.status();
    DetectorStreams streams;
    streams.first = std::move(*det);
    streams.all.push_back(streams.first.get());
    for (int i = 1; i < count; ++i) {
        auto sibling = streams.first->createSibling();
        if (!sibling) return sibling.status();
        streams.all.push_back(sibling->get());
        streams.siblings.push_back(std::move(*sibling));
    }
    return streams;
}

namespace {

constexpr const char* kUsage =
    "sightline detect IMAGE|VIDEO [--json] [--model NAME|FILE.onnx] [--threshold T] [--nms T]\n"
    "                 [--classes person,car] [--device opencl|cpu-ref] [--frames N]\n"
    "                 [--measure] (measure this device's kernel choices now, not later)";

// In double: a float rounded to 2 decimals prints as 133.77000427246094.
double round(float v, double scale) { return std::round(double(v) * scale) / scale; }

std::string fmt(double v, int decimals) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

int runDetect(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    DetectorArgs d;
    std::string input;
    bool json = false;
    int64_t maxFrames = -1;
    const auto usage = [&](const std::string& problem) {
        err << "sightline detect: " << problem << "\nusage: " << kUsage << "\n";
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string problem;
        const int r = parseDetectorArg(args, i, d, problem);
        if (r < 0) return usage(problem);
        if (r > 0) continue;
        if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n";
            return kExitOk;
        } else if (a == "--json") {
            json = true;
        } else if (a == "--frames" && i + 1 < args.size()) {
            maxFrames = std::atoll(args[++i].c_str());
            if (maxFrames <= 0) return usage("--frames needs a positive count");
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown or incomplete option '" + a + "'");
        } else if (input.empty()) {
            input = a;
        } else {
            return usage("more than one input ('" + input + "', '" + a + "')");
        }
    }
    if (input.empty()) return usage("no image or video given");
    const auto fail = [&](const Status& st) {
        err << "sightline detect: " << st.message() << "\n";
        return kExitFailure;
    };
    // The input first: a bad one fails before the model loads (seconds on a CPU device).
    media::MediaSource source;
    media::OpenOptions open;
    open.url = input;
    if (Status st = source.open(open); !st) return fail(st);
    auto det = loadDetector(d);
    if (!det) return fail(det.status());
    pipeline::Detector& detector = **det;

    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    int64_t frames = 0, total = 0;
    while (maxFrames < 0 || frames < maxFrames) {
        auto frame = source.readFrame();
        if (!frame) {
            if (frame.status().code() == StatusCode::EndOfStream) break;
            return fail(frame.status());
        }
        auto r = detector.detect(*frame);
        if (!r) return fail(r.status().withContext("'" + input + "'"));
        ++frames;
        total += int64_t(r->detections.size());
        if (json) {
            for (const vision::Detection& x : r->detections)
                rows.push_back({{"frame", r->frameIndex},
                                {"pts", r->pts},
                                {"class_id", x.classId},
                                {"label", detector.manifest().label(x.classId)},
                                {"score", round(x.score, 1e4)},
                                {"box",
                                 {round(x.box.x1, 100), round(x.box.y1, 100),
                                  round(x.box.x2, 100), round(x.box.y2, 100)}}});
            continue;
        }
        out << "frame " << r->frameIndex << " (pts " << r->pts << ", " << fmt(r->seconds, 3)
            << " s, " << r->width << "x" << r->height << "): " << r->detections.size()
            << (r->detections.size() == 1 ? " detection\n" : " detections\n");
        for (const vision::Detection& x : r->detections)
            out << "  " << detector.manifest().label(x.classId) << " " << fmt(x.score, 2) << "  ["
                << fmt(x.box.x1, 1) << ", " << fmt(x.box.y1, 1) << ", " << fmt(x.box.x2, 1)
                << ", " << fmt(x.box.y2, 1) << "]\n";
    }
    if (frames == 0) return fail(Status(StatusCode::InvalidData,
                                        "media: '" + input + "' has no decodable frame"));
    if (json) {
        nlohmann::ordered_json j = {{"input", input},
                                    {"model", detector.model().name},
                                    {"device", nn::deviceName(detector.device())},
                                    {"frames", frames},
                                    {"detections", rows}};
        out << j.dump(2) << "\n";
    } else if (frames > 1) {
        out << frames << " frames, " << total << " detections\n";
    }
    return kExitOk;
}

int runDetect(std::span<const std::string> args) { return runDetect(args, std::cout, std::cerr); }

}  // namespace sl::cli
