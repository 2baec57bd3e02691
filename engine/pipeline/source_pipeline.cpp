#include "pipeline/source_pipeline.h"

#include <algorithm>
#include <utility>

namespace sl::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kLatencyRing = 512;
constexpr auto kRateWindow = std::chrono::seconds(2);

double rateOver(std::deque<Clock::time_point>& times, Clock::time_point now) {
    while (!times.empty() && now - times.front() > kRateWindow) times.pop_front();
    if (times.size() < 2) return 0;
    const double span = std::chrono::duration<double>(now - times.front()).count();
    return span > 0 ? static_cast<double>(times.size() - 1) / span : 0;
}

}  // namespace

SourcePipeline::SourcePipeline(Scheduler& scheduler, SourcePipelineOptions options,
                               SourcePipelineCallbacks callbacks)
    : scheduler_(scheduler), options_(std::move(options)), callbacks_(std::move(callbacks)) {
    name_ = options_.name.empty() ? options_.live.open.url : options_.name;
    options_.live.name = name_;
    counts_.name = name_;
    counts_.url = options_.live.open.url;
    latencies_.reserve(kLatencyRing);
}

SourcePipeline::~SourcePipeline() { stop(); }

void SourcePipeline::start() {
    if (live_) return;
    SchedulerSourceCallbacks sc;
    sc.onResult = [this](int64_t index, Expected<FrameDetections> r) {
        onDetections(index, std::move(r));
    };
    sc.onDropped = [this](int64_t index) { onDropped(index); };
    id_ = scheduler_.addSource(
        {.name = name_, .weight = options_.weight, .capacity = options_.queueCapacity},
        std::move(sc));
    media::LiveCallbacks lc;
    lc.onFrame = [this](media::LiveFrame&& f) { onFrame(std::move(f)); };
    if (callbacks_.onState)
        lc.onState = [this](const media::LiveSnapshot& s) { callbacks_.onState(name_, s); };
    if (callbacks_.onPacket)
        lc.onPacket = [this](const media::LivePacket& p) { callbacks_.onPacket(name_, p); };
    live_ = std::make_unique<media::LiveSource>(options_.live, std::move(lc));
    live_->start();
}

void SourcePipeline::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopped_ || !live_) {
            stopped_ = true;
            return;
        }
        stopped_ = true;
    }
    live_->stop();                  // no onFrame after this
    scheduler_.removeSource(id_);   // no detection callback after this
    std::lock_guard lock(mutex_);
    // Frames whose inference never came (released from the queue) are carried, so every
    // decoded frame has its result.
    for (Pending& p : pending_)
        if (p.wait == Wait::Detection) {
            p.wait = Wait::Carry;
            ++counts_.dropped;
        }
    drainLocked();
    counts_.live = live_->snapshot();
}

void SourcePipeline::resetAnalysisLocked(int64_t session) {
    session_ = session;
    track::TrackerParams tp = options_.tracker;
    if (live_)
        if (auto snap = live_->snapshot(); snap.info)
            if (const media::StreamInfo* v = snap.info->video()) {
                const double fps = v->nominalFps > 0 ? v->nominalFps : v->averageFps;
                if (fps > 0 && fps < 1000) tp.fps = fps;
            }
    tracker_.emplace(tp);
    if (options_.scene) {
        analytics_.emplace(*options_.scene, options_.labels);
        if (!options_.scene->rules.empty()) rules_.emplace(*options_.scene, options_.labels);
    }
    nextDueSeconds_ = -1;
}

void SourcePipeline::setScene(std::optional<analytics::Scene> scene) {
    std::lock_guard lock(mutex_);
    options_.scene = std::move(scene);
    analytics_.reset();
    rules_.reset();
    if (options_.scene) {
        analytics_.emplace(*options_.scene, options_.labels);
        if (!options_.scene->rules.empty()) rules_.emplace(*options_.scene, options_.labels);
    }
}

void SourcePipeline::onFrame(media::LiveFrame&& lf) {
    media::VideoFrame& f = lf.frame;
    bool submit = false;
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        if (lf.session != session_) resetAnalysisLocked(lf.session);
        Pending p;
        p.index = f.index();
        p.pts = f.pts();
        p.seconds = f.seconds();
        p.session = lf.session;
        p.width = f.width();
        p.height = f.height();
        p.decodedAt = f.decodedAt() == Clock::time_point{} ? Clock::now() : f.decodedAt();
        bool due = true;
        if (options_.targetFps > 0) {
            const double period = 1.0 / options_.targetFps;
            // 1 ms of slack: pts rounding (30 fps in a 1/90000 time base) must not push a
            // frame that is due to the next one.
            if (nextDueSeconds_ >= 0 && p.seconds < nextDueSeconds_ - 0.001) {
                due = false;
            } else {
                nextDueSeconds_ = (nextDueSeconds_ < 0 || p.seconds > nextDueSeconds_ + period)
                                      ? p.seconds + period
                                      : nextDueSeconds_ + period;
            }
        }
        if (options_.keepFrames) {
            p.frame = f;   // a reference to the same AVFrame
            ++keptFrames_;
            releaseOldestKeptLocked();
        }
        if (!due) {
            p.wait = Wait::Carry;
            ++counts_.rateLimited;
        } else if (scheduler_.admit(id_) == Admission::Submit) {
            p.wait = Wait::Detection;
            submit = true;
        } else {
            p.wait = Wait::Carry;
            ++counts_.skipped;
        }
        pending_.push_back(std::move(p));
        drainLocked();
    }
    // Outside the lock: a full queue calls onDropped() back on this thread.
    if (submit) scheduler_.submit(id_, std::move(f));
}

void SourcePipeline::onDetections(int64_t index, Expected<FrameDetections> result) {
    std::lock_guard lock(mutex_);
    for (Pending& p : pending_) {
        if (p.index != index || p.wait != Wait::Detection) continue;
        if (result) {
            p.detections = std::move(result->detections);
            p.wait = Wait::Ready;
        } else {
            ++counts_.failed;
            counts_.lastError = result.status().message();
            p.wait = Wait::Carry;
        }
        break;
    }
    drainLocked();
}

void SourcePipeline::onDropped(int64_t index) {
    std::lock_guard lock(mutex_);
    for (Pending& p : pending_)
        if (p.index == index && p.wait == Wait::Detection) {
            p.wait = Wait::Carry;
            ++counts_.dropped;
            break;
        }
    drainLocked();
}

void SourcePipeline::releaseOldestKeptLocked() {
    for (Pending& p : pending_) {
        if (keptFrames_ <= kMaxKeptFrames) return;
        if (!p.frame.valid()) continue;
        p.frame = {};   // counted in framesNotKept when its result goes out
        --keptFrames_;
    }
}

void SourcePipeline::drainLocked() {
    while (!pending_.empty() && pending_.front().wait != Wait::Detection) {
        emitLocked(pending_.front());
        pending_.pop_front();
    }
}

void SourcePipeline::emitLocked(Pending& p) {
    if (!tracker_ || p.session != session_) resetAnalysisLocked(p.session);
    SourceFrameResult r;
    r.source = name_;
    r.frameIndex = p.index;
    r.pts = p.pts;
    r.seconds = p.seconds;
    r.session = p.session;
    r.width = p.width;
    r.height = p.height;
    r.detected = p.wait == Wait::Ready;
    if (p.frame.valid()) {
        r.frame = std::move(p.frame);
        --keptFrames_;
    } else if (options_.keepFrames) {
        ++counts_.framesNotKept;
    }
    if (r.detected) {
        r.objects = tracker_->update(p.detections);
        r.detections = std::move(p.detections);
    } else {
        r.objects = tracker_->coast();
    }
    if (analytics_) {
        const analytics::TrackedFrame tf{p.index, p.pts, p.seconds, r.objects};
        r.events = analytics_->update(tf);
        if (rules_) r.alerts = rules_->update(tf, r.events);
        counts_.events += static_cast<int64_t>(r.events.size());
        counts_.alerts += static_cast<int64_t>(r.alerts.size());
    }
    const auto now = Clock::now();
    r.latencyMs = std::chrono::duration<double, std::milli>(now - p.decodedAt).count();
    ++counts_.frames;
    inTimes_.push_back(now);
    if (r.detected) {
        ++counts_.detected;
        detectTimes_.push_back(now);
    }
    while (!inTimes_.empty() && now - inTimes_.front() > kRateWindow) inTimes_.pop_front();
    while (!detectTimes_.empty() && now - detectTimes_.front() > kRateWindow)
        detectTimes_.pop_front();
    if (latencies_.size() < kLatencyRing) latencies_.push_back(r.latencyMs);
    else latencies_[latencyNext_] = r.latencyMs;
    latencyNext_ = (latencyNext_ + 1) % kLatencyRing;
    if (callbacks_.onResult) callbacks_.onResult(r);
}

SourceStatus SourcePipeline::status() const {
    SourceStatus s;
    std::vector<double> lat;
    {
        std::lock_guard lock(mutex_);
        s = counts_;
        const auto now = Clock::now();
        s.inFps = rateOver(inTimes_, now);
        s.analysedFps = rateOver(detectTimes_, now);
        lat = latencies_;
    }
    if (live_) s.live = live_->snapshot();
    s.stride = scheduler_.stride(id_);
    if (!lat.empty()) {
        auto pct = [&](double q) {
            const size_t k = std::min(lat.size() - 1, static_cast<size_t>(q * (lat.size() - 1) + 0.5));
            std::nth_element(lat.begin(), lat.begin() + static_cast<std::ptrdiff_t>(k), lat.end());
            return lat[k];
        };
        s.latencyP50Ms = pct(0.50);
        s.latencyP95Ms = pct(0.95);
    }
    return s;
}

}  // namespace sl::pipeline
