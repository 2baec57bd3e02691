#include "media/player.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "media/frame_cache.h"
#include "media/media_source.h"
#include "media/playback_clock.h"

namespace sl::media {

namespace {
using SteadyClock = std::chrono::steady_clock;
// A frame counts as due this close to its time: display refresh jitter must not skip frames.
constexpr double kDueToleranceSeconds = 0.0005;
}  // namespace

struct Player::Impl {
    PlayerConfig config;
    PlayerCallbacks callbacks;

    // Everything below is guarded by `mutex`; the decode thread drops it around source I/O and
    // around callbacks (the host may call back into the player from them).
    mutable std::mutex mutex;
    std::condition_variable wake;      // decode thread: a command, queue space, or quit
    std::thread thread;
    bool quit = false;

    // Commands, coalesced: the newest open/seek replaces an older pending one.
    std::optional<OpenOptions> pendingOpen;
    bool pendingClose = false;
    std::optional<int64_t> pendingSeek;
    bool deliverFirst = false;         // show the first frame after open

    PlaybackState state = PlaybackState::Closed;
    std::shared_ptr<MediaSource> source;   // the decode thread's; shared so others can interrupt
    std::optional<MediaInfo> info;
    const FrameIndex* index = nullptr; // source's, published once open finished (null: none)
    std::string decodeMode = "none";
    int64_t frameCount = -1;           // -1: unknown (live or no index)
    bool live = false;
    PlaybackClock clock;

    std::deque<VideoFrame> queue;      // playback frames, in order
    std::optional<VideoFrame> still;   // a seek/step result, delivered once even when paused
    bool eos = false;
    // A live input that ended or broke: its decoded pictures still play out, then the player
    // fails with this (a camera has no clean end, media_source.h).
    std::optional<Status> liveLoss;
    int64_t playPos = 0;               // index of the next frame playback decodes
    int64_t position = -1;             // logical position: last delivered still or displayed frame
    int64_t currentIndex = -1;
    double currentSeconds = 0;
    int64_t displayed = 0;
    int64_t skipped = 0;
    int64_t readAhead = 0;
    bool readAheadStopped = false;     // the last read-ahead failed (end, error): wait for a seek
    FrameCache cache;
    std::shared_ptr<FrameAllocator> allocator;   // handed to every source opened from now on

    explicit Impl(PlayerConfig c, PlayerCallbacks cb)
        : config(c), callbacks(std::move(cb)), cache(c.cacheBudgetBytes, c.cacheSlotFrames) {}

    template <class Fn>
    void callUnlocked(std::unique_lock<std::mutex>& lk, Fn&& fn) {
        lk.unlock();
        fn();
        lk.lock();
    }

    // Frames decoded ahead of the display: queueCapacity, or fewer where that is more than
    // queueSeconds of playback at the current speed (never under 2, so a slow frame is absorbed).
    size_t aheadLimit() const {
        const size_t cap = std::max<size_t>(1, config.queueCapacity);
        const StreamInfo* v = info ? info->video() : nullptr;
        const double fps = v ? (v->averageFps > 0 ? v->averageFps : v->nominalFps) : 0;
        if (fps <= 0 || config.queueSeconds <= 0) return cap;
        const double frames = std::ceil(config.queueSeconds * fps * std::max(1.0, clock.speed()));
        return std::min(cap, std::max<size_t>(2, size_t(frames)));
    }
    bool needsPlaybackDecode() const {
        return source && state == PlaybackState::Playing && !eos &&
               (live || queue.size() < aheadLimit());
    }
    // The frame the paused read-ahead decodes next, or -1: the first of the pausedReadAhead
    // frames after the shown one that is not cached, provided the decoder stands right there.
    int64_t readAheadTarget() const {
        if (config.pausedReadAhead <= 0 || !source || state != PlaybackState::Paused || live ||
            pendingSeek || still || readAheadStopped || position < 0 || !source->seekable())
            return -1;
        const int64_t last = frameCount >= 0 ? frameCount - 1 : position + config.pausedReadAhead;
        for (int64_t i = position + 1; i <= std::min(last, position + config.pausedReadAhead); ++i)
            if (!cache.contains(i)) return source->nextIndex() == i ? i : -1;
        return -1;
    }
    bool reachedEnd() const {
        return eos && state == PlaybackState::Playing && queue.empty() && !still;
    }

    void interruptSourceLocked() {
        if (source) source->interrupt();
    }

    void fail(std::unique_lock<std::mutex>& lk, const Status& st) {
        logError("player", st.message());   // the message already names "media:" and the input
        state = PlaybackState::Failed;
        queue.clear();
        still.reset();
        if (callbacks.failed) callUnlocked(lk, [&] { callbacks.failed(st); });
    }

    void deliverStill(std::unique_lock<std::mutex>& lk, const VideoFrame& f) {
        queue.clear();
        still = f;
        position = f.index();
        playPos = f.index() + 1;
        readAheadStopped = false;
        eos = false;
        clock.rebase(f.seconds(), SteadyClock::now());
        cache.setPlayhead(f.index());
        if (callbacks.frameReady) callUnlocked(lk, [&] { callbacks.frameReady(); });
    }

    void run();
    void runOpen(std::unique_lock<std::mutex>& lk);
    void runSeek(std::unique_lock<std::mutex>& lk);
    void runDecode(std::unique_lock<std::mutex>& lk);
    void runReadAhead(std::unique_lock<std::mutex>& lk);
};

void Player::Impl::run() {
    std::unique_lock lk(mutex);
    for (;;) {
        wake.wait(lk, [&] {
            return quit || pendingOpen || pendingClose || (pendingSeek && source) ||
                   (deliverFirst && source) || needsPlaybackDecode() || reachedEnd() ||
                   readAheadTarget() >= 0;
        });
        if (quit) break;
        if (pendingClose) {
            pendingClose = false;
            index = nullptr;
            auto old = std::move(source);
            callUnlocked(lk, [&] { old.reset(); });   // FFmpeg teardown outside the lock
            continue;
        }
        if (pendingOpen) {
            runOpen(lk);
            continue;
        }
        if (pendingSeek && source) {
            runSeek(lk);
            continue;
        }
        if ((deliverFirst && source) || needsPlaybackDecode()) {
            runDecode(lk);
            continue;
        }
        if (readAheadTarget() >= 0) {
            runReadAhead(lk);
            continue;
        }
        if (reachedEnd() && liveLoss) {
            const Status st = *std::exchange(liveLoss, std::nullopt);
            fail(lk, st);
            continue;
        }
        if (reachedEnd()) {
            state = PlaybackState::Ended;
            clock.pause(SteadyClock::now());
            if (callbacks.endOfStream) callUnlocked(lk, [&] { callbacks.endOfStream(); });
        }
    }
    auto old = std::move(source);
    lk.unlock();
    old.reset();
}

void Player::Impl::runOpen(std::unique_lock<std::mutex>& lk) {
    OpenOptions options = std::move(*pendingOpen);
    pendingOpen.reset();
    auto old = std::move(source);
    index = nullptr;
    auto src = std::make_shared<MediaSource>();
    source = src;
    cache.clear();
    if (allocator) options.frameAllocator = allocator;
    Status st;
    callUnlocked(lk, [&] {
        old.reset();
        st = src->open(options);
    });
    if (source != src) return;   // closed or reopened meanwhile: this result is stale
    if (!st) {
        source.reset();
        if (st.code() == StatusCode::Cancelled) return;
        fail(lk, st);
        return;
    }
    info = src->info();
    decodeMode = src->decodeMode();
    live = src->live();
    index = src->index();
    frameCount = index ? index->frameCount() : -1;
    state = PlaybackState::Paused;
    eos = false;
    liveLoss.reset();
    playPos = 0;
    position = -1;
    clock = PlaybackClock();
    deliverFirst = !pendingSeek;
    logInfo("media", "opened '" + options.url + "': " + decodeMode);
    const MediaInfo copy = *info;
    if (callbacks.opened) callUnlocked(lk, [&] { callbacks.opened(copy); });
}

void Player::Impl::runSeek(std::unique_lock<std::mutex>& lk) {
    auto src = source;
    int64_t target = *pendingSeek;
    pendingSeek.reset();
    if (!src->seekable()) {
        logWarning("media", "'" + src->info().url + "' is not seekable; seek ignored");
        return;
    }
    target = std::clamp<int64_t>(target, 0, frameCount - 1);
    queue.clear();
    Expected<VideoFrame> f = Status(StatusCode::Internal, "unset");
    callUnlocked(lk, [&] {
        // Backward steps through a long GOP: the first miss decodes the whole run up to the
        // target into the cache, so the following steps are hits.
        if (auto hit = cache.find(target)) {
            f = *hit;
            // Latencies start when the picture became available: now, not its first decode.
            f->setDecodedAt(SteadyClock::now());
        }
        else f = src->seekToIndex(target, [this](const VideoFrame& v) { cache.insert(v); });
    });
    if (source != src || pendingOpen || pendingClose) return;
    if (pendingSeek) return;   // superseded while decoding: only the newest target is shown
    if (!f) {
        if (f.status().code() == StatusCode::Cancelled) return;
        fail(lk, f.status());
        return;
    }
    if (state == PlaybackState::Ended) state = PlaybackState::Paused;
    deliverStill(lk, *f);
}

void Player::Impl::runDecode(std::unique_lock<std::mutex>& lk) {
    auto src = source;
    const bool first = deliverFirst;
    deliverFirst = false;
    const int64_t want = playPos;
    Expected<VideoFrame> f = Status(StatusCode::Internal, "unset");
    callUnlocked(lk, [&] {
        // Playback follows the logical position: after a step served from the cache the
        // decoder may stand elsewhere.
        // The paused read-ahead leaves the decoder past the frames it cached: play those from
        // the cache rather than seeking back.
        std::optional<VideoFrame> hit;
        if (!first && src->seekable() && src->nextIndex() != want) hit = cache.find(want);
        if (hit) {
            f = *hit;
            f->setDecodedAt(SteadyClock::now());
        } else if (!first && src->seekable() && src->nextIndex() != want && want < frameCount) {
            f = src->seekToIndex(want);
        } else {
            f = src->readFrame();
        }
        if (f && !hit) cache.insert(*f);
    });
    if (source != src || pendingOpen || pendingClose) return;
    if (pendingSeek) return;   // the seek decides what is shown next
    if (!f) {
        const StatusCode code = f.status().code();
        if (code == StatusCode::EndOfStream) {
            eos = true;
        } else if (live && code == StatusCode::Io && state == PlaybackState::Playing) {
            eos = true;
            liveLoss = f.status();
        } else if (code != StatusCode::Cancelled) {
            fail(lk, f.status());
        }
        return;
    }
    if (first) {
        deliverStill(lk, *f);
        return;
    }
    playPos = f->index() + 1;
    if (live && queue.size() >= std::max<size_t>(1, config.queueCapacity)) {
        queue.pop_front();   // live: never block the source; the oldest frame is the least useful
        ++skipped;
    }
    queue.push_back(*f);
    if (callbacks.frameReady) callUnlocked(lk, [&] { callbacks.frameReady(); });
}

void Player::Impl::runReadAhead(std::unique_lock<std::mutex>& lk) {
    auto src = source;
    const int64_t target = readAheadTarget();
    Expected<VideoFrame> f = Status(StatusCode::Internal, "unset");
    callUnlocked(lk, [&] {
        f = src->readFrame();
        if (f && f->index() == target) cache.insert(*f);
    });
    if (source != src) return;
    if (!f || f->index() != target) {
        // The end, an error (shown when a step asks for that frame) or a decoder that did not
        // give the expected frame: stop until the next delivered frame.
        readAheadStopped = true;
        return;
    }
    ++readAhead;
}

Player::Player(PlayerConfig config, PlayerCallbacks callbacks)
    : impl_(std::make_unique<Impl>(config, std::move(callbacks))) {
    impl_->thread = std::thread([this] { impl_->run(); });
}

Player::~Player() {
    {
        std::lock_guard lk(impl_->mutex);
        impl_->quit = true;
        impl_->interruptSourceLocked();
    }
    impl_->wake.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
}

void Player::open(const OpenOptions& options) {
    {
        std::lock_guard lk(impl_->mutex);
        Impl& d = *impl_;
        d.interruptSourceLocked();
        d.pendingOpen = options;
        d.pendingSeek.reset();
        d.pendingClose = false;
        d.deliverFirst = false;
        d.state = PlaybackState::Opening;
        d.info.reset();
        d.queue.clear();
        d.still.reset();
        d.currentIndex = -1;
        d.currentSeconds = 0;
        d.position = -1;
        d.clock = PlaybackClock();
    }
    impl_->wake.notify_all();
}

void Player::close() {
    {
        std::lock_guard lk(impl_->mutex);
        Impl& d = *impl_;
        d.interruptSourceLocked();
        d.pendingOpen.reset();
        d.pendingSeek.reset();
        d.pendingClose = true;
        d.deliverFirst = false;
        d.state = PlaybackState::Closed;
        d.info.reset();
        d.queue.clear();
        d.still.reset();
        d.currentIndex = -1;
        d.position = -1;
    }
    impl_->wake.notify_all();
}

void Player::play() {
    {
        std::lock_guard lk(impl_->mutex);
        Impl& d = *impl_;
        const auto now = SteadyClock::now();
        if (d.state == PlaybackState::Ended) {
            d.pendingSeek = 0;    // play after the end starts over
            d.eos = false;
            d.state = PlaybackState::Playing;
            d.clock.resume(now);
        } else if (d.state == PlaybackState::Paused) {
            d.state = PlaybackState::Playing;
            d.clock.resume(now);
        }
    }
    impl_->wake.notify_all();
}

void Player::pause() {
    std::lock_guard lk(impl_->mutex);
    if (impl_->state == PlaybackState::Playing) {
        impl_->state = PlaybackState::Paused;
        impl_->clock.pause(SteadyClock::now());
    }
}

void Player::togglePause() {
    if (state() == PlaybackState::Playing) pause();
    else play();
}

void Player::setSpeed(double speed) {
    std::lock_guard lk(impl_->mutex);
    impl_->clock.setSpeed(speed, SteadyClock::now());
    impl_->wake.notify_all();   // a faster speed may allow more frames ahead (aheadLimit)
}

double Player::speed() const {
    std::lock_guard lk(impl_->mutex);
    return impl_->clock.speed();
}

void Player::seekToIndex(int64_t frameIndex) {
    {
        std::lock_guard lk(impl_->mutex);
        Impl& d = *impl_;
        if (d.state == PlaybackState::Closed || d.state == PlaybackState::Failed) return;
        if (d.state == PlaybackState::Ended) d.state = PlaybackState::Paused;
        if (d.frameCount >= 0) frameIndex = std::clamp<int64_t>(frameIndex, 0, d.frameCount - 1);
        d.pendingSeek = std::max<int64_t>(0, frameIndex);
    }
    impl_->wake.notify_all();
}

void Player::seekToSeconds(double seconds) {
    int64_t target = -1;
    {
        std::lock_guard lk(impl_->mutex);
        if (!impl_->index) return;
        const FrameIndex& idx = *impl_->index;
        const double ticks = seconds * idx.timeBaseDen() / std::max(1, idx.timeBaseNum());
        target = idx.indexAtOrBeforePts(idx.firstPts() + int64_t(std::llround(ticks)));
    }
    seekToIndex(target);
}

void Player::seekRelativeSeconds(double delta) { seekToSeconds(currentSeconds() + delta); }

void Player::setPausedReadAhead(int frames) {
    {
        std::lock_guard lk(impl_->mutex);
        impl_->config.pausedReadAhead = std::max(0, frames);
    }
    impl_->wake.notify_all();
}

void Player::clearCache() { impl_->cache.clear(); }

void Player::step(int frames) {
    {
        std::lock_guard lk(impl_->mutex);
        Impl& d = *impl_;
        if (d.state == PlaybackState::Closed || d.state == PlaybackState::Failed ||
            d.state == PlaybackState::Opening)
            return;
        if (d.state == PlaybackState::Playing) d.clock.pause(SteadyClock::now());
        d.state = PlaybackState::Paused;
        const int64_t base = d.pendingSeek ? *d.pendingSeek : std::max<int64_t>(0, d.position);
        int64_t target = base + frames;
        if (d.frameCount >= 0) target = std::clamp<int64_t>(target, 0, d.frameCount - 1);
        d.pendingSeek = std::max<int64_t>(0, target);
    }
    impl_->wake.notify_all();
}

std::optional<VideoFrame> Player::takeFrameForDisplay(std::chrono::steady_clock::time_point now) {
    std::optional<VideoFrame> out;
    {
        std::lock_guard lk(impl_->mutex);
        Impl& d = *impl_;
        if (d.still) {
            out = std::move(d.still);
            d.still.reset();
        }
        if (d.state == PlaybackState::Playing && !d.queue.empty()) {
            size_t due = 0;
            if (d.live) {
                due = d.queue.size();   // live: always the newest picture
            } else {
                const double media = d.clock.mediaTime(now) + kDueToleranceSeconds;
                while (due < d.queue.size() && d.queue[due].seconds() <= media) ++due;
            }
            if (due > 0) {
                if (out) ++d.skipped;
                d.skipped += int64_t(due) - 1;
                out = d.queue[due - 1];
                d.queue.erase(d.queue.begin(), d.queue.begin() + long(due));
            }
        }
        if (out) {
            ++d.displayed;
            d.currentIndex = out->index();
            d.currentSeconds = out->seconds();
            d.position = out->index();
            d.cache.setPlayhead(out->index());
        }
    }
    if (out) impl_->wake.notify_all();   // queue space, or the end may now be reached
    return out;
}

PlaybackState Player::state() const {
    std::lock_guard lk(impl_->mutex);
    return impl_->state;
}

std::optional<MediaInfo> Player::info() const {
    std::lock_guard lk(impl_->mutex);
    return impl_->info;
}

int64_t Player::currentIndex() const {
    std::lock_guard lk(impl_->mutex);
    return impl_->currentIndex;
}

double Player::currentSeconds() const {
    std::lock_guard lk(impl_->mutex);
    return impl_->currentSeconds;
}

std::string Player::decodeMode() const {
    std::lock_guard lk(impl_->mutex);
    return impl_->decodeMode;
}

void Player::setFrameAllocator(std::shared_ptr<FrameAllocator> allocator) {
    std::shared_ptr<MediaSource> src;
    {
        std::lock_guard lk(impl_->mutex);
        impl_->allocator = allocator;
        src = impl_->source;
    }
    // MediaSource::setFrameAllocator is thread-safe; the decode thread may be inside readFrame.
    if (src) src->setFrameAllocator(std::move(allocator));
}

PlayerStats Player::stats() const {
    std::lock_guard lk(impl_->mutex);
    const Impl& d = *impl_;
    PlayerStats s;
    s.decodedFrames = d.source ? d.source->decodedFrames() : 0;
    s.displayedFrames = d.displayed;
    s.skippedFrames = d.skipped;
    s.queueDepth = d.queue.size();
    s.cacheFrames = d.cache.frames();
    s.cacheBytes = d.cache.bytes();
    s.cacheHits = d.cache.hits();
    s.cacheMisses = d.cache.misses();
    s.cacheCopiedOut = d.cache.copiedOut();
    s.readAheadFrames = d.readAhead;
    if (d.source) {
        const MediaSource::AllocationStats a = d.source->allocationStats();
        s.slotFrames = a.slotFrames;
        s.copiedFrames = a.copiedFrames;
    }
    return s;
}

}  // namespace sl::media
