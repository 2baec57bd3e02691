#include "pipeline/scheduler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "core/log.h"
#include "pipeline/detector.h"

namespace sl::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

class DetectorStream final : public InferenceStream {
public:
    explicit DetectorStream(Detector& d) : detector_(d) {}
    int maxBatch() const override { return std::max(1, detector_.batch()); }
    Expected<std::vector<FrameDetections>> run(
        std::span<const media::VideoFrame* const> frames) override {
        if (frames.size() == 1) {
            auto r = detector_.detect(*frames[0]);
            if (!r) return r.status();
            std::vector<FrameDetections> out;
            out.push_back(std::move(*r));
            return out;
        }
        // Several sources' frames in one network run (copies share the pixels).
        batch_.clear();
        for (const media::VideoFrame* f : frames) batch_.push_back(*f);
        auto r = detector_.detectBatch(batch_);
        batch_.clear();
        return r;
    }

private:
    Detector& detector_;
    std::vector<media::VideoFrame> batch_;
};

}  // namespace

std::unique_ptr<InferenceStream> detectorStream(Detector& detector) {
    return std::make_unique<DetectorStream>(detector);
}

std::vector<std::unique_ptr<InferenceStream>> detectorStreams(std::span<Detector* const> all) {
    std::vector<std::unique_ptr<InferenceStream>> out;
    for (Detector* d : all) out.push_back(detectorStream(*d));
    return out;
}

Scheduler::Scheduler(std::vector<std::unique_ptr<InferenceStream>> streams,
                     SchedulerOptions options)
    : options_(options), streams_(std::move(streams)) {
    maxBatch_ = std::max(1, options_.maxBatch);
    for (const auto& s : streams_) maxBatch_ = std::min(maxBatch_, std::max(1, s->maxBatch()));
    periodStart_ = Clock::now();
    for (size_t i = 0; i < streams_.size(); ++i)
        threads_.emplace_back([this, i] { runStream(i); });
}

Scheduler::~Scheduler() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    work_.notify_all();
    for (std::thread& t : threads_) t.join();
}

Scheduler::SourceId Scheduler::addSource(SchedulerSourceOptions options,
                                         SchedulerSourceCallbacks callbacks) {
    auto s = std::make_unique<Source>();
    if (!(options.weight > 0) || !std::isfinite(options.weight)) options.weight = 1;
    options.capacity = std::max<size_t>(1, options.capacity);
    s->stats.name = options.name;
    s->options = std::move(options);
    s->callbacks = std::move(callbacks);
    std::lock_guard lock(mutex_);
    s->pass = virtualTime_;
    const SourceId id = nextId_++;
    s->id = id;
    sources_.emplace(id, std::move(s));
    return id;
}

void Scheduler::removeSource(SourceId id) {
    std::deque<media::VideoFrame> release;
    {
        std::unique_lock lock(mutex_);
        auto it = sources_.find(id);
        if (it == sources_.end()) return;
        Source& s = *it->second;
        s.removing = true;
        release.swap(s.queue);
        settled_.wait(lock, [&] { return s.inFlight == 0; });
        sources_.erase(it);
    }
    // The frames are released here, outside the lock (an AVFrame unref may return a bridge slot).
}

std::map<Scheduler::SourceId, int> Scheduler::allocateLocked(double budget) const {
    // Weighted max-min fairness (water-filling): each source may detect min(rate_i, lambda x
    // weight_i) frames per second, lambda chosen so the total is the budget. A source slower
    // than its share gets every frame; the others split what is left by weight.
    struct Entry {
        SourceId id;
        double rate, weight;
    };
    std::vector<Entry> e;
    double total = 0;
    for (const auto& [id, src] : sources_)
        if (!src->removing) {
            e.push_back({id, src->stats.rateFps, src->options.weight});
            total += src->stats.rateFps;
        }
    std::map<SourceId, int> out;
    if (total <= budget) {
        for (const Entry& x : e) out[x.id] = 1;
        return out;
    }
    std::sort(e.begin(), e.end(), [](const Entry& a, const Entry& b) {
        return a.rate / a.weight < b.rate / b.weight;
    });
    double left = budget, weights = 0;
    for (const Entry& x : e) weights += x.weight;
    for (const Entry& x : e) {
        const double share = weights > 0 ? left / weights * x.weight : 0;
        const double allowed = std::min(x.rate, share);
        left -= allowed;
        weights -= x.weight;
        const int k = allowed > 0 ? static_cast<int>(std::ceil(x.rate / allowed - 1e-9))
                                  : options_.maxStride;
        out[x.id] = std::clamp(k, 1, std::max(1, options_.maxStride));
    }
    return out;
}

void Scheduler::controlLocked(Clock::time_point now) {
    const double dt = std::chrono::duration<double>(now - periodStart_).count();
    if (dt * 1000 < static_cast<double>(options_.controlPeriod.count())) return;
    periodStart_ = now;
    // Arrival rates: a moving average over periods, so one burst does not swing the strides.
    for (auto& [id, s] : sources_) {
        const double r = static_cast<double>(s->admittedInPeriod) / dt;
        s->stats.rateFps = s->stats.rateFps == 0 ? r : 0.6 * s->stats.rateFps + 0.4 * r;
        s->admittedInPeriod = 0;
    }
    const int64_t dropped = std::exchange(droppedInPeriod_, 0);
    if (!options_.adaptive || frameMs_ <= 0) {
        for (auto& [id, s] : sources_) s->droppedInPeriod = 0;
        return;
    }
    const double capacity = static_cast<double>(streams_.size()) * 1000.0 / frameMs_;
    // Drops mean the capacity estimate was optimistic this period: plan with less.
    const double budget = options_.targetLoad * capacity * (dropped > 0 ? 0.75 : 1.0);
    const auto up = allocateLocked(budget);
    // Strides come down one step at a time, and only with 15% to spare.
    const auto down = allocateLocked(0.85 * budget);
    int maxStride = 1;
    for (auto& [id, s] : sources_) {
        const int cur = s->stride;
        int next = up.count(id) ? up.at(id) : cur;
        if (next <= cur) {
            const int relaxed = down.count(id) ? down.at(id) : cur;
            next = std::max(std::min(cur, relaxed), cur - 1);
        }
        if (s->droppedInPeriod > 0) next = std::max(next, std::min(options_.maxStride, cur + 1));
        s->droppedInPeriod = 0;
        if (next != cur) {
            char msg[200];
            std::snprintf(msg, sizeof msg,
                          "%s: detect every %d -> %d frames (%.1f fps in, device %.1f fps, "
                          "%lld dropped)",
                          s->options.name.c_str(), cur, next, s->stats.rateFps, capacity,
                          static_cast<long long>(dropped));
            logDebug("scheduler", msg);
        }
        s->stride = next;
        s->stats.stride = next;
        maxStride = std::max(maxStride, next);
    }
    level_ = maxStride;
}

double Scheduler::demandLocked() const {
    double d = 0;
    for (const auto& [id, s] : sources_)
        if (!s->removing) d += s->stats.rateFps / s->stride;
    return d;
}

Admission Scheduler::admit(SourceId id) {
    std::lock_guard lock(mutex_);
    controlLocked(Clock::now());
    auto it = sources_.find(id);
    if (it == sources_.end()) return Admission::Skip;
    Source& s = *it->second;
    ++s.stats.admitted;
    ++s.admittedInPeriod;
    const int k = s.stride;
    if (++s.sinceSubmit >= k) {
        s.sinceSubmit = 0;
        return Admission::Submit;
    }
    ++s.stats.skipped;
    return Admission::Skip;
}

void Scheduler::submit(SourceId id, media::VideoFrame frame) {
    media::VideoFrame pushedOut;
    std::function<void(int64_t)> onDropped;
    {
        std::lock_guard lock(mutex_);
        auto it = sources_.find(id);
        if (it == sources_.end() || it->second->removing) return;
        Source& s = *it->second;
        ++s.stats.submitted;
        if (s.queue.size() >= s.options.capacity) {
            pushedOut = std::move(s.queue.front());
            s.queue.pop_front();
            ++s.stats.dropped;
            ++s.droppedInPeriod;
            ++droppedInPeriod_;
            onDropped = s.callbacks.onDropped;
            // The callback runs outside the lock; a removal waits for it like for an inference.
            ++s.inFlight;
        }
        s.queue.push_back(std::move(frame));
    }
    work_.notify_one();
    if (pushedOut.valid() || onDropped) {
        if (onDropped) onDropped(pushedOut.index());
        std::lock_guard lock(mutex_);
        if (auto it = sources_.find(id); it != sources_.end()) --it->second->inFlight;
        settled_.notify_all();
    }
}

void Scheduler::runStream(size_t streamIndex) {
    InferenceStream& stream = *streams_[streamIndex];
    struct Taken {
        SourceId id;
        media::VideoFrame frame;
    };
    std::vector<Taken> batch;
    std::vector<const media::VideoFrame*> frames;
    std::vector<Source*> order;
    for (;;) {
        batch.clear();
        {
            std::unique_lock lock(mutex_);
            work_.wait(lock, [&] {
                if (stop_) return true;
                for (const auto& [id, s] : sources_)
                    if (!s->queue.empty() && !s->removing) return true;
                return false;
            });
            if (stop_) return;
            // Fill the batch in pass order, one frame per source per round.
            while (static_cast<int>(batch.size()) < maxBatch_) {
                order.clear();
                for (auto& [id, s] : sources_)
                    if (!s->queue.empty() && !s->removing) order.push_back(s.get());
                if (order.empty()) break;
                std::stable_sort(order.begin(), order.end(),
                          [](const Source* a, const Source* b) { return a->pass < b->pass; });
                for (Source* s : order) {
                    if (static_cast<int>(batch.size()) >= maxBatch_) break;
                    const SourceId id = s->id;
                    virtualTime_ = std::max(virtualTime_, s->pass);
                    s->pass += 1.0 / s->options.weight;
                    ++s->inFlight;
                    batch.push_back({id, std::move(s->queue.front())});
                    s->queue.pop_front();
                }
            }
        }
        frames.clear();
        for (const Taken& t : batch) frames.push_back(&t.frame);
        const auto t0 = Clock::now();
        auto result = stream.run(frames);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        std::vector<std::function<void()>> calls;
        {
            std::lock_guard lock(mutex_);
            ++inferences_;
            frames_ += static_cast<int64_t>(batch.size());
            // Time per frame of this stream; a moving average over inferences.
            const double perFrame = ms / static_cast<double>(batch.size());
            frameMs_ = frameMs_ == 0 ? perFrame : 0.8 * frameMs_ + 0.2 * perFrame;
            for (size_t i = 0; i < batch.size(); ++i) {
                auto it = sources_.find(batch[i].id);
                if (it == sources_.end()) continue;
                ++it->second->stats.inferred;
                auto cb = it->second->callbacks.onResult;
                if (!cb) continue;
                const int64_t index = batch[i].frame.index();
                if (!result) {
                    Status st = result.status();
                    calls.push_back([cb, index, st] { cb(index, st); });
                } else {
                    FrameDetections d = std::move((*result)[i]);
                    calls.push_back([cb, index, d = std::move(d)]() mutable {
                        cb(index, std::move(d));
                    });
                }
            }
            controlLocked(Clock::now());
        }
        for (auto& c : calls) c();
        // The frames go before a waiting removeSource() may return (an AVFrame unref can hand a
        // bridge slot back to its owner).
        std::vector<SourceId> ids;
        for (const Taken& t : batch) ids.push_back(t.id);
        batch.clear();
        {
            std::lock_guard lock(mutex_);
            for (SourceId id : ids)
                if (auto it = sources_.find(id); it != sources_.end()) --it->second->inFlight;
        }
        settled_.notify_all();
    }
}

SchedulerStats Scheduler::stats() const {
    std::lock_guard lock(mutex_);
    SchedulerStats st;
    st.inferences = inferences_;
    st.frames = frames_;
    st.meanBatch = inferences_ ? static_cast<double>(frames_) / inferences_ : 0;
    st.frameMs = frameMs_;
    st.streams = static_cast<int>(streams_.size());
    st.capacityFps = frameMs_ > 0 ? st.streams * 1000.0 / frameMs_ : 0;
    st.demandFps = demandLocked();
    st.level = level_;
    for (const auto& [id, s] : sources_) {
        SchedulerSourceStats ss = s->stats;
        ss.queued = s->queue.size();
        ss.stride = s->stride;
        st.sources.push_back(std::move(ss));
    }
    return st;
}

int Scheduler::stride(SourceId id) const {
    std::lock_guard lock(mutex_);
    auto it = sources_.find(id);
    return it == sources_.end() ? 1 : it->second->stride;
}

int Scheduler::level() const {
    std::lock_guard lock(mutex_);
    return level_;
}

}  // namespace sl::pipeline

