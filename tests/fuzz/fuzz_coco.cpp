// COCO importer (annotate/formats/coco.h): a dataset, then the same bytes as a results list
// against a small dataset; any input either imports or throws FormatError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "annotate/formats/coco.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace fmt = sl::annotate::formats;
    const std::string text(reinterpret_cast<const char*>(data), size);
    fmt::ImportOptions options;
    options.badBoxes = size % 2 == 0 ? fmt::BadBoxPolicy::Fail : fmt::BadBoxPolicy::Clip;
    try {
        (void)fmt::importCocoText(text, "fuzz.json", options);
    } catch (const fmt::FormatError&) {
    }
    static const fmt::Imported gt = fmt::importCocoText(
        R"({"images":[{"id":1,"width":64,"height":48},{"id":7}],"categories":[{"id":3,"name":"a"}],
            "annotations":[{"id":1,"image_id":1,"category_id":3,"bbox":[1,2,3,4]}]})",
        "gt.json", {});
    try {
        (void)fmt::importCocoResultsText(text, "fuzz.json", gt, options);
    } catch (const fmt::FormatError&) {
    }
    return 0;
}
