#include "media/media_info.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace sl::media {

namespace {

std::string jsonString(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);   // UTF-8 passes through unchanged
            }
        }
    }
    return out + "\"";
}

// JSON has no NaN/Inf; print them as null. Enough digits to round-trip a frame rate.
std::string jsonNumber(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

}  // namespace

std::string formatMediaInfoJson(const MediaInfo& info) {
    std::ostringstream o;
    auto optInt = [](const std::optional<int64_t>& v) {
        return v ? std::to_string(*v) : std::string("null");
    };
    o << "{\n";
    o << "  \"url\": " << jsonString(info.url) << ",\n";
    o << "  \"container\": " << jsonString(info.container) << ",\n";
    o << "  \"duration_seconds\": " << jsonNumber(info.durationSeconds) << ",\n";
    o << "  \"bit_rate\": " << info.bitRate << ",\n";
    o << "  \"seekable\": " << (info.seekable ? "true" : "false") << ",\n";
    o << "  \"live\": " << (info.live ? "true" : "false") << ",\n";
    o << "  \"frame_count\": " << optInt(info.frameCount) << ",\n";
    o << "  \"variable_frame_rate\": "
      << (info.variableFrameRate ? (*info.variableFrameRate ? "true" : "false") : "null")
      << ",\n";
    o << "  \"keyframe_interval_mean\": "
      << (info.keyframeIntervalMean ? jsonNumber(*info.keyframeIntervalMean) : "null") << ",\n";
    o << "  \"keyframe_interval_max\": " << optInt(info.keyframeIntervalMax) << ",\n";
    o << "  \"keyframe_count\": " << optInt(info.keyframeCount) << ",\n";
    o << "  \"streams\": [";
    for (size_t i = 0; i < info.streams.size(); ++i) {
        const StreamInfo& s = info.streams[i];
        o << (i ? ",\n" : "\n") << "    {";
        o << "\"index\": " << s.index << ", \"type\": " << jsonString(s.type)
          << ", \"codec\": " << jsonString(s.codec) << ", \"codec_long\": "
          << jsonString(s.codecLong) << ", \"profile\": " << jsonString(s.profile)
          << ", \"width\": " << s.width << ", \"height\": " << s.height
          << ", \"pixel_format\": " << jsonString(s.pixelFormat)
          << ", \"average_fps\": " << jsonNumber(s.averageFps)
          << ", \"nominal_fps\": " << jsonNumber(s.nominalFps)
          << ", \"sample_rate\": " << s.sampleRate << ", \"channels\": " << s.channels
          << ", \"bit_rate\": " << s.bitRate << "}";
    }
    o << (info.streams.empty() ? "]\n" : "\n  ]\n");
    o << "}\n";
    return o.str();
}

std::string formatMediaInfoText(const MediaInfo& info) {
    std::ostringstream o;
    o << "Input:     " << info.url << "\n";
    o << "Container: " << info.container;
    if (!info.containerLong.empty()) o << " (" << info.containerLong << ")";
    o << "\n";
    o << "Duration:  " << fixed(info.durationSeconds, 3) << " s";
    if (info.bitRate > 0) o << ", " << info.bitRate / 1000 << " kb/s";
    o << "\n";
    o << "Access:    " << (info.live ? "live" : info.seekable ? "seekable" : "not seekable")
      << "\n";
    if (info.frameCount) {
        o << "Frames:    " << *info.frameCount
          << (info.variableFrameRate && *info.variableFrameRate ? " (variable frame rate)"
                                                                 : " (constant frame rate)")
          << "\n";
    }
    if (info.keyframeCount) {
        o << "Keyframes: " << *info.keyframeCount;
        if (info.keyframeIntervalMean)
            o << ", interval mean " << fixed(*info.keyframeIntervalMean, 1);
        if (info.keyframeIntervalMax) o << ", max " << *info.keyframeIntervalMax;
        o << " frames\n";
    }
    for (const StreamInfo& s : info.streams) {
        o << "Stream #" << s.index << ": " << s.type << ", " << s.codec;
        if (!s.profile.empty()) o << " (" << s.profile << ")";
        if (s.type == "video") {
            o << ", " << s.width << "x" << s.height;
            if (!s.pixelFormat.empty()) o << ", " << s.pixelFormat;
            if (s.averageFps > 0) o << ", " << fixed(s.averageFps, 3) << " fps";
            if (s.nominalFps > 0) o << " (nominal " << fixed(s.nominalFps, 3) << ")";
        } else if (s.type == "audio") {
            o << ", " << s.sampleRate << " Hz, " << s.channels << " ch";
        }
        if (s.bitRate > 0) o << ", " << s.bitRate / 1000 << " kb/s";
        o << "\n";
    }
    return o.str();
}

}  // namespace sl::media
