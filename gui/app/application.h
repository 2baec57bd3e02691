#pragma once
// The workstation's entry point (gui/main.cpp calls it after handling the headless verbs).

namespace sl::gui {

// Sets the default GL format, creates the QApplication, routes engine logging into Qt's message
// handler, opens the files/URLs given on the command line and runs the event loop.
int runApplication(int argc, char** argv);

}  // namespace sl::gui
