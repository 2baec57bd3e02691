#include "compute/cache_pruner.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <set>

#include "core/log.h"

namespace sl::compute {
namespace fs = std::filesystem;

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "-<16 hex digits><suffix>" at the end of `s`.
bool endsWithKey(const std::string& s, const std::string& suffix) {
    if (!endsWith(s, suffix) || s.size() < suffix.size() + 18) return false;
    const size_t keyAt = s.size() - suffix.size() - 16;
    if (s[keyAt - 1] != '-') return false;
    return std::all_of(s.begin() + ptrdiff_t(keyAt), s.begin() + ptrdiff_t(keyAt + 16),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string mib(uintmax_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
    return buf;
}

}  // namespace

bool isCacheFileName(const std::string& name) {
    if (name.empty() || name[0] == '.') return false;
    if (endsWithKey(name, ".bin")) return true;
    return name.rfind("conv-tuning-", 0) == 0 && endsWithKey(name, ".txt");
}

bool isCacheTemporaryName(const std::string& name) {
    if (name.size() < 2 || name[0] != '.') return false;
    const size_t tmp = name.rfind(".tmp-");
    return tmp != std::string::npos && isCacheFileName(name.substr(1, tmp - 1));
}

void markCacheFileUsed(const fs::path& file) {
    std::error_code ec;
    fs::last_write_time(file, fs::file_time_type::clock::now(), ec);
    if (ec)
        logDebug("compute", "cannot mark cache file " + file.string() + " as used: " +
                                ec.message() + " (it ages out as if unused)");
}

CachePruneReport pruneCacheDirectory(const fs::path& directory, const CachePruneOptions& options,
                                     fs::file_time_type now) {
    CachePruneReport r;
    struct Entry {
        fs::path path;
        fs::file_time_type mtime;
        uintmax_t size;
    };
    std::vector<Entry> files;
    std::error_code ec;
    fs::directory_iterator it(directory, ec);
    if (ec) {
        if (ec != std::errc::no_such_file_or_directory)
            logWarning("compute", "kernel cache " + directory.string() + " not pruned: " +
                                      ec.message());
        return r;
    }
    const auto remove = [&](const fs::path& p) {
        std::error_code e;
        if (fs::remove(p, e)) {
            r.removed.push_back(p);
            return true;
        }
        logWarning("compute", "cannot remove old kernel cache file " + p.string() + ": " +
                                  (e ? e.message() : std::string("already gone")));
        return false;
    };
    for (const fs::directory_entry& e : it) {
        std::error_code fe;
        if (!e.is_regular_file(fe)) continue;
        const std::string name = e.path().filename().string();
        const auto mtime = e.last_write_time(fe);
        if (fe) continue;
        if (isCacheTemporaryName(name)) {
            if (now - mtime > options.tempMaxAge && remove(e.path())) ++r.removedTemporaries;
            continue;
        }
        if (!isCacheFileName(name)) continue;
        const uintmax_t size = e.file_size(fe);
        if (fe) continue;
        ++r.cacheFiles;
        r.bytesBefore += size;
        files.push_back({e.path(), mtime, size});
    }
    // Least recently used first; the path breaks ties so the order is deterministic.
    std::sort(files.begin(), files.end(), [](const Entry& a, const Entry& b) {
        return a.mtime != b.mtime ? a.mtime < b.mtime : a.path < b.path;
    });
    uintmax_t total = r.bytesBefore;
    for (const Entry& f : files) {
        const bool unused = now - f.mtime > options.maxAge;
        const bool over = total > options.maxBytes;
        if (!unused && !over) break;   // sorted: every later file is newer and fits
        if (!remove(f.path)) continue;
        total -= f.size;
        ++(unused ? r.removedUnused : r.removedForSize);
    }
    r.bytesAfter = total;
    const int removed = r.removedUnused + r.removedForSize + r.removedTemporaries;
    const auto days = std::chrono::duration_cast<std::chrono::hours>(options.maxAge).count() / 24;
    if (removed > 0)
        logInfo("compute", "kernel cache " + directory.string() + ": removed " +
                               std::to_string(r.removedUnused) + " file(s) unused for " +
                               std::to_string(days) + " days, " +
                               std::to_string(r.removedForSize) +
                               " least recently used to stay under " + mib(options.maxBytes) +
                               ", " + std::to_string(r.removedTemporaries) +
                               " stale temporaries; " + mib(r.bytesBefore) + " -> " +
                               mib(r.bytesAfter) + " in " +
                               std::to_string(r.cacheFiles - r.removedUnused - r.removedForSize) +
                               " file(s)");
    else
        logDebug("compute", "kernel cache " + directory.string() + ": nothing to prune (" +
                                std::to_string(r.cacheFiles) + " file(s), " +
                                mib(r.bytesBefore) + ")");
    return r;
}

bool pruneCacheDirectoryOnce(const fs::path& directory, const CachePruneOptions& options) {
    static std::mutex mutex;
    static std::set<fs::path> done;
    {
        std::lock_guard lock(mutex);
        if (!done.insert(directory.lexically_normal()).second) return false;
    }
    pruneCacheDirectory(directory, options);
    return true;
}

}  // namespace sl::compute
