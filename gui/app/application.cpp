#include "app/application.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDebug>
#include <QIcon>
#include <QSurfaceFormat>

#include <string>

#include "app/main_window.h"
#include "app/theme.h"
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
    parser.process(app);

    int rc = 0;
    {
        MainWindow window;
        window.show();
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
