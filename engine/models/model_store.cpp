#include "models/model_store.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <unistd.h>

#include "core/log.h"
#include "core/atomic_file.h"
#include "models/model_contract.h"

namespace sl::models {

namespace fs = std::filesystem;

namespace {

constexpr const char* kManifestFile = "manifest.json";

std::string lowerHex(std::string s) {
    for (char& c : s) c = char(std::tolower(uint8_t(c)));
    return s;
}

}  // namespace

const std::vector<CatalogEntry>& builtinCatalog() {
    // Upstream's release asset (README in ../shared/models records its size and checksum).
    static const std::vector<CatalogEntry> catalog = {
        {kDefaultModel,
         "https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/"
         "yolox_nano.onnx",
         "c789161ed43c8269fcd4e67c67eeeb4e80c622da2eb296a20bc6007bd18a0b7d", 3659407,
         yoloxNanoManifest()},
    };
    return catalog;
}

const CatalogEntry* findCatalogEntry(const std::string& name) {
    for (const CatalogEntry& e : builtinCatalog())
        if (e.name == name) return &e;
    return nullptr;
}

Status checkModelName(const std::string& name) {
    const bool ok = !name.empty() && name[0] != '.' && name.size() <= 128 &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                        return std::isalnum(uint8_t(c)) || c == '-' || c == '_' || c == '.';
                    });
    if (ok) return Status::ok();
    return Status(StatusCode::InvalidArgument,
                  "models: '" + name + "' is not a valid model name (letters, digits, '-', '_', "
                  "'.')");
}

ModelStore::ModelStore(fs::path root) : root_(std::move(root)) {}

fs::path ModelStore::defaultRoot() {
    const char* xdg = std::getenv("XDG_DATA_HOME");
    if (xdg && *xdg && fs::path(xdg).is_absolute()) return fs::path(xdg) / "sightline" / "models";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : ".") / ".local" / "share" / "sightline" / "models";
}

std::vector<InstalledModel> ModelStore::list(std::vector<std::string>* problems) const {
    std::vector<InstalledModel> models;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_, ec)) {
        if (!entry.is_directory(ec)) continue;
        const std::string name = entry.path().filename().string();
        if (name.empty() || name[0] == '.') continue;   // install temporaries
        if (!fs::exists(entry.path() / kManifestFile, ec)) continue;
        auto m = find(name);
        if (m) models.push_back(std::move(*m));
        else if (problems) problems->push_back(m.status().message());
    }
    std::sort(models.begin(), models.end(),
              [](const InstalledModel& a, const InstalledModel& b) { return a.name < b.name; });
    return models;
}

Expected<InstalledModel> ModelStore::find(const std::string& name) const {
    SL_TRY(checkModelName(name));
    InstalledModel m;
    m.name = name;
    m.folder = root_ / name;
    m.manifestPath = m.folder / kManifestFile;
    std::error_code ec;
    if (!fs::exists(m.manifestPath, ec))
        return Status(StatusCode::NotFound,
                      "models: '" + name + "' is not installed (in " + root_.string() +
                          "); run `sightline models install " + name + "`");
    auto manifest = loadManifest(m.manifestPath);
    if (!manifest) return manifest.status();
    m.manifest = std::move(*manifest);
    m.weights = m.folder / m.manifest.file;
    const auto size = fs::file_size(m.weights, ec);
    if (ec)
        return Status(StatusCode::NotFound, "models: '" + name + "': weights '" +
                                                m.weights.string() + "' are missing; reinstall "
                                                "with `sightline models install " + name + "`");
    m.bytes = int64_t(size);
    return m;
}

Expected<InstalledModel> ModelStore::resolve(const std::string& nameOrPath) const {
    std::error_code ec;
    const fs::path p(nameOrPath);
    const bool looksLikePath = nameOrPath.find('/') != std::string::npos ||
                               p.extension() == ".onnx";
    if (!looksLikePath) return find(nameOrPath);
    if (!fs::is_regular_file(p, ec))
        return Status(StatusCode::NotFound, "models: '" + nameOrPath + "': no such model file");
    InstalledModel m;
    m.name = p.stem().string();
    m.folder = p.parent_path();
    m.weights = p;
    m.bytes = int64_t(fs::file_size(p, ec));
    fs::path manifest = p;
    manifest.replace_extension(".json");
    if (!fs::exists(manifest, ec)) manifest = m.folder / kManifestFile;
    if (fs::exists(manifest, ec)) {
        auto parsed = loadManifest(manifest);
        if (!parsed) return parsed.status();
        m.manifest = std::move(*parsed);
        m.manifestPath = manifest;
    } else {
        logDebug("models", "'" + nameOrPath + "' has no manifest beside it; assuming YOLOX-Nano's");
        m.manifest = yoloxNanoManifest();
    }
    return m;
}

Expected<ModelManifest> ModelStore::manifestFor(const std::string& name,
                                                const InstallOptions& options) const {
    if (options.manifest) return *options.manifest;
    if (const CatalogEntry* e = findCatalogEntry(name)) return e->manifest;
    return Status(StatusCode::InvalidArgument,
                  "models: '" + name + "' is not a built-in model; give its manifest (--manifest "
                  "FILE.json)");
}

Expected<InstalledModel> ModelStore::commit(const std::string& name, const fs::path& temp,
                                            ModelManifest manifest) {
    const fs::path folder = root_ / name;
    manifest.name = name;
    // Weights first, manifest last: the manifest marks the install complete.
    SL_TRY(commitFile(temp, folder / manifest.file, "models"));
    SL_TRY(writeFileAtomic(folder / kManifestFile, manifestToJson(manifest), "models"));
    return find(name);
}

Expected<InstalledModel> ModelStore::installFromFile(const std::string& name, const fs::path& file,
                                                     const InstallOptions& options) {
    SL_TRY(checkModelName(name));
    auto manifest = manifestFor(name, options);
    if (!manifest) return manifest.status();
    SL_TRY(checkModelContract(file, *manifest));
    const fs::path folder = root_ / name;
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        return Status(StatusCode::Io, "models: cannot create '" + folder.string() + "': " +
                                          ec.message());
    // Copy into a temporary inside the target folder (same file system), then commit.
    const fs::path temp = folder / (".model.onnx.part-" + std::to_string(::getpid()));
    auto m = [&]() -> Expected<InstalledModel> {
        SL_TRY(copyFileAtomic(file, temp, "models"));
        return commit(name, temp, *manifest);
    }();
    if (!m) {
        fs::remove(temp, ec);
        fs::remove(folder, ec);   // only when empty
    }
    return m;
}

Expected<InstalledModel> ModelStore::installFromUrl(const std::string& name,
                                                    const InstallOptions& options) {
    SL_TRY(checkModelName(name));
    auto manifest = manifestFor(name, options);
    if (!manifest) return manifest.status();
    const CatalogEntry* entry = findCatalogEntry(name);
    const std::string url = !options.url.empty() ? options.url : entry ? entry->url : "";
    const std::string sha = lowerHex(!options.sha256.empty() ? options.sha256
                                     : entry                 ? entry->sha256
                                                             : "");
    if (url.empty())
        return Status(StatusCode::InvalidArgument,
                      "models: '" + name + "' has no download URL; use --from FILE or --url URL");
    if (sha.size() != 64)
        return Status(StatusCode::InvalidArgument,
                      "models: '" + name + "': a download needs a SHA-256 checksum (--sha256 HEX)");
    const fs::path folder = root_ / name;
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        return Status(StatusCode::Io, "models: cannot create '" + folder.string() + "': " +
                                          ec.message());
    const fs::path temp = folder / (".model.onnx.download-" + std::to_string(::getpid()));
    auto got = downloadFile(url, temp, options.download);
    const auto discard = [&] {
        fs::remove(temp, ec);
        fs::remove(folder, ec);   // only when empty: a failed first install leaves no folder
    };
    if (!got) {
        discard();
        return got.status();
    }
    if (got->sha256 != sha) {
        discard();
        return Status(StatusCode::InvalidData,
                      "models: '" + url + "': checksum mismatch: SHA-256 " + got->sha256 +
                          ", expected " + sha + " (" + std::to_string(got->bytes) +
                          " bytes); nothing installed");
    }
    if (Status st = checkModelContract(temp, *manifest); !st) {
        discard();
        return st;
    }
    auto m = commit(name, temp, *manifest);
    if (!m) discard();
    return m;
}

Status ModelStore::remove(const std::string& name) {
    SL_TRY(checkModelName(name));
    const fs::path folder = root_ / name;
    std::error_code ec;
    if (!fs::exists(folder / kManifestFile, ec) && !fs::exists(folder, ec))
        return Status(StatusCode::NotFound, "models: '" + name + "' is not installed");
    // The manifest goes first, so a remove interrupted half-way leaves no "installed" model.
    fs::remove(folder / kManifestFile, ec);
    fs::remove_all(folder, ec);
    if (ec)
        return Status(StatusCode::Io, "models: cannot remove '" + folder.string() + "': " +
                                          ec.message());
    return Status::ok();
}

}  // namespace sl::models
