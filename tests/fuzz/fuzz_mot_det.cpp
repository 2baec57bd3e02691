// MOTChallenge det.txt reader (pipeline/detections_file.h), the input of `sightline track`.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/detections_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Every frame up to the last is materialised (the tracker must see empty frames), so a frame
    // number of 10 million costs a gigabyte: legal for a real file, capped at 100,000 here to stay
    // within the fuzzer's memory limit.
    const std::string text(reinterpret_cast<const char*>(data), size);
    (void)sl::pipeline::parseMotDetections(text, "fuzz.txt", 30, 100000);
    return 0;
}
