#include "panels/detections_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace sl::gui {

DetectionsModel::DetectionsModel(const pipeline::ResultsStore* store, QObject* parent)
    : QAbstractTableModel(parent), store_(store) {}

int DetectionsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(rows_.size());
}

int DetectionsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DetectionsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(rows_.size())) return {};
    const Row& r = rows_[size_t(index.row())];
    if (role == FrameIndexRole) return qint64(r.frame);
    if (role == BoxIndexRole) return r.box;
    const QString label = r.classId >= 0 && size_t(r.classId) < labelNames_.size()
                              ? QString::fromStdString(labelNames_[size_t(r.classId)])
                              : QStringLiteral("class %1").arg(r.classId);
    if (role == SortRole) {
        switch (index.column()) {
        case Frame: return qint64(r.frame);
        case Time: return r.seconds;
        case Label: return label;
        case Score: return double(r.score);
        case Box: return double(r.rect.area());
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() != Label)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case Frame: return qint64(r.frame);
    case Time: return QString::number(r.seconds, 'f', 3);
    case Label: return label;
    case Score: return QString::number(double(r.score), 'f', 2);
    case Box:
        return QStringLiteral("%1,%2 %3x%4")
            .arg(int(r.rect.x1)).arg(int(r.rect.y1))
            .arg(int(r.rect.width())).arg(int(r.rect.height()));
    }
    return {};
}

QVariant DetectionsModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Frame: return tr("Frame");
    case Time: return tr("Time (s)");
    case Label: return tr("Label");
    case Score: return tr("Score");
    case Box: return tr("Box");
    }
    return {};
}

bool DetectionsModel::sameFrame(const pipeline::FrameDetections& a,
                                const pipeline::FrameDetections& b) {
    if (a.detections.size() != b.detections.size()) return false;
    for (size_t i = 0; i < a.detections.size(); ++i) {
        const auto &x = a.detections[i], &y = b.detections[i];
        if (x.classId != y.classId || x.score != y.score || x.box.x1 != y.box.x1 ||
            x.box.y1 != y.box.y1 || x.box.x2 != y.box.x2 || x.box.y2 != y.box.y2)
            return false;
    }
    return true;
}

void DetectionsModel::refresh() {
    const uint64_t v = store_->version();
    if (v == version_) return;
    version_ = v;
    labelNames_ = store_->labels();
    const std::vector<pipeline::FrameDetections> snap = store_->snapshot();

    // Incremental path: frames only added (the usual case while inference runs) become row
    // inserts; a frame removed or replaced with different boxes resets the model.
    bool reset = snap.size() < frames_.size();
    std::vector<const pipeline::FrameDetections*> added;
    if (!reset) {
        size_t kept = 0;
        for (const auto& f : snap) {
            auto it = frames_.find(f.frameIndex);
            if (it == frames_.end()) {
                added.push_back(&f);
            } else if (!sameFrame(it->second, f)) {
                reset = true;
                break;
            } else {
                ++kept;
            }
        }
        if (kept != frames_.size()) reset = true;
    }
    const auto rowsOf = [](const pipeline::FrameDetections& f, std::vector<Row>& out) {
        for (size_t i = 0; i < f.detections.size(); ++i) {
            const auto& d = f.detections[i];
            out.push_back({f.frameIndex, int(i), f.seconds, d.classId, d.score, d.box});
        }
    };
    if (reset) {
        beginResetModel();
        rows_.clear();
        frames_.clear();
        for (const auto& f : snap) {
            frames_.emplace(f.frameIndex, f);
            rowsOf(f, rows_);
        }
        endResetModel();
        return;
    }
    for (const pipeline::FrameDetections* f : added) {
        frames_.emplace(f->frameIndex, *f);
        if (f->detections.empty()) continue;
        const auto pos = std::lower_bound(rows_.begin(), rows_.end(), f->frameIndex,
                                          [](const Row& r, int64_t fi) { return r.frame < fi; });
        const int first = int(pos - rows_.begin());
        std::vector<Row> fresh;
        rowsOf(*f, fresh);
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        rows_.insert(rows_.begin() + first, fresh.begin(), fresh.end());
        endInsertRows();
    }
    // Labels may have arrived after the rows (setLabels when a model loads).
    if (!rows_.empty()) emit dataChanged(index(0, Label), index(int(rows_.size()) - 1, Label));
}

QStringList DetectionsModel::labels() const {
    std::set<QString> names;
    for (int i = 0; i < int(rows_.size()); ++i)
        names.insert(data(index(i, Label)).toString());
    return QStringList(names.begin(), names.end());
}

// ---- panel -----------------------------------------------------------------------------------

DetectionsPanel::DetectionsPanel(const pipeline::ResultsStore* store, QWidget* parent)
    : QDockWidget(tr("Detections List"), parent) {
    setObjectName(QStringLiteral("detectionsPanel"));
    model_ = new DetectionsModel(store, this);
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(DetectionsModel::SortRole);
    proxy_->setFilterKeyColumn(DetectionsModel::Label);

    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Label:"), body));
    labelFilter_ = new QComboBox(body);
    labelFilter_->setObjectName(QStringLiteral("labelFilter"));
    labelFilter_->addItem(tr("All labels"), QString());
    top->addWidget(labelFilter_, 1);
    countLabel_ = new QLabel(body);
    countLabel_->setObjectName(QStringLiteral("detectionCount"));
    top->addWidget(countLabel_);
    layout->addLayout(top);

    table_ = new QTableView(body);
    table_->setObjectName(QStringLiteral("detectionsTable"));
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(DetectionsModel::Frame, Qt::AscendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setDefaultSectionSize(20);
    table_->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table_, 1);
    setWidget(body);

    // A click (or Enter on the keyboard) jumps to the detection.
    connect(table_, &QTableView::clicked, this, &DetectionsPanel::onRowActivated);
    connect(table_, &QTableView::activated, this, &DetectionsPanel::onRowActivated);
    connect(labelFilter_, &QComboBox::currentIndexChanged, this, [this] {
        const QString label = labelFilter_->currentData().toString();
        proxy_->setFilterRegularExpression(
            label.isEmpty() ? QString()
                            : QStringLiteral("^%1$").arg(QRegularExpression::escape(label)));
        countLabel_->setText(tr("%n row(s)", nullptr, proxy_->rowCount()));
    });
    auto update = [this] {
        updateLabelChoices();
        countLabel_->setText(tr("%n row(s)", nullptr, proxy_->rowCount()));
    };
    connect(model_, &QAbstractItemModel::rowsInserted, this, update);
    connect(model_, &QAbstractItemModel::modelReset, this, update);
    poll_.setInterval(250);
    connect(&poll_, &QTimer::timeout, model_, &DetectionsModel::refresh);
    poll_.start();
    model_->refresh();
    update();
}

void DetectionsPanel::setLabelFilter(const QString& label) {
    updateLabelChoices();
    const int i = label.isEmpty() ? 0 : labelFilter_->findData(label);
    labelFilter_->setCurrentIndex(i < 0 ? 0 : i);
}

void DetectionsPanel::updateLabelChoices() {
    const QStringList labels = model_->labels();
    QStringList have;
    for (int i = 1; i < labelFilter_->count(); ++i) have << labelFilter_->itemData(i).toString();
    if (have == labels) return;
    const QString current = labelFilter_->currentData().toString();
    const QSignalBlocker block(labelFilter_);
    while (labelFilter_->count() > 1) labelFilter_->removeItem(1);
    for (const QString& l : labels) labelFilter_->addItem(l, l);
    const int i = labelFilter_->findData(current);
    labelFilter_->setCurrentIndex(i < 0 ? 0 : i);
}

void DetectionsPanel::onRowActivated(const QModelIndex& proxyIndex) {
    if (!proxyIndex.isValid()) return;
    const QModelIndex src = proxy_->mapToSource(proxyIndex);
    emit detectionActivated(model_->data(src, DetectionsModel::FrameIndexRole).toLongLong(),
                            model_->data(src, DetectionsModel::BoxIndexRole).toInt());
}

}  // namespace sl::gui
