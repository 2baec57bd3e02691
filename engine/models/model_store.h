#pragma once
// ModelStore: the user's installed models, one folder each under the data directory
// ($XDG_DATA_HOME/sightline/models, default ~/.local/share/sightline/models):
//
//   <root>/<name>/model.onnx      the weights (manifest "file")
//   <root>/<name>/manifest.json   labels, preprocessing, decoder (models/model_manifest.h)
//
// A model counts as installed once its manifest exists; installs write the weights first and the
// manifest last, each atomically (temporary + fsync + rename), so an interrupted install never
// leaves a half model that looks installed. Every installed file has passed checkModelContract()
// (importer + ONNX checker + input/output shapes); downloads also match the catalogue's SHA-256.
//
// Thread-safe for concurrent readers; installs of the same name from two processes end with one
// complete copy (the later rename wins).

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "models/downloader.h"
#include "models/model_manifest.h"

namespace sl::models {

// A model the store knows how to fetch (`sightline models install NAME`).
struct CatalogEntry {
    std::string name;
    std::string url;
    std::string sha256;
    int64_t bytes = 0;
    ModelManifest manifest;
};
const std::vector<CatalogEntry>& builtinCatalog();
const CatalogEntry* findCatalogEntry(const std::string& name);

inline constexpr const char* kDefaultModel = "yolox-nano";

struct InstalledModel {
    std::string name;
    std::filesystem::path folder;
    std::filesystem::path weights;    // folder / manifest.file
    std::filesystem::path manifestPath;
    ModelManifest manifest;
    int64_t bytes = 0;                // size of the weights
};

struct InstallOptions {
    // Overrides of the catalogue entry (mirrors, tests against a local server). Empty: catalogue.
    std::string url;
    std::string sha256;
    // (optional) Manifest for a name the catalogue lacks, or to replace the built-in one.
    std::optional<ModelManifest> manifest;
    DownloadOptions download;
};

class ModelStore {
public:
    explicit ModelStore(std::filesystem::path root = defaultRoot());

    // $XDG_DATA_HOME/sightline/models, else $HOME/.local/share/sightline/models.
    static std::filesystem::path defaultRoot();
    const std::filesystem::path& root() const { return root_; }

    // Installed models sorted by name. A folder with a malformed manifest is reported through
    // `problems` (one message each) and left out, so one bad folder does not hide the others.
    std::vector<InstalledModel> list(std::vector<std::string>* problems = nullptr) const;
    // An installed model; NotFound names the install command.
    Expected<InstalledModel> find(const std::string& name) const;
    // `nameOrPath`: an installed model's name, or a path to an .onnx file (its manifest is
    // <stem>.json beside it, else manifest.json in its folder, else the built-in YOLOX-Nano one).
    Expected<InstalledModel> resolve(const std::string& nameOrPath) const;

    // Validates `file` by loading it (checkModelContract), then copies it in atomically.
    Expected<InstalledModel> installFromFile(const std::string& name,
                                             const std::filesystem::path& file,
                                             const InstallOptions& options = {});
    // Downloads the catalogue's (or options.url's) file, checks its SHA-256 and contract.
    Expected<InstalledModel> installFromUrl(const std::string& name,
                                            const InstallOptions& options = {});
    Status remove(const std::string& name);

private:
    Expected<ModelManifest> manifestFor(const std::string& name,
                                        const InstallOptions& options) const;
    Expected<InstalledModel> commit(const std::string& name, const std::filesystem::path& temp,
                                    ModelManifest manifest);
    std::filesystem::path root_;
};

// Names are folder names: letters, digits, '-', '_', '.', not starting with '.'.
Status checkModelName(const std::string& name);

}  // namespace sl::models
