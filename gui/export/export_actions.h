#pragma once
// Exports from the workstation: results (JSON/CSV through the engine's ResultsStore writers,
// atomic), a PNG snapshot of the view as drawn (picture + overlay: QOpenGLWidget::grabFramebuffer)
// and the video with boxes burned in (pipeline::burnIn as a background task, BurnInTask).

#include <QObject>
#include <QString>

#include <memory>

#include "pipeline/background_task.h"
#include "pipeline/burn_in_exporter.h"
#include "pipeline/results_store.h"

class QOpenGLWidget;
class QWidget;

namespace sl::gui {

// By extension (.json / .csv). Returns an empty string on success, else a message naming the file.
QString exportResults(const pipeline::ResultsStore& store, const QString& path,
                      const pipeline::ExportHeader& header);
// The widget's framebuffer as drawn (overlay included), saved atomically (QSaveFile) as PNG.
// Empty string on success.
QString saveSnapshot(QOpenGLWidget* view, const QString& path);

// pipeline::burnIn on the "export" lane of the UI task runner (app/ui_task_hook.h): exports run
// one after another. Signals arrive on the GUI thread. Destroying the task cancels the run and
// waits for it (the output is then not written).
class BurnInTask : public QObject {
    Q_OBJECT
public:
    BurnInTask(pipeline::BurnInOptions options, std::shared_ptr<const pipeline::ResultsStore> store,
               QObject* parent = nullptr);
    ~BurnInTask() override;

    void start();
    void cancel() { task_.cancel(); }
    bool running() const { return running_; }
    pipeline::TaskState taskState() const { return task_.state(); }

signals:
    void progress(qint64 frames, qint64 total);
    // ok false: `message` names the input/output and the problem ("Export cancelled" on cancel).
    void finished(bool ok, const QString& message);

private:
    pipeline::BurnInOptions options_;
    std::shared_ptr<const pipeline::ResultsStore> store_;
    bool running_ = false;   // from start() until finished() is emitted
    pipeline::TaskHandle task_;
};

// Asks for an output file is the caller's job; this shows a cancellable QProgressDialog over
// `parent` while `task` runs, and a message box with the outcome. The task deletes itself.
void runBurnInWithProgress(QWidget* parent, BurnInTask* task);

}  // namespace sl::gui
