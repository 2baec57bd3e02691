#include "app/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QCryptographicHash>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "controller/detection_controller.h"
#include "controller/project_controller.h"
#include "controller/review_controller.h"
#include "controller/track_controller.h"
#include "dialogs/open_url_dialog.h"
#include "dialogs/shortcuts_dialog.h"
#include "panels/workstation_tools.h"
#include "review/propagation.h"
#include "view/video_view.h"
#include "widgets/detection_dock.h"
#include "widgets/error_banner.h"
#include "widgets/icons.h"
#include "widgets/transport_bar.h"

namespace sl::gui {
namespace {

const char* const kRecentKey = "recentFiles";
const char* const kGeometryKey = "window/geometry";
const char* const kStateKey = "window/state";

QString displayName(const QString& url) {
    const QUrl u(url);
    if (u.isValid() && !u.scheme().isEmpty() && u.scheme().size() > 1 && !u.isLocalFile())
        return url;   // network URLs are shown whole: the host matters
    return QFileInfo(url).fileName().isEmpty() ? url : QFileInfo(url).fileName();
}

QString shortcutHint(const QAction* a) {
    QStringList keys;
    for (const QKeySequence& k : a->shortcuts()) keys << k.toString(QKeySequence::NativeText);
    return keys.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(keys.join(QStringLiteral(", ")));
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(QStringLiteral("Sightline"));
    setAcceptDrops(true);
    resize(1280, 800);

    controller_ = new EngineController(this);

    // The error banner above a stack of two pages: the single view (video + transport) and the
    // monitoring wall.
    auto* central = new QWidget(this);
    central->setObjectName(QStringLiteral("videoArea"));
    central->setStyleSheet(QStringLiteral("#videoArea { background: #0e0f11; }"));
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    banner_ = new ErrorBanner(central);
    layout->addWidget(banner_);
    stack_ = new QStackedWidget(central);
    layout->addWidget(stack_, 1);
    singlePage_ = new QWidget(stack_);
    auto* single = new QVBoxLayout(singlePage_);
    single->setContentsMargins(0, 0, 0, 0);
    single->setSpacing(0);
    view_ = new VideoView(singlePage_);
    view_->setController(controller_);
    single->addWidget(view_, 1);

    createActions();
    TransportBar::Actions ta{playPause_, stepBack_, stepForward_, back10_, back1_, forward1_,
                             forward10_};
    transport_ = new TransportBar(ta, singlePage_);
    single->addWidget(transport_);
    stack_->addWidget(singlePage_);
    setCentralWidget(central);

    createMenus();
    createStatusBar();
    tools_ = new WorkstationTools(this, controller_, view_, controller_->results());
    createDetection();
    createTracking();
    createProject();
    createProjectFiles();
    createWall();
    createReview();
    createEditing();
    createTimeline();

    connect(controller_, &EngineController::opened, this, &MainWindow::onOpened);
    connect(controller_, &EngineController::failed, this, &MainWindow::onFailed);
    connect(controller_, &EngineController::playingChanged, this, &MainWindow::onPlayingChanged);
    connect(view_, &VideoView::frameDisplayed, this, &MainWindow::onFrameDisplayed);
    connect(transport_, &TransportBar::seekRequested, this,
            [this](qint64 index) { controller_->seekToIndex(index); });
    connect(transport_, &TransportBar::speedRequested, this, &MainWindow::setSpeed);

    statusTimer_.setInterval(250);
    connect(&statusTimer_, &QTimer::timeout, this, &MainWindow::refreshStatus);
    statusTimer_.start();

    QSettings settings;
    restoreGeometry(settings.value(QLatin1String(kGeometryKey)).toByteArray());
    restoreState(settings.value(QLatin1String(kStateKey)).toByteArray());
    onPlayingChanged(false);
    refreshStatus();
    view_->setFocus();
}

MainWindow::~MainWindow() {
    delete tools_;   // joins its analysis / export threads while everything they use is alive
    tracks_->setSceneSink({});
    delete review_;    // waits for its edits in flight (they land)
    delete project_;   // waits for its job in flight (a save rolls back)
}

// ---- actions and menus -----------------------------------------------------------------------

QAction* MainWindow::makeAction(const QString& text, const QList<QKeySequence>& keys,
                                std::function<void()> fn) {
    auto* a = new QAction(text, this);
    a->setShortcuts(keys);
    // Window-wide: keys work whatever child has focus, and in full screen with the menus hidden.
    a->setShortcutContext(Qt::WindowShortcut);
    a->setToolTip(a->text().remove(QLatin1Char('&')) + shortcutHint(a));
    connect(a, &QAction::triggered, this, std::move(fn));
    addAction(a);
    actions_ << a;
    return a;
}

QAction* MainWindow::makeAction(const QString& text, const QList<QKeySequence>& keys,
                                void (MainWindow::*slot)()) {
    return makeAction(text, keys, [this, slot] { (this->*slot)(); });
}

void MainWindow::createActions() {
    EngineController* c = controller_;
    playPause_ = makeAction(tr("Play/Pause"), {Qt::Key_Space}, [c] { c->togglePause(); });
    stepForward_ = makeAction(tr("Step Forward One Frame"), {Qt::Key_Period}, [c] { c->step(1); });
    stepBack_ = makeAction(tr("Step Back One Frame"), {Qt::Key_Comma}, [c] { c->step(-1); });
    back1_ = makeAction(tr("Back 1 s"), {Qt::Key_Left}, [c] { c->seekRelativeSeconds(-1); });
    forward1_ = makeAction(tr("Forward 1 s"), {Qt::Key_Right}, [c] { c->seekRelativeSeconds(1); });
    back10_ = makeAction(tr("Back 10 s"), {Qt::Key_Down, Qt::SHIFT | Qt::Key_Left},
                         [c] { c->seekRelativeSeconds(-10); });
    forward10_ = makeAction(tr("Forward 10 s"), {Qt::Key_Up, Qt::SHIFT | Qt::Key_Right},
                            [c] { c->seekRelativeSeconds(10); });
    stepBack_->setIcon(transportIcon(TransportIcon::StepBack));
    stepForward_->setIcon(transportIcon(TransportIcon::StepForward));
    back10_->setIcon(transportIcon(TransportIcon::SkipBack));
    forward10_->setIcon(transportIcon(TransportIcon::SkipForward));
    back1_->setIconText(QStringLiteral("-1s"));
    forward1_->setIconText(QStringLiteral("+1s"));

    makeAction(tr("Slower"), {Qt::Key_BracketLeft}, [this] { changeSpeed(-1); });
    makeAction(tr("Faster"), {Qt::Key_BracketRight}, [this] { changeSpeed(+1); });
    makeAction(tr("Normal Speed"), {Qt::Key_Backspace}, [this] { setSpeed(1.0); });
    makeAction(tr("First Frame"), {Qt::Key_Home}, &MainWindow::seekFirst);
    makeAction(tr("Last Frame"), {Qt::Key_End}, &MainWindow::seekLast);

    makeAction(tr("&Open File..."), {QKeySequence::Open}, &MainWindow::openFileDialog);
    makeAction(tr("Open &URL..."), {Qt::CTRL | Qt::Key_U}, &MainWindow::openUrlDialog);
    makeAction(tr("&Quit"), {Qt::CTRL | Qt::Key_Q}, [this] { close(); });

    makeAction(tr("&Fit to Window"), {Qt::Key_0}, [this] { view_->fitToWindow(); });
    makeAction(tr("Zoom &In"), {QKeySequence::ZoomIn, Qt::Key_Plus},
               [this] { view_->zoomBy(1.25); });
    makeAction(tr("Zoom &Out"), {QKeySequence::ZoomOut, Qt::Key_Minus},
               [this] { view_->zoomBy(1 / 1.25); });
    fullScreen_ = makeAction(tr("F&ull Screen"), {Qt::Key_F}, &MainWindow::toggleFullScreen);
    fullScreen_->setCheckable(true);
    leaveFullScreen_ = makeAction(tr("Leave Full Screen"), {Qt::Key_Escape},
                                  &MainWindow::leaveFullScreen);

    makeAction(tr("&Keyboard Shortcuts"), {QKeySequence::HelpContents}, &MainWindow::showShortcuts);
    makeAction(tr("&About Sightline"), {}, &MainWindow::showAbout);
}

void MainWindow::createMenus() {
    auto find = [this](const QString& text) -> QAction* {
        for (QAction* a : actions_)
            if (a->text() == text) return a;
        return nullptr;
    };
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(find(tr("&Open File...")));
    file->addAction(find(tr("Open &URL...")));
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    file->addAction(find(tr("&Quit")));

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(find(tr("&Fit to Window")));
    view->addAction(find(tr("Zoom &In")));
    view->addAction(find(tr("Zoom &Out")));
    view->addSeparator();
    view->addAction(fullScreen_);

    QMenu* playback = menuBar()->addMenu(tr("&Playback"));
    playback->addAction(playPause_);
    playback->addSeparator();
    playback->addAction(stepForward_);
    playback->addAction(stepBack_);
    playback->addSeparator();
    playback->addAction(back1_);
    playback->addAction(forward1_);
    playback->addAction(back10_);
    playback->addAction(forward10_);
    playback->addAction(find(tr("First Frame")));
    playback->addAction(find(tr("Last Frame")));
    playback->addSeparator();
    playback->addAction(find(tr("Slower")));
    playback->addAction(find(tr("Faster")));
    playback->addAction(find(tr("Normal Speed")));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(find(tr("&Keyboard Shortcuts")));
    help->addAction(find(tr("&About Sightline")));
}

void MainWindow::createStatusBar() {
    auto label = [this](const QString& name, const QString& tip) {
        auto* l = new QLabel(this);
        l->setObjectName(name);
        l->setToolTip(tip);
        statusBar()->addPermanentWidget(l);
        return l;
    };
    codecLabel_ = label(QStringLiteral("codec"), tr("Video codec"));
    sizeLabel_ = label(QStringLiteral("resolution"), tr("Coded picture size"));
    fpsLabel_ = label(QStringLiteral("fps"), tr("Frame rate (VFR: variable)"));
    decodeLabel_ = label(QStringLiteral("decodeMode"), tr("Decoder"));
    speedLabel_ = label(QStringLiteral("speed"), tr("Playback speed"));
    skippedLabel_ = label(QStringLiteral("skipped"),
                          tr("Frames decoded but too late for the display"));
    queueLabel_ = label(QStringLiteral("queue"), tr("Decoded frames queued / cached"));
    statusBar()->setSizeGripEnabled(true);
}

// ---- opening ---------------------------------------------------------------------------------

void MainWindow::openSource(const QString& urlOrPath) {
    QString url = urlOrPath.trimmed();
    if (url.isEmpty()) return;
    if (QUrl u(url); u.isLocalFile()) url = u.toLocalFile();
    savePosition();
    banner_->hide();
    media_.reset();
    openingUrl_ = url;
    view_->clear();
    view_->fitToWindow();
    transport_->reset();
    controller_->open(url);
    titleMedia_ = tr("%1 (opening)").arg(displayName(url));
    refreshTitle();
    statusBar()->showMessage(tr("Opening %1 ...").arg(url));
    refreshStatus();
}

void MainWindow::onOpened(const MediaSummary& summary) {
    media_ = summary;
    statusBar()->clearMessage();
    banner_->hide();
    const QString url = openingUrl_.isEmpty() ? summary.url : openingUrl_;
    openTracking(url, summary);   // after the hide: a bad zones file's message stays up
    project_->setMedia(url, summary);   // after the side file: a stored scene replaces it
    titleMedia_ = displayName(url);
    refreshTitle();
    transport_->setFrameCount(summary.frameCount);
    addRecent(url);
    if (QFileInfo(url).exists() == false) OpenUrlDialog::remember(url);

    if (resume_ && summary.seekable && summary.frameCount > 1) {
        const qint64 pos = QSettings().value(positionKey(url), -1).toLongLong();
        if (pos > 0 && pos < summary.frameCount - 1) controller_->seekToIndex(pos);
    }
    if (autoPlay_) controller_->play();
    refreshStatus();
}

void MainWindow::onFailed(const QString& url, const QString& message) {
    const bool midStream = media_.has_value();
    const QString name = url.isEmpty() ? tr("the source") : QStringLiteral("'%1'").arg(url);
    banner_->showMessage(midStream ? tr("Playback of %1 stopped: %2").arg(name, message)
                                   : tr("Cannot open %1: %2").arg(name, message));
    statusBar()->clearMessage();
    if (!midStream) {
        titleMedia_.clear();
        refreshTitle();
        transport_->reset();
    }
    refreshStatus();
}

void MainWindow::openFileDialog() {
    QString dir;
    const QStringList recent = QSettings().value(QLatin1String(kRecentKey)).toStringList();
    if (!recent.isEmpty()) dir = QFileInfo(recent.first()).absolutePath();
    // Non-blocking: open() returns at once; the slot runs when the user picks a file.
    auto* dlg = new QFileDialog(this, tr("Open Video"), dir,
                                tr("Videos (*.mp4 *.mkv *.mov *.avi *.webm *.ts *.m2ts *.mpg "
                                   "*.h264 *.h265 *.hevc *.y4m);;All files (*)"));
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->setFileMode(QFileDialog::ExistingFile);
    connect(dlg, &QFileDialog::fileSelected, this, &MainWindow::openSource);
    dlg->open();
}

void MainWindow::openUrlDialog() {
    auto* dlg = new OpenUrlDialog(this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QDialog::accepted, this, [this, dlg] { openSource(dlg->url()); });
    dlg->open();
}

void MainWindow::addRecent(const QString& url) {
    QSettings settings;
    QStringList recent = settings.value(QLatin1String(kRecentKey)).toStringList();
    recent.removeAll(url);
    recent.prepend(url);
    while (recent.size() > kRecentCount) recent.removeLast();
    settings.setValue(QLatin1String(kRecentKey), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = QSettings().value(QLatin1String(kRecentKey)).toStringList();
    int n = 0;
    for (const QString& url : recent) {
        ++n;
        QAction* a = recentMenu_->addAction(
            QStringLiteral("&%1  %2").arg(n % 10).arg(displayName(url)),
            this, [this, url] { openSource(url); });
        a->setToolTip(url);
        a->setStatusTip(url);
    }
    if (recent.isEmpty()) recentMenu_->addAction(tr("(none)"))->setEnabled(false);
    recentMenu_->addSeparator();
    recentMenu_->addAction(tr("Clear List"), this, [this] {
        QSettings().remove(QLatin1String(kRecentKey));
        rebuildRecentMenu();
    });
}

QString MainWindow::positionKey(const QString& url) {
    // Paths contain '/', which QSettings treats as groups; a hash keeps one flat key per file.
    const QByteArray h = QCryptographicHash::hash(url.toUtf8(), QCryptographicHash::Sha1).toHex();
    return QStringLiteral("positions/") + QString::fromLatin1(h);
}

void MainWindow::savePosition() {
    if (!media_ || !media_->seekable || media_->frameCount <= 1 || openingUrl_.isEmpty()) return;
    const int64_t index = view_->displayedFrameIndex();
    QSettings settings;
    // Near the start or at the end there is nothing worth resuming.
    if (index <= 0 || index >= media_->frameCount - 1)
        settings.remove(positionKey(openingUrl_));
    else
        settings.setValue(positionKey(openingUrl_), qint64(index));
}

// ---- playback --------------------------------------------------------------------------------

void MainWindow::onPlayingChanged(bool playing) {
    playPause_->setIcon(transportIcon(playing ? TransportIcon::Pause : TransportIcon::Play));
    playPause_->setText(playing ? tr("Pause") : tr("Play"));
    playPause_->setToolTip((playing ? tr("Pause") : tr("Play")) + shortcutHint(playPause_));
}

void MainWindow::onFrameDisplayed(qint64 index, double seconds) {
    transport_->setPosition(index, seconds);
}

void MainWindow::changeSpeed(int presetSteps) {
    const QList<double>& presets = speedPresets();
    const double current = controller_->speed();
    // The preset nearest to the current speed (in log scale), then move.
    qsizetype best = 0;
    for (qsizetype i = 1; i < presets.size(); ++i)
        if (std::abs(std::log2(presets[i] / current)) < std::abs(std::log2(presets[best] / current)))
            best = i;
    const qsizetype next = std::clamp<qsizetype>(best + presetSteps, 0, presets.size() - 1);
    setSpeed(presets[next]);
}

void MainWindow::setSpeed(double speed) {
    controller_->setSpeed(speed);
    transport_->setSpeed(speed);
    refreshStatus();
}

void MainWindow::seekFirst() { controller_->seekToIndex(0); }

void MainWindow::seekLast() {
    if (media_ && media_->frameCount > 0) controller_->seekToIndex(media_->frameCount - 1);
}

void MainWindow::toggleFullScreen() {
    if (isFullScreen()) {
        leaveFullScreen();
        return;
    }
    wasMaximized_ = isMaximized();
    menuBar()->hide();
    statusBar()->hide();
    showFullScreen();
    fullScreen_->setChecked(true);
}

void MainWindow::leaveFullScreen() {
    // Esc first drops the tracker's proposals (or stops the run making them).
    if (propagation_ && propagation_->state() == Propagation::State::Running) {
        propagation_->cancel();
        return;
    }
    if (propagation_ && propagation_->state() == Propagation::State::Showing) {
        propagation_->discard();
        return;
    }
    if (!isFullScreen()) {
        // Esc in a single view opened from a wall tile goes back to the wall.
        if (fromWall_ && !wallShown()) showWall(true);
        return;
    }
    menuBar()->show();
    statusBar()->show();
    if (wasMaximized_)
        showMaximized();
    else
        showNormal();
    fullScreen_->setChecked(false);
}

// ---- status ----------------------------------------------------------------------------------

void MainWindow::refreshStatus() {
    const double speed = controller_->speed();
    speedLabel_->setText(speed < 1.0 ? QStringLiteral("1/%1x").arg(std::lround(1.0 / speed))
                                     : QStringLiteral("%1x").arg(speed));
    if (!media_) {
        for (QLabel* l : {codecLabel_, sizeLabel_, fpsLabel_, decodeLabel_, skippedLabel_,
                          queueLabel_})
            l->clear();
        return;
    }
    codecLabel_->setText(media_->codec.isEmpty() ? tr("no video") : media_->codec);
    sizeLabel_->setText(QStringLiteral("%1x%2").arg(media_->width).arg(media_->height));
    QString fps = media_->fps > 0 ? tr("%1 fps").arg(media_->fps, 0, 'f', 3) : tr("? fps");
    if (media_->variableFrameRate) fps += QStringLiteral(" VFR");
    fpsLabel_->setText(fps);

    const QString mode = controller_->decodeMode();
    const bool hw = mode.startsWith(QLatin1String("hw")) ||
                    mode.contains(QLatin1String("hardware"), Qt::CaseInsensitive) ||
                    mode.contains(QLatin1String("vaapi"), Qt::CaseInsensitive);
    decodeLabel_->setText(hw ? tr("decode: hw") : tr("decode: sw"));
    decodeLabel_->setToolTip(tr("Decoder: %1").arg(mode));

    const media::PlayerStats st = controller_->stats();
    skippedLabel_->setText(tr("skipped %1").arg(st.skippedFrames));
    queueLabel_->setText(tr("queue %1 | cache %2 (%3 MiB)")
                             .arg(st.queueDepth)
                             .arg(st.cacheFrames)
                             .arg(double(st.cacheBytes) / (1024.0 * 1024.0), 0, 'f', 1));
    // The bridge's frame counts change every frame, not only with its state.
    if (bridgeLabel_) onBridgeStateChanged();
}

void MainWindow::createDetection() {
    // One store for live inference, the detections list, Analyse Range and exports.
    detection_ = new DetectionController(controller_->sharedResults(), this);
    view_->setDetection(detection_);
    inference_ = makeAction(tr("&Inference"), {Qt::Key_I}, [this] {
        detection_->setEnabled(inference_->isChecked());
        QSettings().setValue(QStringLiteral("detection/enabled"), inference_->isChecked());
    });
    inference_->setCheckable(true);
    // Stored boxes belong to the source they were computed on.
    connect(controller_, &EngineController::opened, detection_,
            [this] { detection_->clearResults(); });
    makeAction(tr("&HUD"), {Qt::Key_H}, [this] {
        view_->setHudVisible(!view_->hudVisible());
        QSettings().setValue(QStringLiteral("hud"), view_->hudVisible());
    });
    detectionDock_ = new DetectionDock(detection_, inference_, this);
    addDockWidget(Qt::RightDockWidgetArea, detectionDock_);
    connect(detection_, &DetectionController::errorOccurred, banner_, &ErrorBanner::showMessage);

    bridgeLabel_ = new QLabel(this);
    statusBar()->addPermanentWidget(bridgeLabel_);
    connect(view_, &VideoView::bridgeStateChanged, this, &MainWindow::onBridgeStateChanged);
    if (QSettings().value(QStringLiteral("detection/enabled"), false).toBool()) {
        inference_->setChecked(true);
        detection_->setEnabled(true);
    }
}

void MainWindow::onBridgeStateChanged() {
    const FrameBridgeHost& b = view_->bridge();
    bridgeLabel_->setText(b.mode() == FrameBridgeHost::Mode::Bridge ? b.summary()
                          : b.mode() == FrameBridgeHost::Mode::DisplayOnly
                              ? tr("display only")
                              : b.mode() == FrameBridgeHost::Mode::Failed ? tr("bridge failed")
                                                                          : QString());
    bridgeLabel_->setToolTip(b.details());
    // A strategy the user forced and the device cannot do: say why, show no other picture.
    if (b.mode() == FrameBridgeHost::Mode::Failed)
        banner_->showMessage(tr("Frame bridge: %1").arg(b.error()));
}

QString MainWindow::statusText() const {
    QStringList parts;
    for (QLabel* l : {codecLabel_, sizeLabel_, fpsLabel_, decodeLabel_, speedLabel_, skippedLabel_,
                      queueLabel_, bridgeLabel_, projectLabel_})
        if (l && !l->text().isEmpty()) parts << l->text();
    return parts.join(QStringLiteral("  |  "));
}

// ---- window events ---------------------------------------------------------------------------

void MainWindow::closeEvent(QCloseEvent* event) {
    savePosition();
    QSettings settings;
    settings.setValue(QLatin1String(kGeometryKey), saveGeometry());
    settings.setValue(QLatin1String(kStateKey), saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() || event->mimeData()->hasText()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QMimeData* mime = event->mimeData();
    QString target;
    if (mime->hasUrls() && !mime->urls().isEmpty()) {
        const QUrl u = mime->urls().first();
        target = u.isLocalFile() ? u.toLocalFile() : u.toString();
    } else if (mime->hasText()) {
        target = mime->text().trimmed();
    }
    if (target.isEmpty()) return;
    event->acceptProposedAction();
    openSource(target);
}

void MainWindow::showShortcuts() {
    auto* dlg = new ShortcutsDialog(actions_, this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    dlg->open();
}

void MainWindow::showAbout() {
    auto* box = new QMessageBox(QMessageBox::Information, tr("About Sightline"),
                                tr("<b>Sightline</b> %1<br>Video analytics workstation.<br>"
                                   "Qt %2, OpenGL display, FFmpeg decoding.")
                                    .arg(QStringLiteral(SL_VERSION), QString::fromLatin1(qVersion())),
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

}  // namespace sl::gui
