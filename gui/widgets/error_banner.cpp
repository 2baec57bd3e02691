#include "widgets/error_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace sl::gui {

ErrorBanner::ErrorBanner(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("errorBanner"));
    setStyleSheet(QStringLiteral(
        "#errorBanner { background: #5a1d1d; border-bottom: 1px solid #8a2e2e; }"
        "#errorBanner QLabel { color: #f4dede; }"
        "#errorBanner QToolButton { border: none; color: #f4dede; }"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);

    auto* icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(18, 18));
    layout->addWidget(icon);

    text_ = new QLabel(this);
    text_->setObjectName(QStringLiteral("errorText"));
    text_->setWordWrap(true);
    text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(text_, 1);

    close_ = new QToolButton(this);
    close_->setObjectName(QStringLiteral("errorClose"));
    close_->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close_->setToolTip(tr("Dismiss"));
    close_->setFocusPolicy(Qt::NoFocus);
    connect(close_, &QToolButton::clicked, this, &QWidget::hide);
    layout->addWidget(close_);
    hide();
}

void ErrorBanner::showMessage(const QString& message) {
    text_->setText(message);
    show();
}

QString ErrorBanner::message() const { return isVisible() ? text_->text() : QString(); }

}  // namespace sl::gui
