#include "support/video_generator.h"

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <system_error>
#include <unistd.h>

#include "support/frame_pattern.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

namespace sl::testing {

namespace {

std::string err2str(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

struct OutputCloser {
    void operator()(AVFormatContext* oc) const {
        if (oc->pb && !(oc->oformat->flags & AVFMT_NOFILE)) avio_closep(&oc->pb);
        avformat_free_context(oc);
    }
};
struct CodecFree {
    void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct FrameFree {
    void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};

Status fail(const VideoSpec& spec, const std::string& what, int err = 0) {
    std::string msg = "testgen: '" + spec.path.string() + "': " + what;
    if (err < 0) msg += ": " + err2str(err);
    return Status(StatusCode::Internal, msg);
}

// Sends `frame` (nullptr flushes) and writes every packet the encoder gives back.
int encodeAndWrite(AVFormatContext* oc, AVCodecContext* enc, AVStream* st, AVFrame* frame,
                   AVPacket* pkt, const std::map<int64_t, int64_t>* durations = nullptr) {
    int err = avcodec_send_frame(enc, frame);
    if (err < 0) return err;
    for (;;) {
        err = avcodec_receive_packet(enc, pkt);
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return 0;
        if (err < 0) return err;
        // libx264 leaves durations at 0; MP4's edit list then cuts off the last frame.
        if (durations && pkt->duration == 0) {
            auto it = durations->find(pkt->pts);
            if (it != durations->end()) pkt->duration = it->second;
        }
        av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
        pkt->stream_index = st->index;
        err = av_interleaved_write_frame(oc, pkt);   // takes the packet's reference
        if (err < 0) return err;
    }
}

}  // namespace

Expected<GeneratedVideo> generateVideo(const VideoSpec& spec) {
    av_log_set_level(AV_LOG_ERROR);
    const std::string path = spec.path.string();
    AVFormatContext* rawOc = nullptr;
    int err = avformat_alloc_output_context2(&rawOc, nullptr, nullptr, path.c_str());
    if (err < 0 || !rawOc) return fail(spec, "no muxer for this extension", err);
    std::unique_ptr<AVFormatContext, OutputCloser> oc(rawOc);

    const AVCodec* codec = avcodec_find_encoder_by_name(spec.codec.c_str());
    if (!codec) return fail(spec, "no encoder '" + spec.codec + "'");
    AVStream* vst = avformat_new_stream(oc.get(), nullptr);
    std::unique_ptr<AVCodecContext, CodecFree> enc(avcodec_alloc_context3(codec));
    if (!vst || !enc) return fail(spec, "out of memory");
    enc->width = spec.width;
    enc->height = spec.height;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    // Anamorphic video: the bitstream (H.264 VUI, MPEG-4 VOL) and the container both carry it.
    if (spec.sarNum > 0 && spec.sarDen > 0) {
        enc->sample_aspect_ratio = AVRational{spec.sarNum, spec.sarDen};
        vst->sample_aspect_ratio = enc->sample_aspect_ratio;
    }
    enc->time_base = spec.variableFrameRate ? AVRational{1, 1000} : AVRational{1, spec.fps};
    enc->framerate = AVRational{spec.fps, 1};
    enc->gop_size = spec.gopSize;
    enc->max_b_frames = spec.maxBFrames;
    enc->thread_count = 2;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* opts = nullptr;
    if (spec.codec == "libx264") {
        // ultrafast keeps generation quick; B-frames come from max_b_frames. No scene-cut
        // keyframes, so the keyframe count is exactly ceil(frames / gop).
        av_dict_set(&opts, "preset", "ultrafast", 0);
        av_dict_set(&opts, "crf", "18", 0);
        av_dict_set(&opts, "x264-params", "scenecut=0", 0);
    } else {
        enc->flags |= AV_CODEC_FLAG_QSCALE;
        enc->global_quality = FF_QP2LAMBDA * 3;
    }
    err = avcodec_open2(enc.get(), codec, &opts);
    av_dict_free(&opts);
    if (err < 0) return fail(spec, "cannot open encoder " + spec.codec, err);
    avcodec_parameters_from_context(vst->codecpar, enc.get());
    vst->time_base = enc->time_base;

    std::unique_ptr<AVCodecContext, CodecFree> aenc;
    AVStream* ast = nullptr;
    if (spec.audio) {
        const AVCodec* ac = avcodec_find_encoder(AV_CODEC_ID_MP2);
        if (!ac) return fail(spec, "no MP2 encoder");
        ast = avformat_new_stream(oc.get(), nullptr);
        aenc.reset(avcodec_alloc_context3(ac));
        if (!ast || !aenc) return fail(spec, "out of memory");
        aenc->sample_fmt = AV_SAMPLE_FMT_S16;
        aenc->sample_rate = 44100;
        av_channel_layout_default(&aenc->ch_layout, 2);
        aenc->bit_rate = 128000;
        aenc->time_base = AVRational{1, 44100};
        if (oc->oformat->flags & AVFMT_GLOBALHEADER) aenc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        err = avcodec_open2(aenc.get(), ac, nullptr);
        if (err < 0) return fail(spec, "cannot open MP2 encoder", err);
        avcodec_parameters_from_context(ast->codecpar, aenc.get());
        ast->time_base = aenc->time_base;
    }

    if (!(oc->oformat->flags & AVFMT_NOFILE)) {
        err = avio_open(&oc->pb, path.c_str(), AVIO_FLAG_WRITE);
        if (err < 0) return fail(spec, "cannot create file", err);
    }
    err = avformat_write_header(oc.get(), nullptr);
    if (err < 0) return fail(spec, "cannot write header", err);

    GeneratedVideo out;
    out.path = spec.path;
    out.timeBaseNum = vst->time_base.num;
    out.timeBaseDen = vst->time_base.den;

    std::unique_ptr<AVFrame, FrameFree> frame(av_frame_alloc());
    std::unique_ptr<AVFrame, FrameFree> aframe(av_frame_alloc());
    std::unique_ptr<AVPacket, PacketFree> pkt(av_packet_alloc());
    if (!frame || !aframe || !pkt) return fail(spec, "out of memory");
    frame->format = AV_PIX_FMT_YUV420P;
    frame->width = spec.width;
    frame->height = spec.height;
    if (av_frame_get_buffer(frame.get(), 0) < 0) return fail(spec, "out of memory");

    const int deltas[] = {20, 40, 33, 67};
    int64_t pts = 0;            // encoder time base
    int64_t audioSamples = 0;
    std::map<int64_t, int64_t> durations;   // video pts -> duration, encoder time base
    for (int i = 0; i < spec.frames; ++i) {
        // Audio first, up to this video frame's time, so the muxer interleaves evenly.
        if (aenc) {
            const double videoTime = double(pts) * av_q2d(enc->time_base);
            while (double(audioSamples) / 44100.0 <= videoTime) {
                av_frame_unref(aframe.get());
                aframe->format = AV_SAMPLE_FMT_S16;
                aframe->sample_rate = 44100;
                aframe->nb_samples = aenc->frame_size;
                av_channel_layout_copy(&aframe->ch_layout, &aenc->ch_layout);
                if (av_frame_get_buffer(aframe.get(), 0) < 0) return fail(spec, "out of memory");
                auto* s = reinterpret_cast<int16_t*>(aframe->data[0]);
                for (int n = 0; n < aframe->nb_samples; ++n) {
                    const auto v = int16_t(8000 * std::sin(2 * M_PI * 440 *
                                                           double(audioSamples + n) / 44100));
                    s[2 * n] = s[2 * n + 1] = v;
                }
                aframe->pts = audioSamples;
                audioSamples += aframe->nb_samples;
                err = encodeAndWrite(oc.get(), aenc.get(), ast, aframe.get(), pkt.get());
                if (err < 0) return fail(spec, "audio encoding failed", err);
            }
        }
        if (av_frame_make_writable(frame.get()) < 0) return fail(spec, "out of memory");
        drawFramePattern(frame->data[0], frame->linesize[0], spec.width, spec.height,
                         uint32_t(i));
        for (int p = 1; p < 3; ++p)
            for (int y = 0; y < (spec.height + 1) / 2; ++y)
                std::memset(frame->data[p] + ptrdiff_t(y) * frame->linesize[p], 128,
                            size_t((spec.width + 1) / 2));
        frame->pts = pts;
        out.pts.push_back(av_rescale_q(pts, enc->time_base, vst->time_base));
        const int64_t duration = spec.variableFrameRate ? deltas[i % 4] : 1;
        durations[pts] = duration;
        err = encodeAndWrite(oc.get(), enc.get(), vst, frame.get(), pkt.get(), &durations);
        if (err < 0) return fail(spec, "video encoding failed", err);
        pts += duration;
    }
    err = encodeAndWrite(oc.get(), enc.get(), vst, nullptr, pkt.get(), &durations);
    if (err < 0) return fail(spec, "video flush failed", err);
    if (aenc) {
        err = encodeAndWrite(oc.get(), aenc.get(), ast, nullptr, pkt.get());
        if (err < 0) return fail(spec, "audio flush failed", err);
    }
    err = av_write_trailer(oc.get());
    if (err < 0) return fail(spec, "cannot write trailer", err);
    // The muxer may have changed the time base in write_header: report pts in the final one.
    if (vst->time_base.num != out.timeBaseNum || vst->time_base.den != out.timeBaseDen) {
        for (int64_t& p : out.pts)
            p = av_rescale_q(p, AVRational{out.timeBaseNum, out.timeBaseDen}, vst->time_base);
        out.timeBaseNum = vst->time_base.num;
        out.timeBaseDen = vst->time_base.den;
    }
    return out;
}

TempDir::TempDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() /
            ("sightline-tests-" + std::to_string(::getpid())) / name;
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    std::filesystem::remove(path_.parent_path(), ec);   // only succeeds once it is empty
}

}  // namespace sl::testing
