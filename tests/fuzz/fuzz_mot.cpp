// MOTChallenge importer (annotate/formats/mot.h), as ground truth and as tracker output; any input
// either imports or throws FormatError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "annotate/formats/mot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace fmt = sl::annotate::formats;
    const std::string text(reinterpret_cast<const char*>(data), size);
    fmt::ImportOptions options;
    options.kind = size % 2 ? sl::annotate::SetKind::GroundTruth : sl::annotate::SetKind::ModelRun;
    options.badBoxes = size % 3 == 0 ? fmt::BadBoxPolicy::Skip : fmt::BadBoxPolicy::Fail;
    if (size % 5 == 0) options.labels = {"a", "b"};
    try {
        (void)fmt::importMotText(text, "fuzz.txt", options);
    } catch (const fmt::FormatError&) {
    }
    return 0;
}
