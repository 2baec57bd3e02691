#pragma once
// The workstation's entry point (gui/main.cpp calls it after handling the headless verbs).

namespace sl::gui {

// The GL format every view's context is created with (OpenGL 3.3 core). Must be called before
// the QApplication exists; the Qt tests call it too, so they render exactly like the app.
void setDefaultSurfaceFormat();

// Sets the default GL format, creates the QApplication, routes engine logging into Qt's message
// handler, opens the files/URLs given on the command line and runs the event loop.
int runApplication(int argc, char** argv);

}  // namespace sl::gui
