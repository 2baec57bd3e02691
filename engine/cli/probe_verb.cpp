// `sightline probe [--json] [--cl-device SEL]`: what this machine offers the engine: OpenCL
// platforms and devices with the facts that decide placement and the frame bridge, the device the
// engine would choose and why, and the FrameBridge strategies with the reason each is
// (un)available.

#include "cli/cli.h"
#include "compute/platform.h"

// Interop hook: the bridge strategies come from engine/interop when that module is present in the
// tree (its report needs no GL context; without one it says the GL side was not checked).
#if __has_include("interop/frame_bridge.h")
#include "interop/frame_bridge.h"
#define SL_PROBE_HAS_INTEROP 1
#endif

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

std::vector<BridgeLine> bridgeReport([[maybe_unused]] const compute::DeviceInfo& device) {
    std::vector<BridgeLine> lines;
#ifdef SL_PROBE_HAS_INTEROP
    for (const interop::StrategyReport& r : interop::probeBridgeStrategies(device, nullptr))
        lines.push_back({interop::bridgeStrategyName(r.strategy), r.available, r.reason});
#endif
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
               const Expected<compute::DeviceChoice>& choice) {
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
        const auto bridge = bridgeReport(d);
        if (!bridge.empty()) {
            out << "    frame bridge (no GL context checked):\n";
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
               const Expected<compute::DeviceChoice>& choice) {
    out << "{\n  \"devices\": [";
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
        const auto bridge = bridgeReport(d);
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
    if (json) printJson(out, *devices, choice);
    else printText(out, *devices, choice);
    out.flush();
    // A selector that matches nothing is the user's error; the listing above shows the choices.
    return choice ? kExitOk : kExitFailure;
}

int runProbe(std::span<const std::string> args) { return runProbe(args, std::cout, std::cerr); }

}  // namespace sl::cli
