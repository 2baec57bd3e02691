#pragma once
// DetectionDock: the right-side "Detection" dock: inference on/off (the window's action, key i),
// model picker (installed models), confidence and NMS sliders, and a checkable class list (the
// manifest's labels; all checked = no filter). Every control writes straight to the
// DetectionController; the dock holds no state of its own.

#include <QDockWidget>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QSlider;

namespace sl::gui {

class DetectionController;

class DetectionDock : public QDockWidget {
    Q_OBJECT
public:
    DetectionDock(DetectionController* detection, QAction* toggle, QWidget* parent = nullptr);

    QComboBox* modelPicker() const { return models_; }
    QSlider* confidenceSlider() const { return confidence_; }
    QSlider* nmsSlider() const { return nms_; }
    QListWidget* classList() const { return classes_; }

private:
    void refresh();
    void applyClassFilter();

    DetectionController* detection_;
    QComboBox* models_ = nullptr;
    QSlider* confidence_ = nullptr;
    QSlider* nms_ = nullptr;
    QLabel* confidenceValue_ = nullptr;
    QLabel* nmsValue_ = nullptr;
    QLabel* state_ = nullptr;
    QListWidget* classes_ = nullptr;
    bool updating_ = false;
};

}  // namespace sl::gui
