#pragma once
// Detector options shared by detect, analyze and track (parsed in cli/detect_verb.cpp), and the
// detector streams analyze and track run: the first detector plus siblings on its CL context.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "models/model_store.h"
#include "pipeline/detector.h"

namespace sl::cli {

struct DetectorArgs {
    std::string model = models::kDefaultModel;
    std::string classes;
    pipeline::DetectorOptions options;
};

// Consumes args[i] (and its value) when it is a detector option. Returns 1 when consumed, 0 when
// not a detector option, -1 on a bad value (problem set).
int parseDetectorArg(std::span<const std::string> args, size_t& i, DetectorArgs& d,
                     std::string& problem);
Expected<std::unique_ptr<pipeline::Detector>> loadDetector(DetectorArgs& d);

// `count` inference streams: the loaded detector and count - 1 siblings (same device, own
// queues and sessions). `all` points into the owners, first first.
struct DetectorStreams {
    std::unique_ptr<pipeline::Detector> first;
    std::vector<std::unique_ptr<pipeline::Detector>> siblings;
    std::vector<pipeline::Detector*> all;
};
Expected<DetectorStreams> loadDetectorStreams(DetectorArgs& d, int count);

}  // namespace sl::cli
