#include "compute/cache_file.h"

#include <fstream>
#include <sstream>

#include "compute/program_cache.h"
#include "core/atomic_file.h"

namespace sl::compute {

namespace {

std::string checksumLine(std::string_view text) {
    return "checksum " + hex64(fnv1a64(text)) + "\n";
}

}  // namespace

std::optional<std::string> readCacheFile(const std::filesystem::path& path,
                                         std::string_view header, bool* corrupt) {
    if (corrupt) *corrupt = false;
    std::ifstream f(path, std::ios::binary);
    if (!f) return std::nullopt;
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    const size_t cut = text.rfind("checksum ");
    const bool ok = cut != std::string::npos && cut >= header.size() &&
                    text.compare(0, header.size(), header) == 0 &&
                    text.compare(cut, std::string::npos,
                                 checksumLine(std::string_view(text).substr(0, cut))) == 0;
    if (!ok) {
        if (corrupt) *corrupt = true;
        return std::nullopt;
    }
    return text.substr(header.size(), cut - header.size());
}

Status writeCacheFile(const std::filesystem::path& path, std::string_view header,
                      std::string_view body, std::string_view component) {
    std::string text(header);
    text += body;
    text += checksumLine(text);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    // A concurrent reader sees the old file or the new one, never half.
    return writeFileAtomic(path, text, component);
}

}  // namespace sl::compute
