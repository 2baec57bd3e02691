#include "app/ui_task_hook.h"

#include <QCoreApplication>
#include <QThread>

namespace sl::gui {
namespace {

// The target of every posted closure lives on the GUI thread; the runner is destroyed before it
// (member order), so the completions the runner's destructor hands out are posted to a live
// object and then dropped with it, never run after the application.
struct UiTaskHost {
    QObject target;
    pipeline::TaskRunner runner{[this](std::function<void()> closure) {
        QMetaObject::invokeMethod(&target, std::move(closure), Qt::QueuedConnection);
    }};
};

UiTaskHost* g_host = nullptr;

void destroyHost() {
    delete g_host;
    g_host = nullptr;
}

}  // namespace

pipeline::TaskRunner& uiTaskRunner() {
    if (!QCoreApplication::instance()) {
        static pipeline::TaskRunner headless;
        return headless;
    }
    Q_ASSERT(QThread::currentThread() == QCoreApplication::instance()->thread());
    if (!g_host) {
        g_host = new UiTaskHost;
        qAddPostRoutine(destroyHost);   // from ~QCoreApplication, while events still post
    }
    return g_host->runner;
}

}  // namespace sl::gui
