#pragma once
// Small parsing and naming helpers shared by the text and XML formats (CVAT, YOLO, VOC): strict
// number parsing (the whole field must be the number), numbers written so that they read back
// exactly, frame numbers from file names and file names from ExportOptions::imageNamePattern.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sl::annotate::formats {

// Whole-field parses: surrounding blanks allowed, anything else fails (nullopt). Doubles accept
// "nan" / "inf" (the caller's checkObject refuses them with a better message).
std::optional<int64_t> parseInt(std::string_view text);
std::optional<double> parseDouble(std::string_view text);
// "0" / "1" / "true" / "false" (any case), as CVAT and VOC write flags.
std::optional<bool> parseFlag(std::string_view text);

// The shortest text that reads back as exactly V.
std::string formatNumber(float v);
std::string formatNumber(double v);

// The last run of digits in STEM ("frame_000012" -> 12); nullopt without digits or when it
// overflows.
std::optional<int64_t> frameNumberFromName(std::string_view stem);

// PATTERN (printf-style, exactly one integer conversion such as %06lld, %d or %05ld; %% for a
// percent sign) with NUMBER. Throws std::invalid_argument for any other pattern, so a user's
// pattern never reaches printf.
std::string formatFrameName(const std::string& pattern, int64_t number);
// The file name's stem: "frame_000012.jpg" -> "frame_000012" (the directory is dropped).
std::string fileStem(const std::string& name);

}  // namespace sl::annotate::formats
