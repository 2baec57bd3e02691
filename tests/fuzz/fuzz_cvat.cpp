// CVAT XML importer (annotate/formats/cvat.h): any input either imports or throws FormatError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "annotate/formats/cvat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    sl::annotate::formats::ImportOptions options;
    options.badBoxes = size % 2 == 0 ? sl::annotate::formats::BadBoxPolicy::Fail
                                     : sl::annotate::formats::BadBoxPolicy::Clip;
    try {
        (void)sl::annotate::formats::importCvatText(text, "fuzz.xml", options);
    } catch (const sl::annotate::formats::FormatError&) {
    }
    return 0;
}
