#pragma once
// OpenCL platforms and devices: what each device is and can do (facts read from the driver), and
// which one the engine uses.
//
// Choice (chooseDevice): with an empty selector, the best GPU (most compute units, max clock as a
// tie-break), else an accelerator, else a CPU device. A selector overrides it; it comes from the
// --cl-device flag, the SIGHTLINE_CL_DEVICE environment variable or a setting (the caller passes
// the string):
//   "N"    global device index, as listed by `sightline probe`
//   "P:D"  platform index : device index within that platform
//   text   case-insensitive substring of the device name, vendor or platform name (the best of the
//          matching devices wins)
// A selector that matches nothing is a NotFound error listing every device.

#include "core/status.h"

#include <CL/cl.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sl::compute {

enum class DeviceType { Gpu, Cpu, Accelerator, Other };
const char* deviceTypeName(DeviceType t);   // "GPU", "CPU", "accelerator", "other"

struct DeviceInfo {
    int index = 0;           // global index across all platforms (selector "N")
    int platformIndex = 0;   // selector "P:D"
    int deviceIndex = 0;
    cl_platform_id platform = nullptr;
    cl_device_id device = nullptr;

    std::string name;
    std::string vendor;
    std::string driverVersion;     // CL_DRIVER_VERSION
    std::string deviceVersion;     // CL_DEVICE_VERSION, "OpenCL 3.0 ..."
    std::string platformName;
    std::string platformVendor;
    std::string platformVersion;   // CL_PLATFORM_VERSION, "OpenCL 3.0 PoCL 3.1 ..."
    int clMajor = 1, clMinor = 0;               // parsed from deviceVersion
    int platformMajor = 1, platformMinor = 0;   // parsed from platformVersion

    DeviceType type = DeviceType::Other;
    unsigned computeUnits = 0;
    unsigned maxClockMHz = 0;
    uint64_t globalMemBytes = 0;
    uint64_t localMemBytes = 0;
    uint64_t maxAllocBytes = 0;
    size_t maxWorkGroupSize = 0;

    // CL_DEVICE_HOST_UNIFIED_MEMORY. The query is deprecated since OpenCL 2.0 and a 3.0 driver may
    // reject it; then the value is inferred (CPU device => unified, otherwise not) and
    // hostUnifiedMemoryInferred is set, so reports can say the value is a guess.
    bool hostUnifiedMemory = false;
    bool hostUnifiedMemoryInferred = false;

    bool imageSupport = false;
    size_t image2dMaxWidth = 0, image2dMaxHeight = 0;
    bool fp16 = false;   // cl_khr_fp16

    std::vector<std::string> extensions;   // CL_DEVICE_EXTENSIONS, split
    bool has(std::string_view extension) const;

    // "pthread-skylake (Portable Computing Language)"
    std::string displayName() const;
};

// Every device of every platform, in platform order. Unavailable when there is no platform or no
// device ("install pocl-opencl-icd or a GPU OpenCL driver").
Expected<std::vector<DeviceInfo>> enumerateDevices();

struct DeviceChoice {
    DeviceInfo device;
    std::string reason;   // "best GPU by compute units x clock", "selector '1:0'", ...
};

// Chooses among `devices` (see the header comment); the environment is not consulted here.
Expected<DeviceChoice> chooseDevice(const std::vector<DeviceInfo>& devices,
                                    std::string_view selector);

// Enumerates and chooses. An empty `selector` falls back to $SIGHTLINE_CL_DEVICE, then to the
// automatic choice.
Expected<DeviceChoice> chooseDevice(std::string_view selector = {});

// One line per device ("  0 (0:0) CPU pthread-... [Portable Computing Language] 2 CU"), used in
// error messages and by `sightline probe`.
std::string deviceListText(const std::vector<DeviceInfo>& devices);

}  // namespace sl::compute
