#include "cli/info_verb.h"

#include <iostream>

#include "cli/cli.h"
#include "media/media_info.h"
#include "media/media_source.h"

namespace sl::cli {

int runInfo(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
    bool json = false;
    bool index = true;
    std::string input;
    for (const std::string& a : args) {
        if (a == "--json") {
            json = true;
        } else if (a == "--no-index") {
            index = false;
        } else if (a == "-h" || a == "--help") {
            out << "usage: sightline info FILE|URL [--json] [--no-index]\n";
            return kExitOk;
        } else if (a.size() > 1 && a[0] == '-' && a != "-") {
            err << "sightline info: unknown option '" << a << "'\n"
                << "usage: sightline info FILE|URL [--json] [--no-index]\n";
            return kExitUsage;
        } else if (input.empty()) {
            input = a;
        } else {
            err << "sightline info: more than one input ('" << input << "', '" << a << "')\n";
            return kExitUsage;
        }
    }
    if (input.empty()) {
        err << "usage: sightline info FILE|URL [--json] [--no-index]\n";
        return kExitUsage;
    }
    media::OpenOptions options;
    options.url = input;
    options.buildIndex = index;
    auto info = media::probeMedia(options);
    if (!info) {
        // Messages already name the input ("media: cannot open 'x': ...").
        err << "sightline info: " << info.status().message() << "\n";
        return kExitFailure;
    }
    out << (json ? media::formatMediaInfoJson(*info) : media::formatMediaInfoText(*info));
    out.flush();
    return kExitOk;
}

int runInfo(std::span<const std::string> args) { return runInfo(args, std::cout, std::cerr); }

}  // namespace sl::cli
