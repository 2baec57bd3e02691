#pragma once
// ClipWriter: remuxes compressed video packets of one live stream into an MP4 file, without
// re-encoding (libavformat's mp4 muxer), with `movflags +faststart` (the index first, so a clip
// starts playing before it is fully read), timestamps rebased so the first frame is at 0.
//
// Atomic: it writes to a temporary file in the target's folder (".<name>.tmp-<host>-<pid>-<n>",
// the pattern core/atomic_file.h uses), and finish() fsyncs and renames it over the target. A
// writer killed at any point leaves only the temporary, which removeStaleTemporaries() (run when
// a clips folder is opened) deletes; the target name never holds a partial file.
//
// Usage, on one thread:
//   ClipWriter w;
//   SL_TRY(w.open("clips/door-....mp4", *stream, firstKeyframePts));
//   for (...) SL_TRY(w.write(*packet));      // decode order, from the keyframe on
//   auto info = w.finish();                  // or the destructor: the temporary is removed

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/status.h"
#include "media/ffmpeg_ptr.h"
#include "media/live_source.h"

namespace sl::media {

struct ClipFileInfo {
    std::filesystem::path path;
    int64_t packets = 0;
    int64_t bytes = 0;          // of the finished file
    double seconds = 0;         // last pts + its duration - first pts
};

class ClipWriter {
public:
    ClipWriter() = default;
    ~ClipWriter();   // an unfinished clip's temporary is removed
    ClipWriter(const ClipWriter&) = delete;
    ClipWriter& operator=(const ClipWriter&) = delete;

    // Creates the temporary and writes the header. startPts (stream time base) becomes 0.
    // Unsupported: a codec MP4 cannot hold (the message names it).
    Status open(const std::filesystem::path& target, const PacketStream& stream, int64_t startPts);
    // One packet (lent; referenced, not copied), in decode order.
    Status write(const AVPacket& packet);
    // Trailer (faststart moves the index to the front), fsync, rename onto the target.
    Expected<ClipFileInfo> finish();
    // Removes the temporary; nothing appears at the target.
    void abandon();

    bool isOpen() const { return bool(oc_); }
    const std::filesystem::path& target() const { return target_; }
    const std::filesystem::path& temporary() const { return temp_; }

private:
    Status fail(const std::string& what, int err);

    AvFormatOutputPtr oc_;
    AvPacketPtr pkt_;
    std::filesystem::path target_, temp_;
    AVRational inTb_{1, 1};
    int64_t startPts_ = 0;
    int64_t frameTicks_ = 0;    // one frame in the input time base (a missing duration)
    int64_t lastDts_ = INT64_MIN;
    int64_t endPts_ = 0;        // the largest pts + duration written (input time base)
    int64_t packets_ = 0;
};

// A temporary name for `target` in its folder, in the pattern removeStaleTemporaries() knows.
std::filesystem::path clipTemporaryPath(const std::filesystem::path& target);

// Deletes the temporaries a killed writer left in `folder` (".*.tmp-<host>-<pid>-<n>"): those of
// this host whose process is gone, and other hosts' older than an hour (a shared folder). Files
// of live writers (this process included) are kept. Returns how many were removed.
int removeStaleTemporaries(const std::filesystem::path& folder);

}  // namespace sl::media
