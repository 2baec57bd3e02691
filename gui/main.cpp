// sightline: with a verb it runs headless on the engine (no Qt object is created, so no display is
// needed); otherwise it opens the workstation on the files or URLs given.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "app/application.h"

int main(int argc, char** argv) {
    if (argc >= 2) {
        const std::string first = argv[1];
        if (first == "-h" || first == "--help" || first == "help") {
            std::fputs(sl::cli::usageText().c_str(), stdout);
            return sl::cli::kExitOk;
        }
        if (first == "--version") {
            std::printf("sightline %s\n", SL_VERSION);
            return sl::cli::kExitOk;
        }
        if (const sl::cli::Verb* verb = sl::cli::findVerb(first)) {
            std::vector<std::string> args(argv + 2, argv + argc);
            return verb->run(args);
        }
    }
    return sl::gui::runApplication(argc, argv);
}
