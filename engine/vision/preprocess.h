#pragma once
// Preprocessor: a decoded frame of any native pixel format (media/pixel_format.h: YUV 4:2:0,
// 4:2:2, 4:4:0, 4:4:4 at 8 and 10 bits, NV12, P010, gray, packed RGB/BGR/RGBA) in device memory
// -> a network input tensor, in one
// kernel (vision/kernels/preprocess.cl): colour conversion, letterbox resize, channel order,
// normalisation, NCHW layout, float32 or float16.
//
// Conventions (shared with the CPU reference, preprocess_reference.h, which is the test oracle):
// - Letterbox: s = min(dstW/srcW, dstH/srcH); the picture covers rw x rh = max(1, round(srcW*s)) x
//   max(1, round(srcH*s)) output pixels, at (0,0) (TopLeft) or ((dstW-rw)/2, (dstH-rh)/2) (Centre,
//   integer division); every other output pixel is padValue (normalised like a picture pixel).
// - Sampling: bilinear in RGB, pixel centres at integers: src = (dst - offset + 0.5) *
//   (srcSize/rSize) - 0.5 per axis (srcSize/rSize equals 1/s up to the rounding of rw/rh),
//   clamped to the edge. Each of the four luma samples around src is first made an RGB pixel
//   (below), and those four are interpolated: "convert to RGB, then resize", so a frame gives
//   the tensor its FFmpeg rgb24 conversion gives (detect_pixel_format_test).
// - Chroma of luma sample (x, y): bilinear on the chroma grid, cw x ch = ceil(srcW/fx) x
//   ceil(srcH/fy) for subsampling fx, fy in {1, 2}, at ((x - px) / fx, (y - py) / fy) with
//   (px, py) = media::chromaSiteOffset(chroma) on a subsampled axis and 0 on the others (as
//   swscale's src_h_chr_pos / src_v_chr_pos; MPEG-2/H.264 4:2:0 is Left: px 0, py 0.5; JPEG
//   Centre: 0.5, 0.5). 4:4:4 reads chroma at the luma sample.
// - Samples: 8-bit, or 16-bit little-endian words holding 10-bit values (P010: the high 10 bits),
//   read as integers and converted to float exactly.
// - Colour: BT.601 or BT.709 matrix, limited (16-235 / 16-240, times 4 at 10 bits) or full
//   range (media::yuvToRgb), to RGB 0..255 clamped and rounded half up to an 8-bit code value, as
//   swscale's rgb24 is (the network was trained on 8-bit pictures; 10-bit sources keep their
//   extra precision only through the interpolation). Gray has neutral chroma; packed RGB goes
//   through an identity matrix (values unchanged).
// - Exactness: float operations only, in one fixed order, no contraction (FP_CONTRACT OFF), so
//   the kernel and preprocess_reference.cpp agree bit for bit on an IEEE device.
// - Normalisation per output channel c: out = (v * scale - mean[c]) * (1 / std[c]); mean and std
//   are indexed by OUTPUT channel (for Bgr, mean[0] applies to blue).
// - Output: NCHW planes of dstW*dstH elements, channel 0 first, starting at outputOffsetBytes
//   (so batch slot n is at n * outputBytes(params)). Float16 is stored with vstore_half (core
//   OpenCL: every device, cl_khr_fp16 or not).
// - YOLOX-Nano: dst 416x416, Bgr, TopLeft, pad 114, scale 1, mean 0, std 1 (the defaults).
//
// A Preprocessor owns its kernel objects; clSetKernelArg is not thread-safe, so use one per thread.

#include "compute/cl_context.h"
#include "compute/cl_handles.h"
#include "core/status.h"
#include "interop/plane_view.h"
#include "media/video_frame.h"

#include <CL/cl.h>

#include <array>
#include <cstddef>
#include <vector>

namespace sl::vision {

// A frame in device memory (the name is historical: any media::PixelFormat), its planes as
// media/pixel_format.h lays them out (Y, U, V; Y, UV; Y; or one packed RGB plane). 16-bit planes
// need even offsets and strides. Planes may share one buffer at different offsets. The planes are the bridge's own (interop::ClFrame::planes):
//   DeviceYuvFrame{cl->format, cl->width, cl->height, cl->planes, matrix, range, chroma}
struct DeviceYuvFrame {
    media::PixelFormat format = media::PixelFormat::Yuv420p;
    int width = 0;
    int height = 0;
    std::array<interop::PlaneView, 3> planes{};
    media::ColorMatrix matrix = media::ColorMatrix::Bt601;
    media::ColorRange range = media::ColorRange::Limited;
    media::ChromaLocation chroma = media::ChromaLocation::Left;   // VideoFrame::chromaLocation()
};

enum class ChannelOrder { Rgb, Bgr };
enum class Placement { TopLeft, Centre };
enum class TensorType { Float32, Float16 };

struct PreprocessParams {
    int dstWidth = 416;
    int dstHeight = 416;
    ChannelOrder order = ChannelOrder::Bgr;
    Placement placement = Placement::TopLeft;
    float padValue = 114.0f;                    // in 0..255 pixel units
    float scale = 1.0f;                         // e.g. 1/255 for 0..1 inputs
    std::array<float, 3> mean{0.0f, 0.0f, 0.0f};   // per output channel
    std::array<float, 3> std{1.0f, 1.0f, 1.0f};    // per output channel
    TensorType type = TensorType::Float32;
};

// Where the picture lands in the tensor; also what maps detections back to source pixels:
// srcX = (tensorX - offsetX) * srcWidth / width.
struct Letterbox {
    int offsetX = 0;
    int offsetY = 0;
    int width = 1;    // rw
    int height = 1;   // rh
};
Letterbox computeLetterbox(int srcWidth, int srcHeight, const PreprocessParams& params);

// Bytes of one output tensor (3 x dstH x dstW elements of params.type).
size_t preprocessOutputBytes(const PreprocessParams& params);

class Preprocessor {
public:
    // Builds (or fetches from ctx.programs()) the kernel. ctx must outlive the Preprocessor.
    static Expected<Preprocessor> create(const compute::ComputeContext& ctx);

    // Enqueues the conversion of `src` into `output` at outputOffsetBytes on `queue` (null:
    // ctx.queue(); else an in-order queue of ctx's context, e.g. an nn::Session's own); does not
    // wait. `waitList` are events the kernel waits for (the bridge's upload); `done`, when given,
    // receives the kernel's event (profiling enabled). Errors: InvalidArgument for inconsistent
    // planes, sizes or a too small buffer.
    Status run(const DeviceYuvFrame& src, const PreprocessParams& params, cl_mem output,
               size_t outputOffsetBytes = 0, const std::vector<cl_event>& waitList = {},
               compute::ClEvent* done = nullptr, cl_command_queue queue = nullptr);

private:
    Preprocessor() = default;
    const compute::ComputeContext* ctx_ = nullptr;
    compute::ClKernel u8f32_, u8f16_;     // 8-bit samples
    compute::ClKernel u16f32_, u16f16_;   // 16-bit words (10-bit formats)
};

}  // namespace sl::vision
