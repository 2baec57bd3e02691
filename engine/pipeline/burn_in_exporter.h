#pragma once
// BurnInExporter: re-encodes a video with the stored detections drawn into the pictures (the
// "export video with boxes" action, headless and Qt-free so the CLI and tests can use it too).
//
// Decode (media::MediaSource) -> copy to yuv420p -> draw each stored box of that frame index as a
// rectangle outline in the class colour (converted to YUV with the frame's matrix and range) ->
// libx264 (yuv420p, no B-frames so decode order == presentation order) -> MP4 (libavformat).
// Every source frame is written, with its source pts and duration, so the output has the same
// frame count and timestamps. Frames without a stored result are written unchanged (no inference
// here: analyse the range first if it should be covered).
//
// Boxes are snapped outwards to even pixel coordinates and the outline thickness is even, so each
// outline covers whole 2x2 chroma blocks: edges carry the exact class colour in luma and chroma
// and the interior is left untouched.
//
// Labels (like the live overlay): "label score" (score with two decimals) in black or white on a
// filled tag of the class colour, standing on the box's top edge, left-aligned with the box
// (shifted left where it would leave the frame); inside the box, under its top edge, where there
// is no room above. Text is rendered by vision::TextRasterizer in the font family of the options
// (found with fontconfig; an export with labels fails, naming the family, if it is not
// installed), sized from the frame height. The tag is snapped to even coordinates like the boxes;
// luma is blended per pixel between tag and text colour by the glyph coverage, chroma per 2x2
// block by the block's mean coverage.
//
// The output is atomic: written to a temporary file next to it, synced and renamed over it on
// success; on error or cancel the temporary file is removed and nothing appears at `output`.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/status.h"
#include "pipeline/class_color.h"
#include "pipeline/results_store.h"
#include "vision/text_rasterizer.h"

namespace sl::pipeline {

struct Yuv {
    uint8_t y = 0, u = 128, v = 128;
};

// RGB -> Y'CbCr with BT.601 or BT.709 coefficients, limited (16-235/240) or full range.
Yuv rgbToYuv(Rgb c, bool bt709, bool fullRange);

struct BurnInOptions {
    std::string input;                 // file path or URL (must be finite)
    std::filesystem::path output;      // written as MP4 whatever the extension
    int thickness = 2;                 // outline width in pixels (rounded up to even)
    int crf = 18;                      // libx264 quality
    std::string preset = "veryfast";   // libx264 speed (crf 0: lossless)
    bool labels = true;                // draw the "label score" tag above each box
    std::string fontFamily = "DejaVu Sans";
    int labelPixelHeight = 0;          // 0: TextRasterizer::pixelHeightForFrame(frame height)
    int64_t maxFrames = -1;            // write only the first N frames (-1: all), like analyze
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

// The label text of one detection: "label score", score with two decimals ("person 0.91").
std::string labelText(const std::string& label, float score);

// Where a label goes: the tag [x0, x1) x [y0, y1) (even coordinates, inside the frame) and the
// top-left corner of the text bitmap.
struct LabelTag {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    int textX = 0, textY = 0;
    bool insideBox = false;   // no room above the box: the tag hangs under its top edge
};
LabelTag layoutLabel(const vision::Box& box, const vision::CoverageBitmap& text, int pixelHeight,
                     int width, int height);
// Fills the tag with `tag` and blends `textColor` into it by the bitmap's coverage.
void drawLabel(uint8_t* const planes[3], const int strides[3], const LabelTag& where,
               const vision::CoverageBitmap& text, Yuv tag, Yuv textColor);

}  // namespace sl::pipeline
