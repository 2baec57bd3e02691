#include "view/video_view.h"

#include <QMouseEvent>
#include <QOpenGLContext>
#include <QWheelEvent>

#include <QGenericMatrix>
#include <QVector3D>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "controller/engine_controller.h"
#include "core/log.h"

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
    int bytesPerTexel = 1;  // R8 = 1, RG8 = 2
    int rowLength = 0;      // texels per row in the PBO (GL_UNPACK_ROW_LENGTH)
    size_t offset = 0;      // in the PBO
    size_t bytes = 0;
};

int bytesPerTexel(media::PixelFormat format, int plane) {
    return (format == media::PixelFormat::Nv12 && plane == 1) ? 2 : 1;
}

// Row-major 3x3 that maps (Y, Cb, Cr) - offset to RGB, folding in the range expansion.
QMatrix3x3 yuvMatrix(media::ColorMatrix matrix, media::ColorRange range) {
    const double kr = matrix == media::ColorMatrix::Bt709 ? 0.2126 : 0.299;
    const double kb = matrix == media::ColorMatrix::Bt709 ? 0.0722 : 0.114;
    const double kg = 1.0 - kr - kb;
    const bool limited = range == media::ColorRange::Limited;
    const double ys = limited ? 255.0 / 219.0 : 1.0;
    const double cs = limited ? 255.0 / 224.0 : 1.0;
    const float m[9] = {
        float(ys), 0.0f, float(cs * 2.0 * (1.0 - kr)),
        float(ys), float(-cs * 2.0 * kb * (1.0 - kb) / kg), float(-cs * 2.0 * kr * (1.0 - kr) / kg),
        float(ys), float(cs * 2.0 * (1.0 - kb)), 0.0f,
    };
    return QMatrix3x3(m);
}

QVector3D yuvOffset(media::ColorRange range) {
    const float y = range == media::ColorRange::Limited ? 16.0f / 255.0f : 0.0f;
    return {y, 128.0f / 255.0f, 128.0f / 255.0f};
}

}  // namespace

VideoView::VideoView(QWidget* parent) : QOpenGLWidget(parent) {
    initSightlineResources();
    setMinimumSize(160, 90);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    paceTimer_.setTimerType(Qt::PreciseTimer);
    paceTimer_.setInterval(4);
    connect(&paceTimer_, &QTimer::timeout, this, &VideoView::takeFrame);
}

VideoView::~VideoView() { cleanupGL(); }

void VideoView::setController(EngineController* controller) {
    if (controller_) disconnect(controller_, nullptr, this, nullptr);
    controller_ = controller;
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

QRectF VideoView::fittedRect() const {
    const QSize pic = pictureSize();
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
    if (event->button() == Qt::LeftButton) {
        dragging_ = true;
        dragStart_ = event->position();
        panAtDragStart_ = pan_;
        setCursor(Qt::ClosedHandCursor);
    }
    QOpenGLWidget::mousePressEvent(event);
}

void VideoView::mouseMoveEvent(QMouseEvent* event) {
    if (dragging_) {
        pan_ = panAtDragStart_ + (event->position() - dragStart_);
        update();
    }
}

void VideoView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && dragging_) {
        dragging_ = false;
        unsetCursor();
    }
}

void VideoView::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) fitToWindow();
}

// ---- OpenGL ----------------------------------------------------------------------------------

void VideoView::initializeGL() {
    initializeOpenGLFunctions();
    // Free GL objects while the context still exists (Qt hellogl2): the widget may outlive its
    // context (reparenting, fullscreen on some platforms) or die after it.
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &VideoView::cleanupGL,
            Qt::UniqueConnection);

    program_ = std::make_unique<QOpenGLShaderProgram>();
    const bool ok =
        program_->addShaderFromSourceFile(QOpenGLShader::Vertex, ":/sightline/shaders/video.vert") &&
        program_->addShaderFromSourceFile(QOpenGLShader::Fragment, ":/sightline/shaders/yuv.frag") &&
        program_->link();
    if (!ok) {
        sl::logError("gui/video", "shader build failed: " + program_->log().toStdString());
        program_.reset();
        return;
    }
    program_->bind();
    program_->setUniformValue("planeY", 0);
    program_->setUniformValue("planeU", 1);
    program_->setUniformValue("planeV", 2);
    program_->release();

    vao_.create();
    vao_.bind();
    vbo_.create();
    vbo_.setUsagePattern(QOpenGLBuffer::DynamicDraw);
    vbo_.bind();
    vbo_.allocate(int(16 * sizeof(float)));
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float), nullptr);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(float),
                          reinterpret_cast<const void*>(2 * sizeof(float)));
    vbo_.release();
    vao_.release();

    glGenTextures(GLsizei(textures_.size()), textures_.data());
    glGenBuffers(kPboCount, pbos_.data());
    pboSizes_.fill(0);
    haveTexture_ = false;   // a new context has empty textures; the next frame refills them
    texWidth_ = texHeight_ = 0;
    glReady_ = true;
}

void VideoView::cleanupGL() {
    if (!glReady_) return;
    makeCurrent();
    glDeleteTextures(GLsizei(textures_.size()), textures_.data());
    glDeleteBuffers(kPboCount, pbos_.data());
    textures_.fill(0);
    pbos_.fill(0);
    vbo_.destroy();
    vao_.destroy();
    program_.reset();
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
        const bool rg = bytesPerTexel(frame.format(), i) == 2;
        glBindTexture(GL_TEXTURE_2D, textures_[size_t(i)]);
        glTexImage2D(GL_TEXTURE_2D, 0, rg ? GL_RG8 : GL_R8, sizes[size_t(i)].width(),
                     sizes[size_t(i)].height(), 0, rg ? GL_RG : GL_RED, GL_UNSIGNED_BYTE, nullptr);
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
        p.bytesPerTexel = bytesPerTexel(frame.format(), i);
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
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, p.width, p.height,
                        p.bytesPerTexel == 2 ? GL_RG : GL_RED, GL_UNSIGNED_BYTE,
                        reinterpret_cast<const void*>(p.offset));
    }
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindTexture(GL_TEXTURE_2D, 0);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);

    texWidth_ = frame.width();
    texHeight_ = frame.height();
    matrix_ = frame.colorMatrix();
    range_ = frame.colorRange();
    haveTexture_ = true;
    return true;
}

void VideoView::paintGL() {
    glClearColor(0.055f, 0.058f, 0.065f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!glReady_ || !program_) return;

    bool newFrame = false;
    if (pending_) {
        const media::VideoFrame frame = std::move(*pending_);
        pending_.reset();
        if (uploadFrame(frame)) {
            newFrame = frame.index() != displayedIndex_ || displayedIndex_ < 0;
            displayedIndex_ = frame.index();
            displayedSeconds_ = frame.seconds();
        }
    }
    if (!haveTexture_) return;

    const QRectF r = videoRect();
    const double w = width(), h = height();
    const float x0 = float(2.0 * r.left() / w - 1.0), x1 = float(2.0 * r.right() / w - 1.0);
    const float y0 = float(1.0 - 2.0 * r.top() / h), y1 = float(1.0 - 2.0 * r.bottom() / h);
    // Triangle strip: top-left, bottom-left, top-right, bottom-right; row 0 of the texture is
    // the top of the picture.
    const float quad[16] = {x0, y0, 0, 0, x0, y1, 0, 1, x1, y0, 1, 0, x1, y1, 1, 1};

    program_->bind();
    program_->setUniformValue("nv12", texFormat_ == media::PixelFormat::Nv12);
    program_->setUniformValue("yuvToRgb", yuvMatrix(matrix_, range_));
    program_->setUniformValue("yuvOffset", yuvOffset(range_));
    for (int i = 0; i < 3; ++i) {
        glActiveTexture(GLenum(GL_TEXTURE0 + i));
        glBindTexture(GL_TEXTURE_2D, textures_[size_t(i)]);
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

    if (newFrame) emit frameDisplayed(displayedIndex_, displayedSeconds_);
}

}  // namespace sl::gui
