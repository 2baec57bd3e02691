#include "track/propagator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace sl::track {

const char* proposalSourceName(ProposalSource s) {
    return s == ProposalSource::Detector ? "detector" : "template";
}

const char* propagationStopName(PropagationStop s) {
    switch (s) {
    case PropagationStop::Running: return "running";
    case PropagationStop::Completed: return "completed";
    case PropagationStop::Lost: return "lost";
    case PropagationStop::LeftFrame: return "left the frame";
    case PropagationStop::NoTexture: return "no texture";
    case PropagationStop::Cancelled: return "cancelled";
    }
    return "?";
}

namespace {

// A float image (one pyramid level of a crop or of the template, before mean removal).
struct Plane {
    std::vector<float> px;
    int w = 0, h = 0;
    float at(int x, int y) const { return px[size_t(y) * size_t(w) + size_t(x)]; }
};

Plane cropPlane(const LumaView& l, int x0, int y0, int w, int h) {
    Plane p;
    p.w = w, p.h = h;
    p.px.resize(size_t(w) * size_t(h));
    for (int y = 0; y < h; ++y) {
        const uint8_t* row = l.data + ptrdiff_t(y0 + y) * l.stride + x0;
        float* out = p.px.data() + size_t(y) * size_t(w);
        for (int x = 0; x < w; ++x) out[x] = float(row[x]);
    }
    return p;
}

// 2x2 box average (the same reduction for the crop and the template, so the levels agree).
Plane halve(const Plane& in) {
    Plane p;
    p.w = in.w / 2, p.h = in.h / 2;
    p.px.resize(size_t(p.w) * size_t(p.h));
    for (int y = 0; y < p.h; ++y) {
        const float* a = in.px.data() + size_t(2 * y) * size_t(in.w);
        const float* b = a + in.w;
        float* out = p.px.data() + size_t(y) * size_t(p.w);
        for (int x = 0; x < p.w; ++x)
            out[x] = 0.25f * (a[2 * x] + a[2 * x + 1] + b[2 * x] + b[2 * x + 1]);
    }
    return p;
}

// NCC of the zero-mean template T (energy E) with the window of I at (u, v). One pass gives the
// cross term and the window's sums; sum(I * T) needs no window mean because sum(T) = 0.
double nccAt(const Plane& img, const std::vector<float>& t, int tw, int th, double energy, int u,
             int v) {
    double cross = 0, sum = 0, sum2 = 0;
    for (int j = 0; j < th; ++j) {
        const float* row = img.px.data() + size_t(v + j) * size_t(img.w) + size_t(u);
        const float* trow = t.data() + size_t(j) * size_t(tw);
        float c = 0, s = 0, s2 = 0;   // per row in float (vectorises), accumulated in double
        for (int i = 0; i < tw; ++i) {
            c += row[i] * trow[i];
            s += row[i];
            s2 += row[i] * row[i];
        }
        cross += c, sum += s, sum2 += s2;
    }
    const double n = double(tw) * double(th);
    const double var = sum2 - sum * sum / n;
    if (var <= 1e-6 * n || energy <= 0) return 0;
    return cross / std::sqrt(var * energy);
}

// Sub-pixel offset of a peak from three samples (a parabola's vertex), in [-0.5, 0.5].
double parabola(double left, double mid, double right) {
    const double d = left - 2 * mid + right;
    if (d >= 0) return 0;   // not a maximum (flat or a valley): stay on the sample
    return std::clamp(0.5 * (left - right) / d, -0.5, 0.5);
}

vision::Box fromMean(const KalmanFilter<double>::Mean& m) {
    const double h = m(3), w = m(2) * m(3);
    return {float(m(0) - w / 2), float(m(1) - h / 2), float(m(0) + w / 2), float(m(1) + h / 2)};
}

KalmanFilter<double>::Measurement toMeasurement(const vision::Box& b) {
    KalmanFilter<double>::Measurement z;
    z << (b.x1 + b.x2) / 2.0, (b.y1 + b.y2) / 2.0, double(b.width()) / double(b.height()),
        double(b.height());
    return z;
}

double insideFraction(const vision::Box& b, int width, int height) {
    const double area = double(b.width()) * double(b.height());
    if (area <= 0) return 0;
    const double w = std::max(0.0, std::min<double>(b.x2, width) - std::max<double>(b.x1, 0));
    const double h = std::max(0.0, std::min<double>(b.y2, height) - std::max<double>(b.y1, 0));
    return w * h / area;
}

std::string boxText(const vision::Box& b) {
    char s[96];
    std::snprintf(s, sizeof s, "(%.1f, %.1f)-(%.1f, %.1f)", b.x1, b.y1, b.x2, b.y2);
    return s;
}

}  // namespace

Expected<Propagator> Propagator::start(const LumaView& first, int64_t frame, vision::Box box,
                                       std::string label, PropagatorOptions options) {
    if (!first.data || first.width <= 0 || first.height <= 0 || first.stride < first.width)
        return Status(StatusCode::InvalidArgument, "track/Propagator: the first frame is empty");
    if (!(box.x1 < box.x2 && box.y1 < box.y2))
        return Status(StatusCode::InvalidArgument,
                      "track/Propagator: the start box " + boxText(box) + " is empty");
    if (insideFraction(box, first.width, first.height) < options.minInside)
        return Status(StatusCode::InvalidArgument,
                      "track/Propagator: the start box " + boxText(box) +
                          " is mostly outside the " + std::to_string(first.width) + "x" +
                          std::to_string(first.height) + " frame");
    Propagator p;
    p.options_ = options;
    p.label_ = std::move(label);
    p.frame_ = frame;
    p.box_ = box;
    KalmanFilter<double>::initiate(toMeasurement(box), p.mean_, p.cov_);
    // A flat box can still follow detections; it stops only where it would need the template.
    p.hasTemplate_ = p.cutTemplate(first, box);
    return p;
}

bool Propagator::cutTemplate(const LumaView& luma, const vision::Box& box) {
    // The template is the box's pixels that lie in the frame; the box keeps its sub-pixel corner
    // relative to where the template was cut.
    const int x0 = std::clamp(int(std::lround(box.x1)), 0, luma.width - 1);
    const int y0 = std::clamp(int(std::lround(box.y1)), 0, luma.height - 1);
    const int x1 = std::clamp(int(std::lround(box.x2)), x0 + 1, luma.width);
    const int y1 = std::clamp(int(std::lround(box.y2)), y0 + 1, luma.height);
    Plane p = cropPlane(luma, x0, y0, x1 - x0, y1 - y0);
    offsetX_ = box.x1 - float(x0);
    offsetY_ = box.y1 - float(y0);
    boxW_ = box.width();
    boxH_ = box.height();
    // Levels until the template is small enough for an exhaustive coarse search (<= 24 px a
    // side) while keeping >= 8 px of it.
    std::vector<Plane> planes{std::move(p)};
    while (planes.size() < 6 && std::min(planes.back().w, planes.back().h) / 2 >= 8 &&
           std::max(planes.back().w, planes.back().h) > 24)
        planes.push_back(halve(planes.back()));
    levels_.clear();
    for (size_t l = 0; l < planes.size(); ++l) {
        Template t;
        const Plane& pl = planes[l];
        double mean = 0;
        for (float v : pl.px) mean += v;
        mean /= double(pl.px.size());
        t.pixels.resize(pl.px.size());
        for (size_t i = 0; i < pl.px.size(); ++i) {
            t.pixels[i] = float(pl.px[i] - mean);
            t.energy += double(t.pixels[i]) * double(t.pixels[i]);
        }
        t.x = x0, t.y = y0, t.w = pl.w, t.h = pl.h;
        levels_.push_back(std::move(t));
    }
    // A flat patch (std dev < 1 grey level) correlates with anything.
    return levels_[0].energy >= double(levels_[0].pixels.size());
}

void Propagator::finish(PropagationStop why, std::string reason) {
    if (stop_ != PropagationStop::Running) return;
    stop_ = why;
    reason_ = std::move(reason);
}

std::optional<Proposal> Propagator::step(const LumaView& luma,
                                         const std::vector<PropagationCandidate>& candidates) {
    if (stop_ != PropagationStop::Running) return std::nullopt;
    const int64_t frame = frame_ + 1;
    KalmanFilter<double>::predict(mean_, cov_);
    const vision::Box pred = fromMean(mean_);
    if (insideFraction(pred, luma.width, luma.height) < options_.minInside) {
        finish(PropagationStop::LeftFrame, "frame " + std::to_string(frame) + ": the box " +
                                               boxText(pred) + " is expected outside the frame");
        return std::nullopt;
    }

    // Association: the candidate of best IoU with the prediction; the start box's label first.
    int best = -1;
    float bestIou = 0;
    bool bestSameLabel = false;
    for (size_t i = 0; i < candidates.size(); ++i) {
        const float o = vision::iou(pred, candidates[i].box);
        if (o < options_.minIou) continue;
        const bool same = candidates[i].label == label_;
        if (best < 0 || (same && !bestSameLabel) || (same == bestSameLabel && o > bestIou))
            best = int(i), bestIou = o, bestSameLabel = same;
    }
    Proposal out;
    out.frame = frame;
    if (best >= 0) {
        out.box = candidates[size_t(best)].box;
        out.source = ProposalSource::Detector;
        out.confidence = candidates[size_t(best)].score;
        out.candidate = best;
        // The detection is the object's new appearance. A flat detection keeps the old template.
        const auto keep = levels_;
        const float ox = offsetX_, oy = offsetY_, bw = boxW_, bh = boxH_;
        if (cutTemplate(luma, out.box)) {
            hasTemplate_ = true;
        } else {
            levels_ = keep;
            offsetX_ = ox, offsetY_ = oy, boxW_ = bw, boxH_ = bh;
        }
    } else if (!hasTemplate_) {
        finish(PropagationStop::NoTexture,
               "frame " + std::to_string(frame) + ": no detection matches and the box " +
                   boxText(box_) + " has no texture to follow (flat luma)");
        return std::nullopt;
    } else {
        // Template match around the predicted template corner, within the frame.
        const Template& t0 = levels_[0];
        const double px = pred.x1 - offsetX_, py = pred.y1 - offsetY_;
        const double r = std::max<double>(options_.minSearch,
                                          options_.searchFraction * std::max(boxW_, boxH_));
        const int xlo = std::max(0, int(std::floor(px - r)));
        const int ylo = std::max(0, int(std::floor(py - r)));
        const int xhi = std::min(luma.width - t0.w, int(std::ceil(px + r)));
        const int yhi = std::min(luma.height - t0.h, int(std::ceil(py + r)));
        if (xhi < xlo || yhi < ylo) {
            finish(PropagationStop::LeftFrame,
                   "frame " + std::to_string(frame) + ": no room for the box in the frame");
            return std::nullopt;
        }
        std::vector<Plane> crop{cropPlane(luma, xlo, ylo, xhi - xlo + t0.w, yhi - ylo + t0.h)};
        for (size_t l = 1; l < levels_.size(); ++l) crop.push_back(halve(crop.back()));

        // Exhaustive on the top level, then +-2 around the doubled hit on each finer one (moving
        // on while the best sits on the edge: the coarse hit can be off by more than a pixel).
        int bu = 0, bv = 0;
        double bestNcc = -2;
        const int top = int(levels_.size()) - 1;
        for (int l = top; l >= 0; --l) {
            const Template& t = levels_[size_t(l)];
            const Plane& img = crop[size_t(l)];
            const int umax = img.w - t.w, vmax = img.h - t.h;
            if (umax < 0 || vmax < 0) continue;   // the crop is smaller than this level's template
            int u0 = 0, u1 = umax, v0 = 0, v1 = vmax;
            if (l != top) {
                bu = std::clamp(bu * 2, 0, umax), bv = std::clamp(bv * 2, 0, vmax);
                u0 = std::max(0, bu - 2), u1 = std::min(umax, bu + 2);
                v0 = std::max(0, bv - 2), v1 = std::min(vmax, bv + 2);
            }
            for (int round = 0; round < 8; ++round) {
                bestNcc = -2;
                for (int v = v0; v <= v1; ++v)
                    for (int u = u0; u <= u1; ++u) {
                        const double c = nccAt(img, t.pixels, t.w, t.h, t.energy, u, v);
                        if (c > bestNcc) bestNcc = c, bu = u, bv = v;
                    }
                const bool edge = (bu == u0 && u0 > 0) || (bu == u1 && u1 < umax) ||
                                  (bv == v0 && v0 > 0) || (bv == v1 && v1 < vmax);
                if (l == top || !edge) break;
                u0 = std::max(0, bu - 2), u1 = std::min(umax, bu + 2);
                v0 = std::max(0, bv - 2), v1 = std::min(vmax, bv + 2);
            }
        }
        const Plane& img = crop[0];
        const auto ncc = [&](int u, int v) {
            return nccAt(img, t0.pixels, t0.w, t0.h, t0.energy, u, v);
        };
        double sx = 0, sy = 0;
        if (bu > 0 && bu < img.w - t0.w) sx = parabola(ncc(bu - 1, bv), bestNcc, ncc(bu + 1, bv));
        if (bv > 0 && bv < img.h - t0.h) sy = parabola(ncc(bu, bv - 1), bestNcc, ncc(bu, bv + 1));
        if (bestNcc < options_.minConfidence) {
            char s[64];
            std::snprintf(s, sizeof s, "%.2f < %.2f", bestNcc, double(options_.minConfidence));
            finish(PropagationStop::Lost, "frame " + std::to_string(frame) +
                                              ": the best template match near " + boxText(pred) +
                                              " scores " + s + " (lost or occluded)");
            return std::nullopt;
        }
        const float x = float(xlo + bu + sx) + offsetX_, y = float(ylo + bv + sy) + offsetY_;
        out.box = {x, y, x + boxW_, y + boxH_};
        out.source = ProposalSource::Template;
        out.confidence = float(bestNcc);
    }
    KalmanFilter<double>::update(mean_, cov_, toMeasurement(out.box));
    frame_ = frame;
    box_ = out.box;
    return out;
}

Expected<PropagationResult> propagate(const LumaView& first, int64_t startFrame, vision::Box box,
                                      const std::string& label,
                                      const std::vector<LumaView>& frames,
                                      const std::vector<std::vector<PropagationCandidate>>& candidates,
                                      PropagatorOptions options) {
    if (!candidates.empty() && candidates.size() != frames.size())
        return Status(StatusCode::InvalidArgument,
                      "track/propagate: " + std::to_string(candidates.size()) +
                          " candidate lists for " + std::to_string(frames.size()) + " frames");
    auto p = Propagator::start(first, startFrame, box, label, options);
    if (!p) return p.status();
    PropagationResult r;
    static const std::vector<PropagationCandidate> kNone;
    for (size_t i = 0; i < frames.size(); ++i) {
        auto next = p->step(frames[i], candidates.empty() ? kNone : candidates[i]);
        if (!next) break;
        r.proposals.push_back(*next);
    }
    p->finish(PropagationStop::Completed, "all " + std::to_string(frames.size()) + " frames");
    r.stop = p->stop();
    r.reason = p->reason();
    return r;
}

}  // namespace sl::track
