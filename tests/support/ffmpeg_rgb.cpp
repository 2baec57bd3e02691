#include "support/ffmpeg_rgb.h"

#include <array>
#include <cstdint>

extern "C" {
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace sl::testing {

media::AvFramePtr swsConvert(const AVFrame* in, AVPixelFormat to, media::ColorMatrix matrix,
                             media::ColorRange range, media::ChromaLocation chroma) {
    if (!in) return nullptr;
    media::AvFramePtr out(av_frame_alloc());
    if (!out) return nullptr;
    out->format = to;
    out->width = in->width;
    out->height = in->height;
    if (av_frame_get_buffer(out.get(), 0) < 0) return nullptr;
    av_frame_copy_props(out.get(), in);
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(AVPixelFormat(in->format));
    if (!desc) return nullptr;
    const std::array<float, 2> site = media::chromaSiteOffset(chroma);
    // swscale counts chroma positions in 1/256 of a luma pixel (av_chroma_location_enum_to_pos);
    // -513 is "unset", which on an axis at full resolution means chroma at luma.
    const int hPos = desc->log2_chroma_w ? int(site[0] * 256) : -513;
    const int vPos = desc->log2_chroma_h ? int(site[1] * 256) : -513;
    const bool toRgb = to == AV_PIX_FMT_RGB24 || to == AV_PIX_FMT_GBRP;
    media::SwsContextPtr sws(sws_alloc_context());
    if (!sws) return nullptr;
    const int64_t flags = SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT |
                          SWS_FULL_CHR_H_INP;
    SwsContext* s = sws.get();
    const bool ok = av_opt_set_int(s, "srcw", in->width, 0) >= 0 &&
                    av_opt_set_int(s, "srch", in->height, 0) >= 0 &&
                    av_opt_set_int(s, "src_format", in->format, 0) >= 0 &&
                    av_opt_set_int(s, "dstw", in->width, 0) >= 0 &&
                    av_opt_set_int(s, "dsth", in->height, 0) >= 0 &&
                    av_opt_set_int(s, "dst_format", to, 0) >= 0 &&
                    av_opt_set_int(s, "sws_flags", flags, 0) >= 0 &&
                    av_opt_set_int(s, "src_h_chr_pos", hPos, 0) >= 0 &&
                    av_opt_set_int(s, "src_v_chr_pos", vPos, 0) >= 0 &&
                    av_opt_set_int(s, "dst_h_chr_pos", toRgb ? -513 : hPos, 0) >= 0 &&
                    av_opt_set_int(s, "dst_v_chr_pos", toRgb ? -513 : vPos, 0) >= 0 &&
                    sws_init_context(s, nullptr, nullptr) >= 0;
    if (!ok) return nullptr;
    const int* coeffs =
        sws_getCoefficients(matrix == media::ColorMatrix::Bt709 ? SWS_CS_ITU709 : SWS_CS_ITU601);
    const bool full = range == media::ColorRange::Full;
    sws_setColorspaceDetails(s, coeffs, full, coeffs, toRgb ? 1 : full, 0, 1 << 16, 1 << 16);
    if (sws_scale(s, in->data, in->linesize, 0, in->height, out->data, out->linesize) !=
        in->height)
        return nullptr;
    return out;
}

media::AvFramePtr ffmpegRgb24(const media::VideoFrame& frame) {
    media::AvFramePtr gbr = swsConvert(frame.avFrame(), AV_PIX_FMT_GBRP, frame.colorMatrix(),
                                       frame.colorRange(), frame.chromaLocation());
    if (!gbr) return nullptr;
    return swsConvert(gbr.get(), AV_PIX_FMT_RGB24, frame.colorMatrix(), media::ColorRange::Full,
                      frame.chromaLocation());
}

}  // namespace sl::testing
