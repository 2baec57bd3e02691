#include "view/video_view.h"

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QPainter>
#include <QWheelEvent>

#include <QGenericMatrix>
#include <QVector3D>
#include <QVector4D>

#include <algorithm>
#include <utility>
#include <cmath>
#include <cstring>

#include "controller/detection_controller.h"
#include "controller/engine_controller.h"
#include "controller/track_controller.h"
#include "core/log.h"
#include "interop/gl_texture_format.h"
#include "pipeline/class_color.h"
#include "view/yuv_shader.h"

// Resources live in the static sightline_gui library; referencing the initialiser keeps the linker
// from dropping them (Q_INIT_RESOURCE must be used outside any namespace).
static void initSightlineResources() { Q_INIT_RESOURCE(resources); }

namespace sl::gui {
namespace {

constexpr double kMinZoom = 0.1;
constexpr double kMaxZoom = 64.0;
constexpr size_t kPlaneAlign = 64;   // start each plane on a cache line inside the PBO

struct PlaneLayout {
    int width = 0;          // in texels
    int height = 0;
    int bytesPerTexel = 1;  // media::planeSampleBytes: R8 1, RG8 / R16 2, RGB8 3, RGBA8 / RG16 4
    int rowLength = 0;      // texels per row in the PBO (GL_UNPACK_ROW_LENGTH)
    size_t offset = 0;      // in the PBO
    size_t bytes = 0;
};

}  // namespace

VideoView::VideoView(QWidget* parent) : QOpenGLWidget(parent) {
    initSightlineResources();
    setMinimumSize(160, 90);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    paceTimer_.setTimerType(Qt::PreciseTimer);
    paceTimer_.setInterval(4);
    connect(&paceTimer_, &QTimer::timeout, this, &VideoView::takeFrame);
    bridge_.setRequest(BridgeRequest::fromSettings());
    // Inference may read bridge slots: it finishes (or, with the CL context going, stops) first.
    bridge_.beforeRelease = [this](bool contextToo) {
        if (!detection_) return;
        if (contextToo) {
            // The next frame brings a new context up: a reload waits for it (loads once).
            detection_->setAwaitingCompute(true);
            detection_->setSharedCompute(nullptr, /*reload=*/!destroying_);
        } else {
            detection_->drain();
        }
    };
    returnPoll_.setTimerType(Qt::PreciseTimer);
    returnPoll_.setInterval(1);
    connect(&returnPoll_, &QTimer::timeout, this, &VideoView::pollBridgeReturns);
    rateTimer_.setInterval(500);
    connect(&rateTimer_, &QTimer::timeout, this, &VideoView::sampleRates);
    rateTimer_.start();
}

void VideoView::setDetection(DetectionController* detection) {
    if (detection_) disconnect(detection_, nullptr, this, nullptr);
    detection_ = detection;
    if (!detection_) return;
    // Until the first frame decides the bridge (and its CL context), a model load waits.
    syncDetectionCompute();
    connect(detection_, &DetectionController::resultReady, this, [this](qint64 index) {
        if (index == displayedIndex_) update();
    });
    // A model became ready, or settings cleared the store: the shown frame needs (new) boxes,
    // also while paused.
    connect(detection_, &DetectionController::stateChanged, this, [this] {
        if (shownFrame_ && detection_->isReady()) submitForInference(*shownFrame_);
        update();
    });
}

void VideoView::setBoxEditor(BoxEditor* editor) {
    if (boxEditor_) disconnect(boxEditor_, nullptr, this, nullptr);
    boxEditor_ = editor;
    if (boxEditor_)
        connect(boxEditor_, &BoxEditor::changed, this, qOverload<>(&VideoView::update));
    update();
}

void VideoView::setHighlight(qint64 frameIndex, int boxIndex) {
    highlightFrame_ = frameIndex;
    highlightBox_ = boxIndex;
    highlightShown_ = frameIndex >= 0 && frameIndex == displayedIndex_;
    update();
}

void VideoView::syncDetectionCompute() {
    if (!detection_) return;
    // Frames live in the bridge's context: the detector follows it (reloads once when it
    // changes). No bridge (display only, failed): its own context, without waiting.
    switch (bridge_.mode()) {
    case FrameBridgeHost::Mode::Idle: detection_->setAwaitingCompute(true); break;
    case FrameBridgeHost::Mode::Bridge:
        detection_->setSharedCompute(bridge_.computeContext());
        detection_->setAwaitingCompute(false);
        break;
    case FrameBridgeHost::Mode::DisplayOnly:
    case FrameBridgeHost::Mode::Failed: detection_->setAwaitingCompute(false); break;
    }
}

void VideoView::submitForInference(const media::VideoFrame& frame) {
    if (!detection_) return;
    const compute::ComputeContext* shared = bridge_.computeContext();
    syncDetectionCompute();
    if (!detection_->wants(frame.index())) return;
    if (shared && detection_->runsOn(shared) && glReady_) {
        pipeline::DeviceFrameJob job;
        InferenceLease lease;
        // Bridge calls need the view's context: current inside paintGL, made so elsewhere.
        const bool wasCurrent = QOpenGLContext::currentContext() == context();
        if (!wasCurrent) makeCurrent();
        const bool lent = bridge_.lendShownForInference(frame, &job, &lease);
        if (!wasCurrent) doneCurrent();
        if (!lent && bridge_.shownIsLent()) {
            // This very frame is in inference (a reload asked for it again meanwhile): a host
            // upload of it would be a copy for nothing. It is submitted again once its slot
            // comes back (endInference).
            resubmitWhenReturned_ = true;
            return;
        }
        if (lent) {
            job.meta = pipeline::FrameMeta{frame.index(), frame.pts(), frame.seconds()};
            // Runs on the inference thread (or here when refused): the bridge is only touched
            // back on the GUI thread, with the view's context current.
            // The view outlives the worker's callbacks: before its bridge goes, the worker is
            // stopped (beforeRelease); a posted call to a deleted view is discarded by Qt.
            job.done = [this, lease](bool) {
                QMetaObject::invokeMethod(this, [this, lease] { endInference(lease); },
                                          Qt::QueuedConnection);
            };
            detection_->submitDevice(std::move(job), frame.decodedAt());
            return;
        }
    }
    detection_->submit(frame);
}

void VideoView::endInference(InferenceLease lease) {
    if (!glReady_) return;   // the bridge went with the context
    const bool wasCurrent = QOpenGLContext::currentContext() == context();
    if (!wasCurrent) makeCurrent();
    bridge_.endInference(lease);
    if (!wasCurrent) doneCurrent();
    if (bridge_.returningSlots() > 0 && !returnPoll_.isActive()) returnPoll_.start();
    if (std::exchange(resubmitWhenReturned_, false) && shownFrame_ && detection_ &&
        detection_->isReady())
        submitForInference(*shownFrame_);
}

void VideoView::pollBridgeReturns() {
    if (!glReady_) {
        returnPoll_.stop();
        return;
    }
    // The slots' CL map-back runs behind nothing but other maps: a few ms at most. Polled, so
    // the GUI thread never waits for CL.
    makeCurrent();
    bridge_.pollReturns();
    doneCurrent();
    if (bridge_.returningSlots() == 0) returnPoll_.stop();
}

void VideoView::setBridgeRequest(const BridgeRequest& request) {
    if (glReady_) makeCurrent();
    bridge_.setRequest(request);   // releases the old bridge with the context current
    if (glReady_) doneCurrent();
    haveTexture_ = false;
    // Re-present the shown frame through the new bridge.
    if (shownFrame_ && !pending_) pending_ = shownFrame_;
    update();
}

void VideoView::setHudVisible(bool visible) {
    hudVisible_ = visible;
    update();
}

QColor VideoView::classColor(int classId) {
    // The engine's palette, so the overlay and the burned-in export agree.
    const pipeline::Rgb c = pipeline::classColor(classId);
    return QColor(c.r, c.g, c.b);
}

void VideoView::sampleRates() {
    const auto now = std::chrono::steady_clock::now();
    if (controller_ && controller_->isOpen()) {
        const int64_t decoded = controller_->stats().decodedFrames;
        const double dt = std::chrono::duration<double>(now - lastRateSample_).count();
        if (lastDecoded_ >= 0 && dt > 0 && decoded >= lastDecoded_)
            decodeFps_ = double(decoded - lastDecoded_) / dt;
        lastDecoded_ = decoded;
    } else {
        lastDecoded_ = -1;
        decodeFps_ = 0;
    }
    lastRateSample_ = now;
    while (!displayTimes_.empty() && now - displayTimes_.front() > std::chrono::seconds(2))
        displayTimes_.pop_front();
    if (hudVisible_) update();
}

QString VideoView::displayLatencyMedian() const {
    if (displayLatenciesMs_.empty()) return QStringLiteral("-");
    const size_t n = std::min<size_t>(displayLatenciesMs_.size(), 60);   // the recent frames
    std::vector<double> v(displayLatenciesMs_.end() - ptrdiff_t(n), displayLatenciesMs_.end());
    std::nth_element(v.begin(), v.begin() + ptrdiff_t(n / 2), v.end());
    return QStringLiteral("%1 ms").arg(v[n / 2], 0, 'f', 0);
}

QStringList VideoView::hudLines() const {
    QStringList lines;
    double displayFps = 0;
    if (displayTimes_.size() >= 2) {
        const double s = std::chrono::duration<double>(displayTimes_.back() -
                                                       displayTimes_.front()).count();
        if (s > 0) displayFps = double(displayTimes_.size() - 1) / s;
    }
    lines << QStringLiteral("decode %1 fps   display %2 fps")
                 .arg(decodeFps_, 0, 'f', 1)
                 .arg(displayFps, 0, 'f', 1);
    if (detection_ && detection_->isEnabled()) {
        const auto st = detection_->stats();
        const auto lat = detection_->latencyMedianMs();
        lines << QStringLiteral("inference %1 fps   skipped %2")
                     .arg(detection_->inferenceFps(), 0, 'f', 1)
                     .arg(st.dropped);
        lines << QStringLiteral("decode-to-overlay %1   decode-to-display %2")
                     .arg(lat ? QStringLiteral("%1 ms").arg(*lat, 0, 'f', 0)
                              : QStringLiteral("-"),
                          displayLatencyMedian());
        lines << QStringLiteral("model %1 on %2")
                     .arg(detection_->modelName(),
                          detection_->isLoading()
                              ? QStringLiteral("(loading: %1)")
                                    .arg(detection_->loadStatus().isEmpty()
                                             ? QStringLiteral("kernels")
                                             : detection_->loadStatus())
                              : detection_->deviceName());
        if (detection_->isPreparing()) lines << detection_->preparationStatus();
        if (!detection_->inputPath().isEmpty())
            lines << QStringLiteral("inference input: %1").arg(detection_->inputPath());
    } else {
        lines << QStringLiteral("inference off");
    }
    if (tracks_)
        lines << QStringLiteral("tracking: %1 tracks, recompute %2 ms")
                     .arg(tracks_->analysis().tracks().size())
                     .arg(tracks_->lastRecomputeMs(), 0, 'f', 2);
    if (!bridge_.deviceName().isEmpty())
        lines << QStringLiteral("OpenCL %1").arg(bridge_.deviceName());
    lines << bridge_.summary();
    return lines;
}

VideoView::~VideoView() {
    destroying_ = true;   // no model reload on our own context just to shut down
    // Our own frames may sit in the bridge's slots: drop them first, so the pool drains and the
    // bridge is freed instead of retired (and leaked) with frames still pointing into it.
    pending_.reset();
    shownFrame_.reset();
    cleanupGL();
}

void VideoView::setController(EngineController* controller) {
    if (controller_) disconnect(controller_, nullptr, this, nullptr);
    controller_ = controller;
    // Zero-copy decode: with a `mapped` bridge the decoder writes straight into its slots.
    bridge_.setAllocatorSink([this](std::shared_ptr<media::FrameAllocator> allocator) {
        if (controller_) controller_->setFrameAllocator(std::move(allocator));
    });
    if (!controller_) return;
    connect(controller_, &EngineController::playingChanged, this, &VideoView::onPlayingChanged);
    // While paused (after a seek or a step) the engine says when a frame waits; while playing
    // the pacing timer polls anyway.
    connect(controller_, &EngineController::frameReady, this, [this] {
        if (!paceTimer_.isActive()) takeFrame();
    });
    onPlayingChanged(controller_->isPlaying());
}

void VideoView::onPlayingChanged(bool playing) {
    if (playing)
        paceTimer_.start();
    else
        paceTimer_.stop();
    takeFrame();
}

void VideoView::takeFrame() {
    if (!controller_) return;
    std::optional<media::VideoFrame> frame =
        controller_->takeFrameForDisplay(std::chrono::steady_clock::now());
    if (!frame || !frame->valid()) return;
    // An older pending frame that was never painted is simply replaced: only the newest counts.
    pending_ = std::move(frame);
    update();
}

void VideoView::clear() {
    pending_.reset();
    shownFrame_.reset();
    haveTexture_ = false;
    displayedIndex_ = -1;
    displayedSeconds_ = 0;
    update();
}

QSize VideoView::pictureSize() const {
    if (haveTexture_) return {texWidth_, texHeight_};
    if (pending_) return {pending_->width(), pending_->height()};
    return {};
}

QSizeF VideoView::pictureDisplaySize() const {
    const QSize pic = pictureSize();
    if (pic.isEmpty()) return {};
    const double sar = haveTexture_ ? texSar_
                       : pending_   ? double(pending_->sarNum()) / pending_->sarDen()
                                    : 1.0;
    return {pic.width() * sar, double(pic.height())};
}

QRectF VideoView::fittedRect() const {
    const QSizeF pic = pictureDisplaySize();
    if (pic.isEmpty()) return {};
    const double scale = std::min(width() / double(pic.width()), height() / double(pic.height()));
    const QSizeF size(pic.width() * scale, pic.height() * scale);
    return {QPointF((width() - size.width()) / 2.0, (height() - size.height()) / 2.0), size};
}

QRectF VideoView::videoRect() const {
    const QRectF fit = fittedRect();
    if (fit.isEmpty()) return {};
    const QSizeF size = fit.size() * zoom_;
    return {fit.center() - QPointF(size.width() / 2.0, size.height() / 2.0) + pan_, size};
}

void VideoView::fitToWindow() {
    zoom_ = 1.0;
    pan_ = {};
    update();
}

void VideoView::zoomBy(double factor) { zoomAt(factor, QPointF(width() / 2.0, height() / 2.0)); }

void VideoView::zoomAt(double factor, QPointF anchor) {
    const QRectF r = videoRect();
    if (r.isEmpty()) return;
    const double newZoom = std::clamp(zoom_ * factor, kMinZoom, kMaxZoom);
    // Keep the picture point under the anchor where it is.
    const QPointF u((anchor.x() - r.left()) / r.width(), (anchor.y() - r.top()) / r.height());
    const QRectF fit = fittedRect();
    const QSizeF size = fit.size() * newZoom;
    const QPointF topLeft(anchor.x() - u.x() * size.width(), anchor.y() - u.y() * size.height());
    const QPointF centred = fit.center() - QPointF(size.width() / 2.0, size.height() / 2.0);
    zoom_ = newZoom;
    pan_ = topLeft - centred;
    update();
}

void VideoView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) return;
    zoomAt(std::pow(1.15, steps), event->position());
    event->accept();
}

void VideoView::mousePressEvent(QMouseEvent* event) {
    pressPos_ = event->position();
    if (sceneTool_.press(event, sourceTransform())) return;   // drawing / editing a shape
    if (boxEditor_ && boxEditor_->press(event, sourceTransform())) return;   // a box
    if (event->button() == Qt::LeftButton) {
        dragging_ = true;
        dragStart_ = event->position();
        panAtDragStart_ = pan_;
        setCursor(Qt::ClosedHandCursor);
    }
    QOpenGLWidget::mousePressEvent(event);
}

void VideoView::mouseMoveEvent(QMouseEvent* event) {
    if (sceneTool_.move(event, sourceTransform())) return;
    if (boxEditor_ && boxEditor_->move(event, sourceTransform())) return;
    if (dragging_) {
        pan_ = panAtDragStart_ + (event->position() - dragStart_);
        update();
    }
}

void VideoView::mouseReleaseEvent(QMouseEvent* event) {
    if (sceneTool_.release(event, sourceTransform())) return;
    if (boxEditor_ && boxEditor_->release(event, sourceTransform())) return;
    if (event->button() == Qt::LeftButton && dragging_) {
        dragging_ = false;
        unsetCursor();
        // A click, not a pan: pick the track of the box under the cursor.
        const QPointF d = event->position() - pressPos_;
        if (std::abs(d.x()) + std::abs(d.y()) < 3) pickTrack(event->position());
    }
}

void VideoView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (sceneTool_.doubleClick(event, sourceTransform())) return;   // closes a shape
    if (event->button() == Qt::LeftButton) fitToWindow();
}

// ---- OpenGL ----------------------------------------------------------------------------------

void VideoView::initializeGL() {
    initializeOpenGLFunctions();
    // Free GL objects while the context still exists (Qt hellogl2): the widget may outlive its
    // context (reparenting, fullscreen on some platforms) or die after it.
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VideoView::cleanupGL,
            Qt::UniqueConnection);

    program_ = createYuvProgram("gui/video");
    if (!program_) return;

    createQuad(*this, vao_, vbo_);

    glGenTextures(GLsizei(textures_.size()), textures_.data());
    glGenBuffers(kPboCount, pbos_.data());
    pboSizes_.fill(0);
    haveTexture_ = false;   // a new context has empty textures; the next frame refills them
    texWidth_ = texHeight_ = 0;
    if (!trackOverlay_.init()) sl::logError("gui/video", "trail shader build failed");
    glReady_ = true;
}

void VideoView::cleanupGL() {
    if (!glReady_) return;
    makeCurrent();
    bridge_.reset();
    glDeleteTextures(GLsizei(textures_.size()), textures_.data());
    glDeleteBuffers(kPboCount, pbos_.data());
    textures_.fill(0);
    pbos_.fill(0);
    vbo_.destroy();
    vao_.destroy();
    program_.reset();
    trackOverlay_.cleanup();
    glReady_ = false;
    doneCurrent();
}

void VideoView::resizeGL(int, int) {}

void VideoView::ensureTextures(const media::VideoFrame& frame) {
    std::array<QSize, 3> sizes{};
    for (int i = 0; i < frame.planeCount(); ++i)
        sizes[size_t(i)] = QSize(frame.planeWidth(i), frame.planeHeight(i));
    if (haveTexture_ && sizes == planeSizes_ && frame.format() == texFormat_) return;
    for (int i = 0; i < frame.planeCount(); ++i) {
        // The bridge's table (interop/gl_texture_format.h): one shader for both paths.
        const interop::GlTextureFormat tf = interop::glTextureFormat(frame.format(), i);
        glBindTexture(GL_TEXTURE_2D, textures_[size_t(i)]);
        glTexImage2D(GL_TEXTURE_2D, 0, GLint(tf.internalFormat), sizes[size_t(i)].width(),
                     sizes[size_t(i)].height(), 0, tf.format, tf.type, nullptr);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    }
    glBindTexture(GL_TEXTURE_2D, 0);
    planeSizes_ = sizes;
    texFormat_ = frame.format();
}

bool VideoView::uploadFrame(const media::VideoFrame& frame) {
    const int planes = frame.planeCount();
    std::array<PlaneLayout, 3> layout{};
    size_t total = 0;
    for (int i = 0; i < planes; ++i) {
        PlaneLayout& p = layout[size_t(i)];
        p.width = frame.planeWidth(i);
        p.height = frame.planeHeight(i);
        p.bytesPerTexel = media::planeSampleBytes(frame.format(), i);
        const int stride = frame.stride(i);
        const size_t rowBytes = size_t(p.width) * size_t(p.bytesPerTexel);
        if (p.width <= 0 || p.height <= 0 || !frame.plane(i)) return false;
        // A positive stride that is a whole number of texels is copied as one block and described
        // to GL by GL_UNPACK_ROW_LENGTH; anything else is packed row by row.
        if (stride > 0 && stride % p.bytesPerTexel == 0) {
            p.rowLength = stride / p.bytesPerTexel;
            p.bytes = size_t(stride) * size_t(p.height - 1) + rowBytes;
        } else {
            p.rowLength = p.width;
            p.bytes = rowBytes * size_t(p.height);
        }
        total = (total + kPlaneAlign - 1) / kPlaneAlign * kPlaneAlign;
        p.offset = total;
        total += p.bytes;
    }

    ensureTextures(frame);

    const GLuint pbo = pbos_[size_t(nextPbo_)];
    nextPbo_ = (nextPbo_ + 1) % kPboCount;
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, pbo);
    // Orphan: a fresh store each frame, so mapping never waits for the GPU to finish reading the
    // previous contents of this buffer.
    glBufferData(GL_PIXEL_UNPACK_BUFFER, GLsizeiptr(total), nullptr, GL_STREAM_DRAW);
    auto* dst = static_cast<uint8_t*>(glMapBufferRange(
        GL_PIXEL_UNPACK_BUFFER, 0, GLsizeiptr(total),
        GL_MAP_WRITE_BIT | GL_MAP_INVALIDATE_BUFFER_BIT));
    if (!dst) {
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        sl::logError("gui/video", "glMapBufferRange failed for a frame upload");
        return false;
    }
    for (int i = 0; i < planes; ++i) {
        const PlaneLayout& p = layout[size_t(i)];
        const uint8_t* src = frame.plane(i);
        const int stride = frame.stride(i);
        if (p.rowLength * p.bytesPerTexel == stride) {
            std::memcpy(dst + p.offset, src, p.bytes);
        } else {
            const size_t rowBytes = size_t(p.width) * size_t(p.bytesPerTexel);
            for (int y = 0; y < p.height; ++y)
                std::memcpy(dst + p.offset + size_t(y) * rowBytes,
                            src + ptrdiff_t(y) * stride, rowBytes);
        }
    }
    glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);

    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    for (int i = 0; i < planes; ++i) {
        const PlaneLayout& p = layout[size_t(i)];
        glBindTexture(GL_TEXTURE_2D, textures_[size_t(i)]);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, p.rowLength);
        const interop::GlTextureFormat tf = interop::glTextureFormat(frame.format(), i);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, p.width, p.height, tf.format, tf.type,
                        reinterpret_cast<const void*>(p.offset));
    }
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindTexture(GL_TEXTURE_2D, 0);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);

    texWidth_ = frame.width();
    texHeight_ = frame.height();
    texSar_ = double(frame.sarNum()) / frame.sarDen();
    matrix_ = frame.colorMatrix();
    range_ = frame.colorRange();
    chroma_ = frame.chromaLocation();
    drawTextures_ = textures_;
    haveTexture_ = true;
    return true;
}

void VideoView::presentFrame(const media::VideoFrame& frame) {
    BridgeTextures gl;
    bool ok = false;
    if (bridge_.present(context(), frame, &gl)) {
        for (int i = 0; i < 3; ++i) drawTextures_[size_t(i)] = GLuint(gl.textures[i]);
        texWidth_ = frame.width();
        texHeight_ = frame.height();
        texSar_ = double(frame.sarNum()) / frame.sarDen();
        texFormat_ = frame.format();
        matrix_ = frame.colorMatrix();
        range_ = frame.colorRange();
        chroma_ = frame.chromaLocation();
        haveTexture_ = true;
        ok = true;
    } else if (bridge_.mode() == FrameBridgeHost::Mode::DisplayOnly) {
        ok = uploadFrame(frame);   // the documented no-OpenCL path, named in the HUD
    } else {
        haveTexture_ = false;      // a failed forced strategy shows its message, not a picture
    }
    // Whatever happened, the view now stands on this frame (the message names the failure).
    const bool newFrame = frame.index() != displayedIndex_ || displayedIndex_ < 0;
    displayedIndex_ = frame.index();
    displayedSeconds_ = frame.seconds();
    shownFrame_ = frame;
    if (newFrame) {
        const auto now = std::chrono::steady_clock::now();
        displayTimes_.push_back(now);
        if (frame.decodedAt().time_since_epoch().count() != 0) {
            displayLatenciesMs_.push_back(
                std::chrono::duration<double, std::milli>(now - frame.decodedAt()).count());
            while (displayLatenciesMs_.size() > 2000) displayLatenciesMs_.pop_front();
        }
        overlayPaintedIndex_ = -1;
        if (displayedIndex_ == highlightFrame_) {
            highlightShown_ = true;
        } else if (highlightShown_) {   // moved on from the highlighted frame: forget it
            highlightFrame_ = -1;
            highlightBox_ = -1;
            highlightShown_ = false;
        }
    }
    if (ok && detection_) submitForInference(frame);
    else syncDetectionCompute();
}

void VideoView::drawOverlay() {
    QPainter p(this);
    const QRectF r = videoRect();
    if (bridge_.mode() == FrameBridgeHost::Mode::Failed) {
        p.setPen(QColor(255, 120, 110));
        p.drawText(rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("No picture: %1\n\nChoose another strategy (setting \"bridge\" or "
                      "--bridge=auto).").arg(bridge_.summary()));
    }
    if (haveTexture_) drawTrackOverlay(p);
    if (boxEditor_ && haveTexture_) {
        boxEditor_->setFrame(displayedIndex_);
        boxEditor_->paint(p, sourceTransform());
    }
    std::optional<pipeline::FrameDetections> result;
    if (detection_ && haveTexture_ && displayedIndex_ >= 0)
        result = detection_->resultFor(displayedIndex_);
    if (result && !r.isEmpty() && result->width > 0 && result->height > 0) {
        const double sx = r.width() / result->width, sy = r.height() / result->height;
        QFont font = p.font();
        font.setPixelSize(12);
        p.setFont(font);
        const QFontMetrics fm(font);
        int boxIndex = -1;
        for (const auto& d : result->detections) {
            ++boxIndex;
            const QColor c = classColor(d.classId);
            // Box geometry follows zoom/pan; the pen and the text stay in widget pixels.
            const QRectF box(r.left() + d.box.x1 * sx, r.top() + d.box.y1 * sy,
                             (d.box.x2 - d.box.x1) * sx, (d.box.y2 - d.box.y1) * sy);
            p.setRenderHint(QPainter::Antialiasing, false);
            p.setBrush(Qt::NoBrush);
            if (displayedIndex_ == highlightFrame_ && boxIndex == highlightBox_) {
                // Thick light band with a dark outline on both sides: reads on any video and
                // against every class colour.
                p.setPen(QPen(highlightOutlineColor(), 8));
                p.drawRect(box);
                p.setPen(QPen(highlightColor(), 4));
                p.drawRect(box);
            } else {
                p.setPen(QPen(c, 2));
                p.drawRect(box);
            }
            const int64_t trackId =
                tracks_ ? tracks_->trackOfDetection(displayedIndex_, boxIndex) : 0;
            QString text = QStringLiteral("%1 %2")
                                     .arg(detection_->store().label(d.classId).c_str())
                                     .arg(d.score, 0, 'f', 2);
            if (trackId > 0) text.prepend(QStringLiteral("#%1 ").arg(trackId));
            const QSizeF ts(fm.horizontalAdvance(text) + 6, fm.height() + 2);
            QPointF at(box.left() - 1, box.top() - ts.height());
            if (at.y() < 0) at.setY(box.top());   // no room above: inside the top edge
            const QRectF label(at, ts);
            p.fillRect(label, c);
            p.setPen(c.lightness() > 140 ? Qt::black : Qt::white);
            p.drawText(label, Qt::AlignCenter, text);
        }
        if (overlayPaintedIndex_ != displayedIndex_) {
            overlayPaintedIndex_ = displayedIndex_;
            detection_->notePainted(displayedIndex_);
        }
    }
    sceneTool_.paint(p, sourceTransform());
    if (hudVisible_) {
        QFont font = p.font();
        font.setPixelSize(12);
        font.setFamily(QStringLiteral("monospace"));
        p.setFont(font);
        const QFontMetrics fm(font);
        const QStringList lines = hudLines();
        int w = 0;
        for (const QString& l : lines) w = std::max(w, fm.horizontalAdvance(l));
        const QRect box(8, 8, w + 16, fm.height() * int(lines.size()) + 12);
        p.fillRect(box, QColor(0, 0, 0, 150));
        p.setPen(QColor(230, 230, 230));
        int y = box.top() + 6 + fm.ascent();
        for (const QString& l : lines) {
            p.drawText(box.left() + 8, y, l);
            y += fm.height();
        }
    }
}

void VideoView::paintGL() {
    glClearColor(0.055f, 0.058f, 0.065f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!glReady_ || !program_) return;

    bool newFrame = false;
    if (pending_) {
        const media::VideoFrame frame = std::move(*pending_);
        pending_.reset();
        const int64_t before = displayedIndex_;
        presentFrame(frame);
        newFrame = displayedIndex_ != before || before < 0;
    }
    if (bridge_.generation() != bridgeGeneration_) {
        bridgeGeneration_ = bridge_.generation();
        QMetaObject::invokeMethod(this, &VideoView::bridgeStateChanged, Qt::QueuedConnection);
    }
    if (!haveTexture_) {
        drawOverlay();
        if (newFrame) emit frameDisplayed(displayedIndex_, displayedSeconds_);
        return;
    }

    const QRectF r = videoRect();
    const double w = width(), h = height();
    const float x0 = float(2.0 * r.left() / w - 1.0), x1 = float(2.0 * r.right() / w - 1.0);
    const float y0 = float(1.0 - 2.0 * r.top() / h), y1 = float(1.0 - 2.0 * r.bottom() / h);
    // Triangle strip: top-left, bottom-left, top-right, bottom-right; row 0 of the texture is
    // the top of the picture.
    const float quad[16] = {x0, y0, 0, 0, x0, y1, 0, 1, x1, y0, 1, 0, x1, y1, 1, 1};

    program_->bind();
    setYuvUniforms(*program_, {texFormat_, matrix_, range_, chroma_, texWidth_, texHeight_});
    for (int i = 0; i < 3; ++i) {
        glActiveTexture(GLenum(GL_TEXTURE0 + i));
        glBindTexture(GL_TEXTURE_2D, drawTextures_[size_t(i)]);
    }
    vao_.bind();
    vbo_.bind();
    vbo_.write(0, quad, int(sizeof(quad)));
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    vbo_.release();
    vao_.release();
    for (int i = 2; i >= 0; --i) {
        glActiveTexture(GLenum(GL_TEXTURE0 + i));
        glBindTexture(GL_TEXTURE_2D, 0);
    }
    program_->release();
    drawTrailsGl();
    drawOverlay();

    if (newFrame) emit frameDisplayed(displayedIndex_, displayedSeconds_);
}

}  // namespace sl::gui
