#pragma once
// FFmpeg's own conversions of a decoded frame, the references that the preprocess kernel
// (tests/engine/detect_pixel_format_test.cpp) and the video view's shader
// (tests/gui/test_view_pixel_formats.cpp) are held to. Every choice that swscale would
// otherwise make for itself is spelled out, so the reference is well defined.

extern "C" {
#include <libavutil/pixfmt.h>
}

#include "media/ffmpeg_ptr.h"
#include "media/pixel_format.h"
#include "media/video_frame.h"

namespace sl::testing {

// swscale of `in` to `to` at the same size: bilinear, accurate rounding, chroma interpolated to
// full resolution on input and output (no 4:2:x intermediate), the given matrix and range in
// (and out for YUV; RGB is full range), and chroma siting `chroma` on the subsampled axes only
// (an axis at full resolution has chroma at luma, swscale's default there). Null on failure.
media::AvFramePtr swsConvert(const AVFrame* in, AVPixelFormat to, media::ColorMatrix matrix,
                             media::ColorRange range, media::ChromaLocation chroma);

// The frame as packed rgb24 by swscale, with the frame's own matrix, range and chroma siting
// (VideoFrame's reading of its tags). Through planar GBR: when the height is unchanged,
// swscale's packed-RGB writers skip the vertical chroma filter (libswscale/vscale.c hands
// yuv2packed1 one chroma line, or the plain average of two, by the filter weight), an
// approximation of its own that moved 4:2:0 / 4:4:0 pictures by up to 31 code values; the
// planar writer runs the full bilinear filter, and gbrp -> rgb24 is a lossless shuffle.
media::AvFramePtr ffmpegRgb24(const media::VideoFrame& frame);

}  // namespace sl::testing
