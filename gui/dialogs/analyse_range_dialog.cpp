#include "dialogs/analyse_range_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

#include "app/ui_task_hook.h"
#include "models/model_store.h"
#include "pipeline/analyze_runner.h"
#include "pipeline/detector.h"

namespace sl::gui {

AnalyseRangeDialog::AnalyseRangeDialog(QString input, int64_t frameCount,
                                       std::shared_ptr<pipeline::ResultsStore> store,
                                       QWidget* parent)
    : QDialog(parent), input_(std::move(input)), frameCount_(frameCount),
      store_(std::move(store)) {
    setObjectName(QStringLiteral("analyseRangeDialog"));
    setWindowTitle(tr("Analyse Range"));
    auto* form = new QFormLayout;
    model_ = new QComboBox(this);
    model_->setEditable(true);   // an .onnx path may be typed in
    for (const auto& m : models::ModelStore().list())
        model_->addItem(QString::fromStdString(m.name));
    form->addRow(tr("Model:"), model_);
    const int maxIndex = int(std::max<int64_t>(0, std::min<int64_t>(frameCount - 1, INT32_MAX)));
    from_ = new QSpinBox(this);
    to_ = new QSpinBox(this);
    from_->setRange(0, maxIndex);
    to_->setRange(0, maxIndex);
    to_->setValue(maxIndex);
    form->addRow(tr("From frame:"), from_);
    form->addRow(tr("To frame:"), to_);
    every_ = new QSpinBox(this);
    every_->setRange(1, 1000);
    every_->setToolTip(tr("Analyse every n-th frame of the range"));
    form->addRow(tr("Every n-th frame:"), every_);
    bar_ = new QProgressBar(this);
    bar_->setRange(0, 1);
    bar_->setValue(0);
    result_ = new QLabel(this);
    result_->setWordWrap(true);
    result_->setObjectName(QStringLiteral("analyseResult"));

    auto* buttons = new QDialogButtonBox(this);
    startButton_ = buttons->addButton(tr("Analyse"), QDialogButtonBox::AcceptRole);
    cancelButton_ = buttons->addButton(tr("Cancel"), QDialogButtonBox::RejectRole);
    cancelButton_->setEnabled(false);
    auto* close = buttons->addButton(QDialogButtonBox::Close);
    connect(startButton_, &QPushButton::clicked, this, &AnalyseRangeDialog::start);
    connect(cancelButton_, &QPushButton::clicked, this, &AnalyseRangeDialog::cancel);
    connect(close, &QPushButton::clicked, this, [this] {
        cancel();
        hide();
    });

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(bar_);
    layout->addWidget(result_);
    layout->addWidget(buttons);
    connect(this, &AnalyseRangeDialog::progress, this, [this](qint64 done, qint64 total) {
        bar_->setRange(0, int(std::max<qint64>(1, total)));
        bar_->setValue(int(std::min(done, total)));
    });
}

AnalyseRangeDialog::~AnalyseRangeDialog() {
    // The task borrows the store (a non-owning alias in WorkstationTools): it ends first.
    task_.cancel();
    task_.wait();
}

void AnalyseRangeDialog::setRange(int64_t first, int64_t last) {
    from_->setValue(int(first));
    to_->setValue(int(std::max(first, last)));
}

void AnalyseRangeDialog::setModel(const QString& nameOrPath) { model_->setCurrentText(nameOrPath); }

void AnalyseRangeDialog::setEvery(int every) { every_->setValue(every); }

QString AnalyseRangeDialog::resultText() const { return result_->text(); }

void AnalyseRangeDialog::start() {
    if (running_) return;
    if (model_->currentText().trimmed().isEmpty()) {
        onFinished(false, tr("No model installed: install one with `sightline models install`"));
        return;
    }
    running_ = true;
    startButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    result_->setText(tr("Loading the model..."));
    pipeline::AnalyzeOptions options;
    options.input = input_.toStdString();
    options.firstFrame = from_->value();
    options.lastFrame = std::max(from_->value(), to_->value());
    options.every = every_->value();
    const std::string model = model_->currentText().trimmed().toStdString();
    struct Outcome {
        pipeline::RunSummary summary;
        QString fallback;
    };
    pipeline::TaskSpec spec("analyse range", "analyse", [this](const pipeline::TaskProgress& p) {
        emit progress(p.done, p.total);
    });
    task_ = startUiTaskWithResult(
        this, std::move(spec),
        [options, model, store = store_](pipeline::TaskContext& ctx) -> Expected<Outcome> {
            // No usable OpenCL device: the CPU reference still works, slowly, and the result
            // says so. Any other failure (a bad model, a kernel error) is reported as it is,
            // unless the analyst cancelled meanwhile (then the failure is no news).
            QString fallback;
            auto detector = pipeline::Detector::load(model);
            if (!detector && detector.status().code() == StatusCode::Unavailable &&
                !ctx.cancelled()) {
                fallback = tr(" on the CPU reference (%1)")
                               .arg(QString::fromStdString(detector.status().message()));
                pipeline::DetectorOptions cpu;
                cpu.device = nn::Device::CpuReference;
                detector = pipeline::Detector::load(model, cpu);
            }
            if (ctx.cancelled()) return ctx.cancelledStatus();
            if (!detector) return detector.status();
            // A second stream keeps two frames in flight (pipeline/analyze_runner.h).
            auto sibling = (*detector)->createSibling();
            if (!sibling) return sibling.status();
            pipeline::Detector* const streams[] = {detector->get(), sibling->get()};
            auto summary = pipeline::runAnalyze(
                options, streams, *store,
                [&ctx](const pipeline::AnalyzeProgress& p) { ctx.progress(p.decoded, p.total); },
                ctx.cancelFlag());
            if (!summary) return summary.status();
            return Outcome{*summary, fallback};
        },
        [this](Expected<Outcome>& r) {
            if (r)
                onFinished(true, tr("Analysed %1 frames in %2 s (%3 fps), %4 with detections%5")
                                     .arg(r->summary.framesAnalysed)
                                     .arg(r->summary.seconds, 0, 'f', 1)
                                     .arg(r->summary.fps, 0, 'f', 1)
                                     .arg(r->summary.framesWithDetections)
                                     .arg(r->fallback));
            else if (r.status().code() == StatusCode::Cancelled)
                onFinished(false, tr("Analysis cancelled"));
            else
                onFinished(false, QString::fromStdString(r.status().message()));
        });
}

void AnalyseRangeDialog::onFinished(bool ok, const QString& message) {
    running_ = false;
    startButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    result_->setText(message);
    if (ok) bar_->setValue(bar_->maximum());
    emit finished(ok, message);
}

}  // namespace sl::gui
