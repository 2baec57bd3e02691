#pragma once
// AlertsDock: the monitoring wall's alerts (issue 15): time, camera, rule, severity, message and
// a thumbnail of the frame it fired on with the tracks involved outlined, and its event clip once
// written (double-click plays it); newest on top. Filters
// by camera and by rule; Acknowledge (the selected rows, Enter) and Acknowledge All; the title
// counts the unacknowledged ones. Optional desktop notifications (the system tray's message, where
// the desktop has a tray; the checkbox says when it has none) and a sound (the system beep).
// Alerts themselves live in the WallController (and in events.jsonl); this panel only shows them.

#include <QDockWidget>

#include <cstdint>

class QCheckBox;
class QComboBox;
class QPushButton;
class QSystemTrayIcon;
class QTableWidget;

namespace sl::gui {

class WallController;
struct WallAlert;

class AlertsDock : public QDockWidget {
    Q_OBJECT
public:
    explicit AlertsDock(WallController* wall, QWidget* parent = nullptr);

    QTableWidget* table() const { return table_; }
    QComboBox* sourceFilter() const { return source_; }
    QComboBox* ruleFilter() const { return rule_; }
    int visibleRows() const;   // rows passing the filters
    // The alert id of a table row (-1 when none).
    int64_t alertIdAt(int row) const;
    QString clipAt(int row) const;   // the row's event clip, once written; empty before
    int notificationsShown() const { return notified_; }   // desktop messages sent
    void acknowledgeSelected();

signals:
    void clipRequested(const QString& video);   // double-click on a row with a clip

private:
    void rebuild();
    void onAlert(const WallAlert& alert);
    void applyFilters();
    void updateTitle();

    WallController* wall_ = nullptr;
    QTableWidget* table_ = nullptr;
    QComboBox* source_ = nullptr;
    QComboBox* rule_ = nullptr;
    QCheckBox* notify_ = nullptr;
    QCheckBox* sound_ = nullptr;
    QSystemTrayIcon* tray_ = nullptr;
    int notified_ = 0;
};

}  // namespace sl::gui
