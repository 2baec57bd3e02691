#pragma once
// Owners for FFmpeg handles (one header, like ggml-cpp.h): every AV* object the media engine
// creates lives in one of these, so early returns on error paths cannot leak.

#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/buffer.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>
}

namespace sl::media {

struct AvFormatInputClose {
    void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct AvCodecContextFree {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct AvFrameFree {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct AvPacketFree {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsContextFree {
    void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct AvBufferUnref {
    void operator()(AVBufferRef* b) const { av_buffer_unref(&b); }
};
struct AvCodecParametersFree {
    void operator()(AVCodecParameters* p) const { avcodec_parameters_free(&p); }
};
// An output (muxing) context: closes its file, if it opened one, then frees the context.
struct AvFormatOutputFree {
    void operator()(AVFormatContext* c) const {
        if (c->oformat && !(c->oformat->flags & AVFMT_NOFILE)) avio_closep(&c->pb);
        avformat_free_context(c);
    }
};

using AvFormatInputPtr = std::unique_ptr<AVFormatContext, AvFormatInputClose>;
using AvCodecContextPtr = std::unique_ptr<AVCodecContext, AvCodecContextFree>;
using AvFramePtr = std::unique_ptr<AVFrame, AvFrameFree>;
using AvPacketPtr = std::unique_ptr<AVPacket, AvPacketFree>;
using SwsContextPtr = std::unique_ptr<SwsContext, SwsContextFree>;
using AvBufferPtr = std::unique_ptr<AVBufferRef, AvBufferUnref>;
using AvCodecParametersPtr = std::unique_ptr<AVCodecParameters, AvCodecParametersFree>;
using AvFormatOutputPtr = std::unique_ptr<AVFormatContext, AvFormatOutputFree>;

// av_err2str is a compound-literal macro C++ cannot use.
inline std::string avErrorText(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

}  // namespace sl::media
