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
    cancel_ = true;
    if (thread_.joinable()) thread_.join();
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
    if (thread_.joinable()) thread_.join();
    running_ = true;
    cancel_ = false;
    startButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    result_->setText(tr("Loading the model..."));
    pipeline::AnalyzeOptions options;
    options.input = input_.toStdString();
    options.firstFrame = from_->value();
    options.lastFrame = std::max(from_->value(), to_->value());
    options.every = every_->value();
    const std::string model = model_->currentText().trimmed().toStdString();
    thread_ = std::thread([this, options, model, store = store_] {
        // All signals are queued onto this dialog: dropped if it is gone (its destructor joins
        // this thread before the QObject dies, so `this` stays valid in here).
        const auto post = [this](bool ok, QString message) {
            QMetaObject::invokeMethod(
                this, [this, ok, message] { onFinished(ok, message); }, Qt::QueuedConnection);
        };
        // No usable OpenCL device: the CPU reference still works, slowly, and the result says
        // so. Any other failure (a bad model, a kernel error) is reported as it is.
        QString fallback;
        auto detector = pipeline::Detector::load(model);
        if (!detector && detector.status().code() == StatusCode::Unavailable) {
            fallback = tr(" on the CPU reference (%1)")
                           .arg(QString::fromStdString(detector.status().message()));
            pipeline::DetectorOptions cpu;
            cpu.device = nn::Device::CpuReference;
            detector = pipeline::Detector::load(model, cpu);
        }
        if (!detector) return post(false, QString::fromStdString(detector.status().message()));
        // A second stream keeps two frames in flight (pipeline/analyze_runner.h).
        auto sibling = (*detector)->createSibling();
        if (!sibling) return post(false, QString::fromStdString(sibling.status().message()));
        if (cancel_) return post(false, tr("Analysis cancelled"));
        pipeline::Detector* const streams[] = {detector->get(), sibling->get()};
        auto summary = pipeline::runAnalyze(
            options, streams, *store,
            [this](const pipeline::AnalyzeProgress& p) {
                QMetaObject::invokeMethod(
                    this, [this, d = p.decoded, t = p.total] { emit progress(d, t); },
                    Qt::QueuedConnection);
            },
            &cancel_);
        if (!summary) return post(false, QString::fromStdString(summary.status().message()));
        post(true, tr("Analysed %1 frames in %2 s (%3 fps), %4 with detections%5")
                       .arg(summary->framesAnalysed)
                       .arg(summary->seconds, 0, 'f', 1)
                       .arg(summary->fps, 0, 'f', 1)
                       .arg(summary->framesWithDetections)
                       .arg(fallback));
    });
}

void AnalyseRangeDialog::onFinished(bool ok, const QString& message) {
    if (thread_.joinable()) thread_.join();
    running_ = false;
    startButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    result_->setText(message);
    if (ok) bar_->setValue(bar_->maximum());
    emit finished(ok, message);
}

}  // namespace sl::gui
