// libFuzzer target: models::parseManifest on arbitrary bytes (a manifest.json from a model folder
// or a download is untrusted input). Any outcome but a crash, a sanitizer report or a hang is fine.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "models/model_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto manifest = sl::models::parseManifest(text, "fuzz");
    // What the engine does next with an accepted manifest: the decoder's row count, the labels.
    if (manifest) {
        (void)manifest->outputRows();
        (void)manifest->classId("person");
        (void)sl::models::manifestToJson(*manifest);
    }
    return 0;
}
