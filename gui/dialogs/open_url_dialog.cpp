#include "dialogs/open_url_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace sl::gui {

static const char* const kHistoryKey = "openUrl/history";

OpenUrlDialog::OpenUrlDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Open URL"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(
        tr("Stream URL (http, https, rtsp, udp, tcp, ...) or camera device (/dev/videoN):"), this));

    edit_ = new QComboBox(this);
    edit_->setEditable(true);
    edit_->setInsertPolicy(QComboBox::NoInsert);
    edit_->addItems(history());
    edit_->setCurrentText(QString());
    edit_->lineEdit()->setPlaceholderText(QStringLiteral("rtsp://camera.local/stream1"));
    edit_->lineEdit()->setClearButtonEnabled(true);
    edit_->setMinimumWidth(460);
    layout->addWidget(edit_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel, this);
    QPushButton* open = buttons->button(QDialogButtonBox::Open);
    open->setEnabled(false);
    connect(edit_, &QComboBox::currentTextChanged, this,
            [open](const QString& t) { open->setEnabled(!t.trimmed().isEmpty()); });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QString OpenUrlDialog::url() const { return edit_->currentText().trimmed(); }

QStringList OpenUrlDialog::history() {
    return QSettings().value(QLatin1String(kHistoryKey)).toStringList();
}

void OpenUrlDialog::remember(const QString& url) {
    QStringList h = history();
    h.removeAll(url);
    h.prepend(url);
    while (h.size() > kHistorySize) h.removeLast();
    QSettings().setValue(QLatin1String(kHistoryKey), h);
}

}  // namespace sl::gui
