#pragma once
// STrack: one tracked object's state machine and filter state, as in both official ByteTrack
// implementations: New -> Tracked <-> Lost -> Removed. A track found again after it was lost is
// "re-activated" under the same id; an unconfirmed track (started after the first frame, not yet
// matched a second time) is removed when its second frame brings no match.

#include <cstdint>

#include "track/kalman_filter.h"
#include "vision/nms.h"

namespace sl::track {

enum class TrackState { New, Tracked, Lost, Removed };

template <class S>
struct STrack {
    using Filter = KalmanFilter<S>;
    int64_t id = 0;
    int classId = 0;
    float score = 0;
    TrackState state = TrackState::New;
    bool activated = false;        // confirmed: reported in the output
    int frameId = 0;               // last frame it was matched on (the official end_frame)
    int startFrame = 0;
    int trackletLength = 0;
    int detectionIndex = -1;       // this frame's matched input detection, -1 none
    bool removedBefore = false;    // reference preset: was in the removed list in an earlier frame
    typename Filter::Mean mean = Filter::Mean::Zero();
    typename Filter::Covariance cov = Filter::Covariance::Zero();
    // The box as of the last update (x1, y1, x2, y2). The ncnn deployment associates with this
    // box (it never refreshes it after a predict); the Python implementation with the predicted
    // mean (meanBox()).
    S x1 = 0, y1 = 0, x2 = 0, y2 = 0;

    // tlwh from the mean, as STrack.tlwh: w = a * h, centre -> corner.
    void meanBox(S& bx1, S& by1, S& bx2, S& by2) const {
        const S w = mean(2) * mean(3), h = mean(3);
        bx1 = mean(0) - w / 2;
        by1 = mean(1) - h / 2;
        bx2 = bx1 + w;
        by2 = by1 + h;
    }
    void refreshBox() { meanBox(x1, y1, x2, y2); }

    static typename Filter::Measurement xyah(S bx1, S by1, S bx2, S by2) {
        const S w = bx2 - bx1, h = by2 - by1;
        typename Filter::Measurement z;
        z << bx1 + w / 2, by1 + h / 2, w / h, h;
        return z;
    }
};

}  // namespace sl::track
