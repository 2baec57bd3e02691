#pragma once
// EngineController: the one QObject facade over sl::media::Player. The engine calls its callbacks on
// the decode thread; the controller turns them into Qt signals emitted on the GUI thread, carrying
// cheap values. Widgets never see the Player's threads.
//
// Lifetime: the Player is destroyed first in ~EngineController (which joins the decode thread), so
// no callback can run once the QObject part starts dying; events already posted to this object
// are discarded by Qt when it is deleted.

#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "media/player.h"
#include "pipeline/results_store.h"

namespace sl::gui {

// What the window shows about an opened source; plain values, cheap to copy across signals.
struct MediaSummary {
    QString url;
    QString codec;
    int width = 0;
    int height = 0;
    double fps = 0;              // average (from the index) or nominal
    double nominalFps = 0;       // the container's rate
    int timeBaseNum = 1, timeBaseDen = 1;   // pts units of the video stream
    int64_t startPts = 0;        // pts of frame 0
    bool variableFrameRate = false;
    int64_t frameCount = -1;     // -1 when unknown (live input)
    double durationSeconds = 0;
    bool seekable = false;
    bool live = false;
};

MediaSummary summarize(const media::MediaInfo& info);

class EngineController : public QObject {
    Q_OBJECT
public:
    explicit EngineController(QObject* parent = nullptr);
    ~EngineController() override;

    // Control; all non-blocking (the Player coalesces bursts).
    void open(const QString& url);
    void close();
    void play();
    void pause();
    void togglePause();
    void step(int frames);
    void seekToIndex(int64_t index);
    void seekRelativeSeconds(double delta);
    void setSpeed(double speed);
    void setPausedReadAhead(int frames);   // media::PlayerConfig::pausedReadAhead
    void clearFrameCache();
    // Where the decoder allocates its pictures (the view's mapped-bridge slot pool, or null for
    // FFmpeg's own buffers); takes effect for the next decoded frame.
    void setFrameAllocator(std::shared_ptr<media::FrameAllocator> allocator);
    double speed() const;

    bool isOpen() const { return summary_.has_value(); }
    bool isPlaying() const { return playing_; }
    const std::optional<MediaSummary>& summary() const { return summary_; }
    QString currentUrl() const { return url_; }
    int64_t currentIndex() const;
    media::PlaybackState state() const;
    media::PlayerStats stats() const;
    QString decodeMode() const;

    // Detections of the open source (live inference and "Analyse range" put(), panels and exports
    // read; thread-safe). Cleared when another source opens. Shared so a worker thread can hold
    // it past a close.
    pipeline::ResultsStore& results() const { return *results_; }
    std::shared_ptr<pipeline::ResultsStore> sharedResults() const { return results_; }

    // For the view's frame pacing (GUI thread): the frame to show now if it changed.
    std::optional<media::VideoFrame> takeFrameForDisplay(std::chrono::steady_clock::time_point now);

signals:
    void opened(const sl::gui::MediaSummary& summary);
    void failed(const QString& url, const QString& message);
    void endOfStream();
    void frameReady();
    void playingChanged(bool playing);
    void closed();

private:
    void setPlaying(bool playing);
    void reconcileState();

    std::unique_ptr<media::Player> player_;
    std::optional<MediaSummary> summary_;
    QString url_;
    bool playing_ = false;
    // Many frameReady callbacks may fire before the GUI thread runs; post only one at a time.
    std::atomic<bool> frameReadyPosted_{false};
    QTimer stateTimer_;
    std::shared_ptr<pipeline::ResultsStore> results_ = std::make_shared<pipeline::ResultsStore>();
};

}  // namespace sl::gui

Q_DECLARE_METATYPE(sl::gui::MediaSummary)
