#pragma once
// A compact training dataset from an annotation set: only the frames that carry a visible object
// (every stored object that is not outside, and the frames of a track interpolated between its
// keyframes, annotate/interpolation.h; a track ends at its last stored object), each
// decoded frame-exactly (media::MediaSource::seekToIndex, or a short read forward when the next
// annotated frame is near) and written as one JPEG or PNG, with the labels in YOLO or COCO. The
// alternative, exporting every frame of a video, is what makes CVAT's datasets of a 75 s clip
// 7-8 GB (cvat#9109).
//
// Layout of OUTPUT (a folder, which must not exist):
//   images/frame_NNNNNN.jpg|png     NNNNNN = the engine frame index
//   YOLO: labels/frame_NNNNNN.txt and labels/classes.txt (annotate/formats/yolo.h)
//   COCO: annotations.json, file_name = the image's name, frame_index = the frame
// Boxes are the set's, converted by the format's exporter; tracks are written as plain boxes.
//
// Atomic: everything is written into a temporary folder next to OUTPUT and renamed to OUTPUT at
// the end; an error or a cancel removes the temporary folder, so OUTPUT is complete or absent.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "annotate/annotation.h"
#include "annotate/formats/format.h"
#include "core/status.h"

namespace sl::pipeline {

enum class DatasetImageFormat { Jpeg, Png };
const char* datasetImageExtension(DatasetImageFormat f);   // "jpg", "png"

struct DatasetExportOptions {
    std::string video;                 // the set's media file
    std::filesystem::path output;      // the dataset folder (refused when it exists)
    annotate::formats::Format labels = annotate::formats::Format::Yolo;   // Yolo or Coco
    DatasetImageFormat images = DatasetImageFormat::Jpeg;
    int jpegQuality = 2;               // FFmpeg mjpeg qscale: 2 (best) .. 31
};

struct DatasetExportProgress {
    int64_t frames = 0;   // images written
    int64_t total = 0;    // annotated frames
};

struct DatasetExportSummary {
    int64_t frames = 0;        // images written
    int64_t objects = 0;       // boxes in the labels
    uint64_t bytes = 0;        // size of the output folder
};

// The frames that would be written for SET over MEDIA (ascending): every frame with a visible
// object (header comment), within the media's length.
std::vector<int64_t> annotatedFrames(const annotate::AnnotationSet& set,
                                     const annotate::MediaInfo& media);

// Runs on the calling thread; PROGRESS after every image; CANCEL set -> Status Cancelled and no
// output. Errors name the video or the output.
Expected<DatasetExportSummary> exportDataset(
    const annotate::AnnotationSet& set, const annotate::MediaInfo& media,
    const DatasetExportOptions& options,
    const std::function<void(const DatasetExportProgress&)>& progress = {},
    const std::atomic<bool>* cancel = nullptr);

}  // namespace sl::pipeline
