#include "panels/analytics_dock.h"

#include <QAction>
#include <QChart>
#include <QChartView>
#include <QColorDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QSlider>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <map>

#include "controller/track_controller.h"
#include "view/scene_tool.h"
#include "view/track_overlay.h"
#include "view/video_view.h"

namespace sl::gui {
namespace {

QTableWidget* makeTable(const QStringList& headers, QWidget* parent) {
    auto* t = new QTableWidget(parent);
    t->setColumnCount(int(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->horizontalHeader()->setStretchLastSection(true);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return t;
}

QTableWidgetItem* item(const QString& text, const QVariant& data = {}) {
    auto* i = new QTableWidgetItem(text);
    if (data.isValid()) i->setData(Qt::UserRole, data);
    return i;
}

QString seconds(double s) { return QStringLiteral("%1 s").arg(s, 0, 'f', 2); }

int64_t sum(const std::map<std::string, int64_t>& perLabel) {
    int64_t n = 0;
    for (const auto& [label, v] : perLabel) n += v;
    return n;
}

int64_t total(const std::map<std::string, std::map<std::string, int64_t>>& m,
              const std::string& name) {
    const auto it = m.find(name);
    return it == m.end() ? 0 : sum(it->second);
}

}  // namespace

AnalyticsDock::AnalyticsDock(TrackController* tracks, VideoView* view, Actions actions,
                             std::function<void(int64_t)> seek, QWidget* parent)
    : QDockWidget(tr("Tracks and Analytics"), parent), tracks_(tracks), view_(view),
      seek_(std::move(seek)) {
    setObjectName(QStringLiteral("analyticsDock"));
    tabs_ = new QTabWidget(this);

    tracksTable_ = makeTable({tr("Id"), tr("Class"), tr("First"), tr("Last"), tr("Duration"),
                              tr("Zones visited")}, tabs_);
    tracksTable_->setSortingEnabled(false);
    connect(tracksTable_, &QTableWidget::cellClicked, this, [this](int row, int) {
        const QTableWidgetItem* i = tracksTable_->item(row, 0);
        if (!i) return;
        tracks_->setSelectedTrack(i->data(Qt::UserRole).toLongLong());
        seek_(tracksTable_->item(row, 2)->data(Qt::UserRole).toLongLong());
    });
    tabs_->addTab(tracksTable_, tr("Tracks"));

    eventsTable_ = makeTable({tr("Time"), tr("Frame"), tr("Track"), tr("Zone / line"), tr("Event"),
                              tr("Direction")}, tabs_);
    connect(eventsTable_, &QTableWidget::cellClicked, this, [this](int row, int) {
        const QTableWidgetItem* i = eventsTable_->item(row, 1);
        if (!i) return;
        tracks_->setSelectedTrack(eventsTable_->item(row, 2)->data(Qt::UserRole).toLongLong());
        seek_(i->data(Qt::UserRole).toLongLong());
    });
    tabs_->addTab(eventsTable_, tr("Events"));

    auto* counts = new QWidget(tabs_);
    auto* cl = new QVBoxLayout(counts);
    countsTable_ = makeTable({tr("Zone / line"), tr("Total"), tr("Detail")}, counts);
    countsTable_->setMaximumHeight(150);
    cl->addWidget(countsTable_);
    chart_ = new QChartView(counts);
    chart_->setRenderHint(QPainter::Antialiasing);
    chart_->setMinimumHeight(200);
    chart_->chart()->legend()->setAlignment(Qt::AlignBottom);
    chart_->chart()->setMargins(QMargins(2, 2, 2, 2));
    cl->addWidget(chart_, 1);
    tabs_->addTab(counts, tr("Counts"));

    auto* scene = new QWidget(tabs_);
    auto* sl = new QVBoxLayout(scene);
    auto* tools = new QHBoxLayout;
    for (QAction* a : {actions.drawZone, actions.drawLine, actions.deleteShape, actions.trails,
                       actions.heatmap}) {
        if (!a) continue;
        auto* b = new QToolButton(scene);
        b->setDefaultAction(a);
        tools->addWidget(b);
    }
    tools->addStretch(1);
    sl->addLayout(tools);
    auto* op = new QHBoxLayout;
    op->addWidget(new QLabel(tr("Heatmap opacity"), scene));
    opacity_ = new QSlider(Qt::Horizontal, scene);
    opacity_->setRange(0, 100);
    opacity_->setValue(int(view_->heatmapOpacity() * 100));
    connect(opacity_, &QSlider::valueChanged, this,
            [this](int v) { view_->setHeatmapOpacity(v / 100.0); });
    op->addWidget(opacity_, 1);
    sl->addLayout(op);
    sceneTable_ = makeTable({tr("Name"), tr("Kind"), tr("Colour"), tr("Points")}, scene);
    sceneTable_->setEditTriggers(QAbstractItemView::DoubleClicked |
                                 QAbstractItemView::EditKeyPressed);
    connect(sceneTable_, &QTableWidget::cellChanged, this, &AnalyticsDock::onSceneItemChanged);
    connect(sceneTable_, &QTableWidget::cellDoubleClicked, this,
            &AnalyticsDock::onSceneDoubleClicked);
    connect(sceneTable_, &QTableWidget::cellClicked, this, [this](int row, int) {
        const QTableWidgetItem* i = sceneTable_->item(row, 1);
        if (!i) return;
        view_->sceneTool()->select({SceneTool::Kind(i->data(Qt::UserRole).toInt()),
                                    sceneTable_->item(row, 0)->data(Qt::UserRole).toInt()});
    });
    sl->addWidget(sceneTable_, 1);
    summary_ = new QLabel(scene);
    summary_->setWordWrap(true);
    sl->addWidget(summary_);
    tabs_->addTab(scene, tr("Scene"));

    setWidget(tabs_);
    connect(tracks_, &TrackController::analysisChanged, this, &AnalyticsDock::refresh);
    connect(tracks_, &TrackController::sceneChanged, this, &AnalyticsDock::refreshScene);
    refresh();
}

void AnalyticsDock::refresh() {
    refreshTracks();
    refreshEvents();
    refreshCounts();
    refreshScene();
}

void AnalyticsDock::refreshTracks() {
    const auto& a = tracks_->analysis();
    const auto list = a.tracks();
    tracksTable_->setRowCount(int(list.size()));
    int row = 0;
    for (const auto& t : list) {
        QStringList zones;
        for (const auto& z : t.zonesVisited) zones << QString::fromStdString(z);
        auto* id = item(QString::number(t.trackId), qint64(t.trackId));
        id->setForeground(TrackOverlay::trackColor(t.trackId));
        tracksTable_->setItem(row, 0, id);
        const std::string label = tracks_->store().label(t.classId);
        tracksTable_->setItem(row, 1, item(QString::fromStdString(label)));
        tracksTable_->setItem(row, 2, item(QString::number(t.firstFrame), qint64(t.firstFrame)));
        tracksTable_->setItem(row, 3, item(QString::number(t.lastFrame), qint64(t.lastFrame)));
        tracksTable_->setItem(row, 4, item(seconds(t.durationSeconds())));
        tracksTable_->setItem(row, 5, item(zones.join(QStringLiteral(", "))));
        ++row;
    }
}

void AnalyticsDock::refreshEvents() {
    const auto& events = tracks_->analysis().events();
    eventsTable_->setRowCount(int(events.size()));
    int row = 0;
    for (const auto& e : events) {
        eventsTable_->setItem(row, 0, item(seconds(e.seconds)));
        eventsTable_->setItem(row, 1, item(QString::number(e.frameIndex), qint64(e.frameIndex)));
        eventsTable_->setItem(row, 2, item(QStringLiteral("#%1 %2").arg(e.trackId)
                                               .arg(QString::fromStdString(e.label)),
                                           qint64(e.trackId)));
        eventsTable_->setItem(row, 3, item(QString::fromStdString(e.target)));
        eventsTable_->setItem(row, 4, item(QString::fromLatin1(analytics::eventKindName(e.kind))));
        eventsTable_->setItem(row, 5, item(e.kind != analytics::EventKind::LineCross ? QString()
                                           : e.direction > 0 ? QStringLiteral("A->B")
                                                             : QStringLiteral("B->A")));
        ++row;
    }
}

void AnalyticsDock::refreshCounts() {
    const auto& a = tracks_->analysis();
    const auto& samples = a.counts();
    const analytics::Scene& scene = a.scene();
    const analytics::CountsSample last =
        samples.empty() ? analytics::CountsSample{} : samples.back();
    countsTable_->setRowCount(int(scene.zones.size() + scene.lines.size()));
    int row = 0;
    for (const auto& z : scene.zones) {
        countsTable_->setItem(row, 0, item(QString::fromStdString(z.name)));
        countsTable_->setItem(row, 1, item(QString::number(total(last.entered, z.name))));
        countsTable_->setItem(row, 2, item(tr("entered; %1 inside at the end")
                                               .arg(total(last.inside, z.name))));
        ++row;
    }
    for (const auto& l : scene.lines) {
        const int64_t ab = total(last.crossedAB, l.name), ba = total(last.crossedBA, l.name);
        countsTable_->setItem(row, 0, item(QString::fromStdString(l.name)));
        countsTable_->setItem(row, 1, item(QString::number(ab + ba)));
        countsTable_->setItem(row, 2, item(tr("A->B %1, B->A %2").arg(ab).arg(ba)));
        ++row;
    }

    // The chart: cumulative counts per zone (entered) and line (both directions) over time.
    QChart* chart = chart_->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* axis : chart->axes()) chart->removeAxis(axis);
    auto* x = new QValueAxis;
    x->setTitleText(tr("time (s)"));
    auto* y = new QValueAxis;
    y->setLabelFormat(QStringLiteral("%d"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    double maxCount = 1, maxTime = 1;
    const auto addSeries = [&](const std::string& name, const std::string& color,
                               auto countAt) {
        auto* s = new QLineSeries;
        s->setName(QString::fromStdString(name));
        s->setColor(SceneTool::parseColor(color, Qt::white));
        // Only the points where the value changes (plus the ends): a step chart stays cheap on
        // long recordings.
        int64_t prev = -1;
        for (size_t i = 0; i < samples.size(); ++i) {
            const int64_t v = countAt(samples[i]);
            if (v != prev || i + 1 == samples.size()) {
                if (prev >= 0) s->append(samples[i].seconds, double(prev));
                s->append(samples[i].seconds, double(v));
                prev = v;
            }
            maxCount = std::max(maxCount, double(v));
            maxTime = std::max(maxTime, samples[i].seconds);
        }
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    };
    for (const auto& z : scene.zones)
        addSeries(z.name, z.color, [&](const analytics::CountsSample& c) {
            return total(c.entered, z.name);
        });
    for (const auto& l : scene.lines)
        addSeries(l.name, l.color, [&](const analytics::CountsSample& c) {
            return total(c.crossedAB, l.name) + total(c.crossedBA, l.name);
        });
    x->setRange(samples.empty() ? 0 : samples.front().seconds, maxTime);
    y->setRange(0, maxCount);
    // Integer counts: one tick per count up to 10, else about ten.
    y->setTickCount(int(std::min(maxCount, 10.0)) + 1);
}

QString AnalyticsDock::countText(const QString& name) const {
    for (int r = 0; r < countsTable_->rowCount(); ++r)
        if (countsTable_->item(r, 0) && countsTable_->item(r, 0)->text() == name)
            return countsTable_->item(r, 1)->text();
    return {};
}

void AnalyticsDock::refreshScene() {
    const analytics::Scene& s = tracks_->scene();
    filling_ = true;
    sceneTable_->setRowCount(int(s.zones.size() + s.lines.size()));
    int row = 0;
    const auto fill = [&](const std::string& name, SceneTool::Kind kind, int index,
                          const std::string& color, int points) {
        auto* n = item(QString::fromStdString(name), index);
        n->setFlags(n->flags() | Qt::ItemIsEditable);
        sceneTable_->setItem(row, 0, n);
        auto* k = item(kind == SceneTool::Kind::Zone ? tr("zone") : tr("line"), int(kind));
        k->setFlags(k->flags() & ~Qt::ItemIsEditable);
        sceneTable_->setItem(row, 1, k);
        auto* c = item(QString::fromStdString(color));
        c->setBackground(SceneTool::parseColor(color, Qt::white));
        c->setFlags(c->flags() & ~Qt::ItemIsEditable);
        sceneTable_->setItem(row, 2, c);
        auto* p = item(QString::number(points));
        p->setFlags(p->flags() & ~Qt::ItemIsEditable);
        sceneTable_->setItem(row, 3, p);
        ++row;
    };
    for (int i = 0; i < int(s.zones.size()); ++i)
        fill(s.zones[size_t(i)].name, SceneTool::Kind::Zone, i, s.zones[size_t(i)].color,
             int(s.zones[size_t(i)].polygon.size()));
    for (int i = 0; i < int(s.lines.size()); ++i)
        fill(s.lines[size_t(i)].name, SceneTool::Kind::Line, i, s.lines[size_t(i)].color, 2);
    filling_ = false;
    summary_->setText(tracks_->scenePath().isEmpty()
                          ? tr("Not saved (no local media file).")
                          : tr("Saved to %1").arg(tracks_->scenePath()));
}

void AnalyticsDock::onSceneItemChanged(int row, int column) {
    if (filling_ || column != 0) return;
    const QTableWidgetItem* n = sceneTable_->item(row, 0);
    const QTableWidgetItem* k = sceneTable_->item(row, 1);
    if (!n || !k) return;
    analytics::Scene s = tracks_->scene();
    const int index = n->data(Qt::UserRole).toInt();
    const std::string name = n->text().trimmed().toStdString();
    const bool zone = SceneTool::Kind(k->data(Qt::UserRole).toInt()) == SceneTool::Kind::Zone;
    // Names are unique across zones and lines (validateScene): refuse a clash, keep the old one.
    bool clash = name.empty();
    for (int i = 0; i < int(s.zones.size()); ++i)
        clash = clash || (s.zones[size_t(i)].name == name && !(zone && i == index));
    for (int i = 0; i < int(s.lines.size()); ++i)
        clash = clash || (s.lines[size_t(i)].name == name && !(!zone && i == index));
    if (clash) {
        QMetaObject::invokeMethod(this, &AnalyticsDock::refreshScene, Qt::QueuedConnection);
        return;
    }
    std::string& target = zone ? s.zones.at(size_t(index)).name : s.lines.at(size_t(index)).name;
    for (auto& r : s.rules)
        if (r.target == target) r.target = name;
    target = name;
    tracks_->setScene(std::move(s));
}

void AnalyticsDock::onSceneDoubleClicked(int row, int column) {
    if (column != 2) return;
    const QTableWidgetItem* n = sceneTable_->item(row, 0);
    const QTableWidgetItem* k = sceneTable_->item(row, 1);
    if (!n || !k) return;
    const int index = n->data(Qt::UserRole).toInt();
    const bool zone = SceneTool::Kind(k->data(Qt::UserRole).toInt()) == SceneTool::Kind::Zone;
    const analytics::Scene& current = tracks_->scene();
    const std::string& color = zone ? current.zones.at(size_t(index)).color
                                    : current.lines.at(size_t(index)).color;
    auto* dlg = new QColorDialog(SceneTool::parseColor(color, Qt::white), this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QColorDialog::colorSelected, this, [this, zone, index](const QColor& c) {
        analytics::Scene s = tracks_->scene();
        auto& target = zone ? s.zones.at(size_t(index)).color : s.lines.at(size_t(index)).color;
        target = c.name().toStdString();
        tracks_->setScene(std::move(s));
    });
    dlg->open();
}

}  // namespace sl::gui
