#pragma once
// LayersDock: the review layers of the shown media (ReviewSession), one row each: visible,
// colour, opacity, and which editable layer new boxes and accepted predictions go to. Ground truth
// is drawn solid, predictions dashed (the row says which kind a layer is).

#include <QDockWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace sl::gui {

class ReviewSession;

class LayersDock : public QDockWidget {
    Q_OBJECT
public:
    explicit LayersDock(ReviewSession* session, QWidget* parent = nullptr);
    QTreeWidget* tree() const { return tree_; }   // tests
    enum Column { Name, Kind, Opacity, Target };

private:
    void rebuild();
    void onItemChanged(QTreeWidgetItem* item, int column);

    ReviewSession* session_;
    QTreeWidget* tree_;
    bool rebuilding_ = false;
};

}  // namespace sl::gui
