#pragma once
// EvaluationDock: the Evaluation panel (issue 14, "Timeline"). Pick a ground-truth layer and a
// prediction layer of the shown media (sets of the project), the whole media or a frame range
// (the in/out marks fill it), the IoU threshold of CLEAR MOT and Identity; Run evaluates as
// `sightline eval` does (review/evaluation_run.h) on background tasks with progress and cancel.
// Shown: the COCO summary (AP, AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l), the detection counts
// at the IoU threshold, MOTA, MOTP, IDF1, HOTA and the CLEAR counts when the prediction has
// tracks, a per-class AP table, a precision-recall chart (one line per class at IoU .5, .75 on
// a toggle) and the list of per-frame errors. The errors go to the timeline as markers; a class
// row filters them to that class, an error row seeks to its frame (errorActivated).
//
// Threads: the layer list and the sets are read on the project lane (review/project_jobs.h);
// the metrics run on a lane of their own ("evaluate"), so edits never wait for them.

#include <QDockWidget>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>

#include "review/evaluation_run.h"
#include "review/project_jobs.h"

class QCheckBox;
class QChartView;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace sl::gui {

class EvaluationDock : public QDockWidget {
    Q_OBJECT
public:
    explicit EvaluationDock(QWidget* parent = nullptr);
    ~EvaluationDock() override;

    // The project ('' = none) and the shown media (0 = none) with its frame count.
    void setProject(const QString& path);
    void setMedia(int64_t mediaId, int64_t frames);
    void setMarks(std::optional<int64_t> in, std::optional<int64_t> out);
    void refreshLayers();   // layersListed()
    // Picks the layers by set id; false when one is not listed.
    bool selectLayers(int64_t gtSet, int64_t predSet);

    void run();   // evaluated() or a message
    void cancel();
    bool busy() const { return running_ || jobs_.pending() > 0; }
    const EvaluationResult* result() const { return result_.get(); }

    // The text the summary shows for METRIC ("AP", "MOTA", "FP", ...); empty when not shown.
    QString summaryText(const QString& metric) const;
    QString messageText() const;

    QComboBox* groundTruthBox() const { return gt_; }
    QComboBox* predictionBox() const { return pred_; }
    QComboBox* rangeBox() const { return range_; }
    QSpinBox* firstBox() const { return first_; }
    QSpinBox* lastBox() const { return last_; }
    QDoubleSpinBox* iouBox() const { return iou_; }
    QTableWidget* summaryTable() const { return summary_; }
    QTableWidget* classTable() const { return classes_; }
    QTableWidget* errorTable() const { return errors_; }
    QChartView* chart() const { return chart_; }

signals:
    void layersListed();
    void evaluated();
    // A class row was picked: the markers of LABEL only ('' = every class).
    void classSelected(const QString& label);
    // An error row was activated: RESULT's marker INDEX.
    void errorActivated(int index);

private:
    void showMessage(const QString& text, bool error);
    void showResult(std::shared_ptr<const EvaluationResult> result);
    void fillErrors();
    void fillChart();
    void setRunning(bool running);
    void updateRangeEnabled();

    ProjectJobs jobs_;
    QString path_;
    int64_t mediaId_ = 0, frames_ = 0;
    std::optional<int64_t> in_, out_;
    bool running_ = false, cancelled_ = false;
    pipeline::TaskHandle task_;
    std::shared_ptr<const EvaluationResult> result_;
    QString classFilter_;

    QComboBox* gt_ = nullptr;
    QComboBox* pred_ = nullptr;
    QComboBox* range_ = nullptr;
    QSpinBox* first_ = nullptr;
    QSpinBox* last_ = nullptr;
    QPushButton* marks_ = nullptr;
    QDoubleSpinBox* iou_ = nullptr;
    QPushButton* run_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* message_ = nullptr;
    QTableWidget* summary_ = nullptr;
    QTableWidget* classes_ = nullptr;
    QTableWidget* errors_ = nullptr;
    QChartView* chart_ = nullptr;
    QCheckBox* iou75_ = nullptr;
};

}  // namespace sl::gui
