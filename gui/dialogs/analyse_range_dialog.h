#pragma once
// AnalyseRangeDialog: "Analyse range" — runs the headless analyze pipeline (pipeline::runAnalyze:
// decode thread + detector at full speed) over frames [from, to] as a background task (lane
// "analyse" of the UI task runner, app/ui_task_hook.h), filling the same ResultsStore the live
// view and the detections panel use. Modeless; the GUI never waits: progress arrives as queued
// calls (coalesced), Cancel cancels the task (runAnalyze polls its flag). The range defaults to
// the whole file or to the in/out marks (Shift+I / Shift+O in the main window).

#include <QDialog>

#include <cstdint>
#include <memory>

#include "pipeline/background_task.h"
#include "pipeline/results_store.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace sl::gui {

class AnalyseRangeDialog : public QDialog {
    Q_OBJECT
public:
    AnalyseRangeDialog(QString input, int64_t frameCount,
                       std::shared_ptr<pipeline::ResultsStore> store, QWidget* parent = nullptr);
    ~AnalyseRangeDialog() override;   // cancels a running analysis and waits for it

    void setRange(int64_t first, int64_t last);
    // An installed model name or an .onnx path (the combo lists the installed ones).
    void setModel(const QString& nameOrPath);
    void setEvery(int every);   // analyse every n-th frame of the range
    void start();
    void cancel() { task_.cancel(); }
    bool running() const { return running_; }
    QString resultText() const;
    // The latest analysis task: queued, running, or how it ended (Cancelled before any start).
    pipeline::TaskState taskState() const { return task_.state(); }

signals:
    void progress(qint64 done, qint64 total);
    void finished(bool ok, const QString& message);

private:
    void onFinished(bool ok, const QString& message);

    QString input_;
    int64_t frameCount_;
    std::shared_ptr<pipeline::ResultsStore> store_;
    QComboBox* model_;
    QSpinBox* from_;
    QSpinBox* to_;
    QSpinBox* every_;
    QProgressBar* bar_;
    QLabel* result_;
    QPushButton* startButton_;
    QPushButton* cancelButton_;
    bool running_ = false;   // from start() until the completion has been shown
    pipeline::TaskHandle task_;
};

}  // namespace sl::gui
