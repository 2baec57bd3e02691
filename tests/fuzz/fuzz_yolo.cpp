// One YOLO label file (annotate/formats/yolo.h) against a fixed 640x480 frame and three classes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "annotate/formats/yolo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    sl::annotate::formats::ImportOptions options;
    options.media.width = 640;
    options.media.height = 480;
    options.labels = {"person", "car", "bike"};
    options.badBoxes = size % 2 == 0 ? sl::annotate::formats::BadBoxPolicy::Skip
                                     : sl::annotate::formats::BadBoxPolicy::Clip;
    try {
        (void)sl::annotate::formats::importYoloText(text, "fuzz.txt", 3, options);
    } catch (const sl::annotate::formats::FormatError&) {
    }
    return 0;
}
