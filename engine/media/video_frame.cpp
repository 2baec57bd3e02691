#include "media/video_frame.h"

#include <cstdlib>

#include "core/log.h"
#include "media/ffmpeg_ptr.h"

namespace sl::media {

VideoFrame::VideoFrame(const AVFrame* frame, PixelFormat format, int64_t index, int timeBaseNum,
                       int timeBaseDen, int64_t startPts)
    : format_(format), index_(index), startPts_(startPts), tbNum_(timeBaseNum),
      tbDen_(timeBaseDen) {
    if (!frame) return;
    AVFrame* ref = av_frame_alloc();
    if (!ref) return;
    // A new reference, not a copy: the pixels stay in the decoder's refcounted buffers.
    if (av_frame_ref(ref, frame) < 0) {
        av_frame_free(&ref);
        return;
    }
    frame_.reset(ref, [](AVFrame* f) { av_frame_free(&f); });
    pts_ = frame->best_effort_timestamp != AV_NOPTS_VALUE ? frame->best_effort_timestamp
                                                            : frame->pts;
    if (pts_ == AV_NOPTS_VALUE) pts_ = 0;
}

int VideoFrame::width() const { return frame_ ? frame_->width : 0; }
int VideoFrame::height() const { return frame_ ? frame_->height : 0; }

ColorMatrix VideoFrame::colorMatrix() const {
    if (!frame_) return ColorMatrix::Bt709;
    switch (frame_->colorspace) {
    case AVCOL_SPC_BT709: return ColorMatrix::Bt709;
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M:
    case AVCOL_SPC_FCC: return ColorMatrix::Bt601;
    default: break;
    }
    // Unspecified: the convention players use (mpv, VLC) - HD is BT.709, SD is BT.601.
    return frame_->height >= 720 ? ColorMatrix::Bt709 : ColorMatrix::Bt601;
}

ColorRange VideoFrame::colorRange() const {
    if (!frame_) return ColorRange::Limited;
    if (frame_->color_range == AVCOL_RANGE_JPEG) return ColorRange::Full;
    // yuvj* is FFmpeg's old way of saying "full range" without setting color_range.
    switch (frame_->format) {
    case AV_PIX_FMT_YUVJ420P:
    case AV_PIX_FMT_YUVJ422P:
    case AV_PIX_FMT_YUVJ440P:
    case AV_PIX_FMT_YUVJ444P: return ColorRange::Full;
    default: break;
    }
    // R'G'B' is full range by definition (it reaches the kernel and shader untouched anyway).
    if (describe(format_).family == FormatFamily::Rgb) return ColorRange::Full;
    // Untagged gray is full range, as swscale assumes (its handle_jpeg() lists the gray formats).
    if (describe(format_).family == FormatFamily::Gray &&
        frame_->color_range == AVCOL_RANGE_UNSPECIFIED)
        return ColorRange::Full;
    return ColorRange::Limited;
}

ChromaLocation VideoFrame::chromaLocation() const {
    return media::chromaLocation(frame_ ? int(frame_->chroma_location) : 0);
}

const uint8_t* VideoFrame::plane(int i) const {
    if (!frame_ || i < 0 || i >= planeCount()) return nullptr;
    return frame_->data[i];
}

int VideoFrame::stride(int i) const {
    if (!frame_ || i < 0 || i >= planeCount()) return 0;
    return frame_->linesize[i];
}

int VideoFrame::planeWidth(int i) const {
    if (!frame_ || i < 0 || i >= planeCount()) return 0;
    return media::planeWidth(format_, i, frame_->width);
}

int VideoFrame::planeHeight(int i) const {
    if (!frame_ || i < 0 || i >= planeCount()) return 0;
    return media::planeHeight(format_, i, frame_->height);
}

size_t VideoFrame::byteSize() const {
    if (!frame_) return 0;
    size_t total = 0;
    for (int i = 0; i < planeCount(); ++i)
        total += size_t(std::abs(frame_->linesize[i])) * size_t(planeHeight(i));
    return total;
}

int VideoFrame::sarNum() const {
    if (!frame_ || frame_->sample_aspect_ratio.num <= 0 || frame_->sample_aspect_ratio.den <= 0)
        return 1;
    return frame_->sample_aspect_ratio.num;
}

int VideoFrame::sarDen() const {
    if (!frame_ || frame_->sample_aspect_ratio.num <= 0 || frame_->sample_aspect_ratio.den <= 0)
        return 1;
    return frame_->sample_aspect_ratio.den;
}

double VideoFrame::displayAspect() const {
    if (!frame_ || frame_->height <= 0) return 1.0;
    return double(frame_->width) * sarNum() / (double(frame_->height) * sarDen());
}

VideoFrame VideoFrame::heapCopy() const {
    if (!frame_) return {};
    AVFrame* dst = av_frame_alloc();
    int err = dst ? 0 : AVERROR(ENOMEM);
    if (dst) {
        dst->format = frame_->format;
        dst->width = frame_->width;
        dst->height = frame_->height;
        err = av_frame_get_buffer(dst, 0);
        if (err >= 0) err = av_frame_copy(dst, frame_.get());
        if (err >= 0) err = av_frame_copy_props(dst, frame_.get());
    }
    if (err < 0) {
        av_frame_free(&dst);
        logError("media", "copying frame " + std::to_string(index_) + " out of its slot: " +
                              avErrorText(err));
        return {};
    }
    VideoFrame copy = *this;
    copy.frame_.reset(dst, [](AVFrame* f) { av_frame_free(&f); });
    copy.slotPool_ = 0;
    copy.slot_ = -1;
    return copy;
}

double VideoFrame::seconds() const {
    if (tbDen_ == 0) return 0;
    return double(pts_ - startPts_) * double(tbNum_) / double(tbDen_);
}

}  // namespace sl::media
