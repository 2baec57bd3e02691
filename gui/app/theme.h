#pragma once
// The workstation's dark theme (Fusion style + dark palette), the look video tools share: the
// picture is the brightest thing on screen.

class QApplication;

namespace sl::gui {

void applyDarkTheme(QApplication& app);

}  // namespace sl::gui
