#include "support/frame_pattern.h"

#include <cstddef>
#include <cstring>

namespace sl::testing {

void drawFramePattern(uint8_t* luma, int stride, int width, int height, uint32_t number) {
    for (int y = 0; y < height; ++y) {
        const int row = y * kPatternGrid / height;
        uint8_t* line = luma + static_cast<ptrdiff_t>(y) * stride;
        for (int c = 0; c < kPatternGrid; ++c) {
            const int x0 = c * width / kPatternGrid;
            const int x1 = (c + 1) * width / kPatternGrid;
            const bool on = (number >> (row * kPatternGrid + c)) & 1u;
            std::memset(line + x0, on ? kPatternOn : kPatternOff, size_t(x1 - x0));
        }
    }
}

int readFramePattern(const std::function<int(int x, int y)>& luma, int width, int height) {
    if (width < kPatternGrid * 4 || height < kPatternGrid * 4) return -1;
    int number = 0;
    for (int r = 0; r < kPatternGrid; ++r) {
        for (int c = 0; c < kPatternGrid; ++c) {
            const int x0 = c * width / kPatternGrid, x1 = (c + 1) * width / kPatternGrid;
            const int y0 = r * height / kPatternGrid, y1 = (r + 1) * height / kPatternGrid;
            const int qx = (x1 - x0) / 4, qy = (y1 - y0) / 4;
            long sum = 0, n = 0;
            for (int y = y0 + qy; y < y1 - qy; ++y)
                for (int x = x0 + qx; x < x1 - qx; ++x, ++n) sum += luma(x, y);
            const long mean = n ? sum / n : 0;
            if (mean > 170) number |= 1 << (r * kPatternGrid + c);
            else if (mean >= 80) return -1;
        }
    }
    return number;
}

int readFramePatternFromLuma(const uint8_t* luma, int stride, int width, int height) {
    return readFramePattern(
        [&](int x, int y) { return int(luma[static_cast<ptrdiff_t>(y) * stride + x]); }, width,
        height);
}

}  // namespace sl::testing
