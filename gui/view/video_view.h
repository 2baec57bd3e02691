#pragma once
// VideoView: shows the Player's frames with OpenGL.
//
// Upload: each plane is copied once into a pixel-unpack buffer (a ring of three PBOs, orphaned
// before every fill so the driver never stalls on a buffer the GPU still reads), then
// glTexSubImage2D copies PBO -> texture with GL_UNPACK_ROW_LENGTH set to the plane's stride.
// yuv420p uses three R8 textures, nv12 an R8 and an RG8; the fragment shader converts to RGB with
// the frame's matrix (BT.601/709) and range (limited/full).
//
// Pacing: while playing, a 4 ms precise timer asks the controller for the frame due now and
// repaints only when it changed; while paused, the controller's frameReady signal triggers the
// same take (after a seek or step). The GUI thread never waits on the engine.
//
// Interaction: wheel zooms around the cursor, left-drag pans, double-click or key 0 fits the
// picture to the window again (Ctrl++ / Ctrl+- zoom around the centre, via MainWindow's actions).

#include <QElapsedTimer>
#include <QOpenGLBuffer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QOpenGLVertexArrayObject>
#include <QOpenGLWidget>
#include <QPointF>
#include <QRectF>
#include <QTimer>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "media/video_frame.h"

namespace sl::gui {

class EngineController;

class VideoView : public QOpenGLWidget, protected QOpenGLExtraFunctions {
    Q_OBJECT
public:
    explicit VideoView(QWidget* parent = nullptr);
    ~VideoView() override;

    void setController(EngineController* controller);

    // Where the picture is drawn, in widget (device-independent) pixels; empty with no frame.
    QRectF videoRect() const;
    // Index of the frame last drawn by paintGL, -1 before the first.
    int64_t displayedFrameIndex() const { return displayedIndex_; }
    double displayedSeconds() const { return displayedSeconds_; }
    double zoom() const { return zoom_; }

    void clear();                    // forget the current picture (source closed)
    void fitToWindow();
    void zoomBy(double factor);      // around the centre of the widget
    void zoomAt(double factor, QPointF anchor);

signals:
    // Emitted after a new frame has been drawn.
    void frameDisplayed(qint64 index, double seconds);

protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    void onPlayingChanged(bool playing);
    void takeFrame();
    void cleanupGL();
    bool uploadFrame(const media::VideoFrame& frame);
    void ensureTextures(const media::VideoFrame& frame);
    QRectF fittedRect() const;
    QSize pictureSize() const;

    EngineController* controller_ = nullptr;
    QTimer paceTimer_;

    // The newest frame taken from the engine, not yet uploaded (uploads happen in paintGL, where
    // the context is current).
    std::optional<media::VideoFrame> pending_;
    int64_t displayedIndex_ = -1;
    double displayedSeconds_ = 0;
    bool haveTexture_ = false;

    // Picture geometry and colour of the texture contents.
    int texWidth_ = 0;
    int texHeight_ = 0;
    media::PixelFormat texFormat_ = media::PixelFormat::Yuv420p;
    media::ColorMatrix matrix_ = media::ColorMatrix::Bt709;
    media::ColorRange range_ = media::ColorRange::Limited;
    std::array<QSize, 3> planeSizes_{};

    // View transform: zoom 1 = fit; pan in widget pixels, relative to the centred position.
    double zoom_ = 1.0;
    QPointF pan_;
    bool dragging_ = false;
    QPointF dragStart_;
    QPointF panAtDragStart_;

    // GL objects (valid between initializeGL and cleanupGL).
    bool glReady_ = false;
    std::unique_ptr<QOpenGLShaderProgram> program_;
    QOpenGLVertexArrayObject vao_;
    QOpenGLBuffer vbo_{QOpenGLBuffer::VertexBuffer};
    std::array<GLuint, 3> textures_{};
    static constexpr int kPboCount = 3;
    std::array<GLuint, kPboCount> pbos_{};
    std::array<size_t, kPboCount> pboSizes_{};
    int nextPbo_ = 0;
};

}  // namespace sl::gui
