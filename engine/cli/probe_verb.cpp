// `sightline probe [--json] [--cl-device SEL]`: what this machine offers the engine: OpenCL
// platforms and devices with the facts that decide placement and the frame bridge, the GL renderer,
// the device the engine would choose and why, and the FrameBridge strategies with the reason each
// is (un)available. The GL side is checked on a headless context (EGL surfaceless), which is the
// GL the engine gets without a window; the workstation's own context may differ (GLX under X), and
// its HUD reports the strategies against that one.

#include "cli/cli.h"
#include "compute/platform.h"
#include "interop/frame_bridge.h"
#include "interop/headless_gl.h"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace sl::cli {
namespace {

constexpr const char* kUsage = "sightline probe [--json] [--cl-device SEL]";

// Extensions that decide what the engine can do on a device.
constexpr const char* kKeyExtensions[] = {
    "cl_khr_gl_sharing", "cl_khr_gl_event", "cl_khr_egl_image", "cl_khr_egl_event",
    "cl_khr_fp16",       "cl_khr_fp64",     "cl_khr_3d_image_writes", "cl_khr_subgroups",
    "cl_intel_subgroups", "cl_khr_image2d_from_buffer", "cl_arm_import_memory",
};

struct BridgeLine {
    std::string strategy;
    bool available = false;
    std::string reason;
};

// The GL side of the probe: a headless context's renderer and the facts the bridge depends on.
struct GlSide {
    bool checked = false;
    std::string text;               // the renderer description, or why GL could not be checked
    interop::GlBridgeCaps caps;
};

GlSide probeGl(interop::HeadlessGl& gl) {
    GlSide side;
    if (Status st = gl.create(); !st) {
        side.text = st.message();
        return side;
    }
    auto fns = interop::GlFunctions::load(&interop::HeadlessGl::getProcAddress);
    if (!fns) {
        side.text = fns.status().message();
        return side;
    }
    side.caps = interop::glBridgeCaps(*fns, gl.host().native);
    side.text = side.caps.description;
    side.checked = true;
    return side;
}

std::vector<BridgeLine> bridgeReport(const compute::DeviceInfo& device, const GlSide& gl) {
    std::vector<BridgeLine> lines;
    for (const interop::StrategyReport& r :
         interop::probeBridgeStrategies(device, gl.checked ? &gl.caps : nullptr))
        lines.push_back({interop::bridgeStrategyName(r.strategy), r.available, r.reason});
    return lines;
}

std::string jsonString(std::string_view s) {
    std::string r = "\"";
    for (char c : s) {
        switch (c) {
        case '"': r += "\\\""; break;
        case '\\': r += "\\\\"; break;
        case '\n': r += "\\n"; break;
        case '\t': r += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                r += buf;
            } else {
                r += c;
            }
        }
    }
    return r + "\"";
}

std::string mib(uint64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

const char* yesNo(bool b) { return b ? "yes" : "no"; }

void printText(std::ostream& out, const std::vector<compute::DeviceInfo>& devices,
               const Expected<compute::DeviceChoice>& choice, const GlSide& gl) {
    out << "GL (headless EGL): " << (gl.checked ? gl.text : "not checked: " + gl.text) << "\n";
    std::string platform = "\x01";
    for (const compute::DeviceInfo& d : devices) {
        if (d.platformName + d.platformVersion != platform) {
            platform = d.platformName + d.platformVersion;
            out << "platform " << d.platformIndex << ": " << d.platformName << " ("
                << d.platformVendor << ")\n  version: " << d.platformVersion << "\n";
        }
        out << "  device " << d.index << " (" << d.platformIndex << ":" << d.deviceIndex
            << "): " << d.name << "\n"
            << "    type: " << compute::deviceTypeName(d.type) << ", vendor: " << d.vendor
            << "\n    version: " << d.deviceVersion << ", driver " << d.driverVersion << "\n"
            << "    compute units: " << d.computeUnits << " @ " << d.maxClockMHz << " MHz"
            << ", max work-group " << d.maxWorkGroupSize << "\n"
            << "    memory: global " << mib(d.globalMemBytes) << ", local "
            << d.localMemBytes / 1024 << " KiB, max alloc " << mib(d.maxAllocBytes) << "\n"
            << "    host-unified memory: " << yesNo(d.hostUnifiedMemory)
            << (d.hostUnifiedMemoryInferred ? " (inferred from the device type: the driver "
                                              "does not answer the deprecated query)"
                                            : "")
            << "\n    images: " << yesNo(d.imageSupport);
        if (d.imageSupport)
            out << " (2D up to " << d.image2dMaxWidth << "x" << d.image2dMaxHeight << ")";
        out << "\n    fp16: " << yesNo(d.fp16) << "\n    key extensions:";
        for (const char* e : kKeyExtensions) out << " " << e << (d.has(e) ? "+" : "-");
        out << "\n";
        const auto bridge = bridgeReport(d, gl);
        if (!bridge.empty()) {
            out << "    frame bridge" << (gl.checked ? "" : " (no GL context checked)") << ":\n";
            for (const BridgeLine& b : bridge)
                out << "      " << b.strategy << ": " << (b.available ? "available" : "unavailable")
                    << " - " << b.reason << "\n";
        }
    }
    if (choice)
        out << "chosen device: " << choice->device.index << " " << choice->device.displayName()
            << " (" << choice->reason << ")\n";
    else
        out << "chosen device: none: " << choice.status().message() << "\n";
}

void printJson(std::ostream& out, const std::vector<compute::DeviceInfo>& devices,
               const Expected<compute::DeviceChoice>& choice, const GlSide& gl) {
    out << "{\n  \"gl\": {\"checked\": " << (gl.checked ? "true" : "false") << ", "
        << (gl.checked ? "\"renderer\": " : "\"error\": ") << jsonString(gl.text)
        << ", \"bufferStorage\": " << (gl.caps.bufferStorage ? "true" : "false") << "},";
    out << "\n  \"devices\": [";
    for (size_t i = 0; i < devices.size(); ++i) {
        const compute::DeviceInfo& d = devices[i];
        out << (i ? ",\n" : "\n") << "    {\"index\": " << d.index
            << ", \"platformIndex\": " << d.platformIndex << ", \"deviceIndex\": " << d.deviceIndex
            << ",\n     \"name\": " << jsonString(d.name)
            << ", \"vendor\": " << jsonString(d.vendor)
            << ",\n     \"platform\": " << jsonString(d.platformName)
            << ", \"platformVersion\": " << jsonString(d.platformVersion)
            << ",\n     \"deviceVersion\": " << jsonString(d.deviceVersion)
            << ", \"driverVersion\": " << jsonString(d.driverVersion)
            << ",\n     \"type\": " << jsonString(compute::deviceTypeName(d.type))
            << ", \"computeUnits\": " << d.computeUnits << ", \"maxClockMHz\": " << d.maxClockMHz
            << ",\n     \"globalMemBytes\": " << d.globalMemBytes
            << ", \"localMemBytes\": " << d.localMemBytes
            << ", \"maxAllocBytes\": " << d.maxAllocBytes
            << ",\n     \"hostUnifiedMemory\": " << (d.hostUnifiedMemory ? "true" : "false")
            << ", \"hostUnifiedMemoryInferred\": "
            << (d.hostUnifiedMemoryInferred ? "true" : "false")
            << ",\n     \"imageSupport\": " << (d.imageSupport ? "true" : "false")
            << ", \"image2dMax\": [" << d.image2dMaxWidth << ", " << d.image2dMaxHeight << "]"
            << ", \"fp16\": " << (d.fp16 ? "true" : "false") << ",\n     \"keyExtensions\": {";
        bool first = true;
        for (const char* e : kKeyExtensions) {
            out << (first ? "" : ", ") << jsonString(e) << ": " << (d.has(e) ? "true" : "false");
            first = false;
        }
        out << "},\n     \"extensions\": [";
        for (size_t e = 0; e < d.extensions.size(); ++e)
            out << (e ? ", " : "") << jsonString(d.extensions[e]);
        out << "],\n     \"bridge\": [";
        const auto bridge = bridgeReport(d, gl);
        for (size_t b = 0; b < bridge.size(); ++b)
            out << (b ? ", " : "") << "{\"strategy\": " << jsonString(bridge[b].strategy)
                << ", \"available\": " << (bridge[b].available ? "true" : "false")
                << ", \"reason\": " << jsonString(bridge[b].reason) << "}";
        out << "]}";
    }
    out << "\n  ],\n  \"chosen\": ";
    if (choice)
        out << "{\"index\": " << choice->device.index << ", \"reason\": "
            << jsonString(choice->reason) << "}";
    else
        out << "null, \"error\": " << jsonString(choice.status().message());
    out << "\n}\n";
}

}  // namespace

int runProbe(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    bool json = false;
    std::string selector;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--json") {
            json = true;
        } else if (a == "--cl-device" && i + 1 < args.size()) {
            selector = args[++i];
        } else if (a.rfind("--cl-device=", 0) == 0) {
            selector = a.substr(12);
        } else if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n";
            return kExitOk;
        } else {
            err << "sightline probe: unexpected argument '" << a << "'\nusage: " << kUsage << "\n";
            return kExitUsage;
        }
    }
    bool fromEnv = false;
    if (selector.empty()) {
        if (const char* env = std::getenv("SIGHTLINE_CL_DEVICE"); env && *env) {
            selector = env;
            fromEnv = true;
        }
    }
    auto devices = compute::enumerateDevices();
    if (!devices) {
        if (json)
            out << "{\n  \"devices\": [],\n  \"chosen\": null, \"error\": "
                << jsonString(devices.status().message()) << "\n}\n";
        else
            out << "no OpenCL device: " << devices.status().message() << "\n";
        return kExitFailure;
    }
    auto choice = compute::chooseDevice(*devices, selector);
    if (choice && fromEnv) choice->reason += " from SIGHTLINE_CL_DEVICE";
    interop::HeadlessGl headless;
    const GlSide gl = probeGl(headless);
    if (json) printJson(out, *devices, choice, gl);
    else printText(out, *devices, choice, gl);
    out.flush();
    // A selector that matches nothing is the user's error; the listing above shows the choices.
    return choice ? kExitOk : kExitFailure;
}

int runProbe(std::span<const std::string> args) { return runProbe(args, std::cout, std::cerr); }

}  // namespace sl::cli
