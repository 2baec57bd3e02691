#include "dialogs/add_camera_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "dialogs/open_url_dialog.h"

namespace sl::gui {

QStringList AddCameraDialog::videoDevices() {
    QStringList devices;
    for (const QString& n :
         QDir(QStringLiteral("/dev")).entryList({QStringLiteral("video*")}, QDir::System))
        devices << QStringLiteral("/dev/") + n;
    devices.sort();
    return devices;
}

AddCameraDialog::AddCameraDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Add Camera"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("A stream URL (rtsp, http, https, udp, tcp), a camera device, "
                                    "or a video file played as a simulated camera:"),
                                 this));
    auto* form = new QFormLayout;
    url_ = new QComboBox(this);
    url_->setEditable(true);
    url_->setInsertPolicy(QComboBox::NoInsert);
    url_->addItems(videoDevices());
    url_->addItems(OpenUrlDialog::history());
    url_->setCurrentText(QString());
    url_->lineEdit()->setPlaceholderText(QStringLiteral("rtsp://camera.local/stream1"));
    url_->lineEdit()->setClearButtonEnabled(true);
    url_->setMinimumWidth(420);
    auto* row = new QHBoxLayout;
    row->addWidget(url_, 1);
    auto* browse = new QPushButton(tr("File..."), this);
    row->addWidget(browse);
    form->addRow(tr("Source:"), row);
    name_ = new QLineEdit(this);
    name_->setPlaceholderText(tr("from the URL"));
    form->addRow(tr("Name:"), name_);
    scene_ = new QLineEdit(this);
    scene_->setPlaceholderText(tr("none: no zones, lines or rules"));
    auto* sceneRow = new QHBoxLayout;
    sceneRow->addWidget(scene_, 1);
    auto* browseScene = new QPushButton(tr("Scene..."), this);
    sceneRow->addWidget(browseScene);
    form->addRow(tr("Zones and rules:"), sceneRow);
    connect(browseScene, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Zones, Lines and Rules"),
                                                       QString(), tr("Scene (*.json)"));
        if (!f.isEmpty()) scene_->setText(f);
    });
    layout->addLayout(form);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton* ok = buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Add"));
    ok->setEnabled(false);
    connect(url_, &QComboBox::currentTextChanged, this,
            [ok](const QString& t) { ok->setEnabled(!t.trimmed().isEmpty()); });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(
            this, tr("Video File as a Simulated Camera"), QString(),
            tr("Videos (*.mp4 *.mkv *.mov *.avi *.ts *.webm);;All files (*)"));
        if (!f.isEmpty()) url_->setCurrentText(f);
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QString AddCameraDialog::url() const { return url_->currentText().trimmed(); }
QString AddCameraDialog::name() const { return name_->text().trimmed(); }
QString AddCameraDialog::sceneFile() const { return scene_->text().trimmed(); }

}  // namespace sl::gui
