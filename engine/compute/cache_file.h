#pragma once
// Small text caches next to the kernel cache (conv tuning choices, fp32/fp16 storage choices):
// a header line naming the format, a body of lines, and a last line "checksum <fnv1a64 hex>"
// over everything before it, so a torn, truncated or hand-edited file is detected and ignored
// rather than trusted. Written atomically (core/atomic_file.h).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace sl::compute {

// The body of the cache file at `path` (without header and checksum line). nullopt when the file
// does not exist, or when it is corrupt: a header other than `header`, or a checksum mismatch;
// `corrupt` (optional) tells the two apart.
std::optional<std::string> readCacheFile(const std::filesystem::path& path,
                                         std::string_view header, bool* corrupt = nullptr);

// Writes header + body + checksum atomically, creating the folder. `component` prefixes errors.
Status writeCacheFile(const std::filesystem::path& path, std::string_view header,
                      std::string_view body, std::string_view component);

}  // namespace sl::compute
