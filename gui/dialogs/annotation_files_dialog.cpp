#include "dialogs/annotation_files_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace sl::gui {

namespace fmt = annotate::formats;

namespace {

// The per-frame formats are folders of files; the others one file.
bool isFolderFormat(std::optional<fmt::Format> f) {
    return f && (*f == fmt::Format::Yolo || *f == fmt::Format::Voc);
}

}  // namespace

AnnotationFilesDialog::AnnotationFilesDialog(Mode mode, QWidget* parent)
    : QDialog(parent), mode_(mode) {
    setObjectName(mode == Mode::Import   ? QStringLiteral("importAnnotationsDialog")
                  : mode == Mode::Export ? QStringLiteral("exportAnnotationsDialog")
                                         : QStringLiteral("exportDatasetDialog"));
    setWindowTitle(mode == Mode::Import   ? tr("Import Annotations")
                   : mode == Mode::Export ? tr("Export Annotations")
                                          : tr("Export Dataset (annotated frames)"));
    auto* form = new QFormLayout(this);

    if (mode != Mode::Import) {
        set_ = new QComboBox(this);
        set_->setObjectName(QStringLiteral("set"));
        set_->addItem(tr("(reading the project ...)"), qint64(0));
        form->addRow(tr("&Set:"), set_);
    }
    format_ = new QComboBox(this);
    format_->setObjectName(QStringLiteral("format"));
    if (mode == Mode::Import) format_->addItem(tr("Detect from the file"), -1);
    if (mode == Mode::Dataset) {
        format_->addItem(QStringLiteral("YOLO"), int(fmt::Format::Yolo));
        format_->addItem(QStringLiteral("COCO"), int(fmt::Format::Coco));
    } else {
        for (fmt::Format f : fmt::allFormats())
            format_->addItem(QString::fromLatin1(fmt::formatName(f)), int(f));
    }
    form->addRow(mode == Mode::Dataset ? tr("&Labels:") : tr("&Format:"), format_);
    if (mode == Mode::Dataset) {
        images_ = new QComboBox(this);
        images_->setObjectName(QStringLiteral("imageFormat"));
        images_->addItem(tr("JPEG"), int(pipeline::DatasetImageFormat::Jpeg));
        images_->addItem(tr("PNG (lossless)"), int(pipeline::DatasetImageFormat::Png));
        form->addRow(tr("&Images:"), images_);
    }

    path_ = new QLineEdit(this);
    path_->setObjectName(QStringLiteral("path"));
    auto* browse = new QPushButton(tr("&Browse..."), this);
    browse->setObjectName(QStringLiteral("browse"));
    auto* row = new QHBoxLayout;
    row->addWidget(path_, 1);
    row->addWidget(browse);
    form->addRow(mode == Mode::Dataset ? tr("New &folder:") : tr("F&ile:"), row);
    connect(browse, &QPushButton::clicked, this, &AnnotationFilesDialog::browse);

    if (mode == Mode::Import) {
        kind_ = new QComboBox(this);
        kind_->setObjectName(QStringLiteral("kind"));
        kind_->addItem(tr("Ground truth"), int(annotate::SetKind::GroundTruth));
        kind_->addItem(tr("Model run"), int(annotate::SetKind::ModelRun));
        kind_->addItem(tr("Reviewed"), int(annotate::SetKind::Reviewed));
        form->addRow(tr("&Kind:"), kind_);
        name_ = new QLineEdit(this);
        name_->setObjectName(QStringLiteral("name"));
        name_->setPlaceholderText(tr("the file's name"));
        form->addRow(tr("&Name:"), name_);
    }

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons_->button(QDialogButtonBox::Ok)
        ->setText(mode == Mode::Import ? tr("Import") : tr("Export"));
    form->addRow(buttons_);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(path_, &QLineEdit::textChanged, this, &AnnotationFilesDialog::updateOk);
    if (set_)
        connect(set_, &QComboBox::currentIndexChanged, this, &AnnotationFilesDialog::updateOk);
    updateOk();
}

void AnnotationFilesDialog::setSets(const std::vector<ProjectSetRow>& sets) {
    set_->clear();
    for (const ProjectSetRow& r : sets)
        set_->addItem(tr("%1 (%2, %3 objects)").arg(r.name, r.kind).arg(r.objects), qint64(r.id));
    if (sets.empty()) set_->addItem(tr("(the shown video has no sets)"), qint64(0));
    updateOk();
}

void AnnotationFilesDialog::setPath(const QString& path) { path_->setText(path); }

QString AnnotationFilesDialog::path() const { return path_->text().trimmed(); }

std::optional<fmt::Format> AnnotationFilesDialog::format() const {
    const int v = format_->currentData().toInt();
    if (v < 0) return std::nullopt;
    return fmt::Format(v);
}

annotate::SetKind AnnotationFilesDialog::kind() const {
    return kind_ ? annotate::SetKind(kind_->currentData().toInt()) : annotate::SetKind::GroundTruth;
}

QString AnnotationFilesDialog::setName() const { return name_ ? name_->text().trimmed() : QString(); }

int64_t AnnotationFilesDialog::setId() const {
    return set_ ? set_->currentData().toLongLong() : 0;
}

pipeline::DatasetImageFormat AnnotationFilesDialog::imageFormat() const {
    return images_ ? pipeline::DatasetImageFormat(images_->currentData().toInt())
                   : pipeline::DatasetImageFormat::Jpeg;
}

void AnnotationFilesDialog::updateOk() {
    const bool ok = !path().isEmpty() && (!set_ || setId() > 0);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

void AnnotationFilesDialog::browse() {
    auto* dlg = new QFileDialog(this, windowTitle());
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    const bool folder = mode_ == Mode::Dataset || isFolderFormat(format());
    if (mode_ == Mode::Import) {
        dlg->setFileMode(folder ? QFileDialog::Directory : QFileDialog::ExistingFile);
    } else if (folder) {
        // A new folder: the exporters write it whole (the dataset export refuses an existing one).
        dlg->setFileMode(QFileDialog::AnyFile);
        dlg->setAcceptMode(QFileDialog::AcceptSave);
    } else {
        dlg->setAcceptMode(QFileDialog::AcceptSave);
    }
    if (!path().isEmpty()) dlg->selectFile(path());
    connect(dlg, &QFileDialog::fileSelected, this, &AnnotationFilesDialog::setPath);
    dlg->open();
}

}  // namespace sl::gui
