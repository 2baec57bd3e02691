#pragma once
// Liveness-based buffer planning (TFLite's "greedy by size" arena planner): every intermediate
// value gets an offset in one device buffer; two values share bytes only when their lifetimes
// [firstStep, lastStep] do not overlap. Largest values are placed first, each at the lowest
// aligned offset that does not collide with an already placed, simultaneously live value.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sl::nn {

struct BufferRequest {
    size_t bytes = 0;
    int firstStep = 0;   // step that writes it (0 for graph inputs)
    int lastStep = 0;    // last step that reads it (the final step for graph outputs)
};

struct MemoryPlan {
    std::vector<size_t> offsets;   // one per request
    size_t arenaBytes = 0;         // the buffer size: peak of simultaneously live bytes (+ gaps)
    size_t naiveBytes = 0;         // sum of all requests (what no reuse would cost)
};

// `alignment` must be a power of two; every offset is a multiple of it.
MemoryPlan planMemory(const std::vector<BufferRequest>& requests, size_t alignment = 256);

}  // namespace sl::nn
