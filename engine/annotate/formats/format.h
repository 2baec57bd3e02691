#pragma once
// Annotation interchange formats, one file per format (coco, mot, cvat, yolo, voc, sightline_json),
// all behind this interface. An importer parses the whole input into memory and returns it, or
// throws FormatError: nothing is ever half-imported (the store commits an import in one
// transaction). Every importer runs each object through checkObject(), so the bad-input rules
// (NaN, negative sizes, boxes outside the frame, unknown labels, frames past the end) and the
// clip / skip options are the same for every format.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "annotate/annotation.h"

namespace sl::annotate::formats {

enum class Format { Sightline, Coco, Mot, CvatVideo, CvatImages, Yolo, Voc };
const char* formatName(Format f);   // "sightline", "coco", "mot", "cvat-video", "cvat-images",
                                    // "yolo", "voc"
std::optional<Format> parseFormatName(const std::string& name);
std::vector<Format> allFormats();

// A problem in an input file. what() is "FILE:WHERE: FIELD: PROBLEM", WHERE being "line N", a JSON
// pointer ("/annotations/3/bbox") or an XML element ("line 12 <box>"); empty parts are left out.
class FormatError : public std::runtime_error {
public:
    FormatError(std::string file, std::string where, std::string field, std::string problem);
    const std::string& file() const { return file_; }
    const std::string& where() const { return where_; }
    const std::string& field() const { return field_; }
    const std::string& problem() const { return problem_; }

private:
    std::string file_, where_, field_, problem_;
};

// What to do with a box that is NaN / infinite, has a negative size or lies (partly) outside the
// frame: fail the import (default), clip it to the frame, or skip it. Clipped and skipped boxes are
// counted in the report. A box wholly outside the frame, or empty after clipping, is skipped under
// Clip as well.
enum class BadBoxPolicy { Fail, Clip, Skip };

struct ImportOptions {
    BadBoxPolicy badBoxes = BadBoxPolicy::Fail;
    // Known labels. Empty: accept the file's labels. Otherwise an object with another label fails
    // the import, or is skipped (and counted) with skipUnknownLabels.
    std::vector<std::string> labels;
    bool skipUnknownLabels = false;
    // The media, when known (from the video or the project): width / height check boxes,
    // frameCount checks frames past the end. Zeros: unknown, then what the file says is used.
    MediaInfo media;
    // The file's number of the engine's frame 0: MOT and YOLO/VOC file names default to 1 / 0,
    // CVAT to 0 (its frame numbers are the video's), COCO maps image ids in id order. Set to override.
    std::optional<int64_t> firstFrame;
    SetKind kind = SetKind::GroundTruth;   // what the imported set is
    std::string setName;                   // default: the file's stem
};

struct ImportReport {
    std::string frameMapping;   // how the file's frame numbers became engine frames, in words
    int64_t objects = 0;        // objects imported
    int64_t tracks = 0;         // distinct track ids
    int64_t clipped = 0;        // boxes clipped to the frame (BadBoxPolicy::Clip)
    int64_t skippedBoxes = 0;   // bad boxes skipped (Skip, or empty after Clip)
    int64_t skippedLabels = 0;  // objects with unknown labels skipped
    std::vector<std::string> warnings;
};

// A frame the file lists by name (COCO and CVAT images), with or without objects: evaluation
// counts images without ground truth, and an export writes the same ids and names back.
struct FrameInfo {
    int64_t frame = 0;      // engine frame
    int64_t fileId = 0;     // the file's id for it (COCO image id)
    std::string fileName;   // COCO file_name
    int width = 0, height = 0;
};

struct Imported {
    AnnotationSet set;    // objects sorted by (frame, trackId, id)
    MediaInfo media;      // what the file says of the media; zeros where it is silent
    ImportReport report;
    std::vector<FrameInfo> frames;   // the files' image list, ascending frame; empty for formats
                                     // without one
    std::vector<int64_t> labelIds;   // the file's id of each of set.labels (COCO category ids)
};

struct ExportOptions {
    std::optional<int64_t> firstFrame;   // the file's number for engine frame 0 (format default)
    // CVAT for video: write every frame of a track (the interpolated ones with keyframe="0"), as
    // CVAT does; false writes keyframes only.
    bool denseTracks = true;
    // Image file names for per-frame formats (COCO file_name, CVAT images, VOC <filename>):
    // printf-style with the frame number.
    std::string imageNamePattern = "frame_%06lld.jpg";
};

struct ExportReport {
    std::vector<std::string> warnings;   // what the format could not hold (e.g. "track ids dropped")
    std::vector<std::string> files;      // files written
};

// Whole-file entry points (dispatch on the format). PATH is a file or, for the per-frame formats
// (YOLO, VOC) and MOT sequences, a directory. Exports write atomically (a temporary, then rename).
Imported importAnnotations(const std::string& path, Format format, const ImportOptions& options);
ExportReport exportAnnotations(const AnnotationSet& set, const MediaInfo& media,
                               const std::string& path, Format format,
                               const ExportOptions& options);
// The format of PATH from its extension, its first bytes or, for a directory, its files; nullopt
// with *why set when it cannot tell.
std::optional<Format> detectFormat(const std::string& path, std::string* why);

// ---- Shared by the importers ----

// Checks and normalises one parsed object: finite coordinates, non-negative size, inside the frame
// when the size is known, frame >= 0 and below media.frameCount when known, a known label.
// Returns false when the object is to be dropped (counted in REPORT), true to keep it (maybe
// clipped); throws FormatError naming FILE, WHERE and the field under BadBoxPolicy::Fail.
// The box arrives in corner form; BOX_FIELD names the file's field for messages ("bbox", "xtl").
bool checkObject(Object& object, const ImportOptions& options, ImportReport& report,
                 const std::string& file, const std::string& where,
                 const std::string& boxField);

// Sorts SET's objects by (frame, trackId, id), assigns ids 1.. in that order where they are 0,
// fills report.objects / tracks, and throws FormatError on a duplicate (frame, trackId) of a
// track, naming FILE.
void finishImport(Imported& imported, const std::string& file);

// Writes TEXT to PATH atomically (core/atomic_file), throwing std::runtime_error naming PATH.
void writeFileAtomic(const std::string& path, const std::string& text);
// Reads a whole file, throwing FormatError naming PATH when it cannot.
std::string readFile(const std::string& path);

}  // namespace sl::annotate::formats
