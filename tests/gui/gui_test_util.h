#pragma once
// Helpers shared by the Qt tests: reading the frame-number pattern (tests/support/frame_pattern.h)
// back from what the video view actually rendered.

#include <QImage>
#include <QRectF>

namespace sl::gui {
class VideoView;
}

namespace sl::testing {

// The frame number drawn in `framebuffer` inside `videoRect` (widget pixels; scaled by the
// image's device pixel ratio), or -1 when the picture is not readable.
int readRenderedNumber(const QImage& framebuffer, const QRectF& videoRect);

// The same for what `view` shows now (grabs its framebuffer).
int readRenderedNumber(gui::VideoView* view);

}  // namespace sl::testing
