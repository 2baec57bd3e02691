#pragma once
// The frame-number pattern that generated test videos carry: a 4x4 grid of cells over the whole
// picture, cell (row r, column c) holds bit r*4+c of the frame number, white (luma 235) for 1 and
// black (luma 16) for 0, chroma neutral. Big flat cells survive lossy coding and scaling, so the
// number can be read back from decoded planes or from pixels grabbed off the screen.

#include <cstdint>
#include <functional>

namespace sl::testing {

inline constexpr int kPatternGrid = 4;                       // cells per side
inline constexpr int kPatternBits = kPatternGrid * kPatternGrid;
inline constexpr uint8_t kPatternOn = 235;
inline constexpr uint8_t kPatternOff = 16;

// Draws `number` (0 .. 2^16-1) into a luma plane.
void drawFramePattern(uint8_t* luma, int stride, int width, int height, uint32_t number);

// Reads the number back through a luma sampler (0..255) over a width x height picture. Averages the
// middle half of each cell; returns -1 when any cell is neither clearly on nor clearly off (a torn,
// blended or wrong picture), so a reader never guesses.
int readFramePattern(const std::function<int(int x, int y)>& luma, int width, int height);

int readFramePatternFromLuma(const uint8_t* luma, int stride, int width, int height);

}  // namespace sl::testing
