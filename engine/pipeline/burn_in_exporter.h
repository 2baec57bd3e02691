#pragma once
// BurnInExporter: re-encodes a video with the stored detections drawn into the pictures (the
// "export video with boxes" action, headless and Qt-free so the CLI and tests can use it too).
//
// Decode (media::MediaSource) -> copy to yuv420p -> draw each stored box of that frame index as a
// rectangle outline in the class colour (converted to YUV with the frame's matrix and range) ->
// libx264 (yuv420p, no B-frames so decode order == presentation order) -> MP4 (libavformat).
// Every source frame is written, with its source pts and duration, so the output has the same
// frame count and timestamps. Frames without a stored result are written unchanged (no inference
// here: analyse the range first if it should be covered). Boxes only, no text labels.
//
// Boxes are snapped outwards to even pixel coordinates and the outline thickness is even, so each
// outline covers whole 2x2 chroma blocks: edges carry the exact class colour in luma and chroma
// and the interior is left untouched.
//
// The output is atomic: written to a temporary file next to it, synced and renamed over it on
// success; on error or cancel the temporary file is removed and nothing appears at `output`.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/status.h"
#include "pipeline/results_store.h"

namespace sl::pipeline {

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
};
struct Yuv {
    uint8_t y = 0, u = 128, v = 128;
};

// A stable, distinguishable colour per class id (the same palette the exporters use).
Rgb classColor(int classId);
// RGB -> Y'CbCr with BT.601 or BT.709 coefficients, limited (16-235/240) or full range.
Yuv rgbToYuv(Rgb c, bool bt709, bool fullRange);

struct BurnInOptions {
    std::string input;                 // file path or URL (must be finite)
    std::filesystem::path output;      // written as MP4 whatever the extension
    int thickness = 2;                 // outline width in pixels (rounded up to even)
    int crf = 18;                      // libx264 quality
    std::string preset = "veryfast";   // libx264 speed
};

struct BurnInProgress {
    int64_t frames = 0;                // frames written so far
    int64_t total = -1;                // frames in the input (-1: unknown)
    double elapsedSeconds = 0;
};

struct BurnInSummary {
    int64_t frames = 0;                // frames written
    int64_t framesWithBoxes = 0;       // frames that had a stored result with detections
    double seconds = 0;
};

// Runs on the calling thread. `progress` is called at most every 100 ms and once at the end;
// `cancel` set -> Status Cancelled and no output file. Errors name the input or output file.
Expected<BurnInSummary> burnIn(const BurnInOptions& options, const ResultsStore& store,
                               const std::function<void(const BurnInProgress&)>& progress = {},
                               const std::atomic<bool>* cancel = nullptr);

// Draws one box outline into yuv420p planes (exposed for tests and the snapshot path).
void drawBox(uint8_t* const planes[3], const int strides[3], int width, int height,
             const vision::Box& box, Yuv color, int thickness);

}  // namespace sl::pipeline
