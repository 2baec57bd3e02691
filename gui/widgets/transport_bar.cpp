#include "widgets/transport_bar.h"

#include <QAction>
#include <QComboBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QStyle>
#include <QStyleOptionSlider>
#include <QToolButton>

#include <cmath>

namespace sl::gui {

SeekSlider::SeekSlider(QWidget* parent) : QSlider(Qt::Horizontal, parent) {}

void SeekSlider::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton) {
        QStyleOptionSlider opt;
        initStyleOption(&opt);
        const QRect handle =
            style()->subControlRect(QStyle::CC_Slider, &opt, QStyle::SC_SliderHandle, this);
        if (!handle.contains(event->position().toPoint())) {
            // Jump to the click, then let QSlider start a normal drag from there.
            const int span = width() - handle.width();
            const int pos = int(event->position().x()) - handle.width() / 2;
            setValue(QStyle::sliderValueFromPosition(minimum(), maximum(), pos, span,
                                                     opt.upsideDown));
        }
    }
    QSlider::mousePressEvent(event);
}

QString formatTimecode(double seconds) {
    if (!(seconds >= 0)) seconds = 0;
    const auto ms = int64_t(std::llround(seconds * 1000.0));
    return QString::asprintf("%02lld:%02lld:%02lld.%03lld", static_cast<long long>(ms / 3600000),
                             static_cast<long long>(ms / 60000 % 60),
                             static_cast<long long>(ms / 1000 % 60),
                             static_cast<long long>(ms % 1000));
}

const QList<double>& speedPresets() {
    static const QList<double> presets{0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0};
    return presets;
}

static QString speedLabel(double s) {
    if (s < 1.0) return QStringLiteral("1/%1x").arg(int(std::lround(1.0 / s)));
    return QStringLiteral("%1x").arg(s);
}

TransportBar::TransportBar(const Actions& actions, QWidget* parent)
    : QWidget(parent), actions_(actions) {
    setObjectName(QStringLiteral("transportBar"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(2);

    layout->addWidget(makeButton(actions.playPause));
    layout->addSpacing(6);
    layout->addWidget(makeButton(actions.back10));
    layout->addWidget(makeButton(actions.back1));
    layout->addWidget(makeButton(actions.stepBack));
    layout->addWidget(makeButton(actions.stepForward));
    layout->addWidget(makeButton(actions.forward1));
    layout->addWidget(makeButton(actions.forward10));
    layout->addSpacing(6);

    time_ = new QLabel(formatTimecode(0), this);
    time_->setObjectName(QStringLiteral("timecode"));
    time_->setToolTip(tr("Time of the displayed frame"));
    QFont mono = time_->font();
    mono.setFamily(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    time_->setFont(mono);
    // Fixed widths: the bar must not jitter as digits change during playback.
    time_->setMinimumWidth(QFontMetrics(mono).horizontalAdvance(QStringLiteral("00:00:00.000 ")));
    layout->addWidget(time_);

    slider_ = new SeekSlider(this);
    slider_->setObjectName(QStringLiteral("seekSlider"));
    slider_->setFocusPolicy(Qt::NoFocus);   // keys belong to the player, not to the slider
    slider_->setToolTip(tr("Seek (frame-exact while dragging)"));
    slider_->setEnabled(false);
    layout->addWidget(slider_, 1);
    // Every value the user produces (drag, click) becomes an exact seek; the engine coalesces a
    // burst of them into one. Programmatic updates from setPosition are filtered by updating_.
    connect(slider_, &QSlider::valueChanged, this, [this](int v) {
        if (!updating_) emit seekRequested(v);
    });

    frame_ = new QLabel(this);
    frame_->setObjectName(QStringLiteral("frameNumber"));
    frame_->setFont(mono);
    frame_->setMinimumWidth(
        QFontMetrics(mono).horizontalAdvance(QStringLiteral(" frame 000000 / 000000 ")));
    frame_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    frame_->setToolTip(tr("Displayed frame / frame count"));
    layout->addWidget(frame_);

    speed_ = new QComboBox(this);
    speed_->setObjectName(QStringLiteral("speedSelector"));
    speed_->setFocusPolicy(Qt::NoFocus);
    speed_->setToolTip(tr("Playback speed  ( [ slower, ] faster, Backspace 1x )"));
    for (double s : speedPresets()) speed_->addItem(speedLabel(s), s);
    speed_->setCurrentIndex(int(speedPresets().indexOf(1.0)));
    connect(speed_, &QComboBox::activated, this,
            [this](int i) { emit speedRequested(speed_->itemData(i).toDouble()); });
    layout->addWidget(speed_);
    reset();
}

QToolButton* TransportBar::makeButton(QAction* action) {
    auto* b = new QToolButton(this);
    b->setDefaultAction(action);
    b->setAutoRaise(true);
    b->setFocusPolicy(Qt::NoFocus);
    b->setIconSize(QSize(20, 20));
    return b;
}

void TransportBar::setFrameCount(int64_t frameCount) {
    frameCount_ = frameCount;
    updating_ = true;
    slider_->setEnabled(frameCount > 0);
    slider_->setRange(0, frameCount > 0 ? int(frameCount - 1) : 0);
    slider_->setPageStep(frameCount > 0 ? int(std::max<int64_t>(1, frameCount / 20)) : 1);
    slider_->setValue(0);
    updating_ = false;
    setPosition(-1, 0);
}

void TransportBar::setPosition(int64_t index, double seconds) {
    time_->setText(formatTimecode(index >= 0 ? seconds : 0));
    const QString n = index >= 0 ? QString::number(index) : QStringLiteral("-");
    frame_->setText(frameCount_ > 0 ? tr("frame %1 / %2").arg(n).arg(frameCount_)
                                    : tr("frame %1").arg(n));
    // Never fight the user's drag: the slider follows the display only when released.
    if (index >= 0 && !slider_->isSliderDown()) {
        updating_ = true;
        slider_->setValue(int(index));
        updating_ = false;
    }
}

void TransportBar::setSpeed(double speed) {
    const int i = speed_->findData(speed);
    if (i >= 0) speed_->setCurrentIndex(i);
}

void TransportBar::reset() {
    setFrameCount(-1);
    setSpeed(1.0);
}

QString TransportBar::frameText() const { return frame_->text(); }
QString TransportBar::timeText() const { return time_->text(); }

}  // namespace sl::gui
