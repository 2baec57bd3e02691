#pragma once
// DetectionsPanel: a dock listing every stored detection (frame, time, label, score) of the open
// source, read from the controller's ResultsStore. Model/view: DetectionsModel flattens the store
// into one row per detection and follows it incrementally (a 250 ms poll of store.version(); new
// frames are inserted as rows, only a replaced frame resets the model); a QSortFilterProxyModel
// sorts by any column and filters by label. Activating a row emits detectionActivated(frame, box):
// MainWindow seeks there (exact frame) and asks the view to highlight that box.

#include <QAbstractTableModel>
#include <QDockWidget>
#include <QSortFilterProxyModel>
#include <QTimer>

#include <cstdint>
#include <map>
#include <vector>

#include "pipeline/results_store.h"

class QComboBox;
class QLabel;
class QTableView;

namespace sl::gui {

class DetectionsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Frame, Time, Label, Score, Box, ColumnCount };
    enum Role { FrameIndexRole = Qt::UserRole + 1, BoxIndexRole, SortRole };

    explicit DetectionsModel(const pipeline::ResultsStore* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

    // Brings the rows up to date with the store (cheap when its version did not change).
    void refresh();
    QStringList labels() const;   // labels present in the rows, sorted

private:
    struct Row {
        int64_t frame;
        int box;           // index into that frame's detections
        double seconds;
        int classId;
        float score;
        vision::Box rect;
    };
    static bool sameFrame(const pipeline::FrameDetections& a, const pipeline::FrameDetections& b);

    const pipeline::ResultsStore* store_;
    uint64_t version_ = ~uint64_t(0);
    std::vector<Row> rows_;                                    // by frame, then box
    std::map<int64_t, pipeline::FrameDetections> frames_;      // what rows_ shows
    std::vector<std::string> labelNames_;
};

class DetectionsPanel : public QDockWidget {
    Q_OBJECT
public:
    explicit DetectionsPanel(const pipeline::ResultsStore* store, QWidget* parent = nullptr);

    DetectionsModel* model() const { return model_; }
    QSortFilterProxyModel* proxy() const { return proxy_; }
    QTableView* table() const { return table_; }
    void setLabelFilter(const QString& label);   // empty: all labels
    void refresh() { model_->refresh(); }

signals:
    void detectionActivated(qint64 frameIndex, int boxIndex);

private:
    void onRowActivated(const QModelIndex& proxyIndex);
    void updateLabelChoices();

    DetectionsModel* model_;
    QSortFilterProxyModel* proxy_;
    QTableView* table_;
    QComboBox* labelFilter_;
    QLabel* countLabel_;
    QTimer poll_;
};

}  // namespace sl::gui
