#pragma once
// ShortcutsDialog: lists every keyboard shortcut, built from the window's actions so the list can
// never drift from what the keys really do.

#include <QDialog>
#include <QList>

class QAction;

namespace sl::gui {

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QList<QAction*>& actions, QWidget* parent = nullptr);
};

}  // namespace sl::gui
