#pragma once
// One plane of a frame in a cl_mem buffer: bytes [offset, offset + stride * height) of `mem`,
// rows of `width` samples (NV12's UV plane: ceil(w/2) x ceil(h/2) pairs, 2 bytes each). What the
// bridge hands out (interop::ClFrame) and what the preprocess kernel reads
// (vision::DeviceYuvFrame) are the same planes, so both use this one type. `mem` is borrowed.

#include <CL/cl.h>

#include <cstddef>

namespace sl::interop {

struct PlaneView {
    cl_mem mem = nullptr;
    size_t offset = 0;
    int stride = 0;
    int width = 0;
    int height = 0;
};

}  // namespace sl::interop
