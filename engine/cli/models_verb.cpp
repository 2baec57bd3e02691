// `sightline models list|install|remove|info`: the user's detection models (models/model_store.h).
//   models list [--json]
//   models install NAME [--from FILE] [--manifest FILE.json] [--url URL --sha256 HEX]
//   models remove NAME
//   models info NAME [--json]

#include <cstdio>
#include <iostream>
#include <string>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "models/model_store.h"

namespace sl::cli {

namespace {

constexpr const char* kUsage =
    "sightline models list [--json]\n"
    "       sightline models install NAME [--from FILE.onnx] [--manifest FILE.json]\n"
    "                                     [--url URL --sha256 HEX]\n"
    "       sightline models remove NAME\n"
    "       sightline models info NAME [--json]";

std::string megabytes(int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", double(bytes) / 1e6);
    return buf;
}

nlohmann::ordered_json describe(const models::InstalledModel& m) {
    return {{"name", m.name},
            {"path", m.weights.string()},
            {"manifest", m.manifestPath.string()},
            {"bytes", m.bytes},
            {"description", m.manifest.description},
            {"decoder", m.manifest.decoder},
            {"input", {m.manifest.inputWidth, m.manifest.inputHeight}},
            {"classes", m.manifest.labels.size()}};
}

}  // namespace

int runModels(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    const auto usage = [&](const std::string& problem) {
        err << "sightline models: " << problem << "\nusage: " << kUsage << "\n";
        return kExitUsage;
    };
    if (args.empty()) return usage("missing sub-command (list, install, remove, info)");
    const std::string sub = args[0];
    if (sub == "-h" || sub == "--help") {
        out << "usage: " << kUsage << "\n";
        return kExitOk;
    }
    std::string name, from, manifestFile;
    bool json = false;
    models::InstallOptions install;
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--json") json = true;
        else if (a == "--from" && hasValue) from = args[++i];
        else if (a == "--manifest" && hasValue) manifestFile = args[++i];
        else if (a == "--url" && hasValue) install.url = args[++i];
        else if (a == "--sha256" && hasValue) install.sha256 = args[++i];
        else if (a.size() > 1 && a[0] == '-')
            return usage("unknown or incomplete option '" + a + "'");
        else if (name.empty()) name = a;
        else return usage("unexpected argument '" + a + "'");
    }
    models::ModelStore store;
    const auto fail = [&](const Status& st) {
        // The store's messages already start with "models: ".
        std::string msg = st.message();
        if (msg.rfind("models: ", 0) == 0) msg.erase(0, 8);
        err << "sightline models: " << msg << "\n";
        return kExitFailure;
    };

    if (sub == "list") {
        std::vector<std::string> problems;
        const auto list = store.list(&problems);
        if (json) {
            nlohmann::ordered_json j = {{"root", store.root().string()},
                                        {"models", nlohmann::ordered_json::array()}};
            for (const auto& m : list) j["models"].push_back(describe(m));
            j["problems"] = problems;
            out << j.dump(2) << "\n";
        } else {
            out << "models in " << store.root().string() << ":\n";
            if (list.empty()) out << "  (none; run `sightline models install yolox-nano`)\n";
            for (const auto& m : list)
                out << "  " << m.name << "  " << megabytes(m.bytes) << "  "
                    << m.manifest.labels.size() << " classes  " << m.manifest.description << "\n";
            for (const auto& e : models::builtinCatalog()) {
                bool installed = false;
                for (const auto& m : list) installed |= m.name == e.name;
                if (!installed) out << "  " << e.name << "  (available: models install " << e.name
                                    << ")\n";
            }
            for (const auto& p : problems) err << "sightline models: " << p << "\n";
        }
        return kExitOk;
    }
    if (name.empty()) return usage("'" + sub + "' needs a model NAME");
    if (sub == "info") {
        auto m = store.find(name);
        if (!m) return fail(m.status());
        if (json) {
            auto j = describe(*m);
            j["labels"] = m->manifest.labels;
            out << j.dump(2) << "\n";
        } else {
            const auto& mf = m->manifest;
            out << m->name << ": " << mf.description << "\n"
                << "  weights:   " << m->weights.string() << " (" << megabytes(m->bytes) << ")\n"
                << "  manifest:  " << m->manifestPath.string() << "\n"
                << "  input:     " << mf.inputName << " 1x3x" << mf.inputHeight << "x"
                << mf.inputWidth << " "
                << (mf.colorOrder == vision::ChannelOrder::Bgr ? "BGR" : "RGB")
                << ", letterbox "
                << (mf.placement == vision::Placement::TopLeft ? "top-left" : "centre") << " pad "
                << mf.padValue << "\n"
                << "  output:    " << mf.outputName << " 1x" << mf.outputRows() << "x"
                << mf.outputColumns() << ", decoder " << mf.decoder << "\n"
                << "  defaults:  confidence " << mf.confidence << ", nms " << mf.nms << "\n"
                << "  classes:   " << mf.labels.size() << "\n";
        }
        return kExitOk;
    }
    if (sub == "remove") {
        if (Status st = store.remove(name); !st) return fail(st);
        out << "removed " << name << "\n";
        return kExitOk;
    }
    if (sub == "install") {
        if (!manifestFile.empty()) {
            auto mf = models::loadManifest(manifestFile);
            if (!mf) return fail(mf.status());
            install.manifest = *mf;
        }
        Expected<models::InstalledModel> m = Status(StatusCode::Internal, "unset");
        if (!from.empty()) {
            m = store.installFromFile(name, from, install);
        } else {
            const bool tty = ::isatty(2);
            if (tty)
                install.download.progress = [&](const models::DownloadProgress& p) {
                    if (p.total > 0)
                        std::fprintf(stderr, "\rdownloading %s: %3d%%", name.c_str(),
                                     int(100 * p.bytes / p.total));
                    else
                        std::fprintf(stderr, "\rdownloading %s: %s", name.c_str(),
                                     megabytes(p.bytes).c_str());
                };
            m = store.installFromUrl(name, install);
            if (tty) std::fprintf(stderr, "\n");
        }
        if (!m) return fail(m.status());
        out << "installed " << m->name << " -> " << m->weights.string() << " ("
            << megabytes(m->bytes) << ")\n";
        return kExitOk;
    }
    return usage("unknown sub-command '" + sub + "'");
}

int runModels(std::span<const std::string> args) { return runModels(args, std::cout, std::cerr); }

}  // namespace sl::cli
