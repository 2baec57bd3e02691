#pragma once

#include <map>
#include <memory>
#include <string>

namespace sl::media {

class FrameAllocator;

// How to open a source. `url` is a local path, a network URL (http, https, rtsp, udp, tcp, ...)
// or a V4L2 device path (/dev/videoN, opened through libavdevice's v4l2 input).
struct OpenOptions {
    std::string url;
    std::string inputFormat;           // force a demuxer/device ("v4l2", "mpegts"); empty = probe
    bool preferHardware = true;        // try FFmpeg hwaccel (VA-API) first; log why it is not used
    int decoderThreads = 0;            // 0 = FFmpeg's choice (frame + slice threading)
    bool buildIndex = true;            // scan packets for exact frame count/seek (seekable input)
    int networkTimeoutMs = 10000;      // open/read timeout for network input
    std::map<std::string, std::string> avOptions;   // passed to avformat_open_input
    // (optional) Decoder buffers from here (zero-copy into a bridge slot); see frame_allocator.h.
    // Shared: the decoder keeps it alive while any of its threads may call it.
    std::shared_ptr<FrameAllocator> frameAllocator;
};

}  // namespace sl::media
