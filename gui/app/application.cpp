#include "app/application.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDebug>
#include <QIcon>
#include <QSettings>
#include <QSurfaceFormat>

#include <string>

#include "app/main_window.h"
#include "app/theme.h"
#include "view/frame_bridge_host.h"
#include "view/video_view.h"
#include "core/log.h"

namespace sl::gui {
namespace {

void routeEngineLog() {
    // The sink runs on engine threads; qDebug/qWarning are thread-safe and end up wherever the
    // Qt message handler sends them (stderr, journald).
    sl::setLogSink([](LogLevel level, std::string_view component, std::string_view message) {
        const QString text = QString::fromUtf8(component.data(), qsizetype(component.size())) +
                             QStringLiteral(": ") +
                             QString::fromUtf8(message.data(), qsizetype(message.size()));
        switch (level) {
        case LogLevel::Debug: qDebug().noquote() << text; break;
        case LogLevel::Info: qInfo().noquote() << text; break;
        case LogLevel::Warning: qWarning().noquote() << text; break;
        case LogLevel::Error: qCritical().noquote() << text; break;
        }
    });
}

}  // namespace

void setDefaultSurfaceFormat() {
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 3);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setSwapInterval(1);
    QSurfaceFormat::setDefaultFormat(format);
}

int runApplication(int argc, char** argv) {
    // Must precede the QApplication: every QOpenGLWidget context is created from it.
    setDefaultSurfaceFormat();

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Sightline"));
    QApplication::setOrganizationName(QStringLiteral("Sightline"));
    QApplication::setApplicationVersion(QStringLiteral(SL_VERSION));
    applyDarkTheme(app);
    routeEngineLog();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Sightline video analytics workstation"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("sources"),
                                 QStringLiteral("Files, URLs or /dev/videoN to open"));
    const QCommandLineOption bridgeOption(
        QStringLiteral("bridge"),
        QStringLiteral("Frame bridge strategy: auto, gl-sharing, mapped or copy (setting "
                       "\"bridge\"); a forced strategy the device cannot do is an error."),
        QStringLiteral("strategy"));
    const QCommandLineOption deviceOption(
        QStringLiteral("cl-device"),
        QStringLiteral("OpenCL device selector: N, P:D or a name substring (setting "
                       "\"cl-device\")."),
        QStringLiteral("selector"));
    const QCommandLineOption detectOption(
        QStringLiteral("detect"),
        QStringLiteral("Start with detection on (as the i key; remembered in the setting "
                       "\"detection/enabled\")."));
    const QCommandLineOption projectOption(
        QStringLiteral("project"),
        QStringLiteral("Open (or create) the project PATH.slproj: results are saved into it "
                       "and zones are kept in it."),
        QStringLiteral("path"));
    parser.addOption(projectOption);
    parser.addOption(bridgeOption);
    parser.addOption(deviceOption);
    parser.addOption(detectOption);
    parser.process(app);
    BridgeRequest::setOverride(
        parser.isSet(bridgeOption) ? std::optional(parser.value(bridgeOption)) : std::nullopt,
        parser.isSet(deviceOption) ? std::optional(parser.value(deviceOption)) : std::nullopt);

    int rc = 0;
    {
        MainWindow window;
        // The HUD is on by default in the application (tests build windows without it).
        const bool hud = QSettings().value(QStringLiteral("hud"), true).toBool();
        window.videoView()->setHudVisible(hud);
        window.show();
        if (parser.isSet(projectOption)) window.openProject(parser.value(projectOption), true);
        if (parser.isSet(detectOption) && !window.inferenceAction()->isChecked())
            window.inferenceAction()->trigger();
        // One player per window for now: the first source opens.
        const QStringList sources = parser.positionalArguments();
        if (!sources.isEmpty()) window.openSource(sources.first());
        if (sources.size() > 1)
            qWarning().noquote() << "sightline: opening only" << sources.first()
                                 << "(one source per window)";
        rc = app.exec();
    }
    sl::setLogSink(nullptr);   // the sink must not outlive the QApplication it logs through
    return rc;
}

}  // namespace sl::gui
