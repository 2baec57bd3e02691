#include "pipeline/burn_in_exporter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include <unistd.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include "media/media_source.h"
#include "core/atomic_file.h"
#include "core/log.h"

namespace sl::pipeline {

namespace {

using Clock = std::chrono::steady_clock;

std::string avError(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

struct FormatFree {
    void operator()(AVFormatContext* oc) const {
        if (oc && oc->pb) avio_closep(&oc->pb);
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

// Fills a yuv420p AVFrame from a decoded frame (yuv420p copied, nv12 de-interleaved, any other
// format converted by swscale: the export is 4:2:0 H.264 whatever the source was).
void copyToYuv420p(const media::VideoFrame& src, AVFrame* dst) {
    const int w = src.width(), h = src.height();
    if (src.format() != media::PixelFormat::Yuv420p && src.format() != media::PixelFormat::Nv12) {
        const AVFrame* in = src.avFrame();
        SwsContext* sws = sws_getContext(w, h, AVPixelFormat(in->format), w, h,
                                         AV_PIX_FMT_YUV420P, SWS_BILINEAR | SWS_ACCURATE_RND,
                                         nullptr, nullptr, nullptr);
        if (!sws) return;
        sws_scale(sws, in->data, in->linesize, 0, h, dst->data, dst->linesize);
        sws_freeContext(sws);
        return;
    }
    for (int y = 0; y < h; ++y)
        std::memcpy(dst->data[0] + ptrdiff_t(y) * dst->linesize[0],
                    src.plane(0) + ptrdiff_t(y) * src.stride(0), size_t(w));
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    if (src.format() == media::PixelFormat::Yuv420p) {
        for (int p = 1; p < 3; ++p)
            for (int y = 0; y < ch; ++y)
                std::memcpy(dst->data[p] + ptrdiff_t(y) * dst->linesize[p],
                            src.plane(p) + ptrdiff_t(y) * src.stride(p), size_t(cw));
        return;
    }
    for (int y = 0; y < ch; ++y) {
        const uint8_t* uv = src.plane(1) + ptrdiff_t(y) * src.stride(1);
        uint8_t* u = dst->data[1] + ptrdiff_t(y) * dst->linesize[1];
        uint8_t* v = dst->data[2] + ptrdiff_t(y) * dst->linesize[2];
        for (int x = 0; x < cw; ++x) {
            u[x] = uv[2 * x];
            v[x] = uv[2 * x + 1];
        }
    }
}

void fillRect(uint8_t* plane, int stride, int x0, int y0, int x1, int y1, uint8_t value) {
    for (int y = y0; y < y1; ++y) std::memset(plane + ptrdiff_t(y) * stride + x0, value,
                                              size_t(std::max(0, x1 - x0)));
}

}  // namespace

Yuv rgbToYuv(Rgb c, bool bt709, bool fullRange) {
    const double kr = bt709 ? 0.2126 : 0.299, kb = bt709 ? 0.0722 : 0.114;
    const double r = c.r / 255.0, g = c.g / 255.0, b = c.b / 255.0;
    const double y = kr * r + (1 - kr - kb) * g + kb * b;
    const double u = (b - y) / (2 * (1 - kb));
    const double v = (r - y) / (2 * (1 - kr));
    auto clamp8 = [](double x) { return uint8_t(std::clamp(std::lround(x), 0L, 255L)); };
    if (fullRange) return {clamp8(y * 255), clamp8(128 + u * 255), clamp8(128 + v * 255)};
    return {clamp8(16 + y * 219), clamp8(128 + u * 224), clamp8(128 + v * 224)};
}

void drawBox(uint8_t* const planes[3], const int strides[3], int width, int height,
             const vision::Box& box, Yuv color, int thickness) {
    const int t = std::max(2, (thickness + 1) / 2 * 2);
    // Snap outwards to even coordinates so the outline covers whole chroma blocks.
    const int evenW = width / 2 * 2, evenH = height / 2 * 2;
    int x0 = std::clamp(int(std::floor(box.x1 / 2)) * 2, 0, evenW);
    int y0 = std::clamp(int(std::floor(box.y1 / 2)) * 2, 0, evenH);
    int x1 = std::clamp(int(std::ceil(box.x2 / 2)) * 2, 0, evenW);
    int y1 = std::clamp(int(std::ceil(box.y2 / 2)) * 2, 0, evenH);
    if (x1 - x0 < 2 || y1 - y0 < 2) return;
    const int tx = std::min(t, (x1 - x0) / 2 * 2), ty = std::min(t, (y1 - y0) / 2 * 2);
    const uint8_t values[3] = {color.y, color.u, color.v};
    for (int p = 0; p < 3; ++p) {
        const int s = p == 0 ? 1 : 2;
        const int a = x0 / s, b = y0 / s, c = x1 / s, d = y1 / s, sx = tx / s, sy = ty / s;
        fillRect(planes[p], strides[p], a, b, c, b + sy, values[p]);        // top
        fillRect(planes[p], strides[p], a, d - sy, c, d, values[p]);        // bottom
        fillRect(planes[p], strides[p], a, b + sy, a + sx, d - sy, values[p]);   // left
        fillRect(planes[p], strides[p], c - sx, b + sy, c, d - sy, values[p]);   // right
    }
}

std::string labelText(const std::string& label, float score) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " %.2f", double(score));
    return label + buf;
}

LabelTag layoutLabel(const vision::Box& box, const vision::CoverageBitmap& text, int pixelHeight,
                     int width, int height) {
    const auto even = [](int v) { return (v + 1) / 2 * 2; };
    const int evenW = width / 2 * 2, evenH = height / 2 * 2;
    const int bx0 = std::clamp(int(std::floor(box.x1 / 2)) * 2, 0, evenW);
    const int by0 = std::clamp(int(std::floor(box.y1 / 2)) * 2, 0, evenH);
    // Padding grows with the text so the tag keeps its proportions from 480p to 4K.
    const int pad = std::max(2, even(pixelHeight / 8));
    const int tagW = even(text.width + 2 * pad), tagH = even(text.height + pad);
    LabelTag t;
    t.x0 = bx0 + tagW > evenW ? std::max(0, evenW - tagW) : bx0;
    t.x1 = std::min(t.x0 + tagW, evenW);
    if (by0 - tagH >= 0) {
        t.y0 = by0 - tagH;
        t.y1 = by0;
    } else {
        t.insideBox = true;
        t.y0 = by0;
        t.y1 = std::min(by0 + tagH, evenH);
    }
    t.textX = t.x0 + pad;
    t.textY = t.y0 + pad / 2;
    return t;
}

void drawLabel(uint8_t* const planes[3], const int strides[3], const LabelTag& where,
               const vision::CoverageBitmap& text, Yuv tag, Yuv textColor) {
    if (where.x1 <= where.x0 || where.y1 <= where.y0) return;
    // blend(a, b)[c]: a + (b - a) * c / 255, rounded; luma per pixel coverage (0..255), chroma
    // per 2x2 block by the summed coverage / 4 (0..255 in quarter steps: index sum, 0..1020).
    const auto table = [](uint8_t a, uint8_t b, int steps) {
        std::vector<uint8_t> t(size_t(steps) + 1);
        for (int i = 0; i <= steps; ++i)
            t[size_t(i)] = uint8_t(std::lround(a + (double(b) - double(a)) * i / steps));
        return t;
    };
    const std::vector<uint8_t> lumaOf = table(tag.y, textColor.y, 255);
    const std::vector<uint8_t> uOf = table(tag.u, textColor.u, 4 * 255);
    const std::vector<uint8_t> vOf = table(tag.v, textColor.v, 4 * 255);
    const auto coverage = [&](int x, int y) -> int {
        const int bx = x - where.textX, by = y - where.textY;
        if (bx < 0 || by < 0 || bx >= text.width || by >= text.height) return 0;
        return text.at(bx, by);
    };
    for (int y = where.y0; y < where.y1; ++y) {
        uint8_t* row = planes[0] + ptrdiff_t(y) * strides[0];
        std::memset(row + where.x0, tag.y, size_t(where.x1 - where.x0));
        const int by = y - where.textY;
        if (by < 0 || by >= text.height) continue;
        const int xa = std::max(where.x0, where.textX);
        const int xb = std::min(where.x1, where.textX + text.width);
        const uint8_t* cov = text.coverage.data() + size_t(by) * size_t(text.width);
        for (int x = xa; x < xb; ++x) row[x] = lumaOf[cov[x - where.textX]];
    }
    // The tag is on even coordinates: every chroma sample here belongs to 4 tag pixels.
    for (int cy = where.y0 / 2; cy < where.y1 / 2; ++cy) {
        uint8_t* u = planes[1] + ptrdiff_t(cy) * strides[1];
        uint8_t* v = planes[2] + ptrdiff_t(cy) * strides[2];
        for (int cx = where.x0 / 2; cx < where.x1 / 2; ++cx) {
            const int sum = coverage(2 * cx, 2 * cy) + coverage(2 * cx + 1, 2 * cy) +
                            coverage(2 * cx, 2 * cy + 1) + coverage(2 * cx + 1, 2 * cy + 1);
            u[cx] = uOf[size_t(sum)];
            v[cx] = vOf[size_t(sum)];
        }
    }
}

Expected<BurnInSummary> burnIn(const BurnInOptions& options, const ResultsStore& store,
                               const std::function<void(const BurnInProgress&)>& progress,
                               const std::atomic<bool>* cancel) {
    const auto t0 = Clock::now();
    const std::string out = options.output.string();
    if (out.empty()) return Status(StatusCode::InvalidArgument, "burn-in: no output file given");
    media::MediaSource source;
    media::OpenOptions open;
    open.url = options.input;
    SL_TRY(source.open(open));
    if (source.live())
        return Status(StatusCode::Unsupported,
                      "burn-in: '" + options.input + "' is a live source; export needs a file");

    // Temporary next to the target (same file system, so the rename is atomic).
    const std::filesystem::path temp =
        options.output.parent_path() /
        ("." + options.output.filename().string() + ".tmp-" + std::to_string(::getpid()));
    struct TempGuard {
        std::filesystem::path path;
        bool keep = false;
        ~TempGuard() {
            std::error_code ec;
            if (!keep) std::filesystem::remove(path, ec);
        }
    } guard{temp};
    const auto fail = [&](const std::string& what, int err) {
        return Status(StatusCode::Io, "burn-in: cannot write '" + out + "': " + what +
                                          (err ? " (" + avError(err) + ")" : std::string()));
    };

    // The first frame fixes size and colour, and gives the time base.
    auto first = source.readFrame();
    if (!first) {
        if (first.status().code() == StatusCode::EndOfStream)
            return Status(StatusCode::InvalidData, "burn-in: '" + options.input +
                                                       "' has no video frames");
        return first.status();
    }
    const int width = first->width(), height = first->height();
    const bool bt709 = first->colorMatrix() == media::ColorMatrix::Bt709;
    const bool fullRange = first->colorRange() == media::ColorRange::Full;
    const AVRational tb{first->timeBaseNum(), first->timeBaseDen()};

    std::unique_ptr<vision::TextRasterizer> text;
    if (options.labels) {
        auto font = vision::findFontFile(options.fontFamily);
        if (!font)
            return Status(font.status().code(),
                          "burn-in: cannot draw labels: " + font.status().message());
        const int px = options.labelPixelHeight > 0
                           ? options.labelPixelHeight
                           : vision::TextRasterizer::pixelHeightForFrame(height);
        auto r = vision::TextRasterizer::open(*font, px);
        if (!r) return Status(r.status().code(), "burn-in: " + r.status().message());
        text = std::move(*r);
    }
    // Scores repeat (two decimals), so each label string is rendered once.
    std::map<std::string, vision::CoverageBitmap> labelBitmaps;
    const auto labelBitmap = [&](const std::string& s) -> Expected<const vision::CoverageBitmap*> {
        if (auto it = labelBitmaps.find(s); it != labelBitmaps.end()) return &it->second;
        auto bitmap = text->render(s);
        if (!bitmap)
            return Status(bitmap.status().code(), "burn-in: label '" + s + "': " +
                                                      bitmap.status().message());
        if (!bitmap->missing.empty()) {
            char cp[16];
            std::snprintf(cp, sizeof cp, "U+%04X", unsigned(bitmap->missing.front()));
            logWarning("pipeline/burn-in", "font '" + text->familyName() + "' has no glyph for " +
                                               cp + " in label '" + s +
                                               "'; it is drawn as the font's missing-glyph box");
        }
        return &labelBitmaps.emplace(s, std::move(*bitmap)).first->second;
    };

    AVFormatContext* rawOc = nullptr;
    int err = avformat_alloc_output_context2(&rawOc, nullptr, "mp4", temp.c_str());
    if (err < 0 || !rawOc) return fail("no MP4 muxer", err);
    std::unique_ptr<AVFormatContext, FormatFree> oc(rawOc);
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_H264);
    if (!codec)
        return Status(StatusCode::Unavailable, "burn-in: no H.264 encoder in this FFmpeg build");
    AVStream* st = avformat_new_stream(oc.get(), nullptr);
    std::unique_ptr<AVCodecContext, CodecFree> enc(avcodec_alloc_context3(codec));
    if (!st || !enc) return fail("out of memory", 0);
    enc->width = width;
    enc->height = height;
    enc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->time_base = tb;
    const media::StreamInfo* video = source.info().video();
    const double fps = video ? video->averageFps : 0;
    if (fps > 0) enc->framerate = av_d2q(fps, 100000);
    enc->max_b_frames = 0;   // presentation order == decode order: timestamps map one to one
    enc->color_range = fullRange ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    enc->colorspace = bt709 ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M;
    enc->thread_count = 0;
    if (oc->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* opts = nullptr;
    if (std::strcmp(codec->name, "libx264") == 0) {
        av_dict_set(&opts, "preset", options.preset.c_str(), 0);
        av_dict_set(&opts, "crf", std::to_string(options.crf).c_str(), 0);
    }
    err = avcodec_open2(enc.get(), codec, &opts);
    av_dict_free(&opts);
    if (err < 0) return fail("cannot open the H.264 encoder", err);
    avcodec_parameters_from_context(st->codecpar, enc.get());
    st->time_base = tb;
    err = avio_open(&oc->pb, temp.c_str(), AVIO_FLAG_WRITE);
    if (err < 0) return fail("cannot create '" + temp.string() + "'", err);
    err = avformat_write_header(oc.get(), nullptr);
    if (err < 0) return fail("cannot write the MP4 header", err);

    std::unique_ptr<AVPacket, PacketFree> pkt(av_packet_alloc());
    std::map<int64_t, int64_t> durations;   // pts -> duration (libx264 leaves durations at 0)
    const auto drain = [&](AVFrame* frame) -> int {
        int e = avcodec_send_frame(enc.get(), frame);
        if (e < 0) return e;
        for (;;) {
            e = avcodec_receive_packet(enc.get(), pkt.get());
            if (e == AVERROR(EAGAIN) || e == AVERROR_EOF) return 0;
            if (e < 0) return e;
            if (auto it = durations.find(pkt->pts); it != durations.end()) {
                if (pkt->duration == 0) pkt->duration = it->second;
                durations.erase(it);
            }
            av_packet_rescale_ts(pkt.get(), enc->time_base, st->time_base);
            pkt->stream_index = st->index;
            e = av_interleaved_write_frame(oc.get(), pkt.get());
            if (e < 0) return e;
        }
    };

    BurnInSummary summary;
    BurnInProgress p;
    if (source.index()) p.total = source.index()->frameCount();
    if (options.maxFrames > 0 && (p.total < 0 || p.total > options.maxFrames))
        p.total = options.maxFrames;
    auto lastReport = Clock::now() - std::chrono::seconds(1);
    // Each frame is encoded once the next one is known, so its duration is exact (the last one
    // repeats the previous interval).
    std::optional<media::VideoFrame> pending = std::move(*first);
    int64_t lastDuration = 1;
    int64_t n = 0;
    const auto encodeFrame = [&](const media::VideoFrame& f, int64_t duration) -> Status {
        std::unique_ptr<AVFrame, FrameFree> frame(av_frame_alloc());
        if (!frame) return fail("out of memory", 0);
        frame->format = AV_PIX_FMT_YUV420P;
        frame->width = width;
        frame->height = height;
        if (av_frame_get_buffer(frame.get(), 0) < 0) return fail("out of memory", 0);
        if (f.width() != width || f.height() != height)
            return Status(StatusCode::Unsupported,
                          "burn-in: '" + options.input + "' changes picture size at frame " +
                              std::to_string(f.index()));
        copyToYuv420p(f, frame.get());
        const int64_t index = f.index() >= 0 ? f.index() : n;
        if (auto result = store.at(index); result && !result->detections.empty()) {
            ++summary.framesWithBoxes;
            // Results computed on a differently sized frame (should not happen) are rescaled.
            const float sx = result->width > 0 ? float(width) / float(result->width) : 1.f;
            const float sy = result->height > 0 ? float(height) / float(result->height) : 1.f;
            uint8_t* planes[3] = {frame->data[0], frame->data[1], frame->data[2]};
            const int strides[3] = {frame->linesize[0], frame->linesize[1], frame->linesize[2]};
            // Lowest score first, so the most confident box and label end on top.
            for (auto it = result->detections.rbegin(); it != result->detections.rend(); ++it) {
                vision::Box b = it->box;
                b.x1 *= sx, b.x2 *= sx, b.y1 *= sy, b.y2 *= sy;
                const Rgb colour = classColor(it->classId);
                drawBox(planes, strides, width, height, b, rgbToYuv(colour, bt709, fullRange),
                        options.thickness);
                if (!text) continue;
                auto bitmap = labelBitmap(labelText(store.label(it->classId), it->score));
                if (!bitmap) return bitmap.status();
                drawLabel(planes, strides,
                          layoutLabel(b, **bitmap, text->pixelHeight(), width, height), **bitmap,
                          rgbToYuv(colour, bt709, fullRange),
                          rgbToYuv(contrastingTextColor(colour), bt709, fullRange));
            }
        }
        frame->pts = f.pts();
        durations[f.pts()] = duration;
        if (int e = drain(frame.get()); e < 0) return fail("encoding failed", e);
        ++n;
        return Status::ok();
    };

    Status status;
    for (;;) {
        if (cancel && cancel->load()) {
            status = Status(StatusCode::Cancelled,
                            "burn-in: export of '" + options.input + "' cancelled");
            break;
        }
        if (options.maxFrames > 0 && n + 1 >= options.maxFrames) {   // pending is the last one
            status = encodeFrame(*pending, lastDuration);
            break;
        }
        auto next = source.readFrame();
        if (!next) {
            if (next.status().code() != StatusCode::EndOfStream) {
                status = next.status();
                break;
            }
            status = encodeFrame(*pending, lastDuration);
            break;
        }
        if (next->pts() > pending->pts()) lastDuration = next->pts() - pending->pts();
        status = encodeFrame(*pending, lastDuration);
        if (!status) break;
        pending = std::move(*next);
        p.frames = n;
        const auto now = Clock::now();
        if (progress && now - lastReport >= std::chrono::milliseconds(100)) {
            p.elapsedSeconds = std::chrono::duration<double>(now - t0).count();
            progress(p);
            lastReport = now;
        }
    }
    if (!status) return status;
    if (int e = drain(nullptr); e < 0) return fail("flushing the encoder failed", e);
    if (int e = av_write_trailer(oc.get()); e < 0) return fail("cannot finish the MP4", e);
    avio_closep(&oc->pb);
    SL_TRY(commitFile(temp, options.output, "burn-in"));
    guard.keep = true;

    summary.frames = n;
    summary.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (progress) {
        p.frames = n;
        p.elapsedSeconds = summary.seconds;
        progress(p);
    }
    return summary;
}

}  // namespace sl::pipeline
