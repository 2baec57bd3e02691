#include "dialogs/project_sets_dialog.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace sl::gui {

ProjectSetsDialog::ProjectSetsDialog(const QString& projectPath, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Load Results from Project"));
    resize(640, 360);
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(tr("Reading %1 ...").arg(QFileInfo(projectPath).fileName()), this);
    layout->addWidget(title_);
    table_ = new QTableWidget(0, 5, this);
    table_->setHorizontalHeaderLabels(
        {tr("Name"), tr("Kind"), tr("Model"), tr("Objects"), tr("Created")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table_->verticalHeader()->hide();
    layout->addWidget(table_, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    load_ = buttons->addButton(tr("Load"), QDialogButtonBox::AcceptRole);
    load_->setEnabled(false);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (const int64_t id = selectedSet(); id != 0) {
            emit loadRequested(id);
            accept();
        }
    });
    connect(table_, &QTableWidget::itemSelectionChanged, this,
            [this] { load_->setEnabled(selectedSet() != 0); });
    connect(table_, &QTableWidget::cellDoubleClicked, this, [this] {
        if (const int64_t id = selectedSet(); id != 0) {
            emit loadRequested(id);
            accept();
        }
    });
}

void ProjectSetsDialog::setSets(const std::vector<ProjectSetRow>& sets) {
    std::vector<ProjectSetRow> rows = sets;
    std::stable_sort(rows.begin(), rows.end(), [](const ProjectSetRow& a, const ProjectSetRow& b) {
        return a.createdAtMs > b.createdAtMs;
    });
    title_->setText(rows.empty() ? tr("The project has no annotation sets for this video yet.")
                                 : tr("%n set(s) for this video:", nullptr, int(rows.size())));
    table_->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        const ProjectSetRow& s = rows[size_t(r)];
        auto* name = new QTableWidgetItem(s.name);
        name->setData(Qt::UserRole, qint64(s.id));
        table_->setItem(r, 0, name);
        table_->setItem(r, 1, new QTableWidgetItem(s.kind));
        table_->setItem(r, 2, new QTableWidgetItem(s.model));
        table_->setItem(r, 3, new QTableWidgetItem(QString::number(s.objects)));
        table_->setItem(r, 4, new QTableWidgetItem(
                                  s.createdAtMs > 0
                                      ? QDateTime::fromMSecsSinceEpoch(s.createdAtMs)
                                            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                      : QString()));
    }
    if (!rows.empty()) table_->selectRow(0);
}

int64_t ProjectSetsDialog::selectedSet() const {
    const auto rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return 0;
    const QTableWidgetItem* item = table_->item(rows.first().row(), 0);
    return item ? item->data(Qt::UserRole).toLongLong() : 0;
}

int ProjectSetsDialog::rowCount() const { return table_->rowCount(); }

void ProjectSetsDialog::selectRow(int row) { table_->selectRow(row); }

}  // namespace sl::gui
