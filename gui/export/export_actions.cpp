#include "export/export_actions.h"

#include <QImage>
#include <QMessageBox>
#include <QOpenGLWidget>
#include <QPointer>
#include <QProgressDialog>
#include <QSaveFile>

#include "app/ui_task_hook.h"

namespace sl::gui {

QString exportResults(const pipeline::ResultsStore& store, const QString& path,
                      const pipeline::ExportHeader& header) {
    const Status st = store.save(path.toStdString(), header);
    return st ? QString() : QString::fromStdString(st.message());
}

QString saveSnapshot(QOpenGLWidget* view, const QString& path) {
    const QImage image = view->grabFramebuffer();
    if (image.isNull()) return QObject::tr("snapshot: the view has nothing to grab");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QObject::tr("snapshot: cannot write '%1': %2").arg(path, file.errorString());
    if (!image.save(&file, "PNG"))
        return QObject::tr("snapshot: cannot encode PNG for '%1'").arg(path);
    if (!file.commit())
        return QObject::tr("snapshot: cannot write '%1': %2").arg(path, file.errorString());
    return {};
}

BurnInTask::BurnInTask(pipeline::BurnInOptions options,
                       std::shared_ptr<const pipeline::ResultsStore> store, QObject* parent)
    : QObject(parent), options_(std::move(options)), store_(std::move(store)) {}

BurnInTask::~BurnInTask() {
    // The run borrows the store (a non-owning alias in WorkstationTools): it ends first.
    task_.cancel();
    task_.wait();
}

void BurnInTask::start() {
    if (running_) return;
    running_ = true;
    pipeline::TaskSpec spec("export video", "export", [this](const pipeline::TaskProgress& p) {
        emit progress(p.done, p.total);
    });
    task_ = startUiTaskWithResult(
        this, std::move(spec),
        [options = options_, store = store_](pipeline::TaskContext& ctx) {
            return pipeline::burnIn(
                options, *store,
                [&ctx](const pipeline::BurnInProgress& p) { ctx.progress(p.frames, p.total); },
                ctx.cancelFlag());
        },
        [this](Expected<pipeline::BurnInSummary>& result) {
            running_ = false;
            const bool ok = result.hasValue();
            QString message;
            if (ok)
                message = tr("Wrote %1 frames (%2 with boxes) to %3")
                              .arg(result->frames)
                              .arg(result->framesWithBoxes)
                              .arg(QString::fromStdString(options_.output.string()));
            else if (result.status().code() == StatusCode::Cancelled)
                message = tr("Export cancelled");
            else
                message = QString::fromStdString(result.status().message());
            emit finished(ok, message);
        });
}

void runBurnInWithProgress(QWidget* parent, BurnInTask* task) {
    auto* dialog = new QProgressDialog(QObject::tr("Exporting video with boxes..."),
                                       QObject::tr("Cancel"), 0, 0, parent);
    dialog->setObjectName(QStringLiteral("burnInProgress"));
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(0);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    QObject::connect(dialog, &QProgressDialog::canceled, task, &BurnInTask::cancel);
    QObject::connect(task, &BurnInTask::progress, dialog, [dialog](qint64 frames, qint64 total) {
        if (total > 0) dialog->setMaximum(int(total));
        dialog->setValue(int(frames));
    });
    QPointer<QWidget> owner(parent);
    QObject::connect(task, &BurnInTask::finished, dialog,
                     [dialog, task, owner](bool ok, const QString& message) {
                         dialog->deleteLater();
                         task->deleteLater();
                         if (!owner) return;
                         if (ok)
                             QMessageBox::information(owner, QObject::tr("Export video"), message);
                         else if (task->taskState() != pipeline::TaskState::Cancelled)
                             QMessageBox::warning(owner, QObject::tr("Export video"), message);
                     });
    dialog->show();
    task->start();
}

}  // namespace sl::gui
