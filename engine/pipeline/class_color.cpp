#include "pipeline/class_color.h"

#include <algorithm>

namespace sl::pipeline {

Rgb classColor(int classId) {
    // Twelve saturated, well separated hues (Tableau-like); cycles for larger class ids.
    static constexpr Rgb kPalette[] = {
        {230, 25, 75},  {60, 180, 75},  {255, 225, 25}, {0, 130, 200},  {245, 130, 48},
        {145, 30, 180}, {70, 240, 240}, {240, 50, 230}, {210, 245, 60}, {250, 190, 212},
        {0, 128, 128},  {170, 110, 40}};
    constexpr int n = int(sizeof kPalette / sizeof kPalette[0]);
    return kPalette[((classId % n) + n) % n];
}

Rgb contrastingTextColor(Rgb c) {
    const int lightness = (std::max({c.r, c.g, c.b}) + std::min({c.r, c.g, c.b})) / 2;
    return lightness > 140 ? Rgb{0, 0, 0} : Rgb{255, 255, 255};
}

}  // namespace sl::pipeline
