#pragma once
// OpenCL C sources compiled into the library at build time (engine/*/kernels/*.cl, embedded by
// engine/compute/embed_kernels.cmake), so the executable needs no kernel files next to it.

#include <string_view>
#include <vector>

namespace sl::compute {

// The source of kernel file `name` ("preprocess.cl"); empty when no such file was embedded.
std::string_view embeddedKernelSource(std::string_view name);

// Every embedded file name, for diagnostics.
std::vector<std::string_view> embeddedKernelNames();

}  // namespace sl::compute
