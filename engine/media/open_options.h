#pragma once

#include <functional>
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
    int networkTimeoutMs = 10000;      // read timeout (per blocking call) for network input
    int openTimeoutMs = 0;             // connect + probe timeout; 0 = networkTimeoutMs
    std::map<std::string, std::string> avOptions;   // passed to avformat_open_input
    // (optional) Decoder buffers from here (zero-copy into a bridge slot); see frame_allocator.h.
    // Shared: the decoder keeps it alive while any of its threads may call it.
    std::shared_ptr<FrameAllocator> frameAllocator;
    // (optional) Polled from FFmpeg's interrupt callback, on the thread that blocks in open or
    // read, about every 100 ms while network or device I/O waits; true aborts that call (it then
    // fails like a timeout). LiveSource's watchdog: it notices a stall while the read still waits,
    // and a stop request reaches a blocked read without another thread touching the source.
    std::function<bool()> interruptPoll;
};

}  // namespace sl::media
