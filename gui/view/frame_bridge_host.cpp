// Engine interop headers first: they bring GL/glcorearb.h, and Qt's `slots` keyword macro must
// not reach FrameBridgeConfig::slots (this file has no Q_OBJECT, so it is undefined below).
#include "compute/cl_context.h"
#include "compute/cl_error.h"
#include "compute/cl_handles.h"
#include "compute/platform.h"
#include "core/log.h"
#include "interop/frame_bridge.h"
#include "interop/gl_functions.h"
#include "interop/gl_sharing_bridge.h"
#include "interop/slot_pool.h"

#include "view/frame_bridge_host.h"

#include <QGuiApplication>
#include <QOpenGLContext>
#include <QSettings>

#include <algorithm>
#include <chrono>
#include <map>
#include <vector>

#undef slots

namespace sl::gui {
namespace {

// Adds the scope's duration to a total (the hand-off's GUI-thread time).
class ScopeMs {
public:
    ScopeMs(double* totalMs, int64_t* calls)
        : total_(totalMs), start_(std::chrono::steady_clock::now()) {
        ++*calls;
    }
    ~ScopeMs() {
        *total_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                              start_)
                       .count();
    }
    ScopeMs(const ScopeMs&) = delete;
    ScopeMs& operator=(const ScopeMs&) = delete;

private:
    double* total_;
    std::chrono::steady_clock::time_point start_;
};

std::optional<QString> gStrategyOverride;
std::optional<QString> gDeviceOverride;

// The engine loads GL entry points through a plain function pointer (no user data); the view's
// context is current whenever the bridge runs, so the current context answers.
void* glProcTrampoline(const char* name) {
    QOpenGLContext* ctx = QOpenGLContext::currentContext();
    return ctx ? reinterpret_cast<void*>(ctx->getProcAddress(name)) : nullptr;
}

interop::GlNativeContext nativeContextOf(QOpenGLContext* context) {
    interop::GlNativeContext native;
#if QT_CONFIG(xcb_glx_plugin)
    if (auto* glx = context->nativeInterface<QNativeInterface::QGLXContext>()) {
        native.api = interop::GlNativeContext::Api::Glx;
        native.context = glx->nativeContext();
        if (auto* x11 = qGuiApp->nativeInterface<QNativeInterface::QX11Application>())
            native.display = x11->display();
        return native;
    }
#endif
#if QT_CONFIG(egl)
    if (auto* egl = context->nativeInterface<QNativeInterface::QEGLContext>()) {
        native.api = interop::GlNativeContext::Api::Egl;
        native.context = egl->nativeContext();
        native.display = egl->display();
    }
#endif
    (void)context;
    return native;
}

QString q(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

BridgeRequest BridgeRequest::fromSettings() {
    QSettings settings;
    BridgeRequest r;
    r.strategy = gStrategyOverride.value_or(
        settings.value(QStringLiteral("bridge"), QStringLiteral("auto")).toString());
    r.clDevice = gDeviceOverride.value_or(settings.value(QStringLiteral("cl-device")).toString());
    return r;
}

void BridgeRequest::setOverride(const std::optional<QString>& strategy,
                                const std::optional<QString>& clDevice) {
    gStrategyOverride = strategy;
    gDeviceOverride = clDevice;
}

struct FrameBridgeHost::Impl {
    std::vector<interop::StrategyReport> reports;
    std::optional<interop::BridgeStrategy> chosen;
    interop::GlHost host;
    // Shared: a retired bridge (below) keeps the CL context it was made on.
    std::shared_ptr<compute::ComputeContext> compute;
    std::unique_ptr<interop::FrameBridge> bridge;
    // Zero-copy decode (`mapped` only): the decoder's slots, and the frame shown from one of them
    // (held so the decoder cannot reuse the slot while GL draws from it).
    std::shared_ptr<interop::SlotPool> pool;
    media::VideoFrame shownFrame;
    bool shownDirect = false;
    std::map<int, media::VideoFrame> lentFrames;   // pool slots inference reads (endInference)
    std::function<void(std::shared_ptr<media::FrameAllocator>)> allocatorSink;
    // Bridges replaced while decoded frames (cache, queue) still lived in their slot memory:
    // destroyed once their pool has no buffer out.
    struct Retired {
        std::shared_ptr<compute::ComputeContext> compute;
        std::unique_ptr<interop::FrameBridge> bridge;
        std::shared_ptr<interop::SlotPool> pool;
    };
    std::vector<Retired> retired;
    interop::FrameBridgeConfig config;
    int shownSlot = -1;
    std::vector<int> lent;   // slots with inference (held until endInference)
    // Slots inference gave back: unmapCl enqueued the map-back on the bridge's queue, and a
    // marker behind it says when the host owns the bytes again. Inference runs on its own queue
    // (the detector's session), so that map has nothing but other maps ahead of it; still, the
    // GUI thread never waits for it: pollReturns() checks the markers and only completed slots
    // go back to the pool (or the decoder).
    struct Returning {
        int slot = -1;
        compute::ClEvent mapped;
    };
    std::vector<Returning> returning;
    uint64_t bridgeId = 0;   // bumped per bridge: leases of an older one are ignored

    bool lentOrReturning(int slot) const {
        return std::find(lent.begin(), lent.end(), slot) != lent.end() ||
               std::any_of(returning.begin(), returning.end(),
                           [&](const Returning& r) { return r.slot == slot; });
    }
};

FrameBridgeHost::FrameBridgeHost() : d_(std::make_unique<Impl>()) {}

FrameBridgeHost::~FrameBridgeHost() {
    // The owner calls reset() with its context current; this is only the last resort.
    if (d_->bridge)
        sl::logWarning("gui/bridge", "bridge destroyed without a current GL context");
    // Decoded frames still point into these bridges' memory: leaking them is the safe choice.
    if (!d_->retired.empty()) {
        sl::logWarning("gui/bridge", std::to_string(d_->retired.size()) +
                                         " bridge(s) still hold decoded frames; not freed");
        for (auto& r : d_->retired) (void)r.bridge.release();
    }
}

void FrameBridgeHost::setAllocatorSink(
    std::function<void(std::shared_ptr<media::FrameAllocator>)> sink) {
    d_->allocatorSink = std::move(sink);
    if (d_->allocatorSink) d_->allocatorSink(d_->pool);
}

void FrameBridgeHost::retireBridge() {
    if (d_->pool) {
        d_->pool->detach();
        if (d_->allocatorSink) d_->allocatorSink(nullptr);
    }
    if (d_->bridge && d_->pool && d_->pool->outstanding() > 0) {
        d_->retired.push_back({d_->compute, std::move(d_->bridge), std::move(d_->pool)});
    }
    d_->pool.reset();
    d_->bridge.reset();
}

void FrameBridgeHost::sweepRetired() {
    auto drained = [](const Impl::Retired& r) { return r.pool->outstanding() == 0; };
    d_->retired.erase(std::remove_if(d_->retired.begin(), d_->retired.end(), drained),
                      d_->retired.end());
}

void FrameBridgeHost::setRequest(const BridgeRequest& request) {
    request_ = request;
    reset();
}

void FrameBridgeHost::reset() {
    if (beforeRelease && (d_->bridge || d_->compute)) beforeRelease(d_->compute != nullptr);
    d_->lent.clear();
    d_->returning.clear();
    d_->lentFrames.clear();   // the pool is detached below: no reuse of those slots
    releaseShown();
    retireBridge();
    sweepRetired();
    d_->compute.reset();
    d_->reports.clear();
    d_->chosen.reset();
    mode_ = Mode::Idle;
    error_.clear();
    deviceName_.clear();
    ++generation_;
}

void FrameBridgeHost::releaseShown() {
    // Lent (or its map-back still pending): pollReturns() gives it back once CL is done.
    const bool lent = d_->shownSlot >= 0 && d_->lentOrReturning(d_->shownSlot);
    if (d_->shownDirect) {
        // A pool slot stays acquired by the pool; before the decoder may write it again, GL
        // (the texture upload) and CL must be done with it: hostPointer waits for both (here
        // CL is done: not lent; GL's fence is from the previous frame's upload).
        if (d_->bridge && d_->shownSlot >= 0 && !lent) {
            auto p = d_->bridge->hostPointer(d_->shownSlot);
            if (!p.hasValue()) sl::logWarning("gui/bridge", p.status().message());
        } else if (lent) {
            d_->lentFrames[d_->shownSlot] = d_->shownFrame;   // held until endInference
        }
        d_->shownFrame = media::VideoFrame();
        d_->shownDirect = false;
        d_->shownSlot = -1;
        return;
    }
    if (d_->bridge && d_->shownSlot >= 0 && !lent) {
        const Status s = d_->bridge->releaseSlot(d_->shownSlot);
        if (!s.isOk()) sl::logWarning("gui/bridge", s.message());
    }
    d_->shownSlot = -1;
}

void FrameBridgeHost::fail(Mode mode, const QString& message) {
    mode_ = mode;
    error_ = message;
    ++generation_;
    if (mode == Mode::Failed)
        sl::logError("gui/bridge", message.toStdString());
    else
        sl::logWarning("gui/bridge", message.toStdString());
}

bool FrameBridgeHost::initialize(QOpenGLContext* context) {
    d_->host.getProcAddress = &glProcTrampoline;
    d_->host.native = nativeContextOf(context);

    std::optional<interop::BridgeStrategy> forced;
    const QString wanted = request_.strategy.trimmed().toLower();
    if (!wanted.isEmpty() && wanted != QStringLiteral("auto")) {
        auto parsed = interop::parseBridgeStrategy(wanted.toStdString());
        if (!parsed.hasValue()) {
            fail(Mode::Failed, q(parsed.status().message()));
            return false;
        }
        forced = *parsed;
    }

    auto choice = compute::chooseDevice(request_.clDevice.toStdString());
    if (!choice.hasValue()) {
        // No OpenCL at all: the view's own upload still shows the video (documented, visible
        // fallback). A selector that matches nothing, or a forced strategy, is the user's
        // explicit choice and fails loudly instead.
        if (choice.status().code() == StatusCode::Unavailable && !forced &&
            request_.clDevice.isEmpty()) {
            fail(Mode::DisplayOnly, q(choice.status().message()));
        } else {
            fail(Mode::Failed, q(choice.status().message()));
        }
        return false;
    }
    deviceName_ = q(choice->device.name);

    auto gl = interop::GlFunctions::load(d_->host.getProcAddress);
    if (!gl.hasValue()) {
        fail(Mode::Failed, q(gl.status().message()));
        return false;
    }
    const interop::GlBridgeCaps caps = interop::glBridgeCaps(*gl, d_->host.native);
    d_->reports = interop::probeBridgeStrategies(choice->device, &caps);
    for (const auto& r : d_->reports)
        sl::logInfo("gui/bridge", std::string(interop::bridgeStrategyName(r.strategy)) + ": " +
                                      (r.available ? "available" : "unavailable") + " - " +
                                      r.reason);
    auto chosen = interop::chooseStrategy(d_->reports, forced);
    if (!chosen.hasValue()) {
        fail(Mode::Failed, q(chosen.status().message()));
        return false;
    }
    d_->chosen = *chosen;

    Expected<compute::ComputeContext> ctx =
        *d_->chosen == interop::BridgeStrategy::GlSharing
            ? interop::createGlSharedComputeContext(d_->host.native)
            : compute::ComputeContext::create(choice->device);
    if (!ctx.hasValue()) {
        fail(Mode::Failed, q(ctx.status().message()));
        return false;
    }
    d_->compute = std::make_unique<compute::ComputeContext>(std::move(ctx).value());
    return true;
}

bool FrameBridgeHost::ensureBridge(QOpenGLContext* context, const media::VideoFrame& frame) {
    if (mode_ == Mode::DisplayOnly || mode_ == Mode::Failed) return false;
    if (!d_->compute && !initialize(context)) return false;
    if (d_->bridge && d_->config.format == frame.format() && d_->config.width == frame.width() &&
        d_->config.height == frame.height())
        return true;
    if (beforeRelease && d_->bridge) beforeRelease(false);
    d_->lent.clear();
    d_->returning.clear();
    d_->lentFrames.clear();   // the pool is detached below: no reuse of those slots
    releaseShown();
    retireBridge();
    d_->config.format = frame.format();
    d_->config.width = frame.width();
    d_->config.height = frame.height();
    // shown + one being written + two lent to inference (queued + running) + two returning, so
    // display never starves while inference holds slots.
    d_->config.slots = 8;
    // `mapped`: extra slots the decoder writes into directly (frames queued for display and the
    // codec's reference pictures live there), padded for the codec's in-place writes.
    const bool zeroCopy = *d_->chosen == interop::BridgeStrategy::Mapped;
    constexpr int kDecoderSlots = 16;
    d_->config.allocWidth = d_->config.allocHeight = 0;
    if (zeroCopy) {
        d_->config.slots += kDecoderSlots;
        interop::SlotPool::decoderPadding(frame.width(), frame.height(), &d_->config.allocWidth,
                                          &d_->config.allocHeight);
    }
    auto bridge = interop::createFrameBridge(*d_->chosen, d_->config, d_->host, *d_->compute);
    if (!bridge.hasValue()) {
        fail(Mode::Failed, q(bridge.status().message()));
        return false;
    }
    d_->bridge = std::move(bridge).value();
    ++d_->bridgeId;
    if (zeroCopy) {
        auto pool = interop::SlotPool::create(*d_->bridge, kDecoderSlots);
        if (pool.hasValue()) {
            d_->pool = *pool;
            if (d_->allocatorSink) d_->allocatorSink(d_->pool);
        } else {
            sl::logWarning("gui/bridge", "zero-copy decode off: " + pool.status().message());
        }
    }
    mode_ = Mode::Bridge;
    error_.clear();
    ++generation_;
    return true;
}

bool FrameBridgeHost::present(QOpenGLContext* context, const media::VideoFrame& frame,
                              BridgeTextures* out) {
    if (!ensureBridge(context, frame)) return false;
    sweepRetired();
    pollReturns();
    if (d_->pool && frame.slotPool() == d_->pool->id() && frame.bridgeSlot() >= 0 &&
        presentDirect(frame, out)) {
        ++zeroCopyFrames_;
        return true;
    }
    ++copiedFrames_;
    auto slot = d_->bridge->acquireSlot();
    if (!slot.hasValue()) {
        // Every slot busy: take back what inference has finished with, free the shown one,
        // retry once.
        pollReturns();
        releaseShown();
        slot = d_->bridge->acquireSlot();
        if (!slot.hasValue()) {
            fail(Mode::Failed, q(slot.status().message()));
            return false;
        }
    }
    Status s = d_->bridge->writeFrame(*slot, frame);
    auto gl = s.isOk() ? d_->bridge->mapGl(*slot) : Expected<interop::GlFrame>(s);
    if (!gl.hasValue()) {
        (void)d_->bridge->releaseSlot(*slot);
        fail(Mode::Failed, q(gl.status().message()));
        return false;
    }
    // The new frame replaced the shown one: only now may its slot go back to the pool.
    releaseShown();
    d_->shownSlot = *slot;
    for (int i = 0; i < 3; ++i) out->textures[i] = gl->textures[i];
    return true;
}

const compute::ComputeContext* FrameBridgeHost::computeContext() const {
    return mode_ == Mode::Bridge && d_->bridge ? d_->compute.get() : nullptr;
}

bool FrameBridgeHost::shownIsLent() const {
    return d_->shownSlot >= 0 &&
           std::find(d_->lent.begin(), d_->lent.end(), d_->shownSlot) != d_->lent.end();
}
int FrameBridgeHost::lentSlots() const { return int(d_->lent.size() + d_->returning.size()); }
int FrameBridgeHost::returningSlots() const { return int(d_->returning.size()); }

bool FrameBridgeHost::lendShownForInference(const media::VideoFrame& frame,
                                            pipeline::DeviceFrameJob* job, InferenceLease* lease) {
    const ScopeMs timed(&handoffMs_, &handoffCalls_);
    const int slot = d_->shownSlot;
    if (mode_ != Mode::Bridge || !d_->bridge || slot < 0) return false;
    if (std::find(d_->lent.begin(), d_->lent.end(), slot) != d_->lent.end()) return false;
    // Lent again before its map-back completed (the same frame resubmitted): that map is the
    // only command ahead, so waiting for it here is short.
    for (auto it = d_->returning.begin(); it != d_->returning.end(); ++it) {
        if (it->slot != slot) continue;
        if (it->mapped) clWaitForEvents(1, it->mapped.ptr());
        d_->returning.erase(it);
        d_->lentFrames.erase(slot);   // shown: shownFrame holds it
        break;
    }
    auto cl = d_->bridge->mapCl(slot, interop::ClAccess::Read);
    if (!cl.hasValue()) {
        sl::logWarning("gui/bridge", "inference hand-off: " + cl.status().message());
        return false;
    }
    job->frame = {cl->format, cl->width, cl->height, cl->planes, frame.colorMatrix(),
                  frame.colorRange(), frame.chromaLocation()};
    job->ready = cl->ready;
    d_->lent.push_back(slot);
    *lease = InferenceLease{slot, d_->bridgeId};
    return true;
}

void FrameBridgeHost::endInference(const InferenceLease& lease) {
    const ScopeMs timed(&handoffMs_, &handoffCalls_);
    if (!d_->bridge || lease.token != d_->bridgeId) return;   // that bridge is gone
    auto it = std::find(d_->lent.begin(), d_->lent.end(), lease.slot);
    if (it == d_->lent.end()) return;
    d_->lent.erase(it);
    // Inference's reads are complete (the worker's job ended after its queue finished). The
    // map-back is only enqueued here; a marker behind it on the bridge's in-order queue tells
    // pollReturns() when the slot is the host's again.
    Impl::Returning r{lease.slot, {}};
    Status s = d_->bridge->unmapCl(lease.slot);
    if (s.isOk()) {
        const cl_int err =
            clEnqueueMarkerWithWaitList(d_->bridge->queue(), 0, nullptr, r.mapped.out());
        if (err == CL_SUCCESS) clFlush(d_->bridge->queue());
        else s = Status(StatusCode::Internal,
                        std::string("gui/bridge: clEnqueueMarkerWithWaitList: ") +
                            compute::clErrorName(err));
    }
    // Without a marker the slot still goes through pollReturns (hostPointer then waits).
    if (!s.isOk()) sl::logWarning("gui/bridge", s.message());
    d_->returning.push_back(std::move(r));
    pollReturns();
}

void FrameBridgeHost::pollReturns() {
    if (!d_->bridge) {
        d_->returning.clear();
        return;
    }
    for (auto it = d_->returning.begin(); it != d_->returning.end();) {
        if (it->mapped) {
            cl_int status = CL_QUEUED;
            const cl_int err = clGetEventInfo(it->mapped.get(), CL_EVENT_COMMAND_EXECUTION_STATUS,
                                              sizeof status, &status, nullptr);
            if (err == CL_SUCCESS && status > CL_COMPLETE) {   // queued, submitted, running
                ++it;
                continue;
            }
        }
        const int slot = it->slot;
        it = d_->returning.erase(it);
        if (slot == d_->shownSlot) continue;   // still drawn: releaseShown() returns it later
        if (d_->pool && d_->pool->slotMemory(slot)) {
            // A decoder slot: dropping its frame hands it back to the decoder. hostPointer
            // finds the map complete (no wait) and makes the host the owner again.
            auto p = d_->bridge->hostPointer(slot);
            if (!p.hasValue()) sl::logWarning("gui/bridge", p.status().message());
            d_->lentFrames.erase(slot);
        } else {
            const Status s = d_->bridge->releaseSlot(slot);
            if (!s.isOk()) sl::logWarning("gui/bridge", s.message());
        }
    }
}

// The decoder wrote the frame into one of the bridge's slots: no writeFrame, GL uploads straight
// from the decoder's bytes. False (after a warning) sends the frame down the copy path.
bool FrameBridgeHost::presentDirect(const media::VideoFrame& frame, BridgeTextures* out) {
    const int slot = frame.bridgeSlot();
    Status s = d_->bridge->commitHostWrite(slot);
    auto gl = s.isOk() ? d_->bridge->mapGl(slot) : Expected<interop::GlFrame>(s);
    if (!gl.hasValue()) {
        sl::logWarning("gui/bridge", "zero-copy frame copied instead: " + gl.status().message());
        return false;
    }
    if (slot != d_->shownSlot) releaseShown();
    d_->shownSlot = slot;
    d_->shownDirect = true;
    d_->shownFrame = frame;   // the slot stays the decoder's until this is dropped
    for (int i = 0; i < 3; ++i) out->textures[i] = gl->textures[i];
    return true;
}

QString FrameBridgeHost::strategyName() const {
    if (mode_ != Mode::Bridge || !d_->bridge) return {};
    return QString::fromLatin1(d_->bridge->name());
}

QString FrameBridgeHost::summary() const {
    switch (mode_) {
    case Mode::Idle: return QStringLiteral("bridge: (no frame yet)");
    case Mode::Bridge:
        if (!d_->pool && zeroCopyFrames_ == 0)
            return QStringLiteral("bridge: %1").arg(strategyName());
        return QStringLiteral("bridge: %1 (zero-copy %2, copied %3)")
            .arg(strategyName())
            .arg(zeroCopyFrames_)
            .arg(copiedFrames_);
    case Mode::DisplayOnly: return QStringLiteral("display only: %1").arg(error_);
    case Mode::Failed:
        return QStringLiteral("bridge %1 failed: %2").arg(request_.strategy, error_);
    }
    return {};
}

QString FrameBridgeHost::details() const {
    QStringList lines;
    if (!deviceName_.isEmpty()) lines << QStringLiteral("OpenCL device: %1").arg(deviceName_);
    lines << QStringLiteral("requested: %1").arg(request_.strategy);
    for (const auto& r : d_->reports)
        lines << QStringLiteral("%1: %2 - %3")
                     .arg(QString::fromLatin1(interop::bridgeStrategyName(r.strategy)),
                          r.available ? QStringLiteral("available")
                                      : QStringLiteral("unavailable"),
                          q(r.reason));
    if (!error_.isEmpty()) lines << error_;
    return lines.join(QLatin1Char('\n'));
}

}  // namespace sl::gui
