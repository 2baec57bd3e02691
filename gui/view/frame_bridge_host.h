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

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "media/frame_allocator.h"
#include "media/video_frame.h"
#include "pipeline/detector_worker.h"

class QOpenGLContext;

namespace sl::compute {
class ComputeContext;
}

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

// A slot lent to inference: held (never reused for display) until endInference(lease). The
// token names the bridge it came from, so a lease that outlives its bridge is ignored.
struct InferenceLease {
    int slot = -1;
    uint64_t token = 0;
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

    // Zero-copy decode (`mapped`): the host hands the decoder a SlotPool over its bridge's slots
    // through this sink (VideoView: Player::setFrameAllocator); null when the bridge goes away.
    // Frames decoded into the current pool are shown without writeFrame's memcpy.
    void setAllocatorSink(std::function<void(std::shared_ptr<media::FrameAllocator>)> sink);
    int64_t zeroCopyFrames() const { return zeroCopyFrames_; }
    int64_t copiedFrames() const { return copiedFrames_; }

    // Zero-copy hand-off to inference. The CL context frames live in (null unless mode() ==
    // Bridge): the detector must run on it.
    const compute::ComputeContext* computeContext() const;
    // Maps the shown slot (last present()) for CL reads and keeps it out of the pool until
    // endInference(); fills job->frame and job->ready. False when there is nothing to lend (no
    // bridge, the slot is already lent, the map failed).
    bool lendShownForInference(const media::VideoFrame& frame, pipeline::DeviceFrameJob* job,
                               InferenceLease* lease);
    // Inference is done with the slot (its reads completed): the CL map-back is enqueued, never
    // waited for; pollReturns() puts the slot back in the pool once that map has completed (or
    // when it stops being shown).
    void endInference(const InferenceLease& lease);
    // Non-blocking: returns slots whose map-back completed. Called by present(); the owner calls
    // it again (GL context current) while returningSlots() > 0.
    void pollReturns();
    // GUI-thread time spent in the inference hand-off (lendShownForInference + endInference):
    // total ms and calls. Waiting on CL there stalls painting.
    double handoffMs() const { return handoffMs_; }
    int64_t handoffCalls() const { return handoffCalls_; }
    bool shownIsLent() const;     // the shown frame's slot is in inference now
    int lentSlots() const;        // lent to inference or their map-back still pending
    int returningSlots() const;   // map-back pending
    // Called before the bridge (contextToo: and its CL context) is destroyed, so the owner can
    // finish or stop device work that reads the slots.
    std::function<void(bool contextToo)> beforeRelease;
    QString deviceName() const { return deviceName_; }
    // Bumped whenever mode/summary change, so the window can refresh its labels cheaply.
    int generation() const { return generation_; }

private:
    struct Impl;
    bool initialize(QOpenGLContext* context);
    bool ensureBridge(QOpenGLContext* context, const media::VideoFrame& frame);
    void fail(Mode mode, const QString& message);
    void releaseShown();
    bool presentDirect(const media::VideoFrame& frame, BridgeTextures* out);
    void retireBridge();
    void sweepRetired();

    BridgeRequest request_;
    Mode mode_ = Mode::Idle;
    QString error_;
    QString deviceName_;
    std::unique_ptr<Impl> d_;
    int generation_ = 0;
    int64_t zeroCopyFrames_ = 0;
    int64_t copiedFrames_ = 0;
    double handoffMs_ = 0;
    int64_t handoffCalls_ = 0;
};

}  // namespace sl::gui
