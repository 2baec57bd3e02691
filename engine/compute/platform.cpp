#include "compute/platform.h"

#include "compute/cl_error.h"
#include "core/log.h"

#include <CL/cl_ext.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

namespace sl::compute {
namespace {

std::string platformString(cl_platform_id p, cl_platform_info what) {
    size_t size = 0;
    if (clGetPlatformInfo(p, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
    std::string s(size, '\0');
    if (clGetPlatformInfo(p, what, size, s.data(), nullptr) != CL_SUCCESS) return {};
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string deviceString(cl_device_id d, cl_device_info what) {
    size_t size = 0;
    if (clGetDeviceInfo(d, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
    std::string s(size, '\0');
    if (clGetDeviceInfo(d, what, size, s.data(), nullptr) != CL_SUCCESS) return {};
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
    return s;
}

template <class T>
bool deviceValue(cl_device_id d, cl_device_info what, T& out) {
    return clGetDeviceInfo(d, what, sizeof(T), &out, nullptr) == CL_SUCCESS;
}

// "OpenCL 3.0 PoCL ..." -> 3, 0
void parseVersion(const std::string& s, int& major, int& minor) {
    const size_t at = s.find("OpenCL ");
    if (at == std::string::npos) return;
    int ma = 0, mi = 0;
    if (std::sscanf(s.c_str() + at + 7, "%d.%d", &ma, &mi) == 2) {
        major = ma;
        minor = mi;
    }
}

std::string lower(std::string_view s) {
    std::string r(s);
    for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
}

bool allDigits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int typeRank(DeviceType t) {
    switch (t) {
    case DeviceType::Gpu: return 3;
    case DeviceType::Accelerator: return 2;
    case DeviceType::Cpu: return 1;
    case DeviceType::Other: return 0;
    }
    return 0;
}

// True when a is a better automatic choice than b.
bool better(const DeviceInfo& a, const DeviceInfo& b) {
    if (typeRank(a.type) != typeRank(b.type)) return typeRank(a.type) > typeRank(b.type);
    const uint64_t sa = uint64_t(a.computeUnits) * std::max(1u, a.maxClockMHz);
    const uint64_t sb = uint64_t(b.computeUnits) * std::max(1u, b.maxClockMHz);
    if (sa != sb) return sa > sb;
    return a.index < b.index;
}

const DeviceInfo* best(const std::vector<const DeviceInfo*>& candidates) {
    const DeviceInfo* b = nullptr;
    for (const DeviceInfo* d : candidates)
        if (!b || better(*d, *b)) b = d;
    return b;
}

DeviceInfo readDevice(cl_platform_id p, cl_device_id d) {
    DeviceInfo info;
    info.platform = p;
    info.device = d;
    info.name = deviceString(d, CL_DEVICE_NAME);
    info.vendor = deviceString(d, CL_DEVICE_VENDOR);
    info.driverVersion = deviceString(d, CL_DRIVER_VERSION);
    info.deviceVersion = deviceString(d, CL_DEVICE_VERSION);
    info.platformName = platformString(p, CL_PLATFORM_NAME);
    info.platformVendor = platformString(p, CL_PLATFORM_VENDOR);
    info.platformVersion = platformString(p, CL_PLATFORM_VERSION);
    parseVersion(info.deviceVersion, info.clMajor, info.clMinor);
    parseVersion(info.platformVersion, info.platformMajor, info.platformMinor);

    cl_device_type type = 0;
    deviceValue(d, CL_DEVICE_TYPE, type);
    if (type & CL_DEVICE_TYPE_GPU) info.type = DeviceType::Gpu;
    else if (type & CL_DEVICE_TYPE_ACCELERATOR) info.type = DeviceType::Accelerator;
    else if (type & CL_DEVICE_TYPE_CPU) info.type = DeviceType::Cpu;

    cl_uint u = 0;
    if (deviceValue(d, CL_DEVICE_MAX_COMPUTE_UNITS, u)) info.computeUnits = u;
    if (deviceValue(d, CL_DEVICE_MAX_CLOCK_FREQUENCY, u)) info.maxClockMHz = u;
    cl_ulong ul = 0;
    if (deviceValue(d, CL_DEVICE_GLOBAL_MEM_SIZE, ul)) info.globalMemBytes = ul;
    if (deviceValue(d, CL_DEVICE_LOCAL_MEM_SIZE, ul)) info.localMemBytes = ul;
    if (deviceValue(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, ul)) info.maxAllocBytes = ul;
    size_t sz = 0;
    if (deviceValue(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sz)) info.maxWorkGroupSize = sz;

    cl_bool b = CL_FALSE;
    if (deviceValue(d, CL_DEVICE_HOST_UNIFIED_MEMORY, b)) {
        info.hostUnifiedMemory = b == CL_TRUE;
    } else {
        info.hostUnifiedMemory = info.type == DeviceType::Cpu;
        info.hostUnifiedMemoryInferred = true;
    }
    if (deviceValue(d, CL_DEVICE_IMAGE_SUPPORT, b)) info.imageSupport = b == CL_TRUE;
    if (info.imageSupport) {
        deviceValue(d, CL_DEVICE_IMAGE2D_MAX_WIDTH, info.image2dMaxWidth);
        deviceValue(d, CL_DEVICE_IMAGE2D_MAX_HEIGHT, info.image2dMaxHeight);
    }

    std::istringstream exts(deviceString(d, CL_DEVICE_EXTENSIONS));
    for (std::string e; exts >> e;) info.extensions.push_back(e);
    info.fp16 = info.has("cl_khr_fp16");
    return info;
}

}  // namespace

const char* deviceTypeName(DeviceType t) {
    switch (t) {
    case DeviceType::Gpu: return "GPU";
    case DeviceType::Cpu: return "CPU";
    case DeviceType::Accelerator: return "accelerator";
    case DeviceType::Other: return "other";
    }
    return "other";
}

bool DeviceInfo::has(std::string_view extension) const {
    return std::find(extensions.begin(), extensions.end(), extension) != extensions.end();
}

std::string DeviceInfo::displayName() const { return name + " (" + platformName + ")"; }

Expected<std::vector<DeviceInfo>> enumerateDevices() {
    static constexpr const char* kHint =
        "install an OpenCL driver (pocl-opencl-icd for the CPU, or the GPU vendor's ICD)";
    cl_uint numPlatforms = 0;
    const cl_int err = clGetPlatformIDs(0, nullptr, &numPlatforms);
    // ocl-icd answers CL_PLATFORM_NOT_FOUND_KHR when no ICD is registered.
    if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && numPlatforms == 0))
        return Status(StatusCode::Unavailable,
                      std::string("compute: no OpenCL platform; ") + kHint);
    SL_CL_TRY_ERR(err, "clGetPlatformIDs");
    std::vector<cl_platform_id> platforms(numPlatforms);
    SL_CL_TRY(clGetPlatformIDs(numPlatforms, platforms.data(), nullptr));

    std::vector<DeviceInfo> devices;
    for (cl_uint p = 0; p < numPlatforms; ++p) {
        cl_uint n = 0;
        const cl_int e = clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, 0, nullptr, &n);
        if (e != CL_SUCCESS || n == 0) {
            // A platform without devices (a GPU ICD without its GPU) does not spoil the others.
            logDebug("compute", "platform " + platformString(platforms[p], CL_PLATFORM_NAME) +
                                    " has no devices (" + clErrorName(e) + ")");
            continue;
        }
        std::vector<cl_device_id> ids(n);
        SL_CL_TRY(clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, n, ids.data(), nullptr));
        for (cl_uint d = 0; d < n; ++d) {
            DeviceInfo info = readDevice(platforms[p], ids[d]);
            info.index = int(devices.size());
            info.platformIndex = int(p);
            info.deviceIndex = int(d);
            devices.push_back(std::move(info));
        }
    }
    if (devices.empty())
        return Status(
            StatusCode::Unavailable,
            std::string("compute: OpenCL platforms exist but none has a device; ") + kHint);
    return devices;
}

std::string deviceListText(const std::vector<DeviceInfo>& devices) {
    std::string s;
    for (const DeviceInfo& d : devices) {
        s += "  " + std::to_string(d.index) + " (" + std::to_string(d.platformIndex) + ":" +
             std::to_string(d.deviceIndex) + ") " + deviceTypeName(d.type) + " " + d.name + " [" +
             d.platformName + "] " + std::to_string(d.computeUnits) + " CU\n";
    }
    return s;
}

Expected<DeviceChoice> chooseDevice(const std::vector<DeviceInfo>& devices,
                                    std::string_view selector) {
    if (devices.empty()) return Status(StatusCode::Unavailable, "compute: no OpenCL device");
    std::vector<const DeviceInfo*> all;
    for (const DeviceInfo& d : devices) all.push_back(&d);
    if (selector.empty()) {
        const DeviceInfo* b = best(all);
        std::string why = b->type == DeviceType::Gpu
                              ? "best GPU by type, then compute units x clock"
                              : std::string("no GPU; best ") + deviceTypeName(b->type) +
                                    " device by compute units x clock";
        return DeviceChoice{*b, why};
    }

    const std::string sel(selector);
    const DeviceInfo* match = nullptr;
    if (allDigits(sel)) {
        const long idx = std::strtol(sel.c_str(), nullptr, 10);
        for (const DeviceInfo& d : devices)
            if (d.index == idx) match = &d;
    } else if (const size_t colon = sel.find(':');
               colon != std::string::npos && allDigits(sel.substr(0, colon)) &&
               allDigits(sel.substr(colon + 1))) {
        const long p = std::strtol(sel.c_str(), nullptr, 10);
        const long d = std::strtol(sel.c_str() + colon + 1, nullptr, 10);
        for (const DeviceInfo& dev : devices)
            if (dev.platformIndex == p && dev.deviceIndex == d) match = &dev;
    } else {
        const std::string needle = lower(sel);
        std::vector<const DeviceInfo*> hits;
        for (const DeviceInfo& d : devices) {
            if (lower(d.name).find(needle) != std::string::npos ||
                lower(d.vendor).find(needle) != std::string::npos ||
                lower(d.platformName).find(needle) != std::string::npos)
                hits.push_back(&d);
        }
        match = best(hits);
    }
    if (!match)
        return Status(StatusCode::NotFound, "compute: OpenCL device selector '" + sel +
                                                "' matches no device; devices:\n" +
                                                deviceListText(devices));
    return DeviceChoice{*match, "selector '" + sel + "'"};
}

Expected<DeviceChoice> chooseDevice(std::string_view selector) {
    auto devices = enumerateDevices();
    if (!devices) return devices.status();
    std::string sel(selector);
    std::string source = "";
    if (sel.empty()) {
        if (const char* env = std::getenv("SIGHTLINE_CL_DEVICE"); env && *env) {
            sel = env;
            source = " from SIGHTLINE_CL_DEVICE";
        }
    }
    auto choice = chooseDevice(*devices, sel);
    if (choice && !source.empty()) choice->reason += source;
    return choice;
}

}  // namespace sl::compute
