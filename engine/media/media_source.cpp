#include "media/media_source.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "core/log.h"
#include "media/ffmpeg_ptr.h"

extern "C" {
#include <libavdevice/avdevice.h>
#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>
}

namespace sl::media {

namespace {

using SteadyClock = std::chrono::steady_clock;

// FFmpeg's own log goes through the engine sink at debug level: our Status messages already carry
// what the user needs, and a corrupt file would otherwise flood stderr with decoder complaints.
void ffmpegLogCallback(void* avcl, int level, const char* fmt, va_list vl) {
    if (level > AV_LOG_WARNING || sl::logLevel() > LogLevel::Debug) return;
    char line[1024];
    int printPrefix = 1;
    av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &printPrefix);
    std::string_view text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (!text.empty()) sl::logDebug("ffmpeg", text);
}

void initFfmpegOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        avformat_network_init();
        avdevice_register_all();
        av_log_set_callback(&ffmpegLogCallback);
    });
}

bool startsWith(const std::string& s, std::string_view prefix) {
    return s.size() >= prefix.size() && std::string_view(s).substr(0, prefix.size()) == prefix;
}

bool isNetworkUrl(const std::string& url) {
    const auto pos = url.find("://");
    if (pos == std::string::npos) return false;
    return url.substr(0, pos) != "file";
}

StatusCode codeForAvError(int err) {
    if (err == AVERROR(ENOENT)) return StatusCode::NotFound;
    if (err == AVERROR_EXIT) return StatusCode::Cancelled;
    if (err == AVERROR(ECONNREFUSED) || err == AVERROR(ETIMEDOUT) || err == AVERROR(EIO) ||
        err == AVERROR(EHOSTUNREACH) || err == AVERROR(ENETUNREACH) || err == AVERROR(EACCES) ||
        err == AVERROR_HTTP_NOT_FOUND || err == AVERROR_HTTP_SERVER_ERROR)
        return StatusCode::Io;
    if (err == AVERROR_DECODER_NOT_FOUND || err == AVERROR_DEMUXER_NOT_FOUND ||
        err == AVERROR_PROTOCOL_NOT_FOUND)
        return StatusCode::Unsupported;
    return StatusCode::InvalidData;
}

std::string mediaTypeName(AVMediaType t) {
    const char* s = av_get_media_type_string(t);
    return s ? s : "unknown";
}

void fillInfo(MediaInfo& info, AVFormatContext* fmt, int videoStream) {
    info.container = fmt->iformat && fmt->iformat->name ? fmt->iformat->name : "";
    info.containerLong = fmt->iformat && fmt->iformat->long_name ? fmt->iformat->long_name : "";
    info.bitRate = fmt->bit_rate;
    info.streams.clear();
    info.videoStream = -1;
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        const AVStream* st = fmt->streams[i];
        const AVCodecParameters* par = st->codecpar;
        StreamInfo s;
        s.index = int(i);
        s.type = mediaTypeName(par->codec_type);
        s.codec = avcodec_get_name(par->codec_id);
        if (const AVCodecDescriptor* d = avcodec_descriptor_get(par->codec_id); d && d->long_name)
            s.codecLong = d->long_name;
        if (const char* p = avcodec_profile_name(par->codec_id, par->profile)) s.profile = p;
        s.bitRate = par->bit_rate;
        if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
            s.width = par->width;
            s.height = par->height;
            if (const char* n = av_get_pix_fmt_name(AVPixelFormat(par->format))) s.pixelFormat = n;
            if (st->avg_frame_rate.den && st->avg_frame_rate.num)
                s.averageFps = av_q2d(st->avg_frame_rate);
            if (st->r_frame_rate.den && st->r_frame_rate.num)
                s.nominalFps = av_q2d(st->r_frame_rate);
            if (st->time_base.num > 0 && st->time_base.den > 0) {
                s.timeBaseNum = st->time_base.num;
                s.timeBaseDen = st->time_base.den;
            }
            if (st->start_time != AV_NOPTS_VALUE) s.startPts = st->start_time;
        } else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
            s.sampleRate = par->sample_rate;
            s.channels = par->ch_layout.nb_channels;
        }
        if (int(i) == videoStream) info.videoStream = int(info.streams.size());
        info.streams.push_back(std::move(s));
    }
    const AVStream* vst = videoStream >= 0 ? fmt->streams[videoStream] : nullptr;
    if (vst && vst->duration != AV_NOPTS_VALUE && vst->duration > 0)
        info.durationSeconds = double(vst->duration) * av_q2d(vst->time_base);
    else if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
        info.durationSeconds = double(fmt->duration) / AV_TIME_BASE;
}

}  // namespace

struct MediaSource::Impl {
    std::string url;
    OpenOptions options;
    bool network = false;
    bool device = false;
    bool live = false;

    // Interrupt state read by FFmpeg's I/O loops (AVIOInterruptCB) on whatever thread blocks.
    std::atomic<bool> interrupted{false};
    std::atomic<int64_t> deadlineNs{0};   // steady_clock ns; 0 = no deadline

    AvFormatInputPtr fmt;
    AvCodecContextPtr codec;
    AvBufferPtr hwDevice;
    AvPacketPtr pkt;
    AvFramePtr frame;
    SwsContextPtr sws;
    int stream = -1;
    AVRational timeBase{1, 1};
    int64_t startPts = 0;
    bool demuxEof = false;
    std::string liveEnd;   // why a live input stopped (set at its demuxer's end, before draining)
    int consecutiveErrors = 0;
    int64_t liveCounter = 0;
    PacketTap packetTap;

    // get_buffer2 runs on the decoder's threads: the allocator is read under this mutex and the
    // call made on a local shared_ptr copy, so a swap never destroys one in use.
    mutable std::mutex allocatorMutex;
    std::shared_ptr<FrameAllocator> allocator;
    std::atomic<int64_t> slotFrames{0};
    std::atomic<int64_t> copiedFrames{0};

    std::shared_ptr<FrameAllocator> currentAllocator() const {
        std::lock_guard<std::mutex> lk(allocatorMutex);
        return allocator;
    }

    static int getBuffer2(AVCodecContext* ctx, AVFrame* frame, int flags) {
        auto* self = static_cast<Impl*>(ctx->opaque);
        // Hardware surfaces and anything but plain picture memory stay with FFmpeg.
        if (self && !ctx->hw_frames_ctx && frame->format >= 0) {
            if (std::shared_ptr<FrameAllocator> a = self->currentAllocator()) {
                uint8_t* data[4] = {};
                int linesize[4] = {};
                if (AVBufferRef* buf = a->allocate(*ctx, *frame, data, linesize)) {
                    // Same strides as the stream's earlier pictures, or the decoder may fail.
                    if (self->rememberShape(*frame, buf, data, linesize))
                        return attach(frame, buf, data, linesize);
                    av_buffer_unref(&buf);
                }
            }
            // Decoders such as mpegvideo refuse a picture whose strides differ from the
            // previous ones ("stride changed": EPERM), so once an allocator served this stream,
            // a fallback picture copies its shape in plain heap memory.
            uint8_t* data[4] = {};
            int linesize[4] = {};
            if (AVBufferRef* buf = self->allocateLikeLast(*frame, data, linesize))
                return attach(frame, buf, data, linesize);
        }
        const int err = avcodec_default_get_buffer2(ctx, frame, flags);
        if (err == 0 && self) self->rememberShape(*frame, nullptr, frame->data, frame->linesize);
        return err;
    }

    static int attach(AVFrame* frame, AVBufferRef* buf, uint8_t* data[4], int linesize[4]) {
        frame->buf[0] = buf;
        for (int i = 0; i < 4; ++i) {
            frame->data[i] = data[i];
            frame->linesize[i] = linesize[i];
        }
        frame->extended_data = frame->data;
        return 0;
    }

    // The shape of the last allocator-served picture (any decoder thread writes it).
    struct Shape {
        int format = -1;
        int width = 0;
        int height = 0;
        size_t size = 0;
        ptrdiff_t offset[4] = {-1, -1, -1, -1};
        int linesize[4] = {};
    };
    std::mutex shapeMutex;
    Shape shape;

    // Records the stream's picture shape (buf: an allocator's single buffer, whose layout a
    // fallback can copy; null: FFmpeg's buffers, strides only). False when the strides differ
    // from the ones already established for this format and size.
    bool rememberShape(const AVFrame& f, const AVBufferRef* buf, uint8_t* const data[4],
                       const int linesize[4]) {
        std::lock_guard<std::mutex> lk(shapeMutex);
        if (shape.format == f.format && shape.width == f.width && shape.height == f.height) {
            for (int i = 0; i < 4; ++i)
                if (shape.linesize[i] != linesize[i]) return false;
            if (!buf || shape.size) return true;
        }
        shape.format = f.format;
        shape.width = f.width;
        shape.height = f.height;
        shape.size = buf ? buf->size : 0;
        for (int i = 0; i < 4; ++i) {
            shape.offset[i] = buf && data[i] ? data[i] - buf->data : -1;
            shape.linesize[i] = linesize[i];
        }
        return true;
    }

    AVBufferRef* allocateLikeLast(const AVFrame& f, uint8_t* data[4], int linesize[4]) {
        std::lock_guard<std::mutex> lk(shapeMutex);
        if (shape.size == 0 || shape.format != f.format || shape.width != f.width ||
            shape.height != f.height)
            return nullptr;
        AVBufferRef* buf = av_buffer_alloc(shape.size);   // av_malloc: aligned for SIMD
        if (!buf) return nullptr;
        for (int i = 0; i < 4; ++i) {
            data[i] = shape.offset[i] < 0 ? nullptr : buf->data + shape.offset[i];
            linesize[i] = shape.linesize[i];
        }
        return buf;
    }

    static int interruptCallback(void* opaque) {
        auto* self = static_cast<Impl*>(opaque);
        if (self->interrupted.load()) return 1;
        // The caller's watchdog first: it must see the moment it gives up, even when this
        // call's own deadline expires in the same poll.
        if (self->options.interruptPoll && self->options.interruptPoll()) return 1;
        const int64_t deadline = self->deadlineNs.load();
        return deadline != 0 && SteadyClock::now().time_since_epoch().count() > deadline;
    }

    // Network and device I/O gets a deadline per blocking call; local files never block long.
    void armDeadline(int timeoutMs) {
        if (!network && !device) return;
        const auto ms = std::chrono::milliseconds(std::max(1, timeoutMs));
        deadlineNs = (SteadyClock::now() + ms).time_since_epoch().count();
    }
    void armDeadline() { armDeadline(options.networkTimeoutMs); }
    int openTimeoutMs() const {
        return options.openTimeoutMs > 0 ? options.openTimeoutMs : options.networkTimeoutMs;
    }
    void disarmDeadline() { deadlineNs = 0; }

    AVDictionary* makeDictionary() const {
        AVDictionary* dict = nullptr;
        for (const auto& [k, v] : options.avOptions) av_dict_set(&dict, k.c_str(), v.c_str(), 0);
        if (startsWith(url, "rtsp://") && !av_dict_get(dict, "rtsp_transport", nullptr, 0))
            av_dict_set(&dict, "rtsp_transport", "tcp", 0);   // UDP loses packets through NAT
        if (network && !av_dict_get(dict, "rw_timeout", nullptr, 0))
            av_dict_set_int(&dict, "rw_timeout", int64_t(options.networkTimeoutMs) * 1000, 0);
        return dict;
    }

    Expected<AvFormatInputPtr> openInput() {
        const AVInputFormat* ifmt = nullptr;
        std::string forced = options.inputFormat;
        if (forced.empty() && startsWith(url, "/dev/video")) forced = "v4l2";
        if (!forced.empty()) {
            ifmt = av_find_input_format(forced.c_str());
            if (!ifmt)
                return Status(StatusCode::Unsupported, "media: cannot open '" + url +
                                                           "': input format '" + forced +
                                                           "' is not available in this FFmpeg");
            device = forced == "v4l2" || forced == "video4linux2";
        }
        AVFormatContext* raw = avformat_alloc_context();
        if (!raw) return Status(StatusCode::Internal, "media: out of memory opening '" + url + "'");
        raw->interrupt_callback = {&Impl::interruptCallback, this};
        AVDictionary* dict = makeDictionary();
        armDeadline(openTimeoutMs());
        int err = avformat_open_input(&raw, url.c_str(), ifmt, &dict);   // frees raw on failure
        av_dict_free(&dict);
        if (err < 0) {
            // Demuxers report an aborted handshake in their own words ("Invalid data found"
            // from RTSP): when the deadline passed, the truth is that it timed out.
            const bool late = deadlineNs != 0 &&
                              SteadyClock::now().time_since_epoch().count() > deadlineNs;
            disarmDeadline();
            std::string why = avErrorText(err);
            if ((err == AVERROR_EXIT || late) && !interrupted) {
                why = "timed out after " + std::to_string(openTimeoutMs()) + " ms";
                err = AVERROR_EXIT;
            }
            return Status(interrupted ? StatusCode::Cancelled
                          : err == AVERROR_EXIT ? StatusCode::Io
                                                : codeForAvError(err),
                          "media: cannot open '" + url + "': " + why);
        }
        AvFormatInputPtr ctx(raw);
        armDeadline(openTimeoutMs());   // probing waits for packets: the open budget again
        err = avformat_find_stream_info(ctx.get(), nullptr);
        disarmDeadline();
        if (err < 0) {
            std::string why = avErrorText(err);
            if (err == AVERROR_EXIT && !interrupted) why = "timed out";
            return Status(interrupted ? StatusCode::Cancelled
                          : err == AVERROR_EXIT ? StatusCode::Io
                                                : codeForAvError(err),
                          "media: cannot read stream info of '" + url + "': " + why);
        }
        return ctx;
    }

    Status openDecoder(std::string& mode) {
        const AVStream* st = fmt->streams[stream];
        const AVCodecParameters* par = st->codecpar;
        const AVCodec* dec = avcodec_find_decoder(par->codec_id);
        if (!dec) {
            char tag[AV_FOURCC_MAX_STRING_SIZE] = {};
            av_fourcc_make_string(tag, par->codec_tag);
            std::string what = std::string("codec '") + avcodec_get_name(par->codec_id) + "'";
            if (par->codec_tag) what += std::string(" (tag ") + tag + ")";
            return Status(StatusCode::Unsupported,
                          "media: cannot decode '" + url + "': no decoder for " + what);
        }
        codec.reset(avcodec_alloc_context3(dec));
        if (!codec) return Status(StatusCode::Internal, "media: out of memory");
        int err = avcodec_parameters_to_context(codec.get(), par);
        if (err < 0)
            return Status(StatusCode::Internal,
                          "media: cannot set up decoder for '" + url + "': " + avErrorText(err));
        codec->pkt_timebase = st->time_base;
        codec->thread_count = options.decoderThreads;
        // Frame threading holds back (threads - 1) pictures: throughput for a file, but for a
        // live input that is latency, and pictures still inside when the stream stops or times
        // out would never come out. Live input decodes with slice threads only (as ffplay's
        // low-latency setups and OBS's media source do).
        codec->thread_type = live ? FF_THREAD_SLICE : FF_THREAD_FRAME | FF_THREAD_SLICE;
        // Direct rendering into an allocator's memory needs a decoder that supports custom
        // buffers (DR1); the others keep the default and their frames are copied downstream.
        codec->opaque = this;
        if (dec->capabilities & AV_CODEC_CAP_DR1) codec->get_buffer2 = &Impl::getBuffer2;

        mode = "software (hardware decoding not requested)";
        if (options.preferHardware) {
            const std::string why = tryVaapi(dec);
            mode = why.empty() ? "hardware (VA-API)" : "software (" + why + ")";
            if (!why.empty()) logDebug("media", "'" + url + "': decoding in " + mode);
        }
        err = avcodec_open2(codec.get(), dec, nullptr);
        if (err < 0)
            return Status(codeForAvError(err), "media: cannot open decoder '" +
                                                   std::string(dec->name) + "' for '" + url +
                                                   "': " + avErrorText(err));
        return Status::ok();
    }

    // Returns "" when VA-API is set up, else why not.
    std::string tryVaapi(const AVCodec* dec) {
        bool supported = false;
        for (int i = 0;; ++i) {
            const AVCodecHWConfig* cfg = avcodec_get_hw_config(dec, i);
            if (!cfg) break;
            if (cfg->device_type == AV_HWDEVICE_TYPE_VAAPI &&
                (cfg->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX))
                supported = true;
        }
        if (!supported) return std::string("VA-API does not support ") + dec->name;
        AVBufferRef* dev = nullptr;
        const int err = av_hwdevice_ctx_create(&dev, AV_HWDEVICE_TYPE_VAAPI, nullptr, nullptr, 0);
        if (err < 0) return "VA-API unavailable: " + avErrorText(err);
        hwDevice.reset(dev);
        codec->hw_device_ctx = av_buffer_ref(dev);
        codec->get_format = &Impl::getFormat;
        return "";
    }

    static AVPixelFormat getFormat(AVCodecContext*, const AVPixelFormat* fmts) {
        for (const AVPixelFormat* p = fmts; *p != AV_PIX_FMT_NONE; ++p)
            if (*p == AV_PIX_FMT_VAAPI) return *p;
        // This stream's profile has no VA-API path: take the first software format.
        for (const AVPixelFormat* p = fmts; *p != AV_PIX_FMT_NONE; ++p) {
            const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(*p);
            if (d && !(d->flags & AV_PIX_FMT_FLAG_HWACCEL)) {
                logInfo("media", "VA-API cannot decode this stream; using software");
                return *p;
            }
        }
        return AV_PIX_FMT_NONE;
    }

    // Downloads hardware frames and converts exotic formats; returns the frame to wrap.
    Expected<AvFramePtr> normalise(AVFrame* in, PixelFormat& out) {
        AvFramePtr src(av_frame_alloc());
        if (!src) return Status(StatusCode::Internal, "media: out of memory");
        if (in->format == AV_PIX_FMT_VAAPI) {
            const int err = av_hwframe_transfer_data(src.get(), in, 0);
            if (err < 0)
                return Status(StatusCode::Internal,
                              "media: VA-API frame download failed: " + avErrorText(err));
            av_frame_copy_props(src.get(), in);
        } else {
            av_frame_move_ref(src.get(), in);
        }
        const auto f = AVPixelFormat(src->format);
        if (nativePixelFormat(f, &out)) return src;
        // Not native: convert to the native format that keeps every sample (never squeeze
        // chroma): RGB-like to rgb24, gray to gray, other YUV to 4:4:4 at 8 or 10 bits.
        const AVPixFmtDescriptor* fd = av_pix_fmt_desc_get(f);
        const bool deep = fd && fd->comp[0].depth > 8;
        const bool rgb = fd && (fd->flags & AV_PIX_FMT_FLAG_RGB);
        const bool gray = fd && fd->nb_components <= 2 && !rgb;
        out = rgb    ? PixelFormat::Rgb24
              : gray ? (deep ? PixelFormat::Gray10 : PixelFormat::Gray)
                     : (deep ? PixelFormat::Yuv444p10 : PixelFormat::Yuv444p);
        const auto target = AVPixelFormat(describe(out).avFormat);
        SwsContext* ctx = sws_getCachedContext(sws.release(), src->width, src->height, f,
                                               src->width, src->height, target,
                                               SWS_BILINEAR | SWS_ACCURATE_RND |
                                                   SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP,
                                               nullptr, nullptr, nullptr);
        sws.reset(ctx);
        if (!ctx)
            return Status(StatusCode::Unsupported,
                          std::string("media: cannot convert pixel format ") +
                              (av_get_pix_fmt_name(f) ? av_get_pix_fmt_name(f) : "?"));
        AvFramePtr dst(av_frame_alloc());
        if (!dst) return Status(StatusCode::Internal, "media: out of memory");
        dst->format = target;
        dst->width = src->width;
        dst->height = src->height;
        if (av_frame_get_buffer(dst.get(), 0) < 0)
            return Status(StatusCode::Internal, "media: out of memory");
        av_frame_copy_props(dst.get(), src.get());
        // Keep the range (swscale would move yuvj*/gray to limited): the frame's colour_range
        // tag, which VideoFrame::colorRange() reads, must describe the converted samples.
        const bool full = src->color_range == AVCOL_RANGE_JPEG ||
                          (src->color_range == AVCOL_RANGE_UNSPECIFIED && fd &&
                           (std::string_view(fd->name).substr(0, 4) == "yuvj" || gray));
        if (!rgb) {
            const int* coeffs = sws_getCoefficients(src->colorspace == AVCOL_SPC_BT709
                                                        ? SWS_CS_ITU709
                                                        : SWS_CS_ITU601);
            sws_setColorspaceDetails(ctx, coeffs, full, coeffs, full, 0, 1 << 16, 1 << 16);
            dst->color_range = full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
        }
        sws_scale(ctx, src->data, src->linesize, 0, src->height, dst->data, dst->linesize);
        return dst;
    }
};

MediaSource::MediaSource() : impl_(std::make_unique<Impl>()) {}
MediaSource::~MediaSource() = default;

void MediaSource::interrupt() { impl_->interrupted = true; }

void MediaSource::setFrameAllocator(std::shared_ptr<FrameAllocator> allocator) {
    std::shared_ptr<FrameAllocator> old;   // released outside the lock
    std::lock_guard<std::mutex> lk(impl_->allocatorMutex);
    old = std::exchange(impl_->allocator, std::move(allocator));
}

MediaSource::AllocationStats MediaSource::allocationStats() const {
    return {impl_->slotFrames.load(), impl_->copiedFrames.load()};
}

Status MediaSource::open(const OpenOptions& options, Mode mode) {
    initFfmpegOnce();
    Impl& d = *impl_;
    if (options.url.empty()) return Status(StatusCode::InvalidArgument, "media: no input given");
    d.url = options.url;
    d.options = options;
    d.network = isNetworkUrl(options.url);
    setFrameAllocator(options.frameAllocator);
    info_ = MediaInfo{};
    info_.url = options.url;

    auto opened = d.openInput();
    if (!opened) return opened.status();
    d.fmt = std::move(opened.value());
    AVFormatContext* fmt = d.fmt.get();

    d.stream = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    fillInfo(info_, fmt, d.stream);
    const bool pbSeekable = fmt->pb && (fmt->pb->seekable & AVIO_SEEKABLE_NORMAL);
    info_.live = d.device || (d.network && !pbSeekable);
    info_.seekable = !info_.live && pbSeekable;
    if (d.stream < 0) {
        if (mode == Mode::ProbeOnly) return Status::ok();   // still worth describing
        return Status(StatusCode::Unsupported, "media: '" + d.url + "' has no video stream");
    }
    const AVStream* st = fmt->streams[d.stream];
    d.timeBase = st->time_base;

    if (info_.seekable && options.buildIndex) {
        // A second demuxer for the scan keeps this one untouched at the start of the file.
        auto scanCtx = d.openInput();
        Expected<FrameIndex> idx = scanCtx ? FrameIndex::scan(scanCtx->get(), d.stream,
                                                              &d.interrupted)
                                           : Expected<FrameIndex>(scanCtx.status());
        if (d.interrupted) return Status(StatusCode::Cancelled, "media: opening '" + d.url +
                                                                    "' was cancelled");
        if (idx && !idx->empty()) {
            index_ = std::move(idx.value());
            info_.frameCount = index_->frameCount();
            info_.variableFrameRate = index_->variableFrameRate();
            info_.keyframeCount = index_->keyframeCount();
            info_.keyframeIntervalMean = index_->keyframeIntervalMean();
            info_.keyframeIntervalMax = index_->keyframeIntervalMax();
            info_.durationSeconds = index_->durationSeconds();
            info_.streams[size_t(info_.videoStream)].averageFps = index_->averageFps();
        } else {
            logWarning("media", "'" + d.url + "': no frame index (" +
                                    (idx ? std::string("no video packets")
                                         : idx.status().message()) +
                                    "); exact seeking disabled");
        }
    }
    d.startPts = index_ ? index_->firstPts()
                        : (st->start_time != AV_NOPTS_VALUE ? st->start_time : 0);
    if (info_.videoStream >= 0) info_.streams[size_t(info_.videoStream)].startPts = d.startPts;

    if (mode == Mode::ProbeOnly) return Status::ok();

    // The decoder only needs the video stream's packets.
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
        if (int(i) != d.stream) fmt->streams[i]->discard = AVDISCARD_ALL;
    d.live = info_.live;
    SL_TRY(d.openDecoder(decodeMode_));
    d.pkt.reset(av_packet_alloc());
    d.frame.reset(av_frame_alloc());
    if (!d.pkt || !d.frame) return Status(StatusCode::Internal, "media: out of memory");
    nextIndex_ = 0;
    logDebug("media", "opened '" + d.url + "' (" + info_.container + ", " +
                          info_.streams[size_t(info_.videoStream)].codec + ", " + decodeMode_ +
                          ")");
    return Status::ok();
}

Expected<VideoFrame> MediaSource::readFrame() {
    Impl& d = *impl_;
    if (!d.codec) return Status(StatusCode::InvalidArgument, "media: no source open");
    for (;;) {
        if (d.interrupted) return Status(StatusCode::Cancelled, "media: '" + d.url + "' closed");
        int err = avcodec_receive_frame(d.codec.get(), d.frame.get());
        if (err == 0) {
            d.consecutiveErrors = 0;
            int64_t pts = d.frame->best_effort_timestamp;
            if (pts == AV_NOPTS_VALUE) pts = d.frame->pts;
            int64_t idx;
            if (index_) {
                idx = pts == AV_NOPTS_VALUE ? -1 : index_->indexOfPts(pts);
                if (idx < 0) {
                    // Not one of the stream's frames (e.g. an edit-list preroll picture).
                    logDebug("media", "dropping decoded picture with pts " + std::to_string(pts) +
                                          " not in the index");
                    av_frame_unref(d.frame.get());
                    continue;
                }
            } else {
                idx = d.liveCounter++;
                if (pts == AV_NOPTS_VALUE) pts = 0;
            }
            PixelFormat pf = PixelFormat::Yuv420p;
            auto norm = d.normalise(d.frame.get(), pf);
            av_frame_unref(d.frame.get());
            if (!norm) return norm.status();
            AVFrame* out = norm->get();
            // The container may declare the sample aspect ratio (mp4 'pasp', mkv display size)
            // where the bitstream does not: FFmpeg's own rule picks the one that applies.
            out->sample_aspect_ratio =
                av_guess_sample_aspect_ratio(d.fmt.get(), d.fmt->streams[d.stream], out);
            out->best_effort_timestamp = pts;
            out->pts = pts;
            ++decoded_;
            nextIndex_ = idx + 1;
            VideoFrame vf(out, pf, idx, d.timeBase.num, d.timeBase.den, d.startPts);
            vf.setDecodedAt(std::chrono::steady_clock::now());
            // The allocator that served this picture may have been swapped since: ask the
            // current one; a frame from an older pool simply counts as (and is) copied.
            const std::shared_ptr<FrameAllocator> a = d.currentAllocator();
            const int slot = a ? a->slotOf(*out) : -1;
            if (slot >= 0) {
                vf.setBridgeSlot(a->id(), slot);
                ++d.slotFrames;
            } else {
                ++d.copiedFrames;
            }
            return vf;
        }
        if (err == AVERROR_EOF) {
            // A camera or stream has no end of file: the server went away or stopped sending.
            // Callers must not take that for a finished recording (analyze would exit 0).
            if (!d.liveEnd.empty())
                return Status(StatusCode::Io, "media: live stream '" + d.url + "' ended after " +
                                                  std::to_string(decoded_.load()) +
                                                  " frames: " + d.liveEnd);
            nextIndex_ = index_ ? index_->frameCount() : nextIndex_;
            return Status(StatusCode::EndOfStream, "media: end of '" + d.url + "'");
        }
        if (err != AVERROR(EAGAIN)) {
            // A broken picture: FFmpeg conceals or drops it and carries on with the next one.
            logWarning("media", "'" + d.url + "': decode error: " + avErrorText(err));
            if (++d.consecutiveErrors > 500)
                return Status(StatusCode::InvalidData,
                              "media: cannot decode '" + d.url + "': " + avErrorText(err));
            continue;
        }
        if (d.demuxEof) {
            // Drained without reaching EOF (should not happen); end cleanly anyway.
            return Status(StatusCode::EndOfStream, "media: end of '" + d.url + "'");
        }
        d.armDeadline();
        err = av_read_frame(d.fmt.get(), d.pkt.get());
        d.disarmDeadline();
        if (err == AVERROR(EAGAIN)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            continue;
        }
        if (err == AVERROR_EXIT)
            return Status(d.interrupted ? StatusCode::Cancelled : StatusCode::Io,
                          "media: reading '" + d.url + "' " +
                              (d.interrupted ? "was cancelled" : "timed out"));
        if (err < 0) {
            const bool atEnd = err == AVERROR_EOF || (d.fmt->pb && d.fmt->pb->eof_reached);
            if (!atEnd) {
                if (info_.live || decoded_ == 0)
                    return Status(codeForAvError(err),
                                  "media: read error in '" + d.url + "': " + avErrorText(err));
                // A damaged file past its first frames: play what was readable.
                logWarning("media", "'" + d.url + "': read error, ending: " + avErrorText(err));
            }
            if (info_.live)
                d.liveEnd = err == AVERROR_EOF ? "the connection was closed"
                                               : "end of input (" + avErrorText(err) + ")";
            d.demuxEof = true;
            avcodec_send_packet(d.codec.get(), nullptr);   // drain the delayed pictures
            continue;
        }
        if (d.pkt->stream_index != d.stream) {
            av_packet_unref(d.pkt.get());
            continue;
        }
        if (d.packetTap) d.packetTap(*d.pkt, *d.fmt->streams[d.stream]);
        err = avcodec_send_packet(d.codec.get(), d.pkt.get());
        av_packet_unref(d.pkt.get());
        if (err < 0 && err != AVERROR(EAGAIN)) {
            logWarning("media", "'" + d.url + "': skipping corrupt packet: " + avErrorText(err));
            if (++d.consecutiveErrors > 500)
                return Status(StatusCode::InvalidData,
                              "media: cannot decode '" + d.url + "': " + avErrorText(err));
        }
    }
}

void MediaSource::setPacketTap(PacketTap tap) { impl_->packetTap = std::move(tap); }

Expected<VideoFrame> MediaSource::seekToIndex(int64_t target, const FrameSink& onTheWay) {
    Impl& d = *impl_;
    if (!d.codec) return Status(StatusCode::InvalidArgument, "media: no source open");
    if (!index_)
        return Status(StatusCode::Unsupported, "media: '" + d.url + "' is not seekable");
    if (target < 0 || target >= index_->frameCount())
        return Status(StatusCode::InvalidArgument,
                      "media: frame " + std::to_string(target) + " is outside '" + d.url +
                          "' (0.." + std::to_string(index_->frameCount() - 1) + ")");

    // Decodes forward until the target; false when it went past it or hit the end.
    auto decodeTo = [&](int64_t from) -> Expected<std::optional<VideoFrame>> {
        for (;;) {
            auto f = readFrame();
            if (!f) {
                if (f.status().code() == StatusCode::EndOfStream)
                    return std::optional<VideoFrame>();
                return f.status();
            }
            if (f->index() > target) return std::optional<VideoFrame>();
            if (onTheWay && f->index() >= from) onTheWay(*f);
            if (f->index() == target) return std::optional<VideoFrame>(std::move(f.value()));
        }
    };

    // Near ahead in the same GOP: decoding on is cheaper than seeking.
    const int64_t key0 = index_->seekKeyframeFor(target);
    if (!d.demuxEof && nextIndex_ >= 0 && target >= nextIndex_ && key0 <= nextIndex_) {
        auto r = decodeTo(nextIndex_);
        if (!r) return r.status();
        if (r->has_value()) return std::move(**r);
    }

    for (int attempt = 0; attempt < 4; ++attempt) {
        const bool fromStart = attempt == 3;
        const int64_t key = fromStart ? -1 : index_->seekKeyframeFor(target, attempt);
        int err;
        if (key >= 0) {
            const FrameIndexEntry& e = index_->entry(key);
            err = av_seek_frame(d.fmt.get(), d.stream, e.dts, AVSEEK_FLAG_BACKWARD);
        } else {
            int64_t minDts = INT64_MAX;
            for (const FrameIndexEntry& e : index_->entries()) minDts = std::min(minDts, e.dts);
            err = av_seek_frame(d.fmt.get(), d.stream, minDts, AVSEEK_FLAG_BACKWARD);
            if (err < 0) err = av_seek_frame(d.fmt.get(), d.stream, 0, AVSEEK_FLAG_BYTE);
        }
        if (err < 0) {
            logDebug("media", "seek in '" + d.url + "' failed: " + avErrorText(err));
            if (d.interrupted) return Status(StatusCode::Cancelled, "media: seek cancelled");
            continue;
        }
        avcodec_flush_buffers(d.codec.get());
        d.demuxEof = false;
        nextIndex_ = std::max<int64_t>(key, 0);
        auto r = decodeTo(std::max<int64_t>(key, 0));
        if (!r) return r.status();
        if (r->has_value()) return std::move(**r);
        logDebug("media", "seek to frame " + std::to_string(target) + " from keyframe " +
                              std::to_string(key) + " missed; backing off");
    }
    return Status(StatusCode::InvalidData, "media: frame " + std::to_string(target) + " of '" +
                                               d.url + "' could not be decoded");
}

Expected<MediaInfo> probeMedia(const OpenOptions& options) {
    MediaSource source;
    Status st = source.open(options, MediaSource::Mode::ProbeOnly);
    if (!st) return st;
    return source.info();
}

}  // namespace sl::media
