// Scheduler: fair share by weight, a late source starting at the virtual time, drop-oldest
// bounds, batches of distinct sources, removal waiting for frames in flight, and the adaptive
// load level, all against a scripted InferenceStream (the order and counts it sees are the
// oracle; the expected values are derived in each test from the stride-scheduling rules in
// pipeline/scheduler.h).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

extern "C" {
#include <libavutil/frame.h>
}

#include "pipeline/scheduler.h"

namespace sl::pipeline {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A tiny frame whose width says which source it is from (16 + 2 x tag) and whose index is its
// number within that source.
media::VideoFrame makeFrame(int tag, int64_t index) {
    AVFrame* f = av_frame_alloc();
    f->format = AV_PIX_FMT_YUV420P;
    f->width = 16 + 2 * tag;
    f->height = 16;
    av_frame_get_buffer(f, 0);
    f->pts = index;
    media::VideoFrame v(f, media::PixelFormat::Yuv420p, index, 1, 1000, 0);
    av_frame_free(&f);
    return v;
}
int tagOf(const media::VideoFrame& f) { return (f.width() - 16) / 2; }

// Records every batch; blocks while the gate is closed; costs `cost` per frame.
class ScriptedStream final : public InferenceStream {
public:
    explicit ScriptedStream(int maxBatch = 1, std::chrono::milliseconds cost = 0ms)
        : maxBatch_(maxBatch), cost_(cost) {}
    int maxBatch() const override { return maxBatch_; }
    Expected<std::vector<FrameDetections>> run(
        std::span<const media::VideoFrame* const> frames) override {
        {
            std::unique_lock lk(m_);
            ++entered_;
            cv_.notify_all();
            cv_.wait(lk, [&] { return open_; });
            std::vector<std::pair<int, int64_t>> b;
            for (const auto* f : frames) b.push_back({tagOf(*f), f->index()});
            batches_.push_back(std::move(b));
        }
        if (cost_ > 0ms) std::this_thread::sleep_for(cost_ * static_cast<int>(frames.size()));
        std::vector<FrameDetections> out;
        for (const auto* f : frames) {
            FrameDetections d;
            d.frameIndex = f->index();
            d.detections.push_back({tagOf(*f), 0.9f, {0, 0, float(f->index()), 1}});
            out.push_back(std::move(d));
        }
        return out;
    }
    void open() {
        std::lock_guard lk(m_);
        open_ = true;
        cv_.notify_all();
    }
    void close() {
        std::lock_guard lk(m_);
        open_ = false;
    }
    bool waitEntered(int n, std::chrono::milliseconds t = 5s) {
        std::unique_lock lk(m_);
        return cv_.wait_for(lk, t, [&] { return entered_ >= n; });
    }
    std::vector<std::vector<std::pair<int, int64_t>>> batches() {
        std::lock_guard lk(m_);
        return batches_;
    }
    std::vector<int> servedTags() {
        std::vector<int> t;
        for (const auto& b : batches())
            for (auto [tag, i] : b) t.push_back(tag);
        return t;
    }

private:
    bool open_ = false;
    int maxBatch_;
    std::chrono::milliseconds cost_;
    std::mutex m_;
    std::condition_variable cv_;
    int entered_ = 0;
    std::vector<std::vector<std::pair<int, int64_t>>> batches_;
};

struct Counter {
    std::mutex m;
    std::map<int, std::vector<int64_t>> results, drops;   // by tag
    SchedulerSourceCallbacks callbacks(int tag) {
        SchedulerSourceCallbacks cb;
        cb.onResult = [this, tag](int64_t i, Expected<FrameDetections> d) {
            std::lock_guard lk(m);
            EXPECT_TRUE(d) << d.status().message();
            if (d) EXPECT_EQ(d->frameIndex, i);
            results[tag].push_back(i);
        };
        cb.onDropped = [this, tag](int64_t i) {
            std::lock_guard lk(m);
            drops[tag].push_back(i);
        };
        return cb;
    }
    size_t total() {
        std::lock_guard lk(m);
        size_t n = 0;
        for (auto& [k, v] : results) n += v.size();
        return n;
    }
};

template <class Pred>
bool waitFor(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (Clock::now() > deadline) return pred();
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

std::vector<std::unique_ptr<InferenceStream>> one(ScriptedStream*& raw, int batch = 1,
                                                  std::chrono::milliseconds cost = 0ms) {
    auto s = std::make_unique<ScriptedStream>(batch, cost);
    raw = s.get();
    std::vector<std::unique_ptr<InferenceStream>> v;
    v.push_back(std::move(s));
    return v;
}

// Weights 1, 1, 2 with every queue full: passes grow by 1, 1 and 0.5 per frame served, so in
// any window the weight-2 source gets two frames for each one of the others. The first frame
// (taken before the queues filled, while the gate is shut) is tag 0's; from then on the lowest
// pass wins, ties to the earlier-added source. Over the next 100 frames: 25, 25, 50 (+-1 for
// where the window cuts a round).
TEST(Scheduler, WeightedFairShareUnderContention) {
    ScriptedStream* stream = nullptr;
    Counter c;   // declared first: it outlives the scheduler's threads
    Scheduler sched(one(stream), {.maxBatch = 1, .adaptive = false});
    std::vector<Scheduler::SourceId> ids;
    const double weights[] = {1, 1, 2};
    for (int t = 0; t < 3; ++t)
        ids.push_back(sched.addSource({.name = "s" + std::to_string(t), .weight = weights[t],
                                       .capacity = 200},
                                      c.callbacks(t)));
    sched.submit(ids[0], makeFrame(0, 0));
    ASSERT_TRUE(stream->waitEntered(1));
    for (int i = 1; i <= 150; ++i)
        for (int t = 0; t < 3; ++t) {
            ASSERT_EQ(sched.admit(ids[t]), Admission::Submit);
            sched.submit(ids[t], makeFrame(t, i));
        }
    stream->open();
    ASSERT_TRUE(waitFor([&] { return c.total() >= 101; }, 10s));
    const auto tags = stream->servedTags();
    int n[3] = {0, 0, 0};
    for (size_t i = 1; i <= 100; ++i) ++n[tags[i]];
    EXPECT_NEAR(n[0], 25, 1);
    EXPECT_NEAR(n[1], 25, 1);
    EXPECT_NEAR(n[2], 50, 1);
    // Within a source, frames come out in the order they went in.
    std::lock_guard lk(c.m);
    for (auto& [tag, v] : c.results)
        for (size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]) << "tag " << tag;
}

// A source added after another has been served 40 times starts at the virtual time, not at
// pass 0: it does not get 40 frames in a row, the two alternate.
TEST(Scheduler, ALateSourceSharesInsteadOfCatchingUp) {
    ScriptedStream* stream = nullptr;
    Counter c;   // declared first: it outlives the scheduler's threads
    Scheduler sched(one(stream), {.maxBatch = 1, .adaptive = false});
    const auto a = sched.addSource({.name = "a", .capacity = 100}, c.callbacks(0));
    stream->open();
    for (int i = 0; i < 40; ++i) {
        sched.submit(a, makeFrame(0, i));
        ASSERT_TRUE(waitFor([&] { return c.total() >= size_t(i + 1); }, 5s));
    }
    stream->close();   // the next run() waits
    sched.submit(a, makeFrame(0, 40));
    ASSERT_TRUE(stream->waitEntered(41));
    const auto b = sched.addSource({.name = "b", .capacity = 100}, c.callbacks(1));
    for (int i = 41; i < 61; ++i) sched.submit(a, makeFrame(0, i));
    for (int i = 0; i < 20; ++i) sched.submit(b, makeFrame(1, i));
    stream->open();
    ASSERT_TRUE(waitFor([&] { return c.total() >= 81; }, 10s));
    const auto tags = stream->servedTags();
    // Served after frame 40: 20 of a and 20 of b, alternating (no run of b longer than 1).
    int runB = 0, maxRunB = 0, nb = 0;
    for (size_t i = 41; i < 81; ++i) {
        runB = tags[i] == 1 ? runB + 1 : 0;
        maxRunB = std::max(maxRunB, runB);
        nb += tags[i] == 1;
    }
    EXPECT_EQ(nb, 20);
    EXPECT_LE(maxRunB, 2);
}

// Capacity 2, the stream holding frame 0: frames 1..9 arrive; each arrival beyond two queued
// pushes the oldest out. Dropped: 1..7; inferred: 0, 8, 9.
TEST(Scheduler, FullQueueDropsTheOldestAndSaysSo) {
    ScriptedStream* stream = nullptr;
    Counter c;   // declared first: it outlives the scheduler's threads
    Scheduler sched(one(stream), {.maxBatch = 1, .adaptive = false});
    const auto s = sched.addSource({.name = "cam", .capacity = 2}, c.callbacks(0));
    sched.submit(s, makeFrame(0, 0));
    ASSERT_TRUE(stream->waitEntered(1));
    for (int i = 1; i < 10; ++i) sched.submit(s, makeFrame(0, i));
    stream->open();
    ASSERT_TRUE(waitFor([&] { return c.total() >= 3; }, 5s));
    std::this_thread::sleep_for(20ms);
    std::lock_guard lk(c.m);
    EXPECT_EQ(c.results[0], (std::vector<int64_t>{0, 8, 9}));
    EXPECT_EQ(c.drops[0], (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
    const auto st = sched.stats();
    ASSERT_EQ(st.sources.size(), 1u);
    EXPECT_EQ(st.sources[0].dropped, 7);
    EXPECT_EQ(st.sources[0].submitted, 10);
}

// Batch 4: while the stream holds a frame, four sources queue one frame each; the next run()
// takes all four, one per source, in pass order (all equal: the order added).
TEST(Scheduler, BatchesFramesOfDifferentSources) {
    ScriptedStream* stream = nullptr;
    Counter c;   // declared first: it outlives the scheduler's threads
    Scheduler sched(one(stream, 4), {.maxBatch = 4, .adaptive = false});
    EXPECT_EQ(sched.maxBatch(), 4);
    std::vector<Scheduler::SourceId> ids;
    for (int t = 0; t < 5; ++t)
        ids.push_back(sched.addSource({.name = std::to_string(t), .capacity = 4}, c.callbacks(t)));
    sched.submit(ids[4], makeFrame(4, 0));
    ASSERT_TRUE(stream->waitEntered(1));
    for (int t = 0; t < 4; ++t) sched.submit(ids[t], makeFrame(t, 0));
    stream->open();
    ASSERT_TRUE(waitFor([&] { return c.total() >= 5; }, 5s));
    const auto b = stream->batches();
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[0].size(), 1u);
    ASSERT_EQ(b[1].size(), 4u);
    for (int t = 0; t < 4; ++t) EXPECT_EQ(b[1][t].first, t);
    EXPECT_DOUBLE_EQ(sched.stats().meanBatch, 2.5);
}

// removeSource() with a frame of that source in flight waits for it; afterwards no callback of
// the source runs, and its queued frames are gone without results.
TEST(Scheduler, RemoveWaitsForTheFrameInFlight) {
    ScriptedStream* stream = nullptr;
    Counter c;   // declared first: it outlives the scheduler's threads
    Scheduler sched(one(stream), {.maxBatch = 1, .adaptive = false});
    const auto s = sched.addSource({.name = "cam", .capacity = 4}, c.callbacks(0));
    sched.submit(s, makeFrame(0, 0));
    ASSERT_TRUE(stream->waitEntered(1));
    sched.submit(s, makeFrame(0, 1));
    std::atomic<bool> removed{false};
    std::thread remover([&] {
        sched.removeSource(s);
        removed = true;
    });
    std::this_thread::sleep_for(50ms);
    EXPECT_FALSE(removed.load());   // frame 0 is still in run()
    stream->open();
    remover.join();
    EXPECT_TRUE(removed.load());
    std::this_thread::sleep_for(30ms);
    std::lock_guard lk(c.m);
    EXPECT_EQ(c.results[0], (std::vector<int64_t>{0}));   // frame 1 never ran
    EXPECT_EQ(stream->batches().size(), 1u);
}

// Four sources at 25 fps on a stream that needs 20 ms a frame: capacity 50 fps, budget 0.85 x
// 50 = 42.5 fps, demand at level L = 100 / L: L = 3 is the smallest that fits (33.3 fps). Each
// source is then submitted every third frame: about a third of its frames, the same for all.
TEST(Scheduler, AdaptiveLevelDegradesEveryoneEvenly) {
    ScriptedStream* stream = nullptr;
    Counter c;   // declared first: it outlives the scheduler's threads
    Scheduler sched(one(stream, 1, 20ms), {.maxBatch = 1, .adaptive = true,
                                           .controlPeriod = 250ms});
    stream->open();
    std::vector<Scheduler::SourceId> ids;
    for (int t = 0; t < 4; ++t)
        ids.push_back(sched.addSource({.name = std::to_string(t), .capacity = 2}, c.callbacks(t)));
    std::atomic<bool> stop{false};
    std::vector<std::thread> cams;
    std::atomic<int> submittedLate[4] = {0, 0, 0, 0}, admittedLate[4] = {0, 0, 0, 0};
    const auto start = Clock::now();
    for (int t = 0; t < 4; ++t)
        cams.emplace_back([&, t] {
            auto next = Clock::now();
            for (int64_t i = 0; !stop; ++i) {
                const bool late = Clock::now() - start > 2500ms;
                const bool sub = sched.admit(ids[t]) == Admission::Submit;
                if (late) {
                    ++admittedLate[t];
                    submittedLate[t] += sub;
                }
                if (sub) sched.submit(ids[t], makeFrame(t, i));
                next += 40ms;
                std::this_thread::sleep_until(next);
            }
        });
    std::this_thread::sleep_for(4500ms);
    stop = true;
    for (auto& th : cams) th.join();
    const auto st = sched.stats();
    EXPECT_EQ(st.level, 3) << "frame " << st.frameMs << " ms, capacity " << st.capacityFps
                           << " fps, demand " << st.demandFps << " fps";
    for (int t = 0; t < 4; ++t) {
        const double share = double(submittedLate[t]) / std::max(1, admittedLate[t].load());
        EXPECT_NEAR(share, 1.0 / 3, 0.08) << "source " << t;
        EXPECT_EQ(st.sources[t].stride, 3);
    }
}

// A slow source among fast ones keeps every frame: three cameras at 20 fps and one at 4 fps on
// a stream needing 20 ms a frame (capacity 50, budget 42.5 fps; demand 64). Water-filling gives
// the slow one all of its 4 fps (below its share of 10.6) and the fast ones (42.5 - 4) / 3 =
// 12.8 fps each: stride ceil(20 / 12.8) = 2. A common level would have cut the slow one too.
TEST(Scheduler, ASlowSourceKeepsItsFramesUnderLoad) {
    ScriptedStream* stream = nullptr;
    Counter c;   // declared first: it outlives the scheduler's threads
    Scheduler sched(one(stream, 1, 20ms), {.maxBatch = 1, .adaptive = true,
                                           .controlPeriod = 250ms});
    stream->open();
    std::vector<Scheduler::SourceId> ids;
    for (int t = 0; t < 4; ++t)
        ids.push_back(sched.addSource({.name = std::to_string(t), .capacity = 2}, c.callbacks(t)));
    std::atomic<bool> stop{false};
    std::atomic<int> submittedLate[4] = {0, 0, 0, 0}, admittedLate[4] = {0, 0, 0, 0};
    const auto start = Clock::now();
    std::vector<std::thread> cams;
    for (int t = 0; t < 4; ++t)
        cams.emplace_back([&, t] {
            const auto period = t == 3 ? 250ms : 50ms;
            auto next = Clock::now();
            for (int64_t i = 0; !stop; ++i) {
                const bool late = Clock::now() - start > 2500ms;
                const bool sub = sched.admit(ids[t]) == Admission::Submit;
                if (late) {
                    ++admittedLate[t];
                    submittedLate[t] += sub;
                }
                if (sub) sched.submit(ids[t], makeFrame(t, i));
                next += period;
                std::this_thread::sleep_until(next);
            }
        });
    std::this_thread::sleep_for(5000ms);
    stop = true;
    for (auto& th : cams) th.join();
    const auto st = sched.stats();
    for (int t = 0; t < 3; ++t) {
        EXPECT_EQ(st.sources[t].stride, 2) << "fast source " << t;
        EXPECT_NEAR(double(submittedLate[t]) / std::max(1, admittedLate[t].load()), 0.5, 0.08);
    }
    EXPECT_EQ(st.sources[3].stride, 1) << "the slow source";
    EXPECT_EQ(submittedLate[3].load(), admittedLate[3].load());
    EXPECT_EQ(st.level, 2);
}

}  // namespace
}  // namespace sl::pipeline
