#include "panels/evaluation_dock.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QValueAxis>
#include <QVBoxLayout>

#include <limits>

#include "store/project_store.h"

namespace sl::gui {

namespace {

struct LayerRow {
    int64_t id = 0;
    std::string name;
    annotate::SetKind kind = annotate::SetKind::GroundTruth;
    int64_t objects = 0;
};

// As `sightline eval` prints them: 4 decimals, '-' where undefined (-1).
QString num(double v) { return v < 0 ? QStringLiteral("-") : QString::number(v, 'f', 4); }

QTableWidget* makeTable(const QString& name, const QStringList& headers, QWidget* parent) {
    auto* t = new QTableWidget(0, int(headers.size()), parent);
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

QTableWidgetItem* item(const QString& text, QVariant value = {}) {
    auto* i = new QTableWidgetItem(text);
    if (value.isValid()) i->setData(Qt::UserRole, value);
    return i;
}

}  // namespace

EvaluationDock::EvaluationDock(QWidget* parent)
    : QDockWidget(tr("Evaluation"), parent), jobs_(this) {
    setObjectName(QStringLiteral("evaluationDock"));
    auto* body = new QWidget(this);
    auto* layout = new QVBoxLayout(body);
    auto* form = new QFormLayout;
    gt_ = new QComboBox(body);
    gt_->setObjectName(QStringLiteral("evalGroundTruth"));
    pred_ = new QComboBox(body);
    pred_->setObjectName(QStringLiteral("evalPrediction"));
    form->addRow(tr("Ground truth"), gt_);
    form->addRow(tr("Prediction"), pred_);
    range_ = new QComboBox(body);
    range_->setObjectName(QStringLiteral("evalRange"));
    range_->addItems({tr("Whole media"), tr("Frame range")});
    first_ = new QSpinBox(body);
    first_->setObjectName(QStringLiteral("evalFirst"));
    last_ = new QSpinBox(body);
    last_->setObjectName(QStringLiteral("evalLast"));
    for (QSpinBox* s : {first_, last_}) s->setRange(0, std::numeric_limits<int>::max());
    marks_ = new QPushButton(tr("In/Out"), body);
    marks_->setObjectName(QStringLiteral("evalUseMarks"));
    marks_->setToolTip(tr("The frames between the in and out marks (Shift+I, Shift+O)"));
    auto* rangeRow = new QHBoxLayout;
    rangeRow->addWidget(range_);
    rangeRow->addWidget(first_);
    rangeRow->addWidget(new QLabel(QStringLiteral(".."), body));
    rangeRow->addWidget(last_);
    rangeRow->addWidget(marks_);
    form->addRow(tr("Frames"), rangeRow);
    iou_ = new QDoubleSpinBox(body);
    iou_->setObjectName(QStringLiteral("evalIou"));
    iou_->setRange(0.05, 1.0);
    iou_->setSingleStep(0.05);
    iou_->setDecimals(2);
    iou_->setValue(0.5);
    iou_->setToolTip(tr("The match threshold of CLEAR MOT and Identity (COCO uses .50:.95)"));
    form->addRow(tr("IoU threshold"), iou_);
    layout->addLayout(form);

    auto* runRow = new QHBoxLayout;
    run_ = new QPushButton(tr("Run"), body);
    run_->setObjectName(QStringLiteral("evalRun"));
    cancel_ = new QPushButton(tr("Cancel"), body);
    cancel_->setObjectName(QStringLiteral("evalCancel"));
    cancel_->setEnabled(false);
    progress_ = new QProgressBar(body);
    progress_->setObjectName(QStringLiteral("evalProgress"));
    progress_->setVisible(false);
    runRow->addWidget(run_);
    runRow->addWidget(cancel_);
    runRow->addWidget(progress_, 1);
    layout->addLayout(runRow);
    message_ = new QLabel(body);
    message_->setObjectName(QStringLiteral("evalMessage"));
    message_->setWordWrap(true);
    layout->addWidget(message_);

    auto* tabs = new QTabWidget(body);
    summary_ = makeTable(QStringLiteral("evalSummary"), {tr("Metric"), tr("Value")}, tabs);
    classes_ = makeTable(QStringLiteral("evalClasses"),
                         {tr("Class"), tr("GT boxes"), tr("AP"), tr("AP50"), tr("AP75")}, tabs);
    errors_ = makeTable(QStringLiteral("evalErrors"),
                        {tr("Frame"), tr("Error"), tr("Class"), tr("GT object/track"),
                         tr("Prediction object/track")},
                        tabs);
    auto* chartPage = new QWidget(tabs);
    auto* chartLayout = new QVBoxLayout(chartPage);
    chart_ = new QChartView(chartPage);
    chart_->setObjectName(QStringLiteral("evalChart"));
    chart_->setRenderHint(QPainter::Antialiasing);
    chart_->setMinimumHeight(200);
    iou75_ = new QCheckBox(tr("At IoU .75 (else .5)"), chartPage);
    iou75_->setObjectName(QStringLiteral("evalChartIou75"));
    chartLayout->addWidget(chart_, 1);
    chartLayout->addWidget(iou75_);
    tabs->addTab(summary_, tr("Summary"));
    tabs->addTab(classes_, tr("Classes"));
    tabs->addTab(errors_, tr("Errors"));
    tabs->addTab(chartPage, tr("Precision-Recall"));
    layout->addWidget(tabs, 1);
    setWidget(body);

    connect(run_, &QPushButton::clicked, this, &EvaluationDock::run);
    connect(cancel_, &QPushButton::clicked, this, &EvaluationDock::cancel);
    connect(range_, &QComboBox::currentIndexChanged, this, &EvaluationDock::updateRangeEnabled);
    connect(marks_, &QPushButton::clicked, this, [this] {
        if (!in_ && !out_) {
            showMessage(tr("No in or out mark is set (Shift+I, Shift+O on the video)"), true);
            return;
        }
        first_->setValue(int(in_.value_or(0)));
        last_->setValue(int(out_.value_or(std::max<int64_t>(0, frames_ - 1))));
        range_->setCurrentIndex(1);
    });
    connect(iou75_, &QCheckBox::toggled, this, &EvaluationDock::fillChart);
    connect(classes_, &QTableWidget::cellClicked, this, [this](int row, int) {
        classFilter_ = row <= 0 ? QString() : classes_->item(row, 0)->text();
        fillErrors();
        emit classSelected(classFilter_);
    });
    const auto activate = [this](int row, int) {
        if (QTableWidgetItem* i = errors_->item(row, 0))
            emit errorActivated(i->data(Qt::UserRole).toInt());
    };
    connect(errors_, &QTableWidget::cellClicked, this, activate);
    connect(errors_, &QTableWidget::cellActivated, this, activate);
    updateRangeEnabled();
    setProject({});
}

EvaluationDock::~EvaluationDock() { task_.cancel(); }

void EvaluationDock::updateRangeEnabled() {
    const bool r = range_->currentIndex() == 1;
    first_->setEnabled(r);
    last_->setEnabled(r);
}

void EvaluationDock::showMessage(const QString& text, bool error) {
    message_->setText(text);
    message_->setStyleSheet(error ? QStringLiteral("color: #e5484d;") : QString());
}

QString EvaluationDock::messageText() const { return message_->text(); }

void EvaluationDock::setProject(const QString& path) {
    if (path != path_) {
        cancel();
        jobs_.invalidate();
        setRunning(false);
    }
    path_ = path;
    mediaId_ = 0;
    gt_->clear();
    pred_->clear();
    if (path.isEmpty())
        showMessage(tr("Open a project (Project > Open Project) to evaluate its layers"), false);
    else
        showMessage(tr("Open the project's video: layers belong to a media"), false);
}

void EvaluationDock::setMedia(int64_t mediaId, int64_t frames) {
    mediaId_ = mediaId;
    frames_ = std::max<int64_t>(0, frames);
    if (frames_ > 0) {
        first_->setMaximum(int(std::min<int64_t>(frames_ - 1, std::numeric_limits<int>::max())));
        last_->setMaximum(first_->maximum());
        if (last_->value() == 0) last_->setValue(last_->maximum());
    }
    refreshLayers();
}

void EvaluationDock::setMarks(std::optional<int64_t> in, std::optional<int64_t> out) {
    in_ = in;
    out_ = out;
    marks_->setEnabled(in || out);
}

void EvaluationDock::refreshLayers() {
    if (path_.isEmpty() || mediaId_ == 0) return;
    jobs_.post<std::vector<LayerRow>>(
        "list the evaluation layers", path_,
        [media = mediaId_](store::ProjectStore& p) -> Expected<std::vector<LayerRow>> {
            std::vector<LayerRow> rows;
            for (const annotate::AnnotationSet& s : p.sets(media)) {
                auto n = p.objectCount(s.id);
                if (!n) return n.status();
                rows.push_back({s.id, s.name, s.kind, *n});
            }
            return rows;
        },
        [this](Expected<std::vector<LayerRow>>& r) {
            if (!r) {
                showMessage(QString::fromStdString(r.status().message()), true);
                return;
            }
            const qint64 keepGt = gt_->currentData().toLongLong();
            const qint64 keepPred = pred_->currentData().toLongLong();
            gt_->clear();
            pred_->clear();
            int64_t firstGt = 0, firstPred = 0;
            for (const LayerRow& row : *r) {
                const QString text = tr("%1 (%2, %3 objects)")
                                         .arg(QString::fromStdString(row.name),
                                              QString::fromLatin1(annotate::setKindName(row.kind)))
                                         .arg(row.objects);
                gt_->addItem(text, qint64(row.id));
                pred_->addItem(text, qint64(row.id));
                if (row.kind == annotate::SetKind::GroundTruth && firstGt == 0) firstGt = row.id;
                if (row.kind == annotate::SetKind::ModelRun && firstPred == 0) firstPred = row.id;
            }
            if (firstPred == 0)
                for (const LayerRow& row : *r)
                    if (row.id != firstGt && firstPred == 0) firstPred = row.id;
            if (!selectLayers(keepGt, keepPred)) selectLayers(firstGt, firstPred);
            if (r->size() < 2)
                showMessage(tr("The shown media has %n layer(s) in the project; an evaluation "
                               "needs a ground truth and a prediction (Project > Save Results "
                               "to Project, or `sightline project import`)",
                               nullptr, int(r->size())),
                            false);
            else if (!running_ && !result_)
                showMessage(tr("Pick the layers and press Run"), false);
            emit layersListed();
        });
}

bool EvaluationDock::selectLayers(int64_t gtSet, int64_t predSet) {
    const int g = gt_->findData(qint64(gtSet)), p = pred_->findData(qint64(predSet));
    if (g < 0 || p < 0) return false;
    gt_->setCurrentIndex(g);
    pred_->setCurrentIndex(p);
    return true;
}

void EvaluationDock::setRunning(bool running) {
    running_ = running;
    run_->setEnabled(!running);
    cancel_->setEnabled(running);
    progress_->setVisible(running);
    if (running) {
        progress_->setRange(0, 0);   // busy until the first step reports
        progress_->setFormat(tr("reading the layers"));
    }
}

void EvaluationDock::run() {
    if (running_) return;
    if (path_.isEmpty()) {
        showMessage(tr("Evaluation: no project is open (Project > Open Project)"), true);
        return;
    }
    if (mediaId_ == 0) {
        showMessage(tr("Evaluation: the project has no media shown; open its video first"), true);
        return;
    }
    EvaluationRequest request;
    request.gtSet = gt_->currentData().toLongLong();
    request.predSet = pred_->currentData().toLongLong();
    request.frames = frames_;
    request.iou = iou_->value();
    if (range_->currentIndex() == 1) {
        request.first = first_->value();
        request.last = last_->value();
        if (request.last < request.first) {
            showMessage(tr("Evaluation: the range %1..%2 is empty (the last frame is before the "
                           "first)")
                            .arg(request.first)
                            .arg(request.last),
                        true);
            return;
        }
    }
    cancelled_ = false;
    setRunning(true);
    showMessage(tr("Evaluating ..."), false);
    jobs_.post<EvaluationInput>(
        "read the evaluation layers", path_,
        [request](store::ProjectStore& p) { return loadEvaluationInput(p, request); },
        [this](Expected<EvaluationInput>& in) {
            if (!in || cancelled_) {
                setRunning(false);
                showMessage(cancelled_ ? tr("Evaluation cancelled")
                                       : QString::fromStdString(in.status().message()),
                            !cancelled_);
                return;
            }
            auto input = std::make_shared<const EvaluationInput>(std::move(*in));
            pipeline::TaskSpec spec("evaluate", "evaluate",
                                    [this](const pipeline::TaskProgress& p) {
                                        progress_->setRange(0, int(p.total));
                                        progress_->setValue(int(p.done));
                                        progress_->setFormat(QString::fromStdString(p.text));
                                    });
            task_ = jobs_.run<EvaluationResult>(
                std::move(spec),
                [input](pipeline::TaskContext& ctx) { return evaluate(*input, ctx); },
                [this](Expected<EvaluationResult>& r) {
                    setRunning(false);
                    if (!r) {
                        const bool c = r.status().code() == StatusCode::Cancelled;
                        showMessage(c ? tr("Evaluation cancelled")
                                      : QString::fromStdString(r.status().message()),
                                    !c);
                        return;
                    }
                    showResult(std::make_shared<const EvaluationResult>(std::move(*r)));
                });
        });
}

void EvaluationDock::cancel() {
    cancelled_ = true;
    task_.cancel();
}

void EvaluationDock::showResult(std::shared_ptr<const EvaluationResult> result) {
    result_ = std::move(result);
    const EvaluationResult& r = *result_;
    QString text = tr("'%1' against '%2', frames %3..%4: %5 errors")
                       .arg(QString::fromStdString(r.predName), QString::fromStdString(r.gtName))
                       .arg(r.first)
                       .arg(r.last)
                       .arg(r.markers.size());
    if (!r.note.empty()) text += QStringLiteral("\n") + QString::fromStdString(r.note);
    if (!r.tracked) text += tr("\nThe prediction has no track ids: tracking metrics left out");
    showMessage(text, false);

    summary_->setRowCount(0);
    const auto add = [this](const QString& name, const QString& value, double raw) {
        const int row = summary_->rowCount();
        summary_->insertRow(row);
        summary_->setItem(row, 0, item(name));
        summary_->setItem(row, 1, item(value, raw));
    };
    const auto count = [&](const QString& name, int64_t v) {
        add(name, QString::number(v), double(v));
    };
    for (int i = 0; i < 12; ++i)
        add(QString::fromLatin1(eval::cocoStatName(i)), num(r.coco.stats[size_t(i)]),
            r.coco.stats[size_t(i)]);
    count(tr("images"), r.coco.images);
    count(tr("GT boxes"), r.coco.groundTruth);
    count(tr("detections"), r.coco.detections);
    count(QStringLiteral("TP"), r.clear.tp);
    count(QStringLiteral("FP"), r.clear.fp);
    count(QStringLiteral("FN"), r.clear.fn);
    add(tr("recall"), num(r.clear.recall), r.clear.recall);
    add(tr("precision"), num(r.clear.precision), r.clear.precision);
    if (r.tracked) {
        add(QStringLiteral("MOTA"), num(r.clear.mota), r.clear.mota);
        add(QStringLiteral("MOTP"), num(r.clear.motp), r.clear.motp);
        add(QStringLiteral("IDF1"), num(r.identity.idf1), r.identity.idf1);
        add(QStringLiteral("IDP"), num(r.identity.idp), r.identity.idp);
        add(QStringLiteral("IDR"), num(r.identity.idr), r.identity.idr);
        add(QStringLiteral("HOTA"), num(r.hota.meanHota), r.hota.meanHota);
        add(QStringLiteral("DetA"), num(r.hota.meanDetA), r.hota.meanDetA);
        add(QStringLiteral("AssA"), num(r.hota.meanAssA), r.hota.meanAssA);
        add(QStringLiteral("LocA"), num(r.hota.meanLocA), r.hota.meanLocA);
        count(QStringLiteral("IDSW"), r.clear.idsw);
        count(QStringLiteral("Frag"), r.clear.frag);
        count(QStringLiteral("MT"), r.clear.mt);
        count(QStringLiteral("PT"), r.clear.pt);
        count(QStringLiteral("ML"), r.clear.ml);
        count(tr("GT tracks"), r.clear.gtTracks);
    }
    summary_->resizeColumnsToContents();

    classes_->setRowCount(0);
    classes_->insertRow(0);
    classes_->setItem(0, 0, item(tr("(all classes)")));
    for (const eval::CocoClassResult& c : r.coco.classes) {
        const int row = classes_->rowCount();
        classes_->insertRow(row);
        classes_->setItem(row, 0, item(QString::fromStdString(c.label)));
        classes_->setItem(row, 1, item(QString::number(c.groundTruth), qint64(c.groundTruth)));
        classes_->setItem(row, 2, item(num(c.ap), c.ap));
        classes_->setItem(row, 3, item(num(c.ap50), c.ap50));
        classes_->setItem(row, 4, item(num(c.ap75), c.ap75));
    }
    classes_->resizeColumnsToContents();
    classFilter_.clear();
    fillErrors();
    fillChart();
    emit evaluated();
}

void EvaluationDock::fillErrors() {
    errors_->setRowCount(0);
    if (!result_) return;
    const std::string label = classFilter_.toStdString();
    const auto pair = [](int64_t id, int64_t track) {
        return QStringLiteral("%1 / %2").arg(id).arg(track < 0 ? QStringLiteral("-")
                                                               : QString::number(track));
    };
    for (size_t i = 0; i < result_->markers.size(); ++i) {
        const TimelineMarker& m = result_->markers[i];
        if (!label.empty() && m.label != label) continue;
        const int row = errors_->rowCount();
        errors_->insertRow(row);
        errors_->setItem(row, 0, item(QString::number(m.frame), int(i)));
        errors_->setItem(row, 1, item(tr(markerKindText(m.kind))));
        errors_->setItem(row, 2, item(QString::fromStdString(m.label)));
        errors_->setItem(row, 3,
                         item(m.kind == eval::FrameError::Kind::FalsePositive
                                  ? QString()
                                  : pair(m.gtObjectId, m.gtTrackId)));
        errors_->setItem(
            row, 4,
            item(m.kind == eval::FrameError::Kind::Miss ? QString()
                                                        : pair(m.predObjectId, m.predTrackId)));
    }
}

void EvaluationDock::fillChart() {
    auto* chart = new QChart;
    chart->setTitle(iou75_->isChecked() ? tr("Precision-recall at IoU .75")
                                        : tr("Precision-recall at IoU .50"));
    auto* x = new QValueAxis;
    auto* y = new QValueAxis;
    x->setRange(0, 1);
    y->setRange(0, 1.05);
    x->setTitleText(tr("recall"));
    y->setTitleText(tr("precision"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    if (result_) {
        for (const eval::CocoClassResult& c : result_->coco.classes) {
            if (c.groundTruth <= 0) continue;
            auto* s = new QLineSeries;
            s->setName(QString::fromStdString(c.label));
            const auto& pr = iou75_->isChecked() ? c.precision75 : c.precision50;
            for (size_t i = 0; i < pr.size(); ++i)
                if (pr[i] >= 0) s->append(double(i) / 100.0, pr[i]);
            chart->addSeries(s);
            s->attachAxis(x);
            s->attachAxis(y);
        }
    }
    QChart* old = chart_->chart();
    chart_->setChart(chart);
    delete old;
}

QString EvaluationDock::summaryText(const QString& metric) const {
    for (int row = 0; row < summary_->rowCount(); ++row)
        if (summary_->item(row, 0)->text() == metric) return summary_->item(row, 1)->text();
    return {};
}

}  // namespace sl::gui
