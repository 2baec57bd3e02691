#include "core/atomic_file.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace sl {

namespace fs = std::filesystem;

namespace {

Status ioError(std::string_view component, const std::string& what, const fs::path& path,
               int err) {
    return Status(StatusCode::Io, std::string(component) + ": cannot " + what + " '" +
                                      path.string() + "': " + std::strerror(err));
}

// Unique per process and per call: two threads may save the same file (two compute contexts
// caching one kernel), and each must rename a complete file of its own.
// Unique per writer: cluster shards on several machines write into one shared folder, where the
// pid alone repeats (every container's first process is pid 1), so the host name goes in too.
fs::path tempPathFor(const fs::path& path) {
    static std::atomic<unsigned> counter{0};
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    for (char* c = host; *c; ++c)
        if (*c == '/') *c = '_';
    return path.parent_path() / ("." + path.filename().string() + ".tmp-" + host + "-" +
                                 std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

void syncFolder(const fs::path& folder) {
    const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        ::fsync(fd);   // best effort: some file systems refuse fsync on folders
        ::close(fd);
    }
}

Status writeAll(int fd, const char* data, size_t size, const fs::path& path,
                std::string_view component) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return ioError(component, "write", path, errno);
        }
        data += n;
        size -= size_t(n);
    }
    return Status::ok();
}

// The last step of every atomic write: `temp` is complete and synced; it replaces `to`, and the
// folder entry is synced so the rename survives a crash. On failure `temp` is removed.
Status renameIntoPlace(const fs::path& temp, const fs::path& to, std::string_view component) {
    if (::rename(temp.c_str(), to.c_str()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        return ioError(component, "rename into", to, e);
    }
    syncFolder(to.parent_path());
    return Status::ok();
}

}  // namespace

Status commitFile(const fs::path& temp, const fs::path& to, std::string_view component) {
    const int fd = ::open(temp.c_str(), O_RDONLY);
    if (fd < 0) return ioError(component, "open", temp, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return ioError(component, "sync", temp, err);
    return renameIntoPlace(temp, to, component);
}

Status writeFileAtomic(const fs::path& path, std::string_view data, std::string_view component) {
    const fs::path temp = tempPathFor(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ioError(component, "write", path, errno);
    Status st = writeAll(fd, data.data(), data.size(), path, component);
    if (st && ::fsync(fd) != 0) st = ioError(component, "sync", path, errno);
    ::close(fd);
    if (!st) {
        ::unlink(temp.c_str());
        return st;
    }
    return renameIntoPlace(temp, path, component);
}

Status copyFileAtomic(const fs::path& from, const fs::path& to, std::string_view component) {
    const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return ioError(component, "read", from, errno);
    const fs::path temp = tempPathFor(to);
    const int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        const int e = errno;
        ::close(in);
        return ioError(component, "write", to, e);
    }
    Status st;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            st = ioError(component, "read", from, errno);
            break;
        }
        if (n == 0) break;
        st = writeAll(out, buf, size_t(n), to, component);
        if (!st) break;
    }
    if (st && ::fsync(out) != 0) st = ioError(component, "sync", to, errno);
    ::close(in);
    ::close(out);
    if (!st) {
        ::unlink(temp.c_str());
        return st;
    }
    return renameIntoPlace(temp, to, component);
}

}  // namespace sl
