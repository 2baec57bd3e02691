#pragma once
// TransportBar: the row of playback controls under the video. It holds no playback logic: buttons
// trigger the QActions MainWindow owns (so menus, shortcuts and buttons stay in one place), and
// the seek slider reports frame indices while the user drags it.

#include <QSlider>
#include <QWidget>

#include <cstdint>

class QAction;
class QComboBox;
class QLabel;
class QToolButton;

namespace sl::gui {

// A slider that jumps straight to the clicked position (a player's seek bar, not a page-stepper).
class SeekSlider : public QSlider {
    Q_OBJECT
public:
    explicit SeekSlider(QWidget* parent = nullptr);

protected:
    void mousePressEvent(QMouseEvent* event) override;
};

// "HH:MM:SS.mmm"
QString formatTimecode(double seconds);

// The speed presets `[` and `]` walk through.
const QList<double>& speedPresets();

class TransportBar : public QWidget {
    Q_OBJECT
public:
    struct Actions {
        QAction* playPause = nullptr;
        QAction* stepBack = nullptr;
        QAction* stepForward = nullptr;
        QAction* back10 = nullptr;
        QAction* back1 = nullptr;
        QAction* forward1 = nullptr;
        QAction* forward10 = nullptr;
    };

    TransportBar(const Actions& actions, QWidget* parent = nullptr);

    // Source geometry: frameCount < 0 (live) disables the slider.
    void setFrameCount(int64_t frameCount);
    void setPosition(int64_t index, double seconds);   // from the view; never emits seekRequested
    void setSpeed(double speed);                       // reflects it in the selector
    void reset();

    SeekSlider* slider() const { return slider_; }
    QComboBox* speedSelector() const { return speed_; }
    QString frameText() const;
    QString timeText() const;

signals:
    void seekRequested(qint64 index);
    void speedRequested(double speed);

private:
    QToolButton* makeButton(QAction* action);

    Actions actions_;
    SeekSlider* slider_ = nullptr;
    QComboBox* speed_ = nullptr;
    QLabel* time_ = nullptr;
    QLabel* frame_ = nullptr;
    int64_t frameCount_ = -1;
    bool updating_ = false;
};

}  // namespace sl::gui
