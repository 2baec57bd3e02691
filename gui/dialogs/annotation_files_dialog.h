#pragma once
// AnnotationFilesDialog: what File > Import Annotations, Export Annotations and Export Dataset
// ask before they run: the format (every format of annotate/formats), the file or folder, and
// for an import the kind and name of the new set, for an export the project set to write (filled
// from ProjectController::setsListed, so opening it never waits on the project file). One class
// for the three: they share the format list, the path row and its Browse button.

#include <QDialog>

#include <optional>
#include <vector>

#include "annotate/annotation.h"
#include "annotate/formats/format.h"
#include "controller/project_controller.h"
#include "pipeline/dataset_export.h"

class QComboBox;
class QDialogButtonBox;
class QLineEdit;

namespace sl::gui {

class AnnotationFilesDialog : public QDialog {
    Q_OBJECT
public:
    enum class Mode { Import, Export, Dataset };
    explicit AnnotationFilesDialog(Mode mode, QWidget* parent = nullptr);

    Mode mode() const { return mode_; }
    void setSets(const std::vector<ProjectSetRow>& sets);   // Export and Dataset
    void setPath(const QString& path);

    QString path() const;
    // Import: nullopt = detected from the file.
    std::optional<annotate::formats::Format> format() const;
    annotate::SetKind kind() const;
    QString setName() const;
    int64_t setId() const;   // 0: none chosen
    pipeline::DatasetImageFormat imageFormat() const;

private:
    void browse();
    void updateOk();

    Mode mode_;
    QComboBox* format_ = nullptr;
    QComboBox* kind_ = nullptr;
    QComboBox* set_ = nullptr;
    QComboBox* images_ = nullptr;
    QLineEdit* path_ = nullptr;
    QLineEdit* name_ = nullptr;
    QDialogButtonBox* buttons_ = nullptr;
};

}  // namespace sl::gui
