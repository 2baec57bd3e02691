#pragma once
// FrameBridgeHost: VideoView's side of the engine FrameBridge (issue 3). Owns the OpenCL context,
// the strategy reports, the chosen strategy and the bridge, and turns each displayed VideoFrame
// into GL textures through it: acquireSlot -> writeFrame -> mapGl. The slot stays acquired until
// the next frame has replaced it (the textures are drawn from it), then it is released.
//
// Choice: "auto" takes the first available strategy; a forced one the device cannot do is an
// error carrying the probe's reason, and no other strategy is used in its place (the user chose
// it; the view shows the message instead of a picture). With no OpenCL device at all the view
// keeps its own PBO upload and says so ("display only: <reason>") - the one documented fallback.
//
// Every call needs the view's GL context current (bridge calls are made where GL is current).

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

#include "media/video_frame.h"

class QOpenGLContext;

namespace sl::gui {

// What the user asked for: --bridge=/--cl-device= on the command line, else the settings
// "bridge" (auto|gl-sharing|mapped|copy) and "cl-device" (a compute/platform.h selector).
struct BridgeRequest {
    QString strategy = QStringLiteral("auto");
    QString clDevice;

    static BridgeRequest fromSettings();
    // Command-line values override the settings for this process (not persisted).
    static void setOverride(const std::optional<QString>& strategy,
                            const std::optional<QString>& clDevice);
};

// The textures one presented frame is drawn from (GL names; R8 planes, NV12 UV RG8).
struct BridgeTextures {
    unsigned textures[3] = {0, 0, 0};
};

// Engine interop headers (GL/glcorearb.h, a member named `slots`) clash with Qt's GL headers
// and keywords, so they stay inside frame_bridge_host.cpp behind this pimpl.
class FrameBridgeHost {
public:
    enum class Mode {
        Idle,          // nothing tried yet (no frame since the last reset)
        Bridge,        // frames go through the bridge
        DisplayOnly,   // no OpenCL device: the view's own PBO upload
        Failed,        // a forced strategy (or bridge creation) failed: no picture, message shown
    };

    FrameBridgeHost();
    ~FrameBridgeHost();

    void setRequest(const BridgeRequest& request);   // takes effect at the next frame
    const BridgeRequest& request() const { return request_; }

    // Uploads `frame` through the bridge; on success `out` holds the textures to draw. Returns
    // false when the caller must use its own path (DisplayOnly) or show nothing (Failed): see
    // mode(). Creates (or recreates, when the format or size changed) the bridge first.
    bool present(QOpenGLContext* context, const media::VideoFrame& frame,
                 BridgeTextures* out);
    // Destroys the bridge and the CL context (GL context current); the next frame starts over.
    void reset();

    Mode mode() const { return mode_; }
    // The active strategy's name ("mapped"), empty unless mode() == Bridge.
    QString strategyName() const;
    // One line for the HUD and the status bar: "bridge: mapped" / "display only: <reason>" /
    // "bridge: gl-sharing failed: <reason>".
    QString summary() const;
    // Every strategy with its reason (the status bar tooltip).
    QString details() const;
    QString error() const { return error_; }   // the Failed mode's message
    QString deviceName() const { return deviceName_; }
    // Bumped whenever mode/summary change, so the window can refresh its labels cheaply.
    int generation() const { return generation_; }

private:
    struct Impl;
    bool initialize(QOpenGLContext* context);
    bool ensureBridge(QOpenGLContext* context, const media::VideoFrame& frame);
    void fail(Mode mode, const QString& message);
    void releaseShown();

    BridgeRequest request_;
    Mode mode_ = Mode::Idle;
    QString error_;
    QString deviceName_;
    std::unique_ptr<Impl> d_;
    int generation_ = 0;
};

}  // namespace sl::gui
