#include "store/project_relink.h"

#include <filesystem>
#include <set>

#include "store/project_store.h"

namespace sl::store {

namespace fs = std::filesystem;

namespace {

bool isLocalFilePath(const std::string& path) {
    return path.find("://") == std::string::npos && path.rfind("/dev/", 0) != 0;
}

}  // namespace

std::vector<annotate::MediaInfo> missingMedia(ProjectStore& project) {
    std::vector<annotate::MediaInfo> out;
    for (const annotate::MediaInfo& m : project.media()) {
        std::error_code ec;
        if (isLocalFilePath(m.path) && !fs::is_regular_file(m.path, ec)) out.push_back(m);
    }
    return out;
}

Expected<RelinkReport> relinkMediaFromFolder(ProjectStore& project, const std::string& folder) {
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        return Status(StatusCode::NotFound, "relink: '" + folder + "' is not a folder");
    const fs::path dir = fs::absolute(folder, ec).lexically_normal();
    RelinkReport report;
    std::vector<std::pair<int64_t, std::string>> updates;
    std::set<std::string> taken;   // a path already another media's stays with it
    for (const annotate::MediaInfo& m : project.media()) taken.insert(m.path);
    for (annotate::MediaInfo m : missingMedia(project)) {
        const fs::path candidate = dir / fs::path(m.path).filename();
        if (fs::is_regular_file(candidate, ec) && taken.insert(candidate.string()).second) {
            m.path = candidate.string();
            updates.emplace_back(m.id, m.path);
            report.relinked.push_back(std::move(m));
        } else {
            report.missing.push_back(std::move(m));
        }
    }
    if (!updates.empty())
        if (Status st = project.relinkMedia(updates); !st) return st;
    return report;
}

}  // namespace sl::store
