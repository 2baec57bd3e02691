#include "pipeline/analyze_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/log.h"
#include "media/media_source.h"

namespace sl::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

// Bounded FIFO between the decode thread and the inference thread. push() blocks while full (a
// file source never drops); close() wakes both sides for shutdown.
class FrameQueue {
public:
    explicit FrameQueue(size_t capacity) : capacity_(capacity ? capacity : 1) {}

    bool push(media::VideoFrame frame) {
        std::unique_lock lock(mutex_);
        notFull_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
        if (closed_) return false;
        items_.push_back(std::move(frame));
        notEmpty_.notify_one();
        return true;
    }
    // Empty optional once the queue is closed and drained.
    std::optional<media::VideoFrame> pop() {
        std::unique_lock lock(mutex_);
        notEmpty_.wait(lock, [&] { return closed_ || !items_.empty(); });
        if (items_.empty()) return std::nullopt;
        media::VideoFrame f = std::move(items_.front());
        items_.pop_front();
        notFull_.notify_one();
        return f;
    }
    // Producer finished: the consumer drains what is left.
    void finish() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        notEmpty_.notify_all();
        notFull_.notify_all();
    }
    // Consumer gave up: the producer stops at its next push.
    void abort() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        items_.clear();
        notEmpty_.notify_all();
        notFull_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable notFull_, notEmpty_;
    std::deque<media::VideoFrame> items_;
    size_t capacity_;
    bool closed_ = false;
};

}  // namespace

Expected<RunSummary> runAnalyze(const AnalyzeOptions& options,
                                std::span<Detector* const> detectors, ResultsStore& store,
                                const std::function<void(const AnalyzeProgress&)>& progress,
                                const std::atomic<bool>* cancel) {
    if (detectors.empty() || std::find(detectors.begin(), detectors.end(), nullptr) !=
                                 detectors.end())
        return Status(StatusCode::InvalidArgument, "pipeline: analyze needs a detector");
    if (options.every < 1)
        return Status(StatusCode::InvalidArgument, "pipeline: --every must be at least 1");
    media::MediaSource source;
    media::OpenOptions open;
    open.url = options.input;
    std::unique_ptr<media::LiveSource> live;
    if (options.reconnect && media::looksLive(options.input)) {
        if (options.firstFrame > 0 || options.lastFrame >= 0)
            return Status(StatusCode::Unsupported, "pipeline: '" + options.input +
                                                       "' is live; it has no frame range");
        media::LiveSourceOptions lo;
        lo.open = open;
        lo.reconnect = *options.reconnect;
        lo.openTimeout = options.liveOpenTimeout;
        lo.readTimeout = options.liveReadTimeout;
        lo.queueCapacity = std::max<size_t>(1, options.queueCapacity);
        live = std::make_unique<media::LiveSource>(lo);
        live->start();   // returns at once: a camera still down is only "connecting"
    } else {
        SL_TRY(source.open(open));
    }
    // The decode thread's producer: the supervisor's frames, or the source's own.
    const auto readNext = [&]() -> Expected<media::VideoFrame> {
        if (!live) return source.readFrame();
        for (;;) {
            if (cancel && cancel->load())
                return Status(StatusCode::Cancelled, "pipeline: cancelled");
            auto f = live->next(std::chrono::milliseconds(200));
            if (f) return std::move(f->frame);
            if (f.status().code() != StatusCode::Unavailable) return f.status();
        }
    };
    const auto interruptSource = [&] {
        if (live) live->stop();
        else source.interrupt();
    };
    store.setLabels(detectors[0]->manifest().labels);
    if (options.firstFrame < 0 ||
        (options.lastFrame >= 0 && options.lastFrame < options.firstFrame))
        return Status(StatusCode::InvalidArgument,
                      "pipeline: bad frame range " + std::to_string(options.firstFrame) + ".." +
                          std::to_string(options.lastFrame) + " for '" + options.input + "'");
    // A range starting later begins with an exact seek; that first frame goes through the queue.
    std::optional<media::VideoFrame> firstDecoded;
    if (options.firstFrame > 0) {
        if (!source.seekable())
            return Status(StatusCode::Unsupported, "pipeline: '" + options.input +
                                                       "' is not seekable; cannot start at frame " +
                                                       std::to_string(options.firstFrame));
        auto f = source.seekToIndex(options.firstFrame);
        if (!f) return f.status().withContext("pipeline: '" + options.input + "'");
        firstDecoded = std::move(*f);
    }

    AnalyzeProgress p;
    if (!live && source.index()) {
        int64_t last = source.index()->frameCount() - 1;
        if (options.lastFrame >= 0) last = std::min(last, options.lastFrame);
        p.total = std::max<int64_t>(0, last - options.firstFrame + 1);
    }
    if (options.maxFrames >= 0 && (p.total < 0 || options.maxFrames < p.total))
        p.total = options.maxFrames;

    FrameQueue queue(options.queueCapacity);
    std::atomic<int64_t> decoded{0};
    Status decodeStatus;   // written by the decode thread before finish(), read after join()
    const auto t0 = Clock::now();
    const int64_t origin = options.everyOrigin >= 0 ? options.everyOrigin : options.firstFrame;
    std::thread decoder([&] {
        int64_t n = 0;
        for (;;) {
            if (cancel && cancel->load()) break;
            if (options.maxFrames >= 0 && n >= options.maxFrames) break;
            Expected<media::VideoFrame> frame = firstDecoded ? Expected<media::VideoFrame>(
                                                                   std::move(*firstDecoded))
                                                             : readNext();
            firstDecoded.reset();
            if (!frame) {
                if (frame.status().code() != StatusCode::EndOfStream)
                    decodeStatus = frame.status();
                break;
            }
            const int64_t index =
                frame->index() >= 0 ? frame->index() : options.firstFrame + n;
            if (options.lastFrame >= 0 && index > options.lastFrame) break;
            ++n;
            decoded.store(n);
            if ((index - origin) % options.every != 0) continue;
            if (!queue.push(std::move(*frame))) break;
        }
        queue.finish();
    });

    // Shared by the inference streams: the first error (it stops them all) and the summary.
    std::mutex resultMutex;
    RunSummary summary;
    Status status;
    std::atomic<int64_t> analysed{0};
    const auto fail = [&](Status st) {
        {
            std::lock_guard lock(resultMutex);
            if (status) status = std::move(st);
        }
        queue.abort();
        interruptSource();
    };
    auto lastReport = Clock::now() - std::chrono::seconds(1);
    const auto stream = [&](Detector& detector, bool reports) {
        while (auto frame = queue.pop()) {
            if (cancel && cancel->load()) {
                fail(Status(StatusCode::Cancelled,
                            "pipeline: analysis of '" + options.input + "' cancelled"));
                return;
            }
            auto r = detector.detect(*frame);
            if (!r) {
                fail(r.status().withContext("'" + options.input + "' frame " +
                                            std::to_string(frame->index())));
                return;
            }
            {
                std::lock_guard lock(resultMutex);
                ++summary.framesAnalysed;
                if (!r->detections.empty()) ++summary.framesWithDetections;
                for (const vision::Detection& d : r->detections)
                    ++summary.countsPerClass[detector.manifest().label(d.classId)];
            }
            store.put(std::move(*r));
            analysed.fetch_add(1);
            const auto now = Clock::now();
            if (reports && progress && now - lastReport >= std::chrono::milliseconds(100)) {
                p.decoded = decoded.load();
                p.analysed = analysed.load();
                p.elapsedSeconds = std::chrono::duration<double>(now - t0).count();
                progress(p);
                lastReport = now;
            }
        }
    };
    std::vector<std::thread> others;
    for (size_t i = 1; i < detectors.size(); ++i)
        others.emplace_back([&, i] { stream(*detectors[i], false); });
    stream(*detectors[0], true);
    for (std::thread& t : others) t.join();
    decoder.join();
    if (live) {
        const media::LiveStats ls = live->snapshot().stats;
        live->stop();
        if (ls.dropped > 0 || ls.reconnects > 0)
            logWarning("pipeline", "'" + options.input + "': " + std::to_string(ls.dropped) +
                                       " live frames dropped (analysis slower than the stream), " +
                                       std::to_string(ls.reconnects) + " reconnect attempts");
    }
    if (cancel && cancel->load() && status)
        status = Status(StatusCode::Cancelled,
                        "pipeline: analysis of '" + options.input + "' cancelled");
    if (status && !decodeStatus) status = decodeStatus;
    summary.framesDecoded = decoded.load();
    summary.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    summary.fps = summary.seconds > 0 ? double(summary.framesAnalysed) / summary.seconds : 0;
    if (progress) {
        p.decoded = summary.framesDecoded;
        p.analysed = summary.framesAnalysed;
        p.elapsedSeconds = summary.seconds;
        progress(p);
    }
    if (!status) return status;
    return summary;
}

Expected<RunSummary> runAnalyze(const AnalyzeOptions& options, Detector& detector,
                                ResultsStore& store,
                                const std::function<void(const AnalyzeProgress&)>& progress,
                                const std::atomic<bool>* cancel) {
    Detector* const one[] = {&detector};
    return runAnalyze(options, one, store, progress, cancel);
}

}  // namespace sl::pipeline
