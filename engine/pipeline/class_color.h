#pragma once
// The one class palette: the live overlay (gui/view), the burned-in export and any other
// drawing of detections take a class's colour from here, so a class looks the same everywhere.

#include <cstdint>

namespace sl::pipeline {

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb&) const = default;
};

// A stable, distinguishable colour per class id (twelve saturated hues, cycled; negative ids
// wrap too).
Rgb classColor(int classId);
// Black or white, whichever reads on `background` (HSL lightness above 140 of 255 -> black:
// the rule the overlay always used).
Rgb contrastingTextColor(Rgb background);

}  // namespace sl::pipeline
