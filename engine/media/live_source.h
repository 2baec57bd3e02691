#pragma once
// LiveSource: the supervisor of one live input (RTSP over TCP or UDP, HTTP(S) MJPEG / MPEG-TS /
// HLS, UDP or TCP MPEG-TS, a V4L2 camera, or a file played at its real-time pace as a simulated
// camera). It owns a thread that opens a MediaSource, reads frames and, when the input stops,
// reconnects with exponential backoff and jitter, reporting each step as a state with a reason,
// the way GStreamer's rtspsrc / uridecodebin report theirs:
//
//   Connecting --first frame--> Live --no frame for stallTimeout--> Stalled --2 frames--> Live
//       |                         |                                   | no frame for readTimeout
//       | open failed             | read failed, stream ended         v
//       +-----------------------> +------> Stalled (the reason) --> Reconnecting
//   Reconnecting: backoff, then open again; the first frame -> Live, a failure -> Reconnecting
//   (next attempt) or, when the policy gives up or the input can never work (no such protocol
//   or codec), Failed.
//   stop() -> Stopped from any state but Failed (which keeps its reason).
//
// Every blocking FFmpeg call runs under a watchdog (AVIOInterruptCB, see OpenOptions::
// interruptPoll): opening and probing give up after openTimeout, a read after readTimeout, and a
// stop request reaches a blocked call within ~100 ms. So a dead, slow or unreachable source only
// ever blocks its own thread: start() returns at once (a camera down at start-up is just
// Connecting, then Reconnecting), and any number of LiveSources run side by side.
//
// Frames are numbered by the supervisor, 0, 1, 2 ... across every session (each new connection's
// decoder counts from 0 again), so a frame is never delivered or counted twice and a reconnect
// leaves no hole in the indices; LiveFrame::session says which connection delivered it.
//
// A live input that ends or fails is never reported as a clean end of file: it goes Stalled ->
// Reconnecting (or Failed once the policy gives up), with the reason.
//
// Packet tap (LiveCallbacks::onPacket, optional): every demuxed packet of the video stream, as it
// comes off the demuxer and before the decoder sees it, with the stream's codec parameters and
// time base (LivePacket::stream). The event-clip recorder keeps them to remux clips without
// re-encoding (pipeline/clip_recorder.h). The packet is lent for the call; av_packet_ref keeps
// it without copying its payload.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "media/ffmpeg_ptr.h"
#include "media/media_info.h"
#include "media/open_options.h"
#include "media/video_frame.h"

namespace sl::media {

enum class LiveState { Connecting, Live, Stalled, Reconnecting, Failed, Stopped };
const char* liveStateName(LiveState state);   // "connecting", "live", ...

// When and how often to try again. Attempt n (1-based) waits
// min(maxDelay, initialDelay * multiplier^(n-1)), scaled by a random factor in
// [1 - jitter, 1 + jitter] so that many cameras behind one failed switch do not all reconnect in
// the same millisecond.
struct ReconnectPolicy {
    std::chrono::milliseconds initialDelay{500};
    std::chrono::milliseconds maxDelay{30000};
    double multiplier = 2.0;
    double jitter = 0.25;
    // Consecutive failed attempts (without a frame in between) before Failed; -1 = forever,
    // 0 = never reconnect (the first loss is final).
    int maxAttempts = -1;
};

// The wait before attempt `attempt` (1-based) under `policy`, jitter drawn from `rng`.
std::chrono::milliseconds backoffDelay(const ReconnectPolicy& policy, int attempt,
                                       std::mt19937& rng);

// True for input that is live by nature: a network URL (anything "scheme://" but file:) or a
// V4L2 device (/dev/video*). A local file is live only as a simulated camera (paceToRealTime).
bool looksLive(const std::string& url);

struct LiveSourceOptions {
    OpenOptions open;   // url, inputFormat, avOptions ("rtsp_transport": "udp" for RTSP over UDP)
    std::string name;   // in logs and reasons; empty = open.url
    std::chrono::milliseconds openTimeout{10000};    // connect + probe, per attempt
    std::chrono::milliseconds readTimeout{5000};     // no frame this long: drop the connection
    std::chrono::milliseconds stallTimeout{0};       // no frame this long: Stalled (0: half
                                                     // of readTimeout)
    ReconnectPolicy reconnect;
    // Simulated camera: a local file delivered at its real-time pace (the wall clock paces the
    // frames by their pts), optionally looping; without loop its end counts as the stream ending.
    bool paceToRealTime = false;
    bool loop = false;
    // Frames waiting for next() when no onFrame callback takes them. A live source never blocks
    // on a slow consumer: when full the oldest frame is dropped and counted (LiveStats::dropped).
    size_t queueCapacity = 8;
    uint32_t seed = 0;   // jitter's random seed; 0 = from std::random_device
};

struct LiveStats {
    int64_t frames = 0;            // delivered (to onFrame or into the queue), all sessions
    int64_t dropped = 0;           // pushed out of the full queue before next() took them
    int64_t sessions = 0;          // connections that delivered at least one frame
    int64_t reconnects = 0;        // reconnect attempts made (successful or not)
    int64_t consecutiveFailures = 0;   // failed attempts since the last frame
};

// A point-in-time view, cheap to copy; any thread.
struct LiveSnapshot {
    LiveState state = LiveState::Connecting;
    std::string reason;            // why it is in this state ("connection refused", "no frame
                                   // for 1.0 s", "reconnect attempt 3 in 2.1 s", ...)
    LiveStats stats;
    std::optional<MediaInfo> info; // of the current (or last) session, once opened
    std::chrono::steady_clock::time_point since{};   // when the state was entered
    std::chrono::steady_clock::time_point lastFrameAt{};
};

// The video stream of one connection (one open of the input: a reconnect, and each loop of a
// simulated camera, opens a new one): what a muxer needs to write its packets unchanged. Shared
// and immutable; a new object means the codec parameters may differ and timestamps may start
// again, so keepers of packets compare `stream` pointers.
struct PacketStream {
    std::shared_ptr<const AVCodecParameters> codecpar;
    AVRational timeBase{1, 1};
    double fps = 0;             // nominal (else average) frame rate; 0 when unknown
    int64_t connection = 0;     // 1, 2, ... per open
    // The session its frames are delivered with (LiveFrame::session): the current one, or for
    // a connection that has not delivered a frame yet, the number it gets when it does.
    int64_t session = 0;
    // The supervisor's index (VideoFrame::index) of this connection's first frame, if it
    // delivers any: frames firstFrame, firstFrame + 1, ... come from it until the next
    // connection's firstFrame. With the frames' pts this ties a result to its packet.
    int64_t firstFrame = 0;
};

struct LivePacket {
    const AVPacket* packet = nullptr;   // lent for the call (av_packet_ref to keep it)
    std::shared_ptr<const PacketStream> stream;
};

struct LiveFrame {
    VideoFrame frame;              // index(): the supervisor's running number
    int64_t session = 0;           // 1 for the first connection that delivered, then 2, ...
};

struct LiveCallbacks {
    // On the source's thread, for every frame, instead of the queue. Must not block for long
    // (a slow callback delays this source's reads, and only this source's).
    std::function<void(LiveFrame&&)> onFrame;
    // On the source's thread (sometimes from inside FFmpeg's interrupt callback), at every
    // transition. Must not block and must not call stop() or the destructor; snapshot() is fine.
    std::function<void(const LiveSnapshot&)> onState;
    // (optional) On the source's thread, for every video packet demuxed, before it is decoded
    // (so a packet comes before its frame). Must not block: it delays this source's reads.
    std::function<void(const LivePacket&)> onPacket;
};

class LiveSource {
public:
    explicit LiveSource(LiveSourceOptions options, LiveCallbacks callbacks = {});
    ~LiveSource();   // stop(): returns within ~100 ms plus whatever the consumer's callback takes
    LiveSource(const LiveSource&) = delete;
    LiveSource& operator=(const LiveSource&) = delete;

    // Starts the source's thread and returns at once (Connecting). Once only.
    void start();
    // Stops the thread (any state, any thread but the callbacks', several at once); idempotent.
    void stop();

    LiveSnapshot snapshot() const;
    LiveState state() const;
    const std::string& name() const { return name_; }

    // The next queued frame (when no onFrame callback is set), waiting up to `timeout`.
    // Failed / Stopped with the queue drained: that state's reason (Io / Cancelled); no frame in
    // time: Unavailable ("no frame within ..."), and the caller may simply ask again.
    Expected<LiveFrame> next(std::chrono::milliseconds timeout);

private:
    enum class Ended { Stop, Retry, Fatal, Loop };
    struct SessionEnd {
        Ended how;
        Status why;   // Retry / Fatal: what stopped it
    };
    void run();
    // One connection: open, read until it stops. `delivered`: a frame came in this session
    // (kept true over a simulated camera's loops, which continue the session).
    SessionEnd session(bool& delivered);
    void pace(const VideoFrame& frame, double fps);
    bool sleepUnlessStopped(std::chrono::milliseconds d);
    void setState(LiveState state, std::string reason);
    void deliver(VideoFrame&& frame, int64_t session);
    bool watchdog();   // OpenOptions::interruptPoll of the current session

    const LiveSourceOptions options_;
    const LiveCallbacks callbacks_;
    const std::string name_;
    std::mt19937 rng_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;   // state, queue or stop
    LiveSnapshot snap_;
    std::deque<LiveFrame> queue_;
    std::atomic<bool> stopRequested_{false};   // set under mutex_ (for changed_), read anywhere
    bool started_ = false;
    std::mutex joinMutex_;
    std::thread thread_;

    // The source thread's own (run, session, watchdog and deliver all run on it): no lock.
    std::chrono::steady_clock::time_point progressAt_{};   // last frame, or the session start
    bool reading_ = false;                                 // past open: the stall clock runs
    bool stalled_ = false;
    int framesWhileStalled_ = 0;   // a stall ends with the second frame, not the first
    bool aborting_ = false;        // the watchdog gave up on this connection
    int64_t nextIndex_ = 0;
    int64_t sessions_ = 0;
    int64_t currentSession_ = 0;
    int64_t connections_ = 0;   // opens so far (PacketStream::connection)
    // Simulated camera: wall time of media second 0 and the media time earlier loops took.
    std::optional<std::chrono::steady_clock::time_point> paceStart_;
    double loopOffset_ = 0;
    double lastSeconds_ = 0;
    StatusCode failCode_ = StatusCode::Io;
};

}  // namespace sl::media
