#pragma once
// Model downloads through FFmpeg's avio (http and https with Debian's FFmpeg; no extra HTTP
// library), hashed with SHA-256 (libavutil) while the bytes stream to disk.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/status.h"

namespace sl::models {

struct DownloadProgress {
    int64_t bytes = 0;
    int64_t total = -1;   // -1 when the server does not say
};

struct DownloadOptions {
    std::function<void(const DownloadProgress&)> progress;   // (optional) on the calling thread
    const std::atomic<bool>* cancel = nullptr;               // (optional) Cancelled when set
    int timeoutMs = 30000;                                   // per network operation
};

struct DownloadResult {
    int64_t bytes = 0;
    std::string sha256;   // lowercase hex
};

// Downloads `url` into `dest` (created or truncated; not fsynced: the caller commits it).
// Errors name the URL: "models: cannot download 'https://...': Server returned 404 Not Found".
Expected<DownloadResult> downloadFile(const std::string& url, const std::filesystem::path& dest,
                                      const DownloadOptions& options = {});

// SHA-256 of a file, lowercase hex.
Expected<std::string> sha256File(const std::filesystem::path& path);
std::string sha256Hex(const void* data, size_t size);

}  // namespace sl::models
