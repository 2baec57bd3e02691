#pragma once
// ClipsDock: the monitoring wall's event clips (issue 15), the ClipStore's folder newest first:
// time of the first alert, camera, rule(s), duration, size. Double-click or Open Clip
// (Ctrl+Shift+O) plays a clip in the single view with its stored boxes; Delete Clip
// (Ctrl+Shift+Del) removes it after a confirmation; Clip Settings... sets the folder, pre / post
// seconds and the quota. The list is read (folder listing, sidecars) on the "clips" lane of the
// UI task runner and refreshed whenever the wall finishes a clip, so the GUI never waits on disk.

#include <QDateTime>
#include <QDockWidget>
#include <QString>

#include <cstdint>
#include <vector>

#include "pipeline/background_task.h"

class QLabel;
class QTableWidget;

namespace sl::gui {

class WallController;

struct ClipRow {
    QString video, sidecar;
    QString camera, rules;       // from the sidecar ("?" when it cannot be read)
    QDateTime time;              // the first alert's (local), else the file's
    double seconds = 0;
    int64_t bytes = 0;           // video + sidecar
    QString problem;             // why the sidecar could not be read
};

class ClipsDock : public QDockWidget {
    Q_OBJECT
public:
    explicit ClipsDock(WallController* wall, QWidget* parent = nullptr);

    QTableWidget* table() const { return table_; }
    const std::vector<ClipRow>& rows() const { return rows_; }   // as shown, newest first
    QString selectedVideo() const;
    void refresh();                  // asynchronous: refreshed() when the list is shown
    void openSelected();             // openRequested for the selected clip
    // Asks, then deletes the selected clip (video and sidecar). False when nothing was deleted.
    bool deleteSelected();
    void editSettings();             // the clip settings dialog

signals:
    void openRequested(const QString& video);
    void refreshed();

private:
    void showRows(std::vector<ClipRow> rows);

    WallController* wall_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* summary_ = nullptr;
    std::vector<ClipRow> rows_;
    pipeline::TaskHandle listing_;
    bool again_ = false;             // a refresh was asked for while one was running
};

}  // namespace sl::gui
