#pragma once
// ProjectSetsDialog: the annotation sets a project holds for the shown media (model runs, ground
// truth, reviewed sets), newest first, to pick one to load into the window. Filled from
// ProjectController::setsListed, so opening it never waits on the project file.

#include <QDialog>

#include <cstdint>
#include <vector>

#include "controller/project_controller.h"

class QTableWidget;
class QPushButton;
class QLabel;

namespace sl::gui {

class ProjectSetsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ProjectSetsDialog(const QString& projectPath, QWidget* parent = nullptr);

    void setSets(const std::vector<ProjectSetRow>& sets);
    int64_t selectedSet() const;   // 0: none
    int rowCount() const;
    void selectRow(int row);

signals:
    void loadRequested(qint64 setId);

private:
    QLabel* title_ = nullptr;
    QTableWidget* table_ = nullptr;
    QPushButton* load_ = nullptr;
};

}  // namespace sl::gui
