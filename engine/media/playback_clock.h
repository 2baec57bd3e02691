#pragma once
// PlaybackClock: maps media time (seconds from the stream start) to steady_clock and back, at a
// speed of 1/8x..16x. It is a straight line through one anchor (media time, wall time); pausing,
// seeking and changing speed move the anchor, so the mapping never jumps. Not thread-safe: the
// player guards it with its own mutex.

#include <chrono>

namespace sl::media {

class PlaybackClock {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr double kMinSpeed = 1.0 / 8;
    static constexpr double kMaxSpeed = 16.0;

    static double clampSpeed(double speed);

    double mediaTime(Clock::time_point now) const;                 // seconds
    Clock::time_point wallTime(double mediaSeconds) const;         // when that media time is due
    bool paused() const { return paused_; }
    double speed() const { return speed_; }

    void pause(Clock::time_point now);
    void resume(Clock::time_point now);
    void setSpeed(double speed, Clock::time_point now);            // clamped; rebases
    void rebase(double mediaSeconds, Clock::time_point now);       // seek: now shows mediaSeconds

private:
    double anchorMedia_ = 0;
    Clock::time_point anchorWall_{};
    double speed_ = 1.0;
    bool paused_ = true;
};

}  // namespace sl::media
