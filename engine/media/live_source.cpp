#include "media/live_source.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "core/log.h"
#include "media/media_source.h"

namespace sl::media {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string secondsText(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

double secondsBetween(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// Inputs that no retry can fix: the protocol, demuxer or codec is missing from this FFmpeg, the
// stream has no video, or the options are malformed. Everything else (refused, timed out, 404
// while a camera reboots, a stream that ended) is worth another attempt.
bool permanent(const Status& st) {
    return st.code() == StatusCode::Unsupported || st.code() == StatusCode::InvalidArgument;
}

}  // namespace

const char* liveStateName(LiveState state) {
    switch (state) {
    case LiveState::Connecting: return "connecting";
    case LiveState::Live: return "live";
    case LiveState::Stalled: return "stalled";
    case LiveState::Reconnecting: return "reconnecting";
    case LiveState::Failed: return "failed";
    case LiveState::Stopped: return "stopped";
    }
    return "?";
}

bool looksLive(const std::string& url) {
    if (url.rfind("/dev/video", 0) == 0) return true;
    const auto pos = url.find("://");
    return pos != std::string::npos && pos > 0 && url.compare(0, pos, "file") != 0;
}

milliseconds backoffDelay(const ReconnectPolicy& policy, int attempt, std::mt19937& rng) {
    const double initial = double(std::max<int64_t>(0, policy.initialDelay.count()));
    const double cap = double(std::max<int64_t>(0, policy.maxDelay.count()));
    // pow() of a long outage overflows to inf, which min() then caps: no special case needed.
    double d = initial * std::pow(std::max(1.0, policy.multiplier), std::max(0, attempt - 1));
    d = std::min(d, cap);
    const double j = std::clamp(policy.jitter, 0.0, 1.0);
    if (j > 0) d *= std::uniform_real_distribution<double>(1.0 - j, 1.0 + j)(rng);
    return milliseconds(int64_t(std::llround(std::max(0.0, d))));
}

LiveSource::LiveSource(LiveSourceOptions options, LiveCallbacks callbacks)
    : options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      name_(options_.name.empty() ? options_.open.url : options_.name),
      rng_(options_.seed ? options_.seed : std::random_device{}()) {
    snap_.state = LiveState::Connecting;
    snap_.reason = "not started";
    snap_.since = Clock::now();
}

LiveSource::~LiveSource() { stop(); }

void LiveSource::start() {
    std::lock_guard lk(mutex_);
    if (started_) return;
    started_ = true;
    thread_ = std::thread([this] { run(); });
}

void LiveSource::stop() {
    {
        std::lock_guard lk(mutex_);
        stopRequested_ = true;
    }
    changed_.notify_all();
    // The thread notices within one interrupt-callback period (~100 ms) even inside a blocked
    // FFmpeg call: watchdog() returns true once stopRequested_ is set.
    {
        std::lock_guard join(joinMutex_);   // two threads stopping at once: one joins
        if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
    }
    std::lock_guard lk(mutex_);
    // Failed is final and keeps its reason (what a monitor shows for a removed dead camera).
    if (started_ && snap_.state != LiveState::Stopped && snap_.state != LiveState::Failed) {
        snap_.state = LiveState::Stopped;
        snap_.reason = "stopped";
        snap_.since = Clock::now();
    }
}

LiveSnapshot LiveSource::snapshot() const {
    std::lock_guard lk(mutex_);
    return snap_;
}

LiveState LiveSource::state() const {
    std::lock_guard lk(mutex_);
    return snap_.state;
}

Expected<LiveFrame> LiveSource::next(milliseconds timeout) {
    std::unique_lock lk(mutex_);
    const auto terminal = [&] {
        return snap_.state == LiveState::Failed || snap_.state == LiveState::Stopped;
    };
    changed_.wait_for(lk, timeout, [&] { return !queue_.empty() || terminal(); });
    if (!queue_.empty()) {
        LiveFrame f = std::move(queue_.front());
        queue_.pop_front();
        return f;
    }
    if (snap_.state == LiveState::Failed)
        return Status(failCode_, "media: live source '" + name_ + "' failed: " + snap_.reason);
    if (snap_.state == LiveState::Stopped)
        return Status(StatusCode::Cancelled, "media: live source '" + name_ + "' stopped");
    return Status(StatusCode::Unavailable, "media: no frame from '" + name_ + "' within " +
                                               secondsText(double(timeout.count()) / 1000) +
                                               " (" + liveStateName(snap_.state) + ": " +
                                               snap_.reason + ")");
}

void LiveSource::setState(LiveState state, std::string reason) {
    LiveSnapshot copy;
    {
        std::lock_guard lk(mutex_);
        if (snap_.state == LiveState::Stopped) return;   // stop() has the last word
        snap_.state = state;
        snap_.reason = std::move(reason);
        snap_.since = Clock::now();
        copy = snap_;
    }
    changed_.notify_all();
    logInfo("media", "live '" + name_ + "': " + liveStateName(state) + " (" + copy.reason + ")");
    if (callbacks_.onState) callbacks_.onState(copy);
}

bool LiveSource::sleepUnlessStopped(milliseconds d) {
    std::unique_lock lk(mutex_);
    return !changed_.wait_for(lk, d, [&] { return stopRequested_.load(); });
}

bool LiveSource::watchdog() {
    if (stopRequested_) return true;
    if (!reading_) return false;   // opening: MediaSource's open deadline applies
    const auto now = Clock::now();
    const milliseconds stallAfter =
        options_.stallTimeout.count() > 0 ? options_.stallTimeout : options_.readTimeout / 2;
    const double quiet = secondsBetween(progressAt_, now);
    if (!stalled_ && now - progressAt_ >= stallAfter) {
        // Still connected but nothing arrives: say so now, before the read gives up, so a
        // monitor shows a frozen camera as stalled rather than live.
        stalled_ = true;
        setState(LiveState::Stalled, "no frame for " + secondsText(quiet));
    }
    if (now - progressAt_ >= options_.readTimeout) aborting_ = true;
    return aborting_;
}

void LiveSource::pace(const VideoFrame& frame, double fps) {
    const double t = loopOffset_ + frame.seconds();
    if (!paceStart_) paceStart_ = Clock::now() - std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(t));
    lastSeconds_ = frame.seconds() + (fps > 0 ? 1.0 / fps : 0.04);
    const auto due = *paceStart_ + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(t));
    const auto now = Clock::now();
    if (due > now) sleepUnlessStopped(std::chrono::duration_cast<milliseconds>(due - now));
}

void LiveSource::deliver(VideoFrame&& frame, int64_t session) {
    frame.setIndex(nextIndex_++);
    // A simulated camera's frame "arrives" when its pace releases it, not when it was decoded
    // ahead: latencies measured downstream start here, as they would for a real camera.
    if (options_.paceToRealTime) frame.setDecodedAt(Clock::now());
    LiveFrame lf{std::move(frame), session};
    {
        std::lock_guard lk(mutex_);
        ++snap_.stats.frames;
        snap_.stats.consecutiveFailures = 0;
        snap_.lastFrameAt = Clock::now();
        if (!callbacks_.onFrame) {
            // A live source never waits for its consumer: the oldest frame is the least useful.
            if (queue_.size() >= std::max<size_t>(1, options_.queueCapacity)) {
                queue_.pop_front();
                ++snap_.stats.dropped;
            }
            queue_.push_back(std::move(lf));
        }
    }
    if (callbacks_.onFrame) callbacks_.onFrame(std::move(lf));
    else changed_.notify_all();
}

LiveSource::SessionEnd LiveSource::session(bool& delivered) {
    OpenOptions o = options_.open;
    o.buildIndex = false;   // nothing to seek in live input; a simulated camera opens faster
    o.openTimeoutMs = int(std::max<int64_t>(1, options_.openTimeout.count()));
    o.networkTimeoutMs = int(std::max<int64_t>(1, options_.readTimeout.count()));
    o.interruptPoll = [this] { return watchdog(); };
    reading_ = false;
    stalled_ = false;
    framesWhileStalled_ = 0;
    aborting_ = false;

    MediaSource src;
    ++connections_;
    if (callbacks_.onPacket) {
        // The stream's description is made once per connection, at its first packet (the
        // codec parameters are final once open() has probed), and shared by all its packets.
        src.setPacketTap([this, stream = std::shared_ptr<const PacketStream>(),
                          connection = connections_, session = delivered
                                                                  ? currentSession_
                                                                  : sessions_ + 1,
                          first = nextIndex_](const AVPacket& pkt, const AVStream& st) mutable {
            if (!stream) {
                auto ps = std::make_shared<PacketStream>();
                AVCodecParameters* par = avcodec_parameters_alloc();
                if (!par || avcodec_parameters_copy(par, st.codecpar) < 0) {
                    avcodec_parameters_free(&par);
                    return;   // out of memory: no tap for this packet; the next one retries
                }
                ps->codecpar = std::shared_ptr<const AVCodecParameters>(
                    par, [](const AVCodecParameters* p) {
                        auto* q = const_cast<AVCodecParameters*>(p);
                        avcodec_parameters_free(&q);
                    });
                ps->timeBase = st.time_base;
                const AVRational r = st.avg_frame_rate.num > 0 ? st.avg_frame_rate : st.r_frame_rate;
                ps->fps = r.num > 0 && r.den > 0 ? av_q2d(r) : 0;
                ps->connection = connection;
                ps->session = session;
                ps->firstFrame = first;
                stream = std::move(ps);
            }
            callbacks_.onPacket(LivePacket{&pkt, stream});
        });
    }
    if (Status st = src.open(o); !st) {
        if (stopRequested_) return {Ended::Stop, st};
        return {permanent(st) ? Ended::Fatal : Ended::Retry, st};
    }
    {
        std::lock_guard lk(mutex_);
        snap_.info = src.info();
    }
    const StreamInfo* video = src.info().video();
    const double fps = video ? (video->nominalFps > 0 ? video->nominalFps : video->averageFps) : 0;
    progressAt_ = Clock::now();
    reading_ = true;
    bool gotFrame = false;   // in this pass (a loop restarts the file, not the session)
    for (;;) {
        Expected<VideoFrame> f = src.readFrame();
        if (stopRequested_) return {Ended::Stop, Status()};
        if (!f) {
            reading_ = false;
            Status why = f.status();
            if (why.code() == StatusCode::EndOfStream) {
                if (options_.paceToRealTime && options_.loop && gotFrame) {
                    loopOffset_ += lastSeconds_;
                    return {Ended::Loop, why};
                }
                // Only seekable input reaches here (live input ends with an Io status): a file
                // as a simulated camera, or a recording on a server. Supervised as live, its end
                // is the stream going away, not a finished recording.
                why = Status(StatusCode::Io,
                             std::string("media: ") +
                                 (options_.paceToRealTime ? "simulated camera '" : "stream '") +
                                 name_ + "' ended after " +
                                 std::to_string(src.decodedFrames()) + " frames");
            } else if (why.code() == StatusCode::Io && stalled_ && aborting_) {
                why = Status(StatusCode::Io, "media: no frame from '" + name_ + "' for " +
                                                 secondsText(secondsBetween(progressAt_,
                                                                            Clock::now())) +
                                                 "; dropping the connection");
            }
            setState(LiveState::Stalled, why.message());
            return {Ended::Retry, why};
        }
        if (options_.paceToRealTime) pace(*f, fps);
        if (stopRequested_) return {Ended::Stop, Status()};
        gotFrame = true;
        if (!delivered) {
            delivered = true;
            currentSession_ = ++sessions_;
            std::lock_guard lk(mutex_);
            snap_.stats.sessions = sessions_;
        }
        const bool wasStalled = stalled_;
        const double quiet = secondsBetween(progressAt_, Clock::now());
        if (aborting_ || (stalled_ && ++framesWhileStalled_ < 2)) {
            // One picture after a silence is often the input's last, pushed out by the wait
            // itself (RTP's reorder queue, MPEG-TS's pending PES): deliver it, but the stream
            // has not recovered, and the watchdog's clock keeps running from the last good frame.
            // Once the watchdog gave up, whatever the demuxer flushes out is delivered and the
            // connection still dropped.
            deliver(std::move(*f), currentSession_);
            continue;
        }
        progressAt_ = Clock::now();
        stalled_ = false;
        framesWhileStalled_ = 0;
        const LiveState now = state();
        deliver(std::move(*f), currentSession_);
        if (now != LiveState::Live)
            setState(LiveState::Live, wasStalled ? "frames again after " + secondsText(quiet)
                                                 : "receiving (session " +
                                                       std::to_string(currentSession_) + ")");
    }
}

void LiveSource::run() {
    setState(LiveState::Connecting, "opening '" + name_ + "'");
    int failures = 0;
    for (;;) {
        bool delivered = false;
        SessionEnd end = session(delivered);
        // A looping simulated camera goes on seamlessly: same session, no state change.
        while (end.how == Ended::Loop) end = session(delivered);
        if (end.how == Ended::Stop || stopRequested_) break;
        if (delivered) failures = 0;
        const std::string why = end.why.message();
        if (end.how == Ended::Fatal) {
            failCode_ = end.why.code();
            setState(LiveState::Failed, why);
            break;
        }
        ++failures;
        {
            std::lock_guard lk(mutex_);
            snap_.stats.consecutiveFailures = failures;
        }
        const ReconnectPolicy& p = options_.reconnect;
        if (p.maxAttempts >= 0 && failures > p.maxAttempts) {
            failCode_ = end.why.code();
            const std::string n = std::to_string(p.maxAttempts);
            setState(LiveState::Failed,
                     p.maxAttempts == 0 ? why + " (reconnecting is off)"
                     : p.maxAttempts == 1
                         ? why + " (gave up after 1 reconnect attempt)"
                         : why + " (gave up after " + n + " reconnect attempts)");
            break;
        }
        const milliseconds delay = backoffDelay(p, failures, rng_);
        setState(LiveState::Reconnecting, why + "; attempt " + std::to_string(failures) +
                                              " in " + secondsText(double(delay.count()) / 1000));
        if (!sleepUnlessStopped(delay)) break;
        {
            std::lock_guard lk(mutex_);
            ++snap_.stats.reconnects;
        }
        // A new session of a simulated camera starts its clock again (the file restarts).
        paceStart_.reset();
        loopOffset_ = 0;
    }
    if (stopRequested_ && state() != LiveState::Failed) setState(LiveState::Stopped, "stopped");
}

}  // namespace sl::media
