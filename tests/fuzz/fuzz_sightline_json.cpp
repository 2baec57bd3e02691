// Sightline annotation JSON importer (annotate/formats/sightline_json.h), both shapes (annotation
// sets and analyze results); any input either imports or throws FormatError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "annotate/formats/sightline_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace fmt = sl::annotate::formats;
    const std::string text(reinterpret_cast<const char*>(data), size);
    fmt::ImportOptions options;
    options.badBoxes = size % 2 == 0 ? fmt::BadBoxPolicy::Fail : fmt::BadBoxPolicy::Clip;
    try {
        (void)fmt::importSightlineJsonText(text, "fuzz.json", options);
    } catch (const fmt::FormatError&) {
    }
    return 0;
}
