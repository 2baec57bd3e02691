#include "panels/layers_dock.h"

#include <QColorDialog>
#include <QHeaderView>
#include <QPixmap>
#include <QSlider>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "review/review_session.h"

namespace sl::gui {

namespace {

QIcon swatch(const QColor& c) {
    QPixmap pm(14, 14);
    pm.fill(c);
    return QIcon(pm);
}

QString kindText(annotate::SetKind k) {
    switch (k) {
    case annotate::SetKind::GroundTruth: return LayersDock::tr("ground truth (solid)");
    case annotate::SetKind::ModelRun: return LayersDock::tr("predictions (dashed)");
    case annotate::SetKind::Reviewed: return LayersDock::tr("reviewed (solid)");
    }
    return {};
}

}  // namespace

LayersDock::LayersDock(ReviewSession* session, QWidget* parent)
    : QDockWidget(tr("Layers"), parent), session_(session), tree_(new QTreeWidget(this)) {
    setObjectName(QStringLiteral("layersDock"));
    tree_->setObjectName(QStringLiteral("layers"));
    tree_->setColumnCount(4);
    tree_->setHeaderLabels({tr("Layer"), tr("Kind"), tr("Opacity"), tr("Edit")});
    tree_->setRootIsDecorated(false);
    tree_->header()->setSectionResizeMode(Name, QHeaderView::Stretch);
    tree_->setToolTip(tr("Tick to show a layer; double-click its colour to change it; the Edit "
                         "column picks where new boxes and accepted predictions go"));
    setWidget(tree_);
    connect(session_, &ReviewSession::layersChanged, this, &LayersDock::rebuild);
    connect(tree_, &QTreeWidget::itemChanged, this, &LayersDock::onItemChanged);
    connect(tree_, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem* item, int col) {
        if (col != Name) return;
        const int64_t id = item->data(Name, Qt::UserRole).toLongLong();
        const ReviewLayer* l = session_->layer(id);
        if (!l) return;
        auto* dlg = new QColorDialog(l->color, this);
        dlg->setAttribute(Qt::WA_DeleteOnClose);
        connect(dlg, &QColorDialog::colorSelected, this,
                [this, id](const QColor& c) { session_->setLayerColor(id, c); });
        dlg->open();
    });
    rebuild();
}

void LayersDock::rebuild() {
    rebuilding_ = true;
    tree_->clear();
    for (const ReviewLayer& l : session_->layers()) {
        auto* item = new QTreeWidgetItem(tree_);
        const int64_t id = l.set.id;
        item->setData(Name, Qt::UserRole, qlonglong(id));
        item->setText(Name, QString::fromStdString(l.set.name));
        item->setIcon(Name, swatch(l.color));
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Name, l.visible ? Qt::Checked : Qt::Unchecked);
        item->setText(Kind, kindText(l.set.kind));
        if (l.editable()) item->setCheckState(Target, id == session_->editTarget()
                                                          ? Qt::Checked : Qt::Unchecked);
        auto* slider = new QSlider(Qt::Horizontal, tree_);
        slider->setObjectName(QStringLiteral("opacity%1").arg(id));
        slider->setRange(0, 100);
        slider->setValue(int(l.opacity * 100 + 0.5));
        slider->setMaximumWidth(90);
        connect(slider, &QSlider::valueChanged, this,
                [this, id](int v) { session_->setLayerOpacity(id, v / 100.0); });
        tree_->setItemWidget(item, Opacity, slider);
    }
    rebuilding_ = false;
}

void LayersDock::onItemChanged(QTreeWidgetItem* item, int column) {
    if (rebuilding_) return;
    const int64_t id = item->data(Name, Qt::UserRole).toLongLong();
    if (column == Name) {
        // Queued: setLayerVisible rebuilds this tree, which must not happen inside its signal.
        const bool on = item->checkState(Name) == Qt::Checked;
        QMetaObject::invokeMethod(this, [this, id, on] { session_->setLayerVisible(id, on); },
                                  Qt::QueuedConnection);
    } else if (column == Target && item->checkState(Target) == Qt::Checked) {
        QMetaObject::invokeMethod(this, [this, id] { session_->setEditTarget(id); },
                                  Qt::QueuedConnection);
    }
}

}  // namespace sl::gui
