#pragma once
// AddCameraDialog: a source for the monitoring wall: a stream URL (rtsp, http(s), udp, tcp; the
// Open URL history offered), a V4L2 camera found under /dev/video*, or a local video file played
// at its real-time pace as a simulated camera; an optional tile name; and an optional scene file
// (zones, lines and rules: engine/analytics/README.md) whose rules raise the wall's alerts.

#include <QDialog>

class QComboBox;
class QLineEdit;

namespace sl::gui {

class AddCameraDialog : public QDialog {
    Q_OBJECT
public:
    explicit AddCameraDialog(QWidget* parent = nullptr);

    QString url() const;
    QString name() const;   // empty: derived from the URL
    QString sceneFile() const;   // zones, lines and rules (optional)
    // The V4L2 capture devices present now (/dev/video*), sorted.
    static QStringList videoDevices();

private:
    QComboBox* url_ = nullptr;
    QLineEdit* name_ = nullptr;
    QLineEdit* scene_ = nullptr;
};

}  // namespace sl::gui
