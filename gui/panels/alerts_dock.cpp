#include "panels/alerts_dock.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSystemTrayIcon>
#include <QTableWidget>
#include <QVBoxLayout>

#include <set>

#include "wall/wall_controller.h"

namespace sl::gui {
namespace {

enum Column { kTime, kSource, kRule, kSeverity, kClip, kMessage, kColumns };
constexpr int kIdRole = Qt::UserRole + 1;
constexpr const char* kNotifyKey = "wall/alerts/notify";
constexpr const char* kSoundKey = "wall/alerts/sound";
const QString kAll = QStringLiteral("*");

QColor severityColor(const std::string& s) {
    if (s == "critical") return QColor(200, 50, 50);
    if (s == "warning") return QColor(210, 150, 30);
    return QColor(80, 120, 200);
}

}  // namespace

AlertsDock::AlertsDock(WallController* wall, QWidget* parent)
    : QDockWidget(tr("Alerts"), parent), wall_(wall) {
    setObjectName(QStringLiteral("alertsDock"));
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);

    auto* filters = new QHBoxLayout;
    source_ = new QComboBox(body);
    rule_ = new QComboBox(body);
    source_->addItem(tr("All cameras"), kAll);
    rule_->addItem(tr("All rules"), kAll);
    filters->addWidget(source_, 1);
    filters->addWidget(rule_, 1);
    layout->addLayout(filters);

    table_ = new QTableWidget(0, kColumns, body);
    table_->setHorizontalHeaderLabels({tr("Time"), tr("Camera"), tr("Rule"), tr("Severity"),
                                       tr("Clip"), tr("Message")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setIconSize(QSize(96, 72));
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(76);
    table_->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table_, 1);

    auto* buttons = new QHBoxLayout;
    auto* ack = new QPushButton(tr("Acknowledge"), body);
    auto* ackAll = new QPushButton(tr("Acknowledge All"), body);
    notify_ = new QCheckBox(tr("Desktop notification"), body);
    sound_ = new QCheckBox(tr("Sound"), body);
    buttons->addWidget(ack);
    buttons->addWidget(ackAll);
    buttons->addStretch(1);
    buttons->addWidget(notify_);
    buttons->addWidget(sound_);
    layout->addLayout(buttons);
    setWidget(body);

    QSettings settings;
    notify_->setChecked(settings.value(QLatin1String(kNotifyKey), false).toBool());
    sound_->setChecked(settings.value(QLatin1String(kSoundKey), false).toBool());
    if (!QSystemTrayIcon::isSystemTrayAvailable()) {
        notify_->setEnabled(false);
        notify_->setToolTip(tr("This desktop has no system tray to show notifications in"));
    } else {
        tray_ = new QSystemTrayIcon(QApplication::windowIcon(), this);
    }
    connect(notify_, &QCheckBox::toggled, this, [this](bool on) {
        QSettings().setValue(QLatin1String(kNotifyKey), on);
        if (tray_) tray_->setVisible(on);
    });
    if (tray_) tray_->setVisible(notify_->isChecked());
    connect(sound_, &QCheckBox::toggled, this,
            [](bool on) { QSettings().setValue(QLatin1String(kSoundKey), on); });
    connect(ack, &QPushButton::clicked, this, &AlertsDock::acknowledgeSelected);
    connect(ackAll, &QPushButton::clicked, wall_, &WallController::acknowledgeAll);
    auto* enter = new QShortcut(QKeySequence(Qt::Key_Return), table_);
    enter->setContext(Qt::WidgetShortcut);
    connect(enter, &QShortcut::activated, this, &AlertsDock::acknowledgeSelected);
    // A row whose clip is written opens it (the window plays it with its stored boxes).
    connect(table_, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        const QString clip = clipAt(row);
        if (!clip.isEmpty()) emit clipRequested(clip);
    });
    connect(source_, &QComboBox::currentIndexChanged, this, &AlertsDock::applyFilters);
    connect(rule_, &QComboBox::currentIndexChanged, this, &AlertsDock::applyFilters);
    connect(wall_, &WallController::alertRaised, this, &AlertsDock::onAlert);
    connect(wall_, &WallController::alertsChanged, this, &AlertsDock::rebuild);
    connect(wall_, &WallController::sourcesChanged, this, &AlertsDock::rebuild);
    rebuild();
}

int64_t AlertsDock::alertIdAt(int row) const {
    const QTableWidgetItem* item = table_->item(row, kTime);
    return item ? item->data(kIdRole).toLongLong() : -1;
}

QString AlertsDock::clipAt(int row) const {
    const QTableWidgetItem* item = table_->item(row, kClip);
    return item ? item->data(kIdRole).toString() : QString();
}

int AlertsDock::visibleRows() const {
    int n = 0;
    for (int r = 0; r < table_->rowCount(); ++r) n += !table_->isRowHidden(r);
    return n;
}

void AlertsDock::acknowledgeSelected() {
    std::set<int> rows;
    for (const QModelIndex& i : table_->selectionModel()->selectedRows()) rows.insert(i.row());
    for (int r : rows) wall_->acknowledge(alertIdAt(r));
}

void AlertsDock::rebuild() {
    // Filter choices: every camera on the wall and every rule seen so far.
    const QString source = source_->currentData().toString(), rule = rule_->currentData().toString();
    QSignalBlocker b1(source_), b2(rule_);
    std::set<QString> cameras, rules;
    for (const QString& n : wall_->sources()) cameras.insert(n);
    for (const WallAlert& a : wall_->alerts()) {
        cameras.insert(a.source);
        rules.insert(QString::fromStdString(a.alert.rule));
    }
    source_->clear();
    rule_->clear();
    source_->addItem(tr("All cameras"), kAll);
    rule_->addItem(tr("All rules"), kAll);
    for (const QString& c : cameras) source_->addItem(c, c);
    for (const QString& r : rules) rule_->addItem(r, r);
    source_->setCurrentIndex(std::max(0, source_->findData(source)));
    rule_->setCurrentIndex(std::max(0, rule_->findData(rule)));

    table_->setRowCount(0);
    for (const WallAlert& a : wall_->alerts()) {
        table_->insertRow(0);   // newest on top
        const QString cells[kColumns] = {
            a.wallTime.toString(QStringLiteral("HH:mm:ss")), a.source,
            QString::fromStdString(a.alert.rule), QString::fromStdString(a.alert.severity),
            a.clipPath.isEmpty() ? QString() : QFileInfo(a.clipPath).fileName(),
            QString::fromStdString(a.alert.message)};
        for (int c = 0; c < kColumns; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (a.acknowledged) item->setForeground(QColor(130, 130, 130));
            table_->setItem(0, c, item);
        }
        table_->item(0, kTime)->setData(kIdRole, qlonglong(a.id));
        table_->item(0, kClip)->setData(kIdRole, a.clipPath);
        table_->item(0, kClip)->setToolTip(a.clipPath);
        table_->item(0, kTime)->setToolTip(a.wallTime.toString(Qt::ISODateWithMs));
        if (!a.thumbnail.isNull())
            table_->item(0, kTime)->setIcon(QIcon(QPixmap::fromImage(a.thumbnail)));
        if (!a.acknowledged)
            table_->item(0, kSeverity)->setBackground(severityColor(a.alert.severity));
    }
    applyFilters();
}

void AlertsDock::onAlert(const WallAlert& a) {
    rebuild();
    const QString text = QString::fromStdString(a.alert.message);
    if (notify_->isChecked() && tray_) {
        tray_->showMessage(tr("%1: %2").arg(a.source, QString::fromStdString(a.alert.rule)), text,
                           a.alert.severity == "critical" ? QSystemTrayIcon::Critical
                                                          : QSystemTrayIcon::Warning);
        ++notified_;
    }
    if (sound_->isChecked()) QApplication::beep();
}

void AlertsDock::applyFilters() {
    const QString source = source_->currentData().toString(), rule = rule_->currentData().toString();
    for (int r = 0; r < table_->rowCount(); ++r) {
        const bool show = (source == kAll || table_->item(r, kSource)->text() == source) &&
                          (rule == kAll || table_->item(r, kRule)->text() == rule);
        table_->setRowHidden(r, !show);
    }
    updateTitle();
}

void AlertsDock::updateTitle() {
    const int n = wall_->unacknowledged();
    setWindowTitle(n > 0 ? tr("Alerts (%1)").arg(n) : tr("Alerts"));
}

}  // namespace sl::gui
