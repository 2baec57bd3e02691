#include "pipeline/propagation_task.h"

#include "media/media_source.h"
#include "media/pixel_format.h"
#include "media/video_frame.h"

namespace sl::pipeline {

track::LumaView lumaOf(const media::VideoFrame& frame, std::vector<uint8_t>& scratch) {
    const media::PixelFormatDesc& d = media::describe(frame.format());
    const int w = frame.width(), h = frame.height();
    if (d.family != media::FormatFamily::Rgb && d.componentBytes == 1)
        return {frame.plane(0), w, h, frame.stride(0)};
    scratch.resize(size_t(w) * size_t(h));
    for (int y = 0; y < h; ++y) {
        const uint8_t* row = frame.plane(0) + ptrdiff_t(y) * frame.stride(0);
        uint8_t* out = scratch.data() + size_t(y) * size_t(w);
        if (d.family == media::FormatFamily::Rgb) {
            const int r = d.rgbAt[0], g = d.rgbAt[1], b = d.rgbAt[2], n = d.pixelBytes;
            for (int x = 0; x < w; ++x) {
                const uint8_t* p = row + ptrdiff_t(x) * n;
                out[x] = uint8_t((77 * p[r] + 150 * p[g] + 29 * p[b] + 128) >> 8);
            }
        } else {
            // 16-bit words: the value sits valueShift bits up; keep its top 8 bits.
            const auto* words = reinterpret_cast<const uint16_t*>(row);
            const int shift = d.valueShift + d.bitDepth - 8;
            for (int x = 0; x < w; ++x) out[x] = uint8_t(words[x] >> shift);
        }
    }
    return {scratch.data(), w, h, w};
}

Expected<track::PropagationResult> runPropagation(const PropagationRequest& request,
                                                  TaskContext* ctx) {
    const std::string what = "propagate: '" + request.mediaPath + "'";
    if (request.frames <= 0)
        return Status(StatusCode::InvalidArgument,
                      what + ": the frame count must be at least 1, not " +
                          std::to_string(request.frames));
    media::MediaSource source;
    media::OpenOptions open;
    open.url = request.mediaPath;
    open.preferHardware = false;   // luma is read on the CPU: no download from a hw surface
    if (Status st = source.open(open); !st) return Status(st.code(), what + ": " + st.message());
    if (!source.seekable())
        return Status(StatusCode::Unsupported, what + ": the media cannot seek to a frame");
    auto first = source.seekToIndex(request.startFrame);
    if (!first)
        return Status(first.status().code(), what + ": frame " +
                                                  std::to_string(request.startFrame) + ": " +
                                                  first.status().message());
    std::vector<uint8_t> scratch;
    auto p = track::Propagator::start(lumaOf(*first, scratch), request.startFrame, request.box,
                                      request.label, request.options);
    if (!p) return Status(p.status().code(), what + ": " + p.status().message());

    track::PropagationResult result;
    static const std::vector<track::PropagationCandidate> kNone;
    for (int i = 0; i < request.frames && p->stop() == track::PropagationStop::Running; ++i) {
        if (ctx) {
            if (ctx->cancelled()) return ctx->cancelledStatus();
            ctx->progress(i, request.frames);
        }
        auto frame = source.readFrame();
        if (!frame) {
            if (frame.status().code() != StatusCode::EndOfStream)
                return Status(frame.status().code(), what + ": " + frame.status().message());
            p->finish(track::PropagationStop::Completed,
                      "the media ends at frame " + std::to_string(p->frame()));
            break;
        }
        const int64_t index = request.startFrame + 1 + i;
        auto it = request.candidates.find(index);
        auto next = p->step(lumaOf(*frame, scratch),
                            it == request.candidates.end() ? kNone : it->second);
        if (next) result.proposals.push_back(*next);
    }
    if (ctx) ctx->progress(request.frames, request.frames);
    p->finish(track::PropagationStop::Completed,
              "all " + std::to_string(request.frames) + " frames");
    result.stop = p->stop();
    result.reason = p->reason();
    return result;
}

}  // namespace sl::pipeline
