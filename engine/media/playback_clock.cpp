#include "media/playback_clock.h"

#include <algorithm>
#include <cmath>

namespace sl::media {

double PlaybackClock::clampSpeed(double speed) {
    if (!std::isfinite(speed)) return 1.0;
    return std::clamp(speed, kMinSpeed, kMaxSpeed);
}

double PlaybackClock::mediaTime(Clock::time_point now) const {
    if (paused_) return anchorMedia_;
    const double wall = std::chrono::duration<double>(now - anchorWall_).count();
    return anchorMedia_ + wall * speed_;
}

PlaybackClock::Clock::time_point PlaybackClock::wallTime(double mediaSeconds) const {
    const double wall = (mediaSeconds - anchorMedia_) / speed_;
    return anchorWall_ +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wall));
}

void PlaybackClock::pause(Clock::time_point now) {
    if (paused_) return;
    anchorMedia_ = mediaTime(now);
    anchorWall_ = now;
    paused_ = true;
}

void PlaybackClock::resume(Clock::time_point now) {
    if (!paused_) return;
    anchorWall_ = now;
    paused_ = false;
}

void PlaybackClock::setSpeed(double speed, Clock::time_point now) {
    anchorMedia_ = mediaTime(now);
    anchorWall_ = now;
    speed_ = clampSpeed(speed);
}

void PlaybackClock::rebase(double mediaSeconds, Clock::time_point now) {
    anchorMedia_ = mediaSeconds;
    anchorWall_ = now;
}

}  // namespace sl::media
