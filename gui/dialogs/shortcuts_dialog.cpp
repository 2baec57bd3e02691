#include "dialogs/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <utility>

namespace sl::gui {

ShortcutsDialog::ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Keyboard Shortcuts"));
    auto* layout = new QVBoxLayout(this);
    auto* table = new QTableWidget(this);
    table->setColumnCount(2);
    table->setHorizontalHeaderLabels({tr("Keys"), tr("Action")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionMode(QAbstractItemView::NoSelection);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    for (QAction* a : actions) {
        if (a->shortcuts().isEmpty()) continue;
        QStringList keys;
        for (const QKeySequence& k : a->shortcuts()) keys << k.toString(QKeySequence::NativeText);
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(keys.join(QStringLiteral(",  "))));
        table->setItem(row, 1, new QTableWidgetItem(a->text().remove(QLatin1Char('&'))));
    }
    const int extra = table->rowCount();
    table->insertRow(extra);
    table->setItem(extra, 0, new QTableWidgetItem(tr("Wheel / drag / double-click")));
    table->setItem(extra, 1, new QTableWidgetItem(tr("Zoom at cursor / pan / fit to window")));
    const std::pair<QString, QString> mouse[] = {
        {tr("Click (Draw Zone / Draw Line)"), tr("Add a point; a line ends at its second point")},
        {tr("Double-click (Draw Zone)"), tr("Close the polygon")},
        {tr("Drag a vertex"), tr("Move it (counts and events re-evaluate at once)")},
        {tr("Right-click while drawing"), tr("Cancel the shape")},
        {tr("Click a box"), tr("Select its track (whole path and boxes over time)")},
    };
    for (const auto& [keys, what] : mouse) {
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(keys));
        table->setItem(row, 1, new QTableWidgetItem(what));
    }
    layout->addWidget(table);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(520, 560);
}

}  // namespace sl::gui
