// `sightline convert IN OUT [--from F] [--to F] [input options]`: annotations from one format to
// another (or a project set to a file). The import says how it mapped frames; the export says
// what the target format cannot hold (VOC and YOLO drop track ids, MOT drops attributes, ...).

#include <filesystem>
#include <iostream>

#include "cli/annotation_args.h"
#include "cli/cli.h"

namespace sl::cli {

namespace {

namespace fmt = annotate::formats;

constexpr const char* kUsage =
    "sightline convert IN OUT [--from FORMAT] [--to FORMAT] [input options]\n"
    "  IN: an annotation file or folder, or PROJECT.slproj#SET; OUT: a file or folder";

}  // namespace

int runConvert(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    AnnotationInputArgs in;
    std::optional<fmt::Format> to;
    std::string input, output;
    fmt::ExportOptions exportOptions;
    const auto usage = [&](const std::string& problem) {
        err << "sightline convert: " << problem << "\nusage: " << kUsage << "\n"
            << kAnnotationInputUsage << "\n";
        return kExitUsage;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string problem;
        if (const int r = parseAnnotationInputArg(args, i, in, problem); r < 0)
            return usage(problem);
        else if (r > 0)
            continue;
        if (a == "-h" || a == "--help") {
            out << "usage: " << kUsage << "\n" << kAnnotationInputUsage << "\n";
            return kExitOk;
        } else if (a == "--to" && i + 1 < args.size()) {
            to = fmt::parseFormatName(args[++i]);
            if (!to) return usage("unknown format '" + args[i] + "'");
        } else if (a == "--keyframes-only") {
            exportOptions.denseTracks = false;
        } else if (a.size() > 1 && a[0] == '-') {
            return usage("unknown or incomplete option '" + a + "'");
        } else if (input.empty()) {
            input = a;
        } else if (output.empty()) {
            output = a;
        } else {
            return usage("more than two paths given");
        }
    }
    if (output.empty()) return usage("needs IN and OUT");
    const auto fail = [&](const std::string& m) {
        err << "sightline convert: " << m << "\n";
        return kExitFailure;
    };
    if (!to) {
        std::string why;
        // The output does not exist yet: its extension decides (a folder needs --to).
        to = fmt::detectFormat(output, &why);
        if (!to) return fail(why + " (give --to FORMAT)");
    }
    if (Status st = resolveVideo(in); !st) return fail(st.message());
    auto loaded = loadAnnotationSet(input, in);
    if (!loaded) return fail(loaded.status().message());
    out << describeImport(loaded->description, loaded->report);
    try {
        const fmt::ExportReport r =
            fmt::exportAnnotations(loaded->set, loaded->media, output, *to, exportOptions);
        for (const std::string& w : r.warnings) err << "sightline convert: warning: " << w << "\n";
        out << "wrote " << output << " (" << fmt::formatName(*to) << ", "
            << loaded->set.objects.size() << " objects";
        if (r.files.size() > 1) out << ", " << r.files.size() << " files";
        out << ")\n";
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    return kExitOk;
}

int runConvert(std::span<const std::string> args) {
    return runConvert(args, std::cout, std::cerr);
}

}  // namespace sl::cli
