#include "panels/clips_dock.h"

#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

#include "app/ui_task_hook.h"
#include "pipeline/clip_sidecar.h"
#include "pipeline/clip_store.h"
#include "wall/wall_controller.h"

namespace sl::gui {
namespace {

enum Column { kTime, kCamera, kRule, kDuration, kSize, kColumns };
constexpr int kVideoRole = Qt::UserRole + 1;

QString sizeText(int64_t bytes) { return QLocale().formattedDataSize(bytes); }

// The folder's clips with what their sidecars say, newest first (a worker thread's job).
std::vector<ClipRow> listClips(const QString& folder) {
    std::vector<ClipRow> rows;
    const pipeline::ClipStore store(folder.toStdString(), 0);
    for (const pipeline::ClipEntry& e : store.list()) {
        ClipRow r;
        r.video = QString::fromStdString(e.video.string());
        r.sidecar = QString::fromStdString(e.sidecar.string());
        r.bytes = e.bytes;
        r.time = QFileInfo(r.video).lastModified();
        auto side = pipeline::loadClipSidecar(e.sidecar);
        if (!side) {
            r.camera = r.rules = QStringLiteral("?");
            r.problem = QString::fromStdString(side.status().message());
        } else {
            r.camera = QString::fromStdString(side->source);
            r.seconds = side->durationSeconds;
            QStringList rules;
            for (const auto& a : side->alerts) {
                const QString rule = QString::fromStdString(a.rule);
                if (!rules.contains(rule)) rules << rule;
            }
            r.rules = rules.join(QStringLiteral(", "));
            if (!side->alerts.empty()) {
                const QDateTime t = QDateTime::fromString(
                    QString::fromStdString(side->alerts.front().wallTime), Qt::ISODateWithMs);
                if (t.isValid()) r.time = t.toLocalTime();
            }
        }
        rows.push_back(std::move(r));
    }
    std::reverse(rows.begin(), rows.end());   // the store lists the oldest first
    return rows;
}

}  // namespace

ClipsDock::ClipsDock(WallController* wall, QWidget* parent)
    : QDockWidget(tr("Clips"), parent), wall_(wall) {
    setObjectName(QStringLiteral("clipsDock"));
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    table_ = new QTableWidget(0, kColumns, body);
    table_->setObjectName(QStringLiteral("clipsTable"));
    table_->setHorizontalHeaderLabels(
        {tr("Time"), tr("Camera"), tr("Rule"), tr("Duration"), tr("Size")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table_, 1);
    summary_ = new QLabel(body);
    layout->addWidget(summary_);
    auto* buttons = new QHBoxLayout;
    auto* open = new QPushButton(tr("Open"), body);
    auto* del = new QPushButton(tr("Delete..."), body);
    auto* again = new QPushButton(tr("Refresh"), body);
    auto* settings = new QPushButton(tr("Settings..."), body);
    buttons->addWidget(open);
    buttons->addWidget(del);
    buttons->addStretch(1);
    buttons->addWidget(again);
    buttons->addWidget(settings);
    layout->addLayout(buttons);
    setWidget(body);

    connect(open, &QPushButton::clicked, this, &ClipsDock::openSelected);
    connect(del, &QPushButton::clicked, this, &ClipsDock::deleteSelected);
    connect(again, &QPushButton::clicked, this, &ClipsDock::refresh);
    connect(settings, &QPushButton::clicked, this, &ClipsDock::editSettings);
    connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        if (const QTableWidgetItem* i = table_->item(row, kTime))
            emit openRequested(i->data(kVideoRole).toString());
    });
    connect(wall_, &WallController::clipFinished, this, &ClipsDock::refresh);
    refresh();
}

QString ClipsDock::selectedVideo() const {
    const auto rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return {};
    const QTableWidgetItem* i = table_->item(rows.first().row(), kTime);
    return i ? i->data(kVideoRole).toString() : QString();
}

void ClipsDock::refresh() {
    if (listing_.valid() && !listing_.finished()) {
        again_ = true;   // a clip finished during the listing: list once more after it
        return;
    }
    listing_ = startUiTaskWithResult(
        this, pipeline::TaskSpec("list event clips", "clips"),
        [folder = wall_->clipsFolder()](pipeline::TaskContext&) -> Expected<std::vector<ClipRow>> {
            return listClips(folder);
        },
        [this](Expected<std::vector<ClipRow>>& rows) {
            if (rows) showRows(std::move(*rows));
            if (again_) {
                again_ = false;
                QMetaObject::invokeMethod(this, &ClipsDock::refresh, Qt::QueuedConnection);
            }
        });
}

void ClipsDock::showRows(std::vector<ClipRow> rows) {
    const QString selected = selectedVideo();
    rows_ = std::move(rows);
    table_->setRowCount(0);
    table_->setRowCount(int(rows_.size()));
    int64_t total = 0;
    for (int r = 0; r < int(rows_.size()); ++r) {
        const ClipRow& c = rows_[size_t(r)];
        total += c.bytes;
        const QString cells[kColumns] = {c.time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                                         c.camera, c.rules,
                                         QStringLiteral("%1 s").arg(c.seconds, 0, 'f', 1),
                                         sizeText(c.bytes)};
        for (int k = 0; k < kColumns; ++k) {
            auto* item = new QTableWidgetItem(cells[k]);
            item->setToolTip(c.problem.isEmpty() ? c.video : c.problem);
            table_->setItem(r, k, item);
        }
        table_->item(r, kTime)->setData(kVideoRole, c.video);
        if (c.video == selected) table_->selectRow(r);
    }
    summary_->setText(tr("%n clip(s), %1 in %2", nullptr, int(rows_.size()))
                          .arg(sizeText(total), wall_->clipsFolder()));
    emit refreshed();
}

void ClipsDock::openSelected() {
    const QString video = selectedVideo();
    if (!video.isEmpty()) emit openRequested(video);
}

bool ClipsDock::deleteSelected() {
    const QString video = selectedVideo();
    if (video.isEmpty()) return false;
    const auto answer = QMessageBox::question(
        this, tr("Delete Clip"),
        tr("Delete the clip %1 and its stored boxes?").arg(QFileInfo(video).fileName()));
    if (answer != QMessageBox::Yes) return false;
    // The wall's store knows the clips being written (never deleted); without one (no model
    // yet) the folder's own view does.
    pipeline::ClipStore folder(wall_->clipsFolder().toStdString(), 0);
    pipeline::ClipStore& store = wall_->clipStore() ? *wall_->clipStore() : folder;
    if (Status st = store.remove(video.toStdString()); !st) {
        emit wall_->errorOccurred(QString::fromStdString(st.message()));
        return false;
    }
    refresh();
    return true;
}

void ClipsDock::editSettings() {
    ClipSettings s = wall_->clipSettings();
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Clip Settings"));
    auto* form = new QFormLayout(&dialog);
    auto* enabled = new QCheckBox(tr("Record a clip for every alert"), &dialog);
    enabled->setChecked(s.enabled);
    auto* dir = new QLineEdit(s.folder(), &dialog);
    auto* browse = new QPushButton(tr("Browse..."), &dialog);
    auto* dirRow = new QHBoxLayout;
    dirRow->addWidget(dir, 1);
    dirRow->addWidget(browse);
    auto* pre = new QDoubleSpinBox(&dialog);
    auto* post = new QDoubleSpinBox(&dialog);
    for (QDoubleSpinBox* b : {pre, post}) {
        b->setRange(0, 600);
        b->setDecimals(1);
        b->setSuffix(tr(" s"));
    }
    pre->setValue(s.preSeconds);
    post->setValue(s.postSeconds);
    auto* quota = new QDoubleSpinBox(&dialog);
    quota->setRange(0, 1e7);
    quota->setDecimals(0);
    quota->setSuffix(tr(" MB"));
    quota->setSpecialValueText(tr("no quota"));
    quota->setValue(s.quotaMb);
    form->addRow(enabled);
    form->addRow(tr("Folder"), dirRow);
    form->addRow(tr("Before the alert"), pre);
    form->addRow(tr("After the alert"), post);
    form->addRow(tr("Quota"), quota);
    form->addRow(new QLabel(tr("Clips being written finish in the folder they began in."),
                            &dialog));
    auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(box);
    connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(browse, &QPushButton::clicked, &dialog, [&] {
        const QString d =
            QFileDialog::getExistingDirectory(&dialog, tr("Clips Folder"), dir->text());
        if (!d.isEmpty()) dir->setText(d);
    });
    if (dialog.exec() != QDialog::Accepted) return;
    s.enabled = enabled->isChecked();
    s.dir = dir->text().trimmed();
    s.preSeconds = pre->value();
    s.postSeconds = post->value();
    s.quotaMb = quota->value();
    wall_->setClipSettings(s);
    refresh();   // the folder may be another
}

}  // namespace sl::gui
