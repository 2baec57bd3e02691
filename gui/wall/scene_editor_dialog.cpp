#include "wall/scene_editor_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QRegularExpression>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "wall/wall_alerts.h"
#include "wall/wall_controller.h"

namespace sl::gui {
namespace {

const analytics::RuleKind kKinds[] = {analytics::RuleKind::ZoneEnter, analytics::RuleKind::ZoneExit,
                                      analytics::RuleKind::LineCross, analytics::RuleKind::Loiter,
                                      analytics::RuleKind::CountAbove,
                                      analytics::RuleKind::ClassPresent};
const char* const kSeverities[] = {"info", "warning", "critical"};
const analytics::Anchor kAnchors[] = {analytics::Anchor::BottomCentre, analytics::Anchor::Centre,
                                      analytics::Anchor::TopCentre, analytics::Anchor::BottomLeft,
                                      analytics::Anchor::BottomRight};
// The scene parser's own bounds (analytics/scene.cpp): what is saved must load back.
constexpr int kMaxHysteresis = 1000;
constexpr double kMaxSeconds = 1e7;

std::optional<int> parseFrames(const QString& text) {
    bool ok = false;
    const int v = text.trimmed().toInt(&ok);
    if (!ok || v < 1 || v > kMaxHysteresis) return std::nullopt;
    return v;
}

std::optional<double> parseSeconds(const QString& text) {
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v) || v < 0 || v > kMaxSeconds) return std::nullopt;
    return v;
}

bool isColor(const QString& text) {
    static const QRegularExpression re(QStringLiteral("^#[0-9a-fA-F]{6}$"));
    return re.match(text.trimmed()).hasMatch();
}

QString numberText(double v) { return QString::number(v, 'g', 10); }

QStringList splitClasses(const QString& text) {
    QStringList out;
    for (const QString& c : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!c.trimmed().isEmpty()) out << c.trimmed();
    return out;
}

}  // namespace

// ---- canvas ----------------------------------------------------------------------------------

SceneCanvas::SceneCanvas(SceneTool* tool, QWidget* parent) : QWidget(parent), tool_(tool) {
    setObjectName(QStringLiteral("sceneCanvas"));
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(320, 180);
    connect(tool_, &SceneTool::changed, this, qOverload<>(&QWidget::update));
}

void SceneCanvas::setPicture(const QImage& image, QSize source) {
    image_ = image;
    source_ = source;
    update();
}

QRectF SceneCanvas::pictureRect() const {
    if (source_.isEmpty()) return {};
    // The picture's display aspect (the image carries the sample aspect ratio applied).
    const double aspect = image_.isNull() ? double(source_.width()) / source_.height()
                                          : double(image_.width()) / image_.height();
    double w = width(), h = w / aspect;
    if (h > height()) {
        h = height();
        w = h * aspect;
    }
    return QRectF((width() - w) / 2, (height() - h) / 2, w, h);
}

void SceneCanvas::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(20, 21, 24));
    const QRectF r = pictureRect();
    if (!image_.isNull()) p.drawImage(r, image_);
    if (source_.isEmpty()) {
        p.setPen(QColor(200, 200, 200));
        p.drawText(rect(), Qt::AlignCenter, tr("No frame from this camera yet"));
        return;
    }
    tool_->paint(p, transform());
}

void SceneCanvas::mousePressEvent(QMouseEvent* e) {
    setFocus();
    tool_->press(e, transform());
}
void SceneCanvas::mouseMoveEvent(QMouseEvent* e) { tool_->move(e, transform()); }
void SceneCanvas::mouseReleaseEvent(QMouseEvent* e) { tool_->release(e, transform()); }
void SceneCanvas::mouseDoubleClickEvent(QMouseEvent* e) { tool_->doubleClick(e, transform()); }

// ---- dialog ----------------------------------------------------------------------------------

SceneEditorDialog::SceneEditorDialog(WallController* wall, const QString& camera, QWidget* parent)
    : QDialog(parent), wall_(wall), camera_(camera) {
    setObjectName(QStringLiteral("sceneEditorDialog"));
    setWindowTitle(tr("Zones and Rules: %1").arg(camera));
    tool_ = new SceneTool(this);
    canvas_ = new SceneCanvas(tool_, this);
    rules_ = new QTableWidget(0, kRuleColumns, this);
    rules_->setObjectName(QStringLiteral("rulesTable"));
    rules_->setHorizontalHeaderLabels({tr("Name"), tr("Kind"), tr("Target"), tr("Classes"),
                                       tr("Seconds"), tr("Count"), tr("Direction"),
                                       tr("Severity"), tr("Cooldown")});
    rules_->verticalHeader()->setVisible(false);
    rules_->setSelectionBehavior(QAbstractItemView::SelectRows);
    rules_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    rules_->horizontalHeader()->setStretchLastSection(true);
    shapesTable_ = new QTableWidget(0, kShapeColumns, this);
    shapesTable_->setObjectName(QStringLiteral("shapesTable"));
    shapesTable_->setHorizontalHeaderLabels({tr("Shape"), tr("Name"), tr("Classes"),
                                             tr("Anchor"), tr("Hysteresis (frames)"),
                                             tr("Loiter (s)"), tr("Colour")});
    shapesTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    shapesTable_->verticalHeader()->setVisible(false);
    shapesTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    shapesTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    shapesTable_->horizontalHeader()->setStretchLastSection(true);
    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("sceneError"));
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: #e05050"));

    auto* tools = new QHBoxLayout;
    auto* zone = new QPushButton(tr("Draw &Zone (Z)"), this);
    auto* line = new QPushButton(tr("Draw &Line (L)"), this);
    auto* del = new QPushButton(tr("&Delete Shape (Del)"), this);
    auto* add = new QPushButton(tr("&Add Rule"), this);
    auto* remove = new QPushButton(tr("&Remove Rule"), this);
    for (QPushButton* b : {zone, line}) b->setCheckable(true);
    tools->addWidget(zone);
    tools->addWidget(line);
    tools->addWidget(del);
    tools->addStretch(1);
    tools->addWidget(add);
    tools->addWidget(remove);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);

    auto* top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(canvas_);
    top->addWidget(shapesTable_);
    top->setStretchFactor(0, 4);
    top->setStretchFactor(1, 1);
    top->setSizes({560, 420});
    shapesTable_->setMinimumWidth(260);
    rules_->setMinimumHeight(150);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(rules_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({520, 190});
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(tools);
    layout->addWidget(split, 1);
    layout->addWidget(error_);
    layout->addWidget(buttons);

    const auto mode = [this](SceneTool::Mode m) {
        tool_->setMode(tool_->mode() == m ? SceneTool::Mode::Select : m);
    };
    connect(zone, &QPushButton::clicked, this, [=] { mode(SceneTool::Mode::DrawZone); });
    connect(line, &QPushButton::clicked, this, [=] { mode(SceneTool::Mode::DrawLine); });
    connect(tool_, &SceneTool::modeChanged, this, [zone, line](SceneTool::Mode m) {
        zone->setChecked(m == SceneTool::Mode::DrawZone);
        line->setChecked(m == SceneTool::Mode::DrawLine);
    });
    connect(del, &QPushButton::clicked, tool_, &SceneTool::deleteSelected);
    // Keys on the canvas, as in the single view (the window's own keys are not in this dialog).
    const auto key = [this](QKeySequence k, std::function<void()> fn) {
        auto* s = new QShortcut(k, canvas_);
        s->setContext(Qt::WidgetShortcut);
        connect(s, &QShortcut::activated, this, std::move(fn));
    };
    key(Qt::Key_Z, [=] { mode(SceneTool::Mode::DrawZone); });
    key(Qt::Key_L, [=] { mode(SceneTool::Mode::DrawLine); });
    key(Qt::Key_Delete, [this] { tool_->deleteSelected(); });
    connect(shapesTable_, &QTableWidget::itemChanged, this, &SceneEditorDialog::onShapeEdited);
    connect(shapesTable_, &QTableWidget::itemSelectionChanged, this, [this] {
        const auto sel = shapesTable_->selectionModel()->selectedRows();
        if (sel.isEmpty()) return;
        const int r = sel.first().row(), zones = int(shapes_.zones.size());
        tool_->select({r < zones ? SceneTool::Kind::Zone : SceneTool::Kind::Line,
                       r < zones ? r : r - zones});
    });
    connect(add, &QPushButton::clicked, this, &SceneEditorDialog::addRule);
    connect(remove, &QPushButton::clicked, this, [this] {
        const auto sel = rules_->selectionModel()->selectedRows();
        if (!sel.isEmpty()) rules_->removeRow(sel.first().row());
    });
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (save().isEmpty()) accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // The tile's latest frame, converted once at its own size: source pixels map 1:1.
    const media::VideoFrame frame = wall_->latestFrame(camera_);
    if (frame.valid())
        canvas_->setPicture(alertThumbnail(frame, {}, frame.width()),
                            QSize(frame.width(), frame.height()));
    const analytics::Scene start = wall_->scene(camera_).value_or(analytics::Scene{});
    shapes_ = start;
    shapes_.rules.clear();
    fillRules(start.rules);
    fillShapes();
    tool_->setAccess({[this] { return scene(); },
                      [this](analytics::Scene s, bool) { setScene(std::move(s)); }, [] {}});
    resize(1100, 760);
}

analytics::Scene SceneEditorDialog::scene() const {
    analytics::Scene s = shapes_;
    s.rules = tableRules();
    return s;
}

void SceneEditorDialog::setScene(analytics::Scene s) {
    const bool rulesChanged = s.rules != tableRules();   // a deleted shape took its rules along
    shapes_ = s;
    shapes_.rules.clear();
    if (rulesChanged) fillRules(s.rules);
    else refreshTargets();
    fillShapes();
    error_->clear();
}

void SceneEditorDialog::fillShapes() {
    QSignalBlocker block(shapesTable_);
    const auto classesText = [](const std::set<std::string>& classes) {
        QStringList l;
        for (const auto& c : classes) l << QString::fromStdString(c);
        return l.join(QStringLiteral(", "));
    };
    const auto fixed = [](const QString& text) {
        auto* item = new QTableWidgetItem(text);
        item->setFlags(item->flags() & ~Qt::ItemIsEditable);
        return item;
    };
    const int rows = int(shapes_.zones.size() + shapes_.lines.size());
    shapesTable_->setRowCount(rows);
    for (int r = 0; r < rows; ++r) {
        const bool zone = r < int(shapes_.zones.size());
        const size_t i = zone ? size_t(r) : size_t(r) - shapes_.zones.size();
        const std::string& name = zone ? shapes_.zones[i].name : shapes_.lines[i].name;
        const auto& classes = zone ? shapes_.zones[i].classes : shapes_.lines[i].classes;
        const analytics::Anchor anchor = zone ? shapes_.zones[i].anchor : shapes_.lines[i].anchor;
        const std::string& color = zone ? shapes_.zones[i].color : shapes_.lines[i].color;
        shapesTable_->setItem(r, kShapeKind, fixed(zone ? tr("zone") : tr("line")));
        shapesTable_->setItem(r, kShapeName, new QTableWidgetItem(QString::fromStdString(name)));
        shapesTable_->setItem(r, kShapeClasses, new QTableWidgetItem(classesText(classes)));
        auto* anchors = new QComboBox(shapesTable_);
        for (analytics::Anchor a : kAnchors)
            anchors->addItem(QString::fromLatin1(analytics::anchorName(a)), int(a));
        anchors->setCurrentIndex(std::max(0, anchors->findData(int(anchor))));
        anchors->setToolTip(tr("The point of a box that stands for the object"));
        connect(anchors, &QComboBox::currentIndexChanged, this, [this, anchors] {
            // The row is looked up at the time of the change: rows move when shapes go.
            for (int row = 0; row < shapesTable_->rowCount(); ++row) {
                if (shapesTable_->cellWidget(row, kShapeAnchor) != anchors) continue;
                const auto a = analytics::Anchor(anchors->currentData().toInt());
                const int zones = int(shapes_.zones.size());
                if (row < zones) shapes_.zones[size_t(row)].anchor = a;
                else if (size_t(row - zones) < shapes_.lines.size())
                    shapes_.lines[size_t(row - zones)].anchor = a;
            }
        });
        shapesTable_->setCellWidget(r, kShapeAnchor, anchors);
        if (zone) {
            shapesTable_->setItem(r, kShapeHysteresis,
                                  new QTableWidgetItem(QString::number(shapes_.zones[i].hysteresis)));
            shapesTable_->setItem(r, kShapeLoiter,
                                  new QTableWidgetItem(numberText(shapes_.zones[i].loiterSeconds)));
        } else {
            // A line has no inside: it crosses on the one observation that changes side.
            shapesTable_->setItem(r, kShapeHysteresis, fixed({}));
            shapesTable_->setItem(r, kShapeLoiter, fixed({}));
        }
        shapesTable_->setItem(r, kShapeColor, new QTableWidgetItem(QString::fromStdString(color)));
    }
}

void SceneEditorDialog::onShapeEdited(QTableWidgetItem* item) {
    const int r = item->row();
    const bool zone = r < int(shapes_.zones.size());
    const size_t i = zone ? size_t(r) : size_t(r) - shapes_.zones.size();
    if (!zone && i >= shapes_.lines.size()) return;
    std::string& name = zone ? shapes_.zones[i].name : shapes_.lines[i].name;
    auto& classes = zone ? shapes_.zones[i].classes : shapes_.lines[i].classes;
    std::string& color = zone ? shapes_.zones[i].color : shapes_.lines[i].color;
    if (item->column() == kShapeName) {
        const std::string renamed = item->text().trimmed().toStdString();
        if (renamed == name) return;
        // The rules aimed at it follow the new name (an empty or taken one is refused at Save).
        std::vector<analytics::Rule> rules = tableRules();
        for (auto& rule : rules)
            if (rule.target == name) rule.target = renamed;
        name = renamed;
        fillRules(rules);
    } else if (item->column() == kShapeClasses) {
        classes.clear();
        for (const QString& c : splitClasses(item->text())) classes.insert(c.toStdString());
    } else if (item->column() >= kShapeHysteresis) {
        // A bad value stays in the cell, marked, so it can be corrected; the shape keeps its
        // last good value and Save refuses while the cell is bad.
        const QString problem = shapeProblem();
        error_->setText(problem);
        const bool bad = [&] {
            const QString t = item->text();
            if (item->column() == kShapeHysteresis) return zone && !parseFrames(t);
            if (item->column() == kShapeLoiter) return zone && !parseSeconds(t);
            return !isColor(t);
        }();
        QSignalBlocker block(shapesTable_);
        item->setBackground(bad ? QBrush(QColor(120, 30, 30)) : QBrush());
        if (bad) return;
        if (item->column() == kShapeHysteresis && zone)
            shapes_.zones[i].hysteresis = *parseFrames(item->text());
        else if (item->column() == kShapeLoiter && zone)
            shapes_.zones[i].loiterSeconds = *parseSeconds(item->text());
        else if (item->column() == kShapeColor)
            color = item->text().trimmed().toLower().toStdString();
    }
    tool_->sceneReplaced();   // the canvas shows the new name
}

QString SceneEditorDialog::shapeProblem() const {
    const int zones = int(shapes_.zones.size());
    for (int r = 0; r < shapesTable_->rowCount(); ++r) {
        const bool zone = r < zones;
        const auto* nameItem = shapesTable_->item(r, kShapeName);
        const QString what = (zone ? tr("zone '%1'") : tr("line '%1'"))
                                 .arg(nameItem ? nameItem->text().trimmed() : QString());
        const auto text = [&](int column) {
            const auto* it = shapesTable_->item(r, column);
            return it ? it->text() : QString();
        };
        if (zone && !parseFrames(text(kShapeHysteresis)))
            return tr("%1: hysteresis '%2' is not a whole number of frames from 1 to %3")
                .arg(what, text(kShapeHysteresis))
                .arg(kMaxHysteresis);
        if (zone && !parseSeconds(text(kShapeLoiter)))
            return tr("%1: loiter '%2' is not a number of seconds from 0 (off) to %3")
                .arg(what, text(kShapeLoiter), QString::number(kMaxSeconds, 'f', 0));
        if (!isColor(text(kShapeColor)))
            return tr("%1: colour '%2' is not of the form #rrggbb").arg(what, text(kShapeColor));
    }
    return {};
}

QString SceneEditorDialog::ruleProblem(const analytics::Scene& scene) const {
    const std::vector<std::string> labels = wall_->labels();
    // Before the model is up the labels are unknown: the check waits for the next Save.
    const auto unknown = [&](const std::set<std::string>& classes) -> QString {
        if (labels.empty()) return {};
        for (const auto& c : classes)
            if (std::find(labels.begin(), labels.end(), c) == labels.end())
                return QString::fromStdString(c);
        return {};
    };
    const QString model = wall_->modelName();
    for (const auto& z : scene.zones)
        if (const QString c = unknown(z.classes); !c.isEmpty())
            return tr("zone '%1': classes: '%2' is not a class of the model %3")
                .arg(QString::fromStdString(z.name), c, model);
    for (const auto& l : scene.lines)
        if (const QString c = unknown(l.classes); !c.isEmpty())
            return tr("line '%1': classes: '%2' is not a class of the model %3")
                .arg(QString::fromStdString(l.name), c, model);
    for (const auto& r : scene.rules) {
        const QString name = QString::fromStdString(r.name);
        if (const QString c = unknown(r.classes); !c.isEmpty())
            return tr("rule '%1': classes: '%2' is not a class of the model %3")
                .arg(name, c, model);
        if (r.kind == analytics::RuleKind::Loiter && r.seconds <= 0) {
            // rule.seconds 0 means "the zone's own loiter seconds" (analytics/rule_engine.h).
            for (const auto& z : scene.zones)
                if (z.name == r.target && z.loiterSeconds <= 0)
                    return tr("rule '%1': a loiter rule needs seconds > 0, or zone '%2' its own "
                              "loiter seconds; as it is it never fires")
                        .arg(name, QString::fromStdString(z.name));
        }
    }
    return {};
}

void SceneEditorDialog::refreshTargets() {
    for (int r = 0; r < rules_->rowCount(); ++r) {
        auto* target = qobject_cast<QComboBox*>(rules_->cellWidget(r, kTarget));
        if (!target) continue;
        const QString current = target->currentData().toString();
        QSignalBlocker block(target);
        target->clear();
        target->addItem(tr("(whole frame)"), QString());
        for (const auto& z : shapes_.zones)
            target->addItem(tr("zone %1").arg(QString::fromStdString(z.name)),
                            QString::fromStdString(z.name));
        for (const auto& l : shapes_.lines)
            target->addItem(tr("line %1").arg(QString::fromStdString(l.name)),
                            QString::fromStdString(l.name));
        const int i = target->findData(current);
        target->setCurrentIndex(i >= 0 ? i : 0);
    }
}

void SceneEditorDialog::setRow(int row, const analytics::Rule& rule) {
    rules_->setItem(row, kName, new QTableWidgetItem(QString::fromStdString(rule.name)));
    auto* kind = new QComboBox(rules_);
    for (analytics::RuleKind k : kKinds)
        kind->addItem(QString::fromLatin1(analytics::ruleKindName(k)), int(k));
    kind->setCurrentIndex(std::max(0, kind->findData(int(rule.kind))));
    rules_->setCellWidget(row, kKind, kind);
    auto* target = new QComboBox(rules_);
    target->addItem(QString::fromStdString(rule.target), QString::fromStdString(rule.target));
    rules_->setCellWidget(row, kTarget, target);
    QStringList classes;
    for (const auto& c : rule.classes) classes << QString::fromStdString(c);
    rules_->setItem(row, kClasses, new QTableWidgetItem(classes.join(QStringLiteral(", "))));
    auto* seconds = new QDoubleSpinBox(rules_);
    seconds->setRange(0, 86400);
    seconds->setDecimals(1);
    seconds->setValue(rule.seconds);
    rules_->setCellWidget(row, kSeconds, seconds);
    auto* count = new QSpinBox(rules_);
    count->setRange(0, 100000);
    count->setValue(rule.count);
    rules_->setCellWidget(row, kCount, count);
    auto* direction = new QComboBox(rules_);
    direction->addItem(tr("both"), 0);
    direction->addItem(QStringLiteral("A->B"), 1);
    direction->addItem(QStringLiteral("B->A"), -1);
    direction->setCurrentIndex(std::max(0, direction->findData(rule.direction)));
    rules_->setCellWidget(row, kDirection, direction);
    auto* severity = new QComboBox(rules_);
    for (const char* s : kSeverities) severity->addItem(QString::fromLatin1(s));
    severity->setCurrentText(QString::fromStdString(rule.severity));
    rules_->setCellWidget(row, kSeverity, severity);
    auto* cooldown = new QDoubleSpinBox(rules_);
    cooldown->setRange(0, 86400);
    cooldown->setDecimals(1);
    cooldown->setSuffix(tr(" s"));
    cooldown->setValue(rule.cooldownSeconds);
    rules_->setCellWidget(row, kCooldown, cooldown);
}

void SceneEditorDialog::fillRules(const std::vector<analytics::Rule>& rules) {
    rules_->setRowCount(0);
    rules_->setRowCount(int(rules.size()));
    for (int r = 0; r < int(rules.size()); ++r) setRow(r, rules[size_t(r)]);
    refreshTargets();
}

std::vector<analytics::Rule> SceneEditorDialog::tableRules() const {
    std::vector<analytics::Rule> out;
    for (int r = 0; r < rules_->rowCount(); ++r) {
        analytics::Rule rule;
        const auto* name = rules_->item(r, kName);
        rule.name = name ? name->text().trimmed().toStdString() : std::string();
        if (auto* k = qobject_cast<QComboBox*>(rules_->cellWidget(r, kKind)))
            rule.kind = analytics::RuleKind(k->currentData().toInt());
        if (auto* t = qobject_cast<QComboBox*>(rules_->cellWidget(r, kTarget)))
            rule.target = t->currentData().toString().toStdString();
        if (const auto* c = rules_->item(r, kClasses))
            for (const QString& cls : splitClasses(c->text()))
                rule.classes.insert(cls.toStdString());
        if (auto* s = qobject_cast<QDoubleSpinBox*>(rules_->cellWidget(r, kSeconds)))
            rule.seconds = s->value();
        if (auto* n = qobject_cast<QSpinBox*>(rules_->cellWidget(r, kCount)))
            rule.count = n->value();
        if (auto* d = qobject_cast<QComboBox*>(rules_->cellWidget(r, kDirection)))
            rule.direction = d->currentData().toInt();
        if (auto* s = qobject_cast<QComboBox*>(rules_->cellWidget(r, kSeverity)))
            rule.severity = s->currentText().toStdString();
        if (auto* c = qobject_cast<QDoubleSpinBox*>(rules_->cellWidget(r, kCooldown)))
            rule.cooldownSeconds = c->value();
        out.push_back(std::move(rule));
    }
    return out;
}

int SceneEditorDialog::addRule() {
    analytics::Rule rule;
    std::set<std::string> used;
    for (const auto& r : tableRules()) used.insert(r.name);
    for (int n = rules_->rowCount() + 1;; ++n) {
        rule.name = tr("Rule %1").arg(n).toStdString();
        if (!used.count(rule.name)) break;
    }
    // The shape drawn last is what a new rule is most likely about.
    if (!shapes_.zones.empty()) {
        rule.kind = analytics::RuleKind::ZoneEnter;
        rule.target = shapes_.zones.back().name;
    } else if (!shapes_.lines.empty()) {
        rule.kind = analytics::RuleKind::LineCross;
        rule.target = shapes_.lines.back().name;
    } else {
        rule.kind = analytics::RuleKind::ClassPresent;
    }
    const int row = rules_->rowCount();
    rules_->insertRow(row);
    setRow(row, rule);
    refreshTargets();
    rules_->selectRow(row);
    return row;
}

QString SceneEditorDialog::save() {
    QString problem = shapeProblem();
    const analytics::Scene edited = scene();
    if (problem.isEmpty()) problem = ruleProblem(edited);
    if (problem.isEmpty()) problem = wall_->setScene(camera_, edited);
    error_->setText(problem);
    return problem;
}

}  // namespace sl::gui
