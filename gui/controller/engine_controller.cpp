#include "controller/engine_controller.h"

#include <QMetaObject>
#include <QPointer>

namespace sl::gui {

MediaSummary summarize(const media::MediaInfo& info) {
    MediaSummary s;
    s.url = QString::fromStdString(info.url);
    if (const media::StreamInfo* v = info.video()) {
        s.codec = QString::fromStdString(v->codec);
        s.width = v->width;
        s.height = v->height;
        s.fps = v->averageFps > 0 ? v->averageFps : v->nominalFps;
        s.nominalFps = v->nominalFps;
        s.timeBaseNum = v->timeBaseNum;
        s.timeBaseDen = v->timeBaseDen;
        s.startPts = v->startPts;
    }
    s.variableFrameRate = info.variableFrameRate.value_or(false);
    s.frameCount = info.frameCount.value_or(-1);
    s.durationSeconds = info.durationSeconds;
    s.seekable = info.seekable;
    s.live = info.live;
    return s;
}

EngineController::EngineController(QObject* parent) : QObject(parent) {
    qRegisterMetaType<sl::gui::MediaSummary>();

    // The callbacks run on the decode thread. They only post to this object: Qt runs the lambdas
    // on the GUI thread and drops them if the object is gone by then. The Player (and with it the
    // decode thread) dies before this object does, so `self` is never a dangling pointer here.
    EngineController* self = this;
    media::PlayerCallbacks callbacks;
    callbacks.opened = [self](const media::MediaInfo& info) {
        MediaSummary s = summarize(info);
        QMetaObject::invokeMethod(
            self,
            [self, s] {
                self->summary_ = s;
                emit self->opened(s);
                self->reconcileState();
            },
            Qt::QueuedConnection);
    };
    callbacks.failed = [self](const Status& st) {
        QString msg = QString::fromStdString(st.message());
        QMetaObject::invokeMethod(
            self,
            [self, msg] {
                self->setPlaying(false);
                emit self->failed(self->url_, msg);
            },
            Qt::QueuedConnection);
    };
    callbacks.frameReady = [self] {
        if (self->frameReadyPosted_.exchange(true)) return;
        QMetaObject::invokeMethod(
            self,
            [self] {
                self->frameReadyPosted_ = false;
                emit self->frameReady();
            },
            Qt::QueuedConnection);
    };
    callbacks.endOfStream = [self] {
        QMetaObject::invokeMethod(
            self,
            [self] {
                self->setPlaying(false);
                emit self->endOfStream();
            },
            Qt::QueuedConnection);
    };
    player_ = std::make_unique<media::Player>(media::PlayerConfig{}, std::move(callbacks));

    // The Player may change state on its own (end of stream, a failure); keep playing_ honest.
    stateTimer_.setInterval(250);
    connect(&stateTimer_, &QTimer::timeout, this, &EngineController::reconcileState);
    stateTimer_.start();
}

EngineController::~EngineController() {
    stateTimer_.stop();
    player_.reset();   // joins the decode thread before the QObject part goes away
}

void EngineController::open(const QString& url) {
    summary_.reset();
    if (url != url_) results_->clear();   // reopening the same file keeps its analysis
    url_ = url;
    setPlaying(false);
    media::OpenOptions options;
    options.url = url.toStdString();
    player_->open(options);
}

void EngineController::close() {
    player_->close();
    summary_.reset();
    url_.clear();
    setPlaying(false);
    emit closed();
}

void EngineController::play() {
    if (!isOpen()) return;
    player_->play();
    setPlaying(true);
}

void EngineController::pause() {
    player_->pause();
    setPlaying(false);
}

void EngineController::togglePause() {
    if (playing_)
        pause();
    else
        play();
}

void EngineController::step(int frames) {
    if (!isOpen()) return;
    player_->step(frames);
    setPlaying(false);
}

void EngineController::seekToIndex(int64_t index) {
    if (isOpen()) player_->seekToIndex(index);
}

void EngineController::seekRelativeSeconds(double delta) {
    if (isOpen()) player_->seekRelativeSeconds(delta);
}

void EngineController::setSpeed(double speed) { player_->setSpeed(speed); }
void EngineController::setPausedReadAhead(int frames) { player_->setPausedReadAhead(frames); }
void EngineController::clearFrameCache() { player_->clearCache(); }

void EngineController::setFrameAllocator(std::shared_ptr<media::FrameAllocator> allocator) {
    // The view hands back its pool while it shuts down, possibly after the player is gone.
    if (player_) player_->setFrameAllocator(std::move(allocator));
}
double EngineController::speed() const { return player_->speed(); }
int64_t EngineController::currentIndex() const { return player_->currentIndex(); }
media::PlaybackState EngineController::state() const { return player_->state(); }
media::PlayerStats EngineController::stats() const { return player_->stats(); }
QString EngineController::decodeMode() const {
    return QString::fromStdString(player_->decodeMode());
}

std::optional<media::VideoFrame> EngineController::takeFrameForDisplay(
    std::chrono::steady_clock::time_point now) {
    return player_->takeFrameForDisplay(now);
}

void EngineController::setPlaying(bool playing) {
    if (playing_ == playing) return;
    playing_ = playing;
    emit playingChanged(playing_);
}

void EngineController::reconcileState() {
    const media::PlaybackState st = player_->state();
    // Playing/Paused are not trusted: control calls are asynchronous, so right after play() the
    // Player may still report the old state. Only the states it reaches on its own count.
    if (st == media::PlaybackState::Ended || st == media::PlaybackState::Failed ||
             st == media::PlaybackState::Closed)
        setPlaying(false);
}

}  // namespace sl::gui
