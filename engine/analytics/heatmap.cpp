#include "analytics/heatmap.h"

#include <algorithm>
#include <cmath>

namespace sl::analytics {

Heatmap::Heatmap(int frameWidth, int frameHeight, int cellSize, double sigma)
    : frameWidth_(std::max(0, frameWidth)),
      frameHeight_(std::max(0, frameHeight)),
      cell_(std::max(1, cellSize)),
      sigma_(sigma > 0 ? sigma : 1.0),
      w_((frameWidth_ + cell_ - 1) / cell_),
      h_((frameHeight_ + cell_ - 1) / cell_),
      acc_(static_cast<size_t>(w_) * h_, 0.0) {}

void Heatmap::add(Point p, double weight) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || w_ == 0 || h_ == 0) return;
    // Cells whose centre lies within 3 sigma of p: centre (i + 0.5) * cell.
    const double r = 3 * sigma_;
    const int i0 = std::max(0, static_cast<int>(std::ceil((p.x - r) / cell_ - 0.5)));
    const int i1 = std::min(w_ - 1, static_cast<int>(std::floor((p.x + r) / cell_ - 0.5)));
    const int j0 = std::max(0, static_cast<int>(std::ceil((p.y - r) / cell_ - 0.5)));
    const int j1 = std::min(h_ - 1, static_cast<int>(std::floor((p.y + r) / cell_ - 0.5)));
    const double k = -1.0 / (2 * sigma_ * sigma_);
    for (int j = j0; j <= j1; ++j) {
        const double dy = (j + 0.5) * cell_ - p.y;
        for (int i = i0; i <= i1; ++i) {
            const double dx = (i + 0.5) * cell_ - p.x;
            const double d2 = dx * dx + dy * dy;
            if (d2 > r * r) continue;
            acc_[static_cast<size_t>(j) * w_ + i] += weight * std::exp(k * d2);
        }
    }
}

void Heatmap::clear() { std::fill(acc_.begin(), acc_.end(), 0.0); }
int Heatmap::width() const { return w_; }
int Heatmap::height() const { return h_; }
int Heatmap::cellSize() const { return cell_; }
const std::vector<double>& Heatmap::raw() const { return acc_; }

std::vector<float> Heatmap::normalised() const {
    std::vector<float> out(acc_.size(), 0.0f);
    const double peak = acc_.empty() ? 0.0 : *std::max_element(acc_.begin(), acc_.end());
    if (peak <= 0) return out;
    for (size_t i = 0; i < acc_.size(); ++i) out[i] = static_cast<float>(acc_[i] / peak);
    return out;
}

}  // namespace sl::analytics
