#include "wall/wall_view.h"

#include <QContextMenuEvent>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHelpEvent>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/log.h"
#include "interop/gl_texture_format.h"
#include "pipeline/class_color.h"
#include "wall/wall_controller.h"

static void initWallResources() { Q_INIT_RESOURCE(resources); }

namespace sl::gui {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kSamples = 4000;   // paint times and latencies kept for measurements
constexpr int kGap = 2;             // pixels between tiles

QColor stateColor(media::LiveState s) {
    switch (s) {
    case media::LiveState::Live: return QColor(46, 160, 67);
    case media::LiveState::Connecting: return QColor(80, 120, 200);
    case media::LiveState::Stalled: return QColor(210, 150, 30);
    case media::LiveState::Reconnecting: return QColor(220, 110, 30);
    case media::LiveState::Failed: return QColor(200, 50, 50);
    case media::LiveState::Stopped: return QColor(110, 110, 110);
    }
    return QColor(110, 110, 110);
}

QColor toQColor(int classId) {
    const auto c = pipeline::classColor(classId);
    return QColor(c.r, c.g, c.b);
}

pipeline::SourceStatus statusOf(const QString& name,
                                const std::vector<pipeline::SourceStatus>& all) {
    for (const pipeline::SourceStatus& s : all)
        if (s.name == name.toStdString()) return s;
    pipeline::SourceStatus s;
    s.name = name.toStdString();
    return s;
}

void keep(std::deque<double>& d, double v) {
    d.push_back(v);
    while (d.size() > kSamples) d.pop_front();
}

}  // namespace

WallView::WallView(QWidget* parent) : QOpenGLWidget(parent) {
    initWallResources();
    setMinimumSize(320, 180);
    setAcceptDrops(true);
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    pace_.setTimerType(Qt::PreciseTimer);
    pace_.setInterval(5);
    connect(&pace_, &QTimer::timeout, this, [this] {
        if (!controller_ || !controller_->anyQueued()) {
            pace_.stop();
            return;
        }
        if (controller_->anyDue(Clock::now())) update();
    });
}

WallView::~WallView() { cleanupGL(); }

void WallView::setController(WallController* controller) {
    if (controller_) disconnect(controller_, nullptr, this, nullptr);
    controller_ = controller;
    if (!controller_) return;
    connect(controller_, &WallController::frameReady, this, &WallView::onFrameReady);
    connect(controller_, &WallController::sourcesChanged, this, [this] {
        syncTiles();
        update();
    });
    connect(controller_, &WallController::sourceStateChanged, this, [this] { update(); });
    connect(controller_, &WallController::modelStateChanged, this, [this] { update(); });
    connect(controller_, &WallController::columnsChanged, this, [this] { update(); });
    syncTiles();
}

void WallView::syncTiles() {
    const QStringList names = tileNames();
    std::vector<QString> gone;
    for (const auto& [name, tile] : tiles_)
        if (!names.contains(name)) gone.push_back(name);
    if (!gone.empty() && glReady_) makeCurrent();
    for (const QString& name : gone) {
        if (glReady_) glDeleteTextures(3, tiles_[name].textures.data());
        tiles_.erase(name);
    }
    if (!gone.empty() && glReady_) doneCurrent();
    for (const QString& name : names) tiles_.try_emplace(name);
}

QStringList WallView::tileNames() const {
    return controller_ ? controller_->sources() : QStringList{};
}

int WallView::columnsInUse() const {
    const int n = int(tileNames().size());
    const int fixed = controller_ ? controller_->columns() : 0;
    if (fixed > 0) return fixed;
    return std::max(1, int(std::ceil(std::sqrt(double(std::max(n, 1))))));
}

QRect WallView::tileRect(int index) const {
    const int n = int(tileNames().size());
    if (index < 0 || index >= n) return {};
    const int cols = columnsInUse();
    const int rows = std::max(1, (n + cols - 1) / cols);
    const int w = (width() - kGap * (cols - 1)) / cols;
    const int h = (height() - kGap * (rows - 1)) / rows;
    const int r = index / cols, c = index % cols;
    return QRect(c * (w + kGap), r * (h + kGap), w, h);
}

QRectF WallView::pictureRect(int index) const {
    const QRect t = tileRect(index);
    const QStringList names = tileNames();
    if (t.isEmpty() || index >= names.size()) return {};
    auto it = tiles_.find(names[index]);
    if (it == tiles_.end() || !it->second.hasPicture) return {};
    const Tile& tile = it->second;
    const double aspect = tile.picture.width * tile.sar / std::max(1, tile.picture.height);
    double w = t.width(), h = w / aspect;
    if (h > t.height()) {
        h = t.height();
        w = h * aspect;
    }
    return QRectF(t.left() + (t.width() - w) / 2, t.top() + (t.height() - h) / 2, w, h);
}

int WallView::tileAt(const QPoint& pos) const {
    for (int i = 0; i < int(tileNames().size()); ++i)
        if (tileRect(i).contains(pos)) return i;
    return -1;
}

int64_t WallView::shownFrames(const QString& name) const {
    auto it = tiles_.find(name);
    return it == tiles_.end() ? 0 : it->second.shown;
}

int64_t WallView::shownIndex(const QString& name) const {
    auto it = tiles_.find(name);
    return it == tiles_.end() ? -1 : it->second.shownIndex;
}

std::vector<track::TrackedObject> WallView::shownObjects(const QString& name) const {
    auto it = tiles_.find(name);
    return it == tiles_.end() ? std::vector<track::TrackedObject>{} : it->second.objects;
}

void WallView::onFrameReady(const QString& name) {
    if (!controller_) return;
    if (tiles_.find(name) == tiles_.end()) return;
    // The frame waits in the tile's jitter buffer until it is due: the pacing timer repaints
    // then (Qt coalesces the tiles due at once into one paint).
    if (!pace_.isActive()) pace_.start();
}

// ---- OpenGL ----------------------------------------------------------------------------------

void WallView::initializeGL() {
    initializeOpenGLFunctions();
    connect(context(), &QOpenGLContext::aboutToBeDestroyed, this, &WallView::cleanupGL,
            Qt::UniqueConnection);
    program_ = createYuvProgram("gui/wall");
    if (!program_) return;
    createQuad(*this, vao_, vbo_);
    // A new context has no textures: every tile is uploaded again from its next frame.
    for (auto& [name, tile] : tiles_) {
        tile.textures = {};
        tile.hasPicture = false;
    }
    glReady_ = true;
}

void WallView::cleanupGL() {
    if (!glReady_) return;
    makeCurrent();
    for (auto& [name, tile] : tiles_) {
        glDeleteTextures(3, tile.textures.data());
        tile.textures = {};
        tile.hasPicture = false;
    }
    vbo_.destroy();
    vao_.destroy();
    program_.reset();
    glReady_ = false;
    doneCurrent();
}

bool WallView::upload(Tile& tile, const media::VideoFrame& frame) {
    const int planes = frame.planeCount();
    if (planes <= 0) return false;
    if (tile.textures[0] == 0) glGenTextures(3, tile.textures.data());
    std::array<QSize, 3> sizes{};
    for (int i = 0; i < planes; ++i)
        sizes[size_t(i)] = QSize(frame.planeWidth(i), frame.planeHeight(i));
    if (!tile.hasPicture || sizes != tile.planeSizes || frame.format() != tile.picture.format) {
        for (int i = 0; i < planes; ++i) {
            // The bridge's table (interop/gl_texture_format.h): the same textures as the
            // single view, so one shader draws both.
            const interop::GlTextureFormat tf = interop::glTextureFormat(frame.format(), i);
            glBindTexture(GL_TEXTURE_2D, tile.textures[size_t(i)]);
            glTexImage2D(GL_TEXTURE_2D, 0, GLint(tf.internalFormat), sizes[size_t(i)].width(),
                         sizes[size_t(i)].height(), 0, tf.format, tf.type, nullptr);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        }
        tile.planeSizes = sizes;
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    for (int i = 0; i < planes; ++i) {
        const int w = frame.planeWidth(i), h = frame.planeHeight(i);
        const int texel = media::planeSampleBytes(frame.format(), i);
        const int stride = frame.stride(i);
        const uint8_t* src = frame.plane(i);
        if (!src || w <= 0 || h <= 0) return false;
        const interop::GlTextureFormat tf = interop::glTextureFormat(frame.format(), i);
        glBindTexture(GL_TEXTURE_2D, tile.textures[size_t(i)]);
        if (stride > 0 && stride % texel == 0) {
            glPixelStorei(GL_UNPACK_ROW_LENGTH, stride / texel);
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, tf.format, tf.type, src);
        } else {
            // A stride GL cannot describe (negative, or not whole texels): packed row by row.
            const size_t row = size_t(w) * size_t(texel);
            packBuffer_.resize(row * size_t(h));
            for (int y = 0; y < h; ++y)
                std::memcpy(packBuffer_.data() + size_t(y) * row, src + ptrdiff_t(y) * stride, row);
            glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, tf.format, tf.type, packBuffer_.data());
        }
    }
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindTexture(GL_TEXTURE_2D, 0);
    tile.picture = {frame.format(), frame.colorMatrix(), frame.colorRange(),
                    frame.chromaLocation(), frame.width(), frame.height()};
    tile.sar = frame.sarDen() > 0 && frame.sarNum() > 0 ? double(frame.sarNum()) / frame.sarDen()
                                                         : 1.0;
    tile.hasPicture = true;
    return true;
}

void WallView::paintGL() {
    QElapsedTimer timer;
    timer.start();
    glClearColor(0.055f, 0.058f, 0.065f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!glReady_ || !program_) return;
    const QStringList names = tileNames();
    const auto now = Clock::now();
    program_->bind();
    vao_.bind();
    vbo_.bind();
    const double W = width(), H = height();
    for (int i = 0; i < names.size(); ++i) {
        auto it = tiles_.find(names[i]);
        if (it == tiles_.end()) continue;
        Tile& tile = it->second;
        if (auto taken = controller_ ? controller_->take(names[i], now) : std::nullopt) {
            pipeline::SourceFrameResult r = std::move(*taken);
            if (r.frame.valid() && upload(tile, r.frame)) {
                ++tile.shown;
                tile.shownIndex = r.frameIndex;
                tile.objects = std::move(r.objects);
                if (r.frame.decodedAt() != Clock::time_point{})
                    keep(latencyMs_,
                         std::chrono::duration<double, std::milli>(now - r.frame.decodedAt())
                             .count());
            }
        }
        if (!tile.hasPicture) continue;
        const QRectF p = pictureRect(i);
        const float x0 = float(2.0 * p.left() / W - 1.0), x1 = float(2.0 * p.right() / W - 1.0);
        const float y0 = float(1.0 - 2.0 * p.top() / H), y1 = float(1.0 - 2.0 * p.bottom() / H);
        const float quad[16] = {x0, y0, 0, 0, x0, y1, 0, 1, x1, y0, 1, 0, x1, y1, 1, 1};
        setYuvUniforms(*program_, tile.picture);
        for (int t = 0; t < 3; ++t) {
            glActiveTexture(GLenum(GL_TEXTURE0 + t));
            glBindTexture(GL_TEXTURE_2D, tile.textures[size_t(t)]);
        }
        vbo_.write(0, quad, int(sizeof(quad)));
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    }
    for (int t = 2; t >= 0; --t) {
        glActiveTexture(GLenum(GL_TEXTURE0 + t));
        glBindTexture(GL_TEXTURE_2D, 0);
    }
    vbo_.release();
    vao_.release();
    program_->release();
    drawOverlay();
    keep(paintMs_, double(timer.nsecsElapsed()) / 1e6);
}

void WallView::drawOverlay() {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QStringList names = tileNames();
    QFont font = p.font();
    font.setPointSizeF(std::max(7.0, font.pointSizeF() * 0.9));
    p.setFont(font);
    const QFontMetrics fm(font);
    if (names.isEmpty()) {
        p.setPen(QColor(200, 200, 200));
        p.drawText(rect(), Qt::AlignCenter,
                   tr("No cameras on the wall.\nAdd Camera... (Ctrl+Shift+A), or drop a URL or a "
                      "video file here."));
        return;
    }
    const auto labels = controller_ ? controller_->labels() : std::vector<std::string>{};
    // One status read per paint for every tile (each builds latency percentiles).
    const std::vector<pipeline::SourceStatus> statuses =
        controller_ ? controller_->statuses() : std::vector<pipeline::SourceStatus>{};
    for (int i = 0; i < names.size(); ++i) {
        const QRect t = tileRect(i);
        const Tile& tile = tiles_[names[i]];
        p.setPen(QColor(40, 42, 46));
        p.drawRect(t.adjusted(0, 0, -1, -1));
        // Zones and lines of the camera's scene, then the boxes of the shown frame, all in its
        // pixel coordinates scaled into the picture rect.
        const QRectF pr = pictureRect(i);
        if (tile.hasPicture && pr.width() > 0 && controller_)
            if (const auto scene = controller_->scene(names[i])) {
                const double sx = pr.width() / tile.picture.width;
                const double sy = pr.height() / tile.picture.height;
                const auto map = [&](const analytics::Point& q) {
                    return QPointF(pr.left() + q.x * sx, pr.top() + q.y * sy);
                };
                for (const analytics::Zone& z : scene->zones) {
                    QPolygonF poly;
                    for (const analytics::Point& q : z.polygon) poly << map(q);
                    QColor c(QString::fromStdString(z.color));
                    p.setPen(QPen(c, 2));
                    c.setAlpha(40);
                    p.setBrush(c);
                    p.drawPolygon(poly);
                }
                p.setBrush(Qt::NoBrush);
                for (const analytics::Line& l : scene->lines) {
                    p.setPen(QPen(QColor(QString::fromStdString(l.color)), 2, Qt::DashLine));
                    p.drawLine(map(l.a), map(l.b));
                }
            }
        if (tile.hasPicture && pr.width() > 0) {
            const double sx = pr.width() / tile.picture.width;
            const double sy = pr.height() / tile.picture.height;
            for (const track::TrackedObject& o : tile.objects) {
                const QRectF b(pr.left() + o.box.x1 * sx, pr.top() + o.box.y1 * sy,
                               (o.box.x2 - o.box.x1) * sx, (o.box.y2 - o.box.y1) * sy);
                const QColor c = toQColor(o.classId);
                p.setPen(QPen(c, 2));
                p.setBrush(Qt::NoBrush);
                p.drawRect(b);
                const QString label =
                    (o.classId >= 0 && size_t(o.classId) < labels.size()
                         ? QString::fromStdString(labels[size_t(o.classId)])
                         : QString::number(o.classId)) +
                    QStringLiteral(" #%1").arg(o.trackId);
                const QRect lr(int(b.left()), int(b.top()) - fm.height(),
                               fm.horizontalAdvance(label) + 6, fm.height());
                p.fillRect(lr, c);
                p.setPen(Qt::black);
                p.drawText(lr.adjusted(3, 0, 0, 0), Qt::AlignVCenter, label);
            }
        }
        // Name, state badge and counts along the tile's top.
        const pipeline::SourceStatus s = statusOf(names[i], statuses);
        const QString state = QString::fromLatin1(media::liveStateName(s.live.state));
        const QString head = names[i];
        const QString counts = QStringLiteral("%1 / %2 fps  skipped %3")
                                   .arg(s.inFps, 0, 'f', 1)
                                   .arg(s.analysedFps, 0, 'f', 1)
                                   .arg(s.skipped);
        const int bh = fm.height() + 4;
        const QRect bar(t.left(), t.top(), t.width(), bh);
        p.fillRect(bar, QColor(0, 0, 0, 150));
        const int sw = fm.horizontalAdvance(state) + 10;
        const QRect badge(bar.left() + 4, bar.top() + 2, sw, bh - 4);
        p.fillRect(badge, stateColor(s.live.state));
        p.setPen(Qt::white);
        p.drawText(badge, Qt::AlignCenter, state);
        p.drawText(bar.adjusted(sw + 10, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft, head);
        p.drawText(bar.adjusted(0, 0, -6, 0), Qt::AlignVCenter | Qt::AlignRight, counts);
        if (!tile.hasPicture) {
            QString why = QString::fromStdString(s.live.reason);
            if (controller_ && !controller_->isReady()) why = controller_->modelStatus();
            p.setPen(QColor(190, 190, 190));
            p.drawText(t.adjusted(8, bh, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, why);
        }
    }
}

// ---- interaction -----------------------------------------------------------------------------

QString WallView::tileTooltip(const QString& name) const {
    if (!controller_) return {};
    const pipeline::SourceStatus s = controller_->status(name);
    const WallTileCounts c = controller_->counts(name);
    return tr("%1\n%2\n%3: %4\nframes %5, detected %6, skipped %7, dropped %8\n"
              "latency p50 %9 ms, p95 %10 ms\nshown %11, not shown %12")
        .arg(name, controller_->urlOf(name),
             QString::fromLatin1(media::liveStateName(s.live.state)),
             QString::fromStdString(s.live.reason))
        .arg(s.frames)
        .arg(s.detected)
        .arg(s.skipped)
        .arg(s.dropped)
        .arg(s.latencyP50Ms, 0, 'f', 0)
        .arg(s.latencyP95Ms, 0, 'f', 0)
        .arg(shownFrames(name))
        .arg(c.replaced);
}

bool WallView::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        auto* he = static_cast<QHelpEvent*>(e);
        const int i = tileAt(he->pos());
        if (i >= 0) QToolTip::showText(he->globalPos(), tileTooltip(tileNames()[i]), this);
        else QToolTip::hideText();
        return true;
    }
    return QOpenGLWidget::event(e);
}

void WallView::mouseDoubleClickEvent(QMouseEvent* e) {
    const int i = tileAt(e->position().toPoint());
    if (i >= 0) emit tileActivated(tileNames()[i]);
}

void WallView::contextMenuEvent(QContextMenuEvent* e) {
    QMenu menu(this);
    const int i = tileAt(e->pos());
    if (i >= 0) {
        const QString name = tileNames()[i];
        menu.addAction(tr("Open in Single View"), this, [this, name] { emit tileActivated(name); });
        menu.addAction(tr("Edit Zones and Rules..."), this,
                       [this, name] { emit editSceneRequested(name); });
        menu.addAction(tr("Remove %1").arg(name), this, [this, name] {
            if (controller_) controller_->removeSource(name);
        });
        menu.addSeparator();
    }
    menu.addAction(tr("Add Camera..."), this, [this] { emit addRequested(); });
    menu.exec(e->globalPos());
}

void WallView::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls() || e->mimeData()->hasText()) e->acceptProposedAction();
}

void WallView::dropEvent(QDropEvent* e) {
    if (!controller_) return;
    QStringList inputs;
    if (e->mimeData()->hasUrls()) {
        for (const QUrl& u : e->mimeData()->urls())
            inputs << (u.isLocalFile() ? u.toLocalFile() : u.toString());
    } else {
        for (const QString& line : e->mimeData()->text().split(QLatin1Char('\n')))
            if (!line.trimmed().isEmpty()) inputs << line.trimmed();
    }
    for (const QString& in : inputs) {
        const auto r = controller_->addSource(in);
        if (!r.ok) emit controller_->errorOccurred(r.nameOrError);
    }
    e->acceptProposedAction();
}

}  // namespace sl::gui
