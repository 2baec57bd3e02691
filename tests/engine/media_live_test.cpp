// Live input: an MPEG-TS stream served over a local TCP socket is not seekable, gets no index,
// labels frames with a running counter, and the player drops (and counts) the oldest frames
// instead of blocking the source. When the server closes the stream, that is reported as the live
// stream ending (an Io failure naming it), never as a clean end of file.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "media/media_source.h"
#include "media/player.h"
#include "support/frame_pattern.h"
#include "support/video_generator.h"

namespace sl::media {
namespace {

using namespace std::chrono_literals;

// Serves one file to the first client, then closes (the stream ends).
class OneShotServer {
public:
    explicit OneShotServer(std::string path) : path_(std::move(path)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(fd_, 1);
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] {
            const int client = ::accept(fd_, nullptr, nullptr);
            if (client < 0) return;
            std::ifstream in(path_, std::ios::binary);
            char buf[16384];
            while (in.read(buf, sizeof buf) || in.gcount() > 0) {
                if (::send(client, buf, size_t(in.gcount()), MSG_NOSIGNAL) < 0) break;
            }
            ::close(client);
        });
    }
    ~OneShotServer() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    std::string url() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

private:
    std::string path_;
    int fd_ = -1;
    int port_ = 0;
    std::thread thread_;
};

class MediaLive : public ::testing::Test {
protected:
    void SetUp() override {
        sl::testing::VideoSpec spec;
        spec.path = dir_.file("live.ts");
        spec.frames = 80;
        spec.gopSize = 20;
        auto v = sl::testing::generateVideo(spec);
        ASSERT_TRUE(v) << v.status().message();
        path_ = v->path.string();
    }
    sl::testing::TempDir dir_{"live"};
    std::string path_;
};

TEST_F(MediaLive, TcpStreamIsLiveWithRunningIndex) {
    OneShotServer server(path_);
    MediaSource src;
    OpenOptions o;
    o.url = server.url();
    o.inputFormat = "mpegts";
    Status st = src.open(o);
    ASSERT_TRUE(st) << st.message();
    EXPECT_TRUE(src.live());
    EXPECT_FALSE(src.seekable());
    EXPECT_EQ(src.index(), nullptr);
    EXPECT_FALSE(src.info().frameCount);
    int64_t n = 0;
    for (;; ++n) {
        auto f = src.readFrame();
        if (!f) {
            EXPECT_EQ(f.status().code(), StatusCode::Io) << f.status().message();
            EXPECT_NE(f.status().message().find("live stream '" + server.url() +
                                                "' ended after 80 frames"),
                      std::string::npos)
                << f.status().message();
            break;
        }
        EXPECT_EQ(f->index(), n);
        EXPECT_EQ(sl::testing::readFramePatternFromLuma(f->plane(0), f->stride(0), f->width(),
                                                         f->height()),
                  n);
    }
    EXPECT_EQ(n, 80);
    EXPECT_EQ(src.seekToIndex(3).status().code(), StatusCode::Unsupported);
}

TEST_F(MediaLive, PlayerDropsOldestWhenTheDisplayLags) {
    OneShotServer server(path_);
    std::atomic<int> opened{0}, ended{0}, failed{0};
    std::string failure;
    PlayerCallbacks cb;
    cb.opened = [&](const MediaInfo&) { ++opened; };
    cb.endOfStream = [&] { ++ended; };
    cb.failed = [&](const Status& st) {
        failure = st.message();
        ++failed;
    };
    PlayerConfig config;
    config.queueCapacity = 4;
    Player player(config, cb);
    OpenOptions o;
    o.url = server.url();
    o.inputFormat = "mpegts";
    player.open(o);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (opened == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    ASSERT_EQ(opened, 1);
    player.play();
    // Nobody displays: the source must not block; the queue keeps the newest 4.
    while (player.stats().decodedFrames < 80 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    EXPECT_EQ(player.stats().decodedFrames, 80);
    EXPECT_LE(player.stats().queueDepth, 4u);
    auto f = player.takeFrameForDisplay();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->index(), 79);   // live shows the newest picture
    EXPECT_GE(player.stats().skippedFrames, 79 - 4);
    while (failed == 0 && std::chrono::steady_clock::now() < deadline) {
        player.takeFrameForDisplay();
        std::this_thread::sleep_for(1ms);
    }
    // The server closing a live stream is a failure the user must see, not the end of a file.
    EXPECT_EQ(failed, 1);
    EXPECT_EQ(ended, 0);
    EXPECT_NE(failure.find("ended after 80 frames"), std::string::npos) << failure;
    EXPECT_EQ(player.state(), PlaybackState::Failed);
}

}  // namespace
}  // namespace sl::media
