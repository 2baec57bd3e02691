#pragma once
// MediaInfo: what `sightline info` prints and what the player shows in its status bar.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace sl::media {

struct StreamInfo {
    int index = -1;
    std::string type;          // "video", "audio", "subtitle", "data", "attachment"
    std::string codec;         // short codec name, e.g. "h264"
    std::string codecLong;     // e.g. "H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10"
    std::string profile;       // may be empty
    int64_t bitRate = 0;       // bits/s, 0 if unknown
    // video
    int width = 0;
    int height = 0;
    std::string pixelFormat;   // FFmpeg name, e.g. "yuv420p"
    double averageFps = 0;     // frames / duration (from the index when one was built)
    double nominalFps = 0;     // the container's r_frame_rate
    int timeBaseNum = 1, timeBaseDen = 1;   // pts units
    int64_t startPts = 0;      // pts of frame 0 (seconds are (pts - startPts) * time base)
    // audio
    int sampleRate = 0;
    int channels = 0;
};

struct MediaInfo {
    std::string url;
    std::string container;       // short demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    std::string containerLong;
    double durationSeconds = 0;  // of the video stream when known, else the container's
    int64_t bitRate = 0;
    bool seekable = false;       // false for live streams and cameras
    bool live = false;
    std::vector<StreamInfo> streams;
    int videoStream = -1;        // index into streams of the stream Sightline plays, -1 if none

    // Exact values from a full packet scan of the video stream (FrameIndex); absent for live input.
    std::optional<int64_t> frameCount;
    std::optional<bool> variableFrameRate;
    std::optional<double> keyframeIntervalMean;   // frames between keyframes
    std::optional<int64_t> keyframeIntervalMax;
    std::optional<int64_t> keyframeCount;

    const StreamInfo* video() const {
        return videoStream >= 0 ? &streams[size_t(videoStream)] : nullptr;
    }
};

// Human-readable and JSON renderings for the CLI.
std::string formatMediaInfoText(const MediaInfo& info);
std::string formatMediaInfoJson(const MediaInfo& info);

}  // namespace sl::media
