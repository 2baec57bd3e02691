#include "widgets/detection_dock.h"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

#include "controller/detection_controller.h"

namespace sl::gui {
namespace {

QSlider* percentSlider(QWidget* parent) {
    auto* s = new QSlider(Qt::Horizontal, parent);
    s->setRange(1, 99);
    s->setPageStep(5);
    return s;
}

}  // namespace

DetectionDock::DetectionDock(DetectionController* detection, QAction* toggle, QWidget* parent)
    : QDockWidget(tr("Detection"), parent), detection_(detection) {
    setObjectName(QStringLiteral("DetectionDock"));
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);

    auto* onOff = new QToolButton(body);
    onOff->setDefaultAction(toggle);
    onOff->setToolButtonStyle(Qt::ToolButtonTextOnly);
    layout->addWidget(onOff);
    state_ = new QLabel(body);
    state_->setWordWrap(true);
    layout->addWidget(state_);

    auto* form = new QFormLayout();
    models_ = new QComboBox(body);
    models_->addItems(DetectionController::installedModels());
    form->addRow(tr("Model"), models_);
    confidence_ = percentSlider(body);
    confidenceValue_ = new QLabel(body);
    form->addRow(tr("Confidence"), confidence_);
    form->addRow(QString(), confidenceValue_);
    nms_ = percentSlider(body);
    nmsValue_ = new QLabel(body);
    form->addRow(tr("NMS IoU"), nms_);
    form->addRow(QString(), nmsValue_);
    layout->addLayout(form);

    layout->addWidget(new QLabel(tr("Classes"), body));
    classes_ = new QListWidget(body);
    layout->addWidget(classes_, 1);
    auto* all = new QPushButton(tr("All"), body);
    auto* none = new QPushButton(tr("None"), body);
    auto* buttons = new QHBoxLayout();
    buttons->addWidget(all);
    buttons->addWidget(none);
    layout->addLayout(buttons);
    setWidget(body);

    connect(models_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        if (!updating_ && !name.isEmpty() && name != detection_->modelName())
            detection_->setModel(name);
    });
    // Sliders apply on release (or keyboard steps): each change clears the stored results.
    auto bindSlider = [this](QSlider* s, QLabel* value, void (DetectionController::*set)(float)) {
        connect(s, &QSlider::valueChanged, this,
                [value](int v) { value->setText(QString::number(v / 100.0, 'f', 2)); });
        connect(s, &QSlider::valueChanged, this, [this, s, set](int v) {
            if (!updating_ && !s->isSliderDown()) (detection_->*set)(float(v / 100.0));
        });
        connect(s, &QSlider::sliderReleased, this,
                [this, s, set] { (detection_->*set)(float(s->value() / 100.0)); });
    };
    bindSlider(confidence_, confidenceValue_, &DetectionController::setConfidence);
    bindSlider(nms_, nmsValue_, &DetectionController::setNms);
    connect(classes_, &QListWidget::itemChanged, this, [this] {
        if (!updating_) applyClassFilter();
    });
    auto checkAll = [this](bool on) {
        updating_ = true;
        for (int i = 0; i < classes_->count(); ++i)
            classes_->item(i)->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        updating_ = false;
        applyClassFilter();
    };
    connect(all, &QPushButton::clicked, this, [checkAll] { checkAll(true); });
    connect(none, &QPushButton::clicked, this, [checkAll] { checkAll(false); });
    connect(detection_, &DetectionController::stateChanged, this, &DetectionDock::refresh);
    refresh();
}

void DetectionDock::applyClassFilter() {
    std::vector<int> ids;
    bool allChecked = true;
    for (int i = 0; i < classes_->count(); ++i) {
        if (classes_->item(i)->checkState() == Qt::Checked)
            ids.push_back(i);
        else
            allChecked = false;
    }
    // All checked means no filter; none checked keeps a filter that matches nothing.
    if (allChecked) ids.clear();
    if (ids.empty() && !allChecked) ids.push_back(-1);
    detection_->setClassFilter(ids);
}

void DetectionDock::refresh() {
    updating_ = true;
    const int m = models_->findText(detection_->modelName());
    if (m >= 0) models_->setCurrentIndex(m);
    if (detection_->confidence() > 0) confidence_->setValue(int(detection_->confidence() * 100));
    if (detection_->nms() > 0) nms_->setValue(int(detection_->nms() * 100));
    const QStringList labels = detection_->labels();
    if (classes_->count() != labels.size()) {
        classes_->clear();
        for (const QString& l : labels) {
            auto* item = new QListWidgetItem(l, classes_);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(Qt::Checked);
        }
    }
    QString state;
    if (!detection_->isEnabled())
        state = tr("Inference off");
    else if (detection_->isLoading() && !detection_->loadStatus().isEmpty())
        state = tr("Loading %1: %2").arg(detection_->modelName(), detection_->loadStatus());
    else if (detection_->isLoading())
        state = tr("Loading %1: building kernels").arg(detection_->modelName());
    else if (detection_->isReady() && detection_->isPreparing())
        state = tr("%1 on %2 (%3)")
                    .arg(detection_->modelName(), detection_->deviceName(),
                         detection_->preparationStatus());
    else if (detection_->isReady())
        state = tr("%1 on %2").arg(detection_->modelName(), detection_->deviceName());
    else
        state = tr("No model loaded");
    state_->setText(state);
    updating_ = false;
}

}  // namespace sl::gui
