#pragma once
// ClipStore: the folder of event clips that every source's ClipRecorder writes into
// (`sightline monitor --clips DIR`). Each clip is a pair:
//   <source>-<UTC time of its first alert>.mp4    the video, remuxed (media/clip_writer.h)
//   <source>-<UTC time of its first alert>.json   its sidecar: the alerts, and the detections
//                                                 and tracked objects of its frames
// both written atomically, the sidecar after the video. A clip is listed once its video exists;
// a sidecar without its video is debris of an interrupted deletion and is removed by open().
//
// Quota: after each clip the folder's clips (videos + sidecars) are summed and, while the sum
// is above the quota, the oldest clips (by modification time, then name) are deleted, video then
// sidecar. The newest clip is never deleted, even alone above the quota (it is the one just
// recorded; the log says so).
//
// Thread-safe: the recorders' writer threads share one store.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"

namespace sl::pipeline {

struct ClipEntry {
    std::filesystem::path video;    // <dir>/<stem>.mp4
    std::filesystem::path sidecar;  // <dir>/<stem>.json (may be missing for a moment)
    int64_t bytes = 0;              // video + sidecar
    std::filesystem::file_time_type modified{};
};

class ClipStore {
public:
    // quotaBytes 0: no quota.
    ClipStore(std::filesystem::path dir, int64_t quotaBytes);

    // Creates the folder, removes what killed writers left (temporaries, orphan sidecars).
    Status open();

    // A new, unused video path for `source` whose first alert fired at `wallTime` (system
    // clock): "<source>-YYYYMMDDTHHMMSS.mmmZ.mp4", "-2", "-3" ... when taken. Reserved until
    // release(): two recorders never get the same name.
    std::filesystem::path reserve(const std::string& source,
                                  std::chrono::system_clock::time_point wallTime);
    void release(const std::filesystem::path& video);

    // Deletes the oldest clips while the folder is above the quota, keeping `keep` (the clip just
    // written). Returns the videos deleted, oldest first.
    std::vector<std::filesystem::path> enforceQuota(const std::filesystem::path& keep);

    // Deletes one clip of the folder (a user's choice): the video, then its sidecar, the order
    // the quota uses (a sidecar left alone by a crash between the two is removed by open()).
    // InvalidArgument for a path outside the folder or not a clip; Io naming the file.
    Status remove(const std::filesystem::path& video);

    // The clips in the folder, oldest first.
    std::vector<ClipEntry> list() const;
    int64_t totalBytes() const;

    const std::filesystem::path& dir() const { return dir_; }
    int64_t quotaBytes() const { return quota_; }

private:
    std::filesystem::path dir_;
    int64_t quota_ = 0;
    mutable std::mutex mutex_;
    std::set<std::string> reserved_;
};

// The sidecar's path for a clip's video.
std::filesystem::path clipSidecarPath(const std::filesystem::path& video);

}  // namespace sl::pipeline
