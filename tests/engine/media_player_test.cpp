// Player: threaded playback driven by a fake display clock - open, play, pause, step, seek,
// speed limits, late-display skipping, backward-step cache hits, end of stream and restart.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "media/player.h"
#include "support/frame_pattern.h"
#include "support/video_generator.h"

namespace sl::media {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

int patternOf(const VideoFrame& f) {
    return sl::testing::readFramePatternFromLuma(f.plane(0), f.stride(0), f.width(), f.height());
}

template <class Fn>
bool waitFor(Fn&& fn, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = SteadyClock::now() + timeout;
    while (!fn()) {
        if (SteadyClock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

std::optional<VideoFrame> waitFrame(Player& p, SteadyClock::time_point at) {
    std::optional<VideoFrame> f;
    waitFor([&] {
        f = p.takeFrameForDisplay(at);
        return f.has_value();
    });
    return f;
}

std::optional<VideoFrame> waitFrame(Player& p) { return waitFrame(p, SteadyClock::now()); }

class MediaPlayer : public ::testing::Test {
public:
    static void SetUpTestSuite() {
        dir_ = new sl::testing::TempDir("player");
        sl::testing::VideoSpec spec;
        spec.path = dir_->file("play.mp4");
        spec.frames = 200;
        spec.gopSize = 50;
        spec.maxBFrames = 2;
        spec.audio = true;
        auto v = sl::testing::generateVideo(spec);
        ASSERT_TRUE(v) << v.status().message();
        path_ = v->path.string();
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }

protected:
    void SetUp() override {
        PlayerCallbacks cb;
        cb.opened = [this](const MediaInfo&) { ++opened_; };
        cb.failed = [this](const Status&) { ++failed_; };
        cb.frameReady = [this] { ++ready_; };
        cb.endOfStream = [this] { ++ended_; };
        PlayerConfig config;
        config.queueCapacity = 6;
        player_ = std::make_unique<Player>(config, cb);
        OpenOptions o;
        o.url = path_;
        player_->open(o);
        ASSERT_TRUE(waitFor([&] { return opened_ > 0 || failed_ > 0; }));
        ASSERT_EQ(failed_, 0);
    }

    static sl::testing::TempDir* dir_;
    static std::string path_;
    std::unique_ptr<Player> player_;
    std::atomic<int> opened_{0}, failed_{0}, ready_{0}, ended_{0};
};

sl::testing::TempDir* MediaPlayer::dir_ = nullptr;
std::string MediaPlayer::path_;

TEST_F(MediaPlayer, OpensPausedOnFirstFrame) {
    EXPECT_EQ(opened_, 1);
    EXPECT_EQ(player_->state(), PlaybackState::Paused);
    auto info = player_->info();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->frameCount.value_or(0), 200);
    EXPECT_EQ(info->streams.size(), 2u);   // video + audio
    auto f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 0);
    EXPECT_EQ(patternOf(*f), 0);
    EXPECT_EQ(player_->currentIndex(), 0);
    EXPECT_NE(player_->decodeMode().find("software"), std::string::npos);
    // Paused: delivered once, then nothing however late the display asks.
    EXPECT_FALSE(player_->takeFrameForDisplay(SteadyClock::now() + 60s));
}

TEST_F(MediaPlayer, PlaysAtClockPaceThenPausesAndSteps) {
    ASSERT_TRUE(waitFrame(*player_));
    player_->play();
    const auto t0 = SteadyClock::now() + 20ms;   // mid-frame: robust to scheduling jitter
    for (int k = 1; k <= 10; ++k) {
        auto f = waitFrame(*player_, t0 + k * 40ms);
        ASSERT_TRUE(f) << "frame " << k;
        EXPECT_EQ(f->index(), k);
        EXPECT_EQ(patternOf(*f), k);
    }
    EXPECT_EQ(player_->stats().skippedFrames, 0);
    player_->pause();
    EXPECT_EQ(player_->state(), PlaybackState::Paused);
    EXPECT_FALSE(player_->takeFrameForDisplay(SteadyClock::now() + 60s));

    player_->step(+1);
    auto f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 11);
    EXPECT_EQ(patternOf(*f), 11);
    player_->step(-1);
    f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 10);
    EXPECT_EQ(patternOf(*f), 10);
    EXPECT_EQ(player_->state(), PlaybackState::Paused);
}

TEST_F(MediaPlayer, SeekToIndexAndSecondsAreExact) {
    ASSERT_TRUE(waitFrame(*player_));
    player_->seekToIndex(150);
    auto f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 150);
    EXPECT_EQ(patternOf(*f), 150);
    EXPECT_NEAR(player_->currentSeconds(), 150 * 0.04, 1e-6);
    player_->seekToSeconds(2.0 + 0.039);   // frame 50 is shown from 2.00 s to 2.04 s
    f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(patternOf(*f), 50);
    player_->seekRelativeSeconds(1.0);
    f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(patternOf(*f), 75);
    // A burst of seeks: the newest wins.
    for (int i = 0; i < 20; ++i) player_->seekToIndex(100 + i);
    ASSERT_TRUE(waitFor([&] { return player_->currentIndex() == 119 ||
                                     (player_->takeFrameForDisplay(), false); }));
}

TEST_F(MediaPlayer, SpeedIsClamped) {
    player_->setSpeed(100);
    EXPECT_DOUBLE_EQ(player_->speed(), 16.0);
    player_->setSpeed(0.001);
    EXPECT_DOUBLE_EQ(player_->speed(), 0.125);
    player_->setSpeed(2);
    EXPECT_DOUBLE_EQ(player_->speed(), 2.0);
}

TEST_F(MediaPlayer, LateDisplaySkipsAndCountsFrames) {
    ASSERT_TRUE(waitFrame(*player_));
    player_->play();
    // Let the decoder fill the bounded queue, then ask far too late.
    ASSERT_TRUE(waitFor([&] { return player_->stats().queueDepth == 6; }));
    auto f = player_->takeFrameForDisplay(SteadyClock::now() + 10s);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 6);
    EXPECT_EQ(patternOf(*f), 6);
    EXPECT_EQ(player_->stats().skippedFrames, 5);
    EXPECT_EQ(player_->stats().displayedFrames, 2);
}

TEST_F(MediaPlayer, BackwardStepsHitTheCache) {
    ASSERT_TRUE(waitFrame(*player_));
    player_->seekToIndex(120);          // keyframe 100: frames 100..120 land in the cache
    auto f = waitFrame(*player_);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->index(), 120);
    const PlayerStats before = player_->stats();
    for (int i = 1; i <= 2; ++i) {
        player_->step(-1);
        f = waitFrame(*player_);
        ASSERT_TRUE(f);
        EXPECT_EQ(f->index(), 120 - i);
        EXPECT_EQ(patternOf(*f), 120 - i);
    }
    const PlayerStats after = player_->stats();
    EXPECT_EQ(after.cacheHits, before.cacheHits + 2);
    EXPECT_EQ(after.cacheMisses, before.cacheMisses);
    EXPECT_GE(after.cacheFrames, 21u);
}

TEST_F(MediaPlayer, PausedReadAheadServesForwardStepsFromTheCache) {
    ASSERT_TRUE(waitFrame(*player_));
    player_->seekToIndex(120);
    auto f = waitFrame(*player_);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->index(), 120);
    // Paused on 120: the decoder goes on to 121 and 122 (PlayerConfig::pausedReadAhead = 2), then
    // stops.
    ASSERT_TRUE(waitFor([&] { return player_->stats().readAheadFrames == 2; }));
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(player_->stats().readAheadFrames, 2);
    const PlayerStats before = player_->stats();
    player_->step(+1);
    f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 121);
    EXPECT_EQ(patternOf(*f), 121);
    EXPECT_EQ(player_->stats().cacheHits, before.cacheHits + 1);
    EXPECT_EQ(player_->stats().cacheMisses, before.cacheMisses);
    // One more ahead of the new position (123), and playback continues exactly from the cache
    // and then the decoder, which stands past the cached frames.
    ASSERT_TRUE(waitFor([&] { return player_->stats().readAheadFrames == 3; }));
    player_->play();
    const auto t0 = SteadyClock::now() + 20ms;
    for (int k = 1; k <= 5; ++k) {
        f = waitFrame(*player_, t0 + k * 40ms);
        ASSERT_TRUE(f);
        EXPECT_EQ(f->index(), 121 + k);
        EXPECT_EQ(patternOf(*f), 121 + k);
    }
    player_->pause();
}

TEST_F(MediaPlayer, PausedReadAheadStopsAtTheEnd) {
    ASSERT_TRUE(waitFrame(*player_));
    player_->seekToIndex(199);   // the last frame: nothing to read ahead, and no spinning
    auto f = waitFrame(*player_);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->index(), 199);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(player_->stats().readAheadFrames, 0);
    player_->seekToIndex(198);
    f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(patternOf(*f), 198);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(player_->stats().readAheadFrames, 0);   // 199 is already in the cache
}

TEST_F(MediaPlayer, EndOfStreamThenPlayRestarts) {
    ASSERT_TRUE(waitFrame(*player_));
    player_->seekToIndex(195);
    auto f = waitFrame(*player_);
    ASSERT_TRUE(f);
    player_->play();
    ASSERT_TRUE(waitFor([&] {
        player_->takeFrameForDisplay(SteadyClock::now() + 60s);
        return player_->state() == PlaybackState::Ended;
    }));
    EXPECT_EQ(ended_, 1);
    EXPECT_EQ(player_->currentIndex(), 199);
    player_->play();
    f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 0);
    EXPECT_EQ(player_->state(), PlaybackState::Playing);
}

TEST_F(MediaPlayer, CloseAndReopenDoNotHang) {
    player_->play();
    player_->close();
    EXPECT_EQ(player_->state(), PlaybackState::Closed);
    OpenOptions o;
    o.url = path_;
    player_->open(o);
    ASSERT_TRUE(waitFor([&] { return opened_ >= 2; }));
    auto f = waitFrame(*player_);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 0);
}

// The decode-ahead is bounded in time as well as in frames: 0.1 s of this 25 fps clip is 3 frames
// (ceil 2.5), 5 at 2x speed; the frames then still come in order.
TEST_F(MediaPlayer, DecodeAheadIsBoundedInTime) {
    PlayerConfig config;
    config.queueCapacity = 8;
    config.queueSeconds = 0.1;
    std::atomic<int> opened{0};
    PlayerCallbacks cb;
    cb.opened = [&](const MediaInfo&) { ++opened; };
    Player p(config, cb);
    OpenOptions o;
    o.url = path_;
    p.open(o);
    ASSERT_TRUE(waitFor([&] { return opened > 0; }));
    auto first = waitFrame(p);
    ASSERT_TRUE(first);
    p.play();
    // The display takes nothing: the decoder fills the queue to its limit and stops there.
    ASSERT_TRUE(waitFor([&] { return p.stats().queueDepth >= 3; }));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(p.stats().queueDepth, 3u);
    p.setSpeed(2.0);
    ASSERT_TRUE(waitFor([&] { return p.stats().queueDepth >= 5; }));
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(p.stats().queueDepth, 5u);
    p.pause();
    int64_t last = first->index();
    for (int k = 0; k < 5; ++k) {
        auto f = p.takeFrameForDisplay(SteadyClock::now() + 60s);
        if (!f) break;
        EXPECT_GT(f->index(), last);
        EXPECT_EQ(patternOf(*f), f->index());
        last = f->index();
    }
}

}  // namespace
}  // namespace sl::media
