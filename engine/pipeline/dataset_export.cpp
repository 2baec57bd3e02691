#include "pipeline/dataset_export.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "annotate/interpolation.h"
#include "media/ffmpeg_ptr.h"
#include "media/media_source.h"

extern "C" {
#include <libavutil/opt.h>
}

namespace sl::pipeline {

namespace fs = std::filesystem;
namespace fmt = annotate::formats;

namespace {

// The visible boxes of every frame as plain boxes: a dataset image has no tracks, and a label
// exporter given tracks would interpolate them again. What is visible: every stored object that is
// not outside, and for a track the frames between its keyframes (annotate/interpolation.h) that
// hold no stored object of it. A track ends at its last stored object: CVAT's "repeat the last
// keyframe to the end of the media" would make every later frame "annotated", and stored dense
// tracks (MOT ground truth, a model run's tracker output, derived objects) are taken as stored.
std::vector<annotate::Object> datasetObjects(const annotate::AnnotationSet& set,
                                             const annotate::MediaInfo& media) {
    std::vector<annotate::Object> out;
    std::map<int64_t, std::vector<annotate::Object>> tracks;
    for (const annotate::Object& o : set.objects) {
        if (o.trackId != annotate::kNoTrack) tracks[o.trackId].push_back(o);
        if (!o.outside) out.push_back(o);
    }
    for (const auto& [id, objects] : tracks) {
        std::set<int64_t> stored;
        int64_t last = 0;
        for (const annotate::Object& o : objects) {
            stored.insert(o.frame);
            last = std::max(last, o.frame);
        }
        for (annotate::Object& o : annotate::expandTrack(objects, last))
            if (!stored.count(o.frame)) out.push_back(std::move(o));
    }
    std::erase_if(out, [&](const annotate::Object& o) {
        return o.frame < 0 || (media.frameCount > 0 && o.frame >= media.frameCount);
    });
    for (annotate::Object& o : out) {
        o.trackId = annotate::kNoTrack;
        o.keyframe = true;
    }
    std::stable_sort(out.begin(), out.end(), [](const annotate::Object& a, const annotate::Object& b) {
        return a.frame < b.frame;
    });
    return out;
}

// One picture encoder (PNG as rgb24, JPEG as full-range 4:2:0) with the conversion from the
// decoder's format; the conversion uses the frame's own matrix and range.
class ImageEncoder {
public:
    Status open(DatasetImageFormat format, int width, int height, int quality) {
        const bool png = format == DatasetImageFormat::Png;
        const AVCodec* codec = avcodec_find_encoder(png ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG);
        if (!codec)
            return Status(StatusCode::Unavailable,
                          std::string("dataset export: FFmpeg has no ") + (png ? "PNG" : "JPEG") +
                              " encoder");
        pix_ = png ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_YUVJ420P;
        ctx_.reset(avcodec_alloc_context3(codec));
        ctx_->width = width;
        ctx_->height = height;
        ctx_->pix_fmt = pix_;
        ctx_->time_base = {1, 25};
        ctx_->color_range = AVCOL_RANGE_JPEG;
        if (!png) {
            ctx_->flags |= AV_CODEC_FLAG_QSCALE;
            ctx_->global_quality = FF_QP2LAMBDA * std::clamp(quality, 2, 31);
        }
        if (const int err = avcodec_open2(ctx_.get(), codec, nullptr); err < 0)
            return Status(StatusCode::Internal,
                          "dataset export: cannot open the image encoder (" +
                              media::avErrorText(err) + ")");
        frame_.reset(av_frame_alloc());
        frame_->format = pix_;
        frame_->width = width;
        frame_->height = height;
        if (av_frame_get_buffer(frame_.get(), 0) < 0)
            return Status(StatusCode::Internal, "dataset export: out of memory");
        packet_.reset(av_packet_alloc());
        return Status::ok();
    }

    Expected<std::string> encode(const AVFrame* in) {
        SwsContext* sws = sws_getCachedContext(
            sws_.release(), in->width, in->height, AVPixelFormat(in->format), ctx_->width,
            ctx_->height, pix_, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr,
            nullptr, nullptr);
        sws_.reset(sws);
        if (!sws) return Status(StatusCode::Unsupported, "dataset export: cannot convert frames");
        const int cs = in->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
        const int* coeffs = sws_getCoefficients(cs);
        sws_setColorspaceDetails(sws, coeffs, in->color_range == AVCOL_RANGE_JPEG, coeffs, 1, 0,
                                 1 << 16, 1 << 16);
        if (av_frame_make_writable(frame_.get()) < 0)
            return Status(StatusCode::Internal, "dataset export: out of memory");
        sws_scale(sws, in->data, in->linesize, 0, in->height, frame_->data, frame_->linesize);
        frame_->pts = pts_++;
        frame_->quality = ctx_->global_quality;
        int err = avcodec_send_frame(ctx_.get(), frame_.get());
        std::string bytes;
        while (err >= 0) {
            err = avcodec_receive_packet(ctx_.get(), packet_.get());
            if (err == AVERROR(EAGAIN)) break;
            if (err < 0) break;
            bytes.append(reinterpret_cast<const char*>(packet_->data), size_t(packet_->size));
            av_packet_unref(packet_.get());
        }
        if (bytes.empty())
            return Status(StatusCode::Internal, "dataset export: the image encoder wrote nothing" +
                                                    (err < 0 ? " (" + media::avErrorText(err) + ")"
                                                             : std::string()));
        return bytes;
    }

private:
    AVPixelFormat pix_ = AV_PIX_FMT_NONE;
    media::AvCodecContextPtr ctx_;
    media::AvFramePtr frame_;
    media::AvPacketPtr packet_;
    media::SwsContextPtr sws_;
    int64_t pts_ = 0;
};

uint64_t folderBytes(const fs::path& dir) {
    uint64_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
        if (e.is_regular_file(ec)) n += e.file_size(ec);
    return n;
}

}  // namespace

const char* datasetImageExtension(DatasetImageFormat f) {
    return f == DatasetImageFormat::Png ? "png" : "jpg";
}

std::vector<int64_t> annotatedFrames(const annotate::AnnotationSet& set,
                                     const annotate::MediaInfo& media) {
    std::vector<int64_t> frames;
    for (const annotate::Object& o : datasetObjects(set, media)) frames.push_back(o.frame);
    std::sort(frames.begin(), frames.end());
    frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
    return frames;
}

Expected<DatasetExportSummary> exportDataset(
    const annotate::AnnotationSet& set, const annotate::MediaInfo& media,
    const DatasetExportOptions& options,
    const std::function<void(const DatasetExportProgress&)>& progress,
    const std::atomic<bool>* cancel) {
    const std::string out = options.output.string();
    if (out.empty()) return Status(StatusCode::InvalidArgument, "dataset export: no output folder");
    if (options.labels != fmt::Format::Yolo && options.labels != fmt::Format::Coco)
        return Status(StatusCode::InvalidArgument,
                      std::string("dataset export: labels as yolo or coco, not ") +
                          fmt::formatName(options.labels));
    std::error_code ec;
    if (fs::exists(options.output, ec))
        return Status(StatusCode::InvalidArgument,
                      "dataset export: '" + out + "' exists (choose a new folder)");

    media::MediaSource source;
    media::OpenOptions open;
    open.url = options.video;
    open.preferHardware = false;   // frames are converted on the CPU anyway
    SL_TRY(source.open(open));
    if (!source.seekable())
        return Status(StatusCode::Unsupported,
                      "dataset export: '" + options.video + "' is not seekable; export needs a file");

    annotate::AnnotationSet labelled = set;
    labelled.objects = datasetObjects(set, media);
    const std::vector<int64_t> frames = annotatedFrames(set, media);

    const fs::path parent = options.output.parent_path().empty() ? fs::path(".")
                                                                 : options.output.parent_path();
    const fs::path temp =
        parent / ("." + options.output.filename().string() + ".tmp-" + std::to_string(::getpid()));
    struct TempGuard {
        fs::path path;
        bool keep = false;
        ~TempGuard() {
            std::error_code ec;
            if (!keep) fs::remove_all(path, ec);
        }
    } guard{temp};
    fs::remove_all(temp, ec);
    if (!fs::create_directories(temp / "images", ec) || ec)
        return Status(StatusCode::Io, "dataset export: cannot create '" + temp.string() +
                                          "': " + ec.message());

    const std::string ext = datasetImageExtension(options.images);
    const std::string pattern = "frame_%06lld." + ext;
    ImageEncoder encoder;
    bool encoderOpen = false;
    DatasetExportProgress p;
    p.total = int64_t(frames.size());
    // Near frames are read forward (no seek back to the keyframe); far ones are sought.
    constexpr int64_t kReadAhead = 50;
    for (int64_t f : frames) {
        if (cancel && cancel->load()) return Status(StatusCode::Cancelled, "dataset export cancelled");
        Expected<media::VideoFrame> frame = Status(StatusCode::Internal, "not read");
        const int64_t next = source.nextIndex();
        if (next >= 0 && f >= next && f - next <= kReadAhead) {
            do frame = source.readFrame();
            while (frame && frame->index() < f);
        } else {
            frame = source.seekToIndex(f);
        }
        if (!frame)
            return Status(frame.status().code(), "dataset export: frame " + std::to_string(f) +
                                                     " of '" + options.video +
                                                     "': " + frame.status().message());
        if (frame->index() != f)
            return Status(StatusCode::InvalidData,
                          "dataset export: '" + options.video + "' gave frame " +
                              std::to_string(frame->index()) + " for " + std::to_string(f));
        const AVFrame* av = frame->avFrame();
        if (!encoderOpen) {
            SL_TRY(encoder.open(options.images, av->width, av->height, options.jpegQuality));
            encoderOpen = true;
        }
        auto bytes = encoder.encode(av);
        if (!bytes) return bytes.status();
        char name[64];
        std::snprintf(name, sizeof name, pattern.c_str(), (long long)f);
        const fs::path file = temp / "images" / name;
        std::ofstream os(file, std::ios::binary);
        os.write(bytes->data(), std::streamsize(bytes->size()));
        os.close();
        if (!os)
            return Status(StatusCode::Io, "dataset export: cannot write '" + file.string() + "'");
        ++p.frames;
        if (progress) progress(p);
    }

    fmt::ExportOptions labelOptions;
    labelOptions.imageNamePattern = pattern;
    labelOptions.firstFrame = 0;   // label and image files carry the engine frame index
    annotate::MediaInfo onlyAnnotated = media;
    onlyAnnotated.frameCount = 0;   // COCO lists only the frames with objects then
    try {
        if (options.labels == fmt::Format::Yolo)
            fmt::exportAnnotations(labelled, onlyAnnotated, (temp / "labels").string(),
                                   fmt::Format::Yolo, labelOptions);
        else
            fmt::exportAnnotations(labelled, onlyAnnotated, (temp / "annotations.json").string(),
                                   fmt::Format::Coco, labelOptions);
    } catch (const std::exception& e) {
        return Status(StatusCode::Io, std::string("dataset export: ") + e.what());
    }
    if (cancel && cancel->load()) return Status(StatusCode::Cancelled, "dataset export cancelled");
    DatasetExportSummary summary;
    summary.frames = p.frames;
    summary.objects = int64_t(labelled.objects.size());
    summary.bytes = folderBytes(temp);
    fs::rename(temp, options.output, ec);
    if (ec)
        return Status(StatusCode::Io, "dataset export: cannot rename '" + temp.string() +
                                          "' to '" + out + "': " + ec.message());
    guard.keep = true;
    return summary;
}

}  // namespace sl::pipeline
