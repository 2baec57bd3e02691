#pragma once
// VideoView: shows the Player's frames with OpenGL.
//
// Upload: each plane is copied once into a pixel-unpack buffer (a ring of three PBOs, orphaned
// before every fill so the driver never stalls on a buffer the GPU still reads), then
// glTexSubImage2D copies PBO -> texture with GL_UNPACK_ROW_LENGTH set to the plane's stride.
// Every native pixel format is drawn as it is (no squeeze to 4:2:0): its planes are textures of
// the FrameBridge's own table (interop/gl_texture_format.h: R8/R16 planes, RG8/RG16 for NV12 /
// P010, RGB8/RGBA8 for packed RGB), and the fragment shader (resources/shaders/yuv.frag)
// converts to RGB with the frame's matrix, range, bit depth and chroma siting, from the same
// constants as the preprocess kernel (media::yuvToRgb, media::chromaSiteOffset).
//
// Pacing: while playing, a 4 ms precise timer asks the controller for the frame due now and
// repaints only when it changed; while paused, the controller's frameReady signal triggers the
// same take (after a seek or step). The GUI thread never waits on the engine.
//
// Interaction: wheel zooms around the cursor, left-drag pans, double-click or key 0 fits the
// picture to the window again (Ctrl++ / Ctrl+- zoom around the centre, via MainWindow's actions).
//
// Frame bridge (issue 3): frames go through the engine FrameBridge (FrameBridgeHost: acquire slot,
// writeFrame, mapGl) and the shader draws the bridge's textures; the view's own PBO upload is used
// only when there is no OpenCL device at all ("display only", shown in the HUD and status bar).
//
// Overlay (issue 5): after the GL pass a QPainter on this QOpenGLWidget draws the stored boxes of
// the displayed frame (geometry follows zoom/pan, label text stays in widget pixels so it reads
// at any zoom) and the HUD (top-left, key h). A box picked in the detections list (setHighlight)
// is drawn thicker, light with a dark outline, until the view shows another frame.
//
// Tracking (video_view_tracks.cpp): labels carry the track id, trails and the selected track's
// path are GL triangle strips drawn after the video quad (track_overlay.h), the heatmap and the
// scene (zones, lines: scene_tool.h, edited with the mouse in source pixels) are QPainter layers.
//
// Inference input: with a bridge, the presented slot is lent to inference (its CL view goes to
// DetectionController::submitDevice, the detector runs on the bridge's CL context) and handed
// back on this thread when the job completes; otherwise the VideoFrame is submitted (host
// upload). The HUD names which.

#include <QElapsedTimer>
#include <QOpenGLBuffer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QOpenGLVertexArrayObject>
#include <QOpenGLWidget>
#include <QPointF>
#include <QPointer>
#include <QColor>
#include <QImage>
#include <QRectF>
#include <QStringList>
#include <QTimer>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "media/video_frame.h"
#include "review/box_editor.h"
#include "view/frame_bridge_host.h"
#include "view/scene_tool.h"
#include "view/track_overlay.h"

namespace sl::gui {

class DetectionController;
class EngineController;
class TrackController;

class VideoView : public QOpenGLWidget, protected QOpenGLExtraFunctions {
    Q_OBJECT
public:
    explicit VideoView(QWidget* parent = nullptr);
    ~VideoView() override;

    void setController(EngineController* controller);
    void setDetection(DetectionController* detection);

    // Bridge strategy / CL device; takes effect at the next frame (the bridge is rebuilt).
    void setBridgeRequest(const BridgeRequest& request);
    const FrameBridgeHost& bridge() const { return bridge_; }
    // Overlay colour of a class id: pipeline::classColor (one palette with the export).
    static QColor classColor(int classId);

    void setHudVisible(bool visible);
    bool hudVisible() const { return hudVisible_; }
    QStringList hudLines() const;

    // Where the picture is drawn, in widget (device-independent) pixels; empty with no frame.
    // Its aspect is the display aspect ratio: anamorphic video (sample aspect ratio != 1) is
    // stretched to it, and overlay boxes (frame pixel coordinates) scale per axis with it.
    QRectF videoRect() const;
    // The shown picture's size in square pixels (width * SAR x height); empty with no frame.
    QSizeF pictureDisplaySize() const;
    // Highlight one box of a frame (the detections list's row): drawn thicker with a contrasting
    // outline; cleared when the view moves on to another frame after showing it. -1, -1: none.
    void setHighlight(qint64 frameIndex, int boxIndex);
    std::pair<int64_t, int> highlight() const { return {highlightFrame_, highlightBox_}; }
    static QColor highlightColor() { return QColor(255, 255, 255); }
    static QColor highlightOutlineColor() { return QColor(0, 0, 0); }

    // Index of the frame last drawn by paintGL, -1 before the first.
    int64_t displayedFrameIndex() const { return displayedIndex_; }
    double displayedSeconds() const { return displayedSeconds_; }
    double zoom() const { return zoom_; }
    // Decode-to-display latency of the recent painted frames: from the decoder thread's
    // completion (VideoFrame::decodedAt) to the paint that first showed the frame, in ms, oldest
    // first (at most the last 2000).
    std::vector<double> displayLatencySamplesMs() const {
        return {displayLatenciesMs_.begin(), displayLatenciesMs_.end()};
    }

    // Tracking (video_view_tracks.cpp): track ids on the labels, trails and the selected track's
    // path in GL, the heatmap, the scene editor. A click on a box (no tool, no drag) selects its
    // track.
    void setTracks(TrackController* tracks);
    SceneTool* sceneTool() { return &sceneTool_; }
    SourceTransform sourceTransform() const;
    void setTrailsVisible(bool visible);
    bool trailsVisible() const { return trailsVisible_; }
    void setTrailLength(int frames);
    int trailLength() const { return trailLength_; }
    void setHeatmapVisible(bool visible);
    bool heatmapVisible() const { return heatmapVisible_; }
    void setHeatmapOpacity(double opacity);   // 0..1
    double heatmapOpacity() const { return heatmapOpacity_; }
    // The colourised heatmap over every tracked frame (cells, not source pixels); null if none.
    QImage heatmapImage() const;

    // Review layers and box editing (review/box_editor.h): drawn over the video, fed the view's
    // mouse events after the scene tool's.
    void setBoxEditor(BoxEditor* editor);
    BoxEditor* boxEditor() const { return boxEditor_; }

    void clear();                    // forget the current picture (source closed)
    void fitToWindow();
    void zoomBy(double factor);      // around the centre of the widget
    void zoomAt(double factor, QPointF anchor);

signals:
    // Emitted after a new frame has been drawn.
    void frameDisplayed(qint64 index, double seconds);
    // The bridge's mode or strategy changed (see bridge().summary() / details()).
    void bridgeStateChanged();

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
    void presentFrame(const media::VideoFrame& frame);
    // Hands `frame` (just presented) to inference: the bridge slot's CL view when the detector
    // runs on the bridge's context, else the VideoFrame (host upload).
    void submitForInference(const media::VideoFrame& frame);
    // Tells the detection controller which CL context frames live in (or that it is to come).
    void syncDetectionCompute();
    void endInference(InferenceLease lease);   // GUI thread: the slot's CL work is done
    void pollBridgeReturns();                  // returnPoll_: slots whose CL map-back is done
    void drawOverlay();
    void drawTrailsGl();
    void drawTrackOverlay(QPainter& p);
    bool pickTrack(QPointF widgetPos);
    void sampleRates();
    QString displayLatencyMedian() const;   // "123 ms" over the recent frames, or "-"

    QPointer<EngineController> controller_;   // the window may destroy it before the view
    QTimer paceTimer_;
    QTimer returnPoll_;   // runs while the bridge has slots whose map-back is pending

    // The newest frame taken from the engine, not yet uploaded (uploads happen in paintGL, where
    // the context is current).
    std::optional<media::VideoFrame> pending_;
    int64_t displayedIndex_ = -1;
    double displayedSeconds_ = 0;
    bool haveTexture_ = false;

    // Picture geometry and colour of the texture contents.
    int texWidth_ = 0;
    int texHeight_ = 0;
    double texSar_ = 1.0;   // sample aspect ratio of the shown frame (pixel width / height)
    media::PixelFormat texFormat_ = media::PixelFormat::Yuv420p;
    media::ColorMatrix matrix_ = media::ColorMatrix::Bt709;
    media::ColorRange range_ = media::ColorRange::Limited;
    media::ChromaLocation chroma_ = media::ChromaLocation::Left;
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
    // What the shader samples: the bridge's textures, or textures_ on the display-only path.
    std::array<GLuint, 3> drawTextures_{};

    FrameBridgeHost bridge_;
    int bridgeGeneration_ = -1;
    QPointer<DetectionController> detection_;
    int64_t highlightFrame_ = -1;
    int highlightBox_ = -1;
    bool highlightShown_ = false;
    bool destroying_ = false;
    // The frame most recently presented (kept for a paused submit once a model is ready).
    std::optional<media::VideoFrame> shownFrame_;
    bool resubmitWhenReturned_ = false;   // the shown frame was wanted while lent to inference
    int64_t overlayPaintedIndex_ = -1;

    QPointer<TrackController> tracks_;
    QPointer<BoxEditor> boxEditor_;
    SceneTool sceneTool_;
    TrackOverlay trackOverlay_;
    bool trailsVisible_ = true;
    int trailLength_ = 30;
    bool heatmapVisible_ = false;
    double heatmapOpacity_ = 0.6;
    mutable QImage heatmapCache_;
    mutable uint64_t heatmapVersion_ = ~uint64_t(0);
    QPointF pressPos_;

    bool hudVisible_ = false;
    QTimer rateTimer_;
    std::deque<std::chrono::steady_clock::time_point> displayTimes_;
    std::deque<double> displayLatenciesMs_;
    std::chrono::steady_clock::time_point lastRateSample_{};
    int64_t lastDecoded_ = -1;
    double decodeFps_ = 0;
    static constexpr int kPboCount = 3;
    std::array<GLuint, kPboCount> pbos_{};
    std::array<size_t, kPboCount> pboSizes_{};
    int nextPbo_ = 0;
};

}  // namespace sl::gui
