#pragma once
// A mapped slot as the preprocess kernel's input: interop::ClFrame -> vision::DeviceYuvFrame. The
// two PlaneView structs are field for field the same (buffer, byte offset, byte stride, samples);
// this adapter is the one place that knows it, so neither module includes the other's internals.
//
//   auto cl = bridge->mapCl(slot, ClAccess::Read);
//   pre.run(toDeviceYuvFrame(*cl, frame.colorMatrix(), frame.colorRange()), params, tensor, 0,
//           {cl->ready}, &done);
//   bridge->unmapCl(slot, done.get());

#include "interop/frame_bridge.h"
#include "vision/preprocess.h"

namespace sl::interop {

inline vision::DeviceYuvFrame toDeviceYuvFrame(const ClFrame& f, media::ColorMatrix matrix,
                                               media::ColorRange range) {
    vision::DeviceYuvFrame d;
    d.format = f.format;
    d.width = f.width;
    d.height = f.height;
    for (int p = 0; p < f.planeCount; ++p) {
        const PlaneView& v = f.planes[p];
        d.planes[size_t(p)] = vision::PlaneView{v.mem, v.offset, v.stride, v.width, v.height};
    }
    d.matrix = matrix;
    d.range = range;
    return d;
}

}  // namespace sl::interop
