// The zones / lines / rules file (analytics/scene.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "analytics/scene.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    (void)sl::analytics::parseSceneJson(std::string(reinterpret_cast<const char*>(data), size),
                                        "fuzz.json");
    return 0;
}
