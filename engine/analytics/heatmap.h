#pragma once
// Heatmap: anchor-point occupancy over a frame range, each point accumulated as a small isotropic
// Gaussian (sigma in source pixels, truncated at 3 sigma), then normalised to a maximum of 1.
// The grid is the source frame scaled by 1 / cellSize (cell centres at (i + 0.5) * cellSize).

#include <vector>

#include "analytics/scene.h"

namespace sl::analytics {

class Heatmap {
public:
    Heatmap(int frameWidth, int frameHeight, int cellSize = 4, double sigma = 8.0);
    void add(Point p, double weight = 1.0);
    void clear();
    int width() const;    // cells
    int height() const;
    int cellSize() const;
    // Row-major, width() x height(); max 1 (all zeros when nothing was added).
    std::vector<float> normalised() const;
    const std::vector<double>& raw() const;
private:
    int frameWidth_, frameHeight_, cell_;
    double sigma_;
    int w_, h_;
    std::vector<double> acc_;
};

}  // namespace sl::analytics
