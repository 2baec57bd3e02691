#pragma once
// OpenUrlDialog: asks for a network URL (http, rtsp, udp, ...) or a camera device (/dev/videoN),
// offering the previously opened ones (kept in QSettings, newest first).

#include <QDialog>

class QComboBox;

namespace sl::gui {

class OpenUrlDialog : public QDialog {
    Q_OBJECT
public:
    explicit OpenUrlDialog(QWidget* parent = nullptr);

    QString url() const;
    // Adds `url` to the front of the stored history (at most kHistorySize entries).
    static void remember(const QString& url);
    static QStringList history();

    static constexpr int kHistorySize = 20;

private:
    QComboBox* edit_ = nullptr;
};

}  // namespace sl::gui
