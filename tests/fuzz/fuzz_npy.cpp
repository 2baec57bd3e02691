// libFuzzer target: nn::parseNpy on arbitrary bytes (the .npy test oracles and tensors users load).
// Any outcome but a crash, a sanitizer report or a hang is fine.

#include <cstddef>
#include <cstdint>
#include <string>

#include "nn/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    auto tensor = sl::nn::parseNpy(bytes, "fuzz");
    // An accepted tensor must round-trip through the writer.
    if (tensor) (void)sl::nn::serializeNpy(*tensor);
    return 0;
}
