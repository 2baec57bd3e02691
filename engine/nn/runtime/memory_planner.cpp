#include "nn/runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace sl::nn {

namespace {
size_t alignUp(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }
}  // namespace

MemoryPlan planMemory(const std::vector<BufferRequest>& requests, size_t alignment) {
    MemoryPlan plan;
    plan.offsets.assign(requests.size(), 0);
    std::vector<size_t> order(requests.size());
    std::iota(order.begin(), order.end(), size_t(0));
    // Largest first (ties: earlier first) so big tensors get the low, dense part of the arena.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return requests[a].bytes > requests[b].bytes;
    });
    struct Placed {
        size_t offset, end;
        int first, last;
    };
    std::vector<Placed> placed;
    for (size_t idx : order) {
        const BufferRequest& r = requests[idx];
        plan.naiveBytes += r.bytes;
        const size_t size = alignUp(std::max<size_t>(r.bytes, 1), alignment);
        // Ranges taken by values live at the same time, sorted by offset; take the first gap.
        std::vector<std::pair<size_t, size_t>> busy;
        for (const Placed& p : placed)
            if (p.first <= r.lastStep && r.firstStep <= p.last) busy.emplace_back(p.offset, p.end);
        std::sort(busy.begin(), busy.end());
        size_t offset = 0;
        for (const auto& [b, e] : busy) {
            if (offset + size <= b) break;
            offset = std::max(offset, alignUp(e, alignment));
        }
        plan.offsets[idx] = offset;
        placed.push_back({offset, offset + size, r.firstStep, r.lastStep});
        plan.arenaBytes = std::max(plan.arenaBytes, offset + size);
    }
    return plan;
}

}  // namespace sl::nn
