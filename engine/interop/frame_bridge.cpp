#include "interop/frame_bridge.h"
#include "interop/gl_texture_format.h"

#include <string>

#include "compute/cl_context.h"
#include "compute/platform.h"
#include "core/log.h"
#include "interop/copy_bridge.h"
#include "interop/gl_sharing_bridge.h"
#include "interop/mapped_bridge.h"

namespace sl::interop {

const char* bridgeStrategyName(BridgeStrategy s) {
    switch (s) {
    case BridgeStrategy::GlSharing: return "gl-sharing";
    case BridgeStrategy::Mapped: return "mapped";
    case BridgeStrategy::Copy: return "copy";
    }
    return "?";
}

Expected<BridgeStrategy> parseBridgeStrategy(std::string_view name) {
    for (BridgeStrategy s : kBridgeStrategies) {
        if (name == bridgeStrategyName(s)) return s;
    }
    return Status(StatusCode::InvalidArgument, "interop: unknown bridge strategy '" +
                                                   std::string(name) +
                                                   "' (expected gl-sharing, mapped or copy)");
}

GlBridgeCaps glBridgeCaps(const GlFunctions& gl, const GlNativeContext& native) {
    GlBridgeCaps caps;
    caps.description = gl.describe();
    caps.bufferStorage = gl.hasBufferStorage;
    caps.nativeApi = native.context ? native.api : GlNativeContext::Api::None;
    return caps;
}

std::vector<StrategyReport> probeBridgeStrategies(const compute::DeviceInfo& device,
                                                  const GlBridgeCaps* gl) {
    return {GlSharingBridge::probe(device, gl), MappedBridge::probe(device, gl),
            CopyBridge::probe(device, gl)};
}

Expected<BridgeStrategy> chooseStrategy(const std::vector<StrategyReport>& reports,
                                        std::optional<BridgeStrategy> forced) {
    if (forced) {
        for (const StrategyReport& r : reports) {
            if (r.strategy != *forced) continue;
            if (r.available) return r.strategy;
            return Status(StatusCode::Unsupported, std::string("interop: bridge strategy '") +
                                                       bridgeStrategyName(*forced) +
                                                       "' was requested but " + r.reason);
        }
        return Status(StatusCode::Unsupported, std::string("interop: bridge strategy '") +
                                                   bridgeStrategyName(*forced) +
                                                   "' was not probed");
    }
    for (BridgeStrategy s : kBridgeStrategies) {
        for (const StrategyReport& r : reports) {
            if (r.strategy == s && r.available) return s;
        }
    }
    return Status(StatusCode::Unavailable, "interop: no bridge strategy is available");
}

Expected<std::unique_ptr<FrameBridge>> createFrameBridge(BridgeStrategy strategy,
                                                         const FrameBridgeConfig& config,
                                                         const GlHost& host,
                                                         const compute::ComputeContext& compute) {
    const std::string who = std::string("interop/") + bridgeStrategyName(strategy);
    if (config.slots < 1 || config.slots > 64) {
        return Status(StatusCode::InvalidArgument,
                      who + ": slot count " + std::to_string(config.slots) + " out of range 1..64");
    }
    auto layout = FrameLayout::make(config.format, config.width, config.height,
                                    config.allocWidth, config.allocHeight);
    if (!layout) return layout.status().withContext(who);
    auto gl = GlFunctions::load(host.getProcAddress);
    if (!gl) return gl.status();

    // The same evidence as the probe: a bridge is never built on a device that cannot do it.
    const GlBridgeCaps caps = glBridgeCaps(*gl, host.native);
    for (const StrategyReport& r : probeBridgeStrategies(compute.info(), &caps)) {
        if (r.strategy == strategy && !r.available) {
            return Status(StatusCode::Unsupported, r.reason);
        }
    }
    Expected<std::unique_ptr<FrameBridge>> bridge =
        Status(StatusCode::Internal, who + ": no bridge");
    switch (strategy) {
    case BridgeStrategy::GlSharing:
        bridge = GlSharingBridge::create(*layout, config.slots, *gl, host.native, compute);
        break;
    case BridgeStrategy::Mapped:
        bridge = MappedBridge::create(*layout, config.slots, *gl, compute);
        break;
    case BridgeStrategy::Copy:
        bridge = CopyBridge::create(*layout, config.slots, *gl, compute);
        break;
    }
    if (bridge) {
        logInfo("interop", std::string("frame bridge '") + bridgeStrategyName(strategy) +
                               "': " + std::to_string(config.slots) + " slots of " +
                               media::pixelFormatName(config.format) + " " +
                               std::to_string(config.width) + "x" + std::to_string(config.height) +
                               " on '" + compute.info().name + "', GL " + caps.description);
    }
    return bridge;
}

// ---- FrameBridge --------------------------------------------------------------------------

FrameBridge::FrameBridge(BridgeStrategy strategy, const FrameLayout& layout, int slots,
                         const GlFunctions& gl, const compute::ComputeContext& compute)
    : strategy_(strategy),
      layout_(layout),
      gl_(gl),
      compute_(compute),
      slots_(size_t(slots)),
      textures_(size_t(slots)) {}

FrameBridge::~FrameBridge() = default;

cl_command_queue FrameBridge::queue() const {
    return compute_.queue();
}

Status FrameBridge::error(StatusCode code, const std::string& what) const {
    return Status(code, std::string("interop/") + name() + ": " + what);
}

Status FrameBridge::checkSlot(int slot, const char* op) const {
    if (slot < 0 || slot >= slotCount()) {
        return error(StatusCode::InvalidArgument, std::string(op) + ": slot " +
                                                      std::to_string(slot) + " out of range 0.." +
                                                      std::to_string(slotCount() - 1));
    }
    if (!slots_[size_t(slot)].inUse) {
        return error(StatusCode::InvalidArgument,
                     std::string(op) + ": slot " + std::to_string(slot) + " was not acquired");
    }
    return Status::ok();
}

Expected<int> FrameBridge::acquireSlot() {
    for (size_t i = 0; i < slots_.size(); ++i) {
        if (!slots_[i].inUse) {
            slots_[i] = SlotState{};
            slots_[i].inUse = true;
            return int(i);
        }
    }
    return error(StatusCode::Unavailable,
                 "all " + std::to_string(slotCount()) + " slots are in flight");
}

Status FrameBridge::releaseSlot(int slot) {
    SL_TRY(checkSlot(slot, "releaseSlot"));
    Status st = unmapCl(slot);
    slots_[size_t(slot)] = SlotState{};
    return st;
}

Status FrameBridge::writeFrame(int slot, const media::VideoFrame& frame) {
    if (!frame.valid()) return error(StatusCode::InvalidArgument, "writeFrame: empty frame");
    if (frame.format() != layout_.format || frame.width() != layout_.width ||
        frame.height() != layout_.height) {
        return error(StatusCode::InvalidArgument,
                     std::string("writeFrame: frame is ") + media::pixelFormatName(frame.format()) +
                         " " + std::to_string(frame.width()) + "x" +
                         std::to_string(frame.height()) + ", the bridge holds " +
                         media::pixelFormatName(layout_.format) + " " +
                         std::to_string(layout_.width) + "x" + std::to_string(layout_.height));
    }
    HostPlanes planes;
    for (int i = 0; i < layout_.planeCount; ++i) {
        planes.data[i] = frame.plane(i);
        planes.stride[i] = frame.stride(i);
    }
    return writePlanes(slot, planes);
}

Status FrameBridge::writePlanes(int slot, const HostPlanes& planes) {
    SL_TRY(checkSlot(slot, "writePlanes"));
    for (int i = 0; i < layout_.planeCount; ++i) {
        if (!planes.data[i] || planes.stride[i] < layout_.planes[i].rowBytes()) {
            return error(StatusCode::InvalidArgument,
                         "writePlanes: plane " + std::to_string(i) +
                             " is missing or its stride is below " +
                             std::to_string(layout_.planes[i].rowBytes()) + " bytes");
        }
    }
    SL_TRY(unmapCl(slot));
    SlotState& s = slots_[size_t(slot)];
    s.texturesCurrent = false;
    s.lastWriter = Writer::None;   // a failed write leaves no valid content behind
    SL_TRY(doWriteHost(slot, planes));
    s.lastWriter = Writer::Host;
    return Status::ok();
}

Expected<uint8_t*> FrameBridge::doHostPointer(int /*slot*/) {
    return error(StatusCode::Unsupported,
                 "no host-visible slot storage (only the mapped strategy has one)");
}

Expected<uint8_t*> FrameBridge::hostPointer(int slot) {
    SL_TRY(checkSlot(slot, "hostPointer"));
    SL_TRY(unmapCl(slot));
    return doHostPointer(slot);
}

Status FrameBridge::commitHostWrite(int slot) {
    SL_TRY(checkSlot(slot, "commitHostWrite"));
    SlotState& s = slots_[size_t(slot)];
    s.texturesCurrent = false;
    s.lastWriter = Writer::None;
    SL_TRY(doCommitHostWrite(slot));
    s.lastWriter = Writer::Host;
    return Status::ok();
}

Expected<GlFrame> FrameBridge::mapGl(int slot) {
    SL_TRY(checkSlot(slot, "mapGl"));
    SL_TRY(unmapCl(slot));
    SlotState& s = slots_[size_t(slot)];
    if (s.lastWriter == Writer::None) {
        return error(StatusCode::InvalidArgument,
                     "mapGl: slot " + std::to_string(slot) + " holds no frame yet");
    }
    if (!s.texturesCurrent) {
        SL_TRY(doUploadTextures(slot));
        s.texturesCurrent = true;
    }
    return textures_[size_t(slot)];
}

Status FrameBridge::writeFromGlTextures(int slot) {
    SL_TRY(checkSlot(slot, "writeFromGlTextures"));
    SL_TRY(unmapCl(slot));
    SlotState& s = slots_[size_t(slot)];
    s.lastWriter = Writer::None;
    SL_TRY(doPackTextures(slot));
    s.lastWriter = Writer::Gl;
    s.texturesCurrent = true;
    return Status::ok();
}

GLuint FrameBridge::glBuffer(int slot) const {
    if (slot < 0 || slot >= slotCount()) return 0;
    return doGlBuffer(slot);
}

Expected<ClFrame> FrameBridge::mapCl(int slot, ClAccess access) {
    SL_TRY(checkSlot(slot, "mapCl"));
    SL_TRY(unmapCl(slot));
    SlotState& s = slots_[size_t(slot)];
    if (s.lastWriter == Writer::None && access == ClAccess::Read) {
        return error(StatusCode::InvalidArgument,
                     "mapCl: slot " + std::to_string(slot) + " holds no frame yet");
    }
    auto frame = doMapCl(slot, access);
    if (!frame) return frame;
    s.clMapped = true;
    s.clAccess = access;
    if (access == ClAccess::ReadWrite) {
        s.lastWriter = Writer::Cl;
        s.texturesCurrent = false;
    }
    return frame;
}

Status FrameBridge::unmapCl(int slot, cl_event done) {
    if (slot < 0 || slot >= slotCount()) return checkSlot(slot, "unmapCl");
    SlotState& s = slots_[size_t(slot)];
    if (!s.clMapped) return Status::ok();
    Status st = doUnmapCl(slot, done);
    s.clMapped = false;   // a failed unmap still leaves the slot unmapped (mpv mapper rule)
    if (!st) s.lastWriter = Writer::None;
    return st;
}

ClFrame FrameBridge::clFrameFor(cl_mem mem, cl_event ready) const {
    ClFrame f;
    f.format = layout_.format;
    f.width = layout_.width;
    f.height = layout_.height;
    f.planeCount = layout_.planeCount;
    for (int i = 0; i < layout_.planeCount; ++i) {
        const PlaneLayout& p = layout_.planes[i];
        f.planes[i] = PlaneView{mem, p.offset, p.stride, p.width, p.height};
    }
    f.ready = ready;
    return f;
}

// ---- GL textures shared by every strategy -------------------------------------------------

namespace {

// interop/gl_texture_format.h, as GL enums.
struct TexFormat {
    GLenum internal, format, type;
};
TexFormat texFormatOf(media::PixelFormat f, int i) {
    const GlTextureFormat t = glTextureFormat(f, i);
    return {GLenum(t.internalFormat), GLenum(t.format), GLenum(t.type)};
}

}  // namespace

Status FrameBridge::makeTextures() {
    for (size_t s = 0; s < textures_.size(); ++s) {
        GlFrame& t = textures_[s];
        t.planeCount = layout_.planeCount;
        gl_.GenTextures(layout_.planeCount, t.textures);
        for (int i = 0; i < layout_.planeCount; ++i) {
            const PlaneLayout& p = layout_.planes[i];
            t.widths[i] = p.width;
            t.heights[i] = p.height;
            gl_.BindTexture(GL_TEXTURE_2D, t.textures[i]);
            gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
            gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
            gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
            gl_.TexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
            const TexFormat tf = texFormatOf(layout_.format, i);
            gl_.TexImage2D(GL_TEXTURE_2D, 0, GLint(tf.internal), p.width, p.height, 0, tf.format,
                           tf.type, nullptr);
        }
    }
    gl_.BindTexture(GL_TEXTURE_2D, 0);
    return gl_.check(std::string(name()) + ": creating plane textures");
}

void FrameBridge::deleteTextures() {
    for (GlFrame& t : textures_) {
        if (t.planeCount > 0) gl_.DeleteTextures(t.planeCount, t.textures);
        t = GlFrame{};
    }
}

Status FrameBridge::uploadTexturesFrom(int slot, GLuint buffer) {
    const GlFrame& t = textures_[size_t(slot)];
    gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, buffer);
    gl_.PixelStorei(GL_UNPACK_ALIGNMENT, 1);
    for (int i = 0; i < layout_.planeCount; ++i) {
        const PlaneLayout& p = layout_.planes[i];
        gl_.PixelStorei(GL_UNPACK_ROW_LENGTH, p.stride / p.bytesPerSample);
        gl_.BindTexture(GL_TEXTURE_2D, t.textures[i]);
        // With an unpack buffer bound, the "pointer" is a byte offset into it.
        const TexFormat tf = texFormatOf(layout_.format, i);
        gl_.TexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, p.width, p.height, tf.format, tf.type,
                          reinterpret_cast<const void*>(p.offset));
    }
    // Leave GL's defaults behind for the host's own uploads (Qt assumes them).
    gl_.PixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    gl_.PixelStorei(GL_UNPACK_ALIGNMENT, 4);
    gl_.BindTexture(GL_TEXTURE_2D, 0);
    gl_.BindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    return gl_.check(std::string("uploading slot ") + std::to_string(slot) + " into textures");
}

Status FrameBridge::packTexturesInto(int slot, GLuint buffer) {
    const GlFrame& t = textures_[size_t(slot)];
    gl_.BindBuffer(GL_PIXEL_PACK_BUFFER, buffer);
    gl_.PixelStorei(GL_PACK_ALIGNMENT, 1);
    for (int i = 0; i < layout_.planeCount; ++i) {
        const PlaneLayout& p = layout_.planes[i];
        gl_.PixelStorei(GL_PACK_ROW_LENGTH, p.stride / p.bytesPerSample);
        gl_.BindTexture(GL_TEXTURE_2D, t.textures[i]);
        const TexFormat tf = texFormatOf(layout_.format, i);
        gl_.GetTexImage(GL_TEXTURE_2D, 0, tf.format, tf.type, reinterpret_cast<void*>(p.offset));
    }
    gl_.PixelStorei(GL_PACK_ROW_LENGTH, 0);
    gl_.PixelStorei(GL_PACK_ALIGNMENT, 4);
    gl_.BindTexture(GL_TEXTURE_2D, 0);
    gl_.BindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    return gl_.check(std::string("packing slot ") + std::to_string(slot) + " textures");
}

}  // namespace sl::interop
