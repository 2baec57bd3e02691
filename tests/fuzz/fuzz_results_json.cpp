// Sightline's results JSON reader (pipeline/detections_file.h), the input of `sightline track`.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/detections_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    (void)sl::pipeline::parseSightlineResultsJson(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
    return 0;
}
