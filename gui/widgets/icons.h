#pragma once
// Transport icons painted at run time: this Qt install has no SVG image plugin, and painted
// shapes stay crisp at any devicePixelRatio and match the dark palette.

#include <QIcon>

namespace sl::gui {

enum class TransportIcon { Play, Pause, StepBack, StepForward, SkipBack, SkipForward };

QIcon transportIcon(TransportIcon kind);

}  // namespace sl::gui
