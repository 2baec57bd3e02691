#include "pipeline/clip_store.h"

#include "core/utc_time.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/log.h"
#include "media/clip_writer.h"

namespace sl::pipeline {

namespace fs = std::filesystem;

namespace {

// Names become file names: anything outside [A-Za-z0-9._-] turns into '_'.
std::string fileSafe(const std::string& s) {
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '_' || c == '.';
        out += ok ? c : '_';
    }
    if (out.empty() || out[0] == '.') out = "_" + out;   // never a hidden (temporary-like) name
    return out;
}

bool isClipVideo(const fs::directory_entry& e) {
    const std::string n = e.path().filename().string();
    return !n.empty() && n[0] != '.' && e.path().extension() == ".mp4" && e.is_regular_file();
}

}  // namespace

fs::path clipSidecarPath(const fs::path& video) {
    fs::path p = video;
    p.replace_extension(".json");
    return p;
}

ClipStore::ClipStore(fs::path dir, int64_t quotaBytes) : dir_(std::move(dir)), quota_(quotaBytes) {}

Status ClipStore::open() {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec || !fs::is_directory(dir_))
        return Status(StatusCode::Io, "clips: cannot create the folder '" + dir_.string() +
                                          "': " + (ec ? ec.message() : "not a folder"));
    media::removeStaleTemporaries(dir_);
    // A sidecar without its video: a deletion interrupted between the two (video goes first).
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const std::string n = e.path().filename().string();
        if (n.empty() || n[0] == '.' || e.path().extension() != ".json") continue;
        fs::path video = e.path();
        video.replace_extension(".mp4");
        std::error_code ec2;
        if (!fs::exists(video, ec2) && fs::remove(e.path(), ec2))
            logInfo("clips", "removed the orphan sidecar '" + e.path().string() + "'");
    }
    return Status::ok();
}

fs::path ClipStore::reserve(const std::string& source, std::chrono::system_clock::time_point t) {
    const std::string base = fileSafe(source) + "-" + utcTimestamp(t, UtcFormat::Compact);
    std::lock_guard lock(mutex_);
    for (int n = 1;; ++n) {
        const std::string stem = n == 1 ? base : base + "-" + std::to_string(n);
        const fs::path video = dir_ / (stem + ".mp4");
        std::error_code ec;
        if (reserved_.count(video.string()) || fs::exists(video, ec)) continue;
        reserved_.insert(video.string());
        return video;
    }
}

void ClipStore::release(const fs::path& video) {
    std::lock_guard lock(mutex_);
    reserved_.erase(video.string());
}

std::vector<ClipEntry> ClipStore::list() const {
    std::vector<ClipEntry> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        if (!isClipVideo(e)) continue;
        ClipEntry c;
        c.video = e.path();
        c.sidecar = clipSidecarPath(e.path());
        std::error_code ec2;
        c.bytes = int64_t(e.file_size(ec2));
        if (ec2) continue;   // deleted meanwhile
        if (const auto s = fs::file_size(c.sidecar, ec2); !ec2) c.bytes += int64_t(s);
        c.modified = e.last_write_time(ec2);
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const ClipEntry& a, const ClipEntry& b) {
        return a.modified != b.modified ? a.modified < b.modified : a.video < b.video;
    });
    return out;
}

Status ClipStore::remove(const fs::path& video) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(video, ec);
    if (ec || canonical.parent_path() != fs::weakly_canonical(dir_, ec) ||
        canonical.extension() != ".mp4")
        return Status(StatusCode::InvalidArgument,
                      "clips: '" + video.string() + "' is not a clip of '" + dir_.string() + "'");
    std::lock_guard lock(mutex_);
    // reserve() names clips dir_ / file, whatever form the caller's path has.
    if (reserved_.count((dir_ / canonical.filename()).string()))
        return Status(StatusCode::InvalidArgument,
                      "clips: '" + video.string() + "' is being written");
    if (!fs::remove(canonical, ec) || ec)
        return Status(StatusCode::Io, "clips: cannot delete '" + video.string() + "': " +
                                          (ec ? ec.message() : "no such file"));
    fs::remove(clipSidecarPath(canonical), ec);
    if (ec)
        return Status(StatusCode::Io, "clips: cannot delete '" +
                                          clipSidecarPath(canonical).string() +
                                          "': " + ec.message());
    logInfo("clips", "deleted the clip '" + video.string() + "'");
    return Status::ok();
}

int64_t ClipStore::totalBytes() const {
    int64_t sum = 0;
    for (const ClipEntry& c : list()) sum += c.bytes;
    return sum;
}

std::vector<fs::path> ClipStore::enforceQuota(const fs::path& keep) {
    std::vector<fs::path> deleted;
    if (quota_ <= 0) return deleted;
    std::lock_guard lock(mutex_);   // two writer threads must not both delete for one excess
    std::vector<ClipEntry> all = list();
    int64_t sum = 0;
    for (const ClipEntry& c : all) sum += c.bytes;
    for (const ClipEntry& c : all) {
        if (sum <= quota_) break;
        if (c.video == keep || reserved_.count(c.video.string())) continue;
        std::error_code ec;
        fs::remove(c.video, ec);   // the video first: a sidecar alone is cleaned up by open()
        if (ec) {
            logWarning("clips", "cannot delete '" + c.video.string() + "': " + ec.message());
            continue;
        }
        fs::remove(c.sidecar, ec);
        sum -= c.bytes;
        deleted.push_back(c.video);
        logInfo("clips", "quota: deleted the oldest clip '" + c.video.string() + "'");
    }
    if (sum > quota_)
        logWarning("clips", "'" + dir_.string() + "' holds " + std::to_string(sum) +
                                " bytes, above its quota of " + std::to_string(quota_) +
                                ", after deleting every older clip");
    return deleted;
}

}  // namespace sl::pipeline
