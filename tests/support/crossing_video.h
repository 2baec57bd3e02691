#pragma once
// A generated scene in which a detectable person crosses a vertical line (issue 15's test
// scene): 640 x 400; the top 640 x 96 carry the frame number (support/frame_pattern.h), the rest
// is grey; a 96 x 284 crop of the darknet person.jpg (the person alone) moves right by kStep
// pixels a frame from x = kX0, its top at y = 108 (ffmpeg's overlay filter). A line at x = 320
// from (320, 400) up to (320, 0): looking from a to b (upwards) its right side is x > 320, so
// walking left to right is A->B. The same composition as the ClipEndToEnd engine test.

#include <filesystem>

#include "core/status.h"
#include "support/video_generator.h"

namespace sl::testing {

struct CrossingVideo {
    static constexpr int kW = 640, kH = 400, kStrip = 96, kX0 = 40, kStep = 6, kCropW = 96,
                         kCropH = 284;
    static constexpr double kLineX = 320;
    int frames = 100;
    int fps = 25;
    int gop = 10;
    // The frame where the crop's bottom-centre (the line's anchor) first passes x = 320.
    static constexpr int crossingFrame() { return (320 - kX0 - kCropW / 2) / kStep + 1; }
};

// $SIGHTLINE_TEST_IMAGES, else ~/.cache/sightline/test-images (packaging/fetch-test-images.sh).
std::filesystem::path testImageDir();

// Writes <dir>/crossing.mp4 (H.264, no B-frames, a keyframe every `gop` frames).
Expected<std::filesystem::path> makeCrossingVideo(const TempDir& dir,
                                                  const CrossingVideo& spec = {});

}  // namespace sl::testing
