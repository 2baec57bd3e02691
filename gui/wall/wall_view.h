#pragma once
// WallView: the monitoring wall (issue 15): every source of a WallController as a tile of one
// QOpenGLWidget, so all tiles share one GL context, one shader (resources/shaders/yuv.frag, with
// the single view's uniforms: view/yuv_shader.h) and one upload path: each tile's planes go
// straight from the decoded frame into its own textures (glTexSubImage2D with
// GL_UNPACK_ROW_LENGTH), in the frame's native format, only when the tile has a new frame.
//
// Each tile shows its frame with that frame's own boxes and track ids (the controller hands
// frames with their results), the camera's name, a state badge (connecting, live, stalled,
// reconnecting, failed; the reason in the tooltip), and fps in / analysed and the frames the
// device skipped. Layout: automatic (ceil(sqrt(n)) columns) or 1 to 4 columns.
//
// Interaction: double-click a tile: tileActivated (the window opens it in the single view);
// right-click: Open in Single View / Edit Zones and Rules... / Remove; drop URLs or files to add cameras; hover: the
// state's reason and the counts.
//
// Pacing: frames wait in the controller's per-tile jitter buffers until due (their decode time
// plus the tile's display delay); a 5 ms precise timer runs while any is queued and repaints
// when one is due, so each frame is shown at its camera's cadence.
//
// Measured for the bench and tests: GUI-thread time per paint, and decode-to-display latency
// of every frame shown (from VideoFrame::decodedAt to the paint that first showed it).

#include <QOpenGLBuffer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QOpenGLVertexArrayObject>
#include <QOpenGLWidget>
#include <QPointer>
#include <QTimer>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "pipeline/source_pipeline.h"
#include "view/yuv_shader.h"

namespace sl::gui {

class WallController;

class WallView : public QOpenGLWidget, protected QOpenGLExtraFunctions {
    Q_OBJECT
public:
    explicit WallView(QWidget* parent = nullptr);
    ~WallView() override;

    void setController(WallController* controller);
    WallController* controller() const { return controller_; }

    // Tiles in the controller's order, and where each is drawn (widget pixels).
    QStringList tileNames() const;
    QRect tileRect(int index) const;
    QRectF pictureRect(int index) const;   // the picture inside its tile (aspect kept)
    int tileAt(const QPoint& pos) const;   // -1: none
    int columnsInUse() const;

    // Frames a tile has shown (painted at least once), and its latest shown frame's index.
    int64_t shownFrames(const QString& name) const;
    int64_t shownIndex(const QString& name) const;
    // The tracked objects drawn on a tile's shown frame (its own results).
    std::vector<track::TrackedObject> shownObjects(const QString& name) const;
    std::vector<double> paintTimesMs() const { return {paintMs_.begin(), paintMs_.end()}; }
    std::vector<double> displayLatenciesMs() const {
        return {latencyMs_.begin(), latencyMs_.end()};
    }

signals:
    void tileActivated(const QString& name);   // double-click or "Open in Single View"
    void addRequested();                       // "Add Camera..." from the empty wall's menu
    void editSceneRequested(const QString& name);   // "Edit Zones and Rules..." on a tile

protected:
    void initializeGL() override;
    void paintGL() override;
    void resizeGL(int, int) override {}
    bool event(QEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    struct Tile {
        std::array<GLuint, 3> textures{};
        std::array<QSize, 3> planeSizes{};
        bool hasPicture = false;
        YuvPicture picture;
        double sar = 1;
        // What is shown: the boxes and ids of the shown frame.
        std::vector<track::TrackedObject> objects;
        int64_t shownIndex = -1;
        int64_t shown = 0;
    };
    void onFrameReady(const QString& name);
    void syncTiles();
    bool upload(Tile& tile, const media::VideoFrame& frame);
    void drawOverlay();
    void cleanupGL();
    QString tileTooltip(const QString& name) const;

    QPointer<WallController> controller_;
    std::map<QString, Tile> tiles_;
    bool glReady_ = false;
    std::unique_ptr<QOpenGLShaderProgram> program_;
    QOpenGLVertexArrayObject vao_;
    QOpenGLBuffer vbo_{QOpenGLBuffer::VertexBuffer};
    std::vector<uint8_t> packBuffer_;   // rows of a plane whose stride GL cannot describe
    std::deque<double> paintMs_, latencyMs_;
    QTimer pace_;   // while frames wait in the tiles' jitter buffers: repaint when one is due
};

}  // namespace sl::gui
