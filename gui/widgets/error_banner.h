#pragma once
// ErrorBanner: a non-modal message strip at the top of the video area (like a browser's info bar).
// It names what failed and why, stays until closed or until the next source opens, and never
// blocks the window the way a modal dialog would.

#include <QFrame>

class QLabel;
class QToolButton;

namespace sl::gui {

class ErrorBanner : public QFrame {
    Q_OBJECT
public:
    explicit ErrorBanner(QWidget* parent = nullptr);

    void showMessage(const QString& message);
    QString message() const;

private:
    QLabel* text_ = nullptr;
    QToolButton* close_ = nullptr;
};

}  // namespace sl::gui
